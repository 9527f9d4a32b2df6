"""The Boston descent recipes on the shipped data: the explicit loop against plain NumPy, the course's figures."""
import numpy as np
import pytest

from gradkit.descent import boston_rm_lstat
from gradkit.recipes import get, run_recipe


def numpy_gd(x, y, lr, steps):
    """Full-batch GD on the MSE written with NumPy alone (w = 0, b = 1)."""
    w, b = np.zeros(x.shape[1]), 1.0
    for _ in range(steps):
        err = x @ w + b - y
        w, b = w - lr * 2 * x.T @ err / len(y), b - lr * 2 * err.mean()
    return w, b, float(np.mean((x @ w + b - y) ** 2))


def test_boston_gd_quick_matches_plain_numpy(tmp_path):
    rec = run_recipe("boston-gd", tmp_path, quick=True, plots=False)
    assert rec.status == "ok", rec.error
    x, y = boston_rm_lstat()
    w, b, mse = numpy_gd(x, y, 0.01, 300)
    m = rec.result.metrics
    np.testing.assert_allclose([m["gd_w1"], m["gd_w2"], m["gd_bias"], m["gd_mse"]], [*w, b, mse], rtol=1e-10)
    assert m["keras_mse"] < np.mean((y - 1) ** 2)  # Adam moved away from w = 0, b = 1
    assert {"keras/dense/kernel", "keras/dense/bias", "gd/w"} <= set(rec.result.weights)
    assert (tmp_path / "weights.npz").is_file() and (tmp_path / "history.csv").is_file()


def test_boston_gd_full_loop_reproduces_the_course(tmp_path):
    cfg = get("boston-gd").config(keras_epochs=3, plots=False)  # the course's 5000 steps; Keras part kept short
    rec = run_recipe("boston-gd", tmp_path, config=cfg)
    gd = {c.quantity: c for c in rec.result.comparisons if c.quantity.startswith("full-batch GD")}
    assert [c.agrees for c in gd.values()] == [True] * 4 + [None]
    before = gd["full-batch GD: MSE before the last update (the course's 'Epoch 5000' line)"]
    assert before.printed == "30.52907816250869"  # the loss the course printed before its 5000th update
    assert abs(before.measured - 30.52907816250869) < 1e-10 and "all 16 of the 16 printed digits" in before.note
    after = gd["full-batch GD: MSE after the last update (gradkit's; the course prints no such line)"]
    assert after.published is None and after.measured == pytest.approx(30.529067414, abs=1e-9)
    rows = rec.result.tables[1]["rows"]
    assert [r[0] for r in rows] == list(range(10)) and rows[0][1] == 24.0  # the file's first rows: 24.0, 21.6, ...
    keras = [c for c in rec.result.comparisons if c.quantity.startswith("Keras")][0]
    assert keras.agrees is None  # 3 epochs are not the course's 5000: shown without a verdict


def test_boston_sgd_minibatch_quick(tmp_path):
    rec = run_recipe("boston-sgd-minibatch", tmp_path, quick=True, plots=False)
    assert rec.status == "ok", rec.error
    m = rec.result.metrics
    x, y = boston_rm_lstat()
    start = np.mean((y - 1) ** 2)
    for k in ("sgd", "random", "sweep", "keras"):
        assert m["lstsq_mse"] < m[f"{k}_mse"] < start / 5
    assert m["sgd_rises"] > m["random_rises"]  # one sample per step is the noisiest
    assert len(rec.result.history["keras_mse"]) == 1 + 18 * 17  # 300 steps ≈ 18 epochs of ceil(506/30) steps
    sources = {c.quantity: c.source for c in rec.result.comparisons if c.published is not None}
    assert all("np.random.seed = 2023" in sources[k] for k in sources if "final MSE" in k)


def test_lr_sweep_judges_the_rates(tmp_path):
    rec = run_recipe("lr-sweep", tmp_path, quick=True, lrs=[1e-4, 0.3, 1.0], plots=False)
    m = rec.result.metrics
    assert [m[k]["verdict"] for k in ("lr=0.0001", "lr=0.3", "lr=1")] == ["too small", "good", "too large"]
    assert m["lr=1"]["diverged"] and m["lr=1"]["steps"] == 13  # stopped at once, one line, no NaN flood
    x, y = boston_rm_lstat()
    assert m["lr=0.3"]["mse"] == pytest.approx(numpy_gd(x, y, 0.3, 300)[2], rel=1e-10)
    assert "lr=1" in rec.result.history and len(rec.result.history["lr=1"]) == 14
    assert m["keras_vs_loop_max_diff"] < 1e-9  # the same rates through parallel.sweep on Keras-style models


def test_local_minima_stops_at_the_exact_minimisers(tmp_path):
    rec = run_recipe("local-minima", tmp_path, quick=True, plots=False)
    m = rec.result.metrics
    assert m["x0=2"]["minimum"] == "local" and m["x0=-0.5"]["minimum"] == "global"
    assert m["x0=2"]["x"] == pytest.approx(m["local_minimum"], abs=1e-6)
    assert m["x0=-0.5"]["f"] < m["x0=2"]["f"]
    assert all(c.agrees for c in rec.result.comparisons)


def test_boston_kfold_quick_in_process(tmp_path):
    rec = run_recipe("boston-kfold", tmp_path, quick=True, plots=False)
    assert rec.status == "ok", rec.error
    mae = rec.result.metrics["fold_mae"]
    assert len(mae) == 4 and rec.result.metrics["mean_mae"] == pytest.approx(np.mean(mae))
    assert all(0 < v < 30 for v in mae)


def test_boston_kfold_course_variant_subtracts_the_std(tmp_path):
    from gradkit.recipes.boston_kfold import course_preprocess
    x = np.array([[1.0, 10.0], [3.0, 30.0]])  # mean (2, 20), std (1, 10)
    np.testing.assert_allclose(course_preprocess(x), [[-2.0, -20.0], [0.0, 0.0]])  # x - mean - std
    rec = run_recipe("boston-kfold", tmp_path, quick=True, variant="course", plots=False)
    assert rec.status == "ok", rec.error
    assert "x -= std" in rec.result.metrics["preprocessing"]
    folds = [c for c in rec.result.comparisons if c.quantity.startswith("fold")]
    assert [c.printed for c in folds] == ["2.09", "2.98", "2.60", "2.90"] and {c.agrees for c in folds} == {None}
