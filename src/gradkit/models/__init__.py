"""Models: Sequential, the functional Model, and load_model (Keras names)."""
from .functional import Model
from .sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by ``model.save`` (architecture, weights, compile settings, optimizer state)."""
    from ..io import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile)


__all__ = ["Sequential", "Model", "load_model"]
