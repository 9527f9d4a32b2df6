"""IMDB and Reuters loaders against a line-by-line transcription of Keras's algorithm, on tiny Keras-format files."""
import json

import numpy as np
import pytest

from gradkit.datasets import imdb, reuters
from gradkit.errors import ConfigError, DataError


def ragged(lists):
    out = np.empty(len(lists), dtype=object)
    for i, x in enumerate(lists):
        out[i] = list(x)
    return out


def random_docs(rng, n, vocab=30, max_len=12):
    return [[int(w) for w in rng.integers(1, vocab, rng.integers(1, max_len))] for _ in range(n)]


@pytest.fixture
def imdb_file(tmp_path):
    rng = np.random.default_rng(5)
    p = tmp_path / "imdb.npz"
    np.savez(p, x_train=ragged(random_docs(rng, 40)), y_train=rng.integers(0, 2, 40),
             x_test=ragged(random_docs(rng, 30)), y_test=rng.integers(0, 2, 30))
    return p


@pytest.fixture
def reuters_file(tmp_path):
    rng = np.random.default_rng(6)
    p = tmp_path / "reuters.npz"
    np.savez(p, x=ragged(random_docs(rng, 53)), y=rng.integers(0, 46, 53))
    return p


def keras_filter(xs, labels, maxlen, num_words, skip_top, start_char, oov_char, index_from):
    """Keras's shared steps, transcribed: offset, drop long, clip vocabulary."""
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    else:
        xs = [[w for w in x] for x in xs]
    if maxlen:
        kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
        xs, labels = [x for x, _ in kept], [y for _, y in kept]
    return xs, labels


def keras_clip(xs, num_words, skip_top, oov_char):
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def keras_imdb(path, num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3):
    with np.load(path, allow_pickle=True) as f:
        x_train, labels_train, x_test, labels_test = f["x_train"], f["y_train"], f["x_test"], f["y_test"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    args = (maxlen, num_words, skip_top, start_char, oov_char, index_from)
    x_train, labels_train = keras_filter(x_train, labels_train, *args)
    x_test, labels_test = keras_filter(x_test, labels_test, *args)
    xs = keras_clip(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    idx = len(x_train)
    return (xs[:idx], labels[:idx]), (xs[idx:], labels[idx:])


def keras_reuters(path, num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, start_char=1,
                  oov_char=2, index_from=3):
    with np.load(path, allow_pickle=True) as f:
        xs, labels = f["x"], f["y"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = keras_filter(xs[indices], labels[indices], maxlen, num_words, skip_top, start_char, oov_char,
                              index_from)
    xs = keras_clip(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return (xs[:idx], np.array(labels[:idx])), (xs[idx:], np.array(labels[idx:]))


def assert_same(got, ref):
    for (gx, gy), (rx, ry) in zip(got, ref):
        assert gx.dtype == object and gx.ndim == 1 and len(gx) == len(rx)
        assert [list(x) for x in gx] == rx
        assert all(type(w) is int for x in gx for w in x)
        assert gy.dtype == np.asarray(ry).dtype and np.array_equal(gy, ry)


CASES = [
    {},
    {"num_words": 15},
    {"num_words": 15, "skip_top": 5},
    {"maxlen": 9},
    {"seed": 7, "start_char": None},
    {"oov_char": None, "num_words": 12, "skip_top": 4},
    {"start_char": None, "index_from": 0},
    {"start_char": 1, "index_from": 0, "maxlen": 6, "num_words": 20},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_imdb_matches_keras(imdb_file, kwargs):
    assert_same(imdb.load_data(path=str(imdb_file), **kwargs), keras_imdb(imdb_file, **kwargs))


@pytest.mark.parametrize("kwargs", CASES + [{"test_split": 0.5}, {"test_split": 0.0, "maxlen": 9}])
def test_reuters_matches_keras(reuters_file, kwargs):
    assert_same(reuters.load_data(path=str(reuters_file), **kwargs), keras_reuters(reuters_file, **kwargs))


def test_imdb_hand_checked_values(tmp_path):
    """Worked by hand: RandomState(113) orders 3 train reviews as [2, 0, 1], then 2 test reviews as [1, 0];
    words shift by index_from=3 after start_char 1, and ranks >= num_words=7 become oov 2."""
    p = tmp_path / "imdb.npz"
    np.savez(p, x_train=ragged([[1, 2], [3, 1, 4], [2]]), y_train=np.array([0, 1, 1]),
             x_test=ragged([[5], [1, 1]]), y_test=np.array([1, 0]))
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path=str(p), num_words=7)
    assert x_train.tolist() == [[1, 5], [1, 4, 5], [1, 6, 4, 2]] and y_train.tolist() == [1, 0, 1]
    assert x_test.tolist() == [[1, 4, 4], [1, 2]] and y_test.tolist() == [0, 1]


def test_imdb_unknown_argument_is_named(imdb_file):
    with pytest.raises(ConfigError, match="num_word"):
        imdb.load_data(path=str(imdb_file), num_word=10)


def test_imdb_maxlen_keeping_nothing_says_so(imdb_file):
    with pytest.raises(DataError, match="Increase maxlen"):
        imdb.load_data(path=str(imdb_file), maxlen=1)


def test_word_index_and_labels(tmp_path):
    p = tmp_path / "index.json"
    p.write_text(json.dumps({"the": 1, "movie": 2}))
    assert imdb.get_word_index(path=str(p)) == {"the": 1, "movie": 2}
    assert reuters.get_word_index(path=str(p))["movie"] == 2
    names = reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn" and names[4] == "acq"


def test_real_imdb_word_index(mirror_file, use_mirror):
    mirror_file("imdb_word_index.json")
    index = imdb.get_word_index()
    assert len(index) == 88584 and index["the"] == 1 and index["and"] == 2


def test_missing_imdb_says_where_to_put_it():
    with pytest.raises(DataError, match=r"imdb.npz is not available: .* put it at .*imdb.npz"):
        imdb.load_data()
