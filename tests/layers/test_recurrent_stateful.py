"""stateful=True with reset_states() / reset_state(), batch sizes from Input(batch_shape=...), Keras 2's
batch_input_shape= and batch_size=, states carried across the batches of fit and predict; against real Keras 3."""
import os

import numpy as np
import pytest

import gradkit
from gradkit.errors import ConfigError, ShapeError
from gradkit.layers import GRU, LSTM, RNN, Dense, Input, LSTMCell, SimpleRNN
from gradkit.models import Sequential

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _keras():
    pytest.importorskip("tensorflow", reason="the Keras oracle needs TensorFlow")
    return pytest.importorskip("keras", reason="the Keras oracle needs Keras 3")


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_keras_io_cross_batch_statefulness_matches_keras(rng):
    """keras.io's "Working with RNN layers" guide: three paragraphs through one stateful LSTM, reset_states(), and
    the final states reused as another layer's initial_state."""
    keras = _keras()
    paragraphs = [rng.random((20, 10, 50)).astype("float32") for _ in range(3)]
    k, g = keras.layers.LSTM(64, stateful=True), LSTM(64, stateful=True)
    k(paragraphs[0][:, :1]), g(paragraphs[0][:, :1])
    k.reset_states(), g.reset_states()
    g.set_weights(k.get_weights())
    for p in paragraphs:
        _close(g(p).numpy(), k(p))
    for ks, gs in zip(k.states, g.states):
        _close(gs.numpy(), ks)
    k.reset_states(), g.reset_states()
    assert all(not np.any(s.numpy()) for s in g.states)
    _close(g(paragraphs[0]).numpy(), k(paragraphs[0]))  # after the reset: the first paragraph's numbers again
    kn, gn = keras.layers.LSTM(64), LSTM(64)
    kn(paragraphs[2]), gn(paragraphs[2])
    gn.set_weights(kn.get_weights())
    _close(gn(paragraphs[2], initial_state=g.states).numpy(), kn(paragraphs[2], initial_state=k.states))


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "GRU-reset-before", "RNN-LSTMCell"])
def test_stateful_layers_carry_states_like_keras(kind, rng):
    keras = _keras()

    def make(lib):
        if kind == "RNN-LSTMCell":
            return lib.layers.RNN(lib.layers.LSTMCell(4), stateful=True, return_sequences=True)
        if kind == "GRU-reset-before":
            return lib.layers.GRU(4, reset_after=False, stateful=True, return_sequences=True)
        return getattr(lib.layers, kind)(4, stateful=True, return_sequences=True)
    xs = [rng.normal(size=(3, 5, 2)).astype("float32") for _ in range(3)]
    k, g = make(keras), make(gradkit)
    k(xs[0]), g(xs[0])
    k.reset_state(), g.reset_state()
    g.set_weights(k.get_weights())
    for x in xs:
        _close(g(x).numpy(), k(x))


def _stateful_model(lib, keras2=False):
    if keras2:  # Keras 2's spelling (keras.io's lstm_stateful example); Keras 3 takes Input(batch_shape=...)
        first = [lib.layers.LSTM(6, stateful=True, return_sequences=True, batch_input_shape=(4, 5, 3))]
    else:
        first = [lib.Input(batch_shape=(4, 5, 3)), lib.layers.LSTM(6, stateful=True, return_sequences=True)]
    return lib.Sequential(first + [lib.layers.GRU(3, stateful=True), lib.layers.Dense(1)])


@pytest.mark.parametrize("keras2", [False, True], ids=["batch_shape", "batch_input_shape"])
def test_stateful_model_fit_and_predict_carry_states_like_keras(keras2, rng):
    keras = _keras()
    x = rng.normal(size=(12, 5, 3)).astype("float32")
    y = rng.normal(size=(12, 1)).astype("float32")
    km, gm = _stateful_model(keras), _stateful_model(gradkit, keras2)
    assert gm.output.shape == (4, 1) and gm.layers[0]._expected_batch_size == 4
    gm.set_weights(km.get_weights())
    for _ in range(2):  # the second predict starts from the states the first left
        _close(gm.predict(x, batch_size=4, verbose=0), km.predict(x, batch_size=4, verbose=0))
    km.reset_states() if hasattr(km, "reset_states") else [l.reset_states() for l in km.layers[:2]]
    for layer in gm.layers[:2]:
        layer.reset_states()
    km.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    gm.compile(optimizer=gradkit.optimizers.SGD(0.1), loss="mse")
    km.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    gm.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    for kw, gw in zip(km.get_weights(), gm.get_weights()):
        np.testing.assert_allclose(gw, kw, rtol=2e-5, atol=2e-6)
    for kl, gl in zip(km.layers[:2], gm.layers[:2]):
        for ks, gs in zip(kl.states, gl.states):
            np.testing.assert_allclose(gs.numpy(), np.asarray(ks), rtol=2e-5, atol=2e-6)
    assert gm._compiled_step is None  # a stateful model trains eagerly: a replayed step would freeze its states


def test_batch_size_mismatch_names_the_sizes(rng):
    model = Sequential([Input(batch_shape=(4, 5, 3)), LSTM(2, stateful=True), Dense(1)])
    with pytest.raises(ShapeError, match=r"layer 'lstm\w*' is stateful with batch size 4, got a batch of 6 samples; "
                                         r"give fit/predict/evaluate batch_size=4"):
        model.predict(rng.normal(size=(6, 5, 3)), batch_size=6, verbose=0)
    with pytest.raises(ShapeError, match="batch size 4, got a batch of 2 samples"):  # 10 = 4 + 4 + 2
        model.predict(rng.normal(size=(10, 5, 3)), batch_size=4, verbose=0)


def test_the_first_batch_fixes_the_size_without_a_batch_shape(rng):
    """Keras requires a static batch size up front; gradkit also takes it from the first batch the layer sees."""
    layer = SimpleRNN(3, stateful=True)
    a = layer(rng.normal(size=(2, 4, 1))).numpy()
    assert layer._expected_batch_size == 2 and layer.states[0].shape == (2, 3)
    with pytest.raises(ShapeError, match="stateful with batch size 2, got a batch of 5"):
        layer(rng.normal(size=(5, 4, 1)))
    assert np.any(a)


def test_reset_states_with_values_and_its_errors(rng):
    layer = LSTM(3, stateful=True)
    x = rng.normal(size=(2, 4, 1))
    layer(x)
    h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    layer.reset_states([h, c])  # Keras 2's reset_states(states)
    _close(layer.states[0].numpy(), h)
    fresh = LSTM(3)
    fresh(x)
    fresh.set_weights(layer.get_weights())
    _close(layer(x).numpy(), fresh(x, initial_state=[h, c]).numpy())
    with pytest.raises(ShapeError, match=r"has 2 state\(s\), reset_states got 1"):
        layer.reset_states([h])
    with pytest.raises(ShapeError, match=r"expects a state of shape \(2, 3\), got \(3, 3\)"):
        layer.reset_states([h, np.zeros((3, 3))])
    with pytest.raises(ConfigError, match="reset_states\\(\\) needs stateful=True, got stateful=False"):
        fresh.reset_states()


def test_batch_input_shape_errors():
    with pytest.raises(ConfigError, match="give input_shape= or batch_input_shape=, not both"):
        LSTM(2, input_shape=(5, 3), batch_input_shape=(4, 5, 3))
    with pytest.raises(ConfigError, match=r"batch_input_shape is \(batch_size, \.\.\.\) .* got \(4,\)"):
        Dense(2, batch_input_shape=(4,))
    model = Sequential([GRU(2, stateful=True, input_shape=(5, 3), batch_size=8)])  # Keras 2's batch_size=
    assert model.output.shape == (8, 2)


def test_stateful_rnn_of_a_cell_and_symbolic_calls_leave_states_alone(rng):
    layer = RNN(LSTMCell(3), stateful=True)
    inp = Input(batch_shape=(2, 4, 1))
    model = gradkit.Model(inp, layer(inp))
    assert layer.states is None  # building the model ran placeholders, not data
    x = rng.normal(size=(2, 4, 1)).astype("float32")
    first = model.predict(x, batch_size=2, verbose=0)
    second = model.predict(x, batch_size=2, verbose=0)
    assert not np.allclose(first, second)
    layer.reset_state()
    _close(model.predict(x, batch_size=2, verbose=0), first)


def test_stateful_model_saves_and_loads_with_its_batch_size(tmp_path, rng):
    model = Sequential([LSTM(3, stateful=True, batch_input_shape=(4, 5, 3)), Dense(1)])
    model.save(tmp_path / "s.keras")
    again = gradkit.models.load_model(tmp_path / "s.keras")
    assert again.layers[0].stateful and again.input.shape == (4, 5, 3)
    x = rng.normal(size=(8, 5, 3)).astype("float32")
    np.testing.assert_array_equal(again.predict(x, batch_size=4, verbose=0), model.predict(x, batch_size=4, verbose=0))
    with pytest.raises(ShapeError, match="stateful with batch size 4, got a batch of 8"):
        again.predict(x, batch_size=8, verbose=0)


def test_keras2_model_reset_states_resets_every_stateful_layer(rng):
    """keras.io's Keras 2 stateful example calls model.reset_states() between epochs (removed in Keras 3)."""
    model = Sequential([LSTM(3, stateful=True, return_sequences=True, batch_input_shape=(2, 4, 1)),
                        gradkit.layers.Bidirectional(GRU(2, stateful=True)), Dense(1)])
    x = rng.normal(size=(2, 4, 1)).astype("float32")
    first = model.predict(x, batch_size=2, verbose=0)
    assert not np.allclose(model.predict(x, batch_size=2, verbose=0), first)
    with pytest.warns(DeprecationWarning, match=r"model.reset_states\(\) is Keras 2 code"):
        gradkit.compat.reset() or model.reset_states()
    np.testing.assert_array_equal(model.predict(x, batch_size=2, verbose=0), first)
