"""RNN(cell) with SimpleRNNCell / LSTMCell / GRUCell / StackedRNNCells / a user's cell, and GRU(reset_after=False),
against real Keras 3 (TensorFlow): from the same weights, the outputs and states, and the weights after one SGD step
on the same batch, agree to float32 rounding."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
pytest.importorskip("tensorflow", reason="the Keras oracle needs TensorFlow")
keras = pytest.importorskip("keras", reason="the Keras oracle needs Keras 3")

import gradkit  # noqa: E402

N, T, D, U, VOCAB = 4, 6, 3, 5, 9


def compare(build, xs, rng, atol=2e-6):
    """build(lib) makes the same model from gradkit or keras; compare predictions, then the weights after one SGD
    step on the same batch (gradkit's fit vs Keras's train_on_batch)."""
    km, gm = build(keras), build(gradkit)
    assert [w.shape for w in gm.get_weights()] == [tuple(w.shape) for w in km.get_weights()]
    gm.set_weights(km.get_weights())
    kp, gp = km.predict(xs, verbose=0), gm.predict(xs, verbose=0)
    kp, gp = (list(p) if isinstance(p, (list, tuple)) else [p] for p in (kp, gp))
    assert len(kp) == len(gp)
    for a, b in zip(kp, gp):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    ys = [rng.normal(size=(N,) + tuple(o.shape[1:])).astype("float32") for o in km.outputs]
    ys = ys[0] if len(ys) == 1 else ys
    km.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    gm.compile(optimizer=gradkit.optimizers.SGD(0.5), loss="mse")
    km.train_on_batch(xs, ys)
    gm.fit(xs, ys, batch_size=N, epochs=1, shuffle=False, verbose=0)
    for kw, gw in zip(km.get_weights(), gm.get_weights()):
        np.testing.assert_allclose(gw, kw, rtol=1e-5, atol=atol)
    return km, gm


def _cell(lib, name, **kw):
    if name == "GRUCell-reset-before":
        return lib.layers.GRUCell(U, reset_after=False, **kw)
    return getattr(lib.layers, name)(U, **kw)


CELLS = ["SimpleRNNCell", "LSTMCell", "GRUCell", "GRUCell-reset-before"]
SETTINGS = [dict(), dict(return_sequences=True), dict(go_backwards=True),
            dict(return_sequences=True, go_backwards=True)]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(s) or "default")
def test_rnn_of_a_cell_matches_keras(cell, settings, rng):
    x = rng.normal(size=(N, T, D)).astype("float32")

    def build(lib):
        inp = lib.Input((T, D))
        out = lib.layers.RNN(_cell(lib, cell), **settings)(inp)
        return lib.Model(inp, lib.layers.Flatten()(out) if len(out.shape) == 3 else out)
    compare(build, x, rng)


@pytest.mark.parametrize("cell", CELLS)
def test_rnn_of_a_cell_equals_the_fused_layer(cell, rng):
    """RNN(LSTMCell(u)) and LSTM(u) from the same weights give the same numbers (Keras's LSTM is RNN(LSTMCell))."""
    x = rng.normal(size=(N, T, D)).astype("float32")
    kind = {"SimpleRNNCell": "SimpleRNN", "LSTMCell": "LSTM"}.get(cell, "GRU")
    kw = dict(reset_after=False) if cell.endswith("before") else {}
    layer = getattr(gradkit.layers, kind)(U, return_sequences=True, **kw)
    rnn = gradkit.layers.RNN(_cell(gradkit, cell), return_sequences=True)
    layer(x), rnn(x)
    rnn.set_weights(layer.get_weights())
    np.testing.assert_allclose(rnn(x).numpy(), layer(x).numpy(), rtol=1e-5, atol=1e-6)


def test_stacked_cells_with_return_state_match_keras(rng):
    x = rng.normal(size=(N, T, D)).astype("float32")

    def build(lib):
        inp = lib.Input((T, D))
        cells = [lib.layers.LSTMCell(U), lib.layers.GRUCell(3), lib.layers.SimpleRNNCell(2)]
        out, (h1, c1), h2, h3 = lib.layers.RNN(lib.layers.StackedRNNCells(cells), return_state=True)(inp)
        return lib.Model(inp, [out, h1, c1, h2, h3])
    km, gm = compare(build, x, rng)
    assert [w.shape for w in gm.get_weights()] == [(D, 4 * U), (U, 4 * U), (4 * U,), (U, 9), (3, 9), (2, 9),
                                                  (3, 2), (2, 2), (2,)]


def test_a_list_of_cells_is_stacked_and_masks_from_embedding_match_keras(rng):
    ids = rng.integers(1, VOCAB, size=(N, T))
    ids[0, :2], ids[2, :] = 0, 0  # pre-padding, and a fully padded row

    def build(lib):
        inp = lib.Input((T,))
        h = lib.layers.Embedding(VOCAB, D, mask_zero=True)(inp)
        out = lib.layers.RNN([lib.layers.GRUCell(U), lib.layers.LSTMCell(U)], return_sequences=True)(h)
        return lib.Model(inp, lib.layers.Flatten()(out))  # Flatten drops the mask: the layer alone is compared
    compare(build, ids, rng)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(s) or "default")
def test_gru_reset_after_matches_keras(reset_after, settings, rng):
    x = rng.normal(size=(N, T, D)).astype("float32")

    def build(lib):
        inp = lib.Input((T, D))
        out = lib.layers.GRU(U, reset_after=reset_after, **settings)(inp)
        return lib.Model(inp, lib.layers.Flatten()(out) if len(out.shape) == 3 else out)
    km, gm = compare(build, x, rng)
    assert gm.layers[1].bias.shape == ((2, 3 * U) if reset_after else (3 * U,))


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_with_mask_and_initial_state_matches_keras(reset_after, rng):
    """Layers called directly (Keras 3's functional model drops the mask of a layer called with initial_state=, so
    its model gives the unmasked numbers; gradkit's applies the mask as the direct call does)."""
    x = rng.normal(size=(N, T, D)).astype("float32")
    mask = np.ones((N, T), bool)
    mask[1, :3], mask[2, 4:] = False, False
    h0 = rng.normal(size=(N, U)).astype("float32")
    k = keras.layers.GRU(U, reset_after=reset_after, return_sequences=True, return_state=True)
    g = gradkit.layers.GRU(U, reset_after=reset_after, return_sequences=True, return_state=True)
    k(x), g(x)
    g.set_weights(k.get_weights())
    for a, b in zip(k(x, initial_state=h0, mask=mask), g(x, initial_state=h0, mask=mask)):
        np.testing.assert_allclose(b.numpy(), np.asarray(a), rtol=1e-5, atol=1e-6)


class _Minimal:
    """keras.io's MinimalRNNCell (the RNN layer's docstring), for either library."""

    @staticmethod
    def make(lib):
        class MinimalRNNCell(lib.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units = units
                self.state_size = units

            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform",
                                              name="kernel")
                self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                        name="recurrent_kernel")

            def call(self, inputs, states):
                prev_output = states[0]
                h = lib.ops.matmul(inputs, self.kernel)
                output = h + lib.ops.matmul(prev_output, self.recurrent_kernel)
                return output, [output]
        return MinimalRNNCell


def test_keras_io_minimal_rnn_cell_matches_keras(rng):
    x = rng.normal(size=(N, T, D)).astype("float32") * 0.3

    def build(lib):
        cell = _Minimal.make(lib)
        inp = lib.Input((None, D))
        return lib.Model(inp, lib.layers.RNN(cell(U))(inp))
    km, gm = compare(build, x, rng)
    assert gm.output.shape == (None, U)

    def stacked(lib):
        cell = _Minimal.make(lib)
        inp = lib.Input((None, D))
        return lib.Model(inp, lib.layers.RNN([cell(U), cell(7)])(inp))
    km, gm = compare(stacked, x, rng)
    assert gm.output.shape == (None, 7)


def test_user_cell_with_output_size_and_initial_state_matches_keras(rng):
    """A cell whose output differs from its states (output_size), with two states and its own get_initial_state."""
    x = rng.normal(size=(N, T, D)).astype("float32")

    def build(lib):
        ops = lib.ops

        class TwoStateCell(lib.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units, self.state_size, self.output_size = units, [units, 2], 2 * units

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="w")
                self.v = self.add_weight(shape=(2, self.units), initializer="glorot_uniform", name="v")

            def get_initial_state(self, batch_size=None):
                return [ops.ones((batch_size, self.units)) * 0.5, ops.zeros((batch_size, 2))]

            def call(self, inputs, states):
                h = ops.tanh(ops.matmul(inputs, self.w) + states[0] + ops.matmul(states[1], self.v))
                s2 = states[1] * 0.5 + ops.mean(h, axis=-1, keepdims=True)
                return ops.concatenate([h, h * h], axis=-1), [h, s2]

        inp = lib.Input((T, D))
        seq, h, s2 = lib.layers.RNN(TwoStateCell(U), return_sequences=True, return_state=True)(inp)
        return lib.Model(inp, [lib.layers.Flatten()(seq), h, s2])
    km, gm = compare(build, x, rng)
    assert [tuple(o.shape) for o in gm.outputs] == [(None, T * 2 * U), (None, U), (None, 2)]


def test_rnn_config_round_trips_like_keras():
    x = np.zeros((2, T, D), "float32")
    layer = gradkit.layers.RNN([gradkit.layers.LSTMCell(U, dropout=0.1), gradkit.layers.GRUCell(3, reset_after=False)],
                               return_sequences=True, go_backwards=True)
    layer(x)
    cfg = layer.get_config()
    assert cfg["cell"]["class_name"] == "StackedRNNCells"
    assert [c["class_name"] for c in cfg["cell"]["config"]["cells"]] == ["LSTMCell", "GRUCell"]
    again = gradkit.layers.RNN.from_config(cfg)
    again(x)
    again.set_weights(layer.get_weights())
    np.testing.assert_array_equal(again(x).numpy(), layer(x).numpy())
    # Keras's own RNN config (its cell dicts) loads in gradkit
    k = keras.layers.RNN([keras.layers.LSTMCell(U), keras.layers.GRUCell(3, reset_after=False)], return_sequences=True)
    k(x)
    cfg = k.get_config()
    for c in cfg["cell"]["config"]["cells"]:  # Keras 3.15's glorot config adds input_axes / output_axes, which
        c["config"].pop("kernel_initializer")  # gradkit's initializers do not take (left to the initializers' owner)
    g = gradkit.layers.RNN.from_config(cfg)
    g(x)
    g.set_weights(k.get_weights())
    np.testing.assert_allclose(g(x).numpy(), np.asarray(k(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("merge_mode", ["concat", "sum"])
def test_bidirectional_rnn_of_cells_matches_keras(merge_mode, rng):
    x = rng.normal(size=(N, T, D)).astype("float32")

    def build(lib):
        inp = lib.Input((T, D))
        rnn = lib.layers.RNN([lib.layers.GRUCell(U, reset_after=False), lib.layers.LSTMCell(3)],
                             return_sequences=True)
        out = lib.layers.Bidirectional(rnn, merge_mode=merge_mode)(inp)
        return lib.Model(inp, lib.layers.Flatten()(out))
    km, gm = compare(build, x, rng)
    again = gradkit.layers.Bidirectional.from_config(gm.layers[1].get_config())
    again(x)
    again.set_weights(gm.layers[1].get_weights())
    np.testing.assert_array_equal(again(x).numpy(), gm.layers[1](x).numpy())
