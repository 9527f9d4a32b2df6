"""recurrent_dropout (SimpleRNN, LSTM, GRU; and the cells' dropout) with Keras 3's semantics: no effect in inference;
in training one mask per sequence on the previous output h_{t-1} (kept for every step; per gate where Keras's cell runs
per-gate kernels), scaled by 1 / (1 - rate). Pinned down exactly against a NumPy LSTM fed the same draws, and against
Keras by the set of values a sequence can reach and how often."""
import os

import numpy as np
import pytest

import gradkit
from gradkit import backend
from gradkit.errors import ConfigError
from gradkit.gradcheck import gradcheck
from gradkit.layers import GRU, LSTM, Dense, Dropout, Input, SimpleRNN
from gradkit.models import Sequential

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _keras():
    pytest.importorskip("tensorflow", reason="the Keras oracle needs TensorFlow")
    return pytest.importorskip("keras", reason="the Keras oracle needs Keras 3")


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _numpy_lstm_implementation_1(x, k, rk, b, in_masks, rec_masks):
    """Keras's LSTMCell with implementation=1: each gate its own input and recurrent mask, fixed over time."""
    n, t, _ = x.shape
    u = rk.shape[0]
    h, c = np.zeros((n, u)), np.zeros((n, u))
    for i in range(t):
        z = [(x[:, i] * in_masks[g]) @ k[:, g * u:(g + 1) * u] + (h * rec_masks[g]) @ rk[:, g * u:(g + 1) * u]
             + b[g * u:(g + 1) * u] for g in range(4)]
        c = _sigmoid(z[1]) * c + _sigmoid(z[0]) * np.tanh(z[2])
        h = _sigmoid(z[3]) * np.tanh(c)
    return h


def _draw(shape, rate):
    """One mask as gradkit's dropout op draws it (the library's generator, float32 uniforms, kept / (1 - rate))."""
    keep = backend.device_rng().random(shape, dtype="float32")
    return (keep >= rate).astype("float32") / (1 - rate)


def test_lstm_training_masks_are_per_sequence_per_gate_on_h(rng):
    """Four input masks then four recurrent masks (Keras's order), drawn once: the NumPy LSTM fed those draws gives the
    same output, while redrawing per step would not."""
    n, t, d, u = 6, 5, 3, 4
    x = rng.normal(size=(n, t, d)).astype("float32")
    layer = LSTM(u, dropout=0.3, recurrent_dropout=0.4)
    layer(x)
    backend.set_seed(7)
    got = layer(x, training=True).numpy()
    backend.set_seed(7)
    ins = [_draw((n, d), 0.3) for _ in range(4)]
    recs = [_draw((n, u), 0.4) for _ in range(4)]
    k, rk, b = layer.get_weights()
    np.testing.assert_allclose(got, _numpy_lstm_implementation_1(x, k, rk, b, ins, recs), rtol=1e-5, atol=1e-6)
    assert not np.allclose(got, layer(x).numpy(), atol=1e-3)  # the masks did something


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_inference_equals_no_dropout(kind, rng):
    x = rng.normal(size=(4, 6, 3)).astype("float32")
    plain = getattr(gradkit.layers, kind)(5, return_sequences=True)
    dropped = getattr(gradkit.layers, kind)(5, return_sequences=True, dropout=0.3, recurrent_dropout=0.5)
    plain(x), dropped(x)
    dropped.set_weights(plain.get_weights())
    np.testing.assert_array_equal(dropped(x).numpy(), plain(x).numpy())
    np.testing.assert_array_equal(dropped(x, training=False).numpy(), plain(x).numpy())


def _distribution(outputs):
    """{value rounded to 4 decimals: fraction of the sequences ending there}."""
    values, counts = np.unique(np.round(np.asarray(outputs).ravel(), 4), return_counts=True)
    return dict(zip(values.tolist(), (counts / counts.sum()).tolist()))


# units=1 and one feature: each mask entry is 0 or 1/(1-rate), so a sequence's final output takes one of a few
# values (one per combination of its masks); the set shows whether masks are per sequence (redrawn per step there
# would be more values), per gate, and how they scale. Weights chosen so that different combinations differ.
WEIGHTS = {
    "SimpleRNN": [np.array([[0.9]]), np.array([[0.8]]), np.array([0.1])],
    "LSTM": [np.array([[0.5, -0.3, 0.8, 0.2]]), np.array([[0.7, 0.4, -0.6, 0.9]]), np.array([0.1, 1.0, -0.2, 0.3])],
    "GRU": [np.array([[0.5, -0.3, 0.8]]), np.array([[0.7, 0.4, -0.6]]), np.array([[0.1, 0.2, -0.2], [0.3, -0.1, 0.2]])],
}
SETTINGS = {"SimpleRNN": dict(dropout=0.3, recurrent_dropout=0.5), "LSTM": dict(recurrent_dropout=0.5),
            "GRU": dict(recurrent_dropout=0.5)}


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_training_reaches_the_values_keras_reaches_as_often(kind):
    keras = _keras()
    keras.utils.set_random_seed(0)
    x = np.ones((3000, 3, 1), "float32")
    weights = [w.astype("float32") for w in WEIGHTS[kind]]
    k = getattr(keras.layers, kind)(1, **SETTINGS[kind])
    g = getattr(gradkit.layers, kind)(1, **SETTINGS[kind])
    k(x[:1]), g(x[:1])
    k.set_weights(weights), g.set_weights(weights)
    kd, gd = _distribution(k(x, training=True)), _distribution(g(x, training=True).numpy())
    assert sorted(gd) == sorted(kd)
    assert len(gd) == {"SimpleRNN": 4, "LSTM": 16, "GRU": 8}[kind]  # every combination of the masks: 2^masks
    for v in kd:
        assert abs(gd[v] - kd[v]) < 0.04, (v, gd[v], kd[v])


def test_recurrent_dropout_gradcheck_with_fixed_masks(float64, rng):
    """The cell path in training, masks drawn from the same seed on every evaluation: backprop = central differences."""
    x = rng.normal(size=(3, 4, 2))
    for layer in (LSTM(3, dropout=0.2, recurrent_dropout=0.4), GRU(3, recurrent_dropout=0.4, reset_after=False),
                  GRU(3, recurrent_dropout=0.4), SimpleRNN(3, dropout=0.3, recurrent_dropout=0.4)):
        layer(x)
        ws = [gradkit.Tensor(w.copy(), requires_grad=True) for w in layer.get_weights()]
        res = gradcheck(lambda xt, k, rk, b, layer=layer: _with(layer, [k, rk, b], xt),
                        [gradkit.Tensor(x, requires_grad=True)] + ws)
        assert res.passed, (layer.name, res)


def _with(layer, weights, x):
    """layer's training call with its weights replaced by the Tensors given (so gradcheck differentiates them)."""
    backend.set_seed(3)
    saved = layer.kernel, layer.recurrent_kernel, layer.bias
    layer.kernel, layer.recurrent_kernel, layer.bias = weights
    try:
        return layer.call(x, training=True)
    finally:
        layer.kernel, layer.recurrent_kernel, layer.bias = saved


def _dlwp(lib, stacked):
    """Deep Learning with Python's temperature-forecasting models (timeseries chapter), on 14 features."""
    inputs = lib.Input(shape=(24, 14))
    if stacked:
        x = lib.layers.GRU(32, recurrent_dropout=0.5, return_sequences=True)(inputs)
        x = lib.layers.GRU(32, recurrent_dropout=0.5)(x)
    else:
        x = lib.layers.LSTM(32, recurrent_dropout=0.25)(inputs)
    x = lib.layers.Dropout(0.5)(x)
    return lib.Model(inputs, lib.layers.Dense(1)(x))


@pytest.mark.parametrize("stacked", [False, True], ids=["lstm", "stacked-gru"])
def test_dlwp_timeseries_models_match_keras_in_inference_and_train(stacked, rng):
    keras = _keras()
    x = rng.normal(size=(16, 24, 14)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    km, gm = _dlwp(keras, stacked), _dlwp(gradkit, stacked)
    gm.set_weights(km.get_weights())
    np.testing.assert_allclose(gm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    gm.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    hist = gm.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert np.all(np.isfinite(hist.history["loss"])) and hist.history["loss"][-1] < hist.history["loss"][0] * 1.5
    assert len(gm.layers[1].get_weights()) == 3


def test_compiled_fit_with_recurrent_dropout_equals_eager():
    """The training step replayed draws fresh masks each batch, exactly as the eager step."""
    r = np.random.default_rng(2)
    x, y = r.normal(size=(24, 7, 3)).astype("float32"), r.normal(size=(24, 1)).astype("float32")

    def run(jit):
        backend.set_seed(1)
        m = Sequential([Input((7, 3)), LSTM(4, recurrent_dropout=0.3, return_sequences=True),
                        GRU(3, recurrent_dropout=0.2, dropout=0.1), Dropout(0.2), Dense(1)])
        m.compile("rmsprop", "mse", jit_compile=jit)
        return m, m.fit(x, y, batch_size=8, epochs=2, verbose=0).history
    (eager, he), (compiled, hc) = run(False), run("auto")
    for a, b in zip(eager.get_weights(), compiled.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert he == hc
    assert not compiled._compiled_step.eager


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("value", [1.0, -0.1, "0.5"])
def test_bad_rates_name_the_argument(kind, value):
    with pytest.raises(ConfigError, match=f"{kind}: recurrent_dropout must be a number in \\[0, 1\\), got"):
        getattr(gradkit.layers, kind)(3, recurrent_dropout=value)
    with pytest.raises(ConfigError, match=f"{kind}Cell: dropout must be a number in \\[0, 1\\), got"):
        getattr(gradkit.layers, kind + "Cell")(3, dropout=value)
