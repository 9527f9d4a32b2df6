"""Transposed convolution layers: Conv1DTranspose and Conv2DTranspose, channels-last, with Keras 3's arguments.

The kernel is (kernel_size..., filters, in_channels), Keras's layout, and the output size follows Keras's rule
(keras/src/backend/common/backend_utils.py, compute_conv_transpose_output_shape), so weights and shapes carry
over unchanged.
"""
from .. import activations, constraints, initializers, regularizers
from ..autograd import public_ops as F
from ..autograd import nn
from ..autograd.conv_transpose import conv_transpose, transpose_output_length
from ..errors import ConfigError, ShapeError
from .base import Layer
from .convolutional import check_data_format, check_input, check_padding, normalize_tuple


def output_padding_tuple(value, strides, layer):
    """Keras's output_padding: None, or non-negative ints (one per axis) each strictly below its stride."""
    if value is None:
        return None
    n = len(strides)
    t = (value,) * n if isinstance(value, int) else tuple(value) if isinstance(value, (tuple, list)) else None
    if t is None or len(t) != n or not all(isinstance(v, int) and v >= 0 for v in t):
        raise ConfigError(f"{layer}: output_padding must be None, a non-negative integer or a tuple of {n}, "
                          f"got {value!r}")
    for i, (op, s) in enumerate(zip(t, strides)):
        if op >= s:
            raise ConfigError(f"{layer}: output_padding must be strictly less than strides on every axis; at axis "
                              f"{i} output_padding is {op} and strides is {s} (output_padding={t}, strides={strides})")
    return t


def conv_options(layer, kernel_size, strides, padding, data_format, dilation_rate, rank, paddings=("valid", "same")):
    """The normalized (kernel_size, strides, padding, data_format, dilation_rate) of a conv-like layer, checked as
    Keras checks them (strides > 1 with dilation_rate > 1 refused)."""
    kernel_size = normalize_tuple(kernel_size, rank, "kernel_size", layer)
    strides = normalize_tuple(strides, rank, "strides", layer)
    dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate", layer)
    padding = check_padding(padding, layer, paddings)
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ConfigError(f"{layer}: strides > 1 together with dilation_rate > 1 is not supported (as in Keras), "
                          f"got strides={strides}, dilation_rate={dilation_rate}")
    return kernel_size, strides, padding, check_data_format(data_format, layer), dilation_rate


def cast_input(x, dtype):
    """A constant input of another dtype cast to the weights' (Keras autocasts); a differentiable one as given."""
    return nn.cast(x, dtype) if x.dtype != dtype and not x.requires_grad else x


class _ConvTranspose(Layer):
    """The shared body of Conv1DTranspose and Conv2DTranspose (rank = number of spatial axes)."""

    rank = 2
    spatial = "height, width"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if not isinstance(filters, int) or isinstance(filters, bool) or filters < 1:
            raise ConfigError(f"{cls}: filters must be a positive integer, got {filters!r}")
        self.filters = filters
        (self.kernel_size, self.strides, self.padding, self.data_format,
         self.dilation_rate) = conv_options(cls, kernel_size, strides, padding, data_format, dilation_rate, self.rank)
        self.output_padding = output_padding_tuple(output_padding, self.strides, cls)
        self._check_same_even(cls)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = self.bias = None

    def _check_same_even(self, layer):
        """padding="same" with output_padding 0 on an axis whose dilated kernel is even has no valid output
        (TensorFlow fails at run time): refused here, naming the axis."""
        for i, (k, d, op) in enumerate(zip(self.kernel_size, self.dilation_rate, self.output_padding or ())):
            if self.padding == "same" and op == 0 and ((k - 1) * d + 1) % 2 == 0:
                raise ConfigError(f"{layer}: output_padding=0 with padding='same' needs an odd (dilated) kernel; at "
                                  f"axis {i} the kernel is {k} with dilation {d} (kernel_size={self.kernel_size}); "
                                  f"use output_padding >= 1 or None on that axis")

    def build(self, input_shape):
        check_input(self, input_shape, self.rank, self.spatial)
        if input_shape[-1] is None:
            raise ShapeError(f"layer '{self.name}' needs a known channel axis, got input shape {tuple(input_shape)}")
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, input_shape[-1]),
                                      self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        self._check(inputs.shape)
        y = conv_transpose(cast_input(inputs, self.kernel.dtype), self.kernel, self.strides, self.padding,
                           self.output_padding, self.dilation_rate)
        if self.use_bias:
            y = F.add(y, self.bias)
        return self.activation(y)

    def _check(self, shape):
        check_input(self, shape, self.rank, self.spatial)
        if self.kernel is not None and shape[-1] != self.kernel.shape[-1]:
            raise ShapeError(f"layer '{self.name}' expects inputs with {self.kernel.shape[-1]} channels (last axis), "
                             f"got {shape[-1]} (input shape {tuple(shape)})")

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        ops = self.output_padding or (None,) * self.rank
        outs = (transpose_output_length(s, k, st, self.padding, op, d) for s, k, st, op, d in
                zip(input_shape[1:-1], self.kernel_size, self.strides, ops, self.dilation_rate))
        return (input_shape[0],) + tuple(outs) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "output_padding": self.output_padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class Conv2DTranspose(_ConvTranspose):
    """2-D transposed convolution over (batch, height, width, channels); kernel (kh, kw, filters, in) as Keras."""

    rank = 2
    spatial = "height, width"


class Conv1DTranspose(_ConvTranspose):
    """1-D transposed convolution over (batch, steps, channels); kernel (k, filters, in) as in Keras."""

    rank = 1
    spatial = "steps"
