"""Gradient-descent strategies (issue 8): full batch, shuffled, sequential and random-with-replacement batches."""
import numpy as np
import pytest

from gradkit import backend, optimizers
from gradkit.layers import Dense
from gradkit.models import Sequential
from gradkit.training.batching import Batcher


def _linear_data(n=60):
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(n, 2))
    return x, x @ np.array([3.0, -2.0]) + 1.0 + 0.1 * rng.normal(size=n)


def _linear_model(lr=0.01):
    model = Sequential([Dense(1, input_shape=(2,), kernel_initializer="zeros", bias_initializer="ones")])
    model.compile(optimizers.SGD(learning_rate=lr), "mse")
    return model


def test_full_batch_equals_hand_written_gradient_descent(float64):
    x, y = _linear_data()
    steps, lr = 200, 0.1
    model = _linear_model(lr)
    history = model.fit(x, y, batch_size="full", epochs=steps, epoch_loss="full", verbose=0)
    w, b, curve = np.zeros(2), 1.0, []
    for _ in range(steps):
        err = x @ w + b - y
        w = w - lr * 2 * x.T @ err / len(x)
        b = b - lr * 2 * err.mean()
        curve.append(np.mean((x @ w + b - y) ** 2))
    np.testing.assert_allclose(history.history["loss"], curve, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.layers[0].kernel.numpy().ravel(), w, rtol=1e-9)


def test_epoch_loss_mean_is_the_loss_before_the_step_for_full_batch(float64):
    x, y = _linear_data()
    model = _linear_model()
    first = model.fit(x, y, batch_size="full", epochs=1, verbose=0).history["loss"][0]
    assert first == pytest.approx(np.mean((1.0 - y) ** 2), rel=1e-12)


def test_sweep_is_sequential_and_shuffle_is_a_permutation():
    idx = np.arange(10)
    sweep = [xb[0].tolist() for xb, _ in Batcher([idx], [], 4, "sweep").epoch()]
    assert sweep == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    shuffled = [xb[0].copy() for xb, _ in Batcher([idx], [], 4, "shuffle").epoch()]
    flat = np.concatenate(shuffled)
    assert sorted(flat) == list(range(10)) and flat.tolist() != list(range(10))
    assert [len(b) for b in shuffled] == [4, 4, 2]


def test_random_draws_with_replacement_for_steps_per_epoch_steps():
    idx, labels = np.arange(50), np.arange(50) * 10
    batcher = Batcher([idx], [labels], 50, "random", steps_per_epoch=3)
    batches = [(xb[0].copy(), yb[0].copy()) for xb, yb in batcher.epoch()]
    assert len(batches) == 3 and batcher.steps == 3
    for a, b in batches:
        assert len(a) == 50 and np.array_equal(b, a * 10)  # x and y drawn together
    assert any(len(np.unique(a)) < 50 for a, _ in batches)  # with replacement: repeats
    assert Batcher([idx], [], 1, "random").steps == 1  # the course's SGD: one random sample per epoch


def test_random_sampling_is_deterministic_given_the_seed():
    backend.set_seed(5)
    a = [xb[0].copy() for xb, _ in Batcher([np.arange(20)], [], 5, "random", 4).epoch()]
    backend.set_seed(5)
    b = [xb[0].copy() for xb, _ in Batcher([np.arange(20)], [], 5, "random", 4).epoch()]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_fit_strategies_step_counts(float64):
    x, y = _linear_data(60)
    seen = []

    from gradkit.callbacks import Callback

    class Count(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(0)

        def on_train_batch_end(self, batch, logs=None):
            seen[-1] += 1
    for kwargs, steps in [({"batch_size": "full"}, 1), ({}, 2), ({"batch_size": 30, "sampling": "sweep"}, 2),
                          ({"batch_size": 30, "sampling": "random"}, 1),
                          ({"batch_size": 1, "sampling": "random", "steps_per_epoch": 5}, 5),
                          ({"batch_size": 7, "shuffle": False}, 9)]:
        seen.clear()
        _linear_model().fit(x, y, epochs=2, verbose=0, callbacks=[Count()], **kwargs)
        assert seen == [steps, steps], kwargs


def test_sweep_without_shuffle_equals_hand_written_minibatch_loop(float64):
    x, y = _linear_data(60)
    lr, bs = 0.05, 25
    model = _linear_model(lr)
    model.fit(x, y, batch_size=bs, epochs=3, shuffle=False, verbose=0)
    w, b = np.zeros(2), 1.0
    for _ in range(3):
        for i in range(0, 60, bs):
            xb, yb = x[i:i + bs], y[i:i + bs]
            err = xb @ w + b - yb
            w, b = w - lr * 2 * xb.T @ err / len(xb), b - lr * 2 * err.mean()
    kernel, bias = model.layers[0].get_weights()
    np.testing.assert_allclose(kernel.ravel(), w, rtol=1e-12)
    np.testing.assert_allclose(bias, [b], rtol=1e-12)


def test_sparse_csr_input_trains_like_dense(float64):
    sparse = pytest.importorskip("scipy.sparse")
    x = sparse.random(80, 30, density=0.1, format="csr", random_state=0)
    y = np.random.default_rng(0).integers(0, 2, size=80)

    def run(data):
        backend.set_seed(0)
        model = Sequential([Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
        model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
        h = model.fit(data, y, epochs=2, batch_size=16, verbose=0)
        return model, h.history["loss"]
    ms, ls = run(x)
    md, ld = run(x.toarray())
    np.testing.assert_allclose(ls, ld, rtol=1e-10)
    for a, b in zip(ms.get_weights(), md.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
