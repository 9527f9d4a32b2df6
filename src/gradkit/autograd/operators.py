"""Tensor's Python operators and method forms, installed on Tensor in one step (the last module autograd loads).

``a + b`` is ``gradkit.ops.add(a, b)``, ``t.sum(axis=0)`` is ``gradkit.ops.sum(t, axis=0)``: tensor.py imports no
op, so the ops can be built on Tensor and the operators bound to them afterwards.
"""
from . import public_ops as F
from .tensor import Tensor, as_array

_METHODS = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sum", "mean", "max", "expand_dims", "squeeze",
            "clip", "softmax", "log_softmax")


def _method(name):
    """Tensor's method form of the op ``name`` of gradkit.ops: t.sum(axis=0) is F.sum(t, axis=0)."""
    def method(self, *args, **kwargs):
        return getattr(F, name)(self, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"``gradkit.ops.{name}`` of this tensor."
    return method


def _reshape(self, *shape):
    """This tensor with a new shape: t.reshape(2, 3) or t.reshape((2, 3))."""
    return F.reshape(self, shape[0] if len(shape) == 1 else shape)


def _transpose(self, *axes):
    """This tensor with axes permuted (reversed when none are given)."""
    return F.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)


_OPERATORS = {
    "__add__": lambda a, b: F.add(a, b),
    "__radd__": lambda a, b: F.add(b, a),
    "__sub__": lambda a, b: F.sub(a, b),
    "__rsub__": lambda a, b: F.sub(b, a),
    "__mul__": lambda a, b: F.mul(a, b),
    "__rmul__": lambda a, b: F.mul(b, a),
    "__truediv__": lambda a, b: F.div(a, b),
    "__rtruediv__": lambda a, b: F.div(b, a),
    "__neg__": lambda a: F.neg(a),
    "__pos__": lambda a: a,
    "__pow__": lambda a, c: F.power(a, c),
    "__rpow__": lambda a, b: F.power(F.as_operand(b, a), a),
    "__matmul__": lambda a, b: F.matmul(a, b),
    "__rmatmul__": lambda a, b: F.matmul(b, a),
    "__getitem__": lambda a, key: F.getitem(a, key),
    "__abs__": lambda a: F.abs(a),
    "__lt__": lambda a, b: Tensor(a.data < as_array(b)),  # comparisons are constants
    "__le__": lambda a, b: Tensor(a.data <= as_array(b)),
    "__gt__": lambda a, b: Tensor(a.data > as_array(b)),
    "__ge__": lambda a, b: Tensor(a.data >= as_array(b)),
    "reshape": _reshape,
    "transpose": _transpose,
    "T": property(lambda a: F.transpose(a), doc="The transpose (axes reversed)."),
    **{name: _method(name) for name in _METHODS},
}


def install(cls=Tensor):
    """Bind the operators and method forms onto ``cls`` (done once, when gradkit.autograd loads)."""
    for name, fn in _OPERATORS.items():
        setattr(cls, name, fn)


install()
