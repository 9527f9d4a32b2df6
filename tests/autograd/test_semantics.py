"""Autodiff semantics as in PyTorch (issue 11 item 4): what backward refuses, and edge cases done right."""
import numpy as np
import pytest

from gradkit.autograd import Tensor, nn, no_grad, ops
from gradkit.errors import DTypeError, GradientError
from gradkit.gradcheck import gradcheck


def test_backward_of_a_graph_built_under_no_grad_raises():
    w = Tensor(np.ones(3), requires_grad=True)
    with no_grad():
        y = (w * 2).sum()
    with pytest.raises(GradientError, match="no_grad"):
        y.backward()
    assert w.grad is None


def test_backward_of_a_constant_raises_but_a_leaf_that_requires_grad_works():
    with pytest.raises(GradientError, match="does not require grad"):
        Tensor(np.ones(3)).sum().backward()
    w = Tensor(np.array(2.0), requires_grad=True)
    w.backward()
    assert w.grad.item() == 1.0


@pytest.mark.parametrize("data", ["abc", ["1", 2], object(), {"a": 1}, [[1, 2], [3]], None])
def test_non_numeric_tensors_are_refused(data):
    with pytest.raises(DTypeError, match="numeric"):
        Tensor(data)


def _twice(make):
    """Gradients of two backward passes through one graph (each starting from zeroed leaves)."""
    leaves, out = make()
    out.backward()
    first = [leaf.grad.numpy().copy() for leaf in leaves]
    for leaf in leaves:
        leaf.zero_grad()
    out.backward()
    return first, [leaf.grad.numpy() for leaf in leaves]


@pytest.mark.parametrize("name, make", [
    ("sparse-ce", lambda: _fused(lambda z: nn.sparse_softmax_cross_entropy(z, np.array([0, 2, 1])).sum())),
    ("sparse-ce-ignore", lambda: _fused(
        lambda z: nn.sparse_softmax_cross_entropy(z, np.array([0, 2, 1]), ignore_class=2).sum())),
    ("softmax-ce", lambda: _fused(lambda z: nn.softmax_cross_entropy(z, np.eye(3)[[0, 2, 1]]).sum())),
    ("softmax-ce-mean", lambda: _fused(lambda z: nn.softmax_cross_entropy(z, np.eye(3)[[0, 2, 1]], mean=True))),
    ("sigmoid-bce", lambda: _fused(lambda z: nn.sigmoid_binary_cross_entropy(z, np.ones((3, 3))).sum())),
    ("log-softmax", lambda: _fused(lambda z: (ops.log_softmax(z) * Tensor(np.arange(9.0).reshape(3, 3))).sum())),
    ("mse", lambda: _fused(lambda z: nn.mean_squared_error(z, np.zeros((3, 3))))),
])
def test_a_second_backward_through_a_fused_op_gives_the_same_gradient(name, make):
    first, second = _twice(make)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def _fused(loss):
    z = Tensor(np.random.default_rng(0).normal(size=(3, 3)), requires_grad=True)
    return [z], loss(z)


@pytest.mark.parametrize("fn, grad", [
    (ops.sigmoid, lambda x: 1 / (1 + np.exp(-x)) * (1 - 1 / (1 + np.exp(-x)))),
    (nn.softplus, lambda x: 1 / (1 + np.exp(-x))),
])
@pytest.mark.parametrize("x", [-3.0, 0.0, 0.7])
def test_sigmoid_and_softplus_on_0d_tensors(fn, grad, x):
    t = Tensor(np.array(x), requires_grad=True)
    y = fn(t)
    assert y.shape == ()
    y.backward()
    assert t.grad.shape == ()
    assert t.grad.item() == pytest.approx(grad(x), rel=1e-12)


def test_matmul_of_two_vectors_has_the_right_gradients():
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([4.0, 5.0, 6.0]), requires_grad=True)
    (a @ b).backward()
    np.testing.assert_array_equal(a.grad.numpy(), [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0, 3.0])
    assert gradcheck(lambda x, y: x @ y, [np.array([0.3, -1.2]), np.array([2.0, 0.5])]).passed


def test_power_zero_at_zero_has_gradient_zero_not_nan():
    x = Tensor(np.array([0.0, 2.0, -1.0]), requires_grad=True)
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])
    y = Tensor(np.array([0.0, 3.0]), requires_grad=True)
    (y ** 2).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [0.0, 6.0])
