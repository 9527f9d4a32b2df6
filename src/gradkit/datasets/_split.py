"""Keras's regression-dataset split (boston_housing, california_housing): shuffle with RandomState(seed), cut."""
import numpy as np

from ..errors import ConfigError


def check_test_split(test_split, loader):
    """A ConfigError unless 0 <= test_split < 1 (Keras's condition)."""
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float, np.number)) or \
            not 0 <= test_split < 1:
        raise ConfigError(f"{loader}.load_data: test_split must be a number in [0, 1), got {test_split!r}")


def shuffle_split(x, y, test_split, seed):
    """``(x_train, y_train), (x_test, y_test)``: rows shuffled by Keras's legacy RandomState(seed), the last
    test_split as test set (Keras's int(len(x) * (1 - test_split)) cut)."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)  # Keras's legacy RNG call, on a local RandomState
    x, y = x[indices], y[indices]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
