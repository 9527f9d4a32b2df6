"""Sequential: known outcomes (XOR, least squares, digits), determinism, weights by name, summary."""
import numpy as np
import pytest

from gradkit import backend, losses, optimizers
from gradkit.errors import ConfigError, DataError, ShapeError
from gradkit.layers import Dense, Input
from gradkit.models import Sequential


def test_xor_2_2_1_sigmoid_learns(float64):
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0], dtype=float)
    backend.set_seed(3)
    model = Sequential([Input((2,)), Dense(2, activation="sigmoid"), Dense(1, activation="sigmoid")])
    model.compile(optimizers.SGD(learning_rate=1.0, momentum=0.9), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size="full", epochs=400, verbose=0)
    assert np.array_equal(model.predict(x, verbose=0).ravel() > 0.5, y > 0.5)
    assert history.history["loss"][-1] < 0.02
    assert history.history["accuracy"][-1] == 1.0


def test_dense1_sgd_converges_to_least_squares(float64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = x @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=200)
    a = np.hstack([x, np.ones((200, 1))])
    coef = np.linalg.lstsq(a, y, rcond=None)[0]
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizers.SGD(learning_rate=0.1), "mse")
    model.fit(x, y, batch_size="full", epochs=500, verbose=0)
    kernel, bias = model.layers[0].get_weights()
    np.testing.assert_allclose(np.r_[kernel.ravel(), bias], coef, atol=1e-8)


def test_softmax_classifier_digits_over_95_percent():
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_digits()
    x, y = d.data / 16.0, d.target
    backend.set_seed(0)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    model = Sequential([Dense(10, activation="softmax")])
    model.compile(optimizers.Adam(learning_rate=0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:1400], y[:1400], epochs=10, batch_size=32, verbose=0)
    loss, acc = model.evaluate(x[1400:], y[1400:], verbose=0)
    assert acc > 0.95, acc


def _train_once(seed):
    backend.set_seed(seed)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(64, 4)), rng.integers(0, 3, size=64)
    model = Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=10, verbose=0)
    return model.get_weights()


def test_same_seed_gives_bit_identical_weights():
    a, b, c = _train_once(7), _train_once(7), _train_once(8)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c))


def test_fused_softmax_loss_equals_unfused_path(float64, monkeypatch):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 5)), rng.integers(0, 4, size=40)

    def run():
        backend.set_seed(0)
        model = Sequential([Dense(6, activation="tanh"), Dense(4, activation="softmax")])
        model.compile(optimizers.SGD(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
        h = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
        return model, h.history
    fused, hf = run()
    assert fused._logits_for == (0,)
    monkeypatch.setattr(losses, "fused_from_logits", lambda *a: None)
    plain, hp = run()
    assert plain._logits_for == ()
    np.testing.assert_allclose(hf["loss"], hp["loss"], rtol=1e-10)
    assert hf["accuracy"] == hp["accuracy"]
    for u, v in zip(fused.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-12)


def test_fused_sigmoid_bce_equals_unfused_path(float64, monkeypatch):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(30, 3)), rng.integers(0, 2, size=30).astype(float)

    def run():
        backend.set_seed(0)
        model = Sequential([Dense(1, activation="sigmoid")])
        model.compile(optimizers.SGD(0.5), "binary_crossentropy")
        return model.fit(x, y, epochs=4, batch_size=8, verbose=0).history["loss"]
    fused = run()
    monkeypatch.setattr(losses, "fused_from_logits", lambda *a: None)
    np.testing.assert_allclose(fused, run(), rtol=1e-10)


def test_predict_without_compile_and_weights_by_name():
    model = Sequential([Dense(2, input_shape=(3,), name="hidden"), Dense(1, name="out")])
    x = np.ones((5, 3), dtype="float32")
    k, b = model.get_layer("hidden").get_weights()
    expected = (x @ k + b) @ model.get_weight("out/kernel") + model.get_weight("out/bias")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
    assert list(model.named_weights) == ["hidden/kernel", "hidden/bias", "out/kernel", "out/bias"]
    with pytest.raises(ConfigError, match="hidden/kernel"):
        model.get_weight("nope")
    with pytest.raises(ConfigError, match="hidden, out"):
        model.get_layer("nope")


def test_get_set_weights_round_trip():
    model = Sequential([Dense(2, input_shape=(3,)), Dense(1)])
    new = [np.full_like(w, i) for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), new))
    assert model.count_params() == 3 * 2 + 2 + 2 + 1
    with pytest.raises(ShapeError):
        model.set_weights(new[:2])


def test_lazy_build_from_data_and_1d_input():
    model = Sequential([Dense(1, kernel_initializer="ones", bias_initializer="zeros")])
    assert model.weights == []
    out = model.predict(np.array([1.0, 2.0, 3.0]), verbose=0)  # (n,) → one feature per sample
    np.testing.assert_allclose(out.ravel(), [1, 2, 3])


def test_summary_lists_layers_shapes_and_totals():
    model = Sequential([Dense(16, input_shape=(8,), name="d1"), Dense(1, name="d2")], name="tiny")
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert 'Model: "tiny"' in text
    assert "d1 (Dense)" in text and "(None, 16)" in text and "144" in text
    assert "Total params: 161" in text and "Non-trainable params: 0" in text


def test_pop_and_add_rebuild():
    model = Sequential([Input((4,)), Dense(3), Dense(2)])
    assert model.output_shapes == [(None, 2)]
    model.pop()
    assert model.output_shapes == [(None, 3)]


def test_jit_compile_false_always_selects_the_eager_step(monkeypatch):
    model = Sequential([Dense(1)])
    replay = object()
    monkeypatch.setattr(Sequential, "_make_compiled_train_function", lambda self: replay)
    model.compile("sgd", "mse", jit_compile=False)
    assert model._make_train_function() == model.train_step
    model.compile("sgd", "mse")
    assert model._make_train_function() is replay
    model.compile("sgd", "mse", run_eagerly=True)
    assert model._make_train_function() == model.train_step


def test_evaluate_returns_like_keras(capsys):
    x, y = np.ones((8, 2), "float32"), np.zeros(8, "float32")
    model = Sequential([Dense(1, kernel_initializer="ones", bias_initializer="zeros")])
    model.compile("sgd", "mse")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(4.0)
    model.compile("sgd", "mse", metrics=["mae"])
    assert model.evaluate(x, y, verbose=0) == pytest.approx([4.0, 2.0])
    assert model.evaluate(x, y, return_dict=True, verbose=0) == pytest.approx({"loss": 4.0, "mae": 2.0})
    model.evaluate(x, y)
    assert "loss: 4.0000 - mae: 2.0000" in capsys.readouterr().out


def test_loss_function_gives_the_full_data_loss_with_current_weights(float64):
    x, y = np.ones((6, 2)), np.zeros(6)
    model = Sequential([Dense(1, kernel_initializer="ones", bias_initializer="zeros")])
    model.compile("sgd", "mse")
    loss = model.loss_function(x, y)
    assert loss() == pytest.approx(4.0)
    model.set_weights([np.zeros((2, 1)), np.array([1.0])])
    assert loss() == pytest.approx(1.0) == model.evaluate(x, y, verbose=0)


def test_integer_inputs_reach_an_embedding_unchanged():
    from gradkit.layers import Embedding, Flatten
    x = np.array([[1, 2], [3, 0]])
    model = Sequential([Embedding(4, 3), Flatten(), Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, np.zeros(2), epochs=1, verbose=0)
    table = model.layers[0].get_weights()[0]
    k, b = model.layers[2].get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), table[x].reshape(2, -1) @ k + b, rtol=1e-5)
    with pytest.raises(DataError, match="targets"):
        model.fit(x, verbose=0)
