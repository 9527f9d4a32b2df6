"""keras.Variable: a named, stateful Tensor (assign, assign_add, assign_sub) that layers train."""
import itertools

from . import backend as B
from .autograd import Tensor
from .autograd.tensor import as_array

_ids = itertools.count()


def _auto_name():
    """'variable', then 'variable_1', ... as Keras names unnamed variables."""
    n = next(_ids)
    return "variable" if n == 0 else f"variable_{n}"


class Variable(Tensor):
    """A weight: ``Variable(initializer, shape=None, dtype=None, trainable=True, name=None)`` (Keras's signature).

    ``initializer`` is a value (array, list, number) or, with ``shape``, an initializer name or callable.
    Arithmetic builds graph like any Tensor; trainable variables require grad.
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True, aggregation="none",
                 synchronization="auto", name=None, path=None, regularizer=None, constraint=None):
        if isinstance(initializer, str) or (callable(initializer) and not isinstance(initializer, Tensor)):
            from . import initializers
            value = initializers.get(initializer)(tuple(shape or ()), dtype=dtype or B.floatx())
        else:
            value = as_array(initializer)
            if value.dtype.kind == "f" or dtype is not None:
                value = value.astype(dtype or B.floatx())
        value = B.xp.array(value, copy=True)  # a variable owns its storage (assign writes in place)
        if shape is not None and tuple(value.shape) != tuple(shape):
            from .errors import ShapeError
            raise ShapeError(f"Variable: initial value has shape {tuple(value.shape)}, shape= says {tuple(shape)}")
        name = name or _auto_name()
        super().__init__(value, requires_grad=bool(trainable) and value.dtype.kind == "f", name=path or name)
        self.trainable = bool(trainable)
        self.regularizer, self.constraint = regularizer, constraint

    path = property(lambda self: self.name, doc="The variable's full name, 'layer/weight' (gradkit's .name).")
    value = property(lambda self: self, doc="The variable itself (Keras's .value; it is already a Tensor).")

    def assign(self, value):
        """Overwrite the value in place; returns the variable."""
        super().assign(value)
        return self

    def assign_add(self, delta):
        """value ← value + delta, in place."""
        return self.assign(self.data + as_array(delta, self.data.dtype))

    def assign_sub(self, delta):
        """value ← value − delta, in place."""
        return self.assign(self.data - as_array(delta, self.data.dtype))

    def __repr__(self):
        return f"<Variable path={self.name!r}, shape={tuple(self.shape)}, dtype={self.dtype}, value={self.numpy()!r}>"
