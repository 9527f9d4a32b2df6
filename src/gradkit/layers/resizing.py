"""Padding, cropping and nearest up-sampling of sequences and images (channels-last), with Keras 3's arguments:
ZeroPadding1D, Cropping1D, Cropping2D, UpSampling1D and UpSampling2D."""
import numbers

from ..autograd import public_ops as F
from ..errors import ConfigError, ShapeError
from .base import Layer
from .convolutional import check_data_format, check_input, normalize_tuple


def _pair(value, arg, layer):
    """An int n → (n, n); a pair of non-negative ints as a tuple (ConfigError otherwise)."""
    t = (value, value) if isinstance(value, numbers.Integral) else tuple(value) if isinstance(value, (tuple, list)) \
        else None
    if t is None or len(t) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0
                                           for v in t):
        raise ConfigError(f"{layer}: {arg} must be a non-negative integer or a pair of them, got {value!r}")
    return tuple(int(v) for v in t)


def _grow(n, by):
    return None if n is None else n + by


class ZeroPadding1D(Layer):
    """Zeros before and after the steps of (batch, steps, features): padding is an int or (before, after)."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pair(padding, "padding", "ZeroPadding1D")
        self.data_format = check_data_format(data_format, "ZeroPadding1D")

    def call(self, inputs):
        check_input(self, inputs.shape, 1, "steps")
        return F.pad(inputs, ((0, 0), self.padding, (0, 0)))

    def compute_output_shape(self, input_shape):
        check_input(self, input_shape, 1, "steps")
        return (input_shape[0], _grow(input_shape[1], sum(self.padding)), input_shape[2])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping1D(Layer):
    """Drops cropping = (before, after) steps of (batch, steps, features) (an int crops both ends)."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pair(cropping, "cropping", "Cropping1D")

    def _check(self, shape):
        check_input(self, shape, 1, "steps")
        if shape[1] is not None and sum(self.cropping) >= shape[1]:
            raise ShapeError(f"layer '{self.name}': cropping {self.cropping} must leave at least one of the "
                             f"{shape[1]} steps (input shape {tuple(shape)})")

    def call(self, inputs):
        self._check(inputs.shape)
        a, b = self.cropping
        return inputs[:, a:inputs.shape[1] - b, :]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return (input_shape[0], _grow(input_shape[1], -sum(self.cropping)), input_shape[2])

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(Layer):
    """Drops rows and columns of (batch, height, width, channels): cropping is an int, (rows, cols) or
    ((top, bottom), (left, right))."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cropping, numbers.Integral):
            cropping = (cropping, cropping)
        if not isinstance(cropping, (tuple, list)) or len(cropping) != 2:
            raise ConfigError(f"Cropping2D: cropping must be an int, (rows, cols) or ((top, bottom), (left, right)) "
                              f"of non-negative ints, got {cropping!r}")
        self.cropping = (_pair(cropping[0], "cropping[0] (height)", "Cropping2D"),
                         _pair(cropping[1], "cropping[1] (width)", "Cropping2D"))
        self.data_format = check_data_format(data_format, "Cropping2D")

    def _check(self, shape):
        check_input(self, shape, 2, "height, width")
        for size, crop, what in zip(shape[1:3], self.cropping, ("height", "width")):
            if size is not None and sum(crop) >= size:
                raise ShapeError(f"layer '{self.name}': cropping {crop} must leave part of the {what} {size} "
                                 f"(input shape {tuple(shape)})")

    def call(self, inputs):
        self._check(inputs.shape)
        (t, b), (left, right) = self.cropping
        return inputs[:, t:inputs.shape[1] - b, left:inputs.shape[2] - right, :]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        (t, b), (left, right) = self.cropping
        return (input_shape[0], _grow(input_shape[1], -t - b), _grow(input_shape[2], -left - right), input_shape[3])

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


def _scale(n, by):
    return None if n is None else n * by


class UpSampling1D(Layer):
    """Repeats each step of (batch, steps, features) size times."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 1, "size", "UpSampling1D")[0]

    def call(self, inputs):
        check_input(self, inputs.shape, 1, "steps")
        return F.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        check_input(self, input_shape, 1, "steps")
        return (input_shape[0], _scale(input_shape[1], self.size), input_shape[2])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(Layer):
    """Repeats rows size[0] and columns size[1] times (nearest-neighbour up-sampling of channels-last images)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size", "UpSampling2D")
        self.data_format = check_data_format(data_format, "UpSampling2D")
        if not isinstance(interpolation, str) or interpolation.lower() != "nearest":
            raise ConfigError(f"UpSampling2D: only interpolation='nearest' is supported by gradkit, "
                              f"got {interpolation!r}")
        self.interpolation = "nearest"

    def call(self, inputs):
        check_input(self, inputs.shape, 2, "height, width")
        return F.repeat(F.repeat(inputs, self.size[0], axis=1), self.size[1], axis=2)

    def compute_output_shape(self, input_shape):
        check_input(self, input_shape, 2, "height, width")
        return (input_shape[0], _scale(input_shape[1], self.size[0]), _scale(input_shape[2], self.size[1]),
                input_shape[3])

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
