"""Layers that merge several inputs: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, and
their functional forms (``layers.add([a, b])``, ``layers.concatenate([a, b])``, ...)."""
from ..arguments import number
from ..autograd import public_ops as F
from ..autograd import nn
from ..errors import ShapeError
from .base import Layer


class _Merge(Layer):
    """Elementwise merge of a list of inputs of the same shape (subclasses give ``_merge(a, b)``)."""

    def call(self, inputs, training=False):
        _need_list(self, inputs)
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return self._finish(out, len(inputs))

    def _finish(self, out, n):
        return out

    def compute_mask(self, inputs, mask=None):
        """Keras's merge mask: the elementwise OR of the inputs' masks when every input has one, else None."""
        if not isinstance(mask, (list, tuple)) or any(m is None for m in mask):
            return None
        return _bool(F.max(F.stack([_float(m) for m in mask]), axis=0))

    def compute_output_shape(self, input_shape):
        _need_list(self, input_shape)
        if any(tuple(s[1:]) != tuple(input_shape[0][1:]) for s in input_shape):
            raise ShapeError(f"layer '{self.name}' merges inputs of equal shapes, got "
                             f"{', '.join(map(str, input_shape))}")
        return tuple(input_shape[0])


class Add(_Merge):
    """Elementwise sum of a list of inputs of the same shape."""
    _merge = staticmethod(F.add)


class Multiply(_Merge):
    """Elementwise product of a list of inputs."""
    _merge = staticmethod(F.mul)


class Maximum(_Merge):
    """Elementwise max of a list of inputs."""
    _merge = staticmethod(F.maximum)


class Minimum(_Merge):
    """Elementwise min of a list of inputs."""
    _merge = staticmethod(F.minimum)


class Average(_Merge):
    """Elementwise mean of a list of inputs."""
    _merge = staticmethod(F.add)

    def _finish(self, out, n):
        return F.mul(out, 1.0 / n)


class Subtract(_Merge):
    """inputs[0] − inputs[1] (exactly two inputs)."""
    _merge = staticmethod(F.sub)

    def call(self, inputs, training=False):
        _need_list(self, inputs)
        if len(inputs) != 2:
            raise ShapeError(f"layer '{self.name}' subtracts exactly 2 inputs, got {len(inputs)}")
        return F.sub(inputs[0], inputs[1])


class Concatenate(Layer):
    """Join a list of inputs along ``axis`` (the last by default)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = number(axis, "axis", "Concatenate", "(-inf, inf)", integer=True)

    def call(self, inputs, training=False):
        _need_list(self, inputs)
        return F.concatenate(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Keras's: each input's mask (all True where it has none) spread over its features, joined along axis,
        then true where any feature is."""
        if not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        spread = [F.ones_like(x, dtype="float32") if m is None else
                  F.mul(F.expand_dims(_float(m), -1), F.ones_like(x, dtype="float32")) if m.ndim < x.ndim else _float(m)
                  for x, m in zip(inputs, mask)]
        return _bool(F.max(F.concatenate(spread, axis=self.axis), axis=-1))

    def compute_output_shape(self, input_shape):
        _need_list(self, input_shape)
        rank = len(input_shape[0])
        if not -rank <= self.axis < rank:
            raise ShapeError(f"layer '{self.name}': axis {self.axis} is out of range for inputs of rank {rank} "
                             f"(shapes {', '.join(map(str, input_shape))}); expected an axis in [{-rank}, {rank})")
        ax = self.axis % rank
        dims = [s[ax] for s in input_shape]
        out = list(input_shape[0])
        out[ax] = None if any(d is None for d in dims) else sum(dims)
        for s in input_shape:
            if len(s) != len(out) or any(a != b for i, (a, b) in enumerate(zip(s, input_shape[0])) if i not in (0, ax)):
                raise ShapeError(f"layer '{self.name}' cannot concatenate shapes "
                                 f"{', '.join(map(str, input_shape))} along axis {self.axis}")
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _float(mask):
    return nn.cast(mask, "float32")  # masks are combined with recorded ops, so a traced step recomputes them


def _bool(x):
    return nn.cast(x, "bool")


def _need_list(layer, inputs):
    """ShapeError unless inputs is a list of 2 or more tensors or shapes (one shape is a tuple of ints)."""
    one = not isinstance(inputs, (list, tuple)) or not inputs or isinstance(inputs[0], int) or inputs[0] is None
    if one or len(inputs) < 2:
        got = f"a list of {len(inputs)}" if not one else f"one input of shape {tuple(getattr(inputs, 'shape', inputs))}"
        raise ShapeError(f"layer '{layer.name}' needs a list of at least 2 inputs, got {got}")


def _functional(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = f"``{cls.__name__}(**kwargs)(inputs)`` (Keras's functional form)."
    return merge


add, subtract, multiply, average, maximum, minimum = (_functional(c) for c in (Add, Subtract, Multiply, Average,
                                                                                Maximum, Minimum))


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis)(inputs)`` (Keras's functional form)."""
    return Concatenate(axis=axis, **kwargs)(inputs)
