"""Recurrent ops: a SimpleRNN, LSTM or GRU layer over a whole sequence as ONE Function, BPTT in its backward.

The input projection x·W of every timestep is one GEMM before the loop (and dW, dU, dx are one GEMM each
after the backward loop), so the per-step work is one small GEMM (on one BLAS thread) and a few in-place
ufuncs into preallocated buffers; σ and tanh gates share one e^z pass (see ``Activation``), and backward builds
its gate factors per cache-sized block of steps. Arrays are time-major inside. Masking follows Keras's backend ``rnn``: at a masked step the states are carried over
unchanged and the output repeats the previous output (zeros before the first step, or zeros at every
masked step with ``zero_output_for_mask``). The op's output packs [outputs, final states] along the time
axis, shape (N, T or 1, units) + one row per state; the layer slices it (see ``unpack``).
"""
from typing import Callable, NamedTuple

import numpy as np

from .. import backend as B
from ..errors import ConfigError
from ..tuning import RNN_BLOCK_BYTES
from .public_ops import getitem
from .tensor import Function, Tensor


def _logistic(z):
    """In place: 1 / (1 + e^z), i.e. σ(−z) (an overflowing e^z gives the true limit 0)."""
    B.xp.exp(z, out=z)
    z += 1
    return B.xp.reciprocal(z, out=z)


def _same(z):
    return z


def _twice_minus_one(y):
    """σ(2a) → tanh(a) = 2σ(2a) − 1, in place."""
    y *= 2
    y -= 1
    return y


def _tanh_deriv(y, out):
    B.xp.multiply(y, y, out=out)
    return B.xp.subtract(1, out, out=out)


def _sigmoid_deriv(y, out):
    B.xp.subtract(1, y, out=out)
    out *= y
    return out


def _ones(y, out):
    out.fill(1)
    return out


class Activation(NamedTuple):
    """A recurrent activation as the ops run it: on pre-activations that come out of the GEMMs pre-multiplied by
    ``scale`` (folded into the weights; exact, as ±1 and ±2 are powers of two), so that σ and tanh both become one
    e^z pass, 1 / (1 + e^z), over all of a step's gates (np.tanh cost 1.7× np.exp per element here)."""

    scale: float
    logistic: bool      # the activation is finish(1 / (1 + e^z)) of the scaled pre-activation z
    finish: Callable    # in place: after the logistic, or the whole activation when not logistic
    plain: Callable     # (a, out): the activation of an unscaled array (the LSTM's cell state)
    deriv: Callable     # (y, out): the derivative, written in terms of the activation's output y


ACTIVATIONS = {
    "tanh": Activation(-2.0, True, _twice_minus_one, lambda a, out: B.xp.tanh(a, out=out), _tanh_deriv),
    "sigmoid": Activation(-1.0, True, _same, lambda a, out: _logistic(B.xp.negative(a, out=out)), _sigmoid_deriv),
    "relu": Activation(1.0, False, lambda z: B.xp.maximum(z, 0, out=z), lambda a, out: B.xp.maximum(a, 0, out=out),
                       lambda y, out: B.xp.sign(y, out=out)),  # y = relu(a) ≥ 0, so sign(y) is relu'(a)
    "linear": Activation(1.0, False, _same, lambda a, out: B.xp.copyto(out, a), _ones),
}


def activate(z, *blocks):
    """Apply (activation, index) blocks in place to scaled pre-activations z (block = z[index]); one logistic pass
    over all of z when every block is σ or tanh."""
    if all(act.logistic for act, _ in blocks):
        _logistic(z)
        for act, index in blocks:
            act.finish(z[index])
        return z
    for act, index in blocks:
        part = z[index]
        if act.logistic:
            _logistic(part)
        act.finish(part)
    return z


def derivative(act, y):
    """act's derivative at every element, from its output y (a new array)."""
    return act.deriv(y, B.xp.empty_like(y))


def activation_name(fn, what):
    """The ACTIVATIONS key for an activation given by name, None or gradkit function; ConfigError otherwise."""
    name = "linear" if fn is None else fn if isinstance(fn, str) else getattr(fn, "__name__", repr(fn))
    if name not in ACTIVATIONS:
        raise ConfigError(f"{what}: recurrent layers support the activations {', '.join(ACTIVATIONS)}, got {name!r}")
    return name


def _blocks(a, order):
    """The last axis cut into len(order) equal blocks and reassembled in ``order``."""
    q = a.shape[-1] // len(order)
    return B.xp.concatenate([a[..., k * q:(k + 1) * q] for k in order], axis=-1)


def _chunks(t, step_bytes, cache=RNN_BLOCK_BYTES):
    """(start, stop) of the blocks of timesteps, last block first, whose per-step arrays of step_bytes fit in
    ~cache bytes: the backward loops compute each block's gate factors at once, as a few vectorised ufunc calls
    that stay in cache (per step, ~20 small calls cost more than the loop; one pass over all steps, 13 MB, too)."""
    m = max(1, cache // max(step_bytes, 1))
    for stop in range(t, 0, -m):
        yield max(0, stop - m), stop


class Recurrence(Function):
    """Shared frame of the three recurrent ops: input parsing, the x·W GEMM, masking of outputs, packing.

    Inputs: x (N, T, d), kernel, recurrent_kernel, [bias], [initial states...], [mask (N, T) bool].
    Subclasses define ``n_states``, ``_prepare`` (weights to internal layout and scale), ``_loop`` and
    ``_backloop``. The loops run BLAS on one thread: a step's GEMM is too small to share, and threads left
    spinning between the GEMMs took the CPU the loop needed. (Cutting the batch across threads was slower, 15.9 s
    against 11.2 s an imdb-lstm epoch: the loops' many small NumPy calls hand the GIL back and forth.)
    """

    n_states = 1

    def __init__(self, activation="tanh", recurrent_activation="sigmoid", use_bias=True, has_state=False,
                 has_mask=False, go_backwards=False, return_sequences=False, zero_output_for_mask=False):
        self.act, self.ract = ACTIVATIONS[activation], ACTIVATIONS[recurrent_activation]
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

    def _set_mask(self, mask, axis=2):
        """keep / skip / weight per (step, sample), in processing order, with a unit axis at ``axis`` for the units."""
        self.keep = None
        if mask is not None:
            keep = B.xp.expand_dims(self._time_major(mask), axis)
            self.keep, self.skip = keep, ~keep
            self.weight = keep if self.zero_output_for_mask else B.xp.cumsum(keep, axis=0) > 0  # seen a valid step yet

    def forward(self, *arrays):
        with np.errstate(over="ignore"):
            return self._forward(*arrays)

    def _forward(self, *arrays):
        x, w, u, b, states, mask = self._split(arrays)
        n, t, d = x.shape
        units, xp = u.shape[0], B.xp
        w_in, u_in, b_in = self._prepare(w, u, b)
        xt = xp.ascontiguousarray(self._time_major(x)).reshape(t * n, d)
        xw = xp.dot(xt, w_in).reshape(t, n, w_in.shape[1])  # every timestep's input projection in one GEMM
        if b_in is not None:
            xw += b_in
        if states is None:
            states = [xp.zeros((n, units), dtype=x.dtype) for _ in range(self.n_states)]
        self._set_mask(mask)
        self.xt = xt
        with B.single_threaded_blas():
            hs = self._loop(xw, u_in, states)  # (T+1, N, units) incl. the initial state; keeps what backward needs
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
        d_states = [B.xp.array(gout[:, steps + k]) for k in range(self.n_states)]  # the loop updates them in place
        gy = gout[:, :steps].swapaxes(0, 1)  # (steps, N, units), processing order
        if mask is not None:
            gy = gy * (self.weight if self.return_sequences else self.weight[-1:])
        if self.return_sequences:
            dys = gy
        else:
            dys = None
            d_states[0] += gy[0]
        with B.single_threaded_blas():
            dz, d_init = self._backloop(dys, d_states)  # dz: (T, N, gates) pre-activation gradients
        return self._weight_grads(dz, d_init, b)

    def _weight_grads(self, dz, d_init, b):
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

    def _masked(self, k, fresh, old):
        """At masked steps the state is carried over: fresh[rows of step k] = old."""
        if self.keep is not None:
            B.xp.copyto(fresh, old, where=self.skip[k])

    # ---- defaults for ops whose gates feed x·W and h·U alike (SimpleRNN, LSTM) ----------------------
    def _prepare(self, w, u, b):
        """Keep the unscaled weights for backward; return the scaled ones the forward GEMMs use."""
        self.w, self.u = w, u
        s = self._scale_vector(u.shape[0], w.dtype)
        return w * s, u * s, None if b is None else b * s

    def _scale_vector(self, units, dtype):
        """Per kernel column: the scale of its gate's activation (see Activation)."""
        return B.xp.repeat(B.xp.asarray(self._scales(), dtype=dtype), units)

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

    def _scales(self):
        return [self.act.scale]

    def _loop(self, xw, u, states):
        xp, block = B.xp, (self.act, slice(None))
        t, n, units = xw.shape
        hs = xp.empty((t + 1, n, units), dtype=xw.dtype)
        hs[0] = states[0]
        for i in range(t):
            h = hs[i + 1]
            xp.dot(hs[i], u, out=h)
            h += xw[i]
            activate(h, block)
            self._masked(i, h, hs[i])
        self.hs = hs
        return hs

    def _backloop(self, dys, d_states):
        xp, ut = B.xp, self.u.T
        hs = self.hs
        t = hs.shape[0] - 1
        k = derivative(self.act, hs[1:])  # the activation's derivative at every step, vectorised
        if self.keep is not None:
            k *= self.keep  # masked steps: no gradient into z; dh passes to h_{t−1} unchanged (_masked)
        dz = xp.empty_like(k)
        dh, dh_prev = d_states[0], xp.empty_like(d_states[0])
        for i in range(t - 1, -1, -1):
            if dys is not None:
                dh += dys[i]
            xp.multiply(dh, k[i], out=dz[i])
            xp.dot(dz[i], ut, out=dh_prev)
            self._masked(i, dh_prev, dh)
            dh, dh_prev = dh_prev, dh
        return dz, [dh]


class LSTMSeq(Recurrence):
    """Keras's LSTM: gates i, f, c, o (kernel columns in that order); c_t = f·c_{t−1} + i·act(z_c); h_t = o·act(c_t).

    Inside, a step's arrays are transposed, units × samples. Step t reads xh[t] = [x_tᵀ; h_{t−1}; 1] (d+u+1, N)
    and makes all its gates with one GEMM, [W; U; b]ᵀ·xh[t]. Backward's loop makes dh_{t−1} = U·dz_t; dx_t = W·dz_t
    and Σ_t dz_t·xh[t]ᵀ = [dW; dU; db]ᵀ are batched GEMMs over groups of steps, on a second thread while the
    loop goes on when gradkit has two (B.submit). The gates (T, 4u, N) are in the
    order o, i, f, c, so that each is a contiguous (u, N) block (column slices of (N, 4u) cost 3–4× more per
    ufunc), the three σ gates are one block, and so is the gradient of the o gate (fed by dh, the others by dc).
    Backward writes the pre-activation gradients over the gates.
    """

    n_states = 2
    ORDER, INVERSE = (3, 0, 1, 2), (1, 2, 3, 0)  # Keras → internal gate blocks, and back
    GROUP = 25  # steps per partial sum of the weight gradients

    def _scales(self):
        return [self.ract.scale] * 3 + [self.act.scale]

    def _forward(self, *arrays):
        x, w, u, b, states, mask = self._split(arrays)
        n, t, d = x.shape
        q, xp = u.shape[0], B.xp
        self.wu = _blocks(xp.concatenate([w, u]), self.ORDER)  # unscaled, internal order; backward's GEMM
        wub = self.wu if b is None else xp.concatenate([self.wu, _blocks(b, self.ORDER)[None]])
        wub = xp.ascontiguousarray((wub * self._scale_vector(q, w.dtype)).T)  # (4u, d+u+1), scaled (Activation)
        xh = self.xh = xp.empty((t + 1, wub.shape[1], n), dtype=x.dtype)
        xh[:t, :d] = self._time_major(x).transpose(0, 2, 1)
        xh[t, :d] = 0
        xh[:, d + q:] = 1
        hs, cs = xh[:, d:d + q], xp.empty((t + 1, q, n), dtype=x.dtype)
        for k, a in enumerate((hs, cs)):
            a[0] = 0 if states is None else states[k].T
        self._set_mask(mask, axis=1)
        with B.single_threaded_blas():
            self._loop(wub, hs, cs)
        steps = t if self.return_sequences else 1
        out = xp.empty((n, steps + 2, q), dtype=x.dtype)
        ys = hs[1:] if self.return_sequences else hs[t:]
        if mask is not None:
            ys = ys * (self.weight if self.return_sequences else self.weight[-1:])
        out[:, :steps] = ys.transpose(2, 0, 1)
        out[:, steps], out[:, steps + 1] = hs[t].T, cs[t].T
        return out

    def _loop(self, wub, hs, cs):
        xp, xh = B.xp, self.xh
        t, (g4, _), n = xh.shape[0] - 1, wub.shape, xh.shape[2]
        q = g4 // 4
        o, i_, f, g = (slice(k * q, (k + 1) * q) for k in range(4))
        blocks = (self.ract, slice(0, 3 * q)), (self.act, g)
        self.gates = z = xp.empty((t, g4, n), dtype=xh.dtype)
        self.hs, self.cs, self.tc = hs, cs, xp.empty((t, q, n), dtype=z.dtype)
        ig = xp.empty((q, n), dtype=z.dtype)
        for i in range(t):
            zi = z[i]  # the activated gates o, i, f, g (backward needs them)
            xp.dot(wub, xh[i], out=zi)
            activate(zi, *blocks)
            c, tc = cs[i + 1], self.tc[i]
            xp.multiply(zi[f], cs[i], out=c)
            xp.multiply(zi[i_], zi[g], out=ig)
            c += ig
            self.act.plain(c, tc)
            xp.multiply(zi[o], tc, out=hs[i + 1])
            self._masked(i, hs[i + 1], hs[i])
            self._masked(i, c, cs[i])

    def backward(self, gout):
        xp, z, xh = B.xp, self.gates, self.xh
        t, g4, n = z.shape
        d = self.wu.shape[0] - g4 // 4
        steps = gout.shape[1] - 2
        dh, dc = (xp.ascontiguousarray(gout[:, steps + k].T) for k in range(2))  # (u, N); the loop updates them
        gy = gout[:, :steps].transpose(1, 2, 0)  # (steps, u, N), processing order
        if self.keep is not None:
            gy = gy * (self.weight if self.return_sequences else self.weight[-1:])
        dys = xp.ascontiguousarray(gy) if self.return_sequences else None
        if dys is None:
            dh += gy[0]
        self.dxs = xp.empty((t, d, n), dtype=z.dtype)  # dx_tᵀ per step, made by the partial tasks
        with B.single_threaded_blas():
            d_init, partials = self._backloop(dys, dh, dc)
        dwub = sum(p.result() for p in partials).T
        dx = self.dxs.transpose(2, 0, 1)  # (N, T, d), processing order
        grads = [dx[:, ::-1] if self.go_backwards else dx]
        grads += [_blocks(dwub[k], self.INVERSE) for k in (slice(0, d), slice(d, d + g4 // 4))]
        if dwub.shape[0] > self.wu.shape[0]:
            grads.append(_blocks(dwub[-1], self.INVERSE))
        if self.has_state:
            grads += [a.T for a in d_init]
        return tuple(grads + ([None] if self.has_mask else []))

    def _partial(self, i0, i1):
        """Steps i0..i1−1, once their dz are done: dx_tᵀ = W·dz_t, and Σ dz_t · xh[t]ᵀ (4u, d+u+1), a part of
        [dW; dU; db]ᵀ."""
        d = self.dxs.shape[1]
        B.xp.matmul(self.wu[:d], self.gates[i0:i1], out=self.dxs[i0:i1])
        return B.xp.matmul(self.gates[i0:i1], self.xh[i0:i1].transpose(0, 2, 1)).sum(axis=0)

    def _backloop(self, dys, dh, dc):
        """BPTT over the steps, last first; the gates become their pre-activation gradients. Returns [dh_0, dc_0]
        and the _partial tasks over groups of GROUP steps, each started (on another thread, with several) once its
        steps are done: the loop itself makes only dh_{t−1} = U·dz_t."""
        xp = B.xp
        t, g4, n = self.gates.shape
        q = g4 // 4
        z = self.gates.reshape(t, 4, q, n)
        u = xp.ascontiguousarray(self.wu[-q:])
        partials, done, dh_prev = [], t, xp.empty_like(dh)
        m = min(t, max(1, RNN_BLOCK_BYTES // z[0].nbytes))
        k, da = xp.empty((m, 4, q, n), dtype=z.dtype), xp.empty((m, q, n), dtype=z.dtype)
        s = xp.empty_like(dh)
        for i0, i1 in _chunks(t, z[0].nbytes):
            self._factors(z[i0:i1], i0, i1, k[:i1 - i0], da[:i1 - i0])
            for i in range(i1 - 1, i0 - 1, -1):
                j, zi = i - i0, z[i]
                if dys is not None:
                    dh += dys[i]
                xp.multiply(dh, da[j], out=s)
                s += dc  # the gradient reaching c_t
                xp.multiply(s, zi[2], out=dc)  # through c_t = f·c_{t−1}, before the f gate is overwritten
                self._masked(i, dc, s)
                xp.multiply(k[j, 0], dh, out=zi[0])
                xp.multiply(k[j, 1:], s, out=zi[1:])
                xp.dot(u, self.gates[i], out=dh_prev)
                self._masked(i, dh_prev, dh)
                dh, dh_prev = dh_prev, dh
                if i % self.GROUP == 0:
                    partials.append(B.submit(self._partial, i, done))
                    done = i
        return [dh, dc], partials

    def _factors(self, z, i0, i1, k, da):
        """Steps i0..i1−1 of the gates z (steps, 4, u, N) at once: k = d z_gate per unit of the gradient its path
        gets (o: dh; i, f, c: dc), da = d c_t / d h_t; zero at masked steps (no gradient into the gates there)."""
        self.ract.deriv(z[:, :3], k[:, :3])
        self.act.deriv(z[:, 3], k[:, 3])
        k[:, 0] *= self.tc[i0:i1]
        k[:, 1] *= z[:, 3]
        k[:, 2] *= self.cs[i0:i1]
        k[:, 3] *= z[:, 1]
        self.act.deriv(self.tc[i0:i1], da)
        da *= z[:, 0]  # through h = o·act(c)
        if self.keep is not None:
            k *= self.keep[i0:i1, None]
            da *= self.keep[i0:i1]


class GRUSeq(Recurrence):
    """Keras's GRU with reset_after=True: gates z, r, h; bias (2, 3u) = [input bias, recurrent bias].

    z = σ(x·W_z + h·U_z + b), r likewise, ĥ = act(x·W_h + b_xh + r·(h·U_h + b_hh)), h_t = z·h_{t−1} + (1−z)·ĥ.
    """

    def _scales(self):
        return [self.ract.scale] * 2 + [self.act.scale]

    def _prepare(self, w, u, b):
        w, u, b_in = super()._prepare(w, u, None if b is None else b[0])
        self.b_rec = None if b is None else b[1] * self._scale_vector(u.shape[0], b.dtype)
        return w, u, b_in

    def _loop(self, xw, u, states):
        xp, b_rec = B.xp, self.b_rec
        t, n, g3 = xw.shape
        q = g3 // 3
        hs = xp.empty((t + 1, n, q), dtype=xw.dtype)
        ah = xp.empty((t, n, q), dtype=xw.dtype)  # scaled h·U_h + b_hh per step (backward needs it)
        a, rh = xp.empty((n, g3), dtype=xw.dtype), xp.empty((n, q), dtype=xw.dtype)
        hs[0] = states[0]
        zr_block, h_block = (self.ract, slice(None)), (self.act, slice(None))
        for i in range(t):
            xp.dot(hs[i], u, out=a)
            if b_rec is not None:
                a += b_rec
            zr = xw[i, :, :2 * q]
            zr += a[:, :2 * q]
            activate(zr, zr_block)
            hh = xw[i, :, 2 * q:]
            xp.copyto(ah[i], a[:, 2 * q:])
            xp.multiply(zr[:, q:], ah[i], out=rh)
            hh += rh
            activate(hh, h_block)
            h = hs[i + 1]
            xp.subtract(hs[i], hh, out=h)
            h *= zr[:, :q]
            h += hh
            self._masked(i, h, hs[i])
        self.hs, self.gates, self.ah = hs, xw, ah
        return hs

    def _backloop(self, dys, d_states):
        xp = B.xp
        g = self.gates
        t, n, g3 = g.shape
        q = g3 // 3
        u_ext = xp.concatenate([self.u, xp.zeros((q, q), dtype=g.dtype)], axis=1).T  # ĥ_pre gets no U
        dz = xp.empty((t, n, 4, q), dtype=g.dtype)
        direct = xp.empty_like(self.ah)
        dh = d_states[0]
        dh_next, carry = xp.empty_like(dh), xp.empty_like(dh)
        for i0, i1 in _chunks(t, dz[0].nbytes):
            self._factors(i0, i1, dz[i0:i1], direct[i0:i1])
            for i in range(i1 - 1, i0 - 1, -1):
                if dys is not None:
                    dh += dys[i]
                dz[i] *= dh[:, None, :]
                xp.multiply(dh, direct[i], out=carry)
                xp.dot(dz[i].reshape(n, 4 * q), u_ext, out=dh_next)
                dh_next += carry
                dh, dh_next = dh_next, dh
        return dz, [dh]

    def _factors(self, i0, i1, k, direct):
        """Steps i0..i1−1 at once, per unit of dh: k = d z_pre, d r_pre, d(h·U_h), d ĥ_pre; direct = d h_t / d h_{t−1}
        outside U (z, or 1 at masked steps, where no gradient reaches the gates)."""
        xp, act = B.xp, self.act
        q = k.shape[-1]
        g = self.gates[i0:i1]
        gz, gr, gh = g[..., :q], g[..., q:2 * q], g[..., 2 * q:]
        tmp = xp.subtract(1, gz)
        act.deriv(gh, k[:, :, 3])
        k[:, :, 3] *= tmp
        self.ract.deriv(gz, k[:, :, 0])
        xp.subtract(self.hs[i0:i1], gh, out=tmp)
        k[:, :, 0] *= tmp
        self.ract.deriv(gr, k[:, :, 1])
        k[:, :, 1] *= self.ah[i0:i1]
        k[:, :, 1] *= k[:, :, 3]
        k[:, :, 1] *= 1 / act.scale  # ah holds act.scale·(h·U_h + b_hh)
        xp.multiply(k[:, :, 3], gr, out=k[:, :, 2])
        xp.copyto(direct, gz)
        if self.keep is not None:
            keep = self.keep[i0:i1]
            k *= keep[..., None]
            direct *= keep
            direct += self.skip[i0:i1]


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
