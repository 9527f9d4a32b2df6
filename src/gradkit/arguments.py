"""Checks of constructor arguments (optimizers, layers, callbacks): one wording for every "expected, got"."""
import math
import numbers

from .errors import ConfigError, ConfigTypeError


def _interval(within):
    """'[0, 1)' → (0.0, 1.0, closed_low, closed_high); 'inf' bounds are open."""
    lo, hi = within[1:-1].split(",")
    return float(lo), float(hi), within[0] == "[", within[-1] == "]"


def number(value, name, owner, within="[0, inf)", integer=False):
    """``value`` as a float (an int when integer=True), else ConfigTypeError (not a number) or ConfigError
    (outside ``within``, an interval such as "[0, 1)"); both name ``owner``, ``name``, expected and given."""
    kind = "an integer" if integer else "a number"
    ok_type = isinstance(value, numbers.Integral if integer else numbers.Real) and not isinstance(value, bool)
    if not ok_type:
        raise ConfigTypeError(f"{owner}: {name} must be {kind} in {within}, got {value!r} "
                              f"(of type {type(value).__name__})")
    lo, hi, closed_lo, closed_hi = _interval(within)
    inside = (value >= lo if closed_lo else value > lo) and (value <= hi if closed_hi else value < hi)
    if not inside or (not integer and math.isnan(value)):
        raise ConfigError(f"{owner}: {name} must be {kind} in {within}, got {value!r}")
    return int(value) if integer else float(value)


def optional_number(value, name, owner, within="[0, inf)"):
    """None, or ``number(value, ...)``."""
    return None if value is None else number(value, name, owner, within)


def flag(value, name, owner):
    """``value`` as a bool; ConfigTypeError for anything but True/False (or a NumPy bool)."""
    if not isinstance(value, (bool, numbers.Integral)) or value not in (0, 1):
        raise ConfigTypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


def shape(value, name, owner):
    """A shape argument as a tuple of non-negative ints (None for an unknown size); an int n means (n,)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(
            d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool)) for d in value):
        raise ConfigTypeError(f"{owner}: {name} must be a tuple of integers such as (784,), got {value!r}")
    if any(d is not None and d < 0 for d in value):
        raise ConfigError(f"{owner}: {name} must hold non-negative sizes, got {tuple(value)!r}")
    return tuple(None if d is None else int(d) for d in value)


def seed(value, owner):
    """A seed argument: None or an integer >= 0 (ConfigTypeError / ConfigError naming ``owner`` otherwise)."""
    return None if value is None else number(value, "seed", owner, "[0, inf)", integer=True)


def choice(value, name, owner, options):
    """``value`` if it is one of ``options``, else ConfigError listing them."""
    if not isinstance(value, str) or value not in options:
        raise ConfigError(f"{owner}: {name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value
