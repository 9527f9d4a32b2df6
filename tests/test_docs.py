"""The documentation site's sources: every page in the nav exists, and the tutorials carry their executed outputs
(so `make docs` renders them without a kernel, data or network)."""
import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((DOCS / "tutorials").glob("*.ipynb"))


def test_every_nav_entry_is_a_file_and_every_tutorial_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n")[1].split("\nmarkdown_extensions:")[0]
    pages = re.findall(r"([\w./-]+\.(?:md|ipynb))\s*$", nav, flags=re.M)
    assert len(pages) >= 15
    assert [p for p in pages if not (DOCS / p).is_file()] == []
    assert {f"tutorials/{p.name}" for p in NOTEBOOKS} <= set(pages)


def test_readme_links_to_the_docs_and_keeps_make_test():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make docs" in readme and "make test" in readme
    assert len(readme.splitlines()) < 80  # short: the detail lives in the docs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_is_executed_and_says_what_it_reproduces(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert "**Reproduces**" in first, "the first cell says which published figure the tutorial reproduces"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    for cell in code:
        skipped = "skip-execution" in cell.get("metadata", {}).get("tags", [])
        if skipped:
            assert not cell["outputs"] and "# not run here" in "".join(cell["source"])
            continue
        assert cell["execution_count"] is not None, "".join(cell["source"])[:80]
        for out in cell["outputs"]:
            assert out["output_type"] != "error", out.get("evalue")
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), out["text"]
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {})
    assert path.stat().st_size < 400_000


def test_every_test_the_keras_compatibility_page_cites_exists():
    page = (DOCS / "keras-compatibility.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/[\w/.]+)((?:::\w+)?)`", page)
    assert len(cited) >= 30
    for path, name in cited:
        target = ROOT / path
        assert target.exists(), path
        if name:
            assert f"def {name[2:]}(" in target.read_text(encoding="utf-8"), path + name
    for path, more in re.findall(r"`(tests/[\w/.]+\.py)(?:::\w+)?`((?:, `::\w+`)+)", page):  # `, ::test_x` continues
        for name in re.findall(r"`::(\w+)`", more):
            assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), f"{path}::{name}"


def test_the_built_site_works_opened_from_disk(tmp_path):
    pytest.importorskip("mkdocs", reason="building the site needs the docs extra (pip install -e '.[docs]')")
    pytest.importorskip("material", reason="building the site needs the docs extra (mkdocs-material)")
    import subprocess
    import sys
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--site-dir", str(site)], cwd=ROOT, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import check_site
    finally:
        sys.path.pop(0)
    assert check_site.broken_links(site) == []
    assert check_site.main(site) == 0
    planted = site / "planted.html"
    planted.write_text('<a href="getting-started/">a folder</a>', encoding="utf-8")
    assert check_site.broken_links(site) == [("planted.html", "getting-started/")]


def test_the_stale_output_check_ignores_timings_and_catches_changed_outputs():
    nbformat = pytest.importorskip("nbformat", reason="needs the test extra (nbformat)")
    pytest.importorskip("nbclient", reason="needs the test extra (nbclient)")
    import sys
    sys.path.insert(0, str(DOCS))
    try:
        import execute_notebooks as ex
    finally:
        sys.path.pop(0)

    def nb(*texts):
        cells = [nbformat.v4.new_code_cell("fit()") for _ in texts]
        for cell, text in zip(cells, texts):
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        return nbformat.v4.new_notebook(cells=cells)

    stored = nb("Epoch 1/4 - 85/85 - 130s - 2s/step - loss: 0.9509 - accuracy: 0.7094\n", "took 71 s\n")
    assert ex.differences(stored, nb("Epoch 1/4 - 85/85 - 6s - 66ms/step - loss: 0.9509 - accuracy: 0.7094\n",
                                     "took 5.2 s\n")) == []
    reordered = nb("Epoch 1/4 - 85/85 - 6s - 66ms/step - accuracy: 0.7094 - loss: 0.9509\n", "took 71 s\n")
    assert [i for i, *_ in ex.differences(stored, reordered)] == [0]
    drifted = nb("Epoch 1/4 - 85/85 - 130s - 2s/step - loss: 0.8000 - accuracy: 0.7094\n", "took 71 s\n")
    assert [i for i, *_ in ex.differences(stored, drifted)] == [0]


def test_the_stale_output_check_compares_only_runs_on_the_same_data():
    nbformat = pytest.importorskip("nbformat", reason="needs the test extra (nbformat)")
    import sys
    sys.path.insert(0, str(DOCS))
    try:
        import execute_notebooks as ex
    finally:
        sys.path.pop(0)

    def nb(data, fit):
        cells = [nbformat.v4.new_code_cell("load()"), nbformat.v4.new_code_cell("fit()")]
        cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"data: {data}\n(1000, 28, 28, 1)\n")]
        cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=fit)]
        return nbformat.v4.new_notebook(cells=cells)

    full = nb("the full MNIST (mnist.npz)", "Epoch 1/4 - loss: 0.9509\n")
    assert ex.data_lines(full) == ["data: the full MNIST (mnist.npz)"]
    assert ex.compared(full, nb("a sample of MNIST shipped with gradkit", "Epoch 1/4 - loss: 2.2246\n")) is None
    assert [i for i, *_ in ex.compared(full, nb("the full MNIST (mnist.npz)", "Epoch 1/4 - loss: 2.2246\n"))] == [1]
    assert ex.compared(full, nb("the full MNIST (mnist.npz)", "Epoch 1/4 - loss: 0.9510\n")) == []


def test_the_autodiff_page_counts_the_package_it_describes():
    text = (DOCS / "autodiff.md").read_text(encoding="utf-8")
    lines, files = re.search(r"about ([\d,]+) lines in (\d+) files", text).groups()
    package = sorted((ROOT / "src" / "gradkit" / "autograd").glob("*.py"))
    actual = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in package)
    assert int(files) == len(package)
    assert abs(int(lines.replace(",", "")) - actual) <= 0.1 * actual, actual
    named = set(re.findall(r"`(\w+\.py)`", text))
    assert {p.name for p in package} - {"__init__.py"} <= named  # every module is on the page
