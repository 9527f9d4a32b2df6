"""Ops that move elements without arithmetic: reshape, transpose, indexing, joining, where."""
from .. import backend as B
from ..errors import ShapeError
from .tensor import Function, Tensor, unbroadcast


class Reshape(Function):
    """z = a viewed with a new shape."""
    def __init__(self, shape):
        self.shape = shape

    def forward(self, a):
        try:
            return a.reshape(self.shape)
        except ValueError:
            raise ShapeError(f"reshape: an array of shape {a.shape} ({a.size} elements) cannot take the shape "
                             f"{self.shape}") from None

    def backward(self, gz):
        return gz.reshape(self.saved_inputs[0].shape)


class Transpose(Function):
    """z = a with axes permuted (reversed when axes is None)."""
    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, a):
        return a.transpose(self.axes)

    def backward(self, gz):
        if self.axes is None:
            return gz.transpose()
        return gz.transpose(B.xp.argsort(B.xp.asarray(self.axes)).tolist())


class ExpandDims(Function):
    """z = a with a new axis of length 1."""
    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        if type(self.axis) is not int:
            return B.xp.expand_dims(a, self.axis)
        axis = self.axis if self.axis >= 0 else a.ndim + 1 + self.axis
        if not 0 <= axis <= a.ndim:
            return B.xp.expand_dims(a, self.axis)  # numpy's own out-of-range error
        return a.reshape(a.shape[:axis] + (1,) + a.shape[axis:])  # a view, without expand_dims' checks

    def backward(self, gz):
        return gz.reshape(self.saved_inputs[0].shape)


class Squeeze(Function):
    """z = a without its length-1 axes (or only the given ones)."""
    def __init__(self, axis=None):
        self.axis = axis

    def forward(self, a):
        return B.xp.squeeze(a, axis=self.axis)

    def backward(self, gz):
        return gz.reshape(self.saved_inputs[0].shape)


def _raw_key(key):
    """An index key with any Tensor inside replaced by its array."""
    if isinstance(key, tuple):
        return tuple(k.data if isinstance(k, Tensor) else k for k in key)
    return key.data if isinstance(key, Tensor) else key


class GetItem(Function):
    """z = a[key]: slices, integer arrays (gathers, embeddings) and masks; repeats sum their gradients."""
    def __init__(self, key):
        self.key = _raw_key(key)
        parts = self.key if isinstance(self.key, tuple) else (self.key,)
        self.basic = all(isinstance(k, (slice, int)) for k in parts)  # no repeats: plain assignment suffices

    def forward(self, a):
        return a[self.key]

    def backward(self, gz):
        a = self.saved_inputs[0]
        ga = B.xp.zeros_like(a)
        if self.basic:  # ufunc.at is far slower than assignment (RNN outputs are sliced from one packed array)
            ga[self.key] = gz
        else:
            B.xp.add.at(ga, self.key, gz)
        return ga


class Concatenate(Function):
    """z = the inputs joined along an existing axis."""
    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        return B.xp.concatenate(xs, axis=self.axis)

    def backward(self, gz):
        bounds, total = [], 0
        for x in self.saved_inputs[:-1]:
            total += x.shape[self.axis]
            bounds.append(total)
        return tuple(B.xp.split(gz, bounds, axis=self.axis))


class Stack(Function):
    """z = the inputs joined along a new axis."""
    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        return B.xp.stack(xs, axis=self.axis)

    def backward(self, gz):
        return tuple(B.xp.moveaxis(gz, self.axis, 0))


class Where(Function):
    """z = a where cond else b (cond is a constant boolean array)."""
    def __init__(self, cond):
        self.cond = cond.data if isinstance(cond, Tensor) else B.xp.asarray(cond)

    def forward(self, a, b):
        return B.xp.where(self.cond, a, b)

    def backward(self, gz):
        a, b = self.saved_inputs
        zero = B.xp.zeros((), dtype=gz.dtype)
        return (unbroadcast(B.xp.where(self.cond, gz, zero), a.shape),
                unbroadcast(B.xp.where(self.cond, zero, gz), b.shape))
