"""Bad arguments to ``gradkit.ops`` in the user's words: checks of axes, sizes, dtypes and labels, and the
translation of a raw NumPy error into a gradkit error naming the public op, the argument and its value.

Everything here runs on an op's arguments (not per element) or only once an op has already failed.
"""
import numbers
import re

import numpy as np

from ..errors import ConfigError, ConfigTypeError, DataError, GradkitError, OutOfRangeError, ShapeError

_AXIS = re.compile(r"axis (-?\d+) is out of bounds for array of dimension (\d+)")
_PREFIX = re.compile(r"^\w+: (?=incompatible shapes)")


def _shape(x):
    shape = getattr(x, "shape", None)
    if shape is None and isinstance(x, (list, tuple)):
        try:
            shape = np.shape(x)
        except ValueError:
            return None
    return None if shape is None else tuple(shape)


def _describe(x):
    s = getattr(x, "shape", None)
    return f"an array of shape {tuple(s)}" if s is not None and len(s) else repr(x)


def given(args, kwargs):
    """The arguments as the user gave them: arrays by their shape, the rest by repr (cut at 300 characters)."""
    text = ", ".join([_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()])
    return text if len(text) < 300 else text[:297] + "..."


def translate(name, args, kwargs, e):
    """A gradkit error for the failure ``e`` of ``ops.<name>(*args, **kwargs)`` that names the public op.

    An error already translated by an inner op is re-worded under the outer (public) name."""
    detail = getattr(e, "_gk_detail", None)
    if detail is None:
        text = str(e)
        m = _PREFIX.match(text)  # "mul: incompatible shapes (3,) and (4,) (numpy's words)": an inner Function
        core = text[m.end():] if m else text
        axis = _AXIS.search(text)
        first = next((a for a in args if _shape(a) is not None), None)
        if isinstance(first, (list, tuple)) and first and _shape(first[0]) is not None:  # concatenate, stack
            first = first[0]
        if axis and first is not None:
            nd = len(_shape(first))
            detail = (f"axis {axis.group(1)} is out of range for an input of rank {nd} (shape {_shape(first)}); "
                      f"expected an axis in [-{nd}, {nd})")
        elif isinstance(e, GradkitError) and not m:
            detail = text
        else:
            detail = f"{core} (given: {given(args, kwargs)})"
    if isinstance(e, GradkitError):
        cls = type(e)
    elif isinstance(e, IndexError) and not isinstance(e, ValueError):
        cls = OutOfRangeError
    else:
        cls = ConfigTypeError if isinstance(e, TypeError) and not isinstance(e, (ValueError, IndexError)) else \
            ShapeError
    try:
        new = cls(f"ops.{name}: {detail}")
    except TypeError:  # an error class with its own constructor: keep it, the message is already gradkit's
        return e
    new._gk_detail = detail
    return new


# ---- checks an op runs on its arguments before it computes ------------------------------------------

def axis(value, ndim, arg="axis", extra=0):
    """``value`` (an int, or None) as a valid axis of a rank-``ndim`` input (``extra``: 1 for a new axis)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        for v in value:
            axis(v, ndim, arg, extra)
        return value
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ConfigTypeError(f"{arg} must be an integer, got {value!r}")
    n = ndim + extra
    if not -n <= value < n:
        raise ShapeError(f"{arg}={value} is out of range for an input of rank {ndim}; expected an axis in "
                         f"[-{n}, {n})")
    return value


def count(value, arg, low=0):
    """``value`` as an int >= low (ConfigTypeError / ConfigError naming ``arg`` otherwise)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ConfigTypeError(f"{arg} must be an integer >= {low}, got {value!r}")
    if value < low:
        raise ConfigError(f"{arg} must be an integer >= {low}, got {value!r}")
    return int(value)


def shape(value, arg="shape"):
    """A shape argument (an int or a sequence of ints >= 0) as a tuple."""
    dims = (value,) if isinstance(value, numbers.Integral) else value
    if not isinstance(dims, (tuple, list)) or not all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in dims):
        raise ConfigTypeError(f"{arg} must be an integer or a tuple of integers, got {value!r}")
    if any(d < 0 for d in dims):
        raise ConfigError(f"{arg} must hold sizes >= 0, got {value!r}")
    return tuple(int(d) for d in dims)


def dtype(value, arg="dtype"):
    """``value`` as a NumPy dtype name (ConfigTypeError naming it when NumPy does not know it)."""
    try:
        return np.dtype(value).name
    except TypeError:
        raise ConfigTypeError(f"{arg} must be a dtype name such as 'float32', 'float64', 'int32' or 'bool', "
                              f"got {value!r}") from None


def integer_ids(ids, arg):
    """``ids`` (an array) as int64, refusing fractional values (DataError naming the first)."""
    if ids.dtype.kind in "iub":
        return ids.astype(np.int64)
    if ids.dtype.kind != "f":
        raise ConfigTypeError(f"{arg} must be integers, got dtype {ids.dtype}")
    frac = ids != np.floor(ids)
    if frac.any():
        raise DataError(f"{arg} must be integers, got {ids[frac].flat[0]!r} (dtype {ids.dtype})")
    return ids.astype(np.int64)


def in_range(ids, n, arg, low=None):
    """DataError unless every id is in [low, n) (low defaults to -n, NumPy's negative indices)."""
    low = -n if low is None else low
    if ids.size and (ids.min() < low or ids.max() >= n):
        bad = ids[(ids < low) | (ids >= n)].flat[0]
        raise DataError(f"{arg} must be in [{low}, {n}), got {int(bad)}")


def same_shape(a, b, what):
    """ShapeError unless the two arrays' shapes are equal."""
    if tuple(a.shape) != tuple(b.shape):
        raise ShapeError(f"{what} must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
