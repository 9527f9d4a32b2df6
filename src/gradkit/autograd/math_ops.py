"""Elementwise, matrix and reduction ops: each a Function with forward and backward side by side."""
import numpy as np

from .. import backend as B
from .tensor import Function, Tensor, filled, reduce_sum, unbroadcast


def _operands(a, b):
    """Both operands as Tensors; a Python scalar takes the dtype of the tensor beside it."""
    if not isinstance(a, Tensor):
        a = Tensor(B.xp.asarray(a, dtype=b.dtype) if isinstance(a, (int, float)) else a)
    if not isinstance(b, Tensor):
        b = Tensor(B.xp.asarray(b, dtype=a.dtype) if isinstance(b, (int, float)) else b)
    return a, b


# ---- arithmetic -------------------------------------------------------------------------------

class Add(Function):
    """z = a + b (broadcasting)."""
    def forward(self, a, b):
        return a + b

    def backward(self, gz):
        a, b = self.saved_inputs
        return unbroadcast(gz, a.shape), unbroadcast(gz, b.shape)


class Sub(Function):
    """z = a - b (broadcasting)."""
    def forward(self, a, b):
        return a - b

    def backward(self, gz):
        a, b = self.saved_inputs
        return unbroadcast(gz, a.shape), unbroadcast(-gz, b.shape)


class Mul(Function):
    """z = a * b (broadcasting)."""
    def forward(self, a, b):
        return a * b

    def backward(self, gz):
        a, b = self.saved_inputs
        return unbroadcast(gz * b, a.shape), unbroadcast(gz * a, b.shape)


class Div(Function):
    """z = a / b (broadcasting)."""
    def forward(self, a, b):
        return a / b

    def backward(self, gz):
        a, b = self.saved_inputs
        ga = gz / b
        return unbroadcast(ga, a.shape), unbroadcast(-ga * a / b, b.shape)


class Neg(Function):
    """z = -a."""
    def forward(self, a):
        return -a

    def backward(self, gz):
        return -gz


class Pow(Function):
    """z = a ** c for a constant exponent c."""
    def __init__(self, c):
        self.c = c

    def forward(self, a):
        return a ** self.c

    def backward(self, gz):
        (a,) = self.saved_inputs
        if self.c == 0:  # d(a⁰)/da = 0 everywhere, also at a = 0 where c·a^(c−1) would be 0·inf = NaN
            return B.xp.zeros_like(gz)
        return gz * self.c * a ** (self.c - 1)


class MatMul(Function):
    """z = a @ b: 2-D, batched (leading dims broadcast) and 1-D operands, as numpy.matmul."""
    def forward(self, a, b):
        return a @ b

    def backward(self, gz):
        a, b = self.saved_inputs
        if a.ndim == 1 and b.ndim == 1:  # a dot product: gz is 0-d
            return gz * b, gz * a
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = gz
        if a.ndim == 1:
            g2 = g2[..., None, :]
        if b.ndim == 1:
            g2 = g2[..., None]
        ga = g2 @ B.xp.swapaxes(b2, -1, -2)
        gb = B.xp.swapaxes(a2, -1, -2) @ g2
        ga = unbroadcast(ga, a2.shape).reshape(a.shape)
        gb = unbroadcast(gb, b2.shape).reshape(b.shape)
        return ga, gb


# ---- elementwise functions --------------------------------------------------------------------

class Exp(Function):
    """z = exp(a)."""
    def forward(self, a):
        self.z = B.xp.exp(a)
        return self.z

    def backward(self, gz):
        return gz * self.z


class Log(Function):
    """z = log(a) (natural)."""
    def forward(self, a):
        return B.xp.log(a)

    def backward(self, gz):
        return gz / self.saved_inputs[0]


class Sqrt(Function):
    """z = sqrt(a)."""
    def forward(self, a):
        self.z = B.xp.sqrt(a)
        return self.z

    def backward(self, gz):
        return gz / (2 * self.z)


class Abs(Function):
    """z = |a| (gradient sign(a), 0 at 0 as PyTorch)."""
    def forward(self, a):
        return B.xp.abs(a)

    def backward(self, gz):
        return gz * B.xp.sign(self.saved_inputs[0])


class Maximum(Function):
    """z = max(a, b) elementwise; a tie sends the gradient to a (as numpy's choice)."""
    def forward(self, a, b):
        return B.xp.maximum(a, b)

    def backward(self, gz):
        a, b = self.saved_inputs
        take_a = a >= b
        return unbroadcast(gz * take_a, a.shape), unbroadcast(gz * ~take_a, b.shape)


class Minimum(Function):
    """z = min(a, b) elementwise; a tie sends the gradient to a."""
    def forward(self, a, b):
        return B.xp.minimum(a, b)

    def backward(self, gz):
        a, b = self.saved_inputs
        take_a = a <= b
        return unbroadcast(gz * take_a, a.shape), unbroadcast(gz * ~take_a, b.shape)


class Clip(Function):
    """z = clip(a, lo, hi); gradient passes only where lo <= a <= hi."""
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, a):
        return B.xp.clip(a, self.lo, self.hi)

    def backward(self, gz):
        a = self.saved_inputs[0]
        inside = B.xp.ones(a.shape, dtype=bool)
        if self.lo is not None:
            inside &= a >= self.lo
        if self.hi is not None:
            inside &= a <= self.hi
        return gz * inside


class Tanh(Function):
    """z = tanh(a); dz/da = 1 - z²."""
    def forward(self, a):
        self.z = B.xp.tanh(a)
        return self.z

    def backward(self, gz):
        return gz * (1 - self.z * self.z)


class Sigmoid(Function):
    """z = 1 / (1 + exp(-a)), computed without overflow; dz/da = z(1 - z)."""
    def forward(self, a):
        self.z = stable_sigmoid(a)
        return self.z

    def backward(self, gz):
        return gz * self.z * (1 - self.z)


def stable_sigmoid(a):
    """Sigmoid on a raw array as 1 / (1 + e^−a), accurate in both tails; where e^−a overflows (a ≪ 0) the
    result is its true limit 0, so the overflow is silenced. Four in-place calls, one new array."""
    z = B.xp.negative(a, out=B.xp.empty_like(a))  # out=: a 0-d input stays an array (in-place calls below)
    with np.errstate(over="ignore"):
        B.xp.exp(z, out=z)
    z += 1
    return B.xp.reciprocal(z, out=z)


class Relu(Function):
    """z = max(a, 0); gradient 0 at 0 (as PyTorch and Keras)."""
    def forward(self, a):
        return B.xp.maximum(a, 0)

    def backward(self, gz):
        return gz * (self.saved_inputs[0] > 0)


class LeakyRelu(Function):
    """z = a if a > 0 else alpha·a."""
    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, a):
        return B.xp.where(a > 0, a, a * self.alpha)

    def backward(self, gz):
        return B.xp.where(self.saved_inputs[0] > 0, gz, gz * self.alpha)


class Softmax(Function):
    """z = exp(a - max a) / Σ exp(a - max a) along axis; dz = z·(g − Σ g·z)."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        e = B.xp.exp(a - a.max(axis=self.axis, keepdims=True))
        self.z = e / e.sum(axis=self.axis, keepdims=True)
        return self.z

    def backward(self, gz):
        z = self.z
        return z * (gz - (gz * z).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """z = a − logsumexp(a) along axis (shifted by the max, so no overflow); dz = g − softmax·Σg."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        z, self.p = log_softmax_array(a, self.axis)
        return z

    def backward(self, gz):
        return gz - self.p * gz.sum(axis=self.axis, keepdims=True)


def log_softmax_array(a, axis=-1):
    """(log softmax, softmax) of a raw array along axis, shifted by the max so nothing overflows."""
    shifted = a - a.max(axis=axis, keepdims=True)
    e = B.xp.exp(shifted)
    s = e.sum(axis=axis, keepdims=True)
    shifted -= B.xp.log(s)
    e /= s
    return shifted, e


# ---- reductions -------------------------------------------------------------------------------

def _norm_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(sorted(ax % ndim for ax in axes))


def _expand_back(g, axes, keepdims):
    """Re-insert reduced axes so g broadcasts against the input."""
    if keepdims:
        return g
    for ax in axes:
        g = B.xp.expand_dims(g, ax)
    return g


def _spread(g, a, axis, keepdims):
    """The gradient g of a reduction of a over axis, copied back to a's shape (a fresh, writable array)."""
    if axis is not None and not keepdims:
        axes = _norm_axes(axis, a.ndim)
        g = g.reshape(tuple(1 if i in axes else n for i, n in enumerate(a.shape)))
    return filled(a.shape, g, g.dtype)


def _count(a, axis):
    """Number of elements a reduction of a over axis averages."""
    if axis is None:
        return a.size
    n = 1
    for ax in _norm_axes(axis, a.ndim):
        n *= a.shape[ax]
    return n


class Sum(Function):
    """z = Σ a over axis (all axes when None)."""
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        return reduce_sum(a, self.axis, self.keepdims)

    def backward(self, gz):
        return _spread(B.xp.asarray(gz), self.saved_inputs[0], self.axis, self.keepdims)


class Mean(Function):
    """z = mean of a over axis (all axes when None)."""
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        if a.dtype.kind != "f" or a.itemsize < 4:  # ints and float16: numpy's own accumulation rules
            return a.mean(axis=self.axis, keepdims=self.keepdims)
        return reduce_sum(a, self.axis, self.keepdims) / _count(a, self.axis)  # what ndarray.mean does

    def backward(self, gz):
        a = self.saved_inputs[0]
        return _spread(B.xp.asarray(gz / _count(a, self.axis)), a, self.axis, self.keepdims)


class Max(Function):
    """z = max of a over axis; the gradient is shared equally among tied maxima."""
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.z = a.max(axis=self.axis, keepdims=True)
        if self.keepdims:
            return self.z
        axes = _norm_axes(self.axis, a.ndim)
        return self.z.reshape(tuple(n for i, n in enumerate(a.shape) if i not in axes))

    def backward(self, gz):
        a = self.saved_inputs[0]
        mask = a == self.z
        g = _expand_back(gz, _norm_axes(self.axis, a.ndim), self.keepdims)
        return g * mask / mask.sum(axis=self.axis, keepdims=True, dtype=g.dtype)  # an int count made it float64
