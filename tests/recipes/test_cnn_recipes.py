"""mnist-cnn on a small Keras-format mnist.npz written here; fashion-cnn on the mirror where present."""
import os

import numpy as np
import pytest

from gradkit.recipes import run_recipe
from tests.test_keras_io_convnet import _learnable_digits as _digits

MIRROR = os.environ.get("GRADKIT_DATA")


@pytest.fixture
def mnist_file(tmp_path):
    rng = np.random.default_rng(0)
    (xtr, ytr), (xte, yte) = _digits(500, rng), _digits(100, rng)
    p = tmp_path / "mnist.npz"
    np.savez(p, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    return p


def test_mnist_cnn_quick_learns_and_reports(tmp_path, mnist_file):
    rec = run_recipe("mnist-cnn", tmp_path / "run", quick=True, path=str(mnist_file), epochs=3, batch_size=64)
    assert rec.status == "ok", rec.error
    m, h = rec.result.metrics, rec.result.history
    assert len(h["val_accuracy"]) == 3 and h["loss"][-1] < h["loss"][0]
    assert m["test_accuracy"] > 0.9 and m["parameters"] == 34826 and m["train_rows"] == 450
    comp = rec.result.comparisons[0]
    assert comp.published == 0.99 and comp.agrees is None  # small data: no verdict against keras.io
    assert (tmp_path / "run" / "history.png").is_file() and (tmp_path / "run" / "report.html").is_file()


@pytest.mark.parametrize("variant", ["plain", "augmented"])
def test_fashion_cnn_quick_on_the_mirror(tmp_path, monkeypatch, variant):
    if not MIRROR or not os.path.isfile(os.path.join(MIRROR, "fashion-mnist", "train-images-idx3-ubyte.gz")):
        pytest.skip(f"needs fashion-mnist/ in the GRADKIT_DATA mirror (GRADKIT_DATA={MIRROR or 'unset'})")
    monkeypatch.setenv("GRADKIT_DATA", MIRROR)
    rec = run_recipe("fashion-cnn", tmp_path, quick=True, variant=variant, limit=600, epochs=2, batch_size=32, plots=False)
    assert rec.status == "ok", rec.error
    assert rec.result.metrics["test_accuracy"] > 0.3  # ten classes: chance is 0.1
    assert rec.result.comparisons[0].published == (0.922 if variant == "plain" else 0.919)
