"""mnist, fashion_mnist and boston_housing give Keras's shapes, dtypes and values; logic_gates their truth tables."""
import numpy as np
import pytest

from gradkit import backend
from gradkit.datasets import boston_housing, fashion_mnist, logic_gates, mnist
from gradkit.errors import ConfigError, DataError


def test_mnist_from_mirror(mirror_file, use_mirror):
    mirror_file("mnist.npz")
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert (x_train.shape, x_test.shape, y_train.shape, y_test.shape) == ((60000, 28, 28), (10000, 28, 28),
                                                                          (60000,), (10000,))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype("uint8")}
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    n, total = x_train.size, int(x_train.sum(dtype=np.int64))
    squares = sum(int((rows.astype(np.int64) ** 2).sum()) for rows in np.array_split(x_train, 60))
    mean = total / (n * 255)  # pixel mean and std after scaling to [0, 1], from exact integer sums
    assert mean == pytest.approx(0.1306604762738429, abs=1e-15)
    assert np.sqrt(squares / (n * 255**2) - mean**2) == pytest.approx(0.30810780385646264, abs=1e-12)


def test_fashion_mnist_from_mirror(mirror_file, use_mirror):
    mirror_file("fashion-mnist/train-images-idx3-ubyte.gz")
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert (x_train.shape, x_test.shape) == ((60000, 28, 28), (10000, 28, 28)) and x_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [6000] * 10 and np.bincount(y_test).tolist() == [1000] * 10
    assert y_train[:5].tolist() == [9, 0, 0, 3, 0]  # ankle boot, T-shirt, T-shirt, dress, T-shirt
    assert fashion_mnist.CLASS_NAMES[9] == "Ankle boot"


def keras_boston(x, y, test_split, seed):
    """Keras's boston_housing.load_data after np.load, transcribed."""
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


@pytest.mark.parametrize("test_split, seed", [(0.2, 113), (0.0, 113), (0.33, 1)])
def test_boston_matches_keras(test_split, seed):
    """Works offline from the packaged copy (no mirror, empty cache, downloads off)."""
    from gradkit.datasets.fetch import PACKAGED_DIR

    with np.load(PACKAGED_DIR / "boston_housing.npz") as f:
        ref = keras_boston(f["x"], f["y"], test_split, seed)
    got = boston_housing.load_data(test_split=test_split, seed=seed)
    for g, r in zip(got[0] + got[1], ref[0] + ref[1]):
        assert g.dtype == r.dtype == np.float64 and np.array_equal(g, r)


def test_boston_shapes_and_values():
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    assert x_train.shape == (404, 13) and x_test.shape == (102, 13) and y_test.shape == (102,)
    assert y_train[:5].tolist() == [15.2, 42.3, 50.0, 21.1, 17.7]  # Keras's order for seed 113
    (x_all, y_all), (x_none, _) = boston_housing.load_data(test_split=0.0)
    assert x_all.shape == (506, 13) and x_none.shape == (0, 13) and 5.0 <= y_all.min() < y_all.max() <= 50.0
    assert len(boston_housing.feature_names) == 13
    assert boston_housing.feature_names[0] == "CRIM" and boston_housing.feature_names[-1] == "LSTAT"
    with pytest.raises(ConfigError, match="test_split"):
        boston_housing.load_data(test_split=1.0)


def test_user_copy_via_path(tmp_path):
    p = tmp_path / "mine.npz"
    np.savez(p, x=np.arange(26.0).reshape(2, 13), y=np.array([1.0, 2.0]))
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(path=str(p), test_split=0.5)
    assert x_train.shape == (1, 13) and sorted(y_train.tolist() + y_test.tolist()) == [1.0, 2.0]


def test_missing_mnist_without_network_names_the_file():
    with pytest.raises(DataError, match=r"mnist.npz is not available: .*GRADKIT_DATA"):
        mnist.load_data()


@pytest.mark.parametrize("gate, y", [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0]),
                                     ("xor", [0, 1, 1, 0])])
def test_logic_gates(gate, y):
    x, t = logic_gates.load(gate)
    assert x.tolist() == [[0, 0], [1, 0], [0, 1], [1, 1]] and t.tolist() == y
    assert x.dtype == t.dtype == np.dtype(backend.floatx())


def test_unknown_gate_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="AND, OR, NAND, XOR"):
        logic_gates.load("NOR")
