"""keras.saving: register custom classes so a saved model finds them without ``custom_objects``, custom-object
scopes, and save / load (keras/src/saving/object_registration.py: a class registered as "package>Name")."""
import contextlib

from .errors import ConfigError, ConfigTypeError

_REGISTERED = {}  # "package>Name" → class or function (Keras's GLOBAL_CUSTOM_OBJECTS)
_NAMES = {}  # class or function → "package>Name"
_SCOPES = [{}]  # the custom objects of the innermost custom_object_scope


def register_keras_serializable(package="Custom", name=None):
    """A decorator registering a class (it must have get_config) or function as "package>name" (name defaults to its
    own), so load_model and from_config find it without custom_objects."""
    if not isinstance(package, str) or ">" in package:
        raise ConfigError(f"register_keras_serializable: package must be a string without '>', got {package!r}")

    def decorator(obj):
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ConfigError(f"register_keras_serializable: cannot register {obj.__name__}, which has no "
                              "get_config() method")
        key = f"{package}>{name if name is not None else obj.__name__}"
        _REGISTERED[key] = obj
        _NAMES[obj] = key
        return obj
    return decorator


def get_custom_objects():
    """The global dict of registered objects ("package>Name" → object); editing it edits the registry, as Keras."""
    return _REGISTERED


def get_registered_name(obj):
    """The name obj is registered under, else its own ``__name__``."""
    return _NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object saved under ``name``: from the innermost custom_object_scope, the registry, custom_objects, then
    module_objects (Keras's order); None when none has it."""
    for table in (_SCOPES[-1], _REGISTERED, custom_objects or {}, module_objects or {}):
        if name in table:
            return table[name]
    return None


class CustomObjectScope(contextlib.AbstractContextManager):
    """``with custom_object_scope({"Name": cls}):`` — load_model and from_config find these objects inside."""

    def __init__(self, custom_objects):
        if custom_objects is not None and not isinstance(custom_objects, dict):
            raise ConfigError(f"custom_object_scope: custom_objects must be a dict {{name: object}}, got "
                              f"{type(custom_objects).__name__}")
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _SCOPES.append({**_SCOPES[-1], **self.custom_objects})
        return self

    def __exit__(self, *exc):
        _SCOPES.pop()
        return False


custom_object_scope = CustomObjectScope


def known(custom_objects=None, by_class_name=False):
    """Every custom object a saved config may name: the registry by registered name ("package>Name"), then the
    innermost custom_object_scope, then ``custom_objects`` (later ones win); ``by_class_name`` adds the registered
    objects by their own names too (a saved model's top-level class is recorded by name only)."""
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise ConfigTypeError(f"custom_objects must be a dict {{'ClassName': ClassName}}, got {custom_objects!r}")
    by_class = {getattr(obj, "__name__", key): obj for key, obj in _REGISTERED.items()} if by_class_name else {}
    return {**by_class, **_REGISTERED, **_SCOPES[-1], **(custom_objects or {})}


def save_model(model, filepath, overwrite=True, zipped=None):
    """model.save(filepath): architecture, weights, compile settings and optimizer state."""
    model.save(filepath, overwrite=overwrite, zipped=zipped)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model saved by ``save_model`` / ``model.save`` (see gradkit.models.load_model)."""
    from .models import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_weights(model, filepath, overwrite=True):
    """model.save_weights(filepath)."""
    model.save_weights(filepath, overwrite=overwrite)


def load_weights(model, filepath, skip_mismatch=False):
    """model.load_weights(filepath)."""
    if skip_mismatch:
        raise ConfigError("load_weights(skip_mismatch=True) is not supported by gradkit: the weights must match")
    model.load_weights(filepath)


from .keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("saving", __name__)
