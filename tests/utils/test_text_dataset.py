"""text_dataset_from_directory as DLwP ch. 11 calls it on an aclImdb-like folder, against real Keras; the Keras 2
module paths gradkit.preprocessing.sequence / .image."""
import os

import numpy as np
import pytest

from gradkit.errors import GradkitError, UnsupportedError
from gradkit.utils import text_dataset_from_directory


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow", reason="real Keras's text_dataset_from_directory needs TensorFlow")
    return pytest.importorskip("keras", reason="real Keras is not installed")


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    root = tmp_path_factory.mktemp("aclImdb") / "train"
    rng = np.random.default_rng(3)
    words = "good bad film plot actor boring great awful story".split()
    for cls, count in (("neg", 9), ("pos", 8)):
        (root / cls).mkdir(parents=True)
        for i in range(count):
            text = " ".join(rng.choice(words, int(rng.integers(3, 30))))
            (root / cls / f"{i}_{i % 10}.txt").write_text(text)
    (root / "unsup").mkdir()
    (root / "unsup" / "0_0.txt").write_text("unlabelled")
    (root / "pos" / "readme.md").write_text("not a .txt file")
    return root


def test_books_loop_and_class_names(reviews):
    ds = text_dataset_from_directory(reviews, class_names=["neg", "pos"], batch_size=4, verbose=False)
    assert ds.class_names == ["neg", "pos"] and len(ds) == 5
    for inputs, targets in ds:  # DLwP ch. 11: print inputs.shape, inputs.dtype, targets.shape, inputs[0]
        assert inputs.shape == (4,) and inputs.dtype == object and targets.shape == (4,)
        assert isinstance(inputs[0], str) and targets.dtype == np.int32
        break
    text_only = ds.map(lambda x, y: x)
    assert sum(len(x) for x in text_only) == 17


def test_same_texts_labels_and_split_as_keras(reviews):
    keras = _keras()
    for kw in ({"shuffle": False, "max_length": 20}, {"validation_split": 0.25, "subset": "validation", "seed": 9},
               {"validation_split": 0.25, "subset": "training", "seed": 9, "label_mode": "categorical"}):
        kw = {"batch_size": 5, "verbose": False, **kw}
        k = keras.utils.text_dataset_from_directory(reviews, **kw)
        g = text_dataset_from_directory(reviews, **kw)
        assert g.class_names == k.class_names == ["neg", "pos", "unsup"]
        kt = [(t.decode(), tuple(np.atleast_1d(lab))) for x, y in k for t, lab in zip(x.numpy(), y.numpy())]
        gt = [(t, tuple(np.atleast_1d(lab))) for x, y in g for t, lab in zip(x, y)]
        assert len(kt) == len(gt)
        if not kw.get("seed"):  # unshuffled: Keras's batches, in order
            assert gt == kt
        else:  # shuffled in a tf.data buffer too: the same (text, label) pairs
            assert sorted(gt) == sorted(kt)


@pytest.mark.parametrize("kwargs, words", [
    ({"max_length": 0}, ["max_length", "0"]),
    ({"label_mode": "binary"}, ["binary", "exactly 2 classes", "got 3"]),
    ({"subset": "both"}, ["validation_split", "subset='both'"]),
])
def test_misuse(reviews, kwargs, words):
    with pytest.raises(GradkitError) as e:
        text_dataset_from_directory(reviews, verbose=False, **kwargs)
    assert all(w in str(e.value) for w in words), str(e.value)


def test_keras2_module_paths():
    from gradkit import preprocessing
    from gradkit.preprocessing import image, sequence
    from gradkit.preprocessing.sequence import pad_sequences
    assert pad_sequences is preprocessing.pad_sequences and sequence.pad_sequences([[1, 2]], maxlen=3).tolist() \
        == [[0, 1, 2]]
    from gradkit.preprocessing import KFold, StandardScaler, to_categorical  # noqa: F401  (the old module's names)
    assert preprocessing.timeseries_dataset_from_array.__module__ == "gradkit.utils.timeseries"
    assert preprocessing.image is image
    with pytest.raises(UnsupportedError, match="ImageDataGenerator"):
        image.ImageDataGenerator
    with pytest.raises(UnsupportedError, match="TimeseriesGenerator"):
        sequence.TimeseriesGenerator


def test_load_img_img_to_array_round_trip_as_keras(tmp_path):
    pytest.importorskip("PIL.Image", reason="Pillow (the 'images' extra) is not installed")
    from gradkit.preprocessing.image import array_to_img, img_to_array, load_img, save_img
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (20, 30, 3)).astype("float32")
    save_img(tmp_path / "a.png", x, scale=False)
    img = load_img(tmp_path / "a.png", target_size=(10, 15))
    assert img.size == (15, 10)
    np.testing.assert_array_equal(img_to_array(load_img(tmp_path / "a.png")), x)
    assert img_to_array(load_img(tmp_path / "a.png", color_mode="grayscale")).shape == (20, 30, 1)
    keras = _keras()
    for kw in ({"target_size": (10, 15)}, {"target_size": (12, 12), "keep_aspect_ratio": True,
                                           "interpolation": "bilinear"}, {"color_mode": "grayscale"}):
        np.testing.assert_array_equal(img_to_array(load_img(tmp_path / "a.png", **kw)),
                                      keras.utils.img_to_array(keras.utils.load_img(tmp_path / "a.png", **kw)))
    np.testing.assert_array_equal(np.asarray(array_to_img(x / 7)), np.asarray(keras.utils.array_to_img(x / 7)))
