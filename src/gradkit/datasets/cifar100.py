"""CIFAR-100 (Krizhevsky, 2009): 50,000 train / 10,000 test 32x32 colour images in 100 fine classes grouped into
20 coarse ones, as Keras loads them."""
from ..errors import ConfigError
from .cifar import image_layout, read_batches
from .fetch import fetch

LABEL_MODES = {"fine": 100, "coarse": 20}
"""label_mode → number of classes."""
MEMBERS = ("cifar-100-python/train", "cifar-100-python/test")
"""The archive's training batch, then its test batch."""


def load_data(label_mode="fine"):
    """Keras's ``cifar100.load_data``: ``(x_train, y_train), (x_test, y_test)``; uint8 images (n, 32, 32, 3) under
    channels_last and labels of shape (n, 1): 0-99 for label_mode="fine", the 20 superclasses for "coarse".

    The labels are int64, as Keras's are (it reshapes the pickled lists; its docstring says uint8).
    """
    if not isinstance(label_mode, str) or label_mode not in LABEL_MODES:
        raise ConfigError(f"cifar100.load_data: label_mode must be 'fine' or 'coarse', got {label_mode!r}")
    (x_train, y_train), (x_test, y_test) = read_batches(fetch("cifar-100-python.tar.gz"), MEMBERS,
                                                        f"{label_mode}_labels", LABEL_MODES[label_mode])
    return (image_layout(x_train), y_train.reshape(-1, 1)), (image_layout(x_test), y_test.reshape(-1, 1))
