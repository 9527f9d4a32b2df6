"""The one helper behind every ``get(identifier)``: activations, constraints, initializers, losses, metrics,
optimizers and regularizers look a name up the same way, and an unknown name gets one error that lists the valid
names and suggests the close ones (``'binary_crossentropi'``: did you mean 'binary_crossentropy'?)."""
import difflib

from .errors import ConfigError

_UNSET = object()


def close_matches(name, candidates, n=3):
    """The candidates closest to ``name`` (difflib, case-insensitive), best first, in their own spelling; of names
    that differ only in case and underscores ('binary_crossentropy', 'BinaryCrossentropy') the first given."""
    by_key = {}
    for c in map(str, candidates):
        by_key.setdefault(c.lower().replace("_", ""), c)
    spelled = {c.lower(): c for c in reversed(list(by_key.values()))}
    return [spelled[m] for m in difflib.get_close_matches(str(name).lower(), list(spelled), n=n)]


def did_you_mean(name, candidates):
    """'; did you mean 'x'?' (or 'x' or 'y') when some candidate is close to ``name``, else ''."""
    close = close_matches(name, candidates) if isinstance(name, str) else []
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


class Registry:
    """The names of one kind of object (``kind``: "loss", "optimizer", ...), looked up as Keras does.

    names: {snake_case name: entry}, matched case-insensitively; classes: {class name: entry}, matched exactly;
    listed: the names an unknown-name error lists (default: ``names``), ``listed_tail`` text after them.
    """

    def __init__(self, kind, names, classes=None, listed=None, listed_tail=""):
        self.kind, self.names, self.classes = kind, dict(names), dict(classes or {})
        self.listed, self.listed_tail = list(self.names if listed is None else listed), listed_tail

    def find(self, name):
        """The entry for a string name (snake_case in any case, or the exact class name), or None."""
        return self.names.get(name.lower()) or self.classes.get(name)

    def unknown(self, identifier, listed=None, what="valid names"):
        """The ConfigError for an unknown name: the valid ones listed, then the close ones suggested."""
        listed = self.listed if listed is None else list(listed)
        candidates = [*self.names, *listed, *self.classes]  # snake_case first: suggested over class names
        return ConfigError(f"unknown {self.kind} {identifier!r}; {what}: {', '.join(listed)}{self.listed_tail}"
                           f"{did_you_mean(identifier, candidates)}")

    def unknown_class(self, config):
        """The ConfigError for a config dict whose class_name is not known."""
        return self.unknown(config, listed=self.classes, what="known classes")

    def get(self, identifier, base=None, none=_UNSET, make=lambda entry: entry(), from_dict=None,
            instantiate=False, callables="any"):
        """The object for ``identifier``, Keras's ``get``: ``none`` for None (when given), a ``base`` instance as is,
        a config dict through ``from_dict`` (default: its class_name's ``from_config``; False: no dicts), a ``base``
        subclass instantiated (when ``instantiate``), a name's entry through ``make``, and a callable as is
        (``callables``: "any", "functions" (not classes) or None)."""
        if identifier is None and none is not _UNSET:
            return none
        if base is not None and isinstance(identifier, base):
            return identifier
        if isinstance(identifier, dict) and from_dict is not False:
            return (from_dict or self._from_dict)(identifier)
        if instantiate and isinstance(identifier, type) and issubclass(identifier, base):
            return identifier()
        if isinstance(identifier, str):
            entry = self.find(identifier)
            if entry is not None:
                return make(entry)
        elif callable(identifier) and (callables == "any" or callables == "functions"
                                       and not isinstance(identifier, type)):
            return identifier
        raise self.unknown(identifier)

    def _from_dict(self, config):
        cls = self.classes.get(config.get("class_name"))
        if cls is None:
            raise self.unknown_class(config)
        return cls.from_config(config.get("config", {}))
