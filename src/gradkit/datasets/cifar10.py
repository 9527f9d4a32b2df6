"""CIFAR-10 (Krizhevsky, 2009): 50,000 train / 10,000 test 32x32 colour images in 10 classes, as Keras loads them."""
import numpy as np

from .cifar import image_layout, read_batches
from .fetch import fetch

CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
"""Label i names class i (Keras's docstring, the archive's batches.meta)."""
MEMBERS = tuple(f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)) + ("cifar-10-batches-py/test_batch",)
"""The archive's five training batches, in order, then its test batch."""


def load_data():
    """Keras's ``cifar10.load_data``: ``(x_train, y_train), (x_test, y_test)``; uint8 images (n, 32, 32, 3)
    under channels_last ((n, 3, 32, 32) under channels_first) and uint8 labels 0-9 of shape (n, 1)."""
    batches = read_batches(fetch("cifar-10-python.tar.gz"), MEMBERS, "labels", len(CLASS_NAMES))
    x_train = np.concatenate([x for x, _ in batches[:-1]])
    y_train = np.concatenate([y for _, y in batches[:-1]]).astype(np.uint8).reshape(-1, 1)
    x_test, y_test = batches[-1]
    return (image_layout(x_train), y_train), (image_layout(x_test), y_test.astype(np.uint8).reshape(-1, 1))
