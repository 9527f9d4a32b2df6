"""Recurrent layers without Keras: compiled fit equals eager, masks, shapes, errors and configs."""
import numpy as np
import pytest

from gradkit import backend
from gradkit.errors import ConfigError, ShapeError
from gradkit.layers import GRU, LSTM, Bidirectional, Dense, Embedding, Input, SimpleRNN
from gradkit.models import Model, Sequential, load_model

R = np.random.default_rng(5)
IDS = R.integers(1, 20, size=(24, 7))
IDS[::3, :3] = 0  # pre-padding on every third sequence
Y = (R.random((24, 1)) > 0.5).astype(np.float32)


def _fit(build, jit):
    backend.set_seed(1)
    model = build()
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"], jit_compile=jit)
    hist = model.fit(IDS, Y, batch_size=8, epochs=2, verbose=0)
    return model, hist.history


CASES = {
    "lstm-masked": lambda: Sequential([Input((7,)), Embedding(20, 4, mask_zero=True), LSTM(3),
                                       Dense(1, activation="sigmoid")]),
    "gru-stacked": lambda: Sequential([Input((7,)), Embedding(20, 4, mask_zero=True), GRU(3, return_sequences=True),
                                       SimpleRNN(2, go_backwards=True), Dense(1, activation="sigmoid")]),
    "bidirectional-dropout": lambda: Sequential([Input((7,)), Embedding(20, 4),
                                                 Bidirectional(LSTM(3, dropout=0.3)), Dense(1, activation="sigmoid")]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_fit_equals_eager(name):
    (eager, he), (compiled, hc) = _fit(CASES[name], False), _fit(CASES[name], "auto")
    for a, b in zip(eager.get_weights(), compiled.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert he == hc
    step = compiled._compiled_step
    assert not step.eager and any(ok for _, ok in step.programs.values())  # really replayed, masks included


def test_padded_steps_change_nothing():
    """A sequence with extra leading padding gives the same output (the state is carried over)."""
    backend.set_seed(0)
    model = Sequential([Input((None,)), Embedding(20, 4, mask_zero=True), LSTM(3)])
    short, padded = np.array([[5, 6, 7]]), np.array([[0, 0, 0, 5, 6, 7]])
    np.testing.assert_allclose(model.predict(padded, verbose=0), model.predict(short, verbose=0), atol=1e-6)
    emb, lstm = model.layers
    eager = lstm(emb(padded))  # eager calls: the Embedding's mask rides on its output
    np.testing.assert_allclose(eager.numpy(), model.predict(short, verbose=0), atol=1e-6)


def test_return_state_in_a_functional_model_and_initial_state():
    backend.set_seed(0)
    x = Input((5, 3))
    seq, h, c = LSTM(4, return_sequences=True, return_state=True)(x)
    out = GRU(4)(seq, initial_state=h)
    model = Model(x, [out, c])
    assert [type(l).__name__ for l in model.layers] == ["InputLayer", "LSTM", "GRU"]  # the output picks are hidden
    assert model.output_shapes == [(None, 4), (None, 4)]
    a, b = model.predict(R.normal(size=(2, 5, 3)), verbose=0)
    assert a.shape == b.shape == (2, 4)


def test_wrong_rank_is_a_shape_error_naming_the_layer():
    layer = LSTM(4, name="enc")
    with pytest.raises(ShapeError, match=r"layer 'enc' expects a 3D input \(batch, timesteps, features\), "
                                         r"got an input of shape \(2, 5\)"):
        layer(np.zeros((2, 5), np.float32))
    with pytest.raises(ShapeError, match="expects a 3D input"):
        Sequential([Input((5,)), GRU(2)])
    layer = SimpleRNN(2, name="r")
    layer(np.zeros((1, 3, 4), np.float32))
    with pytest.raises(ShapeError, match="layer 'r' expects inputs with 4 features per timestep, got .*\\(1, 3, 5\\)"):
        layer(np.zeros((1, 3, 5), np.float32))
    with pytest.raises(ShapeError, match=r"initial states of shape \(1, 2\), got \(1, 3\)"):
        layer(np.zeros((1, 3, 4), np.float32), initial_state=np.zeros((1, 3), np.float32))


def test_unsupported_settings_are_config_errors():
    with pytest.raises(ConfigError, match=r"LSTM: recurrent_dropout must be a number in \[0, 1\), got 1.5"):
        LSTM(2, recurrent_dropout=1.5)  # recurrent_dropout, reset_after=False and stateful: see test_recurrent_*.py
    with pytest.raises(ConfigError, match="support the activations"):
        LSTM(2, activation="softmax")
    with pytest.raises(ConfigError, match="merge_mode"):
        Bidirectional(LSTM(2), merge_mode="max")


def test_save_and_load_keep_config_and_weights(tmp_path):
    backend.set_seed(0)
    model = Sequential([Input((6,)), Embedding(20, 4, mask_zero=True),
                        Bidirectional(GRU(3, return_sequences=True), merge_mode="sum"), LSTM(2, go_backwards=True)])
    path = tmp_path / "rnn.keras"
    model.save(path)
    again = load_model(path)
    ids = IDS[:4, :6]
    np.testing.assert_array_equal(again.predict(ids, verbose=0), model.predict(ids, verbose=0))
    assert [w.name for w in again.weights] == [w.name for w in model.weights]
    assert again.layers[1].forward_layer.name.startswith("forward_")
