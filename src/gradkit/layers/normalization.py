"""BatchNormalization (moving statistics) and LayerNormalization, with Keras's defaults (epsilon 1e-3)."""
from .. import constraints, initializers, regularizers
from ..arguments import flag, number
from ..autograd import public_ops as F
from ..autograd import nn
from ..errors import ConfigError, ShapeError
from .base import Layer


class BatchNormalization(Layer):
    """Normalize over the batch (training) or by the moving statistics (inference), then scale and shift.

    The moving mean/variance are non-trainable weights updated in training: m ← m·momentum + μ·(1 − momentum).
    A frozen layer (trainable=False) always runs in inference mode, as in Keras.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.momentum = number(momentum, "momentum", "BatchNormalization", "[0, 1]")
        self.epsilon = number(epsilon, "epsilon", "BatchNormalization", "(0, inf)")
        self.axis, self.center, self.scale = axis, center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.gamma = self.beta = None

    def build(self, input_shape):
        if not isinstance(self.axis, int) or not -len(input_shape) < self.axis < len(input_shape):
            raise ShapeError(f"BatchNormalization '{self.name}': axis={self.axis!r} is not a feature axis of inputs "
                             f"of rank {len(input_shape)} (shape {tuple(input_shape)}); expected an int in "
                             f"[-{len(input_shape) - 1}, {len(input_shape)})")
        dim = (input_shape[self.axis],)
        if self.scale:
            self.gamma = self.add_weight("gamma", dim, self.gamma_initializer)
        if self.center:
            self.beta = self.add_weight("beta", dim, self.beta_initializer)
        self.moving_mean = self.add_weight("moving_mean", dim, self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", dim, self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def call(self, inputs, training=False):
        axis = self.axis % inputs.ndim
        last = axis == inputs.ndim - 1
        x = inputs if last else F.transpose(inputs, _move_last(inputs.ndim, axis))
        y = nn.batch_norm(x, self.gamma, self.beta, self.moving_mean.data, self.moving_variance.data,
                          self.momentum, self.epsilon, training=bool(training) and self.trainable)
        return y if last else F.transpose(y, _inverse(_move_last(inputs.ndim, axis)))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer)}


class LayerNormalization(Layer):
    """Per sample: y = (x − mean) / √(var + epsilon) · gamma + beta, the moments taken over ``axis`` (the last by
    default); gamma and beta have the shape of the normalised axes (Keras's layout)."""

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if kwargs.pop("rms_scaling", False):
            raise ConfigError("LayerNormalization: rms_scaling=True is deprecated in Keras and not supported by "
                              "gradkit")
        super().__init__(**kwargs)
        if not (isinstance(axis, int) or (isinstance(axis, (list, tuple)) and all(isinstance(a, int) for a in axis))):
            raise ConfigError(f"LayerNormalization: axis must be an int or a list of ints, got {axis!r}")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = number(epsilon, "epsilon", "LayerNormalization", "(0, inf)")
        self.center, self.scale = flag(center, "center", "LayerNormalization"), flag(scale, "scale", "LayerNormalization")
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer, self.gamma_regularizer = regularizers.get(beta_regularizer), regularizers.get(gamma_regularizer)
        self.beta_constraint, self.gamma_constraint = constraints.get(beta_constraint), constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -ndim < a < ndim or a % ndim == 0 for a in axes) or len({a % ndim for a in axes}) != len(axes):
            raise ShapeError(f"layer '{self.name}': axis {self.axis} must name distinct non-batch axes of inputs of "
                             f"shape {tuple(input_shape)}")
        self.axis = sorted(a % ndim for a in axes)  # as Keras: the canonical axes once built (get_config shows them)
        shape = tuple(input_shape[a] for a in self.axis)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer, name="gamma",
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer, name="beta",
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        axes = tuple(self.axis)
        centred = F.sub(inputs, F.mean(inputs, axis=axes, keepdims=True))
        var = F.mean(F.square(centred), axis=axes, keepdims=True)
        y = F.mul(centred, F.rsqrt(F.add(var, self.epsilon)))
        bshape = tuple(inputs.shape[a] if a in axes else 1 for a in range(inputs.ndim))
        if self.gamma is not None:
            y = F.mul(y, F.reshape(self.gamma, bshape))
        if self.beta is not None:
            y = F.add(y, F.reshape(self.beta, bshape))
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "rms_scaling": False,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}


def _move_last(ndim, axis):
    return tuple(i for i in range(ndim) if i != axis) + (axis,)


def _inverse(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)
