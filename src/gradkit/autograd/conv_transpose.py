"""Transposed convolution over channels-last batches (N, H, W, C), or (N, L, C) for 1-D, as Keras/TensorFlow.

y is the gradient of a convolution with respect to its input: every input position scatters x @ W_tapᵀ onto
the output window it would have been gathered from. Kernel layout is Keras's (kh, kw, filters, in_channels).
The window helpers are conv.py's (the same strided slices, padding split and im2col).
"""
from .. import backend as B
from ..errors import ShapeError
from .conv import _as_2d, _im2col, _pad, _windows, pad_amounts
from .tensor import Function
from .tensor import as_tensor as _t


def transpose_output_length(size, kernel, stride, padding, output_padding=None, dilation=1):
    """Keras's output length of a transposed-conv axis (backend_utils._get_output_shape_given_tf_padding):
    "valid" (size−1)·s + k_eff + op (op defaults to max(k_eff, s) − k_eff); "same" size·s, or with op given
    (size−1)·s + k_eff % 2 + op. None stays None."""
    if size is None:
        return None
    k_eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        op = max(k_eff, stride) - k_eff if output_padding is None else output_padding
        return (size - 1) * stride + k_eff + op
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + k_eff % 2 + output_padding


def _axis_geometry(size, kernel, stride, padding, output_padding, dilation):
    """(output length, (before, after) padding of the output's frame) of one axis, as TF's conv backprop:
    the forward conv of the output (padded as TF pads it) must give back `size` windows."""
    k_eff = (kernel - 1) * dilation + 1
    out = transpose_output_length(size, kernel, stride, padding, output_padding, dilation)
    windows = (out - k_eff) // stride + 1 if padding == "valid" else -(-out // stride)
    if windows != size:
        raise ShapeError(f"conv_transpose: kernel {kernel} (dilation {dilation}), strides {stride}, padding "
                         f"{padding!r} and output_padding {output_padding} give an output of length {out}, whose "
                         f"convolution has {windows} positions, not the input's {size}; use another output_padding")
    return out, (pad_amounts(out, kernel, stride, padding, dilation) if padding == "same" else (0, 0))


class ConvTranspose(Function):
    """y = Σ_taps scatter(x @ W_tapᵀ): one GEMM x (M, C) @ W (C, kh·kw·F), each tap's block added onto its
    window of the padded output, then cropped. dx = im2col(pad(dy)) @ W (kh·kw·F, C); dW = im2col(pad(dy))ᵀ @ x."""

    def __init__(self, strides, padding, output_padding=None, dilation=(1, 1)):
        op = (None,) * len(strides) if output_padding is None else tuple(output_padding)
        self.strides, self.dilation, self.output_padding = ((fill,) * (2 - len(t)) + tuple(t) for fill, t in
                                                            ((1, strides), (1, dilation), (None, op)))
        self.padding = padding

    def _geometry(self, x4, w4):
        """((ho, wo), ((top, bottom), (left, right))); a 1-D op's height axis is 1 with no padding."""
        axes = [(1, (0, 0)) if a == 0 and self.rank1 else
                _axis_geometry(x4.shape[1 + a], w4.shape[a], self.strides[a], self.padding,
                               self.output_padding[a], self.dilation[a]) for a in (0, 1)]
        return (axes[0][0], axes[1][0]), (axes[0][1], axes[1][1])

    def forward(self, x, w):
        self.rank1 = x.ndim == 3
        x4, w4 = _as_2d(x), (w.reshape((1,) + w.shape) if w.ndim == 3 else w)
        n, h, wd, c = x4.shape
        kh, kw, f, _ = w4.shape
        self.out_hw, self.pads = self._geometry(x4, w4)
        (ho, wo), ((pt, pb), (pl, pr)) = self.out_hw, self.pads
        xp = B.xp
        taps = xp.dot(x4.reshape(-1, c), w4.transpose(3, 0, 1, 2).reshape(c, -1)).reshape(n, h, wd, kh, kw, f)
        ypad = xp.zeros((n, ho + pt + pb, wo + pl + pr, f), dtype=taps.dtype)
        for (i, j), idx in _windows((kh, kw), (h, wd), self.strides, self.dilation):
            ypad[idx] += taps[:, :, :, i, j, :]
        y = ypad[:, pt:pt + ho, pl:pl + wo]
        return y.reshape((n, wo, f) if self.rank1 else (n, ho, wo, f))

    def backward(self, gy):
        x, w = self.saved_inputs
        x4, w4 = _as_2d(x), (w.reshape((1,) + w.shape) if w.ndim == 3 else w)
        n, h, wd, c = x4.shape
        kh, kw, f, _ = w4.shape
        gpad = _pad(_as_2d(gy), self.pads)
        cols = B.xp.empty((n, h, wd, kh, kw, f), dtype=gy.dtype)
        cols = _im2col(gpad, (kh, kw), (h, wd), self.strides, self.dilation, cols).reshape(n * h * wd, -1)
        gx = B.xp.dot(cols, w4.reshape(-1, c)).reshape(x.shape) if self.inputs[0]._requires_grad else None
        gw = B.xp.dot(cols.T, x4.reshape(-1, c)).reshape(w.shape) if self.inputs[1]._requires_grad else None
        return gx, gw


def conv_transpose(x, kernel, strides=(1, 1), padding="valid", output_padding=None, dilation_rate=(1, 1)):
    """Transposed convolution of x (N, H, W, C) with kernel (kh, kw, F, C), or of x (N, L, C) with kernel
    (k, F, C); padding "valid" or "same"; output sizes by Keras's rule (transpose_output_length)."""
    return ConvTranspose(strides, padding, output_padding, dilation_rate)(_t(x), _t(kernel))
