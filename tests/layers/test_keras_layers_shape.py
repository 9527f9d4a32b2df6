"""Keras 3's LayerNormalization, Masking, Lambda, Permute, RepeatVector, padding / cropping / up-sampling,
TimeDistributed and the noise layers: NumPy values, float64 gradients, compiled training, save / load, errors,
and real Keras's numbers (outputs and weights after one SGD step) where it is installed."""
import numpy as np
import pytest

import gradkit as gk
from gradkit import Tensor
from gradkit.errors import ConfigError, ShapeError
from gradkit.gradcheck import gradcheck

L = gk.layers
R = np.random.default_rng(11)
X3 = R.standard_normal((2, 5, 3))
X4 = R.standard_normal((2, 4, 5, 3))


def _ln(x, axes, eps=1e-3):
    mu, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps)


CASES = [
    (lambda: L.LayerNormalization(), X3, lambda x: _ln(x, -1)),
    (lambda: L.LayerNormalization(axis=[1, 2], epsilon=0.1), X3, lambda x: _ln(x, (1, 2), 0.1)),
    (lambda: L.Permute((2, 1)), X3, lambda x: x.transpose(0, 2, 1)),
    (lambda: L.RepeatVector(3), X3[:, 0], lambda x: np.repeat(x[:, None], 3, axis=1)),
    (lambda: L.UpSampling1D(3), X3, lambda x: np.repeat(x, 3, axis=1)),
    (lambda: L.UpSampling2D((2, 3)), X4, lambda x: np.repeat(np.repeat(x, 2, axis=1), 3, axis=2)),
    (lambda: L.ZeroPadding1D((1, 2)), X3, lambda x: np.pad(x, ((0, 0), (1, 2), (0, 0)))),
    (lambda: L.Cropping1D((1, 2)), X3, lambda x: x[:, 1:3]),
    (lambda: L.Cropping2D(((1, 0), (2, 1))), X4, lambda x: x[:, 1:, 2:4]),
    (lambda: L.Lambda(gk.ops.square), X3, np.square),
    (lambda: L.Lambda(gk.ops.sum, arguments={"axis": 1}), X3, lambda x: x.sum(1)),
    (lambda: L.GaussianNoise(0.5), X3, lambda x: x),  # identity outside training
    (lambda: L.SpatialDropout1D(0.5), X3, lambda x: x),
    (lambda: L.GaussianDropout(0.5), X3, lambda x: x),
    (lambda: L.SpatialDropout2D(0.5), X4, lambda x: x),
]


@pytest.mark.parametrize("make,x,want", CASES, ids=lambda v: "" if not callable(v) or isinstance(v, np.ufunc)
                         else type(v()).__name__ if v.__name__ == "<lambda>" and v.__code__.co_argcount == 0 else "")
def test_values_gradients_shapes_and_config(float64, make, x, want):
    layer = make()
    y = layer(Tensor(x))
    np.testing.assert_allclose(y.numpy(), want(x), rtol=1e-10, atol=1e-12)
    assert tuple(layer.compute_output_shape((None,) + x.shape[1:]))[1:] == y.shape[1:]
    w = Tensor(np.cos(np.arange(y.size)).reshape(y.shape))
    res = gradcheck(lambda t: layer(t) * w, [Tensor(x, requires_grad=True)])
    assert res.passed and res.max_abs_error < 1e-7, res.worst
    clone = type(layer).from_config(layer.get_config())
    np.testing.assert_allclose(clone(Tensor(x)).numpy(), y.numpy(), rtol=1e-12)


def test_layer_normalization_weights_layout_and_gradients(float64):
    ln = L.LayerNormalization(axis=[1, 2])
    ln(Tensor(X3))
    assert [w.name.split("/")[-1] for w in ln.weights] == ["gamma", "beta"] and ln.gamma.shape == (5, 3) and ln.axis == [1, 2]
    ln.set_weights([R.standard_normal((5, 3)), R.standard_normal((5, 3))])
    g, b = ln.get_weights()
    np.testing.assert_allclose(ln(Tensor(X3)).numpy(), _ln(X3, (1, 2)) * g + b, rtol=1e-10)
    w = Tensor(np.sin(np.arange(X3.size)).reshape(X3.shape))
    res = gradcheck(lambda t, *_: ln(t) * w, [Tensor(X3, requires_grad=True), ln.gamma, ln.beta])
    assert res.passed, res.worst
    assert L.LayerNormalization(center=False, scale=False).get_config()["center"] is False


def test_masking_values_and_mask():
    x = np.ones((2, 4, 3), "float32")
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    x[1, 2, 0] = 0.0  # one feature at the mask value: the step is kept
    y = L.Masking()(x)
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[1, 0, 1, 1], [1, 1, 1, 0]])
    np.testing.assert_array_equal(y.numpy(), x)
    z = L.Masking(mask_value=1.0)(x)
    np.testing.assert_array_equal(z.numpy(), np.where((x != 1).any(-1, keepdims=True), x, 0))


def test_masking_skips_steps_in_an_lstm_as_shorter_sequences():
    x = R.standard_normal((2, 5, 3)).astype("float32")
    x[0, 3:] = 0.0
    lstm = L.LSTM(4)
    masked = gk.Sequential([gk.Input((5, 3)), L.Masking(), lstm])
    np.testing.assert_allclose(masked(x).numpy()[0], lstm(x[:1, :3]).numpy()[0], rtol=1e-5, atol=1e-6)


def test_time_distributed_dense_shares_weights():
    td = L.TimeDistributed(L.Dense(4))
    x = R.standard_normal((2, 5, 3)).astype("float32")
    y = td(x).numpy()
    k, b = td.get_weights()
    assert len(td.weights) == 2 and k.shape == (3, 4)
    np.testing.assert_allclose(y, x @ k + b, rtol=1e-5, atol=1e-6)
    clone = L.TimeDistributed.from_config(td.get_config())
    clone(x)
    clone.set_weights(td.get_weights())
    np.testing.assert_allclose(clone(x).numpy(), y, rtol=1e-6)


def test_noise_layers_while_training():
    x = np.ones((64, 50, 8), "float32")
    noisy = L.GaussianNoise(0.3)(x, training=True).numpy() - 1
    assert abs(noisy.mean()) < 0.01 and abs(noisy.std() - 0.3) < 0.01
    scaled = L.GaussianDropout(0.2)(x, training=True).numpy()  # Normal(1, 0.2 / 0.8)
    assert abs(scaled.mean() - 1) < 0.01 and abs(scaled.std() - 0.5) < 0.01
    y = L.SpatialDropout1D(0.25)(x, training=True).numpy()
    per_channel = y[:, 0, :]
    assert np.all(y == per_channel[:, None, :])  # whole channels: the same for every step
    assert set(np.unique(per_channel)) == {0.0, np.float32(1 / 0.75)} and abs((per_channel == 0).mean() - 0.25) < 0.05
    z = L.SpatialDropout2D(0.5)(np.ones((8, 3, 3, 16), "float32"), training=True).numpy()
    assert np.all(z == z[:, :1, :1, :]) and set(np.unique(z)) == {0.0, 2.0}


def test_dropout_noise_shape_drops_whole_blocks():
    x = np.ones((16, 6, 8), "float32")
    layer = L.Dropout(0.5, noise_shape=(None, 1, 8))
    y = layer(x, training=True).numpy()
    assert np.all(y == y[:, :1, :]) and set(np.unique(y)) == {0.0, 2.0}
    assert L.Dropout.from_config(layer.get_config()).noise_shape == (None, 1, 8)
    z = gk.ops.dropout(x, 0.5, noise_shape=(16, 6, 1)).numpy()
    assert np.all(z == z[..., :1])
    with pytest.raises(ShapeError, match=r"noise_shape \(None, 2, 8\) does not broadcast to the input shape"):
        L.Dropout(0.5, noise_shape=(None, 2, 8))(x, training=True)
    with pytest.raises(ConfigError, match="Dropout: noise_shape must be a tuple"):
        L.Dropout(0.5, noise_shape=3)


def test_lambda_serialization_refuses_python_lambdas_clearly():
    with pytest.raises(ConfigError, match="cannot serialize the function .*lambda.*def at module level"):
        L.Lambda(lambda x: x * 2).get_config()
    layer = L.Lambda(gk.ops.square, output_shape=(5, 3))
    cfg = layer.get_config()
    assert cfg["function"] == {"module": gk.ops.square.__module__, "function_name": "square"}
    assert L.Lambda.from_config(cfg).function is gk.ops.square
    assert layer.compute_output_shape((None, 5, 3)) == (None, 5, 3)
    with pytest.raises(ConfigError, match="no_such_module.f is not found"):
        L.Lambda.from_config({**cfg, "function": {"module": "no_such_module", "function_name": "f"}})


@pytest.mark.parametrize("make,match", [
    (lambda: L.Permute((1, 3)), "Permute: dims must be a permutation"),
    (lambda: L.RepeatVector(0), "RepeatVector: n must be a positive integer, got 0"),
    (lambda: L.UpSampling1D(0), "UpSampling1D: size"),
    (lambda: L.UpSampling2D(interpolation="bilinear"), "only interpolation='nearest'"),
    (lambda: L.ZeroPadding1D(-1), "ZeroPadding1D: padding must be a non-negative integer"),
    (lambda: L.Cropping1D("a"), "Cropping1D: cropping"),
    (lambda: L.Cropping2D((1, 2, 3)), "Cropping2D: cropping must be"),
    (lambda: L.GaussianNoise(2.0), "GaussianNoise: stddev must be a number in \\[0, 1\\], got 2.0"),
    (lambda: L.SpatialDropout1D(1.0), "SpatialDropout1D: rate"),
    (lambda: L.GaussianDropout(1.0), "GaussianDropout: rate must be a number in \\[0, 1\\), got 1.0"),
    (lambda: L.LayerNormalization(epsilon=0), "LayerNormalization: epsilon"),
    (lambda: L.LayerNormalization(axis="x"), "LayerNormalization: axis"),
    (lambda: L.Masking(mask_value="a"), "Masking: mask_value"),
    (lambda: L.TimeDistributed("dense"), "TimeDistributed: layer must be a Layer"),
    (lambda: L.Lambda(3), "Lambda: function must be callable"),
])
def test_bad_arguments(make, match):
    with pytest.raises((ConfigError, TypeError), match=match):
        make()


@pytest.mark.parametrize("layer,x,match", [
    (L.Cropping1D((3, 2)), X3, "must leave at least one of the 5 steps"),
    (L.RepeatVector(2), X3, "expects inputs of rank 2"),
    (L.TimeDistributed(L.Dense(2)), X3[:, 0], "rank 3 or more"),
    (L.Permute((2, 1)), X4, "expects inputs of rank 3"),
    (L.LayerNormalization(axis=0), X3, "axis 0 must name distinct non-batch axes"),
])
def test_bad_inputs_name_the_layer(layer, x, match):
    with pytest.raises(ShapeError, match=match):
        layer(x)


def _seq_model(lib):
    return lib.Sequential([lib.Input((6, 3)), lib.layers.Masking(), lib.layers.GaussianNoise(0.1),
                           lib.layers.GaussianDropout(0.1),
                           lib.layers.TimeDistributed(lib.layers.Dense(4)), lib.layers.LayerNormalization(),
                           lib.layers.SpatialDropout1D(0.2), lib.layers.ZeroPadding1D(1), lib.layers.Cropping1D(1),
                           lib.layers.UpSampling1D(2), lib.layers.Permute((2, 1)),
                           lib.layers.Lambda(lib.ops.tanh), lib.layers.Flatten(), lib.layers.Dense(1)])


def test_compiled_fit_functional_and_save_load(tmp_path):
    model = _seq_model(gk)
    model.compile("adam", "mse")
    x = R.standard_normal((32, 6, 3)).astype("float32")
    x[:4, 4:] = 0.0
    y = x.sum((1, 2))[:, None]
    h = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert model._compiled_step is not None and not model._compiled_step.eager, "fell back to eager"
    assert h.history["loss"][-1] < h.history["loss"][0]
    model.save(tmp_path / "m.keras")
    again = gk.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    inp = gk.Input((4,))
    out = L.Dense(2)(L.Flatten()(L.RepeatVector(2)(inp)))
    assert gk.Model(inp, out)(np.ones((3, 4), "float32")).shape == (3, 2)


def test_equal_keras_outputs_and_one_sgd_step():
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow")
    x = R.standard_normal((8, 6, 3)).astype("float32")
    x[:2, 4:] = 0.0
    y = R.standard_normal((8, 1)).astype("float32")

    def build(lib):
        return lib.Sequential([lib.Input((6, 3)), lib.layers.Masking(),
                               lib.layers.TimeDistributed(lib.layers.Dense(4)),
                               lib.layers.LayerNormalization(axis=[1, 2], epsilon=0.01), lib.layers.ZeroPadding1D(1),
                               lib.layers.Cropping1D((2, 1)), lib.layers.UpSampling1D(2), lib.layers.Permute((2, 1)),
                               lib.layers.Flatten(), lib.layers.RepeatVector(2), lib.layers.LSTM(3),
                               lib.layers.Dense(1)])
    ours, theirs = build(gk), build(keras)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-4, atol=1e-5)
    for model, lib in ((ours, gk), (theirs, keras)):
        model.compile(lib.optimizers.SGD(0.1), "mse")
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for name, kw, xin in [("UpSampling2D", {"size": (2, 3)}, X4), ("Cropping2D", {"cropping": ((1, 0), (2, 1))}, X4),
                          ("RepeatVector", {"n": 3}, X3[:, 0])]:
        a, b = getattr(gk.layers, name)(**kw), getattr(keras.layers, name)(**kw)
        xin = xin.astype("float32")
        np.testing.assert_allclose(a(xin).numpy(), np.asarray(b(xin)), rtol=1e-6, err_msg=name)
        want = {k: v for k, v in b.get_config().items() if k not in ("dtype", "name", "trainable")}
        got = a.get_config()
        assert {k: (list(got[k]) if isinstance(got[k], tuple) else got[k]) for k in want} == \
            {k: (list(v) if isinstance(v, tuple) else v) for k, v in want.items()}, name
