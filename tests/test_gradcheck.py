import numpy as np
import pytest

from gradkit import Tensor
from gradkit.errors import GradcheckError
from gradkit import Function
from gradkit.gradcheck import gradcheck, numerical_gradient


def test_numerical_gradient_matches_analytic_and_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = numerical_gradient(lambda v: float((v ** 3).sum()), x)
    assert np.allclose(g, 3 * before ** 2, atol=1e-6)
    assert np.array_equal(x, before)


def test_numerical_gradient_on_tensor_and_non_contiguous():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    g = numerical_gradient(lambda v: (v * v).sum(), t)
    assert np.allclose(g, 2 * t.numpy(), atol=1e-6)
    base = np.arange(12.0).reshape(3, 4)
    view = base[:, ::2]
    g = numerical_gradient(lambda v: float((v * v).sum()), view)
    assert np.allclose(g, 2 * view, atol=1e-6) and np.array_equal(base, np.arange(12.0).reshape(3, 4))


class WrongSquare(Function):
    """x² with a deliberately wrong gradient (x instead of 2x)."""
    def forward(self, a):
        return a * a

    def backward(self, gz):
        return gz * self.saved_inputs[0]


def test_gradcheck_catches_wrong_backward_and_reports_cost():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    good = gradcheck(lambda a: (a * a).sum(), [x])
    assert good.passed and good.max_rel_error < 1e-8 and good.function_calls == 6
    bad = gradcheck(lambda a: WrongSquare()(a).sum(), [x])
    assert not bad.passed and bad.max_rel_error == pytest.approx(0.5, rel=1e-6)
    with pytest.raises(GradcheckError, match="relative error"):
        gradcheck(lambda a: WrongSquare()(a).sum(), [x], raise_exception=True)


def test_a_nan_gradient_fails_and_is_named_as_the_worst():
    class NanGrad(Function):
        def forward(self, a):
            return a * 2

        def backward(self, gz):
            return gz * np.nan

    result = gradcheck(lambda x: NanGrad()(x), [np.array([1.0, 2.0])])
    assert not result.passed
    assert result.max_rel_error == np.inf and "backprop nan" in result.worst
