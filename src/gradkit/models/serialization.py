"""Layers to and from their {"class_name", "config"} dicts (custom classes through custom_objects)."""
import inspect

from ..errors import ConfigError
from ..layers.base import Layer


def serialize_layer(layer):
    """{"module", "class_name", "config", "registered_name", "name"} of a layer (Keras's keys: the graph refers to the
    layer by the outer "name", since a custom layer's get_config may leave "name" out)."""
    from .. import layers
    from ..saving import get_registered_name
    builtin = getattr(layers, type(layer).__name__, None) is type(layer)
    return {"module": "keras.layers" if builtin else type(layer).__module__, "class_name": type(layer).__name__,
            "config": layer.get_config(), "registered_name": None if builtin else get_registered_name(type(layer)),
            "name": layer.name}


def deserialize_layer(spec, custom_objects=None):
    """A fresh layer (or nested model) from serialize_layer()'s dict."""
    from .. import layers, models
    from ..saving import known
    name, objects = spec["class_name"], known(custom_objects)  # custom_objects, a custom_object_scope, the registry
    cls = objects.get(spec.get("registered_name") or name) or objects.get(name) or getattr(layers, name, None) or \
        _model_class(name, models)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ConfigError(f"unknown layer class {name!r}; pass custom_objects={{'{name}': {name}}} to load it")
    config = dict(spec["config"])
    if hasattr(cls, "_run") or "custom_objects" in inspect.signature(cls.from_config).parameters:  # a nested
        return cls.from_config(config, custom_objects=custom_objects)  # model, or a wrapper (TimeDistributed)
    return cls.from_config(config)


def layer_name(spec):
    """The name the saved graph calls a layer by: the outer "name" (Keras 3), else the config's (older saves)."""
    name = spec.get("name") or spec.get("config", {}).get("name")
    if name is None:
        raise ConfigError(f"the saved {spec.get('class_name')!r} layer has no name (neither its spec nor its "
                          "config has a 'name' key): the file was not written by gradkit or Keras 3")
    return name


def _model_class(name, models):
    return {"Functional": models.Functional, "Sequential": models.Sequential, "Model": models.Model}.get(name)
