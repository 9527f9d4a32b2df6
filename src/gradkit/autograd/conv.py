"""Convolution, pooling and padding ops over channels-last batches (N, H, W, C), or (N, L, C) for 1-D.

A 1-D input is run as a 2-D one of height 1. Windows are taken as kh·kw strided slices of the padded
input (plain indexing, so NumPy, CuPy and any array module work), and a convolution is one GEMM over
the gathered windows (im2col). Padding amounts follow TensorFlow/Keras: "same" puts the odd extra
row/column at the bottom/right.
"""
import math

import numpy as np

from .. import backend as B
from ..errors import ShapeError
from ..tuning import CONV_KEEP_WINDOWS_MAX, CONV_WINDOW_CHUNK
from .nn import Embedding, sparse_module, sum_rows
from .tensor import Function, is_grad_enabled, reduce_sum
from .tensor import as_tensor as _t


# ---- shapes and padding (pure Python: layers use these for output shapes) ----------------------

def output_length(size, kernel, stride, padding, dilation=1):
    """Keras's output length of a conv/pool axis: "valid" ⌊(size − k_eff)/s⌋ + 1, "same" ⌈size/s⌉,
    "causal" like "same" with stride 1 (None stays None)."""
    if size is None:
        return None
    k_eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (size - k_eff) // stride + 1
    return -(-size // stride)


def pad_amounts(size, kernel, stride, padding, dilation=1):
    """(before, after) padding of one axis: TF's "same" split (odd extra at the end); "causal" all before."""
    k_eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return k_eff - 1, 0
    total = max((output_length(size, kernel, stride, "same") - 1) * stride + k_eff - size, 0)
    return total // 2, total - total // 2


def _as_2d(a):
    """A (N, L, C) array viewed as (N, 1, L, C); 4-D arrays pass through."""
    return a.reshape(a.shape[0], 1, a.shape[1], a.shape[2]) if a.ndim == 3 else a


def _pad(x, pads, value=0.0):
    """x (N, H, W, C) padded by ((top, bottom), (left, right)) with a constant."""
    (pt, pb), (pl, pr) = pads
    if not (pt or pb or pl or pr):
        return x
    n, h, w, c = x.shape
    out = B.xp.full((n, h + pt + pb, w + pl + pr, c), value, dtype=x.dtype)
    out[:, pt:pt + h, pl:pl + w] = x
    return out


def _windows(kernel, out_hw, strides, dilation):
    """((i, j), index) per kernel tap: ``xpad[index]`` is what tap (i, j) sees at every output position."""
    (kh, kw), (ho, wo), (sh, sw), (dh, dw) = kernel, out_hw, strides, dilation
    for i in range(kh):
        for j in range(kw):
            yield (i, j), (slice(None), slice(i * dh, i * dh + (ho - 1) * sh + 1, sh),
                           slice(j * dw, j * dw + (wo - 1) * sw + 1, sw))


def _im2col(xpad, kernel, out_hw, strides, dilation, cols):
    """Copy the windows of xpad into cols, a contiguous (N, ho, wo, kh, kw, C) array (row = one output position)."""
    (kh, kw), (ho, wo), (sh, sw), (dh, dw) = kernel, out_hw, strides, dilation
    n, c = xpad.shape[0], xpad.shape[3]
    if B.xp is np:  # one strided copy of a window view: 2.8 ms against 7.6 ms for kh·kw slice copies (conv2)
        s = xpad.strides
        view = np.lib.stride_tricks.as_strided(xpad, (n, ho, wo, kh, kw, c),
                                               (s[0], s[1] * sh, s[2] * sw, s[1] * dh, s[2] * dw, s[3]))
        np.copyto(cols, view)
        return cols
    for (i, j), idx in _windows(kernel, out_hw, strides, dilation):
        cols[:, :, :, i, j, :] = xpad[idx]
    return cols


class _Windowed(Function):
    """Shared set-up of convolutions and pools: strides, dilation and the padding mode of a 1-D or 2-D op."""

    def __init__(self, strides, padding, dilation=(1, 1)):
        self.strides, self.padding, self.dilation = tuple(strides), padding, tuple(dilation)
        if len(self.strides) == 1:  # 1-D runs as 2-D with height 1
            self.strides = (1,) + self.strides
        if len(self.dilation) == 1:
            self.dilation = (1,) + self.dilation

    def _geometry(self, h, w, kh, kw):
        """Output (ho, wo) and pads ((top, bottom), (left, right)) for an (h, w) input and a (kh, kw) window."""
        (sh, sw), (dh, dw) = self.strides, self.dilation
        pads = (pad_amounts(h, kh, sh, self.padding, dh), pad_amounts(w, kw, sw, self.padding, dw))
        ho, wo = output_length(h, kh, sh, self.padding, dh), output_length(w, kw, sw, self.padding, dw)
        if self.padding == "causal":
            ho = h
        if ho < 1 or wo < 1:
            raise ShapeError(f"{type(self).__name__.lower()}: a window of {kh}x{kw} (dilation {self.dilation}) "
                             f"is larger than the input's {h}x{w} with padding {self.padding!r}")
        return (ho, wo), pads

    def _padded(self, x, w):
        """(padded input as (N, H, W, C), kernel as (kh, kw, ...), (ho, wo)) for a convolution's forward; 1-D runs
        as 2-D with height 1. Records what backward needs: rank1, pads, xpad_shape, out_hw."""
        self.rank1 = x.ndim == 3
        x4, w4 = _as_2d(x), (w.reshape((1,) + w.shape) if w.ndim == 3 else w)
        (ho, wo), self.pads = self._geometry(x4.shape[1], x4.shape[2], w4.shape[0], w4.shape[1])
        xpad = _pad(x4, self.pads)
        self.xpad_shape, self.out_hw = xpad.shape, (ho, wo)
        return xpad, w4, (ho, wo)


# ---- convolution ---------------------------------------------------------------------------------

class Conv(_Windowed):
    """y = Σ_taps window(x) @ W + b: one GEMM of the gathered windows (M, kh·kw·C) with W (kh·kw·C, F);
    with relu=True, y = max(that, 0) in place (dy is then masked by y > 0 first).

    dW = colsᵀ @ dy; dx = Σ_taps (dy @ W_tapᵀ) added onto each tap's window of the padded input; db = Σ dy.
    The batch is cut into B.batch_parts, run side by side (dW summed over the parts in order).
    """

    keep_cols = True  # conv() turns it off when no kernel gradient will be asked for
    KEEP_COLS_MAX = CONV_KEEP_WINDOWS_MAX  # bytes: bigger windows are gathered again in backward

    def __init__(self, strides, padding, dilation=(1, 1), relu=False, bias=True, lookup=False):
        super().__init__(strides, padding, dilation)
        self.relu, self.has_bias, self.lookup = relu, bias, lookup

    def forward(self, x, w, *rest):
        b = rest[0] if self.has_bias else None
        xpad, w4, (ho, wo) = self._padded(x, w)
        n, c = xpad.shape[0], xpad.shape[3]
        kh, kw, _, f = w4.shape
        r, k, xp = ho * wo, kh * kw * c, B.xp
        self.shifted = _use_shifted(self.strides, xpad.shape, (ho, wo), c, f)
        self.vocab = self._vocab(rest[self.has_bias:], xpad) if self.shifted else None
        if self.shifted:
            y = self._shifted_forward(xpad, w4, b, n, (ho, wo), f)
            return y.reshape((n, wo, f) if self.rank1 else (n, ho, wo, f))
        keep = self.keep_cols and n * r * k * x.dtype.itemsize <= self.KEEP_COLS_MAX
        cols = xp.empty((n * r, k), dtype=x.dtype) if keep else None
        y = xp.empty((n * r, f), dtype=xp.result_type(x.dtype, w.dtype))
        w2 = w4.reshape(k, f)

        def part(a0, e0):  # windows not kept are gathered a few samples at a time into one small buffer
            step = e0 - a0 if cols is not None else self._chunk(r * k * x.dtype.itemsize)
            buf = None if cols is not None else xp.empty((min(step, e0 - a0) * r, k), dtype=x.dtype)
            for a in range(a0, e0, step):
                e = min(a + step, e0)
                c_ = cols[a * r:e * r] if cols is not None else buf[:(e - a) * r]
                _im2col(xpad[a:e], (kh, kw), (ho, wo), self.strides, self.dilation, c_.reshape(e - a, ho, wo, kh, kw, c))
                y_ = xp.dot(c_, w2, out=y[a * r:e * r])
                if b is not None:
                    y_ += b
                if self.relu:  # fused: no pre-activation array is kept, and one pass less over the output
                    xp.maximum(y_, 0, out=y_)

        B.run_parts(part, B.batch_parts(n))
        self.cols, self.y = cols, (y if self.relu else None)
        self.xpad = xpad if self.keep_cols and cols is None else None  # for gathering the windows again
        return y.reshape((n, wo, f) if self.rank1 else (n, ho, wo, f))

    def backward(self, gy):
        x, w = self.saved_inputs[0], self.saved_inputs[1]
        xp, f, r = B.xp, w.shape[-1], self.out_hw[0] * self.out_hw[1]
        gin = gy.reshape(-1, f)
        want_x, want_w = self.inputs[0]._requires_grad, self.inputs[1]._requires_grad
        want_b = self.has_bias and self.inputs[2]._requires_grad
        # without dx, windows gathered again are matched with the relu-masked gradient chunk by chunk: no masked
        # copy of the whole gradient (the 180×180 convnet's first layer: 130 MB)
        if self.shifted:
            return self._grads(*self._shifted_backward(gin, xp.empty_like(gin) if self.relu else gin, w, x, want_w,
                                                       want_b))
        late = self.relu and not want_x and self.cols is None and want_w
        g2 = xp.empty_like(gin) if self.relu and not late else gin

        def part(a, e):  # each part: its rows of the relu mask, and its sums for dW and db
            rows = slice(a * r, e * r)
            if self.relu and not late:
                xp.multiply(gin[rows], self.y[rows] > 0, out=g2[rows])
            if want_w:
                return self._grad_kernel(w, g2, a, e, want_b, mask=late)
            return None, (reduce_sum(g2[rows], 0) if want_b else None)

        parts = B.batch_parts(len(gin) // r)
        sums = B.run_parts(part, parts)
        gw, gb = (None if s[0] is None else sum(s[1:], s[0]) for s in zip(*sums))
        gw = None if gw is None else gw.reshape(w.shape)
        self.cols = self.xpad = None  # freed before dx's buffers are made (peak memory)
        gx = self._grad_input(g2, w, x, parts) if want_x else None
        return self._grads(gx, gw, gb)

    def _grads(self, gx, gw, gb, gtable=None):
        """The gradients in the inputs' order: x, kernel, bias if any, a lookup's table and ids (see _vocab)."""
        return (gx, gw) + ((gb,) if self.has_bias else ()) + ((gtable, None) if self.lookup else ())

    @staticmethod
    def _chunk(sample_bytes, most=CONV_WINDOW_CHUNK):
        """How many samples' windows to gather at once when they are not kept (buffers of about `most` bytes)."""
        return max(1, most // max(1, sample_bytes))

    def _grad_kernel(self, w, g2, a, e, want_b, mask=False):
        """(dW, db) over samples a..e: dW = Σ colsᵀ @ dy with the kept windows, or the windows gathered again a few
        samples at a time (summed in order); mask=True applies the relu mask to dy chunk by chunk as well."""
        xp, r = B.xp, self.out_hw[0] * self.out_hw[1]
        if self.cols is not None:
            rows = slice(a * r, e * r)
            return xp.dot(self.cols[rows].T, g2[rows]), (reduce_sum(g2[rows], 0) if want_b else None)
        kh, kw, c, _ = w.reshape((1,) + w.shape).shape if w.ndim == 3 else w.shape
        (ho, wo), xpad, k = self.out_hw, self.xpad, kh * kw * c
        step = self._chunk(r * k * xpad.dtype.itemsize)
        n_rows = min(step, e - a) * r
        buf, total, tb = xp.empty((n_rows, k), dtype=xpad.dtype), None, None
        gbuf = xp.empty((n_rows, g2.shape[1]), dtype=g2.dtype) if mask else None
        for s0 in range(a, e, step):
            s1 = min(s0 + step, e)
            rows, m = slice(s0 * r, s1 * r), (s1 - s0) * r
            cols, g = buf[:m], g2[rows]
            if mask:
                g = xp.multiply(g, self.y[rows] > 0, out=gbuf[:m])
            _im2col(xpad[s0:s1], (kh, kw), (ho, wo), self.strides, self.dilation,
                    cols.reshape(s1 - s0, ho, wo, kh, kw, c))
            part = xp.dot(cols.T, g)
            total = part if total is None else xp.add(total, part, out=total)
            if want_b:
                sb = reduce_sum(g, 0)
                tb = sb if tb is None else xp.add(tb, sb, out=tb)
        return total, tb

    def _grad_input(self, g2, w, x, parts):
        """col2im tap by tap: dy @ W_tapᵀ added onto the tap's window of the padded input's gradient."""
        w4 = w.reshape((1,) + w.shape) if w.ndim == 3 else w
        kh, kw, c, f = w4.shape
        (ho, wo), ((pt, _), (pl, _)) = self.out_hw, self.pads
        r, taps = ho * wo, w4.reshape(kh * kw, c, f)
        gpad = B.xp.zeros(self.xpad_shape, dtype=g2.dtype)
        windows = list(_windows((kh, kw), (ho, wo), self.strides, self.dilation))

        def part(a, e):
            # one small GEMM per tap into a contiguous block: 36 ms against 56 ms for dcols then strided adds (conv2)
            g, gp = g2[a * r:e * r], gpad[a:e]
            for t, (_, idx) in enumerate(windows):
                gp[idx] += B.xp.dot(g, taps[t].T).reshape(e - a, ho, wo, c)

        B.run_parts(part, parts)
        h, wd = _as_2d(x).shape[1:3]
        gx = gpad[:, pt:pt + h, pl:pl + wd]
        return gx.reshape(x.shape)


    # ---- stride 1 with few filters: shifted rows instead of im2col ------------------------------------------
    # On the padded input flattened to rows p = (sample, row, column), tap t = (i, j) reads row p + off_t with
    # off_t = i·dh·Wp + j·dw, so y[p] = Σ_t x[p + off_t] @ W_t on every p whose (row, column) is a real output
    # (the others are computed and dropped). One GEMM x @ [W_0 … W_T] makes all taps' products (rows × T·F: smaller
    # than im2col's rows × T·C when F < C, e.g. Conv1D(32, 7) on 128 channels: 57 MB against 226 MB), then T shifted
    # adds. Backward: g's shifted copies cols[p, t] = g[p − off_t] (rows × T·F; g is zero off the real outputs, so
    # nothing leaks across rows or samples) give dW = xᵀ @ cols and dx = cols @ [W_0ᵀ; …; W_Tᵀ], one GEMM each.
    #
    # Right after an Embedding (x = table[ids], no padding) with fewer table rows than x rows, the products are made
    # per table row instead of per position: x @ Wcat = (table @ Wcat)[ids]; with S[i, p] = 1 where ids[p] = i
    # (nn.sum_rows), xᵀ @ cols = tableᵀ @ (S @ cols), and the table's gradient S @ dx = (S @ cols) @ [W_tᵀ] goes to the
    # table directly (x gets none, so the Embedding's scatter-add is skipped; another consumer of x still sends its
    # own). DLwP's Conv1D on IMDB: 10,000 table rows against 64,000 positions a batch; the same sums, grouped
    # differently.

    def _vocab(self, lookup, xpad):
        """(table, flat ids) when the products are made per vocabulary row (above), else None."""
        if not lookup or any(p for pad in self.pads for p in pad) or sparse_module() is None:
            return None
        table, ids = lookup
        if table.shape[0] >= xpad.shape[0] * xpad.shape[1] * xpad.shape[2] or ids.size * table.shape[1] != xpad.size:
            return None
        return table, ids.reshape(-1).astype(B.xp.intp, copy=False)

    def _offsets(self, xpad_shape, kernel):
        wp, (dh, dw) = xpad_shape[2], self.dilation
        return [i * dh * wp + j * dw for i in range(kernel[0]) for j in range(kernel[1])]

    def _shifted_forward(self, xpad, w4, b, n, out_hw, f):
        xp, (kh, kw, c, _) = B.xp, w4.shape
        (ho, wo), hp, wp = out_hw, xpad.shape[1], xpad.shape[2]
        offs = self._offsets(xpad.shape, (kh, kw))
        wcat = w4.reshape(kh * kw, c, f).transpose(1, 0, 2).reshape(c, kh * kw * f)
        y = xp.empty((n, ho, wo, f), dtype=xp.result_type(xpad.dtype, w4.dtype))
        per_row = None if self.vocab is None else B.dot(self.vocab[0], wcat)  # (table rows, T·F)

        def part(a, e):
            rows = (e - a) * hp * wp
            if per_row is None:
                z = xp.dot(xpad[a:e].reshape(rows, c), wcat)
            else:
                z = per_row.take(self.vocab[1][a * hp * wp:e * hp * wp], axis=0)
            acc = xp.zeros((rows, f), dtype=z.dtype)
            m = rows - offs[-1]
            for t, o in enumerate(offs):
                acc[:m] += z[o:o + m, t * f:(t + 1) * f]
            del z
            ya = y[a:e]
            ya[...] = acc.reshape(e - a, hp, wp, f)[:, :ho, :wo]
            if b is not None:
                ya += b
            if self.relu:
                xp.maximum(ya, 0, out=ya)

        B.run_parts(part, B.batch_parts(n))
        self.xpad, self.y = xpad, (y.reshape(-1, f) if self.relu else None)
        return y

    def _shifted_backward(self, gin, g2, w, x, want_w, want_b):
        xp, xpad, (ho, wo) = B.xp, self.xpad, self.out_hw
        w4 = w.reshape((1,) + w.shape) if w.ndim == 3 else w
        kh, kw, c, f = w4.shape
        hp, wp, r = xpad.shape[1], xpad.shape[2], ho * wo
        offs, want_x = self._offsets(xpad.shape, (kh, kw)), self.inputs[0]._requires_grad
        wstack = w4.reshape(kh * kw, c, f).transpose(0, 2, 1).reshape(kh * kw * f, c)
        vocab, want_table = self.vocab, self.vocab is not None and want_x  # x needs a gradient only for the table
        want_x = want_x and vocab is None
        gpad = xp.empty(xpad.shape, dtype=gin.dtype) if want_x else None

        def part(a, e):
            rows, sl = (e - a) * hp * wp, slice(a * r, e * r)
            if self.relu:
                xp.multiply(gin[sl], self.y[sl] > 0, out=g2[sl])
            top = offs[-1]  # gf's first `top` rows are zeros: the taps of dx read up to `top` rows back
            gf = xp.zeros((top + rows, f), dtype=g2.dtype)
            gf[top:].reshape(e - a, hp, wp, f)[:, :ho, :wo] = g2[sl].reshape(e - a, ho, wo, f)
            cols = xp.empty((rows, kh * kw * f), dtype=g2.dtype)  # cols[p, tap t] = g[p − off_t]
            for t, o in enumerate(offs):
                cols[:, t * f:(t + 1) * f] = gf[top - o:top - o + rows]
            del gf
            # (C, T·F): dW_t = Σ_p x[p]ᵀ g[p − off_t]; per vocabulary row, S @ cols (table rows, T·F) gives both
            # dW = tableᵀ @ (S @ cols) and the table's gradient S @ dx = (S @ cols) @ [W_tᵀ] (below)
            if vocab is not None and (want_w or want_table):
                gw = sum_rows(vocab[1][a * hp * wp:e * hp * wp], cols, len(vocab[0]), cols.dtype)
            else:
                gw = xp.dot(xpad[a:e].reshape(rows, c).T, cols) if want_w else None
            gb = reduce_sum(g2[sl], 0) if want_b else None
            if want_x:
                xp.dot(cols, wstack, out=gpad[a:e].reshape(rows, c))
            return gw, gb

        sums = B.run_parts(part, B.batch_parts(len(gin) // r))
        gw, gb = (None if s[0] is None else sum(s[1:], s[0]) for s in zip(*sums))
        gtable = None
        if vocab is not None and gw is not None:  # gw is S @ cols here; the table's gradient comes from it too
            per_row = gw
            gtable = B.dot(per_row, wstack).astype(vocab[0].dtype, copy=False) if want_table else None
            gw = B.dot_t(vocab[0], per_row) if want_w else None
        gw = None if gw is None else xp.ascontiguousarray(gw.reshape(c, kh * kw, f).transpose(1, 0, 2)).reshape(w.shape)
        self.xpad = self.vocab = None
        gx = None
        if want_x:
            (pt, _), (pl, _) = self.pads
            h, wd = _as_2d(x).shape[1:3]
            gx = gpad[:, pt:pt + h, pl:pl + wd].reshape(x.shape)
        return gx, gw, gb, gtable


def _use_shifted(strides, xpad_shape, out_hw, c, f):
    """Shifted rows (above) for stride 1 when their rows × F products take less memory than im2col's windows."""
    n, hp, wp = xpad_shape[:3]
    return tuple(strides) == (1, 1) and f * hp * wp < c * out_hw[0] * out_hw[1]


def conv(x, kernel, bias=None, strides=(1, 1), padding="valid", dilation_rate=(1, 1), relu=False):
    """Convolution (cross-correlation, as Keras) of x (N, H, W, C) with kernel (kh, kw, C, F), or of
    x (N, L, C) with kernel (k, C, F); padding "valid", "same" or "causal" (1-D); relu=True fuses max(·, 0)."""
    x, kernel = _t(x), _t(kernel)
    args = [x, kernel] + ([] if bias is None else [_t(bias)])
    lookup = type(x.creator) is Embedding  # x = table[ids]: the op also gets them (see Conv._vocab)
    fn = Conv(strides, padding, dilation_rate, relu, bias=bias is not None, lookup=lookup)
    fn.keep_cols = args[1].requires_grad and is_grad_enabled()  # the windows are kept only for dW
    return fn(*(args + (list(x.creator.inputs) if lookup else [])))


# ---- pooling -------------------------------------------------------------------------------------

class _Pool(_Windowed):
    """A pooling op over (ph, pw) windows; subclasses combine the taps."""

    def __init__(self, pool_size, strides, padding):
        super().__init__(strides, padding)
        self.pool = tuple(pool_size) if len(pool_size) == 2 else (1,) + tuple(pool_size)

    def _setup(self, x, fill):
        x4 = _as_2d(x)
        n, h, w, c = x4.shape
        self.out_hw, self.pads = self._geometry(h, w, *self.pool)
        xpad = _pad(x4, self.pads, fill)
        return xpad, _windows(self.pool, self.out_hw, self.strides, (1, 1))

    def _out_shape(self, x):
        ho, wo = self.out_hw
        return (x.shape[0], wo, x.shape[-1]) if x.ndim == 3 else (x.shape[0], ho, wo, x.shape[-1])

    def _unpad(self, gpad, x):
        x4 = _as_2d(x)
        (pt, _), (pl, _) = self.pads
        return gpad[:, pt:pt + x4.shape[1], pl:pl + x4.shape[2]].reshape(x.shape)


class MaxPool(_Pool):
    """y = max over each window (padding never wins); dx routes dy to the first maximum of each window
    in row-major order, as TensorFlow's MaxPoolGrad."""

    def forward(self, x):
        xpad, taps = self._setup(x, -math.inf)
        taps = [idx for _, idx in taps]
        out = B.xp.empty((xpad.shape[0],) + self.out_hw + (xpad.shape[3],), dtype=xpad.dtype)

        def part(a, e):
            o, xa = out[a:e], xpad[a:e]
            B.xp.copyto(o, xa[taps[0]])
            for idx in taps[1:]:
                B.xp.maximum(o, xa[idx], out=o)

        B.run_parts(part, B.batch_parts(len(out)))
        self.out, self.xpad = out, xpad
        return out.reshape(self._out_shape(x))

    def backward(self, gy):
        x, out, xpad = self.saved_inputs[0], self.out, self.xpad
        gy = gy.reshape(out.shape)
        (ph, pw), (sh, sw) = self.pool, self.strides
        tiled = ph == sh and pw == sw  # windows side by side: each entry is in at most one
        gpad = (B.xp.empty if tiled else B.xp.zeros)(xpad.shape, dtype=gy.dtype)
        if tiled:  # the rows and columns past the last window (floor pooling) get no gradient
            gpad[:, out.shape[1] * sh:] = 0
            gpad[:, :, out.shape[2] * sw:] = 0
        taps = [idx for _, idx in _windows(self.pool, self.out_hw, self.strides, (1, 1))]

        def part(a, e):
            taken, o, g, xa, ga = None, out[a:e], gy[a:e], xpad[a:e], gpad[a:e]
            for k, idx in enumerate(taps):
                hit = xa[idx] == o
                if taken is not None:
                    B.xp.greater(hit, taken, out=hit)  # hit and not yet taken: the first maximum wins a tie
                if k < len(taps) - 1:
                    taken = hit.copy() if taken is None else B.xp.logical_or(taken, hit, out=taken)
                if tiled:  # windows tile the input: each entry is written once, straight into its slice
                    B.xp.multiply(g, hit, out=ga[idx])
                else:
                    ga[idx] += g * hit

        B.run_parts(part, B.batch_parts(len(out)))
        return self._unpad(gpad, x)


class AvgPool(_Pool):
    """y = mean over each window of the real (unpadded) entries, as TensorFlow's avg_pool; dx = dy / count."""

    def forward(self, x):
        xpad, taps = self._setup(x, 0.0)
        out = None
        for _, idx in taps:
            out = xpad[idx].copy() if out is None else B.xp.add(out, xpad[idx], out=out)
        self.count = self._count(xpad.dtype)
        out /= self.count
        return out.reshape(self._out_shape(x))

    def _count(self, dtype):
        """How many real entries each window holds: a scalar without padding, else (1, ho, wo, 1)."""
        (pt, pb), (pl, pr) = self.pads
        if not (pt or pb or pl or pr):
            return float(self.pool[0] * self.pool[1])
        ho, wo = self.out_hw
        h = (ho - 1) * self.strides[0] + self.pool[0] - pt - pb
        w = (wo - 1) * self.strides[1] + self.pool[1] - pl - pr
        ones = _pad(B.xp.ones((1, h, w, 1), dtype=dtype), self.pads)
        count = B.xp.zeros((1, ho, wo, 1), dtype=dtype)
        for _, idx in _windows(self.pool, self.out_hw, self.strides, (1, 1)):
            count += ones[idx]
        return count

    def backward(self, gy):
        x = self.saved_inputs[0]
        x4 = _as_2d(x)
        (pt, pb), (pl, pr) = self.pads
        gy = gy.reshape((x4.shape[0],) + self.out_hw + (x4.shape[-1],)) / self.count
        gpad = B.xp.zeros((x4.shape[0], x4.shape[1] + pt + pb, x4.shape[2] + pl + pr, x4.shape[3]), dtype=gy.dtype)
        for _, idx in _windows(self.pool, self.out_hw, self.strides, (1, 1)):
            gpad[idx] += gy
        return self._unpad(gpad, x)


def max_pool(x, pool_size, strides=None, padding="valid"):
    """Max pooling of x (N, H, W, C) or (N, L, C); strides default to pool_size (Keras)."""
    return MaxPool(pool_size, strides or pool_size, padding)(_t(x))


def avg_pool(x, pool_size, strides=None, padding="valid"):
    """Average pooling of x (N, H, W, C) or (N, L, C), padding excluded from each mean (Keras/TF)."""
    return AvgPool(pool_size, strides or pool_size, padding)(_t(x))


# ---- padding -------------------------------------------------------------------------------------

class ZeroPad(Function):
    """y = x (N, H, W, C) with zero rows/columns around; dx = the inner slice of dy."""

    def __init__(self, pads):
        self.pads = tuple(tuple(p) for p in pads)

    def forward(self, x):
        return _pad(x, self.pads)

    def backward(self, gy):
        x = self.saved_inputs[0]
        (pt, _), (pl, _) = self.pads
        return gy[:, pt:pt + x.shape[1], pl:pl + x.shape[2]]


def zero_pad(x, pads):
    """x (N, H, W, C) padded with zeros by ((top, bottom), (left, right))."""
    return ZeroPad(pads)(_t(x))


