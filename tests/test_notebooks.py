"""Real notebooks executed by a Jupyter kernel (nbclient): fit prints text lines, not widgets, and nothing warns.

Run twice: with ipywidgets importable (as in most Jupyter installs and Colab) and with it blocked, through a
sitecustomize.py on the kernel's PYTHONPATH that makes ``import ipywidgets`` fail.
"""
import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="notebook tests need the test extra (nbformat)")
nbclient = pytest.importorskip("nbclient", reason="notebook tests need the test extra (nbclient)")
pytest.importorskip("ipykernel", reason="notebook tests need the test extra (ipykernel)")

SRC = Path(__file__).resolve().parents[1] / "src"
EPOCHS = 200
CELLS = [
    "import gradkit\nfrom gradkit.datasets import boston_housing\n"
    "(x, y), (x_test, y_test) = boston_housing.load_data()\n"
    "x, x_test = (x - x.mean(0)) / x.std(0), (x_test - x.mean(0)) / x.std(0)",
    "model = gradkit.Sequential([gradkit.Input((13,)), gradkit.layers.Dense(1)])\n"
    "model.compile(optimizer='sgd', loss='mse', metrics=['mae'])\n"
    f"history = model.fit(x, y, epochs={EPOCHS}, batch_size=32, validation_split=0.2)",
    "history",
    "model",
    "model.evaluate(x_test, y_test)\nmodel.predict(x_test[:3]).shape",
    "try:\n    import ipywidgets\n    print('ipywidgets: importable')\nexcept ImportError:\n    print('ipywidgets: blocked')",
]


def _run(tmp_path, monkeypatch, block_widgets):
    paths = [str(SRC)]
    if block_widgets:
        shim = tmp_path / "shim"
        shim.mkdir()
        (shim / "sitecustomize.py").write_text("import sys\nsys.modules['ipywidgets'] = None  # import fails\n")
        paths.insert(0, str(shim))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths + [os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("GRADKIT_CACHE", str(tmp_path / "cache"))  # Boston ships with gradkit: no download
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    path = tmp_path / "fit.ipynb"
    nbformat.write(nb, path)
    return nb, path


@pytest.fixture(scope="module", params=[False, True], ids=["ipywidgets-installed", "ipywidgets-blocked"])
def executed(request, tmp_path_factory):
    if not request.param:
        pytest.importorskip("ipywidgets", reason="the ipywidgets case needs ipywidgets (test extra)")
    mp = pytest.MonkeyPatch()
    try:
        yield _run(tmp_path_factory.mktemp("nb"), mp, request.param)
    finally:
        mp.undo()


def _text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_the_kernel_saw_the_intended_ipywidgets(executed, request):
    nb, _ = executed
    expected = "blocked" if "blocked" in request.node.callspec.id else "importable"
    assert _text(nb.cells[-1]) == f"ipywidgets: {expected}\n"


def test_fit_prints_one_text_line_per_epoch_with_the_loss(executed):
    nb, _ = executed
    lines = _text(nb.cells[1]).splitlines()
    assert len(lines) == EPOCHS
    losses = [float(re.search(r" - loss: ([0-9.]+)", ln).group(1)) for ln in lines]
    assert lines[0].startswith(f"Epoch 1/{EPOCHS} - ") and lines[-1].startswith(f"Epoch {EPOCHS}/{EPOCHS} - ")
    assert all(" - val_loss: " in ln and " - mae: " in ln for ln in lines)
    assert losses[-1] < losses[0] / 10  # readable numbers that tell the story: the loss fell


def test_no_widgets_no_warnings_and_a_small_file(executed):
    nb, path = executed
    for cell in nb.cells:
        for out in cell.outputs:
            assert out.output_type != "error", out
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {})
    assert path.stat().st_size < 300_000


def test_history_model_and_evaluate_render_for_a_notebook(executed):
    nb, _ = executed
    history_html = nb.cells[2].outputs[0]["data"]["text/html"]
    assert "<img src='data:image/png;base64," in history_html and "<th>val_loss</th>" in history_html
    assert f"… {EPOCHS - 10} epochs …" in history_html
    model_html = nb.cells[3].outputs[0]["data"]["text/html"]
    assert "<th>Output Shape</th>" in model_html and "dense" in model_html and "Total params: 16" in model_html and "Optimizer params: 2 " in model_html  # Keras 3 counts the trained optimizer
    assert re.search(r"samples - \d+s - loss: [0-9.]+ - mae: [0-9.]+", _text(nb.cells[4]))
