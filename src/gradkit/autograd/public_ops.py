"""``gradkit.ops`` (``keras.ops``): a NumPy-like namespace of differentiable functions over Tensors.

Every function also takes NumPy arrays and Python numbers and returns a Tensor; ops without a gradient
(argmax, one_hot, comparisons, rounding) return constant Tensors. Called on symbolic KerasTensors
(functional API), a function records a graph node instead. A name that gradkit does not provide raises
an error naming it. Tensor's operators (tensor.py) call these.
"""
import builtins
import functools
import math
import numbers

import numpy as np

from .. import backend as B
from ..errors import ConfigError, ConfigTypeError, ShapeError
from . import array_ops as A
from . import op_errors as chk
from . import nn as N
from . import math_ops as O
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
    if isinstance(c, (str, bytes)):
        raise ConfigTypeError(f"the exponent must be a number or a tensor, got {c!r}")
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
    if axes is not None:
        nd = _t(a).ndim
        wrapped = [ax % nd if isinstance(ax, numbers.Integral) and -nd <= ax < nd else ax for ax in axes]
        if len(axes) != nd or sorted(wrapped) != list(range(nd)):
            raise ConfigError(f"axes must be a permutation of the {nd} axes of an input of rank {nd} "
                              f"(shape {_t(a).shape}), got {tuple(axes)}")
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
    if not len(tensors):
        raise ConfigError(f"needs at least one tensor to join, got {tensors!r}")
    return S.Concatenate(axis)(*[_t(x) for x in tensors])


def stack(tensors, axis=0):
    """Join tensors along a new axis."""
    if not len(tensors):
        raise ConfigError(f"needs at least one tensor to join, got {tensors!r}")
    shapes = {tuple(_t(x).shape) for x in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"the tensors must have one shape, got {', '.join(map(str, sorted(shapes)))}")
    return S.Stack(axis)(*[_t(x) for x in tensors])


def where(cond, a, b):
    """a where cond is true, else b (broadcasting)."""
    a, b = O._operands(a, b)
    return S.Where(as_array(cond))(a, b)


# ---- Keras names for the primitives above ---------------------------------------------------------
subtract, multiply, divide, true_divide, negative, absolute = sub, mul, div, div, neg, abs


def _const(array):
    """A constant Tensor (no gradient) around an array."""
    return Tensor(array)


def _dt(dtype, default=None):
    return chk.dtype(dtype) if dtype is not None else (default or B.floatx())


# ---- creation -----------------------------------------------------------------------------------
def convert_to_tensor(x, dtype=None, sparse=None):
    """x as a Tensor (a Tensor is returned as is unless dtype changes it)."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(dtype) else N.cast(x, _dt(dtype))
    return Tensor(x, dtype=_dt(dtype) if dtype is not None else None)


array = convert_to_tensor


def convert_to_numpy(x):
    """x as a host NumPy array."""
    return B.to_numpy(as_array(x))


def zeros(shape, dtype=None):
    """A constant Tensor of zeros (floatx unless dtype)."""
    return _const(B.xp.zeros(chk.shape(shape), dtype=_dt(dtype)))


def ones(shape, dtype=None):
    """A constant Tensor of ones (floatx unless dtype)."""
    return _const(B.xp.ones(chk.shape(shape), dtype=_dt(dtype)))


empty = zeros


def full(shape, fill_value, dtype=None):
    """A constant Tensor filled with fill_value."""
    if isinstance(fill_value, (str, bytes)):
        raise ConfigTypeError(f"fill_value must be a number, got {fill_value!r}")
    return _const(B.xp.full(chk.shape(shape), as_array(fill_value), dtype=_dt(dtype)))


def zeros_like(x, dtype=None):
    """Zeros of x's shape (and dtype unless given)."""
    return _const(B.xp.zeros_like(as_array(x), dtype=dtype))


def ones_like(x, dtype=None):
    """Ones of x's shape (and dtype unless given)."""
    return _const(B.xp.ones_like(as_array(x), dtype=dtype))


def full_like(x, fill_value, dtype=None):
    """fill_value in x's shape (and dtype unless given)."""
    return _const(B.xp.full_like(as_array(x), as_array(fill_value), dtype=dtype))


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - numpy's names
    """The N×M identity (ones on diagonal k)."""
    N, M = chk.count(N, "N"), None if M is None else chk.count(M, "M")
    return _const(B.xp.eye(N, M, k=k, dtype=_dt(dtype)))


def identity(n, dtype=None):
    """The n×n identity."""
    return eye(n, dtype=dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop) (integers for integer arguments, as numpy)."""
    for arg, v in (("start", start), ("stop", stop), ("step", step)):
        if v is not None and (isinstance(v, (str, bytes, bool)) or not isinstance(v, numbers.Real)):
            raise ConfigTypeError(f"{arg} must be a number, got {v!r}")
    if step == 0:
        raise ConfigError(f"step must not be 0, got step={step!r}")
    out = B.xp.arange(start, stop, step) if stop is not None else B.xp.arange(start)
    if dtype is not None or out.dtype.kind == "f":
        out = out.astype(_dt(dtype))
    return _const(out)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """num evenly spaced values from start to stop."""
    chk.count(num, "num")
    out = B.xp.linspace(as_array(start), as_array(stop), num, endpoint=endpoint, axis=axis).astype(_dt(dtype))
    return (_const(out), (stop - start) / builtins.max(num - (1 if endpoint else 0), 1)) if retstep else _const(out)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Integer labels → one-hot rows (a constant; −1 gives an all-zero row, as Keras)."""
    chk.count(num_classes, "num_classes", low=1)
    ids = chk.integer_ids(B.to_numpy(as_array(x)), "x (the class ids)")
    ids = B.xp.asarray(ids)
    out = (ids[..., None] == B.xp.arange(num_classes)).astype(_dt(dtype))
    return _const(B.xp.moveaxis(out, -1, axis) if axis not in (-1, out.ndim - 1) else out)


def multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False):
    """Each row of integer ids → one row with 1 at every id present (a constant)."""
    return _const(B.xp.max(one_hot(inputs, num_classes, dtype=dtype).data, axis=-2))


# ---- elementwise math ------------------------------------------------------------------------------
def square(x):
    """x²."""
    return power(x, 2)


def reciprocal(x):
    """1 / x."""
    x = _t(x)
    return div(B.xp.ones((), dtype=x.dtype), x)


def rsqrt(x):
    """1 / √x."""
    return reciprocal(sqrt(x))


def erf(x):
    """The error function (2/√π)∫₀ˣ e^(−t²) dt."""
    return A.Erf()(_t(x))


def log1p(x):
    """log(1 + x), accurate for small x."""
    return A.Log1p()(_t(x))


def expm1(x):
    """eˣ − 1, accurate for small x."""
    return A.Expm1()(_t(x))


def log2(x):
    """Base-2 logarithm."""
    return div(log(x), math.log(2))


def log10(x):
    """Base-10 logarithm."""
    return div(log(x), math.log(10))


def sin(x):
    """Sine."""
    return A.Sin()(_t(x))


def cos(x):
    """Cosine."""
    return A.Cos()(_t(x))


def tan(x):
    """Tangent (sin / cos)."""
    return div(sin(x), cos(x))


def sinh(x):
    """Hyperbolic sine, (eˣ − e⁻ˣ) / 2."""
    return mul(sub(exp(x), exp(neg(x))), 0.5)


def cosh(x):
    """Hyperbolic cosine, (eˣ + e⁻ˣ) / 2."""
    return mul(add(exp(x), exp(neg(x))), 0.5)


def _constant_fn(np_name, doc):
    """The array module's ``np_name`` over Tensors or arrays, as a constant Tensor (elementwise, no gradient)."""
    def fn(*xs):
        return _const(getattr(B.xp, np_name)(*[as_array(x) for x in xs]))
    fn.__name__, fn.__doc__ = np_name, doc
    return fn


sign = _constant_fn("sign", "−1, 0 or 1 by the sign of x (no gradient).")
floor = _constant_fn("floor", "Largest integer ≤ x (no gradient).")
ceil = _constant_fn("ceil", "Smallest integer ≥ x (no gradient).")
isnan = _constant_fn("isnan", "True where x is NaN.")
isinf = _constant_fn("isinf", "True where x is ±inf.")
isfinite = _constant_fn("isfinite", "True where x is finite.")
logical_not = _constant_fn("logical_not", "Elementwise not.")


def round(x, decimals=0):  # noqa: A001 - numpy's name
    """x rounded half to even (no gradient)."""
    return _const(B.xp.round(as_array(x), decimals))


def floor_divide(x1, x2):
    """⌊x1 / x2⌋ (no gradient)."""
    return _const(B.xp.floor_divide(as_array(x1), as_array(x2)))


def mod(x1, x2):
    """x1 mod x2 (no gradient)."""
    return _const(B.xp.mod(as_array(x1), as_array(x2)))


_compare = _constant_fn  # two-operand comparisons: the same constant wrapper


equal = _compare("equal", "x1 == x2, elementwise (a boolean constant).")
not_equal = _compare("not_equal", "x1 != x2, elementwise.")
less = _compare("less", "x1 < x2, elementwise.")
less_equal = _compare("less_equal", "x1 <= x2, elementwise.")
greater = _compare("greater", "x1 > x2, elementwise.")
greater_equal = _compare("greater_equal", "x1 >= x2, elementwise.")
logical_and = _compare("logical_and", "x1 and x2, elementwise.")
logical_or = _compare("logical_or", "x1 or x2, elementwise.")
logical_xor = _compare("logical_xor", "x1 xor x2, elementwise.")


def cast(x, dtype):
    """x converted to dtype (differentiable between float dtypes)."""
    return N.cast(_t(x), chk.dtype(dtype))


def stop_gradient(variable):
    """The value with no gradient flowing back (a constant)."""
    return _const(as_array(variable))


# ---- reductions ---------------------------------------------------------------------------------------
def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Min over axis (all when None)."""
    return neg(max(neg(x), axis=axis, keepdims=keepdims))


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over axis (all when None)."""
    return A.Prod(axis, keepdims)(_t(x))


def var(x, axis=None, keepdims=False):
    """Variance (population, ddof 0) over axis."""
    d = sub(x, mean(x, axis=axis, keepdims=True))
    return mean(mul(d, d), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Standard deviation (ddof 0) over axis."""
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over axes."""
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    return mean(x, axis=axes, keepdims=keepdims), var(x, axis=axes, keepdims=keepdims)


def average(x, axis=None, weights=None):
    """Mean over axis, weighted when weights are given."""
    if weights is None:
        return mean(x, axis=axis)
    w = _t(weights)
    if axis is not None and w.ndim == 1 and w.shape[0] != _t(x).shape[chk.axis(axis, _t(x).ndim)]:
        raise ShapeError(f"weights of shape {w.shape} must match axis {axis} of x (length "
                         f"{_t(x).shape[axis]}, x of shape {_t(x).shape})")
    if axis is not None and w.ndim == 1:
        shape = [1] * _t(x).ndim
        shape[axis] = -1
        w = reshape(w, shape)
    return div(sum(mul(x, w), axis=axis), sum(mul(ones_like(x), w), axis=axis))


def logsumexp(x, axis=None, keepdims=False):
    """log Σ exp(x), shifted by the max so it cannot overflow."""
    x = _t(x)
    m = B.xp.max(x.data, axis=axis, keepdims=True)
    m = B.xp.where(B.xp.isfinite(m), m, 0)
    out = add(log(sum(exp(sub(x, _const(m))), axis=axis, keepdims=True)), _const(m))
    return out if keepdims else squeeze(out, axis) if axis is not None else reshape(out, ())


def cumsum(x, axis=None, dtype=None):
    """Running sum along axis (flattened when None)."""
    return A.CumSum(axis)(_t(x))


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - numpy's name
    """The 2-norm (Frobenius for matrices) over axis; ord 1 and inf over one axis too."""
    if ord in (None, 2, "fro", "euclidean"):
        return sqrt(sum(square(x), axis=axis, keepdims=keepdims))
    if ord == 1 and axis is not None:
        return sum(abs(x), axis=axis, keepdims=keepdims)
    if ord == math.inf and axis is not None:
        return max(abs(x), axis=axis, keepdims=keepdims)
    raise ConfigError(f"ops.norm: ord={ord!r} is not supported (use None/2/'fro', or 1 or inf with an axis)")


def normalize(x, axis=-1, order=2, epsilon=None):
    """x divided by its `order`-norm along axis."""
    n = norm(x, ord=order, axis=axis, keepdims=True)
    return div(x, maximum(n, epsilon if epsilon is not None else B.epsilon()))


def _constant_reduce(np_name, doc):
    def fn(x, axis=None, keepdims=False):
        return _const(getattr(B.xp, np_name)(as_array(x), axis=axis, keepdims=keepdims))
    fn.__name__, fn.__doc__ = np_name, doc
    return fn


all = _constant_reduce("all", "True where every element along axis is true.")  # noqa: A001
any = _constant_reduce("any", "True where some element along axis is true.")  # noqa: A001
count_nonzero = _constant_reduce("count_nonzero", "How many elements along axis are not zero.")


def argmax(x, axis=None, keepdims=False):
    """Index of the max along axis (a constant)."""
    return _const(B.xp.argmax(as_array(x), axis=axis, keepdims=keepdims))


def argmin(x, axis=None, keepdims=False):
    """Index of the min along axis (a constant)."""
    return _const(B.xp.argmin(as_array(x), axis=axis, keepdims=keepdims))


def argsort(x, axis=-1):
    """Indices that sort x along axis (a constant)."""
    return _const(B.xp.argsort(as_array(x), axis=axis, kind="stable"))


# ---- shape and indexing ---------------------------------------------------------------------------------
def shape(x):
    """The shape as a tuple (also of a KerasTensor, with None for the batch)."""
    return tuple(x.shape)


def ndim(x):
    """Number of dimensions."""
    return len(x.shape)


def size(x):
    """Number of elements."""
    return int(math.prod(x.shape))


def ravel(x):
    """x flattened to 1-D."""
    return reshape(x, (-1,))


flatten = ravel


def swapaxes(x, axis1, axis2):
    """x with two axes exchanged."""
    axes = list(range(_t(x).ndim))
    chk.axis(axis1, len(axes), "axis1"), chk.axis(axis2, len(axes), "axis2")
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, axes)


def moveaxis(x, source, destination):
    """x with one axis moved to a new position."""
    n = _t(x).ndim
    chk.axis(source, n, "source"), chk.axis(destination, n, "destination")
    axes = [i for i in range(n) if i != source % n]
    axes.insert(destination % n, source % n)
    return transpose(x, axes)


def broadcast_to(x, shape):
    """x broadcast to shape (the gradient sums over the broadcast axes)."""
    x, shape = _t(x), chk.shape(shape)
    try:
        np.broadcast_shapes(x.shape, shape)
        if np.broadcast_shapes(x.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ShapeError(f"cannot broadcast an input of shape {x.shape} to the shape {shape}") from None
    return add(x, _const(B.xp.zeros(shape, dtype=x.dtype)))


def flip(x, axis=None):
    """x reversed along axis (all axes when None)."""
    x = _t(x)
    chk.axis(axis, x.ndim)
    axes = range(x.ndim) if axis is None else ([axis] if isinstance(axis, int) else axis)
    key = [slice(None)] * x.ndim
    for a in axes:
        key[a] = slice(None, None, -1)
    return getitem(x, tuple(key))


def take(x, indices, axis=None):
    """Elements of x at integer indices along axis (flattened when None); gradients sum at repeats."""
    x = _t(x)
    chk.axis(axis, x.ndim)
    idx = chk.integer_ids(B.to_numpy(as_array(indices)), "indices")
    chk.in_range(idx, x.size if axis is None else x.shape[axis], "indices")
    if axis is None:
        return getitem(reshape(x, (-1,)), idx)
    return getitem(x, (slice(None),) * (axis % x.ndim) + (idx,))


def take_along_axis(x, indices, axis=None):
    """numpy.take_along_axis, differentiable in x."""
    x = _t(x)
    chk.axis(axis, x.ndim)
    idx = chk.integer_ids(B.to_numpy(as_array(indices)), "indices")
    chk.in_range(idx, x.size if axis is None else x.shape[axis], "indices")
    idx = B.xp.asarray(idx)
    if axis is None:
        return take(x, idx.reshape(-1))
    axis %= x.ndim
    key = list(B.xp.indices(idx.shape, sparse=True))
    key[axis] = idx
    return getitem(x, tuple(key))


def sort(x, axis=-1):
    """x sorted along axis (the gradient follows each element to its place)."""
    return take_along_axis(x, argsort(x, axis=axis), axis=axis)


def top_k(x, k, sorted=True):  # noqa: A002 - Keras's name
    """(values, indices) of the k largest entries along the last axis."""
    n = _t(x).shape[-1] if _t(x).ndim else 0
    if chk.count(k, "k") > n:
        raise ConfigError(f"k must be at most the last axis's length {n}, got k={k}")
    idx = B.xp.flip(B.xp.argsort(as_array(x), axis=-1, kind="stable"), -1)[..., :k]
    return take_along_axis(x, idx, axis=-1), _const(idx)


def split(x, indices_or_sections, axis=0):
    """x split into equal sections or at indices along axis (a list of Tensors)."""
    x = _t(x)
    chk.axis(axis, x.ndim)
    n = x.shape[axis]
    if isinstance(indices_or_sections, int):
        chk.count(indices_or_sections, "indices_or_sections", low=1)
        if n % indices_or_sections:
            raise ConfigError(f"ops.split: axis {axis} of length {n} does not split into "
                              f"{indices_or_sections} equal sections")
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0, *indices_or_sections, n]
    pre = (slice(None),) * (axis % x.ndim)
    return [getitem(x, pre + (slice(a, b),)) for a, b in zip(bounds[:-1], bounds[1:])]


def tile(x, repeats):
    """x repeated `repeats` times along each axis."""
    for r in (repeats if isinstance(repeats, (tuple, list)) else [repeats]):
        chk.count(r, "repeats")
    return A.Tile(repeats)(_t(x))


def repeat(x, repeats, axis=None):
    """Each element repeated `repeats` times along axis (flattened when None)."""
    chk.count(repeats, "repeats")
    chk.axis(axis, _t(x).ndim)
    return A.Repeat(repeats, axis)(_t(x))


def pad(x, pad_width, mode="constant", constant_values=None):
    """x padded with a constant (numpy's pad_width)."""
    if mode != "constant":
        raise ConfigError(f"only mode='constant' is supported, got mode={mode!r}")
    _check_pad(pad_width, _t(x).ndim)
    return A.Pad(pad_width, constant_values or 0)(_t(x))


def _at_least_2d(x):
    x = _t(x)
    if x.ndim < 2:
        raise ShapeError(f"needs an input of rank 2 or more (a matrix or a batch of them), got shape {x.shape}")
    return x


def _check_pad(pad_width, ndim):
    """numpy's pad_width forms (n, (before, after), one pair per axis), all ints >= 0."""
    flat = np.asarray(pad_width, dtype=object).ravel().tolist() if not isinstance(pad_width, str) else [pad_width]
    if not builtins.all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in flat):
        raise ConfigTypeError(f"pad_width must be integers (n, (before, after) or one pair per axis), "
                              f"got {pad_width!r}")
    if builtins.any(v < 0 for v in flat):
        raise ConfigError(f"pad_width must hold widths >= 0, got {pad_width!r}")
    rows = np.shape(pad_width)
    if len(rows) == 2 and rows[0] not in (1, ndim):
        raise ConfigError(f"pad_width needs one (before, after) pair per axis of an input of rank {ndim}, got "
                          f"{rows[0]} pairs: {pad_width!r}")


def tril(x, k=0):
    """x with the entries above diagonal k zeroed."""
    x = _at_least_2d(x)
    return mul(x, _const(B.xp.tril(B.xp.ones(x.shape[-2:], dtype=x.dtype), k)))


def triu(x, k=0):
    """x with the entries below diagonal k zeroed."""
    x = _at_least_2d(x)
    return mul(x, _const(B.xp.triu(B.xp.ones(x.shape[-2:], dtype=x.dtype), k)))


def dot(x1, x2):
    """numpy.dot for 1-D and 2-D operands (a product, an inner product or a matmul)."""
    a, b = _t(x1), _t(x2)
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    return matmul(a, b)


def outer(x1, x2):
    """The outer product of two vectors."""
    return mul(reshape(x1, (-1, 1)), reshape(x2, (1, -1)))


def vdot(x1, x2):
    """Σ x1·x2 over flattened inputs."""
    return sum(mul(ravel(x1), ravel(x2)))


def tensordot(x1, x2, axes=2):
    """Sum of products over the given axes (numpy.tensordot), as transposes, reshapes and one matmul."""
    a, b = _t(x1), _t(x2)
    if isinstance(axes, int):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = [axes[0]] if isinstance(axes[0], int) else list(axes[0]), \
            [axes[1]] if isinstance(axes[1], int) else list(axes[1])
    ax_a, ax_b = [i % a.ndim for i in ax_a], [i % b.ndim for i in ax_b]
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = int(math.prod([a.shape[i] for i in ax_a]))
    am = reshape(transpose(a, free_a + ax_a), (-1, k))
    bm = reshape(transpose(b, ax_b + free_b), (k, -1))
    return reshape(matmul(am, bm), tuple(a.shape[i] for i in free_a) + tuple(b.shape[i] for i in free_b))


# ---- activations (keras.ops.nn) ---------------------------------------------------------------------
def relu6(x):
    """min(max(x, 0), 6)."""
    return clip(x, 0.0, 6.0)


def softplus(x):
    """log(1 + eˣ), without overflow."""
    return N.softplus(x)


def softsign(x):
    """x / (1 + |x|)."""
    return div(x, add(abs(x), 1.0))


def elu(x, alpha=1.0):
    """x if x > 0 else α(eˣ − 1)."""
    return N.elu(x, alpha)


def selu(x):
    """scale · elu(x, α) with Keras's constants (α ≈ 1.67326, scale ≈ 1.05070)."""
    return mul(elu(x, 1.6732632423543772), 1.0507009873554805)


def silu(x):
    """x · σ(x) (swish)."""
    return mul(x, sigmoid(x))


swish = silu


def gelu(x, approximate=True):
    """x·Φ(x) = 0.5·x·(1 + erf(x/√2)); approximately (ops.gelu's default) 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    if not approximate:
        return mul(mul(x, 0.5), add(erf(mul(x, 1 / math.sqrt(2))), 1.0))
    inner = mul(add(x, mul(power(x, 3), 0.044715)), math.sqrt(2 / math.pi))
    return mul(mul(x, 0.5), add(tanh(inner), 1.0))


def hard_sigmoid(x):
    """relu6(x + 3) / 6 (Keras 3's definition)."""
    return div(relu6(add(x, 3.0)), 6.0)


def hard_silu(x):
    """x · hard_sigmoid(x)."""
    return mul(x, hard_sigmoid(x))


hard_swish = hard_silu


def log_sigmoid(x):
    """log σ(x) = −softplus(−x)."""
    return neg(softplus(neg(x)))


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise −[t·log p + (1 − t)·log(1 − p)] (p clipped to [ε, 1 − ε] as Keras)."""
    t = _t(target)
    chk.same_shape(t, _t(output), "target and output")
    if from_logits:  # max(z,0) − z·t + log(1 + e^−|z|)
        z = _t(output)
        return add(sub(relu(z), mul(z, t)), softplus(neg(abs(z))))
    eps = B.epsilon()
    p = clip(output, eps, 1 - eps)
    return neg(add(mul(t, log(p)), mul(sub(1.0, t), log(sub(1.0, p)))))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """−Σ t·log p along axis (p normalised and clipped as Keras, or log_softmax of logits)."""
    t = _t(target)
    chk.same_shape(t, _t(output), "target and output")
    if from_logits:
        return neg(sum(mul(t, log_softmax(output, axis=axis)), axis=axis))
    p = div(output, sum(output, axis=axis, keepdims=True))
    p = clip(p, B.epsilon(), 1 - B.epsilon())
    return neg(sum(mul(t, log(p)), axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """categorical_crossentropy with integer labels (each in [0, classes), as TensorFlow and PyTorch demand)."""
    n = _t(output).shape[axis]
    ids = chk.integer_ids(B.to_numpy(as_array(target)), "target (the class ids)")
    chk.in_range(ids, n, "target (the class ids)", low=0)
    return categorical_crossentropy(one_hot(target, n, dtype=_t(output).dtype), output, from_logits, axis)


def dropout(x, rate, noise_shape=None, seed=None):
    """Inverted dropout at the given rate (always on: it is the op, not the layer)."""
    if isinstance(rate, (str, bytes, bool)) or not isinstance(rate, numbers.Real):
        raise ConfigTypeError(f"rate must be a number in [0, 1), got {rate!r}")
    if not 0 <= rate < 1:
        raise ConfigError(f"rate must be a number in [0, 1), got {rate!r}")
    return N.dropout(_t(x), rate, noise_shape)


# ---- symbolic dispatch (functional API) ----------------------------------------------------------------
_SYMBOLIC = {"type": None, "record": None}  # set by gradkit.layers: KerasTensor and how to record a node
_NOT_SYMBOLIC = {"shape", "ndim", "size", "convert_to_numpy"}


def _symbolic_aware(fn):
    """fn, recording a graph node instead when a KerasTensor is among its arguments."""
    @functools.wraps(fn)
    def op(*args, **kwargs):
        kt = _SYMBOLIC["type"]
        if kt is not None and _has(kt, args, kwargs):
            return _SYMBOLIC["record"](op.__name__, args, kwargs)
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError, IndexError, ZeroDivisionError) as e:  # named once it failed, never before
            raise chk.translate(op.__name__, args, kwargs, e) from e
    return op


def _has(kt, args, kwargs):
    for a in args:
        if isinstance(a, kt) or (type(a) in (list, tuple) and builtins.any(isinstance(b, kt) for b in a)):
            return True
    return bool(kwargs) and _has(kt, list(kwargs.values()), None)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    from ..errors import UnsupportedError
    raise UnsupportedError(f"gradkit.ops.{name} is not provided by gradkit (keras.ops.{name} has no gradkit "
                           f"counterpart yet); the ops gradkit provides are listed in gradkit.ops.__all__")


_PUBLIC = [k for k, v in list(globals().items()) if callable(v) and not k.startswith("_") and k not in
           {"Tensor", "as_array", "as_operand"}
           and not isinstance(v, type) and getattr(v, "__module__", None) == __name__]
for _name in _PUBLIC:
    if _name not in _NOT_SYMBOLIC:
        globals()[_name] = _symbolic_aware(globals()[_name])
__all__ = sorted(_PUBLIC)
