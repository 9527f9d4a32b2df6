"""Boston Housing (Harrison & Rubinfeld, 1978): 506 tracts, 13 features, median value in k$; shipped in the package.

Keras's warning applies: the feature "B" encodes a racist assumption; use the data to study that problem or
the regression mechanics, not to make decisions.
"""
import numpy as np

from ..errors import ConfigError
from .fetch import fetch
from .npz import load_npz

feature_names = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT")
"""The 13 columns of x, in order (StatLib's names)."""


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Keras's ``boston_housing.load_data``: shuffled with RandomState(seed), the last test_split as test set."""
    if not 0 <= test_split < 1:
        raise ConfigError(f"boston_housing.load_data: test_split must be in [0, 1), got {test_split!r}")
    f = load_npz(fetch("boston_housing.npz", path), keys=("x", "y"))
    x, y = f["x"], f["y"]
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)  # Keras's legacy RNG call, on a local RandomState
    x, y = x[indices], y[indices]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
