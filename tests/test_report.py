"""Run folders and reports: files written, numbers in the tables, failures recorded, reports rebuilt from files."""
import base64
import csv
import json

import numpy as np
import pytest

from gradkit import report
from gradkit.errors import ConfigError
from gradkit.recipes import Recipe, Result, runner
from gradkit.recipes.base import Comparison

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
                       "AAAABJRU5ErkJggg==")


def fake_recipe(run, name="fake"):
    return Recipe(name=name, description="a test recipe", run=run, defaults={"epochs": 3, "seed": 0})


def measuring(config, out_dir, progress, result):
    (out_dir / "pic.png").write_bytes(PNG)
    result.figure(out_dir / "pic.png", "a one-pixel picture")
    result.compare("cost", 0.1604393, 0.160439, 1e-6)
    result.compare("accuracy", 0.93, 0.95, relation="≥")
    result.history.update(loss=[3.0, 2.0, 1.0], val_loss=[2.5])
    result.weights["dense/kernel"] = np.arange(6.0).reshape(3, 2)
    result.table("Per epoch", ["epoch", "loss"], [[1, 3.0], [2, 2.0]])
    result.reading.append("The loss falls.")


def failing(config, out_dir, progress, result):
    result.compare("cost after one epoch", 1.25, None)
    raise ValueError("boom at epoch 2")


@pytest.fixture
def use(monkeypatch):
    def _use(run):
        monkeypatch.setattr(runner, "get", lambda name: fake_recipe(run, name))
    return _use


def test_run_folder_files_and_report(tmp_path, use):
    use(measuring)
    rec = runner.run_recipe("fake", tmp_path)
    assert rec.status == "ok"
    cfg = json.loads((tmp_path / "config.json").read_text())
    assert cfg["config"] == {"epochs": 3, "seed": 0, "quick": False}
    assert cfg["command"] == "gradkit run fake --epochs 3 --seed 0"
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["comparisons"][0]["difference"] == pytest.approx(3e-7) and m["comparisons"][0]["agrees"] is True
    assert m["comparisons"][1]["agrees"] is False
    rows = list(csv.reader(open(tmp_path / "history.csv")))
    assert rows == [["loss", "val_loss"], ["3.0", "2.5"], ["2.0", ""], ["1.0", ""]]
    np.testing.assert_array_equal(np.load(tmp_path / "weights.npz")["dense/kernel"], np.arange(6.0).reshape(3, 2))
    page = (tmp_path / "report.html").read_text()
    assert "0.1604393" in page and "0.160439 ± 1e-06" in page and "+3e-07" in page and "≥ 0.95" in page
    assert "data:image/png;base64," + base64.b64encode(PNG).decode() in page
    assert "The loss falls." in page and "Per epoch" in page and "src=" not in page.replace("src='data:", "")


def test_failed_run_keeps_config_measurements_and_reason(tmp_path, use):
    use(failing)
    rec = runner.run_recipe("fake", tmp_path)
    assert rec.status == "failed" and rec.error == "ValueError: boom at epoch 2"
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["status"] == "failed" and m["comparisons"][0]["measured"] == 1.25
    assert "boom at epoch 2" in (tmp_path / "error.txt").read_text()
    page = (tmp_path / "report.html").read_text()
    assert "did not finish: ValueError: boom at epoch 2" in page and "1.25" in page


def test_report_is_rebuilt_from_the_folder(tmp_path, use):
    use(measuring)
    runner.run_recipe("fake", tmp_path)
    before = (tmp_path / "report.html").read_text()
    (tmp_path / "report.html").unlink()
    assert report.build_report(tmp_path) == tmp_path / "report.html"
    assert (tmp_path / "report.html").read_text() == before


def test_unfinished_and_foreign_folders(tmp_path, use):
    with pytest.raises(ConfigError, match="not a gradkit run folder"):
        report.build_report(tmp_path)
    use(measuring)
    report.write_config(tmp_path, fake_recipe(measuring), {"epochs": 1})
    page = report.build_report(tmp_path).read_text()  # killed before metrics.json: still a report, saying so
    assert "unfinished" in page and "stopped before it wrote metrics.json" in page


def test_comparison_verdicts():
    assert Comparison("a", 1.0004, 1.0, 1e-3).agrees is True
    assert Comparison("a", 1.002, 1.0, 1e-3).agrees is False
    assert Comparison("a", 0.97, 0.97, relation="≥").agrees is True
    assert Comparison("a", 1.0, 1.0, 1e-3, comparable=False).agrees is None
    assert Comparison("a", 1.0).agrees is None and Comparison("a", float("nan"), 1.0, 1.0).agrees is False


def test_result_rejects_an_unknown_relation():
    with pytest.raises(ConfigError, match="relation"):
        Result().compare("a", 1.0, 1.0, relation="~")


def test_recipe_config_overrides_and_errors():
    r = Recipe("x", "d", None, defaults={"epochs": 5, "variant": "a"}, quick={"epochs": 1},
               options={"variant": ("a", "b")})
    assert r.config(quick=True, variant="b") == {"epochs": 1, "variant": "b", "quick": True}
    with pytest.raises(ConfigError, match="no setting 'workers'; its settings: epochs, variant"):
        r.config(workers=2)
    with pytest.raises(ConfigError, match="variant must be one of a, b"):
        r.config(variant="c")


def test_without_matplotlib_a_run_still_reports_its_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(runner.importlib.util, "find_spec", lambda name: None)
    rec = runner.run_recipe("local-minima", tmp_path, quick=True)
    assert rec.status == "ok" and not list(tmp_path.glob("*.png"))
    page = (tmp_path / "report.html").read_text()
    assert "matplotlib is not installed" in page and "1.346997" in page


def test_settings_line_leaves_out_unset_values(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "get", lambda name: Recipe(name, "d", measuring, {"epochs": 3, "workers": None}))
    runner.run_recipe("fake", tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert "Settings: epochs=3, quick=False<br>" in page and "None" not in page


def test_each_course_number_says_where_it_comes_from(tmp_path, monkeypatch):
    def sourced(config, out_dir, progress, result):
        result.compare("cost", 0.5, 0.5, 1e-6, source="printed by the course's loop")
        result.compare("outputs", 0.1, 0.1, 1e-6, source="printed by the course's loop")
        result.compare("accuracy", 1.0, 1.0, 0.0, source="the course's text")
        result.table("wide", [f"column {i}" for i in range(8)], [list(range(8))])
    monkeypatch.setattr(runner, "get", lambda name: fake_recipe(sourced, name))
    runner.run_recipe("fake", tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert page.count("<sup>[1]</sup>") == 2 and page.count("<sup>[2]</sup>") == 1
    assert "<ol class='sources'><li>printed by the course&#x27;s loop</li><li>the course&#x27;s text</li></ol>" in page
    assert "<div class='scroll'><table><tr><th>column 0</th>" in page  # wide tables scroll inside the page


def test_runs_started_in_the_same_second_get_their_own_folders(tmp_path, monkeypatch):
    import datetime as dt

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 1, 2, 3, 4, 5)
    monkeypatch.setattr(runner, "datetime", Frozen)
    folders = [runner.default_out_dir("tour", root=tmp_path) for _ in range(3)]
    assert [f.name for f in folders] == ["tour-20260102-030405", "tour-20260102-030405-2", "tour-20260102-030405-3"]
    assert all(f.is_dir() for f in folders)
    assert sorted(tmp_path.glob("tour-*")) == folders  # the README's gradkit-runs/tour-*/report.html


def test_a_run_shows_its_report_in_a_notebook(tmp_path, use):
    use(measuring)
    rec = runner.run_recipe("fake", tmp_path)
    html = rec._repr_html_()
    assert html.startswith("<div class='gk-report'><style>") and "0.1604393" in html
    assert "body{" not in html and ".gk-report table{" in html  # styles scoped to the run's div


def test_epoch_bar_ends_on_the_last_epochs_logs():
    import io

    from tqdm import tqdm
    out = io.StringIO()
    cb = runner._EpochBar(tqdm(total=2, file=out, mininterval=0, leave=False))  # as Progress.bar makes it
    cb.on_epoch_end(0, {"val_accuracy": 0.5})
    cb.on_epoch_end(1, {"val_accuracy": 0.75})
    cb.on_train_end()
    frames = [f for f in out.getvalue().split("\r") if f.strip()]
    assert "2/2" in frames[-1] and "val_accuracy=0.75" in frames[-1]  # the last frame shown before it closed


def test_backticked_words_in_readings_and_sources_show_as_code():
    from gradkit.report import _comparisons, _inline
    assert _inline("run `gradkit fetch imdb` <now>") == "run <code>gradkit fetch imdb</code> &lt;now&gt;"
    rows = [{"quantity": "q", "measured": 1.0, "published": 1.0, "relation": "≈", "tolerance": 0.1,
             "difference": 0.0, "agrees": True, "note": "", "source": "notebook `6.2-rnn.ipynb`"}]
    assert "<li>notebook <code>6.2-rnn.ipynb</code></li>" in _comparisons(rows)
