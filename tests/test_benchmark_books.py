"""The book workloads (cats-dogs-convnet, imdb-conv1d): data, Keras-layout weights, the NumPy scorer against
gradkit's predict, PyTorch's layout round trip, and a short run through the worker timing only the later steps."""
import numpy as np
import pytest

from benchmarks.workloads import WORKLOADS  # first: it lists the module workloads (books imports it)
from benchmarks import books, worker  # noqa: I001


@pytest.mark.parametrize("name, shapes", [
    ("cats-dogs-convnet", [(3, 3, 3, 32), (32,), (3, 3, 32, 64), (64,), (3, 3, 64, 128), (128,), (3, 3, 128, 256),
                           (256,), (3, 3, 256, 256), (256,), (12544, 1), (1,)]),
    ("imdb-conv1d", [(10000, 128), (7, 128, 32), (32,), (7, 32, 32), (32,), (32, 1), (1,)])])
def test_weights_match_the_keras_model(name, shapes):
    import gradkit
    w = WORKLOADS[name]
    ws = books.initial_weights(w)
    assert [a.shape for a in ws] == shapes
    model = books.keras_like(gradkit, w)
    assert [tuple(a.shape) for a in model.get_weights()] == shapes


@pytest.mark.parametrize("name", ["cats-dogs-convnet", "imdb-conv1d"])
def test_numpy_scorer_equals_gradkit_predict(name, monkeypatch):
    import gradkit
    monkeypatch.setitem(books.STEPS, name, 1)
    w = WORKLOADS[name]
    data = books.load_data(w)
    assert len(data["x"]) == (books.WARMUP + 1) * w.batch_size and 0.3 < data["y"].mean() < 0.7
    ws = books.initial_weights(w, seed=1)
    model = books.keras_like(gradkit, w)
    model.set_weights(ws)
    x = data["x"][:3]
    got = model.predict(x, verbose=0)
    want = books.logits(w, ws, x)
    if name == "cats-dogs-convnet":
        want = 1 / (1 + np.exp(-want))
    np.testing.assert_allclose(want, got, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["cats-dogs-convnet", "imdb-conv1d"])
def test_torch_setup_starts_from_and_returns_keras_layouts(name, monkeypatch):
    pytest.importorskip("torch", reason="the PyTorch peer")
    monkeypatch.setitem(books.STEPS, name, 1)
    w = WORKLOADS[name]
    ws = books.initial_weights(w)
    _, get_weights = books.setup("torch", w, books.load_data(w), ws, threads=1)
    for a, b in zip(get_weights(), ws):
        np.testing.assert_array_equal(a, b)


def test_worker_times_the_steps_after_the_untimed_ones(monkeypatch):
    monkeypatch.setitem(books.STEPS, "imdb-conv1d", 2)
    res = worker.run("imdb-conv1d", "gradkit", threads=1)
    assert res["steps"] == 2 and res["ms_per_step"] == pytest.approx(500 * res["seconds"])
    assert res["samples"] == (books.WARMUP + 2) * 128 and 0.5 < res["loss"] < 0.8 and res["mem_fit_mb"] > 0
