"""The chapters on big datasets (04 IMDB and Reuters, 07 the MNIST convnet, 08 the IMDB LSTM) run offline: every
cell is executed, each loading cell prints which data it used, and without the file it loads the labelled sample
and names the one command that fetches the full data."""
import json
import os
from pathlib import Path

import pytest

from gradkit.datasets import samples

TUTORIALS = Path(__file__).resolve().parents[1] / "docs" / "tutorials"
CHAPTERS = {"04-imdb-reuters-kfold": ("imdb", "reuters"), "07-convolutional-networks": ("mnist",),
            "08-recurrent-networks": ("imdb",)}
"""Each chapter and the datasets its loading cells use, in order."""
FULL_LABELS = {"imdb": "data: the real IMDB reviews (imdb.npz)", "reuters": "data: the real Reuters newswires "
               "(reuters.npz)", "mnist": "data: the full MNIST (mnist.npz)"}


FETCH_WHAT = {"imdb": "the real reviews", "reuters": "the real newswires", "mnist": "the full data"}


def sample_label(name):
    """The line a loading cell prints when it falls back to the sample of dataset ``name``."""
    return f"data: {samples.DESCRIBE[name]} — {FETCH_WHAT[name]}: {samples.fetch_command(name)}"


def _cells(stem):
    return json.loads((TUTORIALS / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]


def _loading_cells(stem):
    return [c for c in _cells(stem) if c["cell_type"] == "code" and "find_local(" in "".join(c["source"])]


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_runs_every_cell_and_names_the_fetch_command(stem):
    cells = _cells(stem)
    code = [c for c in cells if c["cell_type"] == "code"]
    assert [c for c in code if "skip-execution" in c.get("metadata", {}).get("tags", [])] == []
    assert all(c["execution_count"] is not None for c in code)
    markdown = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for name in CHAPTERS[stem]:
        assert f"`{samples.fetch_command(name)}`" in markdown


@pytest.mark.parametrize("stem", CHAPTERS)
def test_each_loading_cell_printed_which_data_it_used(stem):
    loads = _loading_cells(stem)
    assert len(loads) == len(CHAPTERS[stem])
    for cell, name in zip(loads, CHAPTERS[stem]):
        printed = "".join("".join(o.get("text", "")) for o in cell["outputs"] if o["output_type"] == "stream")
        data = [line for line in printed.splitlines() if line.startswith("data: ")]
        assert data in ([sample_label(name)], [FULL_LABELS[name]]), printed


@pytest.fixture
def no_data_files(monkeypatch, tmp_path):
    """No mirror, an empty cache, no downloads; the synthetic sets made small so the loading cells run fast."""
    monkeypatch.delenv("GRADKIT_DATA", raising=False)
    monkeypatch.setenv("GRADKIT_CACHE", str(tmp_path))
    monkeypatch.setenv("GRADKIT_OFFLINE", "1")
    for name in ("imdb", "reuters"):
        made = getattr(samples, name)
        monkeypatch.setattr(samples, name, lambda _made=made, **kw: _made(**{**kw, "n_train": 1200, "n_test": 50}))


@pytest.mark.parametrize("stem", CHAPTERS)
def test_without_the_file_each_loading_cell_loads_the_labelled_sample(stem, no_data_files, capsys):
    scope = {}
    for cell, name in zip(_loading_cells(stem), CHAPTERS[stem]):
        exec("".join(cell["source"]), scope)  # noqa: S102 - the chapter's own cell, run as a reader would
        printed = capsys.readouterr().out.splitlines()
        assert printed[0] == sample_label(name)
    if stem.startswith("07"):
        assert scope["x_train"].shape == (1000, 28, 28, 1) and scope["y_test"].shape == (250, 10)
    if stem.startswith("04"):  # the book's own split then works on the sample unchanged: 1,000 held out
        assert len(scope["train_data"]) == 1200 and set(scope["train_labels"]) <= set(range(46))


def test_with_the_mirror_the_convnet_chapter_loads_the_full_mnist(capsys):
    mirror = os.environ.get("GRADKIT_DATA")
    if not mirror or not (Path(mirror) / "mnist.npz").is_file():
        pytest.skip("needs mnist.npz in the GRADKIT_DATA mirror")
    scope = {}
    exec("".join(_loading_cells("07-convolutional-networks")[0]["source"]), scope)  # noqa: S102
    assert capsys.readouterr().out.splitlines()[0] == FULL_LABELS["mnist"]
    assert scope["x_train"].shape == (12000, 28, 28, 1) and scope["x_test"].shape == (10000, 28, 28, 1)
