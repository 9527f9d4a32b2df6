"""Property-based fuzz of every autograd op (ops, shape_ops, nn, conv, array_ops, image, rnn): backprop against central
differences in float64 (gradkit.gradcheck) and, where PyTorch is installed, values and gradients against
PyTorch's, over random 0-d, 1-D, batched and broadcast shapes.

Each op has a strategy that draws one case: the gradkit function, its input arrays (which need gradients),
and the same function written with PyTorch. Values stay away from kinks (|x| at 0, ties of max) where the
derivative is not defined, so both references are meaningful.
"""
import inspect

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from gradkit import backend as B  # noqa: E402
from gradkit.autograd import Tensor, conv, nn, ops  # noqa: E402
from gradkit.autograd import array_ops as A  # noqa: E402
from gradkit.autograd import image as I  # noqa: E402
from gradkit.autograd import rnn as R  # noqa: E402
from gradkit.autograd import math_ops as O  # noqa: E402
from gradkit.autograd import shape_ops as S  # noqa: E402
from gradkit.autograd.public_ops import where  # noqa: E402
from gradkit.gradcheck import gradcheck  # noqa: E402

EXAMPLES = 20
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


class Case:
    """One drawn case: gk(*tensors) and th(*torch_tensors) compute the same thing from ``arrays``."""

    def __init__(self, gk, arrays, th, grad=None):
        self.gk, self.arrays, self.th = gk, [np.asarray(a) for a in arrays], th
        self.grad = grad if grad is not None else [a.dtype.kind == "f" for a in self.arrays]

    def __repr__(self):
        return f"Case(shapes={[a.shape for a in self.arrays]}, grad={self.grad})"


SPECS = {}


def spec(*names):
    """Register a strategy (a @st.composite function returning a Case) under the op class names it covers."""
    def register(fn):
        strategy = st.composite(fn)()
        for name in names:
            SPECS[name] = strategy
        return fn
    return register


def floats(draw, shape, lo=-3.0, hi=3.0, away=0.0, unique=False):
    """A float64 array; ``away`` keeps every value at least that far from 0 (kinks of |x|, relu, ...)."""
    if unique:  # distinct by far more than gradcheck's step, so no max is tied within ±eps
        el = st.integers(int(lo * 64), int(hi * 64)).map(lambda i: i / 64)
    elif away and lo < 0:
        el = st.one_of(st.floats(away, hi), st.floats(lo, -away))
    elif away:
        el = st.floats(max(lo, away), hi)
    else:
        el = st.floats(lo, hi)
    return draw(hnp.arrays(np.float64, shape, elements=el, unique=unique))


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
SHAPES_1D = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def pair(draw, lo=-3.0, hi=3.0, away_b=0.0):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)).input_shapes
    return floats(draw, shapes[0], lo, hi), floats(draw, shapes[1], lo, hi, away=away_b)


def torch():
    import torch as th
    return th


# ---- elementwise binary --------------------------------------------------------------------------------

@spec("Add")
def _add(draw):
    return Case(ops.add, pair(draw), lambda a, b: a + b)


@spec("Sub")
def _sub(draw):
    return Case(ops.sub, pair(draw), lambda a, b: a - b)


@spec("Mul")
def _mul(draw):
    return Case(ops.mul, pair(draw), lambda a, b: a * b)


@spec("Div")
def _div(draw):
    return Case(ops.div, pair(draw, away_b=0.5), lambda a, b: a / b)


def _apart(draw, a, b):
    hypothesis.assume(np.all(np.abs(np.subtract(a, b)) > 0.05))
    return a, b


@spec("Maximum")
def _maximum(draw):
    return Case(ops.maximum, _apart(draw, *pair(draw)), lambda a, b: torch().maximum(a, b))


@spec("Minimum")
def _minimum(draw):
    return Case(ops.minimum, _apart(draw, *pair(draw)), lambda a, b: torch().minimum(a, b))


@spec("Where")
def _where(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3)).input_shapes
    cond = draw(hnp.arrays(np.bool_, shapes[0]))
    a, b = floats(draw, shapes[1]), floats(draw, shapes[2])
    return Case(lambda x, y: where(cond, x, y), [a, b], lambda x, y: torch().where(torch().as_tensor(cond), x, y))


# ---- elementwise unary ---------------------------------------------------------------------------------

def unary(gk, th, lo=-3.0, hi=3.0, away=0.0):
    @st.composite
    def draw_case(draw):
        return Case(gk, [floats(draw, draw(SHAPES), lo, hi, away)], th)
    return draw_case()


SPECS.update({
    "Neg": unary(ops.neg, lambda a: -a),
    "Exp": unary(ops.exp, lambda a: a.exp()),
    "Log": unary(ops.log, lambda a: a.log(), lo=0.2),
    "Sqrt": unary(ops.sqrt, lambda a: a.sqrt(), lo=0.2),
    "Abs": unary(ops.abs, lambda a: a.abs(), away=0.05),
    "Tanh": unary(ops.tanh, lambda a: a.tanh()),
    "Sigmoid": unary(ops.sigmoid, lambda a: a.sigmoid(), lo=-8, hi=8),
    "Relu": unary(ops.relu, lambda a: a.relu(), away=0.05),
    "Step": unary(nn.step, lambda a: (a > 0).to(a.dtype) + 0 * a, away=0.05),
    "Softplus": unary(nn.softplus, lambda a: torch().nn.functional.softplus(a), lo=-8, hi=8),
})


@spec("LeakyRelu")
def _leaky(draw):
    alpha = draw(st.floats(0.0, 0.5))
    return Case(lambda a: ops.leaky_relu(a, alpha), [floats(draw, draw(SHAPES), away=0.05)],
                lambda a: torch().nn.functional.leaky_relu(a, alpha))


@spec("Elu")
def _elu(draw):
    alpha = draw(st.floats(0.1, 2.0))
    return Case(lambda a: nn.elu(a, alpha), [floats(draw, draw(SHAPES), away=0.05)],
                lambda a: torch().nn.functional.elu(a, alpha))


@spec("Pow")
def _pow(draw):
    c = draw(st.sampled_from([0, 1, 2, 3, -1, -2, 0.5, 1.5, 2.5, -0.5]))
    whole = float(c).is_integer()
    a = floats(draw, draw(SHAPES), lo=-2.0 if whole else 0.2, hi=2.0, away=0.2 if c < 0 else 0.0)
    return Case(lambda x: x ** c, [a], lambda x: x ** c)


@spec("Clip")
def _clip(draw):
    lo = draw(st.one_of(st.none(), st.floats(-2, 0)))
    hi = draw(st.one_of(st.none(), st.floats(0.5, 2)))
    a = floats(draw, draw(SHAPES))
    for bound in (lo, hi):
        if bound is not None:
            hypothesis.assume(np.all(np.abs(a - bound) > 0.05))
    return Case(lambda x: ops.clip(x, lo, hi), [a],
                lambda x: x + 0 if lo is None and hi is None else torch().clamp(x, lo, hi))


@spec("Cast")
def _cast(draw):
    return Case(lambda x: nn.Cast("float64")(x), [floats(draw, draw(SHAPES))], lambda x: x.to(torch().float64))


# ---- along an axis, and reductions -----------------------------------------------------------------------

def _axis(draw, ndim):
    return draw(st.integers(-ndim, ndim - 1))


@spec("Softmax")
def _softmax(draw):
    a = floats(draw, draw(SHAPES_1D))
    axis = _axis(draw, a.ndim)
    return Case(lambda x: ops.softmax(x, axis), [a], lambda x: torch().softmax(x, axis))


@spec("LogSoftmax")
def _log_softmax(draw):
    a = floats(draw, draw(SHAPES_1D), lo=-30, hi=30)
    axis = _axis(draw, a.ndim)
    return Case(lambda x: ops.log_softmax(x, axis), [a], lambda x: torch().log_softmax(x, axis))


def _reduction_axes(draw, ndim):
    """None, one axis, or a tuple of distinct axes (negative ones too)."""
    if ndim == 0:
        return None
    one = st.integers(-ndim, ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
    return draw(st.one_of(st.none(), one, several))


def _torch_reduce(name, axis, keepdims):
    def th(x):
        if axis is None:
            out = getattr(x, name)() if name != "amax" else x.max()
            return out.reshape((1,) * x.ndim) if keepdims else out
        return getattr(torch(), name)(x, dim=axis, keepdim=keepdims)
    return th


def _reduction(gk, th_name, unique=False):
    @st.composite
    def draw_case(draw):
        a = floats(draw, draw(SHAPES), unique=unique)
        axis, keepdims = _reduction_axes(draw, a.ndim), draw(st.booleans())
        return Case(lambda x: gk(x, axis, keepdims), [a], _torch_reduce(th_name, axis, keepdims))
    return draw_case()


SPECS.update({"Sum": _reduction(ops.sum, "sum"), "Mean": _reduction(ops.mean, "mean"),
              "Max": _reduction(ops.max, "amax", unique=True)})


@spec("MatMul")
def _matmul(draw):
    n, k, m, b = (draw(st.integers(1, 3)) for _ in range(4))
    shapes = draw(st.sampled_from([((k,), (k,)), ((k,), (k, m)), ((n, k), (k,)), ((n, k), (k, m)),
                                   ((b, n, k), (k, m)), ((b, n, k), (b, k, m)), ((1, n, k), (b, k, m)),
                                   ((k,), (b, k, m)), ((b, n, k), (k,))]))
    return Case(ops.matmul, [floats(draw, s) for s in shapes], lambda x, y: x @ y)


# ---- moving elements -----------------------------------------------------------------------------------

@spec("Reshape")
def _reshape(draw):
    a = floats(draw, draw(SHAPES))
    target = draw(st.sampled_from([(-1,), tuple(reversed(a.shape)), (a.size, 1), a.shape + (1,), (1, -1)]))
    return Case(lambda x: ops.reshape(x, target), [a], lambda x: x.reshape(target))


@spec("Transpose")
def _transpose(draw):
    a = floats(draw, draw(SHAPES))
    axes = draw(st.one_of(st.none(), st.permutations(range(a.ndim)).map(tuple)))
    full = axes if axes is not None else tuple(reversed(range(a.ndim)))
    return Case(lambda x: ops.transpose(x, axes), [a], lambda x: x.permute(full))


@spec("ExpandDims")
def _expand_dims(draw):
    a = floats(draw, draw(SHAPES))
    axis = draw(st.integers(-a.ndim - 1, a.ndim))
    return Case(lambda x: ops.expand_dims(x, axis), [a], lambda x: x.unsqueeze(axis))


@spec("Squeeze")
def _squeeze(draw):
    shape = list(draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)))
    at = draw(st.integers(0, len(shape)))
    shape.insert(at, 1)
    a = floats(draw, tuple(shape))
    axis = draw(st.sampled_from([None, at, at - len(shape)]))
    return Case(lambda x: ops.squeeze(x, axis), [a], lambda x: x.squeeze() if axis is None else x.squeeze(axis))


@spec("GetItem")
def _getitem(draw):
    a = floats(draw, draw(SHAPES_1D))
    n = a.shape[0]
    kind = draw(st.sampled_from(["slice", "ints", "mask", "tuple", "int"]))
    if kind == "slice":
        start, stop = draw(st.integers(-n, n)), draw(st.integers(-n, n))
        key = slice(start, stop, draw(st.sampled_from([1, 2, -1])))
        th_key = key if key.step > 0 else None
        if th_key is None:  # torch has no negative steps: the same elements by flip and index
            idx = np.arange(n)[key]
            return Case(lambda x: ops.getitem(x, key), [a], lambda x: x[torch().as_tensor(idx, dtype=torch().long)])
    elif kind == "ints":
        key = draw(hnp.arrays(np.int64, draw(st.integers(1, 5)), elements=st.integers(-n, n - 1)))
        th_key = torch().as_tensor(key) if _has_torch() else None
    elif kind == "mask":
        key = draw(hnp.arrays(np.bool_, a.shape))
        th_key = torch().as_tensor(key) if _has_torch() else None
    elif kind == "tuple" and a.ndim >= 2:
        key = (slice(None, None, 2), draw(st.integers(-a.shape[1], a.shape[1] - 1)))
        th_key = key
    else:
        key = draw(st.integers(-n, n - 1))
        th_key = key
    return Case(lambda x: ops.getitem(x, key), [a], lambda x: x[th_key])


def _has_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


@spec("Concatenate")
def _concatenate(draw):
    shape = draw(SHAPES_1D)
    axis = _axis(draw, len(shape))
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(shape)
        s[axis] = draw(st.integers(1, 3))
        arrays.append(floats(draw, tuple(s)))
    return Case(lambda *xs: ops.concatenate(list(xs), axis), arrays, lambda *xs: torch().cat(xs, axis))


@spec("Stack")
def _stack(draw):
    shape = draw(SHAPES)
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    arrays = [floats(draw, shape) for _ in range(draw(st.integers(1, 3)))]
    return Case(lambda *xs: ops.stack(list(xs), axis), arrays, lambda *xs: torch().stack(xs, axis))


# ---- fused neural-network ops --------------------------------------------------------------------------

@spec("Dense")
def _dense(draw):
    k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    lead = draw(st.sampled_from([(), (2,), (3,), (2, 3)]))
    x, w = floats(draw, lead + (k,)), floats(draw, (k, m))
    if draw(st.booleans()):
        return Case(lambda a, b: nn.dense(a, b), [x, w], lambda a, b: a @ b)
    return Case(nn.dense, [x, w, floats(draw, (m,))], lambda a, b, c: a @ b + c)


@spec("Embedding")
def _embedding(draw):
    v, d = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    ids = draw(hnp.arrays(np.int64, draw(st.sampled_from([(4,), (2, 3)])), elements=st.integers(0, v - 1)))
    return Case(nn.embedding, [floats(draw, (v, d)), ids], lambda t, i: t[i])


def _logits(draw):
    return floats(draw, draw(st.sampled_from([(2, 3), (4, 2), (3, 1), (2, 2, 3), (5,)])))


def _torch_soft_ce(z, y):
    return -(y * torch().log_softmax(z, -1)).sum(-1)


@spec("SoftmaxCrossEntropy")
def _softmax_ce(draw):
    z = _logits(draw)
    y = floats(draw, z.shape, lo=0.0, hi=1.0)
    return Case(nn.softmax_cross_entropy, [z, y], _torch_soft_ce)


@spec("SoftmaxCrossEntropyMean")
def _softmax_ce_mean(draw):
    z = _logits(draw)
    y = floats(draw, z.shape, lo=0.0, hi=1.0)
    return Case(lambda a, b: nn.softmax_cross_entropy(a, b, mean=True), [z, y],
                lambda a, b: _torch_soft_ce(a, b).mean())


@spec("SparseSoftmaxCrossEntropy")
def _sparse_ce(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    z = floats(draw, (n, c))
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    ignore = draw(st.one_of(st.none(), st.integers(0, c - 1)))

    def th(a, y):
        return torch().nn.functional.cross_entropy(a, y, reduction="none",
                                                   ignore_index=-100 if ignore is None else ignore)
    return Case(lambda a, y: nn.sparse_softmax_cross_entropy(a, y, ignore_class=ignore), [z, labels], th)


@spec("SigmoidBinaryCrossEntropy")
def _sigmoid_bce(draw):
    z = floats(draw, draw(st.sampled_from([(3,), (2, 3), (4, 1), (2, 2, 2)])), lo=-6, hi=6)
    y = floats(draw, z.shape, lo=0.0, hi=1.0)

    def th(a, t):
        return torch().nn.functional.binary_cross_entropy_with_logits(a, t, reduction="none").mean(-1)
    return Case(nn.sigmoid_binary_cross_entropy, [z, y], th)


@spec("SquaredError")
def _squared_error(draw):
    shape = draw(SHAPES_1D)
    return Case(nn.squared_error, [floats(draw, shape), floats(draw, shape)], lambda p, t: ((p - t) ** 2).mean(-1))


@spec("MeanSquaredError")
def _mean_squared_error(draw):
    shape = draw(SHAPES)
    return Case(nn.mean_squared_error, [floats(draw, shape), floats(draw, shape)],
                lambda p, t: ((p - t) ** 2).mean())


@spec("Dropout")
def _dropout(draw):
    rate = draw(st.floats(0.05, 0.8))
    a = floats(draw, draw(SHAPES_1D))
    noise = tuple(draw(st.sampled_from([None, 1])) for _ in a.shape) if draw(st.booleans()) else None

    def gk(x):
        B.set_seed(7)  # the same mask on every call (central differences call f many times)
        return nn.dropout(x, rate, noise)

    def th(x):
        B.set_seed(7)
        mask = nn.dropout(Tensor(np.ones(x.shape)), rate, noise).numpy()
        return x * torch().as_tensor(mask)
    return Case(gk, [a], th)


def _noise_case(draw, op, lo, hi, apply, neutral):
    """A case for an op that draws noise in forward: the same seed before each call gives the same noise, read
    back by applying the op to ``neutral`` (0 for added noise, 1 for multiplied noise)."""
    amount = draw(st.floats(lo, hi))
    a = floats(draw, draw(SHAPES_1D))

    def gk(x):
        B.set_seed(7)
        return op(x, amount)

    def th(x):
        B.set_seed(7)
        return apply(x, torch().as_tensor(op(Tensor(np.full(x.shape, neutral)), amount).numpy()))
    return Case(gk, [a], th)


@spec("GaussianNoise")
def _gaussian_noise(draw):
    return _noise_case(draw, nn.gaussian_noise, 0.05, 2.0, lambda x, noise: x + noise, 0.0)


@spec("GaussianDropout")
def _gaussian_dropout(draw):
    return _noise_case(draw, nn.gaussian_dropout, 0.05, 0.8, lambda x, noise: x * noise, 1.0)


@spec("BatchNorm")
def _batch_norm(draw):
    c = draw(st.integers(1, 3))
    x = floats(draw, draw(st.sampled_from([(4, c), (2, 3, c), (3, c)])))
    hypothesis.assume(np.all(np.ptp(x.reshape(-1, c), axis=0) > 0.3))  # a batch variance well above 0
    training, scale, center = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    eps, momentum = draw(st.floats(1e-3, 0.1)), draw(st.floats(0.0, 0.99))
    mm, mv = floats(draw, (c,)), floats(draw, (c,), lo=0.5, hi=2.0)
    params = ([floats(draw, (c,), lo=0.5, hi=2.0)] if scale else []) + ([floats(draw, (c,))] if center else [])

    def gk(x, *p):
        gamma, beta = (p[0] if scale else None), (p[-1] if center else None)
        return nn.batch_norm(x, gamma, beta, mm.copy(), mv.copy(), momentum, eps, training=training)

    def th(x, *p):
        t = torch()
        gamma, beta = (p[0] if scale else None), (p[-1] if center else None)
        y = t.nn.functional.batch_norm(x.reshape(-1, c), t.as_tensor(mm.copy()), t.as_tensor(mv.copy()), gamma,
                                       beta, training=training, momentum=1 - momentum, eps=eps)
        return y.reshape(x.shape)
    return Case(gk, [x] + params, th)


# ---- convolution, pooling, padding -------------------------------------------------------------------

def _nchw_pad(x, pads, value=0.0):
    """x (N, H, W, C) → NCHW, padded by ((top, bottom), (left, right))."""
    (pt, pb), (pl, pr) = pads
    return torch().nn.functional.pad(x.permute(0, 3, 1, 2), (pl, pr, pt, pb), value=value)


def _geometry(draw, rank, dilated=True):
    """Input and window sizes with strides, dilation and padding as Keras allows them (dilation > 1 needs
    stride 1)."""
    k = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    d = tuple(draw(st.integers(1, 2)) if dilated else 1 for _ in range(rank))
    s = (1,) * rank if max(d) > 1 else tuple(draw(st.integers(1, 2)) for _ in range(rank))
    size = tuple(draw(st.integers((ki - 1) * di + 1, 5)) for ki, di in zip(k, d))
    padding = draw(st.sampled_from(["valid", "same"] + (["causal"] if rank == 1 else [])))
    return size, k, s, d, padding


def _pads(size, k, s, d, padding):
    return tuple(conv.pad_amounts(n, ki, si, padding, di) for n, ki, si, di in zip(size, k, s, d))


@spec("Conv")
def _conv(draw):
    rank = draw(st.sampled_from([1, 2]))
    size, k, s, d, padding = _geometry(draw, rank)
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    x, w = floats(draw, (n,) + size + (c,)), floats(draw, k + (c, f))
    arrays = [x, w] + ([floats(draw, (f,))] if draw(st.booleans()) else [])

    def gk(x, w, b=None):
        return conv.conv(x, w, b, strides=s, padding=padding, dilation_rate=d)

    def th(x, w, b=None):
        x4, w4 = (x.unsqueeze(1), w.unsqueeze(0)) if rank == 1 else (x, w)
        pads = ((0, 0),) + _pads(size, k, s, d, padding) if rank == 1 else _pads(size, k, s, d, padding)
        y = torch().nn.functional.conv2d(_nchw_pad(x4, pads), w4.permute(3, 2, 0, 1).contiguous(), b,
                                         stride=((1,) + s) if rank == 1 else s, dilation=((1,) + d) if rank == 1 else d)
        y = y.permute(0, 2, 3, 1)
        return y.squeeze(1) if rank == 1 else y
    return Case(gk, arrays, th)


def _pool_case(draw, gk_pool, th_pool, unique):
    rank = draw(st.sampled_from([1, 2]))
    size, k, s, _, padding = _geometry(draw, rank, dilated=False)
    padding = "valid" if padding == "causal" else padding
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    x = floats(draw, (n,) + size + (c,), unique=unique)

    def th(x):
        x4 = x.unsqueeze(1) if rank == 1 else x
        pads = ((0, 0),) + _pads(size, k, s, (1,) * rank, padding) if rank == 1 else _pads(size, k, s, (1, 1), padding)
        kk, ss = ((1,) + k, (1,) + s) if rank == 1 else (k, s)
        y = th_pool(x4, pads, kk, ss).permute(0, 2, 3, 1)
        return y.squeeze(1) if rank == 1 else y
    return Case(lambda x: gk_pool(x, k, s, padding), [x], th)


def _th_max(x4, pads, k, s):
    return torch().nn.functional.max_pool2d(_nchw_pad(x4, pads, -np.inf), k, s)


def _th_avg(x4, pads, k, s):  # TF/Keras average over the real (unpadded) elements of each window
    F = torch().nn.functional
    total = F.avg_pool2d(_nchw_pad(x4, pads), k, s)
    count = F.avg_pool2d(_nchw_pad(torch().ones_like(x4), pads), k, s)
    return total / count


@spec("MaxPool")
def _max_pool(draw):
    return _pool_case(draw, conv.max_pool, _th_max, unique=True)


@spec("AvgPool")
def _avg_pool(draw):
    return _pool_case(draw, conv.avg_pool, _th_avg, unique=False)


@spec("ZeroPad")
def _zero_pad(draw):
    x = floats(draw, (draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                      draw(st.integers(1, 2))))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    return Case(lambda a: conv.zero_pad(a, pads), [x], lambda a: _nchw_pad(a, pads).permute(0, 2, 3, 1))


# ---- array_ops (the NumPy-like namespace's extra primitives) and image transforms ---------------------

SPECS.update({
    "Sin": unary(lambda a: A.Sin()(a), lambda a: a.sin()),
    "Cos": unary(lambda a: A.Cos()(a), lambda a: a.cos()),
    "Log1p": unary(lambda a: A.Log1p()(a), lambda a: a.log1p(), lo=-0.5),
    "Expm1": unary(lambda a: A.Expm1()(a), lambda a: a.expm1()),
    "Erf": unary(lambda a: A.Erf()(a), lambda a: torch().erf(a)),
})


@spec("CumSum")
def _cumsum(draw):
    a = floats(draw, draw(SHAPES))
    axis = None if a.ndim == 0 else draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    return Case(lambda x: A.CumSum(axis)(x), [a],
                lambda x: x.flatten().cumsum(0) if axis is None else x.cumsum(axis))


@spec("Prod")
def _prod(draw):
    a = floats(draw, draw(SHAPES), lo=-2, hi=2)
    axis = None if a.ndim == 0 else draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    keepdims = draw(st.booleans())

    def th(x):
        if axis is None:
            return x.prod().reshape((1,) * x.ndim) if keepdims else x.prod()
        return x.prod(axis, keepdim=keepdims)
    return Case(lambda x: A.Prod(axis, keepdims)(x), [a], th)


@spec("Tile")
def _tile(draw):
    a = floats(draw, draw(SHAPES_1D))
    reps = tuple(draw(st.lists(st.integers(1, 2), min_size=1, max_size=3)))
    return Case(lambda x: A.Tile(reps)(x), [a], lambda x: x.tile(reps))


@spec("Repeat")
def _repeat(draw):
    a = floats(draw, draw(SHAPES_1D))
    r, axis = draw(st.integers(1, 3)), draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    return Case(lambda x: A.Repeat(r, axis)(x), [a], lambda x: x.repeat_interleave(r, dim=axis))


@spec("Pad")
def _pad_op(draw):
    a = floats(draw, draw(SHAPES_1D))
    width = [(draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(a.ndim)]
    value = draw(st.sampled_from([0.0, 1.5]))
    flat = [p for lo_hi in reversed(width) for p in lo_hi]  # torch: last axis first
    return Case(lambda x: A.Pad(width, value)(x), [a], lambda x: torch().nn.functional.pad(x, flat, value=value))


@spec("RandomFlip")
def _random_flip(draw):
    x = floats(draw, (draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3)), 2))
    horizontal, vertical = draw(st.sampled_from([(True, False), (False, True), (True, True)]))

    def gk(a):
        B.set_seed(3)  # the same flips on every call
        return I.RandomFlip(horizontal, vertical)(a)

    def th(a):
        B.set_seed(3)
        op = I.RandomFlip(horizontal, vertical)
        op(Tensor(np.zeros(x.shape)))
        dims = [d for d, on in ((2, horizontal), (1, vertical)) if on]
        return torch().where(torch().as_tensor(op.flips), a.flip(dims), a)
    return Case(gk, [x], th)


@spec("AffineWarp")
def _affine_warp(draw):
    n, h, w = draw(st.integers(1, 2)), draw(st.integers(2, 4)), draw(st.integers(2, 4))
    x = floats(draw, (n, h, w, 2))
    rows = floats(draw, (n, 6), lo=-1.5, hi=1.5)
    mode, interp = draw(st.sampled_from(I.FILL_MODES)), draw(st.sampled_from(I.INTERPOLATIONS))
    value = draw(st.sampled_from([0.0, 0.5]))
    return Case(lambda a: I.AffineWarp(lambda *_: rows, mode, interp, value)(a), [x], None)


GATES = {"SimpleRNNSeq": ("simple_rnn", 1), "LSTMSeq": ("lstm", 4), "GRUSeq": ("gru", 3)}
SMOOTH = ("tanh", "sigmoid", "linear")  # σ and tanh share one logistic pass; linear takes the per-block path


def _recurrence(name):
    kind, gates = GATES[name]

    @st.composite
    def draw_case(draw):
        n, t, d, u = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
        arrays = [floats(draw, (n, t, d), -1, 1), floats(draw, (d, gates * u), -1, 1),
                  floats(draw, (u, gates * u), -1, 1)]
        bias = draw(st.booleans())
        if bias:
            arrays.append(floats(draw, (2, 3 * u) if kind == "gru" else (gates * u,), -1, 1))
        state = draw(st.booleans())
        n_states = 2 if kind == "lstm" else 1
        if state:
            arrays += [floats(draw, (n, u), -1, 1) for _ in range(n_states)]
        config = dict(go_backwards=draw(st.booleans()), return_sequences=draw(st.booleans()),
                      zero_output_for_mask=draw(st.booleans()),
                      activation=draw(st.sampled_from(SMOOTH)), recurrent_activation=draw(st.sampled_from(SMOOTH)))
        mask = draw(hnp.arrays(np.bool_, (n, t))) if draw(st.booleans()) else None

        def gk(x, w, r, *rest):
            rest = list(rest)
            b = rest.pop(0) if bias else None
            out, states = R.recurrence(kind, x, w, r, b, rest if state else None,
                                       None if mask is None else Tensor(mask), **config)
            return ops.concatenate([ops.reshape(out, (n, -1))] + states, axis=1)
        return Case(gk, arrays, None)
    return draw_case()


SPECS.update({name: _recurrence(name) for name in GATES})


@spec("NonZero")
def _nonzero(draw):
    ids = draw(hnp.arrays(np.int64, draw(SHAPES_1D), elements=st.integers(0, 3)))
    return Case(lambda i, x: ops.mul(R.nonzero_mask(i), x), [ids, floats(draw, ids.shape)], None)


@spec("NotMasked")
def _not_masked(draw):
    v = draw(st.sampled_from([0.0, -1.0]))
    m = draw(hnp.arrays(np.float64, draw(SHAPES_1D), elements=st.sampled_from([0.0, -1.0, 0.5])))
    return Case(lambda k, x: ops.mul(nn.cast(nn.not_masked(k, v), "float64")[..., None], x),
                [m, floats(draw, m.shape)], lambda k, x: (k != v).any(-1, keepdim=True) * x, grad=[False, True])


@spec("HingeLabels")
def _hinge_labels(draw):
    binary = draw(st.booleans())
    y = draw(hnp.arrays(np.float64, draw(SHAPES_1D), elements=st.sampled_from([0.0, 1.0] if binary else [-1.0, 1.0, 0.0])))
    return Case(lambda k, x: ops.mul(nn.hinge_labels(k), x), [y, floats(draw, y.shape)],
                lambda k, x: (2 * k - 1 if bool(((k == 0) | (k == 1)).all()) else k) * x, grad=[False, True])


# No PyTorch counterpart: TF's fill modes and sampling (AffineWarp), Keras's gate layouts (the recurrences,
# checked against Keras in tests/layers/test_recurrent_keras.py), a mask with no gradient (NonZero).
NO_TORCH = {"AffineWarp", "NonZero"} | set(GATES)


# ---- the tests -----------------------------------------------------------------------------------------

def test_every_op_is_fuzzed():
    from gradkit.autograd import Function
    found = {name for module in (O, S, nn, conv, A, I, R) for name, obj in vars(module).items()
             if inspect.isclass(obj) and issubclass(obj, Function) and obj.__module__ == module.__name__
             and not name.startswith("_")}
    abstract = {"Recurrence"}  # the shared frame of SimpleRNNSeq, LSTMSeq and GRUSeq
    assert found - set(SPECS) - abstract == set(), "ops without a fuzz strategy: add one to tests/autograd/test_fuzz_ops.py"


def _tensors(case):
    return [Tensor(a, requires_grad=g) for a, g in zip(case.arrays, case.grad)]


@pytest.mark.parametrize("op", sorted(SPECS))
def test_backprop_matches_central_differences(op):
    @FUZZ
    @given(case=SPECS[op])
    def check(case):
        B.set_floatx("float64")
        result = gradcheck(case.gk, _tensors(case), atol=1e-6, rtol=1e-5)
        assert result.passed, f"{op} {case}: {result.worst}"
    check()


@pytest.mark.parametrize("op", sorted(set(SPECS) - NO_TORCH))
def test_values_and_gradients_match_pytorch(op):
    th = pytest.importorskip("torch")

    @FUZZ
    @given(case=SPECS[op])
    def check(case):
        B.set_floatx("float64")
        xs = _tensors(case)
        out = case.gk(*xs)
        ts = [th.tensor(a, requires_grad=bool(g)) for a, g in zip(case.arrays, case.grad)]
        ref = case.th(*ts)
        np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=f"{op} value")
        cot = np.cos(np.arange(out.size) * 1.3).reshape(out.shape) + 0.1
        (out * Tensor(cot)).sum().backward()
        (ref * th.tensor(cot)).sum().backward()
        for i, (x, t) in enumerate(zip(xs, ts)):
            if not case.grad[i]:
                continue
            mine = x.grad.numpy() if x.grad is not None else np.zeros(x.shape)
            theirs = t.grad.numpy() if t.grad is not None else np.zeros(x.shape)
            np.testing.assert_allclose(mine, theirs, rtol=1e-8, atol=1e-10, err_msg=f"{op} gradient of input {i}")
    check()
