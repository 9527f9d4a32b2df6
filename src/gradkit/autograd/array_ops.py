"""More primitives for the NumPy-like ``gradkit.ops`` namespace: each a Function, forward and backward together."""
import math

from .. import backend as B
from .tensor import Function


class Sin(Function):
    """z = sin a; dz/da = cos a."""
    def forward(self, a):
        return B.xp.sin(a)

    def backward(self, gz):
        return gz * B.xp.cos(self.saved_inputs[0])


class Cos(Function):
    """z = cos a; dz/da = −sin a."""
    def forward(self, a):
        return B.xp.cos(a)

    def backward(self, gz):
        return -gz * B.xp.sin(self.saved_inputs[0])


class Log1p(Function):
    """z = log(1 + a), accurate near 0; dz/da = 1 / (1 + a)."""
    def forward(self, a):
        return B.xp.log1p(a)

    def backward(self, gz):
        return gz / (1 + self.saved_inputs[0])


class Expm1(Function):
    """z = eᵃ − 1, accurate near 0; dz/da = eᵃ."""
    def forward(self, a):
        return B.xp.expm1(a)

    def backward(self, gz):
        return gz * B.xp.exp(self.saved_inputs[0])


def _erf(a):
    """erf elementwise: SciPy's (CuPy's on the GPU) when installed, else Python's math.erf per element."""
    if B.backend() == "cupy":
        from cupyx.scipy.special import erf
        return erf(a)
    try:
        from scipy.special import erf  # a ufunc: keeps float32, and runs on array stand-ins too
    except ImportError:  # the core is NumPy-only; exact but per element
        return B.xp.vectorize(math.erf, otypes=[a.dtype])(a)
    return erf(a)


class Erf(Function):
    """z = erf a = (2/√π)∫₀ᵃ e^(−t²) dt; dz/da = (2/√π)·e^(−a²)."""
    def forward(self, a):
        return _erf(a)

    def backward(self, gz):
        a = self.saved_inputs[0]
        return gz * ((2 / math.sqrt(math.pi)) * B.xp.exp(-a * a)).astype(a.dtype, copy=False)


class CumSum(Function):
    """z = running sum along axis (flattened when None); the gradient is the reversed running sum."""
    def __init__(self, axis=None):
        self.axis = axis

    def forward(self, a):
        return B.xp.cumsum(a, axis=self.axis)

    def backward(self, gz):
        a = self.saved_inputs[0]
        ax = 0 if self.axis is None else self.axis
        g = B.xp.flip(B.xp.cumsum(B.xp.flip(gz, ax), axis=ax), ax)
        return g.reshape(a.shape)


class Prod(Function):
    """z = product over axis (all when None); dz/da_i = product of the others (exclusive cumprods, zero-safe)."""
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        return B.xp.prod(a, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gz):
        xp, a = B.xp, self.saved_inputs[0]
        ax = self.axis
        flat = a.reshape(-1) if ax is None else xp.moveaxis(a, ax, -1)
        ones = xp.ones(flat.shape[:-1] + (1,), dtype=a.dtype)
        left = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(flat, -1)[..., :-1]], axis=-1), axis=-1), -1)
        others = left * right
        if ax is None:
            return (gz.reshape(()) * others).reshape(a.shape)
        g = gz if self.keepdims else xp.expand_dims(gz, ax)
        return xp.moveaxis(others, -1, ax) * g


class Tile(Function):
    """z = a repeated reps times along each axis; the gradient sums the copies."""
    def __init__(self, reps):
        self.reps = (reps,) if isinstance(reps, int) else tuple(reps)

    def forward(self, a):
        return B.xp.tile(a, self.reps)

    def backward(self, gz):
        a = self.saved_inputs[0]
        n = max(a.ndim, len(self.reps))
        shape = (1,) * (n - a.ndim) + a.shape
        reps = (1,) * (n - len(self.reps)) + self.reps
        g = gz.reshape(tuple(d for r, s in zip(reps, shape) for d in (r, s)))
        return g.sum(axis=tuple(range(0, 2 * n, 2))).reshape(a.shape)


class Repeat(Function):
    """z = each element repeated ``repeats`` times along axis (flattened when None); the gradient sums them."""
    def __init__(self, repeats, axis=None):
        self.repeats, self.axis = int(repeats), axis

    def forward(self, a):
        return B.xp.repeat(a, self.repeats, axis=self.axis)

    def backward(self, gz):
        a, r = self.saved_inputs[0], self.repeats
        if self.axis is None:
            return gz.reshape(-1, r).sum(axis=1).reshape(a.shape)
        ax = self.axis % a.ndim
        return gz.reshape(a.shape[:ax] + (a.shape[ax], r) + a.shape[ax + 1:]).sum(axis=ax + 1)


class Pad(Function):
    """z = a padded with a constant; the gradient is the unpadded middle."""
    def __init__(self, pad_width, constant_values=0):
        self.pad_width, self.value = pad_width, constant_values

    def forward(self, a):
        self.width = [tuple(p) for p in B.xp.broadcast_to(B.xp.asarray(self.pad_width), (a.ndim, 2)).tolist()]
        return B.xp.pad(a, self.width, mode="constant", constant_values=self.value)

    def backward(self, gz):
        return gz[tuple(slice(lo, gz.shape[i] - hi) for i, (lo, hi) in enumerate(self.width))]
