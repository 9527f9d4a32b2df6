"""The gradkit command through click's CliRunner: list, run, report, tour, and its errors."""
import json
import re

import pytest
from click.testing import CliRunner

from gradkit._cli import app
from gradkit.recipes import names, run_tour


@pytest.fixture(autouse=True)
def _offline(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GRADKIT_OFFLINE", "1")
    monkeypatch.delenv("GRADKIT_DATA", raising=False)


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _rows(output):
    """`gradkit list`'s recipe lines (each recipe's description follows, indented)."""
    return [ln for ln in output.strip().splitlines() if not ln.startswith(" ")]


def test_list_one_line_per_recipe_marking_downloads():
    res = invoke("list")
    assert res.exit_code == 0
    lines = _rows(res.output)
    assert [ln.split()[0] for ln in lines] == names()
    assert max(len(ln) for ln in res.output.splitlines()) <= 100
    assert "    Linear neuron on Boston RM + LSTAT" in res.output.splitlines()[1]
    assert "needs download: mnist.npz" in lines[names().index("mnist-mlp")]
    assert "offline, in tour" in lines[names().index("logic-gates")]
    assert lines[names().index("boston-kfold")].endswith(" offline")


def test_list_finds_data_in_the_gradkit_data_mirror(tmp_path, monkeypatch):
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "mnist.npz").write_bytes(b"present")
    monkeypatch.setenv("GRADKIT_DATA", str(tmp_path / "mirror"))
    lines = _rows(invoke("list").output)
    assert "data found: mnist.npz" in lines[names().index("mnist-mlp")]
    assert "needs download: imdb.npz" in lines[names().index("imdb")]


def test_unknown_recipe_lists_the_valid_ones():
    res = invoke("run", "boston-gdd")
    assert res.exit_code == 2
    assert "'boston-gdd' is not one of" in res.output and all(n in res.output for n in names())
    assert f"'{names()[-1]}'; did you mean 'boston-gd' or " in res.output


def test_a_name_close_to_none_gets_no_suggestion():
    res = invoke("run", "xyz")
    assert res.exit_code == 2 and "did you mean" not in res.output and f"'{names()[-1]}'.\n" in res.output


@pytest.mark.parametrize("args, message", [
    (["boston-gd", "--variant", "fast"], "has no setting 'variant'"),
    (["mnist-mlp", "--variant", "fast"], "variant must be one of course, relu-adam"),
    (["logic-gates", "--epochs", "0"], "0 is not in the range x>=1"),
])
def test_bad_options_are_usage_errors(args, message):
    res = invoke("run", *args)
    assert res.exit_code == 2 and message in res.output


def test_run_writes_a_run_folder_and_prints_the_comparisons(tmp_path):
    res = invoke("run", "local-minima", "--quick", "--out", tmp_path / "run")  # with live progress bars
    assert res.exit_code == 0, res.output
    assert re.search(r"\[ok \] start 2: stops at x \(the local minimum\): 1\.346997\d*  reference ≈ 1\.346997",
                     res.output)
    assert f"report: {(tmp_path / 'run' / 'report.html').resolve()}" in res.output
    assert {p.name for p in (tmp_path / "run").iterdir()} >= {"config.json", "metrics.json", "history.csv",
                                                              "local_minima.png", "report.html"}


def test_run_with_a_missing_dataset_fails_saying_where_to_put_it(tmp_path):
    res = invoke("run", "imdb", "--epochs", "1", "--out", tmp_path / "run", "--no-progress")  # --quick: a sample
    assert res.exit_code == 1
    assert "imdb.npz is not available: download " in res.output and "GRADKIT_DATA" in res.output
    assert "report:" not in res.output  # a failed run's report holds nothing more than the reason
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["status"] == "failed"


def test_report_rebuilds_and_rejects_other_folders(tmp_path):
    invoke("run", "local-minima", "--quick", "--out", tmp_path / "run", "--no-progress")
    (tmp_path / "run" / "report.html").unlink()
    res = invoke("report", tmp_path / "run")
    assert res.exit_code == 0 and (tmp_path / "run" / "report.html").is_file()
    res = invoke("report", tmp_path)
    assert res.exit_code == 1 and "not a gradkit run folder" in res.output


def test_quick_tour_writes_one_report_with_the_measured_values(tmp_path):
    res = invoke("tour", "--quick", "--out", tmp_path / "tour", "--no-progress")
    assert res.exit_code == 0, res.output
    page = (tmp_path / "tour" / "report.html").read_text(encoding="utf-8")
    for name in ("boston-gd", "boston-sgd-minibatch", "logic-gates", "lr-sweep", "local-minima"):
        m = json.loads((tmp_path / "tour" / name / "metrics.json").read_text())
        assert m["status"] == "ok" and f"id='{name}'" in page
        for c in m["comparisons"]:
            if isinstance(c["measured"], float):  # beside a course figure: one decimal more than printed
                from gradkit.report import _as_printed
                assert (_as_printed(c["measured"], c["printed"]) if c.get("printed") else
                        f"{c['measured']:.7g}") in page
    assert page.count("data:image/png;base64,") == 2 + 2 + 7 + 1 + 1
    assert "src='http" not in page and "<script" not in page  # self-contained
    assert "Quick tour" in page and "tour.json" not in res.output


def test_tour_goes_on_after_a_recipe_whose_data_is_missing(tmp_path):
    path, records = run_tour(tmp_path, quick=True, names=("mnist-mlp", "local-minima"))
    assert [r.status for r in records] == ["failed", "ok"]
    page = path.read_text(encoding="utf-8")
    assert "mnist.npz" in page and "id='local-minima'" in page
