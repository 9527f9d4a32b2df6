"""Smoke test of the benchmark runner's pieces: each installed peer trains 1-2 steps and agrees with the NumPy
reference; the numerical-gradient timer and the report run. Nothing here is timed."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # benchmarks/ is a top-level package beside src/, not installed

from benchmarks import numpy_ref, report, worker  # noqa: E402
from benchmarks import workloads as W  # noqa: E402

TWO_STEPS = 2.5 / 5000  # scale that leaves boston-gd with int(2.5) = 2 full-batch steps


def installed(framework):
    """Whether the framework's peer can run here."""
    mod = {"torch": "torch", "keras": "tensorflow"}.get(framework)
    if mod:
        return importlib.util.find_spec(mod) is not None
    try:
        worker.peer_module(framework).version(framework)
        return True
    except (ImportError, AttributeError):
        return False


def test_two_gd_steps_by_hand():
    # Dense(1), loss mean((xw+b−y)²); from w=0,b=0 on x=[[1],[2]], y=[[1],[3]]: g_w = −2·(1+6)/2 = −7, g_b = −4
    w = W.Workload("t", "t", "boston", ((1, "linear"),), "mse", "sgd", 0.1, "full", 1, dtype="float64")
    params = [np.zeros((1, 1)), np.zeros(1)]
    grads = numpy_ref.forward_backward(w, params, np.array([[1.0], [2.0]]), np.array([[1.0], [3.0]]))
    assert grads[0].item() == pytest.approx(-7.0) and grads[1].item() == pytest.approx(-4.0)
    numpy_ref.SGD(params, 0.1).step(params, grads)
    assert params[0].item() == pytest.approx(0.7) and params[1].item() == pytest.approx(0.4)


@pytest.mark.parametrize("framework", ["gradkit", "gradkit-eager", "gradkit-autograd", "torch"])
def test_peer_matches_numpy_reference_on_two_full_batch_steps(framework):
    if not installed(framework):
        pytest.skip(f"{framework} is not available")
    ref = worker.run("boston-gd", "numpy", threads=1, scale=TWO_STEPS)
    res = worker.run("boston-gd", framework, threads=1, scale=TWO_STEPS)
    assert res["epochs"] == 2 and res["seconds"] > 0 and res["mem_fit_mb"] >= 0
    assert res["loss"] == pytest.approx(ref["loss"], rel=1e-9)  # float64, same start, no shuffling


@pytest.mark.slow
def test_keras_peer_matches_numpy_reference():
    if not installed("keras"):
        pytest.skip("tensorflow/keras is not installed")
    ref = worker.run("boston-gd", "numpy", threads=1, scale=TWO_STEPS)
    # rel 1e-8: where TensorFlow already ran in this process its thread count is fixed, so sums may reorder
    assert worker.run("boston-gd", "keras", threads=1, scale=TWO_STEPS)["loss"] == pytest.approx(ref["loss"], rel=1e-8)


def test_minibatch_epoch_lowers_the_loss():
    w = W.scaled(W.WORKLOADS["mnist-relu-adam"], 0.001)  # 512 samples, 4 Adam steps
    data = W.load_data(w)
    weights = W.initial_weights(w, 784)
    before = W.evaluate(w, weights, data)["loss"]
    train, get_weights = numpy_ref.setup(w, data, weights, threads=1)
    train()
    after = W.evaluate(w, get_weights(), data)
    assert after["loss"] < before and 0 <= after["accuracy"] <= 1


def test_numerical_partials_match_backprop():
    w = W.scaled(W.WORKLOADS["numgrad"], 0.001)
    data = W.load_data(w)
    r = numpy_ref.numgrad(w, data, W.initial_weights(w, 784), threads=1, n_partials=5)
    assert r["backprop_step_s"] > 0 and r["partial_s"] > 0
    np.testing.assert_allclose(r["numerical"], r["backprop"], rtol=1e-4, atol=1e-9)


def test_synthetic_imdb_has_imdb_sparsity():
    x, y = W._synthetic_imdb(2000, 10000, seed=0)
    assert x.shape == (2000, 10000) and set(np.unique(x.data)) == {1.0}
    assert 100 < x.getnnz(axis=1).mean() < 140  # IMDB: ~120 distinct top-10k words per review
    assert 0.45 < y.mean() < 0.55


def test_runner_end_to_end_writes_json(tmp_path):
    out = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "benchmarks", "--only", "boston-gd", "--frameworks", "numpy,gradkit",
           "--repeats", "2", "--scale", str(TWO_STEPS), "--threads", "1", "--json", str(out), "--no-markdown"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    numpy_row = doc["summary"]["boston-gd"]["numpy"]
    assert numpy_row["repeats"] == 2 and numpy_row["loss"] > 0
    assert "boston-gd" in p.stdout
    md = report.markdown_section(doc)
    assert "### Targets" in md and "| numpy |" in md
