"""gradkit: deep learning from first principles, under a Keras-compatible API."""
from . import backend, utils
from .autograd import Function, Tensor, no_grad, ops
from .errors import GradkitError, ShapeError

__version__ = "0.1.0"

__all__ = ["Tensor", "Function", "no_grad", "ops", "backend", "GradkitError", "ShapeError", "__version__"]
