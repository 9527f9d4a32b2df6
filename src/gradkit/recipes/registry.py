"""The recipe names and the module each lives in (modules load on first use, so listing stays fast)."""
import importlib

from ..errors import ConfigError
from ..registry import did_you_mean

MODULES = {
    "boston-gd": "boston_gd",
    "boston-sgd-minibatch": "boston_sgd",
    "logic-gates": "logic_gates",
    "lr-sweep": "lr_sweep",
    "local-minima": "local_minima",
    "mnist-mlp": "mnist_mlp",
    "imdb": "imdb",
    "imdb-lstm": "imdb_lstm",
    "reuters": "reuters",
    "boston-kfold": "boston_kfold",
    "mnist-cnn": "mnist_cnn",
    "fashion-cnn": "fashion_cnn",
    "cats-dogs": "cats_dogs",
}
"""Recipe name → module under gradkit.recipes (each module defines RECIPE)."""

TOUR = ("boston-gd", "boston-sgd-minibatch", "logic-gates", "lr-sweep", "local-minima")
"""The offline recipes `gradkit tour` runs, in order."""


def names():
    """Every recipe name, in listing order."""
    return list(MODULES)


def get(name):
    """The Recipe called ``name``; an unknown name raises ConfigError listing the valid ones."""
    if name not in MODULES:
        raise ConfigError(f"unknown recipe {name!r}; the recipes are: {', '.join(MODULES)}"
                          f"{did_you_mean(name, MODULES)}")
    return importlib.import_module(f"{__package__}.{MODULES[name]}").RECIPE
