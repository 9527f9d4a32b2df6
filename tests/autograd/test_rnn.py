"""Recurrent ops: gradchecked in float64 and equal to a plain step-by-step NumPy loop of Keras's cells."""
import numpy as np
import pytest

from gradkit import Tensor
from gradkit.autograd import rnn
from gradkit.gradcheck import gradcheck

N, T_, D, U = 3, 5, 4, 2
GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


def sig(z):
    return 1 / (1 + np.exp(-z))


def cell(kind, x, h, c, w, u, b):
    """One step of Keras's cell (keras/src/layers/rnn/{simple_rnn,lstm,gru}.py), in float64 NumPy."""
    if kind == "simple_rnn":
        return np.tanh(x @ w + h @ u + b), None
    if kind == "lstm":
        z = x @ w + h @ u + b
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sig(f) * c + sig(i) * np.tanh(g)
        return sig(o) * np.tanh(c), c
    xz, xr, xh = np.split(x @ w + b[0], 3, axis=-1)
    rz, rr, rh = np.split(h @ u + b[1], 3, axis=-1)
    z, r = sig(xz + rz), sig(xr + rr)
    hh = np.tanh(xh + r * rh)
    return z * h + (1 - z) * hh, c


def reference(kind, x, w, u, b, h0, c0, mask, go_backwards, zero_output):
    """Keras's backend rnn loop: masked steps carry the states and repeat the previous (or a zero) output."""
    order = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    h, c, prev, outs = h0, c0, np.zeros_like(h0), []
    for t in order:
        hn, cn = cell(kind, x[:, t], h, c, w, u, b)
        m = np.ones((x.shape[0], 1), bool) if mask is None else mask[:, t, None]
        out = np.where(m, hn, 0 if zero_output else prev)
        h = np.where(m, hn, h)
        c = None if cn is None else np.where(m, cn, c)
        prev = out
        outs.append(out)
    return np.stack(outs, 1), h, c


def check(f, arrays):
    """Backprop equals central differences (absolute: some gradients are ~1e-7, where relative error is noise)."""
    res = gradcheck(f, [Tensor(a, requires_grad=True) for a in arrays])
    assert res.passed and res.max_abs_error < 1e-8, res.worst


def weights(kind, rng, bias=True):
    g = GATES[kind]
    w, u = rng.normal(size=(D, g * U)), rng.normal(size=(U, g * U))
    b = rng.normal(size=(2, g * U) if kind == "gru" else (g * U,)) if bias else None
    return w, u, b


CASES = [dict(), dict(go_backwards=True), dict(mask=True), dict(mask=True, go_backwards=True),
         dict(mask=True, state=True), dict(mask=True, zero_output=True), dict(state=True, seq=False)]


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(sorted(c)) or "plain")
def test_recurrence_matches_keras_loop_and_gradchecks(float64, kind, case, rng):
    x = rng.normal(size=(N, T_, D))
    w, u, b = weights(kind, rng)
    mask = None
    if case.get("mask"):
        mask = rng.random((N, T_)) > 0.4
        mask[0, :2] = False  # a leading padded stretch (pad_sequences pads in front)
        mask[1, -1] = False
    n_states = 2 if kind == "lstm" else 1
    states = [rng.normal(size=(N, U)) for _ in range(n_states)] if case.get("state") else None
    seq = case.get("seq", True)
    config = dict(go_backwards=case.get("go_backwards", False), return_sequences=seq,
                  zero_output_for_mask=case.get("zero_output", False))
    h0 = states[0] if states else np.zeros((N, U))
    c0 = states[1] if states and kind == "lstm" else np.zeros((N, U))
    ys, h, c = reference(kind, x, w, u, b, h0, c0, mask, config["go_backwards"], config["zero_output_for_mask"])

    m = None if mask is None else Tensor(mask)
    out, final = rnn.recurrence(kind, Tensor(x), Tensor(w), Tensor(u), Tensor(b),
                                [Tensor(s) for s in states] if states else None, m, **config)
    np.testing.assert_allclose(out.numpy(), ys if seq else ys[:, -1], atol=1e-12)
    np.testing.assert_allclose(final[0].numpy(), h, atol=1e-12)
    if kind == "lstm":
        np.testing.assert_allclose(final[1].numpy(), c, atol=1e-12)

    def f(x, w, u, b, *s):
        out, final = rnn.recurrence(kind, x, w, u, b, list(s) or None, m, **config)
        return sum((o * (k + 1.5)).sum() for k, o in enumerate([out] + final))

    check(f, [x, w, u, b] + (states or []))


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
def test_recurrence_without_bias_and_other_activations(float64, kind, rng):
    x = rng.normal(size=(N, T_, D))
    w, u, _ = weights(kind, rng, bias=False)

    def f(x, w, u):
        out, _ = rnn.recurrence(kind, x, w, u, activation="relu" if kind == "simple_rnn" else "linear",
                                recurrent_activation="sigmoid", return_sequences=True)
        return out

    check(f, [x, w, u])


def test_unsupported_activation_is_a_config_error():
    with pytest.raises(ValueError, match="support the activations"):
        rnn.activation_name("softmax", "LSTM activation")


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_backward_is_the_same_in_blocks_of_one_step(float64, kind, rng, monkeypatch):
    """The backward loops build their gate factors per block of timesteps (sized to fit in cache); any block
    size gives the same gradients, masks and reversed sequences included."""
    x, mask = rng.normal(size=(N, T_, D)), rng.random((N, T_)) > 0.3
    w, u, b = weights(kind, rng)

    def grads():
        ts = [Tensor(a, requires_grad=True) for a in (x, w, u, b)]
        out, final = rnn.recurrence(kind, *ts, mask=Tensor(mask), go_backwards=True, return_sequences=True)
        ((out * 1.5).sum() + (final[-1] * 0.5).sum()).backward()
        return [t.grad.numpy() for t in ts]

    whole = grads()
    chunks = rnn._chunks
    monkeypatch.setattr(rnn, "_chunks", lambda t, step_bytes: chunks(t, step_bytes, cache=1))
    assert list(rnn._chunks(3, 8)) == [(2, 3), (1, 2), (0, 1)]
    for a, b_ in zip(grads(), whole):
        np.testing.assert_allclose(a, b_, rtol=1e-13, atol=1e-15)
