"""Noise layers active only while training, with Keras 3's arguments: GaussianNoise, GaussianDropout,
SpatialDropout1D/2D.

Their draws happen inside an op's forward (from gradkit.backend.device_rng()), so a compiled (replayed) training
step draws fresh noise at every step, as nn.Dropout does."""
from ..arguments import number
from ..autograd import nn
from .base import Layer
from .convolutional import check_data_format, check_input
from .core import Dropout


class GaussianNoise(Layer):
    """While training, adds zero-mean Gaussian noise of standard deviation stddev (in [0, 1] as Keras); else identity."""

    supports_masking = True

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = number(stddev, "stddev", "GaussianNoise", "[0, 1]")
        self.seed = seed

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        return nn.gaussian_noise(inputs, self.stddev)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """While training, multiplies by Normal(1, rate / (1 − rate)) noise (rate in [0, 1)); else the identity."""

    supports_masking = True

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = number(rate, "rate", "GaussianDropout", "[0, 1)")  # 1 would need infinite noise
        self.seed = seed

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return nn.gaussian_dropout(inputs, self.rate)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class SpatialDropout1D(Dropout):
    """Dropout of whole feature maps: one draw per (sample, channel) of (batch, steps, channels)."""

    rank, spatial = 1, "steps"

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)

    def call(self, inputs, training=False):
        check_input(self, inputs.shape, self.rank, self.spatial)
        if not training or self.rate == 0:
            return inputs
        return nn.dropout(inputs, self.rate, (None,) + (1,) * self.rank + (None,))

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape")
        return config


class SpatialDropout2D(SpatialDropout1D):
    """Dropout of whole feature maps: one draw per (sample, channel) of (batch, height, width, channels)."""

    rank, spatial = 2, "height, width"

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = check_data_format(data_format, "SpatialDropout2D")

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
