"""TimeDistributed: one layer applied to every timestep of (batch, time, ...) with shared weights (Keras 3's)."""
from ..autograd import public_ops as F
from ..errors import ConfigError, ShapeError
from .base import Layer


class TimeDistributed(Layer):
    """y[:, t] = layer(x[:, t]) for every t: the batch and time axes are merged for one call of the layer, so its
    weights (the same ones for every step, in the layer's own layout) see batch·time samples."""

    supports_masking = True

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ConfigError(f"TimeDistributed: layer must be a Layer instance, got {layer!r}")
        self.layer = layer

    def _check(self, shape):
        if len(shape) < 3:
            raise ShapeError(f"layer '{self.name}' expects inputs of rank 3 or more (batch, time, ...), got shape "
                             f"{tuple(shape)}")

    def build(self, input_shape):
        self._check(input_shape)
        if not self.layer.built:
            self.layer._maybe_build((None,) + tuple(input_shape[2:]))
        self.built = True

    def call(self, inputs, training=False):
        self._check(inputs.shape)
        n, t = inputs.shape[0], inputs.shape[1]
        y = self.layer(F.reshape(inputs, (n * t,) + tuple(inputs.shape[2:])), training=training)
        return F.reshape(y, (n, t) + tuple(y.shape[1:]))

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def get_config(self):
        inner = {"module": "keras.layers", "class_name": type(self.layer).__name__,
                 "config": self.layer.get_config(), "registered_name": None}
        return {**super().get_config(), "layer": inner}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild from get_config()'s dict; a custom wrapped layer's class comes from ``custom_objects``."""
        from .. import layers
        config = dict(config)
        spec = config.pop("layer")
        name = spec["class_name"]
        inner = (custom_objects or {}).get(name) or getattr(layers, name, None)
        if not (isinstance(inner, type) and issubclass(inner, Layer)):
            raise ConfigError(f"TimeDistributed: cannot rebuild the wrapped layer {name!r}: it is not a gradkit "
                              f"layer; pass custom_objects={{'{name}': {name}}} to load it")
        return cls(inner.from_config(spec["config"]), **config)
