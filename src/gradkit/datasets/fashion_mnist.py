"""Fashion-MNIST (Zalando): 60,000 train / 10,000 test 28x28 uint8 clothing images, as Keras loads them."""
import gzip

import numpy as np

from .fetch import fetch

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")
"""Label i names class i (Zalando's README)."""


def _idx(name, offset):
    """The uint8 payload of one gzipped idx file (header of `offset` bytes skipped)."""
    with gzip.open(fetch("fashion-mnist/" + name), "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data():
    """Keras's ``fashion_mnist.load_data``: ``(x_train, y_train), (x_test, y_test)``, uint8 images and labels 0-9."""
    y_train = _idx("train-labels-idx1-ubyte.gz", 8)
    x_train = _idx("train-images-idx3-ubyte.gz", 16).reshape(len(y_train), 28, 28)
    y_test = _idx("t10k-labels-idx1-ubyte.gz", 8)
    x_test = _idx("t10k-images-idx3-ubyte.gz", 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
