"""Keras 3 layers added for the names learners hit (activation layers, Identity, the aliases): values against
NumPy, gradients in float64, config round trips, errors, and real Keras's numbers when it is installed."""
import numpy as np
import pytest

import gradkit as gk
from gradkit import Tensor
from gradkit.errors import ConfigError
from gradkit.gradcheck import gradcheck
from gradkit.layers import ELU, Identity, LeakyReLU, PReLU, ReLU, Softmax

R = np.random.default_rng(7)
X = np.array([[-3.0, -0.5, 0.25, 0.7, 2.5, 8.0]])


def _roundtrip(layer):
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    return clone


@pytest.mark.parametrize("layer,want", [
    (ReLU(), np.maximum(X, 0)),
    (ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5),
     np.where(X > 0.5, np.minimum(X, 6.0), 0) - 0.1 * np.maximum(0.5 - X, 0)),
    (LeakyReLU(), np.where(X > 0, X, 0.3 * X)),
    (LeakyReLU(negative_slope=0.1), np.where(X > 0, X, 0.1 * X)),
    (ELU(alpha=0.5), np.where(X > 0, X, 0.5 * (np.exp(X) - 1))),
    (Softmax(), np.exp(X) / np.exp(X).sum()),
    (Identity(), X),
], ids=lambda v: type(v).__name__ if not isinstance(v, np.ndarray) else "")
def test_activation_layers_values_gradients_config(float64, layer, want):
    np.testing.assert_allclose(layer(Tensor(X)).numpy(), want, rtol=1e-12)
    res = gradcheck(lambda t: layer(t) * Tensor(np.cos(np.arange(6.0))), [Tensor(X + 0.01, requires_grad=True)])
    assert res.passed and res.max_abs_error < 1e-8, res.worst
    np.testing.assert_allclose(_roundtrip(layer)(Tensor(X)).numpy(), want, rtol=1e-12)


def test_prelu_values_gradients_shared_axes_and_config(float64):
    x = R.standard_normal((2, 3, 4))
    layer = PReLU(shared_axes=[1])
    layer(Tensor(x))
    assert layer.alpha.shape == (1, 4) and layer.alpha.name.endswith("alpha")
    np.testing.assert_array_equal(layer.get_weights()[0], 0)  # Keras's default: starts as relu
    alpha = R.uniform(0.1, 0.5, (1, 4))
    layer.set_weights([alpha])
    np.testing.assert_allclose(layer(Tensor(x)).numpy(), np.where(x > 0, x, alpha * x), rtol=1e-12)
    w = Tensor(np.cos(np.arange(x.size)).reshape(x.shape))
    res = gradcheck(lambda t, a: layer(t) * w, [Tensor(x, requires_grad=True), layer.alpha])
    assert res.passed, res.worst
    clone = PReLU.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config() and clone.shared_axes == [1]
    with pytest.raises(ConfigError, match="PReLU: shared_axes must be None or positive ints"):
        PReLU(shared_axes=0)
    with pytest.raises(ValueError, match="shared axis 3 is not an axis"):
        PReLU(shared_axes=3)(np.ones((2, 4), "float32"))


def test_prelu_one_sgd_step_equals_keras():
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow")
    x, y = R.standard_normal((8, 5, 3)).astype("float32"), R.standard_normal((8, 1)).astype("float32")
    models = []
    for lib in (gk, keras):
        m = lib.Sequential([lib.Input((5, 3)), lib.layers.Dense(4), lib.layers.PReLU(alpha_initializer="ones",
                            shared_axes=[1]), lib.layers.Flatten(), lib.layers.Dense(1)])
        m.compile(lib.optimizers.SGD(0.1), "mse")
        models.append(m)
    weights = models[1].get_weights()
    weights[2] = R.uniform(0.1, 0.5, weights[2].shape).astype("float32")
    for m in models:
        m.set_weights(weights)
    np.testing.assert_allclose(models[0].predict(x, verbose=0), models[1].predict(x, verbose=0), rtol=1e-5, atol=1e-6)  # float32 sums in another order
    for m in models:
        m.fit(x, y, batch_size=8, epochs=1, verbose=0)
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    cfg = {k: v for k, v in models[1].layers[1].get_config().items() if k not in ("name", "dtype", "alpha_initializer")}
    assert {k: models[0].layers[1].get_config()[k] for k in cfg} == cfg


def test_softmax_mask_and_axes(float64):
    x = R.standard_normal((2, 3, 4))
    mask = np.array([[1, 1, 0, 1]], dtype=bool)
    got = Softmax()(Tensor(x), mask=mask).numpy()
    e = np.exp(x) * mask
    np.testing.assert_allclose(got, e / e.sum(-1, keepdims=True), rtol=1e-12)
    both = Softmax(axis=(1, 2))(Tensor(x)).numpy()
    np.testing.assert_allclose(both, np.exp(x) / np.exp(x).sum((1, 2), keepdims=True), rtol=1e-12)
    with pytest.raises(ValueError, match=r"mask must broadcast.*\(2, 5\)"):
        Softmax()(Tensor(x), mask=np.ones((2, 5)))


@pytest.mark.parametrize("make,match", [
    (lambda: ReLU(negative_slope=-1), "ReLU: negative_slope must be a number in \\[0, inf\\), got -1"),
    (lambda: ReLU(max_value=-2.0), "ReLU: max_value"),
    (lambda: ReLU(threshold="a"), "ReLU: threshold"),
    (lambda: LeakyReLU(negative_slope=None), "LeakyReLU: negative_slope"),
    (lambda: ELU(alpha="x"), "ELU: alpha"),
])
def test_bad_arguments_name_layer_and_argument(make, match):
    with pytest.raises((ConfigError, TypeError), match=match):
        make()


def test_leaky_relu_alpha_is_accepted_with_a_warning():
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        assert LeakyReLU(alpha=0.2).negative_slope == 0.2


def test_aliases_are_keras_s():
    L = gk.layers
    assert (L.MaxPool1D, L.MaxPool2D, L.AvgPool1D, L.AvgPool2D) == (L.MaxPooling1D, L.MaxPooling2D,
                                                                    L.AveragePooling1D, L.AveragePooling2D)
    assert (L.GlobalAvgPool1D, L.GlobalAvgPool2D, L.GlobalMaxPool1D, L.GlobalMaxPool2D) == (
        L.GlobalAveragePooling1D, L.GlobalAveragePooling2D, L.GlobalMaxPooling1D, L.GlobalMaxPooling2D)
    assert (L.Convolution1D, L.Convolution2D) == (L.Conv1D, L.Conv2D)
    I = gk.initializers  # noqa: E741
    for name in ("zeros", "ones", "constant", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
                 "lecun_normal", "lecun_uniform", "random_normal", "random_uniform", "truncated_normal",
                 "variance_scaling", "orthogonal", "identity"):
        cls = getattr(I, name)
        assert isinstance(cls, type) and isinstance(I.get(name), cls), name
    assert I.he_normal(seed=3).get_config() == {"seed": 3}
    np.testing.assert_array_equal(I.identity(gain=2.0)((2, 3)), 2 * np.eye(2, 3))
    with pytest.raises(ConfigError, match="Identity initializer needs a 2-D shape, got \\(2, 2, 2\\)"):
        I.Identity()((2, 2, 2))


def test_activation_layers_train_compiled_and_save_load(tmp_path):
    model = gk.Sequential([gk.Input((3,)), gk.layers.Dense(4), LeakyReLU(0.1), ReLU(max_value=3.0, threshold=0.01),
                           gk.layers.Dense(4), ELU(), Identity(), gk.layers.Dense(2), Softmax()])
    model.compile("adam", "categorical_crossentropy")
    x = R.standard_normal((64, 3)).astype("float32")
    y = np.eye(2, dtype="float32")[(x[:, 0] > 0).astype(int)]
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    step = model._compiled_step
    assert step is not None and not step.eager, "the compiled step fell back to eager"
    model.save(tmp_path / "m.keras")
    again = gk.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_activation_layers_equal_keras():
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow")
    x = (R.standard_normal((3, 5)) * 4).astype("float32")
    for name, kw in [("ReLU", {}), ("ReLU", {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}),
                     ("LeakyReLU", {}), ("ELU", {"alpha": 0.7}), ("Softmax", {"axis": 0}), ("Identity", {})]:
        ours, theirs = getattr(gk.layers, name)(**kw), getattr(keras.layers, name)(**kw)
        np.testing.assert_allclose(ours(x).numpy(), np.asarray(theirs(x)), rtol=1e-6, atol=1e-7, err_msg=name)
        want = {k: v for k, v in theirs.get_config().items() if k not in ("dtype", "name")}
        got = {k: v for k, v in ours.get_config().items() if k not in ("dtype", "name")}
        assert {k: got[k] for k in want} == want, name
