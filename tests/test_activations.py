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


# ---- Keras 3's further activations -------------------------------------------------------------------------
_ERF = np.vectorize(__import__("math").erf)
_SELU_A, _SELU_S = 1.6732632423543772, 1.0507009873554805
_SP = np.log1p(np.exp(X))
MORE = {
    "relu6": np.clip(X, 0, 6),
    "selu": _SELU_S * np.where(X > 0, X, _SELU_A * (np.exp(X) - 1)),
    "gelu": 0.5 * X * (1 + _ERF(X / np.sqrt(2))),
    "silu": X / (1 + np.exp(-X)),
    "softsign": X / (1 + np.abs(X)),
    "exponential": np.exp(X),
    "hard_sigmoid": np.clip(X / 6 + 0.5, 0, 1),
    "log_softmax": X - np.log(np.exp(X).sum()),
    "mish": X * np.tanh(_SP),
    "hard_silu": X * np.clip(X / 6 + 0.5, 0, 1),
    "hard_tanh": np.clip(X, -1, 1),
    "log_sigmoid": -np.log1p(np.exp(-X)),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_values_names_and_gradients(float64, name):
    fn = activations.get(name)
    assert fn.__name__ == name and activations.serialize(fn) == name
    np.testing.assert_allclose(fn(Tensor(X)).data, MORE[name], rtol=1e-12)
    x = Tensor(X + 0.01, requires_grad=True)
    res = gradcheck(fn, [x])
    assert res.max_rel_error < 1e-6, res.worst


def test_swish_is_silu_and_gelu_approximate(float64):
    assert activations.get("swish") is activations.silu and activations.serialize("swish") == "silu"
    assert activations.get("hard_swish") is activations.hard_silu
    tanh_form = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(activations.gelu(Tensor(X), approximate=True).data, tanh_form, rtol=1e-12)


def test_relu_keras_general_form(float64):
    x = np.array([-3.0, -0.5, 0.5, 1.0, 2.0, 9.0])
    got = activations.relu(Tensor(x), negative_slope=0.1, max_value=6.0, threshold=1.0).data
    want = np.where(x > 1.0, np.minimum(x, 6.0), 0.0) - 0.1 * np.maximum(1.0 - x, 0)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    res = gradcheck(lambda t: activations.relu(t, 0.1, 6.0, 1.0), [Tensor(x + 0.01, requires_grad=True)])
    assert res.max_rel_error < 1e-6, res.worst


def test_more_activations_equal_keras():
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow")
    x = np.linspace(-7, 7, 29).astype(np.float32).reshape(1, -1)
    for name in sorted(MORE) + ["swish", "hard_swish", "elu", "softplus"]:
        np.testing.assert_allclose(activations.get(name)(Tensor(x)).numpy(),
                                   np.asarray(keras.activations.get(name)(x)), rtol=2e-6, atol=2e-6, err_msg=name)
    for kw in ({"negative_slope": 0.1, "max_value": 6.0, "threshold": 1.0}, {"max_value": 2.0}, {"threshold": 0.5}):
        np.testing.assert_allclose(activations.relu(Tensor(x), **kw).numpy(),
                                   np.asarray(keras.activations.relu(x, **kw)), rtol=1e-6, err_msg=str(kw))
