"""Convolution, pooling and padding ops: gradchecked in float64 and equal to direct loops."""
import itertools

import numpy as np
import pytest

from gradkit import Tensor, ops
from gradkit.autograd import conv as C
from gradkit.errors import ShapeError
from gradkit.gradcheck import gradcheck

R = np.random.default_rng(5)


def T(shape, grad=True):
    return Tensor(R.standard_normal(shape), requires_grad=grad)


def check(f, *tensors):
    res = gradcheck(f, list(tensors))
    assert res.max_rel_error < 1e-6, res.worst


def _padded(x, pads, value=0.0):
    (pt, pb), (pl, pr) = pads
    return np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=value)


def conv_loop(x, w, strides, padding, dilation):
    """Reference: the convolution sum written out position by position (2-D, float64)."""
    (kh, kw, c, f), (sh, sw), (dh, dw) = w.shape, strides, dilation
    n, h, wd, _ = x.shape
    pads = (C.pad_amounts(h, kh, sh, padding, dh), C.pad_amounts(wd, kw, sw, padding, dw))
    ho, wo = C.output_length(h, kh, sh, padding, dh), C.output_length(wd, kw, sw, padding, dw)
    xp = _padded(x, pads)
    y = np.zeros((n, ho, wo, f))
    for a, b, i, j in itertools.product(range(ho), range(wo), range(kh), range(kw)):
        y[:, a, b] += xp[:, a * sh + i * dh, b * sw + j * dw] @ w[i, j]
    return y


CONV_CASES = [((1, 1), "valid", (1, 1)), ((1, 1), "same", (1, 1)), ((2, 2), "valid", (1, 1)),
              ((2, 1), "same", (1, 1)), ((3, 2), "same", (1, 1)), ((1, 1), "valid", (2, 2)),
              ((1, 1), "same", (2, 1))]


@pytest.mark.parametrize("strides,padding,dilation", CONV_CASES)
def test_conv2d_gradcheck_and_value(float64, strides, padding, dilation):
    x, w, b = T((2, 7, 6, 3)), T((3, 2, 3, 4)), T((4,))
    check(lambda *a: C.conv(*a, strides=strides, padding=padding, dilation_rate=dilation), x, w, b)
    want = conv_loop(x.data, w.data, strides, padding, dilation) + b.data
    np.testing.assert_allclose(C.conv(x, w, b, strides, padding, dilation).data, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("strides,padding,dilation", [((1,), "valid", (1,)), ((2,), "same", (1,)),
                                                      ((1,), "causal", (1,)), ((1,), "causal", (2,)),
                                                      ((1,), "same", (3,))])
def test_conv1d_gradcheck_and_value(float64, strides, padding, dilation):
    x, w = T((2, 9, 3)), T((3, 3, 2))
    check(lambda *a: C.conv(*a, strides=strides, padding=padding, dilation_rate=dilation), x, w)
    got = C.conv(x, w, None, strides, padding, dilation).data
    if padding == "causal":  # causal = left-pad by (k − 1)·d, then valid
        xl = np.pad(x.data, ((0, 0), ((3 - 1) * dilation[0], 0), (0, 0)))
        want = conv_loop(xl[:, None], w.data[None], (1,) + strides, "valid", (1,) + dilation)[:, 0]
    else:
        want = conv_loop(x.data[:, None], w.data[None], (1,) + strides, padding, (1,) + dilation)[:, 0]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_conv_without_kernel_grad_keeps_no_windows(float64):
    x, w = T((2, 5, 5, 2)), T((3, 3, 2, 3), grad=False)
    y = C.conv(x, w)
    assert y.creator.cols is None
    check(lambda a: C.conv(a, w), x)


def test_same_padding_puts_the_odd_row_last():
    assert C.pad_amounts(28, 3, 2, "same") == (0, 1)  # TF: out 14, total pad 1, at the bottom
    assert C.pad_amounts(5, 4, 1, "same") == (1, 2)
    assert C.pad_amounts(7, 3, 1, "causal", 2) == (4, 0)


def pool_loop(x, pool, strides, padding, kind):
    """Reference pooling by loops: padding never counted (max ignores it, mean divides by real entries)."""
    (ph, pw), (sh, sw) = pool, strides
    n, h, w, c = x.shape
    pads = (C.pad_amounts(h, ph, sh, padding), C.pad_amounts(w, pw, sw, padding))
    ho, wo = C.output_length(h, ph, sh, padding), C.output_length(w, pw, sw, padding)
    xp = _padded(x, pads, np.nan)
    y = np.zeros((n, ho, wo, c))
    for a, b in itertools.product(range(ho), range(wo)):
        win = xp[:, a * sh:a * sh + ph, b * sw:b * sw + pw].reshape(n, -1, c)
        y[:, a, b] = np.nanmax(win, axis=1) if kind == "max" else np.nanmean(win, axis=1)
    return y


POOL_CASES = [((2, 2), None, "valid"), ((2, 2), None, "same"), ((3, 3), (2, 2), "valid"),
              ((3, 2), (1, 1), "same"), ((2, 3), (2, 1), "same")]


@pytest.mark.parametrize("pool,strides,padding", POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool2d_gradcheck_and_value(float64, pool, strides, padding, kind):
    x = T((2, 7, 5, 3))
    op = C.max_pool if kind == "max" else C.avg_pool
    check(lambda a: op(a, pool, strides, padding), x)
    want = pool_loop(x.data, pool, strides or pool, padding, kind)
    np.testing.assert_allclose(op(x, pool, strides, padding).data, want, rtol=1e-12)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pool1d_gradcheck_and_value(float64, kind, padding):
    x = T((2, 7, 3))
    op = C.max_pool if kind == "max" else C.avg_pool
    check(lambda a: op(a, (2,), None, padding), x)
    want = pool_loop(x.data[:, None], (1, 2), (1, 2), padding, kind)[:, 0]
    np.testing.assert_allclose(op(x, (2,), None, padding).data, want, rtol=1e-12)


def test_max_pool_sends_a_tied_gradient_to_the_first_maximum_only():
    x = Tensor(np.array([[1.0, 3.0], [3.0, 0.0]]).reshape(1, 2, 2, 1), requires_grad=True)
    ops.sum(C.max_pool(x, (2, 2))).backward()
    np.testing.assert_array_equal(x.grad.data.ravel(), [0, 1, 0, 0])


def test_zero_pad_gradcheck_and_value(float64):
    x = T((2, 3, 4, 2))
    check(lambda a: C.zero_pad(a, ((1, 2), (0, 1))), x)
    np.testing.assert_array_equal(C.zero_pad(x, ((1, 2), (0, 1))).data, _padded(x.data, ((1, 2), (0, 1))))


def test_window_larger_than_input_is_a_shape_error():
    with pytest.raises(ShapeError, match="larger than the input"):
        C.conv(T((1, 2, 2, 1)), T((3, 3, 1, 1)))
    with pytest.raises(ShapeError, match="larger than the input"):
        C.max_pool(T((1, 1, 5, 1)), (2, 2))


@pytest.mark.parametrize("strides,padding,dilation", [((1, 1), "valid", (1, 1)), ((2, 1), "same", (1, 1)),
                                                      ((1, 1), "same", (2, 2))])
def test_conv_fused_relu_gradcheck_and_value(float64, strides, padding, dilation):
    x, w, b = T((2, 7, 6, 3)), T((3, 2, 3, 4)), T((4,))
    res = gradcheck(lambda *a: C.conv(*a, strides=strides, padding=padding, dilation_rate=dilation, relu=True),
                    [x, w, b])
    assert res.passed and res.max_abs_error < 1e-6, res.worst  # relative 1e-6 is too tight beside relu's kink
    want = np.maximum(conv_loop(x.data, w.data, strides, padding, dilation) + b.data, 0)
    got = C.conv(x, w, b, strides, padding, dilation, relu=True).data
    assert (got == 0).any() and (got > 0).any()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_conv2d_relu_layer_is_one_op_equal_to_conv_then_relu():
    from gradkit import layers
    x = Tensor(R.standard_normal((3, 8, 8, 2)).astype(np.float32), requires_grad=True)
    fused, plain = layers.Conv2D(5, 3, activation="relu"), layers.Conv2D(5, 3)
    fused.build(x.shape)
    plain.build(x.shape)
    plain.set_weights(fused.get_weights())
    yf, yp = fused(x), ops.relu(plain(x))
    assert isinstance(yf.creator, C.Conv) and yf.creator.relu
    np.testing.assert_array_equal(yf.data, yp.data)
    gy = R.standard_normal(yf.shape).astype(np.float32)
    yf.backward(gy)
    gf = [x.grad.data.copy(), fused.kernel.grad.data, fused.bias.grad.data]
    x.grad = None
    yp.backward(gy)
    for a, b in zip(gf, [x.grad.data, plain.kernel.grad.data, plain.bias.grad.data]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("x_grad", [True, False])
@pytest.mark.parametrize("relu", [True, False])
def test_windows_gathered_again_in_chunks_give_the_kept_windows_gradients(float64, monkeypatch, relu, x_grad):
    """Windows too big to keep are gathered again in backward a few samples at a time (with the relu mask applied
    chunk by chunk when no dx is needed): the same dW, db and dx as with the windows kept."""
    x, w, b = T((5, 7, 6, 3), grad=x_grad), T((3, 2, 3, 4)), T((4,))
    gy = R.standard_normal((5, 5, 5, 4))

    def grads():
        for t in (x, w, b):
            t.grad = None
        y = C.conv(x, w, b, relu=relu)
        y.backward(gy)
        return y.creator, [t.grad.data.copy() for t in (x, w, b) if t.requires_grad]

    kept, want = grads()
    assert kept.cols is None  # freed after backward; it was kept in forward (below the limit)
    monkeypatch.setattr(C.Conv, "KEEP_COLS_MAX", 0)
    monkeypatch.setattr(C.Conv, "_chunk", staticmethod(lambda sample_bytes: 2))  # chunks of 2, 2 and 1 samples
    _, got = grads()
    for a, e in zip(got, want):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)
    if relu:
        assert (gy * (C.conv(x, w, b, relu=True).data > 0) != gy).any()  # the mask matters


@pytest.mark.parametrize("relu,bias,dilation", [(True, True, (1,)), (False, False, (2,))])
def test_conv_right_after_an_embedding_works_per_vocabulary_row(float64, relu, bias, dilation):
    """A stride-1 Conv1D on an Embedding's output (fewer table rows than positions) makes its products per table row:
    the same output and gradients as the convolution of the gathered rows, and a gradcheck through both ops."""
    pytest.importorskip("scipy.sparse", reason="the per-row products need SciPy's sparse product")
    from gradkit.autograd import nn
    table, w, b = T((6, 5)), T((3, 5, 2)), (T((2,)) if bias else None)
    ids = Tensor(R.integers(0, 6, (4, 9)).astype(float))  # 36 positions, 6 table rows; fit hands ids as floats

    def run(lookup):
        for t in (table, w, b):
            if t is not None:
                t.grad = None
        x = nn.embedding(table, ids)
        if not lookup:
            x = Tensor(x.data.copy(), requires_grad=True)  # the same rows, not an Embedding's output
        y = C.conv(x, w, b, dilation_rate=dilation, relu=relu)
        vocab = y.creator.vocab
        gy = np.cos(np.arange(y.data.size)).reshape(y.shape)
        y.backward(gy)
        gx = x.grad.data if not lookup else None
        return y.data, w.grad.data, None if b is None else b.grad.data, table.grad, gx, vocab

    y1, gw1, gb1, gt1, _, vocab = run(True)
    assert vocab is not None
    y0, gw0, gb0, _, gx0, plain = run(False)
    assert plain is None
    np.testing.assert_allclose(y1, y0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gw1, gw0, rtol=1e-12, atol=1e-12)
    if bias:
        np.testing.assert_allclose(gb1, gb0, rtol=1e-12, atol=1e-12)
    want_table = np.zeros((6, 5))
    np.add.at(want_table, ids.data.astype(int).reshape(-1), gx0.reshape(-1, 5))
    np.testing.assert_allclose(gt1.data, want_table, rtol=1e-12, atol=1e-12)
    args = [table, w] + ([b] if bias else [])
    res = gradcheck(lambda t, k, *bb: C.conv(nn.embedding(t, ids), k, *bb, dilation_rate=dilation, relu=relu), args)
    assert res.passed and res.max_abs_error < 1e-6, res.worst


def test_conv_after_an_embedding_with_padding_or_many_table_rows_gathers_as_before():
    pytest.importorskip("scipy.sparse", reason="the per-row products need SciPy's sparse product")
    from gradkit.autograd import nn
    ids = Tensor(R.integers(0, 6, (2, 5)).astype(float))
    for rows, padding in [(6, "same"), (50, "valid")]:  # padded rows are not table rows; 50 rows > 10 positions
        table = T((rows, 4))
        y = C.conv(nn.embedding(table, ids), T((3, 4, 2)), padding=padding)
        assert y.creator.vocab is None


def test_embedding_output_used_twice_gets_both_gradients_into_the_table(float64):
    """The Conv sends the table its gradient directly; another consumer of the Embedding's output still adds its
    own through the Embedding: the table's gradient is the sum of both, as without the per-row products."""
    pytest.importorskip("scipy.sparse", reason="the per-row products need SciPy's sparse product")
    from gradkit.autograd import nn
    table, w = T((6, 5)), T((3, 5, 2))
    ids = Tensor(R.integers(0, 6, (4, 9)).astype(float))

    def loss(x):
        return (C.conv(x, w) ** 2).sum() + (x * x).sum() * 0.5

    x = nn.embedding(table, ids)
    loss(x).backward()
    got = table.grad.data.copy()
    table.grad = None
    plain = Tensor(x.data.copy(), requires_grad=True)
    loss(plain).backward()
    want = np.zeros((6, 5))
    np.add.at(want, ids.data.astype(int).reshape(-1), plain.grad.data.reshape(-1, 5))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert C.conv(x, w).creator.vocab is not None
