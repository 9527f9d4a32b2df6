"""Reshaping layers: ZeroPadding2D, Reshape, Permute and RepeatVector, with Keras 3's arguments."""
import math
import numbers

from ..autograd import conv as C
from ..autograd import public_ops as F
from ..errors import ConfigError, ShapeError
from .base import Layer
from .convolutional import check_data_format, check_input


def _pads(padding):
    """Keras's ZeroPadding2D padding: int, (rows, cols) or ((top, bottom), (left, right)) → nested tuple."""
    if isinstance(padding, int) and padding >= 0:
        return ((padding, padding), (padding, padding))
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        out = tuple((p, p) if isinstance(p, int) else tuple(p) for p in padding)
        if all(len(p) == 2 and all(isinstance(v, int) and v >= 0 for v in p) for p in out):
            return out
    raise ConfigError(f"ZeroPadding2D: padding must be an int, (rows, cols) or ((top, bottom), (left, right)) "
                      f"of non-negative ints, got {padding!r}")


class ZeroPadding2D(Layer):
    """Zero rows above/below and columns left/right of (batch, height, width, channels) images."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pads(padding)
        self.data_format = check_data_format(data_format, "ZeroPadding2D")

    def call(self, inputs, training=False):
        check_input(self, inputs.shape, 2, "height, width")
        return C.zero_pad(inputs, self.padding)

    def compute_output_shape(self, input_shape):
        check_input(self, input_shape, 2, "height, width")
        (t, b), (left, right) = self.padding
        h, w = input_shape[1:3]
        return (input_shape[0], None if h is None else h + t + b, None if w is None else w + left + right,
                input_shape[3])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Reshape(Layer):
    """Reshape each sample to target_shape (one entry may be -1); the batch axis is kept."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(d == -1 for d in self.target_shape) > 1 or not all(isinstance(d, int) and (d > 0 or d == -1)
                                                                 for d in self.target_shape):
            raise ConfigError(f"Reshape: target_shape must be positive ints with at most one -1, got {target_shape!r}")

    def call(self, inputs, training=False):
        self._resolve(inputs.shape)
        return F.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def _resolve(self, input_shape):
        """The target shape with -1 filled in (ShapeError when the sizes cannot match)."""
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return self.target_shape
        size, known = math.prod(rest), math.prod(d for d in self.target_shape if d != -1)
        if (-1 in self.target_shape and size % known) or (-1 not in self.target_shape and size != known):
            raise ShapeError(f"layer '{self.name}' cannot reshape samples of shape {tuple(rest)} ({size} values) to "
                             f"{self.target_shape}")
        return tuple(size // known if d == -1 else d for d in self.target_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch axes: dims is a permutation of 1..rank (Permute((2, 1)) swaps steps and features)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(dims, (tuple, list)) or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ConfigError(f"Permute: dims must be a permutation of 1..n (the non-batch axes), got {dims!r}")
        self.dims = tuple(int(d) for d in dims)

    def _check(self, shape):
        if len(shape) != len(self.dims) + 1:
            raise ShapeError(f"layer '{self.name}' with dims {self.dims} expects inputs of rank {len(self.dims) + 1}, "
                             f"got shape {tuple(shape)}")

    def call(self, inputs):
        self._check(inputs.shape)
        return F.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """(batch, features) → (batch, n, features): the input repeated n times."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n <= 0:
            raise ConfigError(f"RepeatVector: n must be a positive integer, got {n!r}")
        self.n = int(n)

    def _check(self, shape):
        if len(shape) != 2:
            raise ShapeError(f"layer '{self.name}' expects inputs of rank 2 (batch, features), got shape "
                             f"{tuple(shape)}")

    def call(self, inputs):
        self._check(inputs.shape)
        return F.repeat(F.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}
