"""Layer: configuration in __init__, weights created once in build, math in call (the Keras pattern).

Calling a layer on a Tensor/array runs it eagerly; calling it on a KerasTensor (from ``Input``)
records a node of a functional graph instead and returns the symbolic output.
"""
import re

import numpy as np

from .. import backend as B
from ..arguments import shape as shape_arg
from ..autograd import Tensor, no_grad
from ..errors import ConfigError, ShapeError

_name_counts = {}


def unique_name(base):
    """'dense', then 'dense_1', 'dense_2', ... as Keras names layers."""
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def snake_case(name):
    """CamelCase class name to Keras's snake_case layer name (Conv2D → conv2d, as keras.src.utils.naming)."""
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)).lower()


class KerasTensor:
    """A symbolic tensor of a functional graph: a shape (batch dim None) and the layer call that made it."""

    def __init__(self, shape, dtype=None, layer=None, inputs=(), name=None):
        self.shape = tuple(shape)
        self.dtype = dtype or B.floatx()
        self.layer, self.inputs, self.name = layer, list(inputs), name

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, name={self.name!r}>"


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    return tuple(x.shape)


class Layer:
    """Base of all layers. Subclasses set config in __init__, add weights in build, compute in call."""

    def __init__(self, name=None, input_shape=None, input_dim=None, trainable=True, dtype=None, **kwargs):
        if kwargs:
            raise ConfigError(f"{type(self).__name__} got unknown argument(s): {', '.join(sorted(kwargs))}")
        self.name = name or unique_name(snake_case(type(self).__name__))
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        owner = type(self).__name__
        self.input_shape_arg = shape_arg(input_shape, "input_shape", owner) if input_shape is not None else None
        self.trainable = trainable
        self.dtype = dtype
        self.built = False
        self._weights = []
        self.input_spec_shape = None  # the input shape the layer was built for (batch dim None)

    # ---- weights --------------------------------------------------------------------------
    def add_weight(self, name, shape, initializer="zeros", trainable=True, dtype=None):
        """Create a weight Tensor of this layer (named 'layer/name'); trainable weights require grad."""
        from .. import initializers
        init = initializers.get(initializer)
        value = B.xp.asarray(init(tuple(shape), dtype=dtype or self.dtype or B.floatx()))
        w = Tensor(value, requires_grad=trainable and self.trainable, name=f"{self.name}/{name}")
        w.trainable = trainable
        self._weights.append(w)
        return w

    @property
    def weights(self):
        """All weights (trainable first, as Keras orders them in get_weights)."""
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self):
        """Weights the optimizer updates."""
        return [w for w in self._weights if w.trainable and self.trainable]

    @property
    def non_trainable_weights(self):
        """Weights kept but not trained (e.g. BatchNormalization's moving statistics)."""
        return [w for w in self._weights if not (w.trainable and self.trainable)]

    def get_weights(self):
        """Weights as NumPy arrays, e.g. [kernel, bias] for Dense."""
        return [w.numpy().copy() for w in self.weights]

    def set_weights(self, weights):
        """Overwrite the weights from arrays of the same shapes (order as get_weights)."""
        mine = self.weights
        if len(weights) != len(mine):
            raise ShapeError(f"layer '{self.name}' has {len(mine)} weights, got a list of {len(weights)}")
        for w, v in zip(mine, weights):
            v = B.to_numpy(v) if not isinstance(v, np.ndarray) else v
            if tuple(v.shape) != tuple(w.shape):
                raise ShapeError(f"layer '{self.name}': weight '{w.name}' has shape {tuple(w.shape)}, "
                                 f"got an array of shape {v.shape}")
            w.data[...] = B.xp.asarray(v, dtype=w.dtype)

    def count_params(self):
        """Number of scalars in all weights."""
        return int(sum(w.size for w in self.weights))

    # ---- building and calling ---------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of this shape (batch dim included, may be None)."""
        self.built = True

    def call(self, inputs, training=False):
        """The layer's math on Tensors."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        """Output shape for an input shape; by default found by running the layer on a dummy batch."""
        def dummy(s):
            return Tensor(B.xp.zeros((1,) + tuple(s[1:]), dtype=B.floatx()))
        x = [dummy(s) for s in input_shape] if isinstance(input_shape, list) else dummy(input_shape)
        with no_grad():
            y = self.call(x, training=False)
        return (None,) + tuple(y.shape[1:])

    def _maybe_build(self, input_shape):
        if not self.built:
            self.build(input_shape)
            self.built = True
            self.input_spec_shape = input_shape

    def __call__(self, inputs, training=False):
        many = isinstance(inputs, (list, tuple))
        items = list(inputs) if many else [inputs]
        if any(isinstance(v, KerasTensor) for v in items):
            shape = _shape_of(inputs)
            self._maybe_build(shape)
            return KerasTensor(self.compute_output_shape(shape), layer=self, inputs=items, name=self.name)
        items = [v if isinstance(v, Tensor) else Tensor(v) for v in items]
        inputs = items if many else items[0]
        self._maybe_build(_shape_of(inputs))
        return self.call(inputs, training=training)

    # ---- config (save / load) ---------------------------------------------------------------
    def get_config(self):
        """Constructor arguments that rebuild this layer (without weights)."""
        cfg = {"name": self.name, "trainable": self.trainable}
        if self.input_shape_arg is not None:
            cfg["input_shape"] = list(self.input_shape_arg)
        return cfg

    @classmethod
    def from_config(cls, config):
        """Rebuild a layer from get_config()'s dict."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"
