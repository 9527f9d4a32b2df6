"""Keras 2's ``keras.preprocessing.image`` path: load_img, img_to_array, array_to_img, save_img and smart_resize
(Pillow, the "images" extra), as Keras 3 keeps them there."""
from ..errors import UnsupportedError
from ..utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize  # noqa: F401

_LEGACY = ("ImageDataGenerator", "DirectoryIterator", "NumpyArrayIterator", "Iterator")


def __getattr__(name):
    if name in _LEGACY:
        raise UnsupportedError(f"keras.preprocessing.image.{name} (Keras 2 legacy) is not provided by gradkit; use "
                               "gradkit.utils.image_dataset_from_directory and the Random* augmentation layers")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
