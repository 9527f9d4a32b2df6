"""keras.utils.image_dataset_from_directory: a folder with one subfolder per class of images → batches of
(float32 images (batch, height, width, channels), labels), decoded by Pillow (the "images" extra)."""
import functools

from ..arguments import choice, flag
from ..errors import ConfigError
from .dataset_utils import from_directory
from .image_utils import _MODES, INTERPOLATIONS, RESIZE_METHODS, check_image_size, pil, read_image, unsupported

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_OWNER = "image_dataset_from_directory"


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None, validation_split=None,
                                 subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, data_format=None,
                                 verbose=True):
    """A dataset of (images, labels) batches from ``directory/<class>/*.jpg|png|...`` with Keras's arguments.

    Files are listed and shuffled as Keras does (same ``file_paths`` and ``class_names``; with shuffle=False the
    same batches). Labels: int32 (batch,) for "int", float32 (batch, 1) for "binary", one-hot float32 for
    "categorical", none for None. subset="both" returns [training, validation]; the validation part is never
    shuffled. Resizing as tf.image.resize for "bilinear"/"nearest" (see gradkit.utils.image_utils);
    crop_to_aspect_ratio crops the centre to the target's aspect ratio first, pad_to_aspect_ratio pads with zeros."""
    pil(_OWNER)
    choice(color_mode, "color_mode", _OWNER, tuple(_MODES))
    image_size = check_image_size(image_size, _OWNER)
    interpolation = choice(interpolation.lower() if isinstance(interpolation, str) else interpolation,
                           "interpolation", _OWNER, INTERPOLATIONS)
    if interpolation not in RESIZE_METHODS:
        raise unsupported(interpolation)
    crop_to_aspect_ratio = flag(crop_to_aspect_ratio, "crop_to_aspect_ratio", _OWNER)
    if crop_to_aspect_ratio and flag(pad_to_aspect_ratio, "pad_to_aspect_ratio", _OWNER):
        raise ConfigError(f"{_OWNER}: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True, got both")
    if data_format not in (None, "channels_last"):
        raise ConfigError(f"{_OWNER}: data_format must be 'channels_last' (gradkit's image layers are channels-last),"
                          f" got {data_format!r}")
    read = functools.partial(read_image, color_mode=color_mode, image_size=image_size,
                             interpolation=interpolation, crop_to_aspect_ratio=crop_to_aspect_ratio,
                             pad_to_aspect_ratio=bool(pad_to_aspect_ratio))
    return from_directory(_OWNER, directory, labels, label_mode, class_names, ALLOWLIST_FORMATS, batch_size,
                          flag(shuffle, "shuffle", _OWNER), seed, validation_split, subset,
                          flag(follow_links, "follow_links", _OWNER), verbose, read)
