"""MNIST handwritten digits: 60,000 train / 10,000 test 28x28 uint8 images, as Keras loads them."""
from .fetch import fetch
from .npz import load_npz


def load_data(path="mnist.npz"):
    """Keras's ``mnist.load_data``: ``(x_train, y_train), (x_test, y_test)``, uint8 images and labels 0-9."""
    f = load_npz(fetch("mnist.npz", path), keys=("x_train", "y_train", "x_test", "y_test"))
    return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
