"""Noise layers active only while training, with Keras 3's arguments: GaussianNoise, GaussianDropout,
SpatialDropout1D/2D.

Their draws happen inside an op's forward (from gradkit.backend.device_rng()), so a compiled (replayed) training
step draws fresh noise at every step, as nn.Dropout does."""
from ..arguments import number
from ..arguments import seed as seed_arg
from ..autograd import nn
from .base import Layer
from .convolutional import check_data_format, check_input
from .core import Dropout


class _Noise(Layer):
    """A layer adding noise while training through one op; the identity otherwise (masks pass through)."""

    supports_masking = True
    arg, within = "rate", "[0, 1)"

    def __init__(self, amount, seed=None, **kwargs):
        super().__init__(**kwargs)
        setattr(self, self.arg, number(amount, self.arg, type(self).__name__, self.within))
        self.seed = seed_arg(seed, type(self).__name__)

    def call(self, inputs, training=False):
        amount = getattr(self, self.arg)
        if not training or amount == 0:
            return inputs
        return type(self).op(inputs, amount)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), self.arg: getattr(self, self.arg), "seed": self.seed}


class GaussianNoise(_Noise):
    """While training, adds zero-mean Gaussian noise of standard deviation stddev (in [0, 1] as Keras); else identity."""

    arg, within, op = "stddev", "[0, 1]", staticmethod(nn.gaussian_noise)

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(stddev, seed, **kwargs)


class GaussianDropout(_Noise):
    """While training, multiplies by Normal(1, rate / (1 − rate)) noise (rate in [0, 1): 1 needs infinite noise)."""

    arg, within, op = "rate", "[0, 1)", staticmethod(nn.gaussian_dropout)

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)


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
