"""Weight and activity regularizers with Keras names: L1, L2, L1L2 (``regularizers.get("l2")``).

A regularizer maps a weight (or a layer's output) to a scalar Tensor that the trainer adds to the loss.
"""
import math
import numbers

from .autograd import public_ops as F
from .errors import ConfigError, ConfigTypeError
from .registry import Registry


class Regularizer:
    """Base: ``reg(x)`` returns a scalar penalty Tensor."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        """Constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Rebuild from get_config()'s dict."""
        return cls(**config)


class L1(Regularizer):
    """l1 · Σ|x| (Keras's default l1 = 0.01)."""

    def __init__(self, l1=0.01):
        self.l1 = float(_check(l1, "l1"))

    def __call__(self, x):
        return F.mul(self.l1, F.sum(F.abs(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 · Σx² (Keras's default l2 = 0.01)."""

    def __init__(self, l2=0.01):
        self.l2 = float(_check(l2, "l2"))

    def __call__(self, x):
        return F.mul(self.l2, F.sum(F.square(x)))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """l1 · Σ|x| + l2 · Σx² (class defaults 0.0 each, as Keras's)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(_check(l1, "l1")), float(_check(l2, "l2"))

    def __call__(self, x):
        out = None
        if self.l1:
            out = F.mul(self.l1, F.sum(F.abs(x)))
        if self.l2:
            sq = F.mul(self.l2, F.sum(F.square(x)))
            out = sq if out is None else F.add(out, sq)
        return out if out is not None else F.mul(0.0, F.sum(x))

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def _check(value, name):
    """A regularization factor: a finite number >= 0 (ConfigTypeError / ConfigError naming it otherwise)."""
    message = f"regularizer: {name} must be a non-negative number, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigTypeError(message)
    if not (math.isfinite(value) and value >= 0):
        raise ConfigError(message)
    return value


l1, l2 = L1, L2


def l1_l2(l1=0.01, l2=0.01):  # noqa: F811 - Keras's function form, defaults 0.01 each
    """L1L2 with Keras's function defaults (l1 = l2 = 0.01)."""
    return L1L2(l1=l1, l2=l2)


_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2}
_NAMES = {"l1": L1, "l2": L2, "l1_l2": l1_l2, "l1l2": l1_l2}
_REGISTRY = Registry("regularizer", _NAMES, _CLASSES, listed=["l1", "l2", "l1_l2"], listed_tail=" (or a Regularizer)")


def get(identifier):
    """A regularizer from None, a name ('l1', 'l2', 'l1_l2'), a config dict, an instance or a callable."""
    return _REGISTRY.get(identifier, base=Regularizer, none=None)


def serialize(regularizer):
    """Keras's {"module", "class_name", "config", "registered_name"} form, or None."""
    if regularizer is None:
        return None
    if type(regularizer).__name__ not in _CLASSES:
        return {"module": None, "class_name": type(regularizer).__name__,
                "config": regularizer.get_config() if hasattr(regularizer, "get_config") else {},
                "registered_name": type(regularizer).__name__}
    return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """Inverse of serialize (custom classes via custom_objects)."""
    if isinstance(config, dict) and custom_objects and config.get("class_name") in custom_objects:
        return custom_objects[config["class_name"]].from_config(config.get("config", {}))
    return get(config)

from .keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("regularizers", __name__)
