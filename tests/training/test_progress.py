"""Progress: verbose=1 a tqdm bar per epoch, verbose=2 one line per epoch, verbose=0 silent."""
import numpy as np

from gradkit.layers import Dense
from gradkit.models import Sequential
from gradkit.training.progress import ProgbarLogger, format_logs


def _fit(capsys, verbose):
    x = np.ones((64, 3), "float32")
    model = Sequential([Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    model.fit(x, x[:, 0], epochs=2, batch_size=16, verbose=verbose)
    captured = capsys.readouterr()
    return captured.out + captured.err


def test_verbose_0_is_silent(capsys):
    assert _fit(capsys, 0) == ""


def test_verbose_2_prints_one_line_per_epoch(capsys):
    lines = _fit(capsys, 2).strip().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("4/4 - ") and "/step - loss: " in lines[1] and "mae: " in lines[1]
    assert len(lines) == 4


def test_verbose_1_and_auto_draw_a_bar_with_steps_and_metrics(capsys):
    for verbose in (1, "auto"):
        out = _fit(capsys, verbose)
        assert "Epoch 1/2" in out and "Epoch 2/2" in out
        assert "4/4" in out and "loss: " in out and "/step" in out


def test_format_logs():
    assert format_logs({"loss": 0.123456, "accuracy": 1.0}) == "loss: 0.1235 - accuracy: 1.0000"
    assert ProgbarLogger(verbose=2).verbose == 2


def test_in_a_notebook_verbose_1_prints_one_line_per_epoch(capsys, monkeypatch):
    from gradkit.training import progress
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    lines = _fit(capsys, 1).strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Epoch 1/2 - 4/4 - ") and lines[1].startswith("Epoch 2/2 - ")
    assert "loss: " in lines[1] and "mae: " in lines[1] and "\r" not in "".join(lines)


def test_notebook_detection(monkeypatch):
    import sys
    import types

    from gradkit.display import in_notebook
    assert not in_notebook()  # pytest is a terminal
    shell = type("ZMQInteractiveShell", (), {})()
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert in_notebook()
    monkeypatch.setenv("QT_API", "pyqt5")  # a Qt console draws \r bars fine: not a notebook
    assert not in_notebook()
    monkeypatch.delenv("QT_API")
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(
        get_ipython=lambda: type("TerminalInteractiveShell", (), {})()))
    assert not in_notebook()


def test_history_and_model_render_as_html():
    x = np.ones((8, 3), "float32")
    model = Sequential([Dense(2, name="d")])
    model.compile("sgd", "mse")
    hist = model.fit(x, x[:, :2], epochs=12, verbose=0)
    page = hist._repr_html_()
    assert "<th>loss</th>" in page and "… 2 epochs …" in page and page.count("<tr><td>") == 10
    assert "data:image/png;base64," in page
    # 8 weights + the trained optimizer's 2 (iterations, learning rate), as Keras 3 counts them
    assert "<td>d (Dense)</td><td>(None, 2)</td>" in model._repr_html_() and "Total params: 10" in model._repr_html_()
