"""The symbolic side of layer calls: KerasTensor (a shape and where it came from) and Node (one layer call).

Calling a layer on KerasTensors records a Node holding the call's arguments (KerasTensors inside) and its
output KerasTensors; a functional model replays the Nodes in order on real Tensors.
"""
import numbers

from .. import backend as B


def flatten(struct):
    """The leaves of nested lists, tuples and dict values, in order."""
    if isinstance(struct, (list, tuple)):
        return [leaf for item in struct for leaf in flatten(item)]
    if isinstance(struct, dict):
        return [leaf for item in struct.values() for leaf in flatten(item)]
    return [struct]


def map_structure(fn, struct):
    """The same nesting of lists, tuples and dicts with fn applied to each leaf."""
    if isinstance(struct, (list, tuple)):
        return type(struct)(map_structure(fn, item) for item in struct)
    if isinstance(struct, dict):
        return {k: map_structure(fn, v) for k, v in struct.items()}
    return fn(struct)


def is_shape(s):
    """Whether s is one shape (a tuple or list of ints and Nones), not a structure of shapes."""
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, numbers.Integral) for d in s)


def map_shapes(fn, struct):
    """fn applied to each shape (as a tuple) of a nested list, tuple or dict of shapes."""
    if is_shape(struct):
        return fn(tuple(struct))
    if isinstance(struct, dict):
        return {k: map_shapes(fn, v) for k, v in struct.items()}
    return type(struct)(map_shapes(fn, s) for s in struct)


def any_symbolic(args, kwargs=None):
    """Whether a KerasTensor is among the (nested) arguments."""
    for a in args:
        if isinstance(a, KerasTensor) or (isinstance(a, (list, tuple, dict)) and any_symbolic(flatten(a))):
            return True
    return bool(kwargs) and any_symbolic(list(kwargs.values()))


class Node:
    """One call of a layer on KerasTensors: the call's args and kwargs as given, and its output KerasTensors."""

    def __init__(self, layer, args, kwargs, outputs):
        self.layer, self.args, self.kwargs = layer, tuple(args), dict(kwargs)
        self.inputs = [t for t in flatten((self.args, self.kwargs)) if isinstance(t, KerasTensor)]
        self.outputs = [t for t in flatten(outputs) if isinstance(t, KerasTensor)]
        for i, kt in enumerate(self.outputs):
            kt.node, kt.index = self, i
        layer._inbound_nodes.append(self)

    def call_args(self, value_of):
        """(args, kwargs) with each KerasTensor replaced by ``value_of(kt)``."""
        sub = lambda x: value_of(x) if isinstance(x, KerasTensor) else x  # noqa: E731
        return map_structure(sub, self.args), map_structure(sub, self.kwargs)


class KerasTensor:
    """A symbolic tensor of a functional graph: a shape (batch dim None), a dtype and the Node that made it.

    Python operators (``x + y``, ``x * 2``, ``x[:, 0]``) and ``gradkit.ops`` functions on KerasTensors record
    graph nodes too, so ``x += residual`` works in the functional API.
    """

    __array_priority__ = 1001  # numpy defers `ndarray op KerasTensor` to the reflected operators below

    def __init__(self, shape, dtype=None, layer=None, inputs=(), name=None, sparse=False):
        self.shape = tuple(shape)
        self.dtype = str(dtype or B.floatx())
        self.name, self.sparse = name, sparse
        self.node, self.index = None, 0
        if layer is not None:
            items = list(inputs)
            Node(layer, (items if len(items) > 1 else items[0],) if items else (), {}, [self])

    layer = property(lambda self: self.node.layer if self.node else None, doc="The layer whose call made this.")
    inputs = property(lambda self: self.node.inputs if self.node else [], doc="The KerasTensors it came from.")
    ndim = property(lambda self: len(self.shape), doc="Number of dimensions.")

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name!r}>"

    def __bool__(self):
        from ..errors import ConfigError
        raise ConfigError("a symbolic KerasTensor has no truth value: Python `if`/`and` on it cannot be traced; "
                          "use gradkit.ops.where or a custom layer")

    def __hash__(self):
        return id(self)

    @property
    def _keras_mask(self):
        """The mask this tensor will carry, a boolean KerasTensor (batch dim None) made by a KerasMask node of the
        graph; AttributeError when it carries none (as Keras's KerasTensor)."""
        shape = self.__dict__.get("_keras_mask_shape")
        if shape is None:
            raise AttributeError("'KerasTensor' object has no attribute '_keras_mask'")
        mask = self.__dict__.get("_mask_tensor")
        if mask is None:
            from .masking import KerasMask
            mask = self.__dict__["_mask_tensor"] = KerasTensor(shape, dtype="bool", name=f"{self.name}_mask")
            Node(KerasMask(), (self,), {}, [mask])
        return mask


def _op(name, reflect=False):
    def method(self, *other):
        from ..autograd import public_ops as ops
        args = (other[0], self) if reflect else (self, *other)
        return getattr(ops, name)(*args)
    method.__name__ = name
    return method


for _dunder, _name, _reflect in [
        ("__add__", "add", False), ("__radd__", "add", True), ("__sub__", "subtract", False),
        ("__rsub__", "subtract", True), ("__mul__", "multiply", False), ("__rmul__", "multiply", True),
        ("__truediv__", "divide", False), ("__rtruediv__", "divide", True), ("__pow__", "power", False),
        ("__rpow__", "power", True), ("__matmul__", "matmul", False), ("__rmatmul__", "matmul", True),
        ("__neg__", "negative", False), ("__abs__", "abs", False), ("__getitem__", "getitem", False),
        ("__lt__", "less", False), ("__le__", "less_equal", False), ("__gt__", "greater", False),
        ("__ge__", "greater_equal", False), ("__floordiv__", "floor_divide", False),
        ("__mod__", "mod", False)]:
    setattr(KerasTensor, _dunder, _op(_name, _reflect))
