"""The imdb-lstm benchmark workload: data, weights, its NumPy scorer against gradkit's predict, PyTorch's layout
round trip, a tiny run through the worker, and a run of one workload updating only its BENCHMARKS.md subsection."""
import json

import numpy as np
import pytest

from benchmarks.workloads import WORKLOADS, scaled  # first: it lists the module workloads (sequences imports it)
from benchmarks import report, sequences, worker  # noqa: I001


def test_data_and_keras_layout_weights():
    x, y = sequences.data(64)
    assert x.shape == (64, 200) and y.shape == (64, 1) and 0 < x.min() + 1 and x.max() < 10000
    assert (x[:, 0] == 0).any() and 0.3 < y.mean() < 0.7  # pre-padded reviews, balanced labels
    ws = sequences.initial_weights()
    assert [w.shape for w in ws] == [(10000, 32), (32, 128), (32, 128), (128,), (32, 1), (1,)]
    np.testing.assert_allclose(ws[2] @ ws[2].T, np.eye(32), atol=1e-5)
    assert WORKLOADS["imdb-lstm"].module == "sequences"


def test_numpy_scorer_equals_gradkit_predict():
    import gradkit
    ws = sequences.initial_weights(seed=1)
    model = sequences._keras_like(gradkit, ws)
    x, _ = sequences.data(16, seed=2)
    np.testing.assert_allclose(sequences.predict(ws, x), model.predict(x, verbose=0), rtol=1e-4, atol=1e-6)


def test_torch_setup_starts_from_and_returns_keras_layouts():
    pytest.importorskip("torch")
    w = scaled(WORKLOADS["imdb-lstm"], 0.001)
    data = sequences.load_data(w)
    ws = sequences.initial_weights(w)
    _, get_weights = sequences.setup("torch", w, data, ws, threads=1)
    for a, b in zip(get_weights(), ws):
        np.testing.assert_array_equal(a, b)


def test_worker_runs_a_gradkit_epoch_and_scores_it():
    res = worker.run("imdb-lstm", "gradkit", threads=1, scale=0.001)  # 512 reviews, 4 batches
    assert res["samples"] == 512 and res["seconds"] > 0 and 0.5 < res["loss"] < 0.8
    with pytest.raises(NotImplementedError, match="imdb-lstm has no numpy version"):  # the worker reports: skipped
        worker.run("imdb-lstm", "numpy", threads=1, scale=0.001)


def _doc(name, seconds):
    rows = {"gradkit": {"seconds": seconds, "min_seconds": seconds, "repeats": 1, "source": "synthetic"},
            "torch": {"seconds": 2.0, "min_seconds": 2.0, "repeats": 1, "source": "synthetic"}}
    rows["gradkit"]["gradkit_ratio"] = 1.0
    machine = {"cpu": "cpu", "cores": 2, "load_avg": [0.1, 0, 0], "load_avg_end": [0.2, 0, 0], "python": "3"}
    doc = {"date": "2026-12-01T04:00:00", "wall_seconds": 60, "machine": machine, "summary": {name: rows},
           "settings": {"threads": 2, "repeats": 1, "max_repeat_seconds": 60, "scale": 1.0}}
    doc["targets"] = report.targets_table(doc["summary"], machine)
    return doc


def test_a_run_of_one_workload_replaces_only_its_subsection(tmp_path):
    md = tmp_path / "B.md"
    md.write_text(f"# B\n\n{report.MARK_START}\nwhole run\n{report.MARK_END}\n\nafter\n")
    report.update_markdown(md, doc=_doc("imdb-lstm", 1.0))
    report.update_markdown(md, doc=_doc("mnist-cnn", 3.0))
    report.update_markdown(md, doc=_doc("imdb-lstm", 1.5))
    text = md.read_text()
    assert text.count("### imdb-lstm") == 1 and text.count("### mnist-cnn") == 1
    assert "whole run" in text and text.endswith("after\n") and text.index("imdb-lstm") < text.index("mnist-cnn")
    lstm = text[text.index("<!-- workload:imdb-lstm:start"):text.index("<!-- workload:imdb-lstm:end")]
    cnn = text[text.index("<!-- workload:mnist-cnn:start"):text.index("<!-- workload:mnist-cnn:end")]
    assert "| gradkit | 1.5 |" in lstm and "time ≤ 1.0 × torch | 0.75 | yes" in lstm
    assert "| gradkit | 3 |" in cnn and "time ≤ 1.0 × torch | 1.5 | no" in cnn
    json.dumps(_doc("imdb-lstm", 1.0))  # the doc a run writes is plain JSON
