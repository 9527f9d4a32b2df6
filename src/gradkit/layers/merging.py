"""Layers that merge several inputs: Add and Concatenate."""
from ..arguments import number
from ..autograd import functions as F
from ..errors import ShapeError
from .base import Layer


class Add(Layer):
    """Elementwise sum of a list of inputs of the same shape."""

    def call(self, inputs, training=False):
        _need_list(self, inputs)
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out

    def compute_output_shape(self, input_shape):
        _need_list(self, input_shape)
        if any(tuple(s[1:]) != tuple(input_shape[0][1:]) for s in input_shape):
            raise ShapeError(f"layer '{self.name}' adds inputs of equal shapes, got {', '.join(map(str, input_shape))}")
        return tuple(input_shape[0])


class Concatenate(Layer):
    """Join a list of inputs along ``axis`` (the last by default)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = number(axis, "axis", "Concatenate", "(-inf, inf)", integer=True)

    def call(self, inputs, training=False):
        _need_list(self, inputs)
        return F.concatenate(list(inputs), axis=self.axis)

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


def _need_list(layer, inputs):
    """ShapeError unless inputs is a list of 2 or more tensors or shapes (one shape is a tuple of ints)."""
    one = not isinstance(inputs, (list, tuple)) or not inputs or isinstance(inputs[0], int) or inputs[0] is None
    if one or len(inputs) < 2:
        got = f"a list of {len(inputs)}" if not one else f"one input of shape {tuple(getattr(inputs, 'shape', inputs))}"
        raise ShapeError(f"layer '{layer.name}' needs a list of at least 2 inputs, got {got}")
