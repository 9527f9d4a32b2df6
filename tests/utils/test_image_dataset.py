"""image_dataset_from_directory as DLwP ch. 8 and keras.io call it, checked against real Keras (TensorFlow) on the
same files: order, labels, class_names, split sizes, pixel values; errors name the argument."""
import os

import numpy as np
import pytest

from gradkit import Input, Sequential, layers
from gradkit.errors import DataError, GradkitError, PathError
from gradkit.utils import image_dataset_from_directory

Image = pytest.importorskip("PIL.Image", reason="Pillow (gradkit's 'images' extra) is not installed")


def _keras():
    """Real Keras on TensorFlow, or skip."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow", reason="real Keras's image_dataset_from_directory needs TensorFlow")
    return pytest.importorskip("keras", reason="real Keras is not installed")


def _save(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """cats/ and dogs/ of PNGs of assorted sizes (RGB, grayscale, RGBA), a nested folder, and a non-image file."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(7)
    for cls, count in (("cats", 7), ("dogs", 6)):
        for i in range(count):
            h, w = (int(v) for v in rng.integers(9, 41, 2))
            channels = (3, 3, None, 4)[i % 4]
            shape = (h, w) if channels is None else (h, w, channels)
            _save(str(root / cls / f"{cls}.{i}.png"), rng.integers(0, 256, shape, dtype=np.uint8))
        _save(str(root / cls / "more" / "x.png"), rng.integers(0, 256, (12, 16, 3), dtype=np.uint8))
        (root / cls / "notes.txt").write_text("not an image")
    return root


def _batches(ds):
    return [(np.asarray(x), np.asarray(y)) for x, y in ds]


def test_books_call_shapes_and_dtypes(folder):
    train_dataset = image_dataset_from_directory(folder, image_size=(180, 180), batch_size=32)  # DLwP ch. 8's call
    assert [data_batch.shape for data_batch, _ in train_dataset] == [(15, 180, 180, 3)]
    ds = image_dataset_from_directory(folder, image_size=(180, 180), batch_size=4, verbose=False)
    assert ds.class_names == ["cats", "dogs"] and len(ds) == 4  # 15 files (2 nested) in batches of 4
    shapes = [(data_batch.shape, labels_batch.shape) for data_batch, labels_batch in ds]  # DLwP ch. 8's loop
    assert shapes == [((4, 180, 180, 3), (4,))] * 3 + [((3, 180, 180, 3), (3,))]
    x, y = ds[0]
    assert x.dtype == np.float32 and y.dtype == np.int32 and 0 <= x.min() and x.max() <= 255


def test_same_files_order_labels_and_pixels_as_keras(folder):
    keras = _keras()
    for kw in ({"image_size": (20, 24)}, {"image_size": (16, 16), "interpolation": "nearest"},
               {"image_size": (18, 30), "crop_to_aspect_ratio": True, "label_mode": "categorical"},
               {"image_size": (21, 13), "pad_to_aspect_ratio": True},
               {"image_size": (20, 31), "pad_to_aspect_ratio": True, "interpolation": "nearest"},
               {"image_size": 14, "color_mode": "grayscale", "label_mode": "binary"},
               {"image_size": (10, 12), "color_mode": "rgba", "batch_size": 5}):
        kw = {"batch_size": 4, "shuffle": False, "verbose": False, **kw}
        k = keras.utils.image_dataset_from_directory(folder, **kw)
        g = image_dataset_from_directory(folder, **kw)
        assert g.class_names == k.class_names and g.file_paths == k.file_paths
        kb, gb = _batches(k), _batches(g)
        assert len(kb) == len(gb) == len(g)
        for (kx, ky), (gx, gy) in zip(kb, gb):
            assert gx.dtype == kx.dtype and gy.dtype == ky.dtype and gy.shape == ky.shape
            np.testing.assert_array_equal(gy, ky)
            # tf.image.resize's float32 arithmetic; colour → grayscale: TF's PNG decoder weighs R, G, B as Rec. 709,
            # Pillow (and Keras's grain format) as ITU-R 601-2, at most one level apart
            atol = 1.0001 if kw.get("color_mode") == "grayscale" else 2e-4
            np.testing.assert_allclose(gx, kx, rtol=0, atol=atol)


def test_shuffled_split_matches_keras(folder):
    keras = _keras()
    for subset in ("training", "validation"):
        kw = {"validation_split": 0.3, "subset": subset, "seed": 1337, "image_size": (8, 8), "verbose": False}
        k = keras.utils.image_dataset_from_directory(folder, **kw)
        g = image_dataset_from_directory(folder, **kw)
        assert g.file_paths == k.file_paths and g.class_names == k.class_names
        assert sum(len(y) for _, y in g) == len(k.file_paths) == (11 if subset == "training" else 4)
    kt, kv = keras.utils.image_dataset_from_directory(folder, validation_split=0.3, subset="both", seed=3,
                                                       image_size=(8, 8), verbose=False)
    gt, gv = image_dataset_from_directory(folder, validation_split=0.3, subset="both", seed=3, image_size=(8, 8),
                                          verbose=False)
    assert (gt.file_paths, gv.file_paths) == (kt.file_paths, kv.file_paths)
    assert not set(gt.file_paths) & set(gv.file_paths)
    # the validation part is not shuffled: its batches are Keras's, in Keras's order
    for (kx, ky), (gx, gy) in zip(_batches(kv), _batches(gv)):
        np.testing.assert_array_equal(gy, ky)
        np.testing.assert_array_equal(gx, kx)


def test_seeded_shuffle_repeats_and_reshuffles_each_pass(folder):
    a = image_dataset_from_directory(folder, image_size=(8, 8), batch_size=15, seed=5, verbose=False)
    b = image_dataset_from_directory(folder, image_size=(8, 8), batch_size=15, seed=5, verbose=False)
    first_a, first_b = [y for _, y in a], [y for _, y in b]
    np.testing.assert_array_equal(first_a[0], first_b[0])
    second_a = [y for _, y in a]
    np.testing.assert_array_equal(second_a[0], [y for _, y in b][0])
    x1, x2 = next(iter(a.take(1)))[0], a[0][0]
    assert x1.shape == x2.shape == (15, 8, 8, 3)
    assert sorted(first_a[0]) == sorted(second_a[0])  # the same files, drawn in a new order
    assert not np.array_equal(first_a[0], second_a[0])


def test_labels_list_class_names_order_and_no_labels(folder):
    g = image_dataset_from_directory(folder, class_names=["dogs", "cats"], shuffle=False, image_size=(8, 8),
                                     verbose=False)
    assert g.class_names == ["dogs", "cats"] and g.file_paths[0].endswith(os.path.join("dogs", "dogs.0.png"))
    assert g[0][1][:7].tolist() == [0] * 7
    x = image_dataset_from_directory(folder, labels=None, shuffle=False, image_size=(8, 8), batch_size=20,
                                     verbose=False)[0]
    assert isinstance(x, np.ndarray) and x.shape == (15, 8, 8, 3)
    flat = image_dataset_from_directory(folder / "cats", labels=list(range(8)), shuffle=False, image_size=(8, 8),
                                        verbose=False)
    assert flat.class_names == [str(i) for i in range(8)]


def test_dlwp_augmented_images_loop(folder):
    train_dataset = image_dataset_from_directory(folder, image_size=(24, 24), batch_size=8, verbose=False)
    data_augmentation = Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
                                    layers.RandomZoom(0.2)])
    for images, _ in train_dataset.take(1):  # DLwP 2nd ed. ch. 8's display loop, without the plotting
        augmented_images = data_augmentation(images)
        first = augmented_images[0].numpy().astype("uint8")
    assert first.shape == (24, 24, 3) and images.shape == (8, 24, 24, 3)


def test_fit_evaluate_predict_take_the_dataset_with_map(folder):
    train = image_dataset_from_directory(folder, image_size=(16, 16), batch_size=4, label_mode="binary", seed=1,
                                         verbose=False)
    aug = Sequential([layers.RandomFlip("horizontal")])
    mapped = train.map(lambda x, y: (aug(x), y), num_parallel_calls=4).prefetch(8).cache()
    xb, yb = mapped[0]
    assert isinstance(xb, np.ndarray) and xb.shape == (4, 16, 16, 3) and yb.shape == (4, 1)
    model = Sequential([Input((16, 16, 3)), layers.Rescaling(1 / 255), layers.Flatten(),
                        layers.Dense(1, activation="sigmoid")])
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(mapped, epochs=2, validation_data=train.take(2), verbose=0)
    assert len(hist.history["val_accuracy"]) == 2
    assert len(model.evaluate(train, verbose=0)) == 2
    assert model.predict(train, verbose=0).shape == (15, 1)


@pytest.mark.parametrize("kwargs, words", [
    ({"subset": "train", "validation_split": 0.2, "seed": 1}, ["subset", "'train'"]),
    ({"validation_split": 0.2}, ["validation_split", "subset"]),
    ({"validation_split": 0.2, "subset": "training"}, ["seed", "seed=None"]),
    ({"validation_split": 1.5, "subset": "training", "seed": 1}, ["validation_split", "[0, 1)", "1.5"]),
    ({"image_size": "180"}, ["image_size", "tuple of 2", "'180'"]),
    ({"image_size": (180, 180, 3)}, ["image_size", "(180, 180, 3)"]),
    ({"label_mode": "sparse"}, ["label_mode", "'sparse'"]),
    ({"color_mode": "bgr"}, ["color_mode", "'bgr'"]),
    ({"interpolation": "cubic"}, ["interpolation", "'cubic'"]),
    ({"interpolation": "gaussian"}, ["interpolation='gaussian' is not provided", "'bilinear'"]),
    ({"class_names": ["cats", "birds"]}, ["class_names", "birds", "'dogs'"]),
    ({"labels": "folders"}, ["labels", "'folders'"]),
    ({"labels": np.zeros(15, int)}, ["labels", "list/tuple", "array("]),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, ["crop_to_aspect_ratio", "pad_to_aspect_ratio"]),
    ({"labels": [0, 1]}, ["labels", "2 labels", "15 files"]),
    ({"batch_size": 0}, ["batch_size", "0"]),
    ({"seed": -3, "validation_split": 0.2, "subset": "training"}, ["image_dataset_from_directory", "seed", "-3"]),
])
def test_misuse_names_argument_expected_and_given(folder, kwargs, words):
    with pytest.raises(GradkitError) as e:
        image_dataset_from_directory(folder, verbose=False, **kwargs)
    assert all(w in str(e.value) for w in words), str(e.value)


def test_empty_or_missing_directory_and_binary_with_three_classes(tmp_path):
    with pytest.raises(DataError, match="no files in directory .* expected files ending in .bmp, .gif, .jpeg, .jpg"):
        image_dataset_from_directory(tmp_path, verbose=False)
    with pytest.raises(PathError, match="directory must be an existing folder"):
        image_dataset_from_directory(tmp_path / "absent", verbose=False)
    for cls in "abc":
        _save(str(tmp_path / cls / "1.png"), np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(DataError, match="label_mode='binary' needs exactly 2 classes, got 3"):
        image_dataset_from_directory(tmp_path, label_mode="binary", verbose=False)
    with pytest.raises(DataError, match="no files for the validation subset"):
        image_dataset_from_directory(tmp_path, validation_split=0.1, subset="validation", seed=1, verbose=False)


def test_verbose_prints_keras_lines(folder, capsys):
    image_dataset_from_directory(folder, validation_split=0.2, subset="training", seed=1, image_size=(8, 8))
    assert capsys.readouterr().out.splitlines() == ["Found 15 files belonging to 2 classes.",
                                                    "Using 12 files for training."]


def test_missing_pillow_names_the_extra(monkeypatch, folder):
    import sys
    from gradkit.errors import MissingDependencyError
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'gradkit\[images\]'"):
        image_dataset_from_directory(folder)
