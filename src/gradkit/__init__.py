"""gradkit: deep learning from first principles, under a Keras-compatible API.

``import gradkit as keras`` serves Keras code: keras.Sequential, keras.Model, keras.Input,
keras.layers, keras.optimizers, keras.losses, keras.metrics, keras.callbacks, ...
Submodules load on first use (PEP 562), so ``import gradkit`` itself loads no other module, not even NumPy.
"""
import importlib

__version__ = "0.1.0"

_SUBMODULES = {"layers", "models", "losses", "metrics", "optimizers", "callbacks", "initializers",
               "activations", "datasets", "preprocessing", "gradcheck", "plots", "parallel", "io",
               "recipes", "training", "errors", "descent", "reference", "regularizers", "constraints",
               "config", "random", "saving"}
_CORE = {"ops", "backend", "utils", "autograd"}  # loaded by `import gradkit` before it became lazy
_FROM = {"Sequential": "models", "Model": "models", "Input": "layers", "load_model": "models", "Layer": "layers",
         "Variable": "variables", "Tensor": "autograd", "Function": "autograd", "no_grad": "autograd",
         "GradkitError": "errors", "ShapeError": "errors"}


def __getattr__(name):
    if name in _SUBMODULES or name in _CORE:
        return importlib.import_module(f".{name}", __name__)
    if name in _FROM:
        return getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
    from .keras_api import not_provided
    return not_provided("", __name__)(name)


def __dir__():
    return sorted(set(globals()) | set(__all__))


__all__ = ["Tensor", "Function", "no_grad", "ops", "backend", "utils", "GradkitError", "ShapeError",
           "Sequential", "Model", "Input", "load_model", "Layer", "Variable", "__version__",
           *sorted(_SUBMODULES)]
