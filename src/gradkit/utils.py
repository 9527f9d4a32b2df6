"""Utilities under Keras's names: seeding (and, from preprocessing, to_categorical and friends)."""
from . import backend as _backend


def set_random_seed(seed):
    """Make every random draw in gradkit repeat bit for bit (the library's own Generator only)."""
    _backend.set_seed(seed)
