"""cats-dogs: DLwP's augmented small-data convnet on a folder of images; --quick on synthetic images made on the fly."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from gradkit._cli import app
from gradkit.recipes import run_recipe
from gradkit.recipes.cats_dogs import convnet, synthetic_images

pytest.importorskip("PIL.Image", reason="Pillow (gradkit's 'images' extra) is not installed")


def test_the_books_model_layers_and_parameter_count():
    model = convnet(180)
    assert [type(layer).__name__ for layer in model.layers[1:]] == [
        "Sequential", "Rescaling", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
        "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dropout", "Dense"]
    # hand count: convs 3·3·(3·32 + 32·64 + 64·128 + 128·256 + 256·256) + biases, Dense 7·7·256 + 1
    convs = 9 * (3 * 32 + 32 * 64 + 64 * 128 + 128 * 256 + 256 * 256) + (32 + 64 + 128 + 256 + 256)
    assert model.count_params() == convs + 7 * 7 * 256 + 1 == 991041
    assert model.output_shape == (None, 1)


def test_quick_runs_on_synthetic_images_reports_so_and_repeats(tmp_path):
    runs = [run_recipe("cats-dogs", tmp_path / f"run{i}", quick=True, epochs=2, quick_images=8, plots=False)
            for i in range(2)]
    for rec in runs:
        assert rec.status == "ok", rec.error
    m, h = runs[0].result.metrics, runs[0].result.history
    assert (m["train_images"], m["val_images"], m["classes"]) == (16, 8, "cats, dogs")
    assert len(h["val_accuracy"]) == 2 and runs[0].result.comparisons == []  # no book figure set beside it
    np.testing.assert_array_equal(h["loss"], runs[1].result.history["loss"])  # one seed, the same run
    text = " ".join(runs[0].result.reading)
    assert "SYNTHETIC images" in text and "not photographs" in text and "No figure from the book" in text
    files = sorted(p.name for p in (tmp_path / "run0" / "synthetic-images" / "train" / "cats").iterdir())
    assert len(files) == 8 and {f.rsplit(".", 1)[1] for f in files} == {"png", "jpg"}


@pytest.mark.slow
def test_quick_defaults_learn_the_synthetic_classes(tmp_path):
    rec = run_recipe("cats-dogs", tmp_path, quick=True, plots=False)
    assert rec.status == "ok", rec.error
    assert rec.result.metrics["best_val_accuracy"] >= 0.8  # chance is 0.5 (0.9375 measured here, seed 0)


def test_cli_data_dir_of_class_folders_split_80_20(tmp_path):
    synthetic_images(str(tmp_path / "imgs"), 10, 80, seed=1)
    res = CliRunner().invoke(app, ["run", "cats-dogs", "--data-dir", str(tmp_path / "imgs" / "train"), "--epochs",
                                   "1", "--out", str(tmp_path / "run"), "--no-progress"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())["metrics"]
    assert (metrics["train_images"], metrics["val_images"]) == (16, 4)  # int(0.2 · 20) for validation


def test_book_layout_with_test_folder_is_evaluated(tmp_path):
    root = synthetic_images(str(tmp_path / "small"), 6, 80, seed=2)
    import shutil
    shutil.copytree(f"{root}/validation", f"{root}/test")
    rec = run_recipe("cats-dogs", tmp_path / "run", data_dir=root, epochs=1, image_size=80, plots=False)
    assert rec.status == "ok", rec.error
    assert 0 <= rec.result.metrics["test_accuracy"] <= 1 and rec.result.metrics["train_images"] == 12


def test_misuse_says_what_to_pass(tmp_path):
    rec = run_recipe("cats-dogs", tmp_path / "a", plots=False)
    assert rec.status == "failed" and "--data-dir PATH" in rec.error and "--quick" in rec.error
    for cls in "abc":
        (tmp_path / "three" / cls).mkdir(parents=True)
        from PIL import Image
        for i in range(5):
            Image.fromarray(np.zeros((80, 80, 3), np.uint8)).save(tmp_path / "three" / cls / f"{i}.png")
    rec = run_recipe("cats-dogs", tmp_path / "b", data_dir=str(tmp_path / "three"), epochs=1, image_size=80,
                     plots=False)
    assert rec.status == "failed" and "needs exactly 2 classes, got 3: ['a', 'b', 'c']" in rec.error
    res = CliRunner().invoke(app, ["run", "mnist-mlp", "--data-dir", str(tmp_path), "--out", str(tmp_path / "c")])
    assert res.exit_code != 0 and "no setting 'data_dir'" in res.output
