"""Preprocessing layers: Rescaling, and the image augmentations active only while training."""
from ..autograd import functions as F
from .base import Layer


class Rescaling(Layer):
    """y = x · scale + offset (e.g. scale=1/255 maps pixel values to [0, 1])."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs, training=False):
        y = F.mul(inputs, self.scale)
        return F.add(y, self.offset) if self.offset else y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
