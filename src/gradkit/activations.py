"""Activation functions by Keras name: ``activations.get("relu")`` → a function Tensor → Tensor."""
from .autograd import public_ops as F
from .autograd import nn
from .registry import Registry


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


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0) by default; Keras's general form: x where x > threshold (else 0), clipped to max_value, minus
    negative_slope·relu(threshold − x)."""
    if negative_slope == 0 and max_value is None and threshold == 0:
        return F.relu(x)
    y = F.mul(x, nn.step(F.sub(x, threshold))) if threshold != 0 else F.relu(x)
    if max_value is not None:
        y = F.clip(y, 0.0, max_value)
    if negative_slope != 0:
        y = F.sub(y, F.mul(F.relu(F.sub(threshold, x)), negative_slope))
    return y


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


def relu6(x):
    """min(max(x, 0), 6)."""
    return F.relu6(x)


def selu(x):
    """scale·elu(x, α), α ≈ 1.67326 and scale ≈ 1.05070 (self-normalising; Keras's constants)."""
    return F.selu(x)


def gelu(x, approximate=False):
    """x·Φ(x) = 0.5·x·(1 + erf(x/√2)) exactly by default (Keras 3's activations.gelu), or the tanh approximation."""
    return F.gelu(x, approximate=approximate)


def silu(x):
    """x·σ(x) (also called swish)."""
    return F.silu(x)


swish = silu  # as Keras: the same function, serialized as "silu"


def softsign(x):
    """x / (1 + |x|)."""
    return F.softsign(x)


def exponential(x):
    """exp(x)."""
    return F.exp(x)


def hard_sigmoid(x):
    """relu6(x + 3) / 6: 0 below −3, 1 above 3, linear between (Keras 3's formula, slope 1/6)."""
    return F.hard_sigmoid(x)


def log_softmax(x, axis=-1):
    """x − log Σ exp(x) along axis."""
    return F.log_softmax(x, axis)


def mish(x):
    """x·tanh(softplus(x))."""
    return F.mul(x, F.tanh(nn.softplus(x)))


def hard_silu(x):
    """x·hard_sigmoid(x) (also called hard_swish)."""
    return F.hard_silu(x)


hard_swish = hard_silu  # as Keras: the same function, serialized as "hard_silu"


def hard_tanh(x):
    """clip(x, −1, 1)."""
    return F.clip(x, -1.0, 1.0)


def log_sigmoid(x):
    """log σ(x) = −softplus(−x), without overflow."""
    return F.log_sigmoid(x)


_ALL = {f.__name__: f for f in (linear, step, sigmoid, tanh, relu, leaky_relu, elu, softmax, softplus, relu6, selu,
                                gelu, silu, softsign, exponential, hard_sigmoid, log_softmax, mish, hard_silu,
                                hard_tanh, log_sigmoid)}
_ALIASES = {"swish": silu, "hard_swish": hard_silu}


_REGISTRY = Registry("activation", {**_ALL, **_ALIASES}, listed=_ALL)


def get(identifier):
    """The activation function for a Keras name, None ("linear") or a callable (returned as is)."""
    return _REGISTRY.get(identifier, none=linear, make=lambda fn: fn, from_dict=False)


def serialize(fn):
    """Keras name of an activation function (its __name__)."""
    return get(fn).__name__

from .keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("activations", __name__)
