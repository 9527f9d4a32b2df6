"""SimpleRNN, LSTM, GRU and Bidirectional against real Keras 3 (TensorFlow): from the same weights, the
forward output and the weights after one SGD step on the same batch agree to float32 rounding."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

import gradkit  # noqa: E402

N, T, D, U, VOCAB = 4, 6, 3, 5, 9
RNNS = ["SimpleRNN", "LSTM", "GRU"]


def _ids(rng):
    """Pre-padded id sequences (pad_sequences' default) with a fully padded and an unpadded row."""
    ids = rng.integers(1, VOCAB, size=(N, T))
    for i, n_pad in enumerate([2, 0, T, 4]):
        ids[i, :n_pad] = 0
    return ids


def compare(build, xs, y_shape, rng):
    """build(lib) makes the same functional model from gradkit or keras; compare predictions and one SGD step."""
    km, gm = build(keras), build(gradkit)
    gm.set_weights(km.get_weights())
    ys = [rng.normal(size=(N,) + s[1:]).astype("float32") for s in y_shape(km)]
    ys = ys[0] if len(ys) == 1 else ys
    kp, gp = km.predict(xs, verbose=0), gm.predict(xs, verbose=0)
    kp, gp = (list(p) if isinstance(p, (list, tuple)) else [p] for p in (kp, gp))
    assert len(kp) == len(gp)
    for a, b in zip(kp, gp):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    km.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    gm.compile(optimizer=gradkit.optimizers.SGD(0.5), loss="mse")
    km.train_on_batch(xs, ys)
    gm.fit(xs, ys, batch_size=N, epochs=1, shuffle=False, verbose=0)
    for kw, gw in zip(km.get_weights(), gm.get_weights()):
        np.testing.assert_allclose(gw, kw, rtol=1e-5, atol=2e-6)
    return km, gm


def _unmasked(lib, seq):
    """Flatten drops the mask, so these tests compare the layers alone (the masked loss of a sequence output is
    compared in tests/layers/test_masking.py)."""
    return lib.layers.Flatten()(seq) if len(seq.shape) == 3 else seq


def _outputs(km):
    return [tuple(o.shape) for o in km.outputs]


SETTINGS = [dict(), dict(return_sequences=True), dict(go_backwards=True),
            dict(return_sequences=True, go_backwards=True)]


@pytest.mark.parametrize("kind", RNNS)
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(s) or "default")
def test_layer_matches_keras(kind, settings, rng):
    x = rng.normal(size=(N, T, D)).astype("float32")

    def build(lib):
        inp = lib.Input((T, D))
        return lib.Model(inp, getattr(lib.layers, kind)(U, **settings)(inp))
    km, gm = compare(build, x, _outputs, rng)
    assert [w.shape for w in gm.get_weights()] == [w.shape for w in km.get_weights()]


@pytest.mark.parametrize("kind", RNNS)
@pytest.mark.parametrize("settings", [dict(), dict(return_sequences=True), dict(go_backwards=True),
                                      dict(return_sequences=True, go_backwards=True)],
                         ids=lambda s: "-".join(s) or "default")
def test_masking_from_embedding_matches_keras(kind, settings, rng):
    ids = _ids(rng)

    def build(lib):
        inp = lib.Input((T,))
        h = lib.layers.Embedding(VOCAB, D, mask_zero=True)(inp)
        return lib.Model(inp, _unmasked(lib, getattr(lib.layers, kind)(U, **settings)(h)))
    compare(build, ids, _outputs, rng)


@pytest.mark.parametrize("kind", RNNS)
def test_return_state_and_initial_state_match_keras(kind, rng):
    x = rng.normal(size=(N, T, D)).astype("float32")
    n_states = 2 if kind == "LSTM" else 1
    states = [rng.normal(size=(N, U)).astype("float32") for _ in range(n_states)]

    def build(lib):
        inp, s_in = lib.Input((T, D)), [lib.Input((U,)) for _ in range(n_states)]
        seq, *final = getattr(lib.layers, kind)(U, return_sequences=True, return_state=True)(inp, initial_state=s_in)
        return lib.Model([inp] + s_in, [lib.layers.Flatten()(seq)] + final)  # (gradkit's fit sums per-sample losses)
    compare(build, [x] + states, _outputs, rng)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_matches_keras(merge_mode, return_sequences, rng):
    x = rng.normal(size=(N, T, D)).astype("float32")

    def build(lib):
        inp = lib.Input((T, D))
        out = lib.layers.Bidirectional(lib.layers.LSTM(U, return_sequences=return_sequences),
                                       merge_mode=merge_mode)(inp)
        return lib.Model(inp, out)
    compare(build, x, _outputs, rng)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_with_mask_and_states_matches_keras(kind, return_sequences, rng):
    ids = _ids(rng)

    def build(lib):
        inp = lib.Input((T,))
        h = lib.layers.Embedding(VOCAB, D, mask_zero=True)(inp)
        out = lib.layers.Bidirectional(getattr(lib.layers, kind)(U, return_sequences=return_sequences,
                                                                  return_state=True))(h)
        return lib.Model(inp, [_unmasked(lib, out[0])] + list(out[1:]))
    compare(build, ids, _outputs, rng)


def test_stacked_masked_lstm_in_sequential_matches_keras(rng):
    ids = _ids(rng)

    def build(lib):
        return lib.Sequential([lib.Input((T,)), lib.layers.Embedding(VOCAB, D, mask_zero=True),
                               lib.layers.LSTM(U, return_sequences=True), lib.layers.GRU(U),
                               lib.layers.Dense(1, activation="sigmoid")])
    compare(build, ids, _outputs, rng)


def test_weights_and_initializers_have_keras_layouts():
    x = np.zeros((1, T, D), "float32")
    for kind, bias in [("SimpleRNN", (U,)), ("LSTM", (4 * U,)), ("GRU", (2, 3 * U))]:
        kl, gl = getattr(keras.layers, kind)(U), getattr(gradkit.layers, kind)(U)
        kl(x), gl(x)
        assert [w.shape for w in gl.get_weights()] == [tuple(w.shape) for w in kl.get_weights()] \
            == [(D, bias[-1]), (U, bias[-1]), bias]
    lstm = gradkit.layers.LSTM(U)
    lstm(x)
    k, rk, b = lstm.get_weights()
    np.testing.assert_array_equal(b, np.r_[np.zeros(U), np.ones(U), np.zeros(2 * U)])  # unit_forget_bias
    np.testing.assert_allclose(rk @ rk.T, np.eye(U), atol=1e-5)  # orthogonal rows (U < 4U)
