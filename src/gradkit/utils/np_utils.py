"""Keras 2's ``keras.utils.np_utils`` (gone in Keras 3): to_categorical, with a one-time DeprecationWarning."""
from ..compat import warn_once
from ..preprocessing import to_categorical as _to_categorical


def to_categorical(y, num_classes=None, dtype="float32"):
    """Keras 2's np_utils.to_categorical: use gradkit.utils.to_categorical (keras.utils.to_categorical)."""
    warn_once("keras.utils.np_utils.to_categorical", "keras.utils.to_categorical")
    return _to_categorical(y, num_classes=num_classes).astype(dtype)
