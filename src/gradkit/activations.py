"""Activation functions by Keras name: ``activations.get("relu")`` → a function Tensor → Tensor."""
from .autograd import functions as F
from .autograd import nn
from .errors import ConfigError


def linear(x):
    """Identity (Keras's "linear", also what None means)."""
    return x if isinstance(x, F.Tensor) else F.Tensor(x)


def step(x):
    """Heaviside step: 1 where x > 0, else 0 (the perceptron's); its gradient is zero."""
    return nn.step(x)


def sigmoid(x):
    """1 / (1 + exp(−x))."""
    return F.sigmoid(x)


def tanh(x):
    """Hyperbolic tangent."""
    return F.tanh(x)


def relu(x):
    """max(x, 0)."""
    return F.relu(x)


def leaky_relu(x, negative_slope=0.2):
    """x if x > 0 else negative_slope·x (Keras's default slope 0.2)."""
    return F.leaky_relu(x, negative_slope)


def elu(x, alpha=1.0):
    """x if x > 0 else alpha·(exp(x) − 1)."""
    return nn.elu(x, alpha)


def softmax(x, axis=-1):
    """exp(x) / Σ exp(x) along axis."""
    return F.softmax(x, axis)


def softplus(x):
    """log(1 + exp(x)), without overflow."""
    return nn.softplus(x)


_ALL = {f.__name__: f for f in (linear, step, sigmoid, tanh, relu, leaky_relu, elu, softmax, softplus)}


def get(identifier):
    """The activation function for a Keras name, None ("linear") or a callable (returned as is)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _ALL:
        return _ALL[identifier.lower()]
    raise ConfigError(f"unknown activation {identifier!r}; valid names: {', '.join(_ALL)}")


def serialize(fn):
    """Keras name of an activation function (its __name__)."""
    return get(fn).__name__

from .keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("activations", __name__)
