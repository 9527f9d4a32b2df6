"""Random image transforms for the augmentation layers: per-sample flips and affine warps of (N, H, W, C) batches.

Each op draws its random numbers in ``forward`` from ``backend.device_rng()`` (as Dropout does), so a replayed
training step draws afresh every batch and one seed repeats a run. The warp follows TensorFlow's
ImageProjectiveTransformV3, which Keras 3 calls: output pixel (x, y) reads input point
(a0·x + a1·y + a2, b0·x + b1·y + b2), mapped into the image by the fill mode, then interpolated.
"""
import math

from .. import backend as B
from .tensor import Function

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("bilinear", "nearest")


def _uniform(n, low, high, dtype):
    """n draws from U[low, high) on the array module, from the library's generator."""
    return B.device_rng().random((n,), dtype="float32").astype(dtype) * (high - low) + low


class RandomFlip(Function):
    """Flips each image with probability 1/2 (one draw per image, as Keras 3) along width and/or height."""

    def __init__(self, horizontal=True, vertical=True):
        self.axes = tuple(a for a, on in ((2, horizontal), (1, vertical)) if on)

    def _apply(self, a):
        flipped = a
        for axis in self.axes:
            flipped = B.xp.flip(flipped, axis=axis)
        return B.xp.where(self.flips, flipped, a)

    def forward(self, x):
        self.flips = (_uniform(x.shape[0], 0.0, 1.0, "float32") <= 0.5).reshape(-1, 1, 1, 1)
        return self._apply(x)

    def backward(self, gy):
        return self._apply(gy)  # a flip is its own inverse


def _map_coordinate(c, size, mode):
    """TensorFlow's fill-mode mapping of (float) input coordinates into [0, size − 1] (constant: unchanged)."""
    xp = B.xp
    if mode == "constant" or size <= 1:
        return c if mode == "constant" else xp.zeros_like(c)
    if mode == "nearest":
        return xp.clip(c, 0, size - 1)
    if mode == "reflect":  # (d c b a | a b c d | d c b a): period 2·size, mirrored about the pixel edges
        period = 2 * size
        c = xp.mod(c, period)  # in [0, 2·size)
        c = xp.where(c >= size, period - c - 1, c)
    else:  # wrap: (a b c d | a b c d | a b c d), in TF's arithmetic (whole periods of size, counted by size − 1)
        sz = size - 1
        c = xp.where(c < 0, c + size * (xp.floor(-c / sz) + 1), xp.where(c > sz, c - size * xp.floor(c / sz), c))
    return xp.clip(c, 0, size - 1)


class AffineWarp(Function):
    """y[n] = x[n] sampled at A_n·(x, y) + b_n; ``draw(n, h, w, dtype)`` gives the (n, 6) rows (a0 a1 a2 b0 b1 b2).

    Backward scatters each output's gradient back onto the input pixels it read, with the same weights.
    """

    def __init__(self, draw, fill_mode="reflect", interpolation="bilinear", fill_value=0.0):
        self.draw, self.fill_mode, self.interpolation, self.fill_value = draw, fill_mode, interpolation, fill_value

    def forward(self, x):
        return self.warp(x, self.draw(x.shape[0], x.shape[1], x.shape[2], x.dtype))

    def warp(self, x, transforms):
        """x warped by the given (n, 6) transforms (also usable without drawing, e.g. to check against Keras)."""
        xp = B.xp
        n, h, w, c = x.shape
        t = transforms.astype(x.dtype)[:, :, None, None]
        ys, xs = xp.meshgrid(xp.arange(h, dtype=x.dtype), xp.arange(w, dtype=x.dtype), indexing="ij")
        cx = _map_coordinate(t[:, 0] * xs + t[:, 1] * ys + t[:, 2], w, self.fill_mode)
        cy = _map_coordinate(t[:, 3] * xs + t[:, 4] * ys + t[:, 5], h, self.fill_mode)
        self.taps = list(self._taps(cy, cx, h, w))
        base = (xp.arange(n) * (h * w)).reshape(n, 1, 1)
        flat = x.reshape(n * h * w, c)
        out = xp.zeros((n, h, w, c), dtype=x.dtype)
        self.gather = []
        for iy, ix, weight in self.taps:
            inside = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
            idx = (base + xp.clip(iy, 0, h - 1) * w + xp.clip(ix, 0, w - 1)).reshape(-1)
            wk = (weight * inside)[..., None]
            out += wk * flat[idx].reshape(n, h, w, c)
            if self.fill_value:
                out += (weight * ~inside)[..., None] * self.fill_value
            self.gather.append((idx, wk))
        return out

    def _taps(self, cy, cx, h, w):
        """(row, column, weight) per neighbour read: 1 for nearest, 4 for bilinear (TF's formulas)."""
        xp = B.xp
        if self.interpolation == "nearest":  # std::round: halves away from zero
            yield (xp.sign(cy) * xp.floor(xp.abs(cy) + 0.5)).astype(xp.intp), \
                (xp.sign(cx) * xp.floor(xp.abs(cx) + 0.5)).astype(xp.intp), xp.ones_like(cy)
            return
        y0, x0 = xp.floor(cy), xp.floor(cx)
        fy, fx = cy - y0, cx - x0
        y0, x0 = y0.astype(xp.intp), x0.astype(xp.intp)
        yield y0, x0, (1 - fy) * (1 - fx)
        yield y0, x0 + 1, (1 - fy) * fx
        yield y0 + 1, x0, fy * (1 - fx)
        yield y0 + 1, x0 + 1, fy * fx

    def backward(self, gy):
        n, h, w, c = gy.shape
        gx = B.xp.zeros((n * h * w, c), dtype=gy.dtype)
        for idx, wk in self.gather:
            B.xp.add.at(gx, idx, (wk * gy).reshape(-1, c))
        return gx.reshape(gy.shape)


# ---- Keras 3's transforms (keras/src/layers/preprocessing/image_preprocessing/*.py) ---------------------

def rotation_draw(lower, upper):
    """Rotations by U[lower, upper)·360 degrees about the image centre ((w − 1)/2, (h − 1)/2), as RandomRotation."""
    def draw(n, h, w, dtype):
        xp = B.xp
        angle = _uniform(n, lower * 360.0, upper * 360.0, dtype) * (math.pi / 180.0)
        cos, sin = xp.cos(angle), xp.sin(angle)
        cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
        return xp.stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos], axis=1)
    return draw


def zoom_draw(height_range, width_range):
    """Zoom factors 1 + U[range) per axis (width_range None: the height's factor), as RandomZoom."""
    def draw(n, h, w, dtype):
        xp = B.xp
        zy = _uniform(n, 1.0 + height_range[0], 1.0 + height_range[1], dtype)
        zx = zy if width_range is None else _uniform(n, 1.0 + width_range[0], 1.0 + width_range[1], dtype)
        zero = xp.zeros_like(zx)
        return xp.stack([zx, zero, (w - 1) / 2.0 * (1 - zx), zero, zy, (h - 1) / 2.0 * (1 - zy)], axis=1)
    return draw


def translation_draw(height_range, width_range):
    """Shifts by U[range)·size pixels per axis, as RandomTranslation."""
    def draw(n, h, w, dtype):
        xp = B.xp
        dy = _uniform(n, height_range[0], height_range[1], dtype) * h
        dx = _uniform(n, width_range[0], width_range[1], dtype) * w
        one, zero = xp.ones_like(dx), xp.zeros_like(dx)
        return xp.stack([one, zero, -dx, zero, one, -dy], axis=1)
    return draw
