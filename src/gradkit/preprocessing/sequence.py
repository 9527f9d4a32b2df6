"""Keras 2's ``keras.preprocessing.sequence`` path (DLwP 1st ed.: ``from keras.preprocessing import sequence``):
pad_sequences, as Keras 3 keeps it there."""
from ..errors import UnsupportedError
from . import pad_sequences  # noqa: F401

_LEGACY = ("TimeseriesGenerator", "make_sampling_table", "skipgrams")


def __getattr__(name):
    if name in _LEGACY:
        raise UnsupportedError(f"keras.preprocessing.sequence.{name} (Keras 2 legacy) is not provided by gradkit; "
                               "for windows over a series use gradkit.utils.timeseries_dataset_from_array")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
