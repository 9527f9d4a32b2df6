"""Keras's datasets (mnist, fashion_mnist, cifar10, cifar100, imdb, reuters, boston_housing, california_housing)
with the same ``load_data`` results, read from the GRADKIT_DATA mirror, the user cache, the package, or one
hash-verified download; plus logic_gates."""
from . import (boston_housing, california_housing, cifar10, cifar100, fashion_mnist, imdb,  # noqa: F401
               logic_gates, mnist, reuters)

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "logic_gates",
           "mnist", "reuters"]

from ..keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("datasets", __name__)
