import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradkit import Tensor, ops
from gradkit.gradcheck import gradcheck

TOL = 1e-6


def T(a):
    return Tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def check(f, *arrays):
    res = gradcheck(f, [T(a) for a in arrays])
    assert res.max_rel_error < TOL, res.worst
    assert res.passed
    return res


R = np.random.default_rng(42)
pos = lambda *s: R.uniform(0.5, 2.0, s)  # noqa: E731
anyv = lambda *s: R.standard_normal(s)  # noqa: E731

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": ops.maximum,
    "minimum": ops.minimum,
}
BROADCAST_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1)), ((1, 4), (5, 1)), ((3,), ())]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("sa,sb", BROADCAST_SHAPES)
def test_binary_ops_gradcheck_with_broadcasting(name, sa, sb):
    check(BINARY[name], anyv(*sa), pos(*sb) + (0 if name in ("div",) else anyv(*sb)))


UNARY = {
    "neg": (lambda a: -a, anyv),
    "pow3": (lambda a: a ** 3, anyv),
    "pow_half": (lambda a: a ** 0.5, pos),
    "exp": (ops.exp, anyv),
    "log": (ops.log, pos),
    "sqrt": (ops.sqrt, pos),
    "abs": (ops.abs, anyv),
    "tanh": (ops.tanh, anyv),
    "sigmoid": (ops.sigmoid, anyv),
    "relu": (ops.relu, anyv),
    "leaky_relu": (lambda a: ops.leaky_relu(a, 0.1), anyv),
    "clip": (lambda a: ops.clip(a, -0.5, 0.7), anyv),
    "softmax0": (lambda a: ops.softmax(a, axis=0), anyv),
    "softmax-1": (ops.softmax, anyv),
    "log_softmax": (ops.log_softmax, anyv),
    "log_softmax0": (lambda a: ops.log_softmax(a, axis=0), anyv),
    "sum": (lambda a: a.sum(), anyv),
    "sum_axis": (lambda a: a.sum(axis=1), anyv),
    "sum_keep": (lambda a: a.sum(axis=(0, 2), keepdims=True), anyv),
    "mean": (lambda a: a.mean(axis=-1), anyv),
    "mean_all": (lambda a: a.mean(), anyv),
    "max": (lambda a: a.max(axis=1), anyv),
    "max_all": (lambda a: a.max(), anyv),
    "max_keep": (lambda a: a.max(axis=0, keepdims=True), anyv),
    "reshape": (lambda a: a.reshape((4, -1)) * Tensor(np.arange(3.0)), anyv),
    "reshape_args": (lambda a: a.reshape(2, 6) * Tensor(np.arange(6.0)), anyv),
    "transpose": (lambda a: a.transpose((2, 0, 1)) * Tensor(np.arange(3.0)), anyv),
    "T": (lambda a: a.T * Tensor(np.arange(3.0)), anyv),
    "expand_dims": (lambda a: ops.expand_dims(a, 1) * Tensor(np.arange(4.0)), anyv),
    "squeeze": (lambda a: ops.squeeze(a[:, :1, :]), anyv),
    "slice": (lambda a: a[1:, ::2], anyv),
    "int_index": (lambda a: a[np.array([0, 2, 0, 1])], anyv),
    "embedding_gather": (lambda a: a[Tensor(np.array([[1, 1], [0, 2]]))], anyv),
    "mask": (lambda a: a[a.data > 0], anyv),
    "rpow": (lambda a: 2.0 ** a, anyv),
    "tensor_pow": (lambda a: ops.power(a, Tensor(np.array(2.5))), pos),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_and_reduction_ops_gradcheck(name):
    f, gen = UNARY[name]
    check(f, gen(2, 3, 4) if name in ("sum_keep", "transpose", "squeeze", "max_keep") else gen(3, 4))


def test_matmul_2d_batched_and_1d():
    check(lambda a, b: a @ b, anyv(3, 4), anyv(4, 5))
    check(lambda a, b: a @ b, anyv(2, 3, 4), anyv(2, 4, 5))
    check(lambda a, b: a @ b, anyv(2, 3, 4), anyv(4, 5))  # broadcast batch
    check(lambda a, b: a @ b, anyv(4), anyv(4, 5))
    check(lambda a, b: a @ b, anyv(3, 4), anyv(4))


def test_concatenate_stack_where():
    check(lambda a, b: ops.concatenate([a, b], axis=1) * Tensor(np.arange(7.0)), anyv(3, 4), anyv(3, 3))
    check(lambda a, b: ops.stack([a, b], axis=1) * Tensor(np.arange(8.0).reshape(2, 4)), anyv(3, 4), anyv(3, 4))
    cond = R.standard_normal((3, 4)) > 0
    check(lambda a, b: ops.where(cond, a, b), anyv(3, 4), anyv(4))


def test_softmax_log_softmax_stable_on_huge_logits():
    x = Tensor(np.array([[1000.0, 0.0, -1000.0]]), requires_grad=True)
    p = ops.softmax(x)
    assert np.allclose(p.numpy(), [[1, 0, 0]])
    ls = ops.log_softmax(x)
    assert np.isfinite(ls.numpy()).all() and ls.numpy()[0, 2] == -2000.0
    ls.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    assert np.allclose(ops.sigmoid(Tensor(np.array([-1000.0, 1000.0]))).numpy(), [0, 1])


def test_values_match_numpy():
    a, b = anyv(3, 4), pos(3, 4)
    assert np.allclose((T(a) / T(b)).numpy(), a / b)
    assert np.allclose(ops.log_softmax(T(a)).numpy(), np.log(np.exp(a) / np.exp(a).sum(-1, keepdims=True)))
    assert np.allclose(ops.sigmoid(T(a)).numpy(), 1 / (1 + np.exp(-a)))


shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
floats = st.floats(-3, 3, allow_nan=False, width=64)


@settings(max_examples=25, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       st.sampled_from(["add", "sub", "mul", "maximum"]), st.integers(0, 2**31))
def test_hypothesis_broadcast_binary(shapes_, name, seed):
    r = np.random.default_rng(seed)
    a, b = (r.standard_normal(s) for s in shapes_.input_shapes)
    res = gradcheck(BINARY[name], [T(a), T(b)])
    assert res.max_rel_error < TOL, res.worst


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, shapes, elements=floats), st.sampled_from(["sum", "mean", "max"]),
       st.booleans(), st.data())
def test_hypothesis_reductions(x, kind, keepdims, data):
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    if kind == "max":
        x = x + np.arange(x.size).reshape(x.shape) * 1e-3  # no ties: max is differentiable
    f = lambda a: getattr(a, kind)(axis=axis, keepdims=keepdims)  # noqa: E731
    res = gradcheck(f, [T(x)])
    assert res.max_rel_error < TOL, res.worst
    assert np.allclose(f(T(x)).numpy(), getattr(np, kind)(x, axis=axis, keepdims=keepdims))


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, shapes, elements=floats),
       st.sampled_from(["exp", "tanh", "sigmoid", "abs", "relu", "neg"]))
def test_hypothesis_elementwise(x, name):
    f = UNARY[name][0]
    x = np.where(np.abs(x) < 1e-3, 0.5, x)  # keep away from the kinks of abs/relu
    res = gradcheck(f, [T(x)])
    assert res.max_rel_error < TOL, res.worst
