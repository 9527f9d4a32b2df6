"""Lambda: a layer around a Python function of Tensors (gradkit.ops), with Keras 3's arguments."""
import inspect
import sys

from ..errors import ConfigError
from .base import Layer
from .symbolic import flatten, map_shapes


def _function_config(fn, what, layer):
    """A named module-level function as {"module", "function_name"}; a Python lambda or a nested function is
    refused (it has no name to be found by when the model is loaded)."""
    name, module = getattr(fn, "__qualname__", ""), getattr(fn, "__module__", None)
    if not callable(fn) or "<lambda>" in name or "<locals>" in name or module is None:
        raise ConfigError(f"Lambda layer '{layer}': cannot serialize {what} {fn!r}: gradkit does not save the code "
                          f"of a Python lambda or nested function (Keras stores its bytecode and refuses to load it "
                          f"in safe mode). Define it with def at module level, or subclass Layer, or save only "
                          f"the weights (model.save_weights).")
    return {"module": module, "function_name": name}


def _function_from_config(config, what):
    """The function named by _function_config, looked up in its already-imported module (no code is imported)."""
    if callable(config):
        return config
    module = sys.modules.get(config.get("module", ""))
    fn = module
    for part in config.get("function_name", "").split(".") if module is not None else ():
        fn = getattr(fn, part, None)
    if not callable(fn):
        raise ConfigError(f"Lambda: {what} {config.get('module')}.{config.get('function_name')} is not found; "
                          f"import its module before loading the model")
    return fn


class Lambda(Layer):
    """y = function(inputs, **arguments), inputs one tensor or a list; output_shape: a shape without the batch
    axis (the first input's is prepended), a function of the input shape(s), or None (found by running the
    function on placeholders); mask is None, a fixed mask or a function (inputs, mask) → mask."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ConfigError(f"Lambda: function must be callable, got {function!r}")
        self.function, self.arguments, self.mask = function, dict(arguments or {}), mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        params = inspect.signature(function).parameters
        self._wants_training, self._wants_mask = "training" in params, "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._wants_mask:
            kwargs["mask"] = mask
        if self._wants_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):  # a function of the input shape(s) giving the whole output shape(s)
            return map_shapes(tuple, self._output_shape(input_shape))
        batch = flatten(input_shape)[0]  # the first input's batch dim, as Keras (tree.flatten(input_shape)[0])
        return map_shapes(lambda s: (batch,) + s, self._output_shape)

    def get_config(self):
        config = {**super().get_config(), "function": _function_config(self.function, "the function", self.name)}
        if self._output_shape is not None:
            config["output_shape"] = (_function_config(self._output_shape, "output_shape", self.name)
                                      if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config["mask"] = _function_config(self.mask, "the mask function", self.name) if callable(self.mask) \
                else self.mask
        return {**config, "arguments": dict(self.arguments)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["function"] = _function_from_config(config["function"], "function")
        for key in ("output_shape", "mask"):
            if isinstance(config.get(key), dict):
                config[key] = _function_from_config(config[key], key)
        return cls(**config)
