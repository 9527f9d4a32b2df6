"""Recipes that need a dataset file: small Keras-format files written here, the MNIST mirror where present."""
import numpy as np
import pytest

from gradkit.recipes import run_recipe


def test_imdb_quick_on_a_small_keras_format_file(tmp_path, imdb_file):
    rec = run_recipe("imdb", tmp_path / "run", quick=True, path=str(imdb_file), holdout=400, plots=False)
    assert rec.status == "ok", rec.error
    m, h = rec.result.metrics, rec.result.history
    assert len(h["val_accuracy"]) == 3 and m["final_val_accuracy"] == h["val_accuracy"][-1]
    assert h["loss"][-1] < h["loss"][0]
    assert m["peak_val_accuracy"] > 0.8  # the words give the label away
    assert m["sparse_bytes"] < 0.1 * m["dense_float32_bytes"]
    assert {c.agrees for c in rec.result.comparisons} == {None}  # small data: no verdict against the course


def test_reuters_one_hot_and_integer_labels_agree(tmp_path, reuters_file):
    rec = run_recipe("reuters", tmp_path / "run", quick=True, path=str(reuters_file), epochs=5,
                     batch_size=64, plots=False)
    assert rec.status == "ok", rec.error
    h = rec.result.history
    np.testing.assert_allclose(h["categorical_val_loss"], h["sparse_val_loss"], rtol=1e-4)
    assert rec.result.metrics["categorical_val_accuracy"] > 0.3  # 46 topics, chance is about 0.02
    assert rec.result.comparisons[-1].agrees


@pytest.mark.parametrize("name, missing", [("imdb", "imdb.npz"), ("reuters", "reuters.npz"),
                                           ("mnist-mlp", "mnist.npz")])
def test_missing_dataset_says_which_file_and_where(tmp_path, name, missing):
    rec = run_recipe(name, tmp_path / name, epochs=1)  # a full run: --quick runs on a sample instead (see
    # test_offline_samples.py)
    assert rec.status == "failed"
    assert missing in rec.error and "GRADKIT_DATA" in rec.error
    html = (tmp_path / name / "report.html").read_text(encoding="utf-8")
    assert "did not finish" in html and missing in html
    assert (tmp_path / name / "config.json").is_file() and (tmp_path / name / "metrics.json").is_file()


def test_mnist_quick_course_network_learns(tmp_path, mnist_mirror):
    rec = run_recipe("mnist-mlp", tmp_path, quick=True, limit=2000, plots=False)
    assert rec.status == "ok", rec.error
    h = rec.result.history
    assert h["loss"][-1] < h["loss"][0] < np.log(10)  # tiny initial weights start at the loss of guessing
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "UnboundLocalError" in page and "appned" in page and "47 hours" not in page and "92.4" not in page
    m = rec.result.metrics  # the course's numerical step, measured here: 2 losses for each of 50,890 parameters
    assert m["course_numerical_step_seconds"] == pytest.approx(2 * 50890 * m["course_seconds_per_loss"])
    assert m["course_w_1_gradient_seconds"] < m["course_numerical_step_seconds"]
    assert "relu-adam" not in page.split("<table")[0]  # the subtitle names no variant that did not run


def test_mnist_plots_call_the_test_data_test(tmp_path, mnist_mirror, monkeypatch):
    from gradkit import plots
    seen = {}
    monkeypatch.setattr(plots, "plot_history", lambda *a, **k: seen.update(k) or _png(tmp_path))
    run_recipe("mnist-mlp", tmp_path, quick=True, limit=500, epochs=1)
    assert seen["val_name"] == "test"


def _png(folder):
    path = folder / "h.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(16))
    return path


def test_mnist_quick_relu_adam_and_numerical_timing(tmp_path, mnist_mirror):
    rec = run_recipe("mnist-mlp", tmp_path, quick=True, variant="relu-adam", gradient="numerical", plots=False)
    assert rec.status == "ok", rec.error
    m = rec.result.metrics
    assert m["test_accuracy"] > 0.8
    assert m["parameters"] == 784 * 64 + 64 + 64 * 10 + 10
    assert m["numerical_seconds_per_epoch"] > 100 * m["backprop_seconds_per_epoch"]


def test_imdb_lstm_quick_on_a_small_keras_format_file(tmp_path, imdb_file):
    rec = run_recipe("imdb-lstm", tmp_path / "run", quick=True, path=str(imdb_file), maxlen=30, epochs=3,
                     batch_size=32, plots=False)
    assert rec.status == "ok", rec.error
    m, h = rec.result.metrics, rec.result.history
    assert len(h["val_accuracy"]) == 3 and m["final_val_accuracy"] == h["val_accuracy"][-1]
    assert h["loss"][-1] < h["loss"][0]
    assert m["test_accuracy"] > 0.75 and m["maxlen"] == 30  # the words give the label away, in any order
    assert {c.agrees for c in rec.result.comparisons} == {None}  # small data: no verdict against the book
    assert "Deep Learning with Python" in rec.result.comparisons[0].source
