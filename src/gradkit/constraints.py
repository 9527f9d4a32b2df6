"""Weight constraints with Keras names (max_norm, non_neg, unit_norm, min_max_norm).

The optimizer projects a weight through its constraint after each update, as Keras does. A constraint maps
an array (or Tensor) to the projected array of the same shape.
"""
from . import backend as B
from .autograd.tensor import as_array
from .arguments import number
from .errors import ConfigError, ConfigTypeError, ShapeError
from .registry import Registry


def _norms(w, axis):
    xp = B.xp
    return xp.sqrt(xp.sum(xp.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base: ``c(w)`` returns w projected onto the allowed set (the identity here)."""

    def __call__(self, w):
        return as_array(w)

    def get_config(self):
        """Constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Rebuild from get_config()'s dict."""
        return cls(**config)


class MaxNorm(Constraint):
    """Scale each weight vector along ``axis`` down to norm ≤ max_value: w · clip(‖w‖, 0, m) / (ε + ‖w‖)."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = number(max_value, "max_value", "MaxNorm"), _axis(axis, "MaxNorm")

    def __call__(self, w):
        w = as_array(w)
        norms = _norms(w, self.axis)
        return w * (B.xp.clip(norms, 0, self.max_value) / (B.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """max(w, 0)."""

    def __call__(self, w):
        return B.xp.maximum(as_array(w), 0)


class UnitNorm(Constraint):
    """w / (ε + ‖w‖) along ``axis``."""

    def __init__(self, axis=0):
        self.axis = _axis(axis, "UnitNorm")

    def __call__(self, w):
        w = as_array(w)
        return w / (B.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Norms pulled into [min_value, max_value] at ``rate``: w · (rate·clip(‖w‖) + (1−rate)·‖w‖) / (ε + ‖w‖)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        min_value = number(min_value, "min_value", "MinMaxNorm")
        max_value = number(max_value, "max_value", "MinMaxNorm")
        if min_value > max_value:
            raise ConfigError(f"MinMaxNorm: min_value must be <= max_value, got min_value={min_value!r}, "
                              f"max_value={max_value!r}")
        rate = number(rate, "rate", "MinMaxNorm", "[0, 1]")
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, _axis(axis, "MinMaxNorm")

    def __call__(self, w):
        w = as_array(w)
        norms = _norms(w, self.axis)
        desired = self.rate * B.xp.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (B.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


def _axis(axis, owner):
    """An int or a tuple of ints (ConfigTypeError naming ``owner`` otherwise)."""
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
        raise ConfigTypeError(f"{owner}: axis must be an integer or a tuple of integers, got {axis!r}")
    return axis


def check_weight(constraint, shape, weight):
    """ShapeError when the constraint's axis is not an axis of the weight it is put on (checked at build)."""
    axis = getattr(constraint, "axis", None)
    if axis is None:
        return
    n = len(shape)
    bad = [a for a in (axis if isinstance(axis, (tuple, list)) else (axis,)) if not -n <= a < n]
    if bad:
        raise ShapeError(f"{type(constraint).__name__}(axis={axis!r}) on the weight '{weight}' of shape {tuple(shape)}"
                         f" (rank {n}): axis {bad[0]} is not one of its axes; expected axes in [-{n}, {n})")


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
_CLASSES = {c.__name__: c for c in (MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
_NAMES = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}
_REGISTRY = Registry("constraint", _NAMES, _CLASSES)


def get(identifier):
    """A constraint from None, a name ('max_norm', ...), a config dict, an instance or a callable."""
    return _REGISTRY.get(identifier, base=Constraint, none=None)


def serialize(constraint):
    """Keras's {"module", "class_name", "config", "registered_name"} form, or None."""
    if constraint is None:
        return None
    known = type(constraint).__name__ in _CLASSES
    return {"module": "keras.constraints" if known else None, "class_name": type(constraint).__name__,
            "config": constraint.get_config() if hasattr(constraint, "get_config") else {},
            "registered_name": None if known else type(constraint).__name__}


def deserialize(config, custom_objects=None):
    """Inverse of serialize (custom classes via custom_objects)."""
    if isinstance(config, dict) and custom_objects and config.get("class_name") in custom_objects:
        return custom_objects[config["class_name"]].from_config(config.get("config", {}))
    return get(config)

from .keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("constraints", __name__)
