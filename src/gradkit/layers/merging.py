"""Layers that merge several inputs: Add and Concatenate."""
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
        self.axis = axis

    def call(self, inputs, training=False):
        _need_list(self, inputs)
        return F.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        _need_list(self, input_shape)
        ax = self.axis % len(input_shape[0])
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
    if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
        raise ShapeError(f"layer '{layer.name}' needs a list of at least 2 inputs")
