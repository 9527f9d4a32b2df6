"""RNN cells and the recurrent layers' inputs, without Keras where possible: gradchecks in float64, sequences of
0 timesteps, integer inputs, misuse errors, save / load."""
import os

import numpy as np
import pytest

import gradkit
from gradkit import backend
from gradkit.errors import ConfigError, ShapeError
from gradkit.gradcheck import gradcheck
from gradkit.layers import (GRU, LSTM, RNN, Embedding, GRUCell, Input, LSTMCell, SimpleRNN, SimpleRNNCell,
                            StackedRNNCells)
from gradkit.models import Sequential, load_model

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

CELLS = {
    "simple": lambda: SimpleRNNCell(3),
    "lstm": lambda: LSTMCell(3),
    "gru": lambda: GRUCell(3),
    "gru-reset-before": lambda: GRUCell(3, reset_after=False),
    "stacked": lambda: StackedRNNCells([LSTMCell(3), GRUCell(2, reset_after=False), SimpleRNNCell(2)]),
}


@pytest.mark.parametrize("name", sorted(CELLS))
@pytest.mark.parametrize("settings", [dict(), dict(return_sequences=True, go_backwards=True)],
                         ids=["last", "sequences-backwards"])
def test_rnn_of_a_cell_gradcheck(float64, name, settings, rng):
    """Backprop through the step-by-step RNN (inputs, every weight, the initial states) = central differences."""
    x = rng.normal(size=(3, 4, 2))
    layer = RNN(CELLS[name](), **settings)
    layer(x)
    # the weight Variables themselves are gradcheck's inputs: it moves their data in place, the cells read them
    res = gradcheck(lambda xt, *ws: layer.call(xt), [gradkit.Tensor(x, requires_grad=True)] + layer.weights)
    assert res.passed, res


def test_masked_steps_carry_states_and_outputs(float64, rng):
    """With a mask, RNN(cell) = the cell run over the valid steps only (pre- and mid-sequence padding alike), and the
    gradient through the masked run passes gradcheck."""
    x = rng.normal(size=(2, 5, 2))
    mask = np.array([[False, False, True, True, True], [True, False, True, False, True]])
    layer = RNN(LSTMCell(3))
    layer(x)
    out = layer(x, mask=mask).numpy()
    for i in range(2):
        np.testing.assert_allclose(out[i], layer(x[i:i + 1, mask[i]]).numpy()[0], rtol=1e-12, atol=1e-12)
    res = gradcheck(lambda xt: layer.call(xt, mask=mask), [gradkit.Tensor(x, requires_grad=True)])
    assert res.passed, res


@pytest.mark.parametrize("make", [lambda: SimpleRNN(2), lambda: LSTM(2), lambda: GRU(2),
                                  lambda: GRU(2, reset_after=False), lambda: RNN(LSTMCell(2))],
                         ids=["SimpleRNN", "LSTM", "GRU", "GRU-reset-before", "RNN"])
def test_zero_timesteps_raise_naming_the_shape(make):
    """Keras and PyTorch raise on an empty sequence; gradkit used to return zeros."""
    layer = make()
    layer(np.zeros((2, 1, 3), "float32"))
    with pytest.raises(ShapeError, match=r"needs a sequence of at least 1 timestep, got an input of shape "
                                         r"\(2, 0, 3\) \(0 timesteps\)"):
        layer(np.zeros((2, 0, 3), "float32"))
    with pytest.raises(ShapeError, match=r"at least 1 timestep"):
        make()(np.zeros((2, 0, 3), "float32"))  # also when the empty sequence is what builds the layer


def test_keras_and_pytorch_also_raise_on_zero_timesteps():
    keras = pytest.importorskip("keras", reason="the Keras oracle needs Keras 3")
    torch = pytest.importorskip("torch", reason="the PyTorch oracle needs PyTorch")
    with pytest.raises(Exception):
        keras.layers.LSTM(2)(np.zeros((2, 0, 3), "float32"))
    with pytest.raises(Exception):
        torch.nn.LSTM(3, 2, batch_first=True)(torch.zeros(2, 0, 3))


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_integer_inputs_are_cast_to_floatx_as_keras(kind, rng):
    keras = pytest.importorskip("keras", reason="the Keras oracle needs Keras 3")
    pytest.importorskip("tensorflow", reason="the Keras oracle needs TensorFlow")
    ints = rng.integers(-2, 3, size=(3, 4, 2))
    k, g = getattr(keras.layers, kind)(3), getattr(gradkit.layers, kind)(3)
    k(ints.astype("float32")), g(ints.astype("float32"))
    g.set_weights(k.get_weights())
    out = g(ints)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), np.asarray(k(ints)), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(out.numpy(), g(ints.astype("float32")).numpy())
    assert np.any(out.numpy())


def test_rnn_rejects_what_is_not_a_cell():
    class NoState(gradkit.layers.Layer):
        def call(self, inputs, states):
            return inputs, states
    with pytest.raises(ConfigError, match=r"RNN: a cell needs a state_size attribute .* got state_size=None"):
        RNN(NoState())
    with pytest.raises(ConfigError, match="RNN: a cell needs a call\\(inputs, states\\) method, got 3"):
        RNN(3)
    with pytest.raises(ConfigError, match="StackedRNNCells: a cell needs a state_size"):
        StackedRNNCells([LSTMCell(2), NoState()])
    with pytest.raises(ConfigError, match="LSTMCell: units must be a positive integer, got 0"):
        LSTMCell(0)
    with pytest.raises(ShapeError, match=r"layer 'rnn\w*' expects a 3D input \(batch, timesteps, features\), got an "
                                         r"input of shape \(2, 3\)"):
        RNN(LSTMCell(2))(np.zeros((2, 3), "float32"))


def test_plain_object_cell_and_unroll_are_accepted(rng):
    """A cell need not be a Layer (Keras checks only call and state_size); unroll=True gives the same numbers."""
    w = rng.normal(size=(2, 3))

    class Leaky:
        state_size = 3

        def call(self, inputs, states):
            h = states[0] * 0.5 + gradkit.ops.tanh(gradkit.ops.matmul(inputs, w))
            return h, [h]
    x = rng.normal(size=(2, 4, 2)).astype("float32")
    a, b = RNN(Leaky())(x).numpy(), RNN(Leaky(), unroll=True)(x).numpy()
    h = np.zeros((2, 3))
    for t in range(4):
        h = h * 0.5 + np.tanh(x[:, t] @ w)
    np.testing.assert_allclose(a, h, rtol=1e-5)
    np.testing.assert_array_equal(a, b)


def test_models_with_cells_save_and_load(tmp_path, rng):
    backend.set_seed(0)
    ids = rng.integers(0, 9, size=(4, 6))
    model = Sequential([Input((6,)), Embedding(9, 3, mask_zero=True),
                        RNN([LSTMCell(4, recurrent_dropout=0.2), GRUCell(3, reset_after=False)],
                            return_sequences=True),
                        GRU(2, reset_after=False, recurrent_dropout=0.1), gradkit.layers.Dense(1)])
    before = model.predict(ids, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    again = load_model(path)
    np.testing.assert_array_equal(again.predict(ids, verbose=0), before)
    rnn, gru = again.layers[1], again.layers[2]
    assert isinstance(rnn.cell, StackedRNNCells) and rnn.cell.cells[0].recurrent_dropout == 0.2
    assert gru.reset_after is False and gru.bias.shape == (6,)


def test_keras_implementation_argument_is_accepted(rng):
    """Keras's LSTM / GRU / cells take implementation=1|2 (per-gate or fused kernels): the same numbers either way."""
    x = rng.normal(size=(2, 3, 2)).astype("float32")
    for one, two in [(LSTM(3, implementation=1), LSTM(3)), (GRU(3, implementation=1), GRU(3)),
                     (RNN(LSTMCell(3, implementation=1)), RNN(LSTMCell(3)))]:
        one(x), two(x)
        one.set_weights(two.get_weights())
        np.testing.assert_allclose(one(x).numpy(), two(x).numpy(), rtol=1e-6, atol=1e-7)
