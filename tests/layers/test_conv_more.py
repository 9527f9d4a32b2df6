"""Transposed, depthwise and separable convolutions: the ops gradchecked in float64 and equal to direct loops,
output shapes by Keras's rule, save/load, and the errors for misuse (each names the argument, expected, given)."""
import itertools

import numpy as np
import pytest

import gradkit
from gradkit import Tensor
from gradkit import layers as G
from gradkit.autograd.conv_transpose import conv_transpose, transpose_output_length
from gradkit.autograd.depthwise import depthwise_conv
from gradkit.errors import ConfigError, ShapeError
from gradkit.gradcheck import gradcheck

R = np.random.default_rng(19)


def T(shape, grad=True):
    return Tensor(R.standard_normal(shape), requires_grad=grad)


def transpose_loop(x, w, s, padding, op, d):
    """The definition: each input pixel adds x·W[tap] at out[i·s + tap·d − pad_before] (pad_before as TF's "same")."""
    n, h, wd, c = x.shape
    kh, kw, f, _ = w.shape
    oh, ow = (transpose_output_length(size, k, st, padding, o, dd)
              for size, k, st, o, dd in zip((h, wd), (kh, kw), s, op, d))
    pads = []
    for size, out, k, st, dd in zip((h, wd), (oh, ow), (kh, kw), s, d):
        total = max((size - 1) * st + (k - 1) * dd + 1 - out, 0) if padding == "same" else 0
        pads.append(total // 2)
    y = np.zeros((n, oh, ow, f))
    for i, j, a, b in itertools.product(range(h), range(wd), range(kh), range(kw)):
        r, q = i * s[0] + a * d[0] - pads[0], j * s[1] + b * d[1] - pads[1]
        if 0 <= r < oh and 0 <= q < ow:
            y[:, r, q] += x[:, i, j] @ w[a, b].T
    return y


TRANSPOSE = [((1, 1), "valid", (None, None), (1, 1)), ((2, 3), "valid", (None, None), (1, 1)),
             ((2, 2), "valid", (1, 0), (1, 1)), ((2, 2), "same", (None, None), (1, 1)),
             ((3, 2), "same", (1, 1), (1, 1)), ((1, 1), "same", (None, None), (2, 1)),
             ((1, 1), "valid", (None, None), (1, 2))]


@pytest.mark.parametrize("strides, padding, op, dilation", TRANSPOSE)
def test_conv_transpose_gradcheck_and_loop(float64, strides, padding, op, dilation):
    x, w = T((2, 3, 4, 3)), T((3, 2, 2, 3))
    want = transpose_loop(x.data, w.data, strides, padding, op, dilation)
    got = conv_transpose(x, w, strides, padding, None if op == (None, None) else op, dilation).data
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    res = gradcheck(lambda a, b: conv_transpose(a, b, strides, padding, None if op == (None, None) else op,
                                                dilation), [x, w])
    assert res.max_rel_error < 1e-6, res.worst


def test_conv_transpose_1d_gradcheck(float64):
    x, w = T((2, 5, 3)), T((3, 2, 3))
    y = conv_transpose(x, w, (2,), "same", (1,))
    assert y.shape == (2, 2 * 4 + 1 + 1, 2)
    np.testing.assert_allclose(y.data, transpose_loop(x.data[:, None], w.data[None], (1, 2), "same", (None, 1),
                                                      (1, 1))[:, 0], rtol=1e-12, atol=1e-12)
    res = gradcheck(lambda a, b: conv_transpose(a, b, (2,), "same", (1,)), [x, w])
    assert res.max_rel_error < 1e-6, res.worst


def depthwise_loop(x, w, s, padding, d):
    """Per channel c and multiplier m: the cross-correlation of x[..., c] with w[..., c, m], channel c·M + m."""
    from gradkit.autograd.conv import output_length, pad_amounts
    n, h, wd, c = x.shape
    kh, kw, _, m = w.shape
    (pt, _), (pl, _) = (pad_amounts(size, k, st, padding, dd) for size, k, st, dd in zip((h, wd), (kh, kw), s, d))
    oh, ow = (output_length(size, k, st, padding, dd) for size, k, st, dd in zip((h, wd), (kh, kw), s, d))
    xp = np.zeros((n, h + kh * d[0] + s[0] * oh, wd + kw * d[1] + s[1] * ow, c))
    xp[:, pt:pt + h, pl:pl + wd] = x
    y = np.zeros((n, oh, ow, c, m))
    for i, j, a, b in itertools.product(range(oh), range(ow), range(kh), range(kw)):
        y[:, i, j] += xp[:, i * s[0] + a * d[0], j * s[1] + b * d[1], :, None] * w[a, b]
    return y.reshape(n, oh, ow, c * m)


@pytest.mark.parametrize("strides, padding, dilation, mult", [((1, 1), "valid", (1, 1), 1), ((2, 1), "same", (1, 1), 2),
                                                              ((1, 1), "same", (2, 2), 3), ((3, 2), "valid", (1, 1), 2)])
def test_depthwise_gradcheck_and_loop(float64, strides, padding, dilation, mult):
    x, w = T((2, 6, 5, 3)), T((3, 2, 3, mult))
    got = depthwise_conv(x, w, strides, padding, dilation).data
    np.testing.assert_allclose(got, depthwise_loop(x.data, w.data, strides, padding, dilation), rtol=1e-12, atol=1e-12)
    res = gradcheck(lambda a, b: depthwise_conv(a, b, strides, padding, dilation), [x, w])
    assert res.max_rel_error < 1e-6, res.worst


def test_depthwise_1d_gradcheck(float64):
    x, w = T((2, 7, 2)), T((3, 2, 2))
    assert depthwise_conv(x, w, (2,), "same").shape == (2, 4, 4)
    res = gradcheck(lambda a, b: depthwise_conv(a, b, (2,), "same"), [x, w])
    assert res.max_rel_error < 1e-6, res.worst


@pytest.mark.parametrize("layer", [G.SeparableConv2D(3, 2, strides=2, padding="same", depth_multiplier=2),
                                   G.Conv2DTranspose(2, 3, strides=2, activation="tanh"),
                                   G.DepthwiseConv2D(2, depth_multiplier=2, activation="sigmoid"),
                                   G.SeparableConv1D(2, 3, padding="same"), G.Conv1DTranspose(2, 2, strides=3)])
def test_layers_gradcheck_in_float64(float64, layer):
    shape = (2, 5, 4, 3) if "2D" in type(layer).__name__ else (2, 5, 3)
    layer.dtype = "float64"
    x = T(shape)
    layer(x)  # build
    for w in layer.weights:
        w.data[...] = R.standard_normal(w.shape)
    res = gradcheck(lambda a, *ws: layer(a), [x] + list(layer.weights))
    assert res.passed and res.max_abs_error < 1e-7, res.worst  # relative error is loose where sigmoid saturates


def test_output_shapes_by_keras_rule():
    # Keras's compute_conv_transpose_output_shape, by hand: valid (i−1)s + k + op (op default max(k, s) − k),
    # same i·s, or (i−1)s + k%2 + op when op is given
    assert G.Conv2DTranspose(4, 3, strides=2).compute_output_shape((None, 5, 6, 2)) == (None, 11, 13, 4)
    assert G.Conv2DTranspose(4, 2, strides=3).compute_output_shape((None, 5, 6, 2)) == (None, 15, 18, 4)
    assert G.Conv2DTranspose(4, 3, 2, "same").compute_output_shape((None, 5, None, 2)) == (None, 10, None, 4)
    assert G.Conv2DTranspose(4, 3, 2, "same", output_padding=0).compute_output_shape((None, 5, 6, 2)) == \
        (None, 9, 11, 4)
    assert G.Conv1DTranspose(4, 3, dilation_rate=2).compute_output_shape((None, 5, 2)) == (None, 9, 4)
    assert G.DepthwiseConv2D(3, depth_multiplier=4).compute_output_shape((None, 5, 6, 2)) == (None, 3, 4, 8)
    assert G.SeparableConv1D(7, 3, strides=2, padding="same").compute_output_shape((None, 9, 2)) == (None, 5, 7)


def test_model_with_new_layers_saves_and_loads(tmp_path):
    inputs = G.Input((6, 6, 2))
    x = G.SeparableConv2D(3, 3, padding="same", depth_multiplier=2, activation="relu")(inputs)
    x = G.DepthwiseConv2D(2, strides=2)(x)
    x = G.Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=1)(x)
    model = gradkit.Model(inputs, G.Conv1DTranspose(2, 2)(G.Reshape((-1, 2))(x)))
    data = R.standard_normal((3, 6, 6, 2)).astype(np.float32)
    path = str(tmp_path / "m.keras")
    model.save(path)
    back = gradkit.models.load_model(path)
    assert [type(layer).__name__ for layer in back.layers] == [type(layer).__name__ for layer in model.layers]
    np.testing.assert_array_equal(back.predict(data, verbose=0), model.predict(data, verbose=0))


@pytest.mark.parametrize("make, words", [
    (lambda: G.Conv2DTranspose(2, 3, strides=2, output_padding=2), ["output_padding", "strictly less", "is 2"]),
    (lambda: G.Conv1DTranspose(2, 3, strides=(2,), output_padding=(-1,)), ["output_padding", "non-negative", "(-1,)"]),
    (lambda: G.Conv2DTranspose(2, 4, strides=2, padding="same", output_padding=0), ["output_padding=0", "odd", "4"]),
    (lambda: G.Conv2DTranspose(2, 3, padding="full"), ["padding", "'valid', 'same'", "'full'"]),
    (lambda: G.Conv1DTranspose(2, 3, padding="causal"), ["padding", "'valid', 'same'", "'causal'"]),
    (lambda: G.Conv2DTranspose(0, 3), ["filters", "positive integer", "0"]),
    (lambda: G.DepthwiseConv2D(3, depth_multiplier=0), ["depth_multiplier", "positive integer", "got 0"]),
    (lambda: G.SeparableConv2D(4, 3, depth_multiplier=-2), ["depth_multiplier", "positive integer", "-2"]),
    (lambda: G.SeparableConv1D(4, 3, strides=2, dilation_rate=2), ["strides", "dilation_rate", "(2,)"]),
    (lambda: G.DepthwiseConv2D(kernel_size=(3, 0)), ["kernel_size", "positive integer", "(3, 0)"]),
    (lambda: G.SeparableConv2D(4, 3, data_format="channels_first"), ["data_format", "channels_last",
                                                                      "'channels_first'"]),
])
def test_misuse_names_argument_expected_and_given(make, words):
    with pytest.raises(ConfigError) as e:
        make()
    for w in words:
        assert w in str(e.value), (w, str(e.value))


def test_wrong_inputs_name_the_layer_and_shapes():
    layer = G.SeparableConv2D(2, 3, name="sep")
    with pytest.raises(ShapeError, match=r"layer 'sep' expects inputs of rank 4 .* got shape \(2, 5, 5\)"):
        layer(np.zeros((2, 5, 5), np.float32))
    layer(np.zeros((2, 5, 5, 3), np.float32))
    with pytest.raises(ShapeError, match=r"layer 'sep' expects inputs with 3 channels .* got 4"):
        layer(np.zeros((2, 5, 5, 4), np.float32))
    with pytest.raises(ShapeError, match=r"kernel \(3, 3\).*larger than the input's spatial size \(2, 5\)"):
        G.DepthwiseConv2D(3, name="dw")(np.zeros((1, 2, 5, 1), np.float32))
    t = G.Conv2DTranspose(2, 3, name="tr")
    t(np.zeros((1, 4, 4, 3), np.float32))
    with pytest.raises(ShapeError, match=r"layer 'tr' expects inputs with 3 channels .* got 1"):
        t(np.zeros((1, 4, 4, 1), np.float32))


def test_integer_input_is_cast_to_floatx():
    for layer in (G.Conv2DTranspose(1, 2), G.DepthwiseConv2D(2), G.SeparableConv2D(1, 2)):
        y = layer(np.arange(18).reshape(1, 3, 3, 2))
        assert y.dtype == np.float32 and np.abs(y.numpy()).sum() > 0
