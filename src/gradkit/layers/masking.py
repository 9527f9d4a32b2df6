"""Masking: marks the timesteps whose features all equal mask_value, so later layers skip them (as Keras's)."""
from ..arguments import number
from ..autograd import public_ops as F
from ..autograd import Tensor, nn
from ..errors import ShapeError
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


class KerasMask(Layer):
    """The mask a tensor carries (its ``_keras_mask``) as a graph node: what ``x._keras_mask`` returns for a
    symbolic x, so a functional model can compute with the mask, as Keras's mask KerasTensors allow."""

    _convert_input_args = False  # the input is only read for its mask: no cast

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs):
        mask = getattr(inputs, "_keras_mask", None)
        if mask is None:
            raise ShapeError(f"layer '{self.name}': its input of shape {tuple(inputs.shape)} carries no mask now "
                             f"(a mask-making layer such as Embedding(mask_zero=True) or Masking had given it one)")
        return mask if isinstance(mask, Tensor) else Tensor(mask)
