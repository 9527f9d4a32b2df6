"""A custom layer without get_config is saved with the arguments its constructor was called with, as Keras 3's
Operation.__new__ records them (keras/src/ops/operation.py): only when every value is a str, int, float, bool or
None (also inside lists, tuples and dicts); otherwise saving raises, naming the class and the arguments."""
import inspect

from ..errors import ConfigError, SerializationError

_PLAIN = (str, int, float, bool, type(None))
_BASE_KEYS = ("name", "trainable", "dtype")


def _leaves(value):
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _leaves(v)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    return [value]


def _example(cls, names):
    args = ", ".join(names)
    sets = "".join(f"\n        self.{n} = {n}" for n in names)
    items = ", ".join(f'"{n}": self.{n}' for n in names)
    return (f"\n\n    class {cls}(keras.layers.Layer):\n    def __init__(self, {args}, **kwargs):\n        "
            f"super().__init__(**kwargs){sets}\n\n    def get_config(self):\n        return {{**super().get_config(), "
            f"{items}}}")


def auto_config(layer):
    """The constructor arguments of ``layer`` (defaults filled in, ``name`` left to the base config), or raise
    SerializationError naming those get_config cannot record."""
    cls = type(layer)
    args, kwargs = getattr(layer, "_init_call", ((), {}))
    try:
        bound = inspect.signature(cls.__init__).bind(layer, *args, **kwargs)
    except TypeError:
        return {}
    bound.apply_defaults()
    params = inspect.signature(cls.__init__).parameters
    config, positional_extra = {}, []
    for pname, value in list(bound.arguments.items())[1:]:
        kind = params[pname].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            config.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            positional_extra += list(value)
        else:
            config[pname] = value
    config.pop("name", None)
    bad = sorted(k for k, v in config.items() if not all(isinstance(x, _PLAIN) for x in _leaves(v)))
    if positional_extra or bad:
        what = (f"the argument(s) {', '.join(bad)} (given {', '.join(type(config[k]).__name__ for k in bad)}; "
                "get_config can record only str, int, float, bool, None and lists/dicts of them)" if bad
                else f"{len(positional_extra)} variadic positional argument(s) (*args)")
        raise SerializationError(f"layer '{layer.name}' ({cls.__name__}) was created with {what}, so it cannot be "
                                 f"saved without a get_config of its own (Keras raises NotImplementedError too). "
                                 f"Define get_config (and from_config if needed), e.g.:"
                                 f"{_example(cls.__name__, bad or ['arg1'])}")
    return config


def takes_name(cls):
    """Whether cls.__init__ takes ``name`` (by name or through **kwargs)."""
    params = inspect.signature(cls.__init__).parameters.values()
    return any(p.name == "name" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def accepts(cls, config):
    """config narrowed to what ``cls.__init__`` takes: the base keys (name, trainable, dtype) it cannot take are
    returned apart, to set after construction; any other key it cannot take raises, naming it."""
    params = inspect.signature(cls.__init__).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return config, {}
    later = {k: config[k] for k in _BASE_KEYS if k in config and k not in params}
    unknown = sorted(set(config) - set(params) - set(later))
    if unknown:
        raise ConfigError(f"{cls.__name__}.from_config: the saved config has argument(s) {', '.join(unknown)} that "
                          f"{cls.__name__}.__init__ does not take (it takes: "
                          f"{', '.join(p for p in params if p != 'self') or 'nothing'}); make __init__ accept them, "
                          "or define from_config")
    return {k: v for k, v in config.items() if k not in later and k not in unknown}, later
