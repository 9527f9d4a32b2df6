"""Depthwise and separable convolution layers (1-D and 2-D, channels-last) with Keras 3's arguments and weights.

DepthwiseConv: kernel (kernel_size..., in, depth_multiplier), bias (in·depth_multiplier,). SeparableConv: the
depthwise conv, then a 1×1 conv: depthwise_kernel (kernel_size..., in, depth_multiplier), pointwise_kernel
(1..., in·depth_multiplier, filters), bias (filters,) — Keras's names, layouts and weight order.
"""
from .. import activations, constraints, initializers, regularizers
from ..autograd import conv as C
from ..autograd import public_ops as F
from ..autograd.depthwise import depthwise_conv
from ..errors import ConfigError, ShapeError
from .base import Layer
from .conv_transpose import cast_input, conv_options
from .convolutional import check_input, check_window


def _positive(value, arg, layer):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{layer}: {arg} must be a positive integer, got {value!r}")
    return value


class _Depthwise(Layer):
    """Shared body of the depthwise and separable layers: options, input checks, the depthwise step."""

    rank = 2
    spatial = "height, width"
    _weights_named = ()  # (attribute, initializer/regularizer/constraint prefix) of each kernel, for get_config

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, bias_initializer="zeros", bias_regularizer=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.depth_multiplier = _positive(depth_multiplier, "depth_multiplier", cls)
        (self.kernel_size, self.strides, self.padding, self.data_format,
         self.dilation_rate) = conv_options(cls, kernel_size, strides, padding, data_format, dilation_rate, self.rank)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.bias = None

    def _kernel(self, prefix, name, shape):
        return self.add_weight(name, shape, getattr(self, f"{prefix}_initializer"),
                               regularizer=getattr(self, f"{prefix}_regularizer"),
                               constraint=getattr(self, f"{prefix}_constraint"))

    def _set_kernel_options(self, prefix, initializer, regularizer, constraint):
        setattr(self, f"{prefix}_initializer", initializers.get(initializer))
        setattr(self, f"{prefix}_regularizer", regularizers.get(regularizer))
        setattr(self, f"{prefix}_constraint", constraints.get(constraint))

    def _bias(self, size):
        if self.use_bias:
            self.bias = self.add_weight("bias", (size,), self.bias_initializer, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _check(self, shape, channels=None):
        """The output's spatial sizes; ShapeError for a wrong rank, channel count or a window that does not fit."""
        check_input(self, shape, self.rank, self.spatial)
        if shape[-1] is None:
            raise ShapeError(f"layer '{self.name}' needs a known channel axis, got input shape {tuple(shape)}")
        if channels is not None and shape[-1] != channels:
            raise ShapeError(f"layer '{self.name}' expects inputs with {channels} channels (last axis), "
                             f"got {shape[-1]} (input shape {tuple(shape)})")
        return check_window(self, shape, self.kernel_size, self.strides, self.padding, self.dilation_rate)

    def _depthwise(self, inputs, kernel):
        self._check(inputs.shape, kernel.shape[-2])
        return depthwise_conv(cast_input(inputs, kernel.dtype), kernel, self.strides, self.padding,
                              self.dilation_rate)

    def _finish(self, y):
        return self.activation(F.add(y, self.bias) if self.use_bias else y)

    def get_config(self):
        config = {**super().get_config(), "kernel_size": self.kernel_size, "strides": self.strides,
                  "padding": self.padding, "depth_multiplier": self.depth_multiplier,
                  "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                  "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                  "bias_initializer": initializers.serialize(self.bias_initializer),
                  "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                  "bias_constraint": constraints.serialize(self.bias_constraint)}
        for prefix in self._weights_named:
            config[f"{prefix}_initializer"] = initializers.serialize(getattr(self, f"{prefix}_initializer"))
            config[f"{prefix}_regularizer"] = regularizers.serialize(getattr(self, f"{prefix}_regularizer"))
            config[f"{prefix}_constraint"] = constraints.serialize(getattr(self, f"{prefix}_constraint"))
        return config


class _DepthwiseConv(_Depthwise):
    """Depthwise convolution: each input channel convolved with its own depth_multiplier filters."""

    _weights_named = ("depthwise",)

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint, **kwargs)
        self._set_kernel_options("depthwise", depthwise_initializer, depthwise_regularizer, depthwise_constraint)
        self.kernel = None

    def build(self, input_shape):
        self._check(input_shape)
        c = input_shape[-1]
        self.kernel = self._kernel("depthwise", "kernel", self.kernel_size + (c, self.depth_multiplier))
        self._bias(c * self.depth_multiplier)
        self.built = True

    def call(self, inputs):
        return self._finish(self._depthwise(inputs, self.kernel))

    def compute_output_shape(self, input_shape):
        outs = self._check(input_shape, None if self.kernel is None else self.kernel.shape[-2])
        return (input_shape[0],) + tuple(outs) + (input_shape[-1] * self.depth_multiplier,)


class _SeparableConv(_Depthwise):
    """Separable convolution: the depthwise convolution, then a pointwise (1×1) one to `filters` channels."""

    _weights_named = ("depthwise", "pointwise")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.filters = _positive(filters, "filters", type(self).__name__)
        self._set_kernel_options("depthwise", depthwise_initializer, depthwise_regularizer, depthwise_constraint)
        self._set_kernel_options("pointwise", pointwise_initializer, pointwise_regularizer, pointwise_constraint)
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape):
        self._check(input_shape)
        c, m = input_shape[-1], self.depth_multiplier
        self.depthwise_kernel = self._kernel("depthwise", "depthwise_kernel", self.kernel_size + (c, m))
        self.pointwise_kernel = self._kernel("pointwise", "pointwise_kernel", (1,) * self.rank + (c * m, self.filters))
        self._bias(self.filters)
        self.built = True

    def call(self, inputs):
        y = self._depthwise(inputs, self.depthwise_kernel)
        return self._finish(C.conv(y, self.pointwise_kernel))

    def compute_output_shape(self, input_shape):
        channels = None if self.depthwise_kernel is None else self.depthwise_kernel.shape[-2]
        return (input_shape[0],) + tuple(self._check(input_shape, channels)) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters}


class DepthwiseConv2D(_DepthwiseConv):
    """2-D depthwise convolution over (batch, height, width, channels); kernel (kh, kw, in, depth_multiplier)."""


class DepthwiseConv1D(_DepthwiseConv):
    """1-D depthwise convolution over (batch, steps, channels); kernel (k, in, depth_multiplier)."""

    rank = 1
    spatial = "steps"


class SeparableConv2D(_SeparableConv):
    """2-D separable convolution (depthwise, then 1×1 to `filters`) over (batch, height, width, channels)."""


class SeparableConv1D(_SeparableConv):
    """1-D separable convolution (depthwise, then 1×1 to `filters`) over (batch, steps, channels)."""

    rank = 1
    spatial = "steps"
