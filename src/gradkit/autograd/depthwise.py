"""Depthwise convolution over channels-last batches (N, H, W, C), or (N, L, C) for 1-D, as Keras/TensorFlow.

Each input channel c is convolved with its own M filters, kernel (kh, kw, C, M); output channel c·M + m
(TensorFlow's depthwise_conv2d order). Windows, padding and geometry are conv.py's.
"""
from .. import backend as B
from .conv import _as_2d, _im2col, _windows, _Windowed
from .tensor import as_tensor as _t


class DepthwiseConv(_Windowed):
    """y[.., c, m] = Σ_taps window_c(x) · W[tap, c, m]: per channel, one batched GEMM of its gathered windows
    (rows, kh·kw) with its (kh·kw, M) filters. dW = colsᵀ @ dy per channel; dx = dy @ Wᵀ scattered back by tap."""

    def forward(self, x, w):
        xpad, w4, (ho, wo) = self._padded(x, w)
        n, c = xpad.shape[0], xpad.shape[3]
        kh, kw, _, m = w4.shape
        cols = _im2col(xpad, (kh, kw), (ho, wo), self.strides, self.dilation,
                       B.xp.empty((n, ho, wo, kh, kw, c), dtype=x.dtype))
        self.cols = cols.reshape(-1, kh * kw, c).transpose(2, 0, 1)  # (C, rows, taps)
        y = B.xp.matmul(self.cols, w4.reshape(kh * kw, c, m).transpose(1, 0, 2))  # (C, rows, M)
        y = y.transpose(1, 0, 2)
        return y.reshape((n, wo, c * m) if self.rank1 else (n, ho, wo, c * m))

    def backward(self, gy):
        x, w = self.saved_inputs
        w4 = w.reshape((1,) + w.shape) if w.ndim == 3 else w
        kh, kw, c, m = w4.shape
        g = gy.reshape(-1, c, m).transpose(1, 0, 2)  # (C, rows, M)
        wt = w4.reshape(kh * kw, c, m).transpose(1, 0, 2)  # (C, taps, M)
        gw = gx = None
        if self.inputs[1]._requires_grad:
            gw = B.xp.matmul(self.cols.transpose(0, 2, 1), g).transpose(1, 0, 2).reshape(w.shape)
        self.cols = None
        if self.inputs[0]._requires_grad:
            gx = self._grad_input(B.xp.matmul(g, wt.transpose(0, 2, 1)), x, (kh, kw), c)
        return gx, gw

    def _grad_input(self, dcols, x, kernel, c):
        """col2im: each tap's (C, rows) gradient added onto its window of the padded input, then cropped."""
        ho, wo = self.out_hw
        n = x.shape[0]
        dcols = dcols.transpose(1, 2, 0).reshape(n, ho, wo, kernel[0], kernel[1], c)
        gpad = B.xp.zeros(self.xpad_shape, dtype=dcols.dtype)
        for (i, j), idx in _windows(kernel, self.out_hw, self.strides, self.dilation):
            gpad[idx] += dcols[:, :, :, i, j, :]
        (pt, _), (pl, _) = self.pads
        h, wd = _as_2d(x).shape[1:3]
        return gpad[:, pt:pt + h, pl:pl + wd].reshape(x.shape)


def depthwise_conv(x, kernel, strides=(1, 1), padding="valid", dilation_rate=(1, 1)):
    """Depthwise convolution of x (N, H, W, C) with kernel (kh, kw, C, M), or of x (N, L, C) with kernel
    (k, C, M); output channels C·M; padding "valid" or "same"."""
    return DepthwiseConv(strides, padding, dilation_rate)(_t(x), _t(kernel))
