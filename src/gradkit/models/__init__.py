"""Models: Model (subclassing), Functional (what ``Model(inputs, outputs)`` gives), Sequential, load_model."""
from .. import io
from .functional import Functional
from .model import Model
from .sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by ``model.save`` (architecture, weights, compile settings, optimizer state)."""
    from ..saving import known
    classes = {**known(by_class_name=True), "Sequential": Sequential, "Functional": Functional, "Model": Model}
    return io.load_model(filepath, classes, custom_objects=known(custom_objects), compile=compile)


__all__ = ["Sequential", "Model", "Functional", "load_model"]
