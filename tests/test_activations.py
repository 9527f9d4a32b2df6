"""Activations by Keras name: values, gradients, names and errors."""
import numpy as np
import pytest

from gradkit import Tensor, activations
from gradkit.errors import ConfigError
from gradkit.gradcheck import gradcheck

X = np.array([[-3.0, -0.5, 0.7, 2.5]])


@pytest.mark.parametrize("name,want", [
    ("linear", X),
    ("step", (X > 0).astype(float)),
    ("sigmoid", 1 / (1 + np.exp(-X))),
    ("tanh", np.tanh(X)),
    ("relu", np.maximum(X, 0)),
    ("leaky_relu", np.where(X > 0, X, 0.2 * X)),
    ("elu", np.where(X > 0, X, np.exp(X) - 1)),
    ("softmax", np.exp(X) / np.exp(X).sum()),
    ("softplus", np.log1p(np.exp(X))),
])
def test_values_and_names(float64, name, want):
    fn = activations.get(name)
    assert fn.__name__ == name and activations.serialize(fn) == name
    np.testing.assert_allclose(fn(Tensor(X)).data, want, rtol=1e-12)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax", "softplus", "linear"])
def test_gradcheck(float64, name):
    x = Tensor(X + 0.01, requires_grad=True)  # away from the kinks at 0
    res = gradcheck(activations.get(name), [x])
    assert res.max_rel_error < 1e-6, res.worst


def test_get_none_callable_and_unknown():
    assert activations.get(None) is activations.linear
    f = lambda x: x  # noqa: E731
    assert activations.get(f) is f
    with pytest.raises(ConfigError, match="relu"):
        activations.get("rleu")


def test_float32_kept():
    x = Tensor(X.astype(np.float32))
    for name in ("step", "sigmoid", "elu", "softplus", "softmax", "leaky_relu"):
        assert activations.get(name)(x).dtype == np.float32
