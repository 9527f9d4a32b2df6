"""An Embedding trained by RMSprop when an id repeats in the batch: gradkit's velocity takes the square of the row's
summed gradient (RMSprop on the dense gradient, as PyTorch); Keras 3 on TensorFlow squares each occurrence's gradient
(its IndexedSlices keep the repeated rows) and sums those. This is why imdb-lstm's losses differ after an epoch."""
import numpy as np
import pytest

import gradkit

V, D, T = 6, 3, 4
IDS = np.array([[1, 1, 2, 3], [1, 4, 4, 4]])
Y = np.array([[1.0], [0.0]], dtype="float32")


def start():
    rng = np.random.default_rng(0)
    return rng.uniform(-0.5, 0.5, (V, D)).astype("float32"), rng.uniform(-0.5, 0.5, (T * D, 1)).astype("float32")


def one_step(lib):
    """The embedding table after one RMSprop(0.01) step of Embedding → Flatten → Dense(1) on IDS, mse."""
    table, kernel = start()
    model = lib.Sequential([lib.Input((T,)), lib.layers.Embedding(V, D), lib.layers.Flatten(),
                            lib.layers.Dense(1, use_bias=False)])
    model.set_weights([table, kernel])
    model.compile(optimizer=lib.optimizers.RMSprop(0.01), loss="mse")
    model.fit(IDS, Y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    return model.get_weights()[0]


def by_hand(square_each):
    """One RMSprop step (ρ 0.9, ε 1e-7 inside the root, as Keras) from the occurrences' gradients, in float64."""
    table, kernel = (a.astype(np.float64) for a in start())
    pred = table[IDS].reshape(2, -1) @ kernel
    g_rows = ((pred - Y) @ kernel.T).reshape(2, T, D)  # d mse / d embedded row (mean over the 2 samples: 2/2)
    grad, sq = np.zeros_like(table), np.zeros_like(table)
    np.add.at(grad, IDS, g_rows)
    np.add.at(sq, IDS, g_rows ** 2)
    velocity = 0.1 * (sq if square_each else grad ** 2)
    return table - 0.01 * grad / np.sqrt(velocity + 1e-7)


def test_gradkit_rmsprop_squares_the_summed_row_gradient():
    got = one_step(gradkit)
    np.testing.assert_allclose(got, by_hand(square_each=False), atol=2e-6)
    assert np.abs(got - by_hand(square_each=True)).max() > 1e-3  # the two rules do differ on this batch


def test_keras_tensorflow_rmsprop_squares_each_occurrence():
    pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the IndexedSlices gradient is TensorFlow's")
    np.testing.assert_allclose(one_step(keras), by_hand(square_each=True), atol=2e-6)
