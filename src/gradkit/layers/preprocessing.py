"""Preprocessing layers: Rescaling, and the image augmentations active only while training."""
from ..arguments import number
from ..arguments import seed as seed_arg
from ..autograd import public_ops as F
from ..autograd import image as I
from ..autograd import nn
from ..errors import ConfigError, ConfigTypeError
from .base import Layer
from .convolutional import check_data_format, check_input


class Rescaling(Layer):
    """y = x · scale + offset (e.g. scale=1/255 maps pixel values to [0, 1])."""

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for arg, v in (("scale", scale), ("offset", offset)):
            if isinstance(v, (str, bytes)) or v is None:
                raise ConfigTypeError(f"Rescaling: {arg} must be a number (or an array of numbers), got {v!r}")
        self.scale, self.offset = scale, offset

    def call(self, inputs, training=False):
        if inputs.dtype.kind != "f":  # integer pixels: Keras casts to the layer's float dtype first
            inputs = nn.cast(inputs, self.dtype)
        y = F.mul(inputs, self.scale)
        return F.add(y, self.offset) if self.offset else y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


# ---- augmentation: active only with training=True, random numbers from gradkit's generator ----------------

def _factor_range(factor, arg, layer, bounds=(-1.0, 1.0)):
    """Keras's factor: x → (−|x|, |x|), (a, b) → sorted, within bounds (ConfigError otherwise)."""
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        lo, hi = -abs(factor), abs(factor)
    elif isinstance(factor, (tuple, list)) and len(factor) == 2:
        lo, hi = sorted(float(f) for f in factor)
    else:
        raise ConfigError(f"{layer}: {arg} must be a number or a pair of numbers, got {factor!r}")
    if lo < bounds[0] or hi > bounds[1]:
        raise ConfigError(f"{layer}: {arg} must lie in [{bounds[0]}, {bounds[1]}], got {factor!r}")
    return lo, hi


class _RandomImage(Layer):
    """Shared body of the random image layers: identity unless training; (batch, height, width, channels) only."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed_arg(seed, type(self).__name__)
        self.data_format = check_data_format(data_format, type(self).__name__)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        check_input(self, inputs.shape, 2, "height, width")
        return self.op()(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "data_format": self.data_format}


class RandomFlip(_RandomImage):
    """While training, flip each image with probability 1/2: mode "horizontal", "vertical" or
    "horizontal_and_vertical" (Keras's default; one draw flips both axes, as Keras 3)."""

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        if mode not in self.MODES:
            raise ConfigError(f"RandomFlip: mode must be one of {', '.join(self.MODES)}, got {mode!r}")
        self.mode = mode

    def op(self):
        """The flip op for one call."""
        return I.RandomFlip(horizontal="horizontal" in self.mode, vertical="vertical" in self.mode)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _RandomAffine(_RandomImage):
    """A random affine warp with Keras's fill_mode ("reflect" by default), interpolation and fill_value."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(seed, data_format, **kwargs)
        cls = type(self).__name__
        if fill_mode not in I.FILL_MODES:
            raise ConfigError(f"{cls}: fill_mode must be one of {', '.join(I.FILL_MODES)}, got {fill_mode!r}")
        if interpolation not in I.INTERPOLATIONS:
            raise ConfigError(f"{cls}: interpolation must be one of {', '.join(I.INTERPOLATIONS)}, "
                              f"got {interpolation!r}")
        fill_value = number(fill_value, "fill_value", cls, "(-inf, inf)")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def op(self):
        """The warp op for one call (it draws its transforms when run)."""
        return I.AffineWarp(self.draw(), self.fill_mode, self.interpolation, self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


class RandomRotation(_RandomAffine):
    """While training, rotate each image by a random fraction of a full turn: factor 0.1 → U[−36°, 36°)."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor
        self.range = _factor_range(factor, "factor", "RandomRotation")

    def draw(self):
        """The per-batch transform generator."""
        return I.rotation_draw(*self.range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_RandomAffine):
    """While training, zoom each image by 1 + U[range): height_factor 0.2 → factors in [0.8, 1.2) (positive
    values zoom out, as Keras); width_factor None keeps the aspect ratio."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = _factor_range(height_factor, "height_factor", "RandomZoom")
        self.width_range = None if width_factor is None else _factor_range(width_factor, "width_factor", "RandomZoom")

    def draw(self):
        """The per-batch transform generator."""
        return I.zoom_draw(self.height_range, self.width_range)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomTranslation(_RandomAffine):
    """While training, shift each image by U[range) of its height and width: 0.1 → up to 10 % either way."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = _factor_range(height_factor, "height_factor", "RandomTranslation")
        self.width_range = _factor_range(width_factor, "width_factor", "RandomTranslation")

    def draw(self):
        """The per-batch transform generator."""
        return I.translation_draw(self.height_range, self.width_range)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}
