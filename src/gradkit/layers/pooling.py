"""Pooling layers, channels-last: Max/AveragePooling1D/2D and the global poolings, with Keras 3's arguments."""
from ..autograd import conv as C
from ..autograd import functions as F
from ..autograd import nn
from .base import Layer
from .convolutional import check_data_format, check_input, check_padding, check_window, normalize_tuple


class _Pool(Layer):
    """Shared body of the windowed pools (rank = number of spatial axes)."""

    rank, spatial, op = 2, "height, width", None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size", cls)
        self.strides = normalize_tuple(strides, self.rank, "strides", cls) if strides is not None else self.pool_size
        self.padding = check_padding(padding, cls)
        self.data_format = check_data_format(data_format, cls)

    def _check(self, shape):
        check_input(self, shape, self.rank, self.spatial)
        return check_window(self, shape, self.pool_size, self.strides, self.padding, what="pool")

    def call(self, inputs, training=False):
        self._check(inputs.shape)
        return type(self).op(inputs, self.pool_size, self.strides, self.padding)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(self._check(input_shape)) + (input_shape[-1],)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling2D(_Pool):
    """Max over pool_size windows of (batch, height, width, channels); strides default to pool_size."""

    rank, spatial, op = 2, "height, width", C.max_pool


class MaxPooling1D(_Pool):
    """Max over pool_size windows of (batch, steps, channels); strides default to pool_size."""

    rank, spatial, op = 1, "steps", C.max_pool


class AveragePooling2D(_Pool):
    """Mean over pool_size windows of (batch, height, width, channels), padding excluded (as Keras/TF).

    pool_size has no default, as in Keras 3."""

    rank, spatial, op = 2, "height, width", C.avg_pool

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pool):
    """Mean over pool_size windows of (batch, steps, channels), padding excluded; pool_size required (Keras 3)."""

    rank, spatial, op = 1, "steps", C.avg_pool

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _GlobalPool(Layer):
    """Mean or max over all spatial axes: (batch, ..., channels) → (batch, channels), or keepdims."""

    rank, spatial, reduce = 2, "height, width", None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.keepdims = keepdims

    def call(self, inputs, training=False):
        check_input(self, inputs.shape, self.rank, self.spatial)
        return type(self).reduce(inputs, axis=tuple(range(1, self.rank + 1)), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        check_input(self, input_shape, self.rank, self.spatial)
        mid = (1,) * self.rank if self.keepdims else ()
        return (input_shape[0],) + mid + (input_shape[-1],)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPool):
    """Mean over height and width."""

    rank, spatial, reduce = 2, "height, width", F.mean


class GlobalAveragePooling1D(_GlobalPool):
    """Mean over the steps; with a mask (Embedding(mask_zero=True)), over the unmasked steps only, as Keras."""

    rank, spatial, reduce = 1, "steps", F.mean

    def call(self, inputs, training=False, mask=None):
        if mask is None:
            return super().call(inputs, training)
        check_input(self, inputs.shape, self.rank, self.spatial)
        m = F.expand_dims(nn.cast(mask, inputs.dtype), -1)
        return F.div(F.sum(F.mul(inputs, m), axis=1, keepdims=self.keepdims),
                     F.sum(m, axis=1, keepdims=self.keepdims))


class GlobalMaxPooling2D(_GlobalPool):
    """Max over height and width (ties share the gradient, as TensorFlow's reduce_max)."""

    rank, spatial, reduce = 2, "height, width", F.max


class GlobalMaxPooling1D(_GlobalPool):
    """Max over the steps."""

    rank, spatial, reduce = 1, "steps", F.max
