"""cifar10, cifar100 and california_housing on tiny files in the upstream formats (CIFAR's Python-2 pickle batches in
the tar.gz Keras downloads, Keras's california_housing.npz): Keras's shapes, dtypes, layouts, values and split."""
import hashlib
import io
import pickle
import struct
import tarfile

import numpy as np
import pytest

from gradkit import backend
from gradkit.datasets import california_housing, cifar10, cifar100
from gradkit.datasets.registry import FILES, DataFile
from gradkit.errors import ConfigError, DataError
from test_loaders import keras_boston  # Keras's shuffle-and-cut, transcribed there


class Py2Pickler(pickle._Pickler):
    """Pickles as Python 2's cPickle wrote the CIFAR batches: str and bytes as 8-bit strings, numpy.core globals."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_bytes(self, obj):
        n = len(obj)
        self.write(pickle.SHORT_BINSTRING + bytes([n]) + obj if n < 256 else
                   pickle.BINSTRING + struct.pack("<i", n) + obj)
        self.memoize(obj)

    def save_str(self, obj):
        self.save_bytes(obj.encode("latin-1"))

    def save_global(self, obj, name=None):
        module = obj.__module__.replace("numpy._core", "numpy.core")
        self.write(pickle.GLOBAL + f"{module}\n{name or obj.__qualname__}\n".encode())
        self.memoize(obj)

    dispatch[bytes], dispatch[str], dispatch[type] = save_bytes, save_str, save_global


def py2_pickle(obj):
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def write_tar_gz(path, members, level=9):
    """A tar.gz of {member name: bytes}, as the CIFAR archives are laid out."""
    with tarfile.open(path, "w:gz", compresslevel=level) as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return path


def cifar10_members(rng, sizes=(2, 3, 1, 2, 2, 3), data=None):
    """Five training batches and a test batch of random images (n, 3072) uint8 and labels 0-9."""
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    members, truth = {"cifar-10-batches-py/readme.html": b"<html></html>"}, []
    for name, n in zip(names, sizes):
        x = rng.integers(0, 256, (n, 3072), dtype=np.uint8) if data is None else data(n)
        y = [int(v) for v in rng.integers(0, 10, n)]
        members[f"cifar-10-batches-py/{name}"] = py2_pickle(
            {b"batch_label": f"{name} of 6".encode(), b"labels": y, b"data": x,
             b"filenames": [f"img_{i}.png".encode() for i in range(n)]})
        truth.append((x, y))
    return members, truth


def cifar100_members(rng, sizes=(5, 4)):
    members, truth = {}, []
    for name, n in zip(("train", "test"), sizes):
        x = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        fine, coarse = [int(v) for v in rng.integers(0, 100, n)], [int(v) for v in rng.integers(0, 20, n)]
        members[f"cifar-100-python/{name}"] = py2_pickle(
            {b"filenames": [b"f.png"] * n, b"batch_label": b"training batch 1 of 1", b"fine_labels": fine,
             b"coarse_labels": coarse, b"data": x})
        truth.append((x, fine, coarse))
    members["cifar-100-python/meta"] = py2_pickle({b"fine_label_names": [b"apple"], b"coarse_label_names": [b"x"]})
    return members, truth


def sha(path):
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """mirror(name, path-or-members): the file in a GRADKIT_DATA mirror, registered with its own hash."""
    root = tmp_path / "mirror"
    root.mkdir()
    monkeypatch.setenv("GRADKIT_DATA", str(root))

    def put(name, members, as_name=None):
        target = root / (as_name or name)
        write_tar_gz(target, members) if isinstance(members, dict) else target.write_bytes(members)
        monkeypatch.setitem(FILES, name, DataFile(name, FILES[name].url, ((sha(target), "this test"),),
                                                  aliases=FILES[name].aliases))
        return target
    return put


def channels_last(x):
    """The reference layout: pixel [i, row, col, channel] = data[i, channel * 1024 + row * 32 + col]."""
    out = np.empty((len(x), 32, 32, 3), np.uint8)
    for i in range(len(x)):
        for ch in range(3):
            out[i, :, :, ch] = x[i, ch * 1024:(ch + 1) * 1024].reshape(32, 32)
    return out


def test_cifar10_shapes_dtypes_layout_and_values(mirror):
    members, truth = cifar10_members(np.random.default_rng(0))
    mirror("cifar-10-python.tar.gz", members)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert y_train.shape == (10, 1) and y_test.shape == (3, 1)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert np.array_equal(x_train, channels_last(np.concatenate([x for x, _ in truth[:5]])))
    assert np.array_equal(x_test, channels_last(truth[5][0]))
    assert y_train[:, 0].tolist() == sum((y for _, y in truth[:5]), []) and y_test[:, 0].tolist() == truth[5][1]


def test_cifar10_channels_first(mirror):
    members, truth = cifar10_members(np.random.default_rng(1))
    mirror("cifar-10-python.tar.gz", members)
    backend.set_image_data_format("channels_first")
    try:
        (x_train, _), (x_test, _) = cifar10.load_data()
    finally:
        backend.set_image_data_format("channels_last")
    assert x_train.shape == (10, 3, 32, 32)
    assert np.array_equal(x_test, truth[5][0].reshape(3, 3, 32, 32))


def test_cifar10_found_under_keras3_cache_name(mirror):
    """A GRADKIT_DATA mirror that is a Keras 3 cache (~/.keras/datasets) holds the archive under Keras's name."""
    members, truth = cifar10_members(np.random.default_rng(2))
    mirror("cifar-10-python.tar.gz", members, as_name="cifar-10-batches-py-target_archive")
    assert cifar10.load_data()[1][1][:, 0].tolist() == truth[5][1]


@pytest.mark.parametrize("mode", ["fine", "coarse"])
def test_cifar100_label_modes(mirror, mode):
    members, truth = cifar100_members(np.random.default_rng(3))
    mirror("cifar-100-python.tar.gz", members)
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=mode)
    assert x_train.shape == (5, 32, 32, 3) and x_train.dtype == np.uint8 and x_test.shape == (4, 32, 32, 3)
    assert y_train.shape == (5, 1) and y_test.shape == (4, 1)
    assert y_train.dtype == y_test.dtype == np.int64  # Keras reshapes the pickled lists: int64, not uint8
    k = 1 if mode == "fine" else 2
    assert y_train[:, 0].tolist() == truth[0][k] and y_test[:, 0].tolist() == truth[1][k]
    assert np.array_equal(x_test, channels_last(truth[1][0]))


@pytest.mark.parametrize("mode", ["Fine", "medium", None, 1])
def test_cifar100_bad_label_mode(mode):
    with pytest.raises(ConfigError, match=r"label_mode must be 'fine' or 'coarse', got"):
        cifar100.load_data(label_mode=mode)


@pytest.mark.parametrize("loader, url", [
    (cifar10, "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"),
    (cifar100, "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"),
    (california_housing, "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz")])
def test_missing_file_says_what_to_do_first(loader, url):
    with pytest.raises(DataError) as e:
        loader.load_data()
    assert str(e.value).startswith(f"{url.rsplit('/', 1)[1]} is not available: download {url} and put it at ")


def test_cifar_mirror_file_with_other_bytes_is_refused(tmp_path, monkeypatch):
    members, _ = cifar100_members(np.random.default_rng(4))
    write_tar_gz(tmp_path / "cifar-100-python.tar.gz", members)
    monkeypatch.setenv("GRADKIT_DATA", str(tmp_path))
    with pytest.raises(DataError, match="matches no known-good hash of cifar-100-python.tar.gz"):
        cifar100.load_data()


def _bad_batch(**replace):
    d = {b"batch_label": b"x", b"labels": [1, 2], b"data": np.zeros((2, 3072), np.uint8)}
    d.update(replace)
    return d


class Evil:
    def __reduce__(self):
        import os
        return os.system, ("echo pwned",)


@pytest.mark.parametrize("payload, match", [
    (b"not an archive at all" * 10, "cannot read .* as the CIFAR tar.gz archive"),
    ("truncated", "cannot read .* as the CIFAR tar.gz archive"),
    ({"cifar-10-batches-py/data_batch_1": py2_pickle(_bad_batch())}, "lacks cifar-10-batches-py/data_batch_2"),
    ({"batch": b""}, r"data_batch_3\) is not a CIFAR batch .*EOFError"),
    ("missing test", "lacks cifar-10-batches-py/test_batch"),
    ({"batch": b"\x80\x02garbage"}, "is not a CIFAR batch"),
    ({"batch": pickle.dumps(Evil(), protocol=2)}, "refusing to unpickle"),
    ({"batch": py2_pickle([1, 2])}, "holds a list, not a dict"),
    ({"batch": py2_pickle(_bad_batch(data=np.zeros((2, 1024), np.uint8)))}, r"shape \(n, 3072\), got uint8 array"),
    ({"batch": py2_pickle(_bad_batch(data=np.zeros((2, 3072), np.float32)))}, "must be a uint8 array"),
    ({"batch": py2_pickle(_bad_batch(labels=[1]))}, "'labels' must be a list of 2 integer labels"),
    ({"batch": py2_pickle(_bad_batch(labels=[1, 10]))}, r"'labels' must be in \[0, 10\), got labels from 1 to 10"),
])
def test_cifar10_corrupt_or_wrong_files_are_data_errors(mirror, payload, match):
    members, _ = cifar10_members(np.random.default_rng(5))
    if payload == "missing test":
        del members["cifar-10-batches-py/test_batch"]
    elif isinstance(payload, dict) and "batch" in payload:
        members["cifar-10-batches-py/data_batch_3"] = payload["batch"]
    elif isinstance(payload, dict):
        members = payload
    if isinstance(payload, bytes):
        members = payload
    target = mirror("cifar-10-python.tar.gz", members)
    if payload == "truncated":
        whole = target.read_bytes()
        target.write_bytes(whole[:len(whole) // 2])
        mirror("cifar-10-python.tar.gz", target.read_bytes())
    with pytest.raises(DataError, match=match):
        cifar10.load_data()


# ---- california_housing ---------------------------------------------------------------------------------------

def keras_california(x, y, version, test_split, seed):
    """Keras's california_housing.load_data after np.load, transcribed: the "small" cut, then boston's split."""
    if version == "small":
        x, y = x[:600], y[:600]
    return keras_boston(x, y, test_split, seed)


@pytest.fixture
def housing(tmp_path):
    """A Keras-layout california_housing.npz of 700 rows: x (n, 8) float32, y (n,) float32 dollars."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(700, 8)).astype(np.float32)
    y = rng.uniform(14999, 500001, 700).astype(np.float32)
    np.savez(tmp_path / "california_housing.npz", x=x, y=y)
    return tmp_path / "california_housing.npz", x, y


@pytest.mark.parametrize("version, test_split, seed", [("large", 0.2, 113), ("small", 0.2, 113),
                                                       ("large", 0.0, 1), ("small", 0.37, 5)])
def test_california_split_matches_keras(housing, mirror, version, test_split, seed):
    path, x, y = housing
    mirror("california_housing.npz", path.read_bytes())
    got = california_housing.load_data(version=version, test_split=test_split, seed=seed)
    ref = keras_california(x, y, version, test_split, seed)
    n = 600 if version == "small" else 700
    assert len(got[0][0]) == int(n * (1 - test_split)) and len(got[0][0]) + len(got[1][0]) == n
    for g, r in zip(got[0] + got[1], ref[0] + ref[1]):
        assert g.dtype == r.dtype == np.float32 and np.array_equal(g, r)


def test_california_default_split_hand_checked(housing):
    """The defaults on 700 rows: 560 train, 140 test, rows permuted by RandomState(113), x and y kept together."""
    path, x, y = housing
    (x_train, y_train), (x_test, y_test) = california_housing.load_data(path=path)
    order = np.random.RandomState(113).permutation(700)
    assert x_train.shape == (560, 8) and x_test.shape == (140, 8) and y_test.shape == (140,)
    assert np.array_equal(y_train[:3], y[order[:3]]) and np.array_equal(x_test[-1], x[order[-1]])
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == sorted(y.tolist())


@pytest.mark.parametrize("kw, match", [({"version": "medium"}, "version must be 'small' or 'large'"),
                                       ({"test_split": 1.0}, r"test_split must be a number in \[0, 1\)"),
                                       ({"test_split": -0.1}, "test_split"), ({"test_split": "0.2"}, "test_split")])
def test_california_bad_arguments(kw, match):
    with pytest.raises(ConfigError, match=match):
        california_housing.load_data(**kw)


@pytest.mark.parametrize("arrays, match", [
    ({"x": np.zeros((5, 13)), "y": np.zeros(5)}, r"expected numeric x of shape \(n, 8\).*got x \(5, 13\)"),
    ({"x": np.zeros((5, 8)), "y": np.zeros(4)}, r"y \(4,\)"),
    ({"x": np.zeros((5, 8)), "y": np.array([[1], [2], [3], [4], [5]], dtype=object).reshape(5)}, "object"),
    ({"x": np.zeros((5, 8))}, "lacks the arrays 'y'"),
])
def test_california_wrong_file_is_data_error(tmp_path, arrays, match):
    path = tmp_path / "mine.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError, match=match):
        california_housing.load_data(path=path)


# ---- the real files, where the mirror has them -------------------------------------------------------------------

def test_cifar10_from_mirror(mirror_file, use_mirror):
    mirror_file("cifar-10-python.tar.gz")
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (50000, 32, 32, 3) and x_test.shape == (10000, 32, 32, 3)
    assert np.bincount(y_train[:, 0]).tolist() == [5000] * 10 and np.bincount(y_test[:, 0]).tolist() == [1000] * 10


def test_california_from_mirror(mirror_file, use_mirror):
    mirror_file("california_housing.npz")
    (x_train, y_train), (x_test, y_test) = california_housing.load_data()
    assert x_train.shape == (16512, 8) and x_test.shape == (4128, 8) and y_train.shape == (16512,)


# ---- real Keras on the same files (where tensorflow is installed) ------------------------------------------------

@pytest.fixture
def keras_cache(tmp_path, monkeypatch):
    """Real Keras's dataset modules, their get_file pointed at tmp_path/keras (no hash check, no network)."""
    pytest.importorskip("tensorflow")
    from keras.src.datasets import california_housing as kc
    from keras.src.datasets import cifar10 as k10
    from keras.src.datasets import cifar100 as k100
    from keras.src.utils.file_utils import get_file

    root = tmp_path / "keras"
    (root / "datasets").mkdir(parents=True)
    for module in (kc, k10, k100):
        monkeypatch.setattr(module, "get_file", lambda *a, **kw: get_file(*a, **{**kw, "file_hash": None,
                                                                                 "cache_dir": str(root)}))
    return root / "datasets", {"cifar10": k10, "cifar100": k100, "california_housing": kc}


def assert_same(got, ref):
    for g, r in zip(got[0] + got[1], ref[0] + ref[1]):
        assert g.shape == r.shape and g.dtype == r.dtype and np.array_equal(g, r)


@pytest.mark.parametrize("mode", ["fine", "coarse"])
def test_cifar100_equals_real_keras(keras_cache, mirror, mode):
    folder, keras = keras_cache
    members, _ = cifar100_members(np.random.default_rng(8))
    target = mirror("cifar-100-python.tar.gz", members)
    (folder / "cifar-100-python-target_archive").write_bytes(target.read_bytes())
    assert_same(cifar100.load_data(mode), keras["cifar100"].load_data(mode))


@pytest.mark.parametrize("version", ["small", "large"])
def test_california_equals_real_keras(keras_cache, housing, version):
    folder, keras = keras_cache
    path, _, _ = housing
    (folder / "california_housing.npz").write_bytes(path.read_bytes())
    for kw in ({}, {"test_split": 0.3, "seed": 4}):
        assert_same(california_housing.load_data(version, path=path, **kw),
                    keras["california_housing"].load_data(version, **kw))


@pytest.mark.slow
def test_cifar10_equals_real_keras(keras_cache, mirror):
    """Keras's cifar10 assumes five batches of 10,000 images: a full-size archive of compressible images."""
    folder, keras = keras_cache
    row = np.arange(3072) % 251

    def images(n):
        return ((row[None, :] + np.arange(n)[:, None] * 7) % 256).astype(np.uint8)
    members, _ = cifar10_members(np.random.default_rng(9), sizes=(10000,) * 6, data=images)
    target = write_tar_gz(folder / "cifar-10-batches-py-target_archive", members, level=1)
    mirror("cifar-10-python.tar.gz", target.read_bytes())
    assert_same(cifar10.load_data(), keras["cifar10"].load_data())
