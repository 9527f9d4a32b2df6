"""Convolution layers: Conv1D and Conv2D, channels-last, with Keras 3's arguments and weight layouts.

The kernel is (kernel_size..., in_channels, filters) and the bias (filters,), as in Keras, so
``get_weights()`` / ``set_weights()`` carry weights between the two unchanged.
"""
from .. import activations, initializers
from ..autograd import nn
from ..autograd import conv as C
from ..errors import ConfigError, ShapeError
from .base import Layer


def normalize_tuple(value, n, arg, layer):
    """An int or a length-n sequence of positive ints as an n-tuple (ConfigError otherwise)."""
    t = (value,) * n if isinstance(value, int) else tuple(value) if isinstance(value, (tuple, list)) else None
    if t is None or len(t) != n or not all(isinstance(v, int) and v > 0 for v in t):
        raise ConfigError(f"{layer}: {arg} must be a positive integer or a tuple of {n}, got {value!r}")
    return t


def check_data_format(data_format, layer):
    """Only channels_last is supported: a ConfigError saying how to move the channel axis otherwise."""
    if data_format not in (None, "channels_last"):
        raise ConfigError(f"{layer}: data_format={data_format!r} is not supported; gradkit's image layers are "
                          "channels_last (batch, ..., channels). Move the channel axis last, e.g. "
                          "x.transpose(0, 2, 3, 1) for (N, C, H, W) images.")
    return "channels_last"


def check_padding(padding, layer, allowed=("valid", "same")):
    """The padding name, lower-cased, if allowed (ConfigError listing the allowed ones otherwise)."""
    p = padding.lower() if isinstance(padding, str) else padding
    if p not in allowed:
        raise ConfigError(f"{layer}: padding must be one of {', '.join(map(repr, allowed))}, got {padding!r}")
    return p


def check_input(layer, shape, rank, spatial):
    """ShapeError unless a batch has rank+2 axes (batch, spatial..., channels); suggests x[..., None]."""
    if len(shape) == rank + 2:
        return
    hint = (" If these are single-channel images, add the channel axis: x[..., None]."
            if len(shape) == rank + 1 else "")
    raise ShapeError(f"layer '{layer.name}' expects inputs of rank {rank + 2} (batch, {spatial}, channels), "
                     f"got shape {tuple(shape)}.{hint}")


def check_window(layer, shape, window, strides, padding, dilation=None, what="kernel"):
    """ShapeError when a 'valid' window does not fit in the input's spatial axes."""
    dilation = dilation or (1,) * len(window)
    sizes = tuple(shape[1:-1])
    outs = [C.output_length(s, k, st, padding, d) for s, k, st, d in zip(sizes, window, strides, dilation)]
    if any(o is not None and o < 1 for o in outs):
        raise ShapeError(f"layer '{layer.name}': the {what} {window} (dilation {dilation}) is larger than the input's "
                         f"spatial size {sizes} (input shape {tuple(shape)}, padding {padding!r}); use a smaller "
                         f"{what}, padding='same', or larger inputs")
    return outs


class _Conv(Layer):
    """The shared body of Conv1D and Conv2D (rank = number of spatial axes)."""

    rank = 2
    spatial = "height, width"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if not isinstance(filters, int) or filters < 1:
            raise ConfigError(f"{cls}: filters must be a positive integer, got {filters!r}")
        unsupported = {"groups": groups != 1, "kernel_regularizer": kernel_regularizer is not None,
                       "bias_regularizer": bias_regularizer is not None,
                       "activity_regularizer": activity_regularizer is not None,
                       "kernel_constraint": kernel_constraint is not None, "bias_constraint": bias_constraint is not None}
        if any(unsupported.values()):
            raise ConfigError(f"{cls}: {', '.join(k for k, v in unsupported.items() if v)} not supported")
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size", cls)
        self.strides = normalize_tuple(strides, self.rank, "strides", cls)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate", cls)
        self.padding = check_padding(padding, cls, ("valid", "same", "causal") if self.rank == 1 else ("valid", "same"))
        self.data_format = check_data_format(data_format, cls)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ConfigError(f"{cls}: strides > 1 together with dilation_rate > 1 is not supported (as in Keras), "
                              f"got strides={self.strides}, dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel = self.bias = None

    def build(self, input_shape):
        check_input(self, input_shape, self.rank, self.spatial)
        if input_shape[-1] is None:
            raise ShapeError(f"layer '{self.name}' needs a known channel axis, got input shape {tuple(input_shape)}")
        self.kernel = self.add_weight("kernel", self.kernel_size + (input_shape[-1], self.filters),
                                      self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer)
        self.built = True

    def _check(self, shape):
        check_input(self, shape, self.rank, self.spatial)
        if self.kernel is not None and shape[-1] != self.kernel.shape[-2]:
            raise ShapeError(f"layer '{self.name}' expects inputs with {self.kernel.shape[-2]} channels (last axis), "
                             f"got {shape[-1]} (input shape {tuple(shape)})")
        return check_window(self, shape, self.kernel_size, self.strides, self.padding, self.dilation_rate)

    def preactivation(self, inputs, training=False):
        """The convolution plus bias, before the activation (the trainer may fuse softmax into the loss)."""
        return self._conv(inputs)

    def _conv(self, inputs, relu=False):
        """The convolution plus bias, with relu fused into the op when asked."""
        self._check(inputs.shape)
        x = inputs
        if x.dtype != self.kernel.dtype and not x.requires_grad:  # constant input: cast, as Keras autocasts
            x = nn.cast(x, self.kernel.dtype)
        return C.conv(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate, relu=relu)

    def call(self, inputs, training=False):
        if self.activation is activations.relu:  # one op: no pre-activation array kept for backward
            return self._conv(inputs, relu=True)
        return self.activation(self.preactivation(inputs, training))

    def compute_output_shape(self, input_shape):
        outs = self._check(input_shape)
        if self.padding == "causal":
            outs = [input_shape[1]]
        return (input_shape[0],) + tuple(outs) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}


class Conv2D(_Conv):
    """2-D convolution over (batch, height, width, channels); kernel (kh, kw, in, filters) as in Keras."""

    rank = 2
    spatial = "height, width"


class Conv1D(_Conv):
    """1-D convolution over (batch, steps, channels); padding also "causal"; kernel (k, in, filters) as in Keras."""

    rank = 1
    spatial = "steps"
