"""Boston Housing (Harrison & Rubinfeld, 1978): 506 tracts, 13 features, median value in k$; shipped in the package.

Keras's warning applies: the feature "B" encodes a racist assumption; use the data to study that problem or
the regression mechanics, not to make decisions.
"""
from ._split import check_test_split, shuffle_split
from .fetch import fetch
from .npz import load_npz

feature_names = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT")
"""The 13 columns of x, in order (StatLib's names)."""


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Keras's ``boston_housing.load_data``: shuffled with RandomState(seed), the last test_split as test set."""
    check_test_split(test_split, "boston_housing")
    f = load_npz(fetch("boston_housing.npz", path), keys=("x", "y"))
    return shuffle_split(f["x"], f["y"], test_split, seed)
