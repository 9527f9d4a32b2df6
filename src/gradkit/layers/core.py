"""Core layers: Dense, Activation, Dropout, Flatten, Identity, InputLayer and Input."""
import math

from .. import activations, constraints, initializers, regularizers
from ..arguments import flag, number
from ..arguments import shape as shape_arg
from ..autograd import Tensor, nn
from ..autograd.tensor import as_tensor
from ..autograd import public_ops as F
from ..errors import ConfigError, ShapeError
from .base import KerasTensor, Layer


def _fmt(shape):
    return str(tuple(shape))


class Dense(Layer):
    """y = activation(x @ kernel + bias), one fused op for the affine part (x may be scipy.sparse)."""

    supports_masking = True  # as Keras: a sequence mask passes through (to the loss, for instance)

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if lora_rank is not None:
            raise ConfigError("Dense: lora_rank is not supported by gradkit")
        self.units = number(units, "units", "Dense", "[1, inf)", integer=True)
        self.use_bias = flag(use_bias, "use_bias", "Dense")
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer, self.bias_regularizer = regularizers.get(kernel_regularizer), regularizers.get(bias_regularizer)
        self.kernel_constraint, self.bias_constraint = constraints.get(kernel_constraint), constraints.get(bias_constraint)
        self.kernel = self.bias = None

    def build(self, input_shape):
        self._one_input(input_shape)
        if input_shape[-1] is None:
            raise ShapeError(f"layer '{self.name}' needs a known last input dimension, got shape {_fmt(input_shape)}")
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                                      name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint, name="bias")
        self.built = True

    def _one_input(self, x):
        if isinstance(x, list) or (isinstance(x, tuple) and x and isinstance(x[0], (tuple, list, Tensor))):
            raise ShapeError(f"layer '{self.name}' expects 1 input, got a list of {len(x)}")

    def _check(self, shape):
        if self.kernel is not None and shape[-1] != self.kernel.shape[0]:
            raise ShapeError(f"layer '{self.name}' expects inputs with {self.kernel.shape[0]} features, "
                             f"got {shape[-1]} (x has shape {_fmt(shape)}).")

    def preactivation(self, inputs, training=False):
        """x @ kernel + bias, before the activation (the trainer fuses softmax/sigmoid into the loss)."""
        self._one_input(inputs)
        x = as_tensor(inputs)
        self._maybe_build(tuple(x.shape))
        self._check(x.shape)
        if x.dtype != self.kernel.dtype and not x.requires_grad:  # constant input: cast, as Keras autocasts
            x = nn.cast(x, self.kernel.dtype)
        return nn.dense(x, self.kernel, self.bias)

    def call(self, inputs, training=False):
        return self.activation(self.preactivation(inputs, training))

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint), "quantization_config": None}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("quantization_config", None)
        return cls(**config)


class Activation(Layer):
    """Applies an activation function (by name or callable)."""

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def preactivation(self, inputs, training=False):
        """The input itself (what the activation is applied to)."""
        return as_tensor(inputs)

    def call(self, inputs, training=False):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability rate and scale the rest by 1/(1−rate).

    The mask is drawn from gradkit's one Generator (``seed`` is accepted for Keras compatibility; seed the
    run with ``gradkit.utils.set_random_seed``). At inference the layer is the identity.
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = number(rate, "rate", type(self).__name__, "[0, 1)")  # 1 would scale by 1/(1 − rate) = inf
        if noise_shape is not None and (not isinstance(noise_shape, (tuple, list)) or not all(
                d is None or (isinstance(d, int) and d > 0) for d in noise_shape)):
            raise ConfigError(f"{type(self).__name__}: noise_shape must be a tuple of positive ints or None "
                              f"(one per input axis), got {noise_shape!r}")
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is not None and (len(self.noise_shape) != inputs.ndim or any(
                d is not None and d not in (1, n) for d, n in zip(self.noise_shape, inputs.shape))):
            raise ShapeError(f"layer '{self.name}': noise_shape {self.noise_shape} does not broadcast to the input "
                             f"shape {tuple(inputs.shape)} (each entry None, 1 or the input's size)")
        return nn.dropout(inputs, self.rate, self.noise_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class Flatten(Layer):
    """Reshape (batch, d1, d2, ...) to (batch, d1·d2·...)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ConfigError(f"Flatten: data_format must be 'channels_last', got {data_format!r}")
        self.data_format = "channels_last"

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}

    def call(self, inputs, training=False):
        return F.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        n = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], n)



class Identity(Layer):
    """Returns its input unchanged (a placeholder layer); masks pass through."""

    supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class InputLayer(Layer):
    """The entry of a model: holds the input's batch shape; the identity on data."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=False, batch_shape=None, name=None,
                 input_shape=None, ragged=False, optional=False, **kwargs):
        kwargs.pop("trainable", None)
        shape = shape if shape is not None else input_shape
        if batch_shape is not None:
            if shape is not None:
                raise ConfigError("InputLayer: give shape= or batch_shape=, not both")
            batch_shape = tuple(batch_shape)
            shape, batch_size = batch_shape[1:], batch_shape[0]
        if shape is None:
            raise ConfigError("InputLayer needs shape=, e.g. InputLayer(shape=(784,))")
        if ragged or optional:
            raise ConfigError("InputLayer: ragged and optional inputs are not supported by gradkit")
        shape = shape_arg(shape, "shape", "InputLayer")
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.shape, self.batch_size, self.sparse = shape, batch_size, sparse
        self.batch_shape = (batch_size,) + shape
        self.built = True
        KerasTensor(self.batch_shape, dtype=self.dtype, layer=self, inputs=[], name=self.name, sparse=sparse)

    input = property(lambda self: self.output, doc="The input KerasTensor (the same as output).")

    def call(self, inputs, training=False):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": self.sparse,
                "ragged": False, "name": self.name, "optional": False}


def Input(shape=None, batch_size=None, dtype=None, sparse=False, ragged=False, batch_shape=None,  # noqa: N802
          name=None, tensor=None, optional=False):
    """A symbolic input of shape (batch_size or None,) + shape, the start of a functional model."""
    if tensor is not None:
        raise ConfigError("Input(tensor=...) is not supported by gradkit")
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                      name=name, ragged=ragged, optional=optional).output
