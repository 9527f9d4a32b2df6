"""The ops as plain functions over Tensors (``gradkit.ops.exp(x)``); Tensor's operators call these."""
from . import ops as O
from . import shape_ops as S
from .tensor import Tensor, as_array
from .tensor import as_tensor as _t


def as_operand(x, other):
    """x as a Tensor; a Python scalar takes the dtype of the Tensor ``other`` (so 2 * t keeps t's dtype)."""
    return O._operands(x, other)[0]


def add(a, b):
    """a + b, broadcasting."""
    return O.Add()(*O._operands(a, b))


def sub(a, b):
    """a - b, broadcasting."""
    return O.Sub()(*O._operands(a, b))


def mul(a, b):
    """a * b, broadcasting."""
    return O.Mul()(*O._operands(a, b))


def div(a, b):
    """a / b, broadcasting."""
    return O.Div()(*O._operands(a, b))


def neg(a):
    """-a."""
    return O.Neg()(_t(a))


def power(a, c):
    """a ** c; a Tensor exponent is differentiated too (via exp(c·log a))."""
    if isinstance(c, Tensor):
        return exp(mul(c, log(a)))
    return O.Pow(c)(_t(a))


def matmul(a, b):
    """a @ b (2-D, batched or 1-D, as numpy.matmul)."""
    return O.MatMul()(_t(a), _t(b))


def exp(a):
    """e ** a."""
    return O.Exp()(_t(a))


def log(a):
    """Natural logarithm."""
    return O.Log()(_t(a))


def sqrt(a):
    """Square root."""
    return O.Sqrt()(_t(a))


def abs(a):  # noqa: A001 - mirrors numpy's name
    """|a|."""
    return O.Abs()(_t(a))


def maximum(a, b):
    """Elementwise max, broadcasting."""
    return O.Maximum()(*O._operands(a, b))


def minimum(a, b):
    """Elementwise min, broadcasting."""
    return O.Minimum()(*O._operands(a, b))


def clip(a, lo, hi):
    """a limited to [lo, hi] (either may be None)."""
    return O.Clip(lo, hi)(_t(a))


def tanh(a):
    """Hyperbolic tangent."""
    return O.Tanh()(_t(a))


def sigmoid(a):
    """Logistic sigmoid, stable for large |a|."""
    return O.Sigmoid()(_t(a))


def relu(a):
    """max(a, 0)."""
    return O.Relu()(_t(a))


def leaky_relu(a, alpha=0.2):
    """a if a > 0 else alpha·a (Keras's default negative slope is 0.2)."""
    return O.LeakyRelu(alpha)(_t(a))


def softmax(a, axis=-1):
    """Softmax along axis, stable (shifted by the max)."""
    return O.Softmax(axis)(_t(a))


def log_softmax(a, axis=-1):
    """log(softmax(a)) along axis, computed without overflow or log(0)."""
    return O.LogSoftmax(axis)(_t(a))


def sum(a, axis=None, keepdims=False):  # noqa: A001
    """Sum over axis (all when None)."""
    return O.Sum(axis, keepdims)(_t(a))


def mean(a, axis=None, keepdims=False):
    """Mean over axis (all when None)."""
    return O.Mean(axis, keepdims)(_t(a))


def max(a, axis=None, keepdims=False):  # noqa: A001
    """Max over axis (all when None)."""
    return O.Max(axis, keepdims)(_t(a))


def reshape(a, shape):
    """a with a new shape (one entry may be -1)."""
    return S.Reshape(tuple(shape) if not isinstance(shape, int) else (shape,))(_t(a))


def transpose(a, axes=None):
    """a with axes permuted (reversed when None)."""
    return S.Transpose(tuple(axes) if axes is not None else None)(_t(a))


def expand_dims(a, axis):
    """a with a new length-1 axis."""
    return S.ExpandDims(axis)(_t(a))


def squeeze(a, axis=None):
    """a without length-1 axes."""
    return S.Squeeze(axis)(_t(a))


def getitem(a, key):
    """a[key] with slices, integer arrays or masks."""
    return S.GetItem(key)(_t(a))


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis."""
    return S.Concatenate(axis)(*[_t(x) for x in tensors])


def stack(tensors, axis=0):
    """Join tensors along a new axis."""
    return S.Stack(axis)(*[_t(x) for x in tensors])


def where(cond, a, b):
    """a where cond is true, else b (broadcasting)."""
    a, b = O._operands(a, b)
    return S.Where(as_array(cond))(a, b)
