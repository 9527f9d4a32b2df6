"""MNIST handwritten digits: 60,000 train / 10,000 test 28x28 uint8 images, as Keras loads them."""
from ..errors import ConfigError
from .fetch import fetch
from .npz import load_npz


def load_data(path="mnist.npz", **kwargs):
    """Keras's ``mnist.load_data``: ``(x_train, y_train), (x_test, y_test)``, uint8 images and labels 0-9."""
    if kwargs:
        raise ConfigError(f"mnist.load_data got unknown arguments {sorted(kwargs)}; expected path")
    f = load_npz(fetch("mnist.npz", path), keys=("x_train", "y_train", "x_test", "y_test"))
    return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
