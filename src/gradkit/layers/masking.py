"""Masking: marks the timesteps whose features all equal mask_value, so later layers skip them (as Keras's)."""
from ..arguments import number
from ..autograd import public_ops as F
from ..autograd import nn
from .base import Layer


class Masking(Layer):
    """Outputs the input with masked timesteps set to 0, and the mask any(x ≠ mask_value) along the last axis."""

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = number(mask_value, "mask_value", "Masking", "(-inf, inf)")

    def compute_mask(self, inputs, mask=None):
        """True where a timestep is kept; an op, so a replayed step recomputes it for every batch."""
        return nn.not_masked(inputs, self.mask_value)

    def call(self, inputs):
        keep = nn.cast(nn.not_masked(inputs, self.mask_value), inputs.dtype)
        return F.mul(inputs, F.expand_dims(keep, -1))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
