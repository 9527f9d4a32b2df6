"""California Housing (Pace & Barry, 1997; StatLib): 20,640 census block groups of 1990, 8 features, the median
house value in dollars; Keras's file and split."""
import numpy as np

from ..errors import ConfigError, DataError
from ._split import check_test_split, shuffle_split
from .fetch import fetch
from .npz import load_npz

feature_names = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude")
"""The 8 columns of x, in order (Keras's docstring)."""
VERSIONS = {"small": 600, "large": None}
"""version → how many of the file's first rows it keeps (Keras: "small" stands in for boston_housing)."""


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Keras's ``california_housing.load_data``: the first 600 rows for version="small", shuffled with
    RandomState(seed), the last test_split as test set; ``(x_train, y_train), (x_test, y_test)``."""
    if not isinstance(version, str) or version not in VERSIONS:
        raise ConfigError(f"california_housing.load_data: version must be 'small' or 'large', got {version!r}")
    check_test_split(test_split, "california_housing")
    where = fetch("california_housing.npz", path)
    f = load_npz(where, keys=("x", "y"))
    x, y = f["x"], f["y"]
    _check(where, x, y)
    return shuffle_split(x[:VERSIONS[version]], y[:VERSIONS[version]], test_split, seed)


def _check(where, x, y):
    """A DataError unless x is (n, 8) and y (n,), both numeric (Keras reads them with allow_pickle=False)."""
    numeric = all(a.dtype.kind in "biuf" for a in (x, y))
    if not numeric or x.ndim != 2 or x.shape[1] != len(feature_names) or y.shape != (len(x),):
        raise DataError(f"{where} is not Keras's california_housing.npz: expected numeric x of shape (n, 8) and "
                        f"y of shape (n,), got x {x.shape} {x.dtype} and y {y.shape} {y.dtype}")
