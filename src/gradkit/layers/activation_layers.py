"""Activation layers with Keras 3's arguments: ReLU, LeakyReLU, PReLU, Softmax and ELU (keras/src/layers/activations/)."""
from .. import activations, constraints, initializers, regularizers
from ..arguments import number, optional_number
from ..autograd import public_ops as F
from ..autograd import nn
from ..errors import ConfigError, ShapeError
from .base import Layer


class _Elementwise(Layer):
    """An activation layer: shape and mask pass through."""

    supports_masking = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class ReLU(_Elementwise):
    """max_value if x ≥ max_value, x if threshold < x < max_value, negative_slope·(x − threshold) otherwise."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = optional_number(max_value, "max_value", "ReLU")
        self.negative_slope = number(negative_slope, "negative_slope", "ReLU")
        self.threshold = number(threshold, "threshold", "ReLU")

    def call(self, inputs):
        return activations.relu(inputs, self.negative_slope, self.max_value, self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """x if x ≥ 0 else negative_slope·x (Keras 3's default slope 0.3; the activation function's is 0.2)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:  # Keras 2's name, which Keras 3 still accepts with a warning
            import warnings
            warnings.warn("LeakyReLU: alpha is deprecated, use negative_slope", DeprecationWarning, stacklevel=2)
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = number(negative_slope, "negative_slope", "LeakyReLU")

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class Softmax(_Elementwise):
    """softmax along axis; a mask (1 keep, 0 drop, broadcastable to the input) gives dropped entries 0."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        x = inputs
        if mask is not None:  # as Keras: masked logits → a large negative number, masked outputs → 0
            self._check_mask(x.shape, tuple(F.shape(mask)))
            keep = F.cast(F.greater(F.cast(mask, x.dtype), 0.5), x.dtype)
            x = F.add(F.mul(x, keep), F.mul(F.sub(1.0, keep), -1e9 if x.dtype.itemsize > 2 else -3e4))
        if isinstance(self.axis, (tuple, list)) and len(self.axis) > 1:
            y = F.exp(F.sub(x, F.logsumexp(x, axis=tuple(self.axis), keepdims=True)))
        else:
            y = F.softmax(x, self.axis[0] if isinstance(self.axis, (tuple, list)) else self.axis)
        return y if mask is None else F.mul(y, keep)

    def _check_mask(self, shape, mask_shape):
        if len(mask_shape) > len(shape) or any(m not in (1, i) for m, i in zip(mask_shape[::-1], shape[::-1])):
            raise ShapeError(f"layer '{self.name}': the mask must broadcast to the input, got mask shape "
                             f"{mask_shape} for input shape {tuple(shape)}")

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class ELU(_Elementwise):
    """x if x > 0 else alpha·(eˣ − 1)."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = number(alpha, "alpha", "ELU", "(-inf, inf)")

    def call(self, inputs):
        return nn.elu(inputs, self.alpha)

    def get_config(self):  # Keras 3's ELU omits alpha from its config (so a reload loses it); gradkit keeps it
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Elementwise):
    """relu(x) − alpha·relu(−x) with a learned alpha per input entry (shape input_shape[1:], 1 along shared_axes)."""

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        axes = [shared_axes] if isinstance(shared_axes, int) else shared_axes
        if axes is not None and (not isinstance(axes, (list, tuple)) or
                                 not all(isinstance(a, int) and a >= 1 for a in axes)):
            raise ConfigError(f"PReLU: shared_axes must be None or positive ints (input axes after the batch), "
                              f"got {shared_axes!r}")
        self.shared_axes = None if axes is None else list(axes)
        self.alpha = None

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for a in self.shared_axes or ():
            if a > len(shape):
                raise ShapeError(f"layer '{self.name}': shared axis {a} is not an axis of inputs of shape "
                                 f"{tuple(input_shape)}")
            shape[a - 1] = 1
        if any(d is None for d in shape):
            raise ShapeError(f"layer '{self.name}' needs known sizes on the axes it learns alpha for, got input "
                             f"shape {tuple(input_shape)}; share the unknown axes with shared_axes")
        self.alpha = self.add_weight(shape=tuple(shape), initializer=self.alpha_initializer, name="alpha",
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        return F.sub(F.relu(inputs), F.mul(self.alpha, F.relu(F.neg(inputs))))

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint), "shared_axes": self.shared_axes}
