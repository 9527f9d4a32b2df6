"""Recurrent ops: a SimpleRNN, LSTM or GRU layer over a whole sequence as ONE Function, BPTT in its backward.

The input projection x·W of every timestep is one GEMM before the loop (and dW, dU, dx are one GEMM each
after the backward loop), so the per-step work is one small GEMM and a few in-place ufuncs. Arrays are
time-major inside. Masking follows Keras's backend ``rnn``: at a masked step the states are carried over
unchanged and the output repeats the previous output (zeros before the first step, or zeros at every
masked step with ``zero_output_for_mask``). The op's output packs [outputs, final states] along the time
axis, shape (N, T or 1, units) + one row per state; the layer slices it (see ``unpack``).
"""
import numpy as np

from .. import backend as B
from ..errors import ConfigError
from .functions import getitem
from .tensor import Function, Tensor


def _sigmoid(z):
    """In-place 1 / (1 + e^−z) (overflow of e^−z gives the true limit 0)."""
    B.xp.negative(z, out=z)
    with np.errstate(over="ignore"):
        B.xp.exp(z, out=z)
    z += 1
    return B.xp.reciprocal(z, out=z)


def _relu(z):
    return B.xp.maximum(z, 0, out=z)


# name → (in-place activation, derivative written in terms of the activation's output y)
ACTIVATIONS = {
    "tanh": (lambda z: B.xp.tanh(z, out=z), lambda y: 1 - y * y),
    "sigmoid": (_sigmoid, lambda y: y * (1 - y)),
    "relu": (_relu, lambda y: (y > 0).astype(y.dtype)),
    "linear": (lambda z: z, lambda y: B.xp.ones_like(y)),
}


def activation_name(fn, what):
    """The ACTIVATIONS key for an activation given by name, None or gradkit function; ConfigError otherwise."""
    name = "linear" if fn is None else fn if isinstance(fn, str) else getattr(fn, "__name__", repr(fn))
    if name not in ACTIVATIONS:
        raise ConfigError(f"{what}: recurrent layers support the activations {', '.join(ACTIVATIONS)}, got {name!r}")
    return name


class Recurrence(Function):
    """Shared frame of the three recurrent ops: input parsing, the x·W GEMM, masking of outputs, packing.

    Inputs: x (N, T, d), kernel, recurrent_kernel, [bias], [initial states...], [mask (N, T) bool].
    Subclasses define ``n_states``, ``_prepare`` (weights to internal layout), ``_loop`` and ``_backloop``.
    """

    n_states = 1

    def __init__(self, activation="tanh", recurrent_activation="sigmoid", use_bias=True, has_state=False,
                 has_mask=False, go_backwards=False, return_sequences=False, zero_output_for_mask=False):
        self.act, self.dact = ACTIVATIONS[activation]
        self.ract, self.dract = ACTIVATIONS[recurrent_activation]
        self.use_bias, self.has_state, self.has_mask = use_bias, has_state, has_mask
        self.go_backwards, self.return_sequences = go_backwards, return_sequences
        self.zero_output_for_mask = zero_output_for_mask

    def _split(self, arrays):
        x, w, u, *rest = arrays
        b = rest.pop(0) if self.use_bias else None
        states = [rest.pop(0) for _ in range(self.n_states)] if self.has_state else None
        mask = rest.pop(0) if self.has_mask else None
        return x, w, u, b, states, mask

    def _time_major(self, a):
        """(N, T, ...) → (T, N, ...) in processing order (reversed for go_backwards), as a view."""
        a = a.swapaxes(0, 1)
        return a[::-1] if self.go_backwards else a

    def forward(self, *arrays):
        x, w, u, b, states, mask = self._split(arrays)
        n, t, d = x.shape
        units, xp = u.shape[0], B.xp
        w, u, b_in = self._prepare(w, u, b)
        xt = xp.ascontiguousarray(self._time_major(x)).reshape(t * n, d)
        xw = xp.dot(xt, w).reshape(t, n, w.shape[1])  # every timestep's input projection in one GEMM
        if b_in is not None:
            xw += b_in
        if states is None:
            states = [xp.zeros((n, units), dtype=x.dtype) for _ in range(self.n_states)]
        self.keep = None
        if mask is not None:
            keep = self._time_major(mask)[:, :, None]
            self.keep, self.skip = keep, ~keep
            self.weight = keep if self.zero_output_for_mask else xp.cumsum(keep, axis=0) > 0  # seen a valid step yet
        self.xt, self.w, self.u = xt, w, u
        hs = self._loop(xw, states, self.keep)  # (T+1, N, units) incl. the initial state; sets what backward needs
        ys = hs[1:] if mask is None else hs[1:] * self.weight
        steps = t if self.return_sequences else 1
        out = xp.empty((n, steps + self.n_states, units), dtype=x.dtype)
        out[:, :steps] = ys.swapaxes(0, 1) if self.return_sequences else ys[-1][:, None]
        for k, s in enumerate(self._final_states(hs)):
            out[:, steps + k] = s
        return out

    def backward(self, gout):
        x, w, u, b, states, mask = self._split(self.saved_inputs)
        steps = gout.shape[1] - self.n_states
        d_states = [gout[:, steps + k] for k in range(self.n_states)]
        gy = gout[:, :steps].swapaxes(0, 1)  # (steps, N, units), processing order
        if mask is not None:
            gy = gy * (self.weight if self.return_sequences else self.weight[-1:])
        if self.return_sequences:
            dys = gy
        else:
            dys = None
            d_states[0] = d_states[0] + gy[0]
        dz, d_init = self._backloop(dys, d_states, self.keep)  # dz: (T, N, gates) pre-activation gradients
        return self._weight_grads(dz, d_init, x, b)

    def _weight_grads(self, dz, d_init, x, b):
        """dx, dW, dU, db (and the initial states' gradients) from the per-step pre-activation gradients."""
        xp, inputs = B.xp, self.inputs
        t, n = dz.shape[:2]
        dx = dw = du = db = None
        dzx, dzh = self._gate_grads(dz)
        if inputs[0]._requires_grad:
            dx = xp.dot(dzx.reshape(t * n, -1), self.w.T).reshape(t, n, -1)
            dx = (dx[::-1] if self.go_backwards else dx).swapaxes(0, 1)
        if inputs[1]._requires_grad:
            dw = xp.dot(self.xt.T, dzx.reshape(t * n, -1))
        if inputs[2]._requires_grad:
            du = xp.dot(self.hs[:-1].reshape(t * n, -1).T, dzh.reshape(t * n, -1))
        if b is not None and inputs[3]._requires_grad:
            db = self._bias_grad(dzx, dzh)
        dw, du = self._restore(dw, du)
        grads = [dx, dw, du] + ([db] if b is not None else [])
        if self.has_state:
            grads += d_init
        if self.has_mask:
            grads.append(None)
        return tuple(grads)

    # ---- defaults for ops whose gates feed x·W and h·U alike (SimpleRNN, LSTM) ----------------------
    def _prepare(self, w, u, b):
        return w, u, b

    def _restore(self, dw, du):
        return dw, du

    def _gate_grads(self, dz):
        return dz, dz

    def _bias_grad(self, dzx, dzh):
        return dzx.sum(axis=(0, 1))

    def _final_states(self, hs):
        return [hs[-1]]


class SimpleRNNSeq(Recurrence):
    """h_t = act(x_t·W + h_{t−1}·U + b) over the sequence (Keras's SimpleRNN)."""

    def _loop(self, xw, states, keep):
        xp, u = B.xp, self.u
        t, n, units = xw.shape
        hs = xp.empty((t + 1, n, units), dtype=xw.dtype)
        hs[0] = states[0]
        for i in range(t):
            h = hs[i + 1]
            xp.dot(hs[i], u, out=h)
            h += xw[i]
            self.act(h)
            if keep is not None:
                xp.copyto(h, hs[i], where=self.skip[i])
        self.hs = hs
        return hs

    def _backloop(self, dys, d_states, keep):
        xp, ut = B.xp, self.u.T
        hs = self.hs
        t = hs.shape[0] - 1
        k = self.dact(hs[1:])  # the activation's derivative at every step, vectorised
        if keep is not None:
            k *= keep
            carried = self.skip.astype(k.dtype)  # d h_t / d h_{t-1} at masked steps
        dz = xp.empty_like(k)
        dh = d_states[0]
        for i in range(t - 1, -1, -1):
            if dys is not None:
                dh = dh + dys[i]
            xp.multiply(dh, k[i], out=dz[i])
            dh_prev = xp.dot(dz[i], ut)
            if keep is not None:
                dh_prev += dh * carried[i]
            dh = dh_prev
        return dz, [dh]


class LSTMSeq(Recurrence):
    """Keras's LSTM: gates i, f, c, o (kernel columns in that order); c_t = f·c_{t−1} + i·act(z_c); h_t = o·act(c_t).

    Inside, the gate columns are permuted to i, f, o, c so one call activates the three sigmoid gates.
    """

    n_states = 2

    @staticmethod
    def _perm(a):
        """Swap the 3rd and 4th quarter of the last axis (Keras i,f,c,o ↔ internal i,f,o,c; its own inverse)."""
        q = a.shape[-1] // 4
        return B.xp.concatenate([a[..., :2 * q], a[..., 3 * q:], a[..., 2 * q:3 * q]], axis=-1)

    def _prepare(self, w, u, b):
        return self._perm(w), self._perm(u), None if b is None else self._perm(b)

    def _restore(self, dw, du):
        return (None if dw is None else self._perm(dw)), (None if du is None else self._perm(du))

    def _bias_grad(self, dzx, dzh):
        return self._perm(dzx.sum(axis=(0, 1)))

    def _final_states(self, hs):
        return [hs[-1], self.cs[-1]]

    def _loop(self, xw, states, keep):
        xp, u = B.xp, self.u
        t, n, g4 = xw.shape
        q = g4 // 4
        hs = xp.empty((t + 1, n, q), dtype=xw.dtype)
        cs = xp.empty_like(hs)
        tc = xp.empty((t, n, q), dtype=xw.dtype)
        hs[0], cs[0] = states
        hu = xp.empty((n, g4), dtype=xw.dtype)
        for i in range(t):
            z = xw[i]  # overwritten by the activated gates i, f, o, g (backward needs them)
            xp.dot(hs[i], u, out=hu)
            z += hu
            self.ract(z[:, :3 * q])
            self.act(z[:, 3 * q:])
            c = cs[i + 1]
            xp.multiply(z[:, q:2 * q], cs[i], out=c)
            c += z[:, :q] * z[:, 3 * q:]
            xp.copyto(tc[i], c)
            self.act(tc[i])
            xp.multiply(z[:, 2 * q:3 * q], tc[i], out=hs[i + 1])
            if keep is not None:
                xp.copyto(hs[i + 1], hs[i], where=self.skip[i])
                xp.copyto(c, cs[i], where=self.skip[i])
        self.hs, self.cs, self.gates, self.tc = hs, cs, xw, tc
        return hs

    def _backloop(self, dys, d_states, keep):
        xp, ut = B.xp, self.u.T
        g, tc, cs = self.gates, self.tc, self.cs
        t, n, g4 = g.shape
        q = g4 // 4
        gi, gf, go, gc = (g[:, :, k * q:(k + 1) * q] for k in range(4))
        a = go * self.dact(tc)  # d c_t / d h_t through h = o·act(c)
        kk = xp.empty((t, n, 4, q), dtype=g.dtype)  # per gate: d z_gate / d(c-path gradient) (o: h-path)
        kk[:, :, 0] = gc * self.dract(gi)
        kk[:, :, 1] = cs[:-1] * self.dract(gf)
        kk[:, :, 2] = tc * self.dract(go)
        kk[:, :, 3] = gi * self.dact(gc)
        fm = gf
        if keep is not None:
            kk *= keep[:, :, None]
            fm = gf * keep
            carried = self.skip.astype(g.dtype)
        dz = xp.empty((t, n, 4, q), dtype=g.dtype)
        dh, dc = d_states
        for i in range(t - 1, -1, -1):
            if dys is not None:
                dh = dh + dys[i]
            s = dh * a[i]
            s += dc
            xp.multiply(s[:, None, :], kk[i], out=dz[i])
            xp.multiply(dh, kk[i, :, 2], out=dz[i, :, 2])
            dc_prev = s * fm[i]
            dh_prev = xp.dot(dz[i].reshape(n, g4), ut)
            if keep is not None:
                dc_prev += dc * carried[i]
                dh_prev += dh * carried[i]
            dh, dc = dh_prev, dc_prev
        return dz.reshape(t, n, g4), [dh, dc]


class GRUSeq(Recurrence):
    """Keras's GRU with reset_after=True: gates z, r, h; bias (2, 3u) = [input bias, recurrent bias].

    z = σ(x·W_z + h·U_z + b), r likewise, ĥ = act(x·W_h + b_xh + r·(h·U_h + b_hh)), h_t = z·h_{t−1} + (1−z)·ĥ.
    """

    def _prepare(self, w, u, b):
        self.b_rec = None if b is None else b[1]
        return w, u, None if b is None else b[0]

    def _loop(self, xw, states, keep):
        xp, u, b_rec = B.xp, self.u, self.b_rec
        t, n, g3 = xw.shape
        q = g3 // 3
        hs = xp.empty((t + 1, n, q), dtype=xw.dtype)
        ah = xp.empty((t, n, q), dtype=xw.dtype)  # h·U_h + b_hh per step (backward needs it)
        hs[0] = states[0]
        for i in range(t):
            a = xp.dot(hs[i], u)
            if b_rec is not None:
                a += b_rec
            zr = xw[i, :, :2 * q]
            zr += a[:, :2 * q]
            self.ract(zr)
            hh = xw[i, :, 2 * q:]
            xp.copyto(ah[i], a[:, 2 * q:])
            hh += zr[:, q:] * ah[i]
            self.act(hh)
            h = hs[i + 1]
            xp.subtract(hs[i], hh, out=h)
            h *= zr[:, :q]
            h += hh
            if keep is not None:
                xp.copyto(h, hs[i], where=self.skip[i])
        self.hs, self.gates, self.ah = hs, xw, ah
        return hs

    def _backloop(self, dys, d_states, keep):
        xp = B.xp
        g, hs = self.gates, self.hs
        t, n, g3 = g.shape
        q = g3 // 3
        gz, gr, gh = g[:, :, :q], g[:, :, q:2 * q], g[:, :, 2 * q:]
        kk = xp.empty((t, n, 4, q), dtype=g.dtype)  # d z_pre, d r_pre, d(h·U_h), d ĥ_pre per unit of dh
        kk[:, :, 3] = (1 - gz) * self.dact(gh)
        kk[:, :, 0] = (hs[:-1] - gh) * self.dract(gz)
        kk[:, :, 1] = kk[:, :, 3] * self.ah * self.dract(gr)
        kk[:, :, 2] = kk[:, :, 3] * gr
        direct = gz
        if keep is not None:
            kk *= keep[:, :, None]
            direct = gz * keep + self.skip
        u_ext = xp.concatenate([self.u, xp.zeros((q, q), dtype=g.dtype)], axis=1).T  # ĥ_pre gets no U
        dz = xp.empty((t, n, 4, q), dtype=g.dtype)
        dh = d_states[0]
        for i in range(t - 1, -1, -1):
            if dys is not None:
                dh = dh + dys[i]
            xp.multiply(dh[:, None, :], kk[i], out=dz[i])
            carry = dh * direct[i]
            dh = xp.dot(dz[i].reshape(n, 4 * q), u_ext)
            dh += carry
        return dz, [dh]

    def _gate_grads(self, dz):
        t, n, _, q = dz.shape
        dzx = B.xp.concatenate([dz[:, :, :2], dz[:, :, 3:]], axis=2).reshape(t, n, 3 * q)
        dzh = dz[:, :, :3].reshape(t, n, 3 * q)
        return dzx, dzh

    def _bias_grad(self, dzx, dzh):
        return B.xp.stack([dzx.sum(axis=(0, 1)), dzh.sum(axis=(0, 1))])


class NonZero(Function):
    """mask = ids ≠ 0 (Embedding's mask_zero); an op so a traced step recomputes it per batch; no gradient."""

    def forward(self, ids):
        return ids != 0

    def backward(self, gz):
        return None


def nonzero_mask(ids):
    """Boolean mask of the non-zero ids, as a Tensor recorded in the graph."""
    return NonZero()(ids if isinstance(ids, Tensor) else Tensor(ids))


_OPS = {"simple_rnn": SimpleRNNSeq, "lstm": LSTMSeq, "gru": GRUSeq}


def recurrence(kind, x, kernel, recurrent_kernel, bias=None, initial_state=None, mask=None, **config):
    """Run a SimpleRNN / LSTM / GRU over x (N, T, d) as one op; returns (output, [final states]).

    ``config``: activation, recurrent_activation, go_backwards, return_sequences, zero_output_for_mask.
    The output is (N, T, units) with return_sequences, else (N, units).
    """
    op = _OPS[kind](use_bias=bias is not None, has_state=initial_state is not None, has_mask=mask is not None,
                    **config)
    args = [x, kernel, recurrent_kernel] + ([bias] if bias is not None else []) + list(initial_state or []) + \
        ([mask] if mask is not None else [])
    packed = op(*args)
    steps = packed.shape[1] - op.n_states
    out = getitem(packed, (slice(None), slice(0, steps))) if op.return_sequences else \
        getitem(packed, (slice(None), 0))
    return out, [getitem(packed, (slice(None), steps + k)) for k in range(op.n_states)]
