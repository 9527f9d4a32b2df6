"""Layers to and from their {"class_name", "config"} dicts (custom classes through custom_objects)."""
import inspect

from ..errors import ConfigError
from ..layers.base import Layer


def serialize_layer(layer):
    """{"module", "class_name", "config", "registered_name"} of a layer (Keras's keys)."""
    from .. import layers
    builtin = getattr(layers, type(layer).__name__, None) is type(layer)
    return {"module": "keras.layers" if builtin else type(layer).__module__, "class_name": type(layer).__name__,
            "config": layer.get_config(), "registered_name": None if builtin else type(layer).__name__}


def deserialize_layer(spec, custom_objects=None):
    """A fresh layer (or nested model) from serialize_layer()'s dict."""
    from .. import layers, models
    name = spec["class_name"]
    cls = (custom_objects or {}).get(name) or getattr(layers, name, None) or _model_class(name, models)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ConfigError(f"unknown layer class {name!r}; pass custom_objects={{'{name}': {name}}} to load it")
    config = dict(spec["config"])
    if hasattr(cls, "_run") or "custom_objects" in inspect.signature(cls.from_config).parameters:  # a nested
        return cls.from_config(config, custom_objects=custom_objects)  # model, or a wrapper (TimeDistributed)
    return cls.from_config(config)


def _model_class(name, models):
    return {"Functional": models.Functional, "Sequential": models.Sequential, "Model": models.Model}.get(name)
