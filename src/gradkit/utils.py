"""Utilities under Keras's names: seeding, to_categorical and pad_sequences (these two live in preprocessing)."""
from . import backend as _backend
from .preprocessing import pad_sequences, to_categorical  # noqa: F401  (keras.utils.* names)


def set_random_seed(seed):
    """Make every random draw in gradkit repeat bit for bit (the library's own Generator only)."""
    _backend.set_seed(seed)
