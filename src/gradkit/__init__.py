"""gradkit: deep learning from first principles, under a Keras-compatible API.

``import gradkit as keras`` serves Keras code: keras.Sequential, keras.Model, keras.Input,
keras.layers, keras.optimizers, keras.losses, keras.metrics, keras.callbacks, ...
Submodules load on first use, so ``import gradkit`` itself needs only NumPy.
"""
import importlib
import sys

from . import backend, utils
from .autograd import Function, Tensor, no_grad, ops
from .errors import GradkitError, ShapeError

sys.modules[__name__ + ".ops"] = ops  # `import gradkit.ops` and `gradkit.ops` name the same one module

__version__ = "0.1.0"

_SUBMODULES = {"layers", "models", "losses", "metrics", "optimizers", "callbacks", "initializers",
               "activations", "datasets", "preprocessing", "gradcheck", "plots", "parallel", "io",
               "recipes", "training", "errors", "descent", "reference", "regularizers", "constraints",
               "config", "random", "saving"}
_FROM = {"Sequential": "models", "Model": "models", "Input": "layers", "load_model": "models", "Layer": "layers",
         "Variable": "variables"}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _FROM:
        return getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
    from .keras_api import not_provided
    return not_provided("", __name__)(name)


__all__ = ["Tensor", "Function", "no_grad", "ops", "backend", "utils", "GradkitError", "ShapeError",
           "Sequential", "Model", "Input", "load_model", "Layer", "Variable", "__version__", *sorted(_SUBMODULES)]
