"""BatchNormalization with Keras's defaults (momentum 0.99, epsilon 1e-3) and moving statistics."""
from .. import initializers
from ..arguments import number
from ..autograd import functions as F
from ..autograd import nn
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


def _move_last(ndim, axis):
    return tuple(i for i in range(ndim) if i != axis) + (axis,)


def _inverse(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)
