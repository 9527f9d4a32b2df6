"""Models: Model (subclassing), Functional (what ``Model(inputs, outputs)`` gives), Sequential, load_model."""
from .functional import Functional
from .model import Model
from .sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by ``model.save`` (architecture, weights, compile settings, optimizer state)."""
    from ..io import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile)


__all__ = ["Sequential", "Model", "Functional", "load_model"]
