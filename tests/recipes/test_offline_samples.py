"""With --quick and no dataset file, the convnet, recurrent and text recipes run on a sample and say so."""
import os

import numpy as np
import pytest

from gradkit.datasets import fetch as fetch_mod
from gradkit.datasets import samples
from gradkit.errors import DataError
from gradkit.recipes import run_recipe

MIRROR = os.environ.get("GRADKIT_DATA")


@pytest.mark.parametrize("name, classes", [("mnist", 10), ("fashion_mnist", 10)])
def test_image_samples_are_real_images_in_keras_layout(name, classes):
    (x, y), (xt, yt) = samples.load(name)
    assert x.shape == (1000, 28, 28) and xt.shape == (250, 28, 28) and x.dtype == np.uint8
    assert set(np.unique(y)) == set(range(classes)) and 0 < x.mean() < 255


def test_mnist_sample_is_the_start_of_the_mirror_file():

    mirror = MIRROR
    path = mirror and os.path.join(mirror, "mnist.npz")
    if not path or not os.path.isfile(path):
        pytest.skip("needs mnist.npz in the GRADKIT_DATA mirror")
    with np.load(path) as full:
        (x, y), (xt, yt) = samples.mnist()
        assert np.array_equal(x, full["x_train"][:1000]) and np.array_equal(yt, full["y_test"][:250])


@pytest.mark.parametrize("name, classes", [("imdb", 2), ("reuters", 46)])
def test_synthetic_text_samples_repeat_and_follow_keras_layout(name, classes):
    (x, y), (xt, yt) = samples.load(name, num_words=1000)
    again = samples.load(name, num_words=1000)
    assert x.dtype == object and len(x) == 2000 and len(xt) == 500
    assert all(s[0] == 1 and 3 <= min(s[1:]) and max(s) < 1000 for s in x[:50])  # Keras: 1 starts, ids from 3
    assert np.array_equal(y, again[0][1]) and x[7] == again[0][0][7]
    assert set(np.unique(np.concatenate([y, yt]))) == set(range(classes))
    if classes == 2:
        assert abs(y.mean() - 0.5) < 0.05


@pytest.mark.parametrize("recipe, dataset", [("mnist-cnn", "mnist"), ("fashion-cnn", "fashion_mnist"),
                                             ("imdb", "imdb"), ("imdb-lstm", "imdb"), ("reuters", "reuters")])
def test_quick_run_without_the_file_uses_the_sample_and_says_so(tmp_path, recipe, dataset):
    rec = run_recipe(recipe, tmp_path / recipe, quick=True, epochs=1, plots=False)
    assert rec.status == "ok", rec.error
    assert rec.result.metrics["data"] == "sample"
    first = rec.result.reading[0]
    assert samples.DESCRIBE[dataset] in first and f"`gradkit fetch {dataset}`" in first
    published = [c for c in rec.result.comparisons if "difference" not in c.quantity]  # not gradkit's own checks
    assert published and all(c.agrees is None for c in published)  # no verdict against a published figure


def test_full_run_without_the_file_still_fails_naming_the_file(tmp_path):
    rec = run_recipe("imdb", tmp_path / "imdb", epochs=1, plots=False)
    assert rec.status == "failed" and "imdb.npz" in rec.error


def test_fetch_dataset_gets_every_file_and_suggests_close_names(monkeypatch):
    got = []
    monkeypatch.setattr(fetch_mod, "fetch", lambda f, downloader=None: got.append(f) or f)
    assert fetch_mod.fetch_dataset("fashion_mnist") == got and len(got) == 4
    with pytest.raises(DataError, match=r"unknown dataset 'mnsit'.*Did you mean 'mnist'"):
        fetch_mod.fetch_dataset("mnsit")


def test_cli_fetch_says_what_is_missing_offline(tmp_path):
    from click.testing import CliRunner
    from gradkit._cli import app
    out = CliRunner().invoke(app, ["fetch", "imdb"])
    assert out.exit_code == 1 and "imdb.npz is not available" in out.output
