"""Add and Concatenate: values, gradients and symbolic shapes."""
import numpy as np
import pytest

from gradkit import Tensor, layers
from gradkit.errors import ShapeError
from gradkit.gradcheck import gradcheck

R = np.random.default_rng(2)


def test_add(float64):
    a, b, c = (Tensor(R.standard_normal((3, 4)), requires_grad=True) for _ in range(3))
    add = layers.Add()
    np.testing.assert_allclose(add([a, b, c]).data, a.data + b.data + c.data)
    assert gradcheck(lambda *xs: add(list(xs)), [a, b, c]).max_rel_error < 1e-6
    assert add([layers.Input((4,)), layers.Input((4,))]).shape == (None, 4)
    with pytest.raises(ShapeError):
        layers.Add()([layers.Input((4,)), layers.Input((5,))])


def test_concatenate(float64):
    a, b = Tensor(R.standard_normal((3, 2)), requires_grad=True), Tensor(R.standard_normal((3, 5)), requires_grad=True)
    cat = layers.Concatenate()
    assert cat([a, b]).shape == (3, 7)
    assert gradcheck(lambda *xs: cat(list(xs)), [a, b]).max_rel_error < 1e-6
    assert layers.Concatenate()([layers.Input((2,)), layers.Input((5,))]).shape == (None, 7)
    assert layers.Concatenate(axis=1).get_config()["axis"] == 1
    with pytest.raises(ShapeError):
        layers.Concatenate()([layers.Input((2, 3)), layers.Input((4, 5))])
    with pytest.raises(ShapeError, match="list"):
        layers.Concatenate()(a)
