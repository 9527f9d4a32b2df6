"""Images from files, as keras/src/utils/image_utils.py reads them: load_img / img_to_array / array_to_img /
save_img (through Pillow, the "images" extra) and the resizing image_dataset_from_directory applies.

``resize`` follows tf.image.resize (what Keras's image_dataset_from_directory calls) for "bilinear" and "nearest":
half-pixel centres, no antialiasing, float32 arithmetic. "bicubic", "area" and "lanczos3" use Pillow's BICUBIC, BOX
and LANCZOS filters, close to but not equal to TensorFlow's kernels."""
import numbers
import os
import pathlib

import numpy as np

from .. import backend as B
from ..errors import ConfigError, ConfigTypeError, ShapeError, UnsupportedError
from ..extras import require

INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")
_PIL_FILTERS = {"bicubic": "BICUBIC", "area": "BOX", "lanczos3": "LANCZOS"}
RESIZE_METHODS = ("bilinear", "nearest", *_PIL_FILTERS)
_LOAD_IMG_FILTERS = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC", "hamming": "HAMMING",
                     "box": "BOX", "lanczos": "LANCZOS"}
_MODES = {"grayscale": 1, "rgb": 3, "rgba": 4}


def pil(feature):
    """PIL.Image, or MissingDependencyError naming the "images" extra."""
    return require("PIL.Image", "images", feature)


def _convert(img, color_mode, owner):
    """A PIL image in the mode color_mode asks for (Keras's rules: grayscale keeps 16/32-bit grayscale)."""
    if color_mode == "grayscale":
        return img if img.mode in ("L", "I;16", "I") else img.convert("L")
    if color_mode not in _MODES:
        raise ConfigError(f"{owner}: color_mode must be 'grayscale', 'rgb' or 'rgba', got {color_mode!r}")
    mode = color_mode.upper()
    return img if img.mode == mode else img.convert(mode)


def _axis(n_in, n_out):
    """TensorFlow's bilinear source positions along one axis: (lower, upper, weight of upper), float32 math."""
    scale = np.float32(n_in) / np.float32(n_out)
    pos = (np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    low = np.floor(pos)
    return (np.clip(low, 0, n_in - 1).astype(np.intp), np.clip(np.ceil(pos), 0, n_in - 1).astype(np.intp),
            (pos - low).astype(np.float32))


def _bilinear(img, height, width):
    top_i, bottom_i, dy = _axis(img.shape[0], height)
    left_i, right_i, dx = _axis(img.shape[1], width)
    dx = dx[None, :, None]
    rows_top, rows_bottom = img[top_i], img[bottom_i]
    top = rows_top[:, left_i] + (rows_top[:, right_i] - rows_top[:, left_i]) * dx
    bottom = rows_bottom[:, left_i] + (rows_bottom[:, right_i] - rows_bottom[:, left_i]) * dx
    return top + (bottom - top) * dy[:, None, None]


def _nearest(img, height, width):
    def axis(n_in, n_out):
        pos = np.floor((np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * (np.float32(n_in) / np.float32(n_out)))
        return np.clip(pos, 0, n_in - 1).astype(np.intp)
    return img[axis(img.shape[0], height)][:, axis(img.shape[1], width)]


def _pillow(img, height, width, method):
    Image = pil("image resizing")
    flt = getattr(getattr(Image, "Resampling", Image), _PIL_FILTERS[method])
    return np.stack([np.asarray(Image.fromarray(np.ascontiguousarray(img[:, :, c]), mode="F")
                                .resize((width, height), flt)) for c in range(img.shape[2])], axis=-1)


def resize(img, size, interpolation="bilinear"):
    """A (height, width, channels) image resized to size = (height, width) (see the module's note): float32, but
    "nearest" keeps the image's dtype, as tf.image.resize does."""
    img = np.asarray(img)
    height, width = size
    if interpolation == "nearest":
        return img if img.shape[:2] == (height, width) else _nearest(img, height, width)
    img = img.astype(np.float32)
    if img.shape[:2] == (height, width) and interpolation == "bilinear":
        return img
    if interpolation == "bilinear":
        return _bilinear(img, height, width)
    if interpolation in _PIL_FILTERS:
        return _pillow(img, height, width, interpolation)
    raise unsupported(interpolation)


def unsupported(interpolation):
    """The UnsupportedError for a TensorFlow resize method gradkit does not implement."""
    return UnsupportedError(f"interpolation={interpolation!r} is not provided by gradkit; use one of 'bilinear', "
                            f"'nearest', {', '.join(map(repr, _PIL_FILTERS))}")


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last"):
    """Crop the centre to the aspect ratio of size, then resize (Keras's smart_resize, channels-last)."""
    img = np.asarray(x)
    if img.ndim != 3:
        raise ShapeError(f"smart_resize: x must be one image (height, width, channels), got shape {img.shape}")
    height, width = img.shape[:2]
    th, tw = size
    crop_h = max(min(height, int(float(width * th) / tw)), 1)
    crop_w = max(min(width, int(float(height * tw) / th)), 1)
    top, left = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
    return resize(img[top:top + crop_h, left:left + crop_w], size, interpolation)


def resize_with_pad(img, size, interpolation="bilinear"):
    """Resize keeping the aspect ratio, then zero-pad to size, centred (tf.image.resize_with_pad, float32 math)."""
    f32 = np.float32
    height, width = (f32(v) for v in img.shape[:2])
    th, tw = size
    ratio = max(width / f32(tw), height / f32(th))
    rh, rw = height / ratio, width / ratio
    top, left = max(0, int(np.floor((f32(th) - rh) / f32(2)))), max(0, int(np.floor((f32(tw) - rw) / f32(2))))
    small = resize(img, (int(np.floor(rh)), int(np.floor(rw))), interpolation)
    out = np.zeros((th, tw, img.shape[2]), dtype=small.dtype)
    out[top:top + small.shape[0], left:left + small.shape[1]] = small
    return out


def check_image_size(image_size, owner):
    """image_size as (height, width) of positive ints; an int n means (n, n)."""
    if isinstance(image_size, numbers.Integral) and not isinstance(image_size, bool):
        image_size = (image_size, image_size)
    if not isinstance(image_size, (tuple, list)) or len(image_size) != 2 or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in image_size):
        raise ConfigTypeError(f"{owner}: image_size must be a tuple of 2 positive integers (height, width), got "
                              f"{image_size!r}")
    return tuple(int(v) for v in image_size)


def read_image(path, color_mode, image_size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio=False):
    """One file as the (height, width, channels) array image_dataset_from_directory yields (float32; its decoded
    dtype, uint8 mostly, with "nearest")."""
    Image = pil("image_dataset_from_directory")
    with Image.open(path) as img:
        x = np.asarray(_convert(img, color_mode, "image_dataset_from_directory"))
    if x.ndim == 2:
        x = x[:, :, None]
    if crop_to_aspect_ratio:
        return smart_resize(x, image_size, interpolation)
    if pad_to_aspect_ratio:
        return resize_with_pad(x, image_size, interpolation)
    return resize(x, image_size, interpolation)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """A PIL image from a file, converted to color_mode and resized with Pillow to target_size = (height, width)
    when given (keep_aspect_ratio: crop the centre to its aspect ratio first), as keras.utils.load_img."""
    Image = pil("load_img")
    if not isinstance(path, (str, bytes, os.PathLike)) and not hasattr(path, "read"):
        raise ConfigTypeError(f"load_img: path must be a file path or a file object, got {type(path).__name__}")
    if isinstance(path, pathlib.Path):
        path = str(path.resolve())
    img = _convert(Image.open(path), color_mode, "load_img")
    if target_size is None:
        return img
    size = (target_size[1], target_size[0])
    if img.size == size:
        return img
    if interpolation not in _LOAD_IMG_FILTERS:
        raise ConfigError(f"load_img: interpolation must be one of {', '.join(map(repr, _LOAD_IMG_FILTERS))}, "
                          f"got {interpolation!r}")
    flt = getattr(getattr(Image, "Resampling", Image), _LOAD_IMG_FILTERS[interpolation])
    if not keep_aspect_ratio:
        return img.resize(size, flt)
    width, height = img.size
    crop_h = min(height, (width * size[1]) // size[0])
    crop_w = min(width, (height * size[0]) // size[1])
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    return img.resize(size, flt, box=[left, top, left + crop_w, top + crop_h])


def _check_format(data_format, owner):
    if data_format not in (None, "channels_last", "channels_first"):
        raise ConfigError(f"{owner}: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return data_format or B.image_data_format()


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as a 3-D array (height, width, channels), a grayscale image with one channel; floatx by default."""
    data_format = _check_format(data_format, "img_to_array")
    x = np.asarray(img, dtype=dtype or B.floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ShapeError(f"img_to_array: an image must be 2-D or 3-D, got shape {x.shape}")
    return x.transpose(2, 0, 1) if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3-D array as a PIL image; scale maps its min..max onto 0..255 first (keras.utils.array_to_img)."""
    Image = pil("array_to_img")
    data_format = _check_format(data_format, "array_to_img")
    x = np.array(x.numpy() if hasattr(x, "numpy") else x, dtype=dtype or B.floatx())
    if x.ndim != 3:
        raise ShapeError(f"array_to_img: expected one image of rank 3, got an array of shape {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        return Image.fromarray(x.astype("uint8"), "RGB" if channels == 3 else "RGBA")
    if channels == 1:
        return Image.fromarray(x[:, :, 0].astype("int32"), "I") if np.max(x) > 255 else \
            Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ShapeError(f"array_to_img: an image has 1, 3 or 4 channels, got shape {x.shape}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write the array x as an image file (format from the extension unless file_format is given)."""
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)
