"""Issue 20's battery, part 1: bad input to gradkit.ops, the conv/pool/RNN layers, augmentation, the other new
layers, regularizers and constraints, and custom Layer/Model/Metric subclasses. Each case must raise a gradkit
error of the matching builtin type whose message names the argument or layer, the expected and the given.

``python tests/test_bad_input_new_surface.py [-v]`` prints the counts clear / unclear / silent of both parts.
"""
import sys

import numpy as np
import pytest

import gradkit as gk
from gradkit import constraints as C
from gradkit import layers as L
from gradkit import ops
from gradkit import regularizers as R
from test_bad_input_battery import run_case, verdict

CASES = []


def simple(vals):
    """Register one case per (id, fn, exc, *says) tuple."""
    for id, fn, exc, *says in vals:
        CASES.append((id, fn, exc, tuple(says)))


def m23():
    return np.arange(6, dtype="float32").reshape(2, 3)


def img(n=2, h=8, w=8, c=3):
    return np.random.default_rng(0).normal(size=(n, h, w, c)).astype("float32")


def seq(n=2, t=5, f=4):
    return np.random.default_rng(0).normal(size=(n, t, f)).astype("float32")


RAGGED = [[1.0, 2.0], [3.0]]

# ---- gradkit.ops ------------------------------------------------------------------------------------------

simple([
    ("ops-take-out-of-range", lambda: ops.take(np.arange(5.0), [7]), ValueError, "take", "indices", "7", "5"),
    ("ops-take-neg-out-of-range", lambda: ops.take(np.arange(5.0), [-6]), ValueError, "take", "indices", "-6",
     "5"),
    ("ops-take-axis", lambda: ops.take(m23(), [0], axis=2), ValueError, "take", "axis", "2", "rank 2"),
    ("ops-take-axis-range", lambda: ops.take(m23(), [3], axis=1), ValueError, "take", "indices", "3", "[-3, 3)"),
    ("ops-take-float-indices", lambda: ops.take(np.arange(5.0), [0.5]), ValueError, "take", "indices", "integer",
     "0.5"),
    ("ops-take-along-range", lambda: ops.take_along_axis(m23(), np.array([[0, 4]]), axis=1), ValueError,
     "take_along_axis", "indices", "4", "[-3, 3)"),
    ("ops-take-along-axis", lambda: ops.take_along_axis(m23(), np.array([[0]]), axis=3), ValueError,
     "take_along_axis", "axis", "3", "rank 2"),
    ("ops-argmax-axis", lambda: ops.argmax(m23(), axis=2), ValueError, "argmax", "axis", "2", "rank 2"),
    ("ops-argmin-axis", lambda: ops.argmin(m23(), axis=-3), ValueError, "argmin", "axis", "-3", "rank 2"),
    ("ops-argsort-axis", lambda: ops.argsort(m23(), axis=5), ValueError, "argsort", "axis", "5", "rank 2"),
    ("ops-sort-axis", lambda: ops.sort(m23(), axis=2), ValueError, "sort", "axis", "2", "rank 2"),
    ("ops-sum-axis", lambda: ops.sum(m23(), axis=2), ValueError, "sum", "axis", "2", "rank 2"),
    ("ops-mean-axis", lambda: ops.mean(m23(), axis=3), ValueError, "mean", "axis", "3", "rank 2"),
    ("ops-max-axis", lambda: ops.max(m23(), axis=-4), ValueError, "max", "axis", "-4", "rank 2"),
    ("ops-min-axis", lambda: ops.min(m23(), axis=2), ValueError, "min", "axis", "2", "rank 2"),
    ("ops-prod-axis", lambda: ops.prod(m23(), axis=2), ValueError, "prod", "axis", "2", "rank 2"),
    ("ops-var-axis", lambda: ops.var(m23(), axis=2), ValueError, "var", "axis", "2", "rank 2"),
    ("ops-std-axis", lambda: ops.std(m23(), axis=7), ValueError, "std", "axis", "7", "rank 2"),
    ("ops-logsumexp-axis", lambda: ops.logsumexp(m23(), axis=2), ValueError, "logsumexp", "axis", "2",
     "rank 2"),
    ("ops-cumsum-axis", lambda: ops.cumsum(m23(), axis=2), ValueError, "cumsum", "axis", "2", "rank 2"),
    ("ops-softmax-axis", lambda: ops.softmax(m23(), axis=2), ValueError, "softmax", "axis", "2", "rank 2"),
    ("ops-log-softmax-axis", lambda: ops.log_softmax(m23(), axis=5), ValueError, "log_softmax", "axis", "5",
     "rank 2"),
    ("ops-norm-axis", lambda: ops.norm(m23(), axis=4), ValueError, "norm", "axis", "4", "rank 2"),
    ("ops-flip-axis", lambda: ops.flip(m23(), axis=3), ValueError, "flip", "axis", "3", "rank 2"),
    ("ops-expand-dims-axis", lambda: ops.expand_dims(np.ones(3), 5), ValueError, "expand_dims", "axis", "5",
     "rank 1"),
    ("ops-squeeze-not-one", lambda: ops.squeeze(m23(), axis=0), ValueError, "squeeze", "axis", "0", "(2, 3)"),
    ("ops-squeeze-axis", lambda: ops.squeeze(np.ones((1, 3)), axis=4), ValueError, "squeeze", "axis", "4",
     "rank 2"),
    ("ops-swapaxes", lambda: ops.swapaxes(m23(), 0, 5), ValueError, "swapaxes", "5", "rank 2"),
    ("ops-moveaxis", lambda: ops.moveaxis(m23(), 0, 5), ValueError, "moveaxis", "5", "rank 2"),
    ("ops-concatenate-axis", lambda: ops.concatenate([m23(), m23()], axis=3), ValueError, "concatenate",
     "axis", "3", "rank 2"),
    ("ops-concatenate-shapes", lambda: ops.concatenate([m23(), np.ones((2, 4))], axis=0), ValueError,
     "concatenate", "(2, 3)", "(2, 4)"),
    ("ops-concatenate-empty", lambda: ops.concatenate([]), ValueError, "concatenate", "at least one", "[]"),
    ("ops-stack-shapes", lambda: ops.stack([np.ones(3), np.ones(4)]), ValueError, "stack", "(3,)", "(4,)"),
    ("ops-stack-empty", lambda: ops.stack([]), ValueError, "stack", "at least one", "[]"),
    ("ops-split-zero", lambda: ops.split(np.ones(4), 0), ValueError, "split", "indices_or_sections", "0"),
    ("ops-split-axis", lambda: ops.split(m23(), 2, axis=4), ValueError, "split", "axis", "4", "rank 2"),
    ("ops-split-uneven", lambda: ops.split(np.ones(5), 2), ValueError, "split", "5", "2"),
    ("ops-cast-float8", lambda: ops.cast(m23(), "float8"), TypeError, "cast", "dtype", "'float8'"),
    ("ops-cast-typo", lambda: ops.cast(m23(), "flaot32"), TypeError, "cast", "dtype", "'flaot32'"),
    ("ops-zeros-dtype", lambda: ops.zeros((2,), dtype="float33"), TypeError, "zeros", "dtype", "'float33'"),
    ("ops-arange-step-zero", lambda: ops.arange(0, 5, 0), ValueError, "arange", "step", "0"),
    ("ops-arange-str", lambda: ops.arange("5"), TypeError, "arange", "'5'", "number"),
    ("ops-zeros-neg", lambda: ops.zeros((2, -1)), ValueError, "zeros", "shape", "-1"),
    ("ops-ones-neg", lambda: ops.ones(-3), ValueError, "ones", "shape", "-3"),
    ("ops-full-neg", lambda: ops.full((-2,), 1.0), ValueError, "full", "shape", "-2"),
    ("ops-full-fill-str", lambda: ops.full((2,), "a"), TypeError, "full", "fill_value", "'a'"),
    ("ops-zeros-shape-str", lambda: ops.zeros("3"), TypeError, "zeros", "shape", "'3'"),
    ("ops-eye-neg", lambda: ops.eye(-1), ValueError, "eye", "-1"),
    ("ops-eye-str", lambda: ops.eye("3"), TypeError, "eye", "'3'"),
    ("ops-linspace-num-neg", lambda: ops.linspace(0, 1, -1), ValueError, "linspace", "num", "-1"),
    ("ops-linspace-num-float", lambda: ops.linspace(0, 1, 2.5), TypeError, "linspace", "num", "2.5"),
    ("ops-transpose-repeat", lambda: ops.transpose(m23(), (0, 0)), ValueError, "transpose", "axes", "(0, 0)",
     "permutation"),
    ("ops-transpose-rank", lambda: ops.transpose(m23(), (0, 1, 2)), ValueError, "transpose", "axes",
     "(0, 1, 2)", "rank 2"),
    ("ops-transpose-out", lambda: ops.transpose(m23(), (0, 2)), ValueError, "transpose", "axes", "(0, 2)",
     "permutation"),
    ("ops-reshape-size", lambda: ops.reshape(np.ones(6), (4,)), ValueError, "reshape", "(6,)", "(4,)"),
    ("ops-reshape-two-unknown", lambda: ops.reshape(np.ones(6), (-1, -1)), ValueError, "reshape", "(-1, -1)"),
    ("ops-reshape-float", lambda: ops.reshape(np.ones(6), (2.5, 2)), TypeError, "reshape", "(2.5, 2)"),
    ("ops-tile-neg", lambda: ops.tile(m23(), -1), ValueError, "tile", "repeats", "-1"),
    ("ops-tile-neg-tuple", lambda: ops.tile(m23(), (2, -2)), ValueError, "tile", "repeats", "-2"),
    ("ops-tile-str", lambda: ops.tile(m23(), "2"), TypeError, "tile", "repeats", "'2'"),
    ("ops-repeat-neg", lambda: ops.repeat(m23(), -2), ValueError, "repeat", "repeats", "-2"),
    ("ops-repeat-str", lambda: ops.repeat(m23(), "2"), TypeError, "repeat", "repeats", "'2'"),
    ("ops-repeat-axis", lambda: ops.repeat(m23(), 2, axis=3), ValueError, "repeat", "axis", "3", "rank 2"),
    ("ops-pad-neg", lambda: ops.pad(m23(), [(-1, 0), (0, 0)]), ValueError, "pad", "pad_width", "-1"),
    ("ops-pad-rank", lambda: ops.pad(m23(), [(1, 1), (1, 1), (1, 1)]), ValueError, "pad", "pad_width", "rank 2"),
    ("ops-pad-str", lambda: ops.pad(m23(), "1"), TypeError, "pad", "pad_width", "'1'"),
    ("ops-pad-mode", lambda: ops.pad(m23(), 1, mode="wrap"), ValueError, "pad", "mode", "'wrap'"),
    ("ops-ragged-add", lambda: ops.add(RAGGED, 1.0), TypeError, "numeric", str(RAGGED)),
    ("ops-ragged-sum", lambda: ops.sum(RAGGED), TypeError, "numeric", str(RAGGED)),
    ("ops-ragged-convert", lambda: ops.convert_to_tensor(RAGGED), TypeError, "numeric", str(RAGGED)),
    ("ops-ragged-stack", lambda: ops.stack([[1.0, 2.0], [3.0]]), ValueError, "stack", "(2,)", "(1,)"),
    ("ops-string-exp", lambda: ops.exp("abc"), TypeError, "numeric", "'abc'"),
    ("ops-broadcast-to", lambda: ops.broadcast_to(np.ones(3), (2, 4)), ValueError, "broadcast_to", "(3,)",
     "(2, 4)"),
    ("ops-broadcast-to-neg", lambda: ops.broadcast_to(np.ones(3), (-1, 3)), ValueError, "broadcast_to", "shape",
     "-1"),
    ("ops-add-shapes", lambda: ops.add(np.ones(3), np.ones(4)), ValueError, "add", "(3,)", "(4,)"),
    ("ops-mul-shapes", lambda: ops.multiply(np.ones((2, 3)), np.ones((3, 2))), ValueError, "mul", "(2, 3)",
     "(3, 2)"),
    ("ops-matmul-shapes", lambda: ops.matmul(np.ones((2, 3)), np.ones((4, 5))), ValueError, "matmul", "(2, 3)",
     "(4, 5)"),
    ("ops-matmul-scalar", lambda: ops.matmul(np.ones((2, 3)), 2.0), ValueError, "matmul", "()"),
    ("ops-dot-shapes", lambda: ops.dot(np.ones(3), np.ones(4)), ValueError, "(3,)", "(4,)"),
    ("ops-vdot-sizes", lambda: ops.vdot(np.ones(3), np.ones(4)), ValueError, "(3,)", "(4,)"),
    ("ops-tensordot-shapes", lambda: ops.tensordot(np.ones((2, 3)), np.ones((4, 5)), axes=1), ValueError,
     "tensordot", "3", "4"),
    ("ops-where-shapes", lambda: ops.where(np.ones(3, bool), np.ones(4), np.ones(4)), ValueError, "where",
     "(3,)", "(4,)"),
    ("ops-bce-shapes", lambda: ops.binary_crossentropy(np.ones(3), np.full(4, 0.5)), ValueError,
     "binary_crossentropy", "(3,)", "(4,)"),
    ("ops-cce-shapes", lambda: ops.categorical_crossentropy(np.eye(3), np.full((3, 4), 0.25)), ValueError,
     "categorical_crossentropy", "(3, 3)", "(3, 4)"),
    ("ops-top-k-big", lambda: ops.top_k(np.array([1.0, 3.0, 2.0]), k=10), ValueError, "top_k", "k", "10", "3"),
    ("ops-top-k-neg", lambda: ops.top_k(np.array([1.0, 3.0, 2.0]), k=-1), ValueError, "top_k", "k", "-1"),
    ("ops-top-k-str", lambda: ops.top_k(np.array([1.0, 3.0, 2.0]), k="2"), TypeError, "top_k", "k", "'2'"),
    ("ops-one-hot-frac", lambda: ops.one_hot(np.array([0, 1.5]), 3), ValueError, "one_hot", "integer", "1.5"),
    ("ops-one-hot-classes-neg", lambda: ops.one_hot([0, 1], -2), ValueError, "one_hot", "num_classes", "-2"),
    ("ops-one-hot-classes-str", lambda: ops.one_hot([0, 1], "3"), TypeError, "one_hot", "num_classes", "'3'"),
    ("ops-multi-hot-frac", lambda: ops.multi_hot(np.array([[0, 0.5]]), 3), ValueError, "multi_hot", "integer",
     "0.5"),
    ("ops-sparse-ce-label-high", lambda: ops.sparse_categorical_crossentropy(np.array([0, 5]),
                                                                             np.full((2, 3), 1 / 3)), ValueError,
     "sparse_categorical_crossentropy", "[0, 3)", "5"),
    ("ops-sparse-ce-label-neg", lambda: ops.sparse_categorical_crossentropy(np.array([-1, 0]),
                                                                            np.full((2, 3), 1 / 3)), ValueError,
     "sparse_categorical_crossentropy", "[0, 3)", "-1"),
    ("ops-sparse-ce-label-frac", lambda: ops.sparse_categorical_crossentropy(np.array([0.5, 1.0]),
                                                                             np.full((2, 3), 1 / 3)), ValueError,
     "sparse_categorical_crossentropy", "integer", "0.5"),
    ("ops-dropout-rate", lambda: ops.dropout(m23(), 1.5), ValueError, "dropout", "rate", "1.5"),
    ("ops-dropout-rate-str", lambda: ops.dropout(m23(), "0.5"), TypeError, "dropout", "rate", "'0.5'"),
    ("ops-power-str", lambda: ops.power(m23(), "2"), TypeError, "power", "'2'"),
    ("ops-getitem-range", lambda: ops.getitem(np.ones(3), 5), ValueError, "index", "5", "(3,)"),
    ("ops-tensor-index", lambda: gk.Tensor(np.ones((2, 3)))[:, 4], ValueError, "index", "4", "(2, 3)"),
    ("ops-tril-1d", lambda: ops.tril(np.ones(3)), ValueError, "tril", "rank", "(3,)"),
    ("ops-triu-1d", lambda: ops.triu(np.ones(3)), ValueError, "triu", "rank", "(3,)"),
    ("ops-norm-ord", lambda: ops.norm(m23(), ord=3), ValueError, "norm", "ord", "3"),
    ("ops-average-weights", lambda: ops.average(m23(), axis=1, weights=np.ones(4)), ValueError, "average",
     "weights", "(4,)"),
    ("ops-moments-axes", lambda: ops.moments(m23(), axes=[5]), ValueError, "axis", "5", "rank 2"),
    ("ops-unknown-op", lambda: ops.einsum_ish, AttributeError, "einsum_ish", "gradkit.ops"),
])


# ---- convolution and pooling layers --------------------------------------------------------------------

def _conv_channels():
    c = L.Conv2D(4, 3)
    c(img(c=3))
    c(img(c=5))


simple([
    ("conv2d-filters-zero", lambda: L.Conv2D(0, 3), ValueError, "Conv2D", "filters", "0"),
    ("conv2d-filters-neg", lambda: L.Conv2D(-8, 3), ValueError, "Conv2D", "filters", "-8"),
    ("conv2d-filters-str", lambda: L.Conv2D("8", 3), TypeError, "Conv2D", "filters", "'8'"),
    ("conv2d-filters-float", lambda: L.Conv2D(8.5, 3), TypeError, "Conv2D", "filters", "8.5"),
    ("conv2d-kernel-zero", lambda: L.Conv2D(8, 0), ValueError, "Conv2D", "kernel_size", "0"),
    ("conv2d-kernel-len", lambda: L.Conv2D(8, (3, 3, 3)), ValueError, "Conv2D", "kernel_size", "(3, 3, 3)"),
    ("conv2d-kernel-str", lambda: L.Conv2D(8, "3"), TypeError, "Conv2D", "kernel_size", "'3'"),
    ("conv2d-strides-zero", lambda: L.Conv2D(8, 3, strides=0), ValueError, "Conv2D", "strides", "0"),
    ("conv2d-strides-len", lambda: L.Conv2D(8, 3, strides=(1,)), ValueError, "Conv2D", "strides", "(1,)"),
    ("conv2d-dilation-neg", lambda: L.Conv2D(8, 3, dilation_rate=-1), ValueError, "Conv2D", "dilation_rate", "-1"),
    ("conv2d-padding", lambda: L.Conv2D(8, 3, padding="full"), ValueError, "Conv2D", "padding", "'full'"),
    ("conv2d-padding-causal", lambda: L.Conv2D(8, 3, padding="causal"), ValueError, "Conv2D", "padding",
     "'causal'"),
    ("conv2d-data-format", lambda: L.Conv2D(8, 3, data_format="channels_first"), ValueError, "Conv2D",
     "data_format", "'channels_first'"),
    ("conv2d-data-format-typo", lambda: L.Conv2D(8, 3, data_format="channel_last"), ValueError, "Conv2D",
     "data_format", "'channel_last'"),
    ("conv2d-activation", lambda: L.Conv2D(8, 3, activation="relux"), ValueError, "relux", "relu"),
    ("conv2d-init", lambda: L.Conv2D(8, 3, kernel_initializer="he_normall"), ValueError, "he_normall",
     "he_normal"),
    ("conv2d-use-bias-str", lambda: L.Conv2D(8, 3, use_bias="no"), TypeError, "Conv2D", "use_bias", "'no'"),
    ("conv2d-groups", lambda: L.Conv2D(8, 3, groups=2), ValueError, "Conv2D", "groups"),
    ("conv2d-strides-dilation", lambda: L.Conv2D(8, 3, strides=2, dilation_rate=2), ValueError, "strides",
     "dilation_rate"),
    ("conv2d-unknown-kwarg", lambda: L.Conv2D(8, 3, kernal_size=3), ValueError, "Conv2D", "kernal_size"),
    ("conv2d-rank", lambda: L.Conv2D(4, 3)(np.ones((2, 8, 8), "float32")), ValueError, "rank 4", "(2, 8, 8)"),
    ("conv2d-rank-5", lambda: L.Conv2D(4, 3)(np.ones((2, 4, 8, 8, 1), "float32")), ValueError, "rank 4",
     "(2, 4, 8, 8, 1)"),
    ("conv2d-window", lambda: L.Conv2D(4, 5)(img(h=3, w=3)), ValueError, "(5, 5)", "(3, 3)"),
    ("conv2d-channels", _conv_channels, ValueError, "3 channels", "5"),
    ("conv2d-symbolic-rank", lambda: L.Conv2D(4, 3)(L.Input((28, 28))), ValueError, "rank 4", "(None, 28, 28)"),
    ("conv1d-padding", lambda: L.Conv1D(4, 3, padding="full"), ValueError, "Conv1D", "padding", "'full'"),
    ("conv1d-kernel-len", lambda: L.Conv1D(4, (3, 3)), ValueError, "Conv1D", "kernel_size", "(3, 3)"),
    ("conv1d-rank", lambda: L.Conv1D(4, 3)(img()), ValueError, "rank 3", "(2, 8, 8, 3)"),
    ("conv1d-window", lambda: L.Conv1D(4, 9)(seq(t=5)), ValueError, "(9,)", "(5,)"),
    ("maxpool2d-zero", lambda: L.MaxPooling2D(0), ValueError, "MaxPooling2D", "pool_size", "0"),
    ("maxpool2d-len", lambda: L.MaxPooling2D((2, 2, 2)), ValueError, "MaxPooling2D", "pool_size", "(2, 2, 2)"),
    ("maxpool2d-strides", lambda: L.MaxPooling2D(2, strides=0), ValueError, "MaxPooling2D", "strides", "0"),
    ("maxpool2d-padding", lambda: L.MaxPooling2D(2, padding="full"), ValueError, "MaxPooling2D", "padding",
     "'full'"),
    ("maxpool2d-window", lambda: L.MaxPooling2D(4)(img(h=3, w=3)), ValueError, "(4, 4)", "(3, 3)"),
    ("maxpool2d-rank", lambda: L.MaxPooling2D()(np.ones((2, 8, 8), "float32")), ValueError, "rank 4",
     "(2, 8, 8)"),
    ("maxpool1d-rank", lambda: L.MaxPooling1D()(img()), ValueError, "rank 3", "(2, 8, 8, 3)"),
    ("avgpool2d-neg", lambda: L.AveragePooling2D(-1), ValueError, "AveragePooling2D", "pool_size", "-1"),
    ("avgpool1d-str", lambda: L.AveragePooling1D("2"), TypeError, "AveragePooling1D", "pool_size", "'2'"),
    ("gap2d-rank", lambda: L.GlobalAveragePooling2D()(seq()), ValueError, "rank 4", "(2, 5, 4)"),
    ("gmp1d-rank", lambda: L.GlobalMaxPooling1D()(np.ones((2, 4), "float32")), ValueError, "rank 3", "(2, 4)"),
    ("gap2d-keepdims-str", lambda: L.GlobalAveragePooling2D(keepdims="yes"), TypeError, "keepdims", "'yes'"),
    ("zeropad2d-neg", lambda: L.ZeroPadding2D(-1), ValueError, "ZeroPadding2D", "padding", "-1"),
    ("zeropad2d-str", lambda: L.ZeroPadding2D("1"), ValueError, "ZeroPadding2D", "padding", "'1'"),
    ("zeropad1d-neg", lambda: L.ZeroPadding1D(-2), ValueError, "ZeroPadding1D", "padding", "-2"),
    ("cropping2d-too-much", lambda: L.Cropping2D(((3, 3), (0, 0)))(img(h=5)), ValueError, "cropping", "5"),
    ("cropping1d-too-much", lambda: L.Cropping1D((3, 3))(seq(t=5)), ValueError, "cropping", "5"),
    ("cropping2d-neg", lambda: L.Cropping2D(-1), ValueError, "Cropping2D", "cropping", "-1"),
    ("upsampling2d-zero", lambda: L.UpSampling2D(size=0), ValueError, "UpSampling2D", "size", "0"),
    ("upsampling2d-interp", lambda: L.UpSampling2D(interpolation="bilinear"), ValueError, "UpSampling2D",
     "interpolation", "'bilinear'"),
    ("upsampling1d-neg", lambda: L.UpSampling1D(size=-1), ValueError, "UpSampling1D", "size", "-1"),
    ("upsampling1d-rank", lambda: L.UpSampling1D()(img()), ValueError, "rank 3", "(2, 8, 8, 3)"),
    ("reshape-two-unknown", lambda: L.Reshape((-1, -1)), ValueError, "Reshape", "target_shape", "(-1, -1)"),
    ("reshape-size", lambda: L.Reshape((4, 4))(np.ones((2, 10), "float32")), ValueError, "(10,)", "(4, 4)"),
    ("reshape-str", lambda: L.Reshape("4"), ValueError, "Reshape", "target_shape", "'4'"),
    ("permute-repeat", lambda: L.Permute((1, 1)), ValueError, "Permute", "dims", "(1, 1)"),
    ("permute-rank", lambda: L.Permute((2, 1))(img()), ValueError, "dims", "(2, 1)", "(2, 8, 8, 3)"),
    ("repeatvector-zero", lambda: L.RepeatVector(0), ValueError, "RepeatVector", "n", "0"),
    ("repeatvector-rank", lambda: L.RepeatVector(3)(seq()), ValueError, "rank 2", "(2, 5, 4)"),
    ("flatten-data-format", lambda: L.Flatten(data_format="channels_first"), ValueError, "Flatten",
     "data_format", "'channels_first'"),
])


# ---- recurrent layers and wrappers ---------------------------------------------------------------------

def _lstm_features():
    lstm = L.LSTM(3)
    lstm(seq(f=4))
    lstm(seq(f=6))


simple([
    ("simplernn-units-zero", lambda: L.SimpleRNN(0), ValueError, "SimpleRNN", "units", "0"),
    ("lstm-units-neg", lambda: L.LSTM(-4), ValueError, "LSTM", "units", "-4"),
    ("gru-units-str", lambda: L.GRU("4"), TypeError, "GRU", "units", "'4'"),
    ("lstm-units-float", lambda: L.LSTM(4.5), TypeError, "LSTM", "units", "4.5"),
    ("lstm-dropout-big", lambda: L.LSTM(4, dropout=1.5), ValueError, "LSTM", "dropout", "1.5"),
    ("lstm-dropout-str", lambda: L.LSTM(4, dropout="0.2"), TypeError, "LSTM", "dropout", "'0.2'"),
    ("lstm-recurrent-dropout", lambda: L.LSTM(4, recurrent_dropout=1.5), ValueError, "LSTM",
     "recurrent_dropout", "1.5"),
    ("lstm-stateful", lambda: L.LSTM(4, stateful="yes"), TypeError, "LSTM", "stateful", "'yes'"),
    ("gru-reset-after", lambda: L.GRU(4, reset_after="no"), TypeError, "GRU", "reset_after", "'no'"),
    ("lstm-activation", lambda: L.LSTM(4, activation="tanhh"), ValueError, "tanhh", "tanh"),
    ("lstm-recurrent-activation", lambda: L.LSTM(4, recurrent_activation="sigmod"), ValueError, "sigmod",
     "sigmoid"),
    ("lstm-return-sequences-str", lambda: L.LSTM(4, return_sequences="yes"), TypeError, "LSTM",
     "return_sequences", "'yes'"),
    ("lstm-go-backwards-str", lambda: L.LSTM(4, go_backwards="no"), TypeError, "LSTM", "go_backwards", "'no'"),
    ("gru-return-state-str", lambda: L.GRU(4, return_state="true"), TypeError, "GRU", "return_state", "'true'"),
    ("lstm-init", lambda: L.LSTM(4, recurrent_initializer="orthogonl"), ValueError, "orthogonl", "orthogonal"),
    ("lstm-unknown-kwarg", lambda: L.LSTM(4, return_sequence=True), ValueError, "LSTM", "return_sequence"),
    ("lstm-rank-2", lambda: L.LSTM(3)(np.ones((2, 4), "float32")), ValueError, "3D", "(2, 4)"),
    ("lstm-rank-4", lambda: L.LSTM(3)(img()), ValueError, "3D", "(2, 8, 8, 3)"),
    ("lstm-symbolic-rank", lambda: L.LSTM(3)(L.Input((10,))), ValueError, "3D", "(None, 10)"),
    ("lstm-features", _lstm_features, ValueError, "4 features", "6"),
    ("lstm-initial-state-count", lambda: L.LSTM(3)(seq(), initial_state=[np.zeros((2, 3), "float32")]),
     ValueError, "2 initial state", "1"),
    ("gru-initial-state-shape", lambda: L.GRU(3)(seq(), initial_state=[np.zeros((2, 5), "float32")]),
     ValueError, "(2, 3)", "(2, 5)"),
    ("bidirectional-dense", lambda: L.Bidirectional(L.Dense(3)), ValueError, "Bidirectional", "Dense"),
    ("bidirectional-merge", lambda: L.Bidirectional(L.LSTM(3), merge_mode="add2"), ValueError, "merge_mode",
     "'add2'"),
    ("timedistributed-str", lambda: L.TimeDistributed("dense"), ValueError, "TimeDistributed", "'dense'"),
    ("timedistributed-rank", lambda: L.TimeDistributed(L.Dense(2))(np.ones((2, 4), "float32")), ValueError,
     "rank 3", "(2, 4)"),
    ("simplernn-init-str", lambda: L.SimpleRNN(4, kernel_initializer=5), ValueError, "initializer", "5"),
])


# ---- augmentation and other layers -------------------------------------------------------------------

def _training(layer, x):
    return layer(x, training=True)


simple([
    ("randomflip-mode", lambda: L.RandomFlip("diagonal"), ValueError, "RandomFlip", "mode", "'diagonal'"),
    ("randomflip-seed-str", lambda: L.RandomFlip(seed="a"), TypeError, "RandomFlip", "seed", "'a'"),
    ("randomflip-seed-float", lambda: L.RandomFlip(seed=1.5), TypeError, "RandomFlip", "seed", "1.5"),
    ("randomflip-seed-neg", lambda: L.RandomFlip(seed=-1), ValueError, "RandomFlip", "seed", "-1"),
    ("randomflip-rank", lambda: _training(L.RandomFlip(), seq()), ValueError, "rank 4", "(2, 5, 4)"),
    ("randomflip-data-format", lambda: L.RandomFlip(data_format="channels_first"), ValueError, "RandomFlip",
     "'channels_first'"),
    ("randomrotation-factor-str", lambda: L.RandomRotation("0.1"), ValueError, "RandomRotation", "factor",
     "'0.1'"),
    ("randomrotation-factor-big", lambda: L.RandomRotation(1.5), ValueError, "RandomRotation", "factor", "1.5"),
    ("randomrotation-fill-mode", lambda: L.RandomRotation(0.1, fill_mode="wrap2"), ValueError,
     "RandomRotation", "fill_mode", "'wrap2'"),
    ("randomrotation-interp", lambda: L.RandomRotation(0.1, interpolation="cubic"), ValueError,
     "RandomRotation", "interpolation", "'cubic'"),
    ("randomrotation-seed-str", lambda: L.RandomRotation(0.1, seed="x"), TypeError, "RandomRotation", "seed",
     "'x'"),
    ("randomrotation-fill-value-str", lambda: L.RandomRotation(0.1, fill_value="black"), TypeError,
     "RandomRotation", "fill_value", "'black'"),
    ("randomrotation-factor-triple", lambda: L.RandomRotation((0.1, 0.2, 0.3)), ValueError, "RandomRotation",
     "factor", "(0.1, 0.2, 0.3)"),
    ("randomrotation-rank", lambda: _training(L.RandomRotation(0.1), seq()), ValueError, "rank 4", "(2, 5, 4)"),
    ("randomzoom-factor-big", lambda: L.RandomZoom(-1.5), ValueError, "RandomZoom", "height_factor", "-1.5"),
    ("randomzoom-width-str", lambda: L.RandomZoom(0.1, width_factor="a"), ValueError, "RandomZoom",
     "width_factor", "'a'"),
    ("randomtranslation-big", lambda: L.RandomTranslation(2.0, 0.1), ValueError, "RandomTranslation",
     "height_factor", "2.0"),
    ("randomtranslation-seed", lambda: L.RandomTranslation(0.1, 0.1, seed=[1]), TypeError, "RandomTranslation",
     "seed", "[1]"),
    ("rescaling-str", lambda: L.Rescaling("1/255"), TypeError, "Rescaling", "scale", "'1/255'"),
    ("rescaling-offset-str", lambda: L.Rescaling(1.0, offset="0"), TypeError, "Rescaling", "offset", "'0'"),
    ("gaussiannoise-neg", lambda: L.GaussianNoise(-0.1), ValueError, "GaussianNoise", "stddev", "-0.1"),
    ("gaussiannoise-str", lambda: L.GaussianNoise("0.1"), TypeError, "GaussianNoise", "stddev", "'0.1'"),
    ("gaussiandropout-big", lambda: L.GaussianDropout(1.5), ValueError, "GaussianDropout", "rate", "1.5"),
    ("gaussiannoise-seed", lambda: L.GaussianNoise(0.1, seed="s"), TypeError, "GaussianNoise", "seed", "'s'"),
    ("spatialdropout1d-rate", lambda: L.SpatialDropout1D(1.5), ValueError, "SpatialDropout1D", "rate", "1.5"),
    ("spatialdropout1d-rank", lambda: _training(L.SpatialDropout1D(0.5), img()), ValueError, "rank 3",
     "(2, 8, 8, 3)"),
    ("spatialdropout2d-rank", lambda: _training(L.SpatialDropout2D(0.5), seq()), ValueError, "rank 4",
     "(2, 5, 4)"),
    ("layernorm-axis-str", lambda: L.LayerNormalization(axis="last"), ValueError, "LayerNormalization",
     "axis", "'last'"),
    ("layernorm-axis-range", lambda: L.LayerNormalization(axis=5)(seq()), ValueError, "axis", "5", "(2, 5, 4)"),
    ("layernorm-eps", lambda: L.LayerNormalization(epsilon=-1.0), ValueError, "LayerNormalization", "epsilon",
     "-1.0"),
    ("batchnorm-axis-range", lambda: L.BatchNormalization(axis=5)(seq()), ValueError, "BatchNormalization",
     "axis", "5", "rank 3"),
    ("relu-max-neg", lambda: L.ReLU(max_value=-1.0), ValueError, "ReLU", "max_value", "-1.0"),
    ("relu-slope-neg", lambda: L.ReLU(negative_slope=-0.5), ValueError, "ReLU", "negative_slope", "-0.5"),
    ("leakyrelu-str", lambda: L.LeakyReLU(negative_slope="0.3"), TypeError, "LeakyReLU", "negative_slope",
     "'0.3'"),
    ("elu-str", lambda: L.ELU(alpha="1"), TypeError, "ELU", "alpha", "'1'"),
    ("softmax-axis-range", lambda: L.Softmax(axis=5)(seq()), ValueError, "softmax", "axis", "5", "rank 3"),
    ("prelu-shared-axes", lambda: L.PReLU(shared_axes=[0]), ValueError, "PReLU", "shared_axes", "[0]"),
    ("lambda-not-callable", lambda: L.Lambda(5), ValueError, "Lambda", "function", "5"),
    ("masking-str", lambda: L.Masking(mask_value="pad"), TypeError, "Masking", "mask_value", "'pad'"),
])


# ---- regularizers and constraints --------------------------------------------------------------------

def _dense_with(**kw):
    m = gk.Sequential([L.Input((4,)), L.Dense(3, **kw)])
    m.compile(optimizer="sgd", loss="mse")
    m.fit(np.ones((8, 4), "float32"), np.zeros((8, 3), "float32"), verbose=0)


def _conv_with(**kw):
    L.Conv2D(2, 3, **kw).build((None, 8, 8, 3))


simple([
    ("l1-neg", lambda: R.L1(-0.1), ValueError, "l1", "-0.1"),
    ("l1-str", lambda: R.L1("0.1"), TypeError, "l1", "'0.1'"),
    ("l2-nan", lambda: R.L2(float("nan")), ValueError, "l2", "nan"),
    ("l2-inf", lambda: R.L2(float("inf")), ValueError, "l2", "inf"),
    ("l1l2-neg", lambda: R.L1L2(l1=-1.0), ValueError, "l1", "-1.0"),
    ("regularizer-name", lambda: R.get("l3"), ValueError, "'l3'", "l1"),
    ("regularizer-int", lambda: R.get(5), ValueError, "regularizer", "5"),
    ("dense-regularizer-name", lambda: L.Dense(3, kernel_regularizer="l3"), ValueError, "'l3'", "l2"),
    ("maxnorm-neg", lambda: C.MaxNorm(max_value=-1.0), ValueError, "MaxNorm", "max_value", "-1.0"),
    ("maxnorm-str", lambda: C.MaxNorm(max_value="2"), TypeError, "MaxNorm", "max_value", "'2'"),
    ("maxnorm-axis-str", lambda: C.MaxNorm(axis="0"), TypeError, "MaxNorm", "axis", "'0'"),
    ("maxnorm-axis-build", lambda: _dense_with(kernel_constraint=C.MaxNorm(axis=5)), ValueError, "MaxNorm",
     "axis", "5", "rank 2"),
    ("maxnorm-axis-tuple-build", lambda: _dense_with(kernel_constraint=C.MaxNorm(axis=(0, 5))), ValueError,
     "MaxNorm", "axis", "5", "rank 2"),
    ("unitnorm-axis-build", lambda: _dense_with(bias_constraint=C.UnitNorm(axis=1)), ValueError, "UnitNorm",
     "axis", "1", "rank 1"),
    ("minmaxnorm-order", lambda: C.MinMaxNorm(min_value=2.0, max_value=1.0), ValueError, "MinMaxNorm",
     "min_value", "2.0", "max_value"),
    ("minmaxnorm-rate", lambda: C.MinMaxNorm(rate=2.0), ValueError, "MinMaxNorm", "rate", "2.0"),
    ("minmaxnorm-neg", lambda: C.MinMaxNorm(min_value=-1.0), ValueError, "MinMaxNorm", "min_value", "-1.0"),
    ("constraint-name", lambda: C.get("maxnorm"), ValueError, "'maxnorm'", "max_norm"),
    ("constraint-int", lambda: C.get(5), ValueError, "constraint", "5"),
    ("dense-constraint-name", lambda: L.Dense(3, kernel_constraint="non_negative"), ValueError,
     "'non_negative'", "non_neg"),
    ("conv-regularizer", lambda: _conv_with(kernel_regularizer="l2"), ValueError, "Conv2D",
     "kernel_regularizer"),
])


# ---- custom Layer / Model / Metric subclasses ------------------------------------------------------------

class ForgetfulLayer(L.Layer):
    def __init__(self, units):
        self.units = units  # no super().__init__()

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, x):
        return ops.matmul(x, self.w)


class ForgetfulModel(gk.Model):
    def __init__(self):
        self.dense = L.Dense(2)  # no super().__init__()

    def call(self, x):
        return self.dense(x)


class ForgetfulMetric(gk.metrics.Metric):
    def __init__(self):
        self.total = self.add_variable((), "zeros")


class NoneLayer(L.Layer):
    def call(self, x):
        return None


class StringLayer(L.Layer):
    def call(self, x):
        return "oops"


def _forgetful_in_sequential():
    m = gk.Sequential([L.Input((4,)), ForgetfulLayer(2)])
    m.compile(optimizer="sgd", loss="mse")


def _forgetful_model_compile():
    ForgetfulModel().compile(optimizer="sgd", loss="mse")


simple([
    ("custom-layer-no-super-call", lambda: ForgetfulLayer(2)(np.ones((2, 4), "float32")), AttributeError,
     "ForgetfulLayer", "super().__init__()"),
    ("custom-layer-no-super-sequential", _forgetful_in_sequential, AttributeError, "ForgetfulLayer",
     "super().__init__()"),
    ("custom-layer-no-super-name", lambda: ForgetfulLayer(2).name, AttributeError, "ForgetfulLayer",
     "super().__init__()"),
    ("custom-model-no-super-call", lambda: ForgetfulModel()(np.ones((2, 4), "float32")), AttributeError,
     "ForgetfulModel", "super().__init__()"),
    ("custom-model-no-super-compile", _forgetful_model_compile, AttributeError, "ForgetfulModel",
     "super().__init__()"),
    ("custom-metric-no-super", ForgetfulMetric, RuntimeError, "ForgetfulMetric", "super().__init__()"),
    ("custom-layer-returns-none", lambda: NoneLayer()(np.ones((2, 4), "float32")), TypeError, "NoneLayer",
     "call", "None"),
    ("custom-layer-returns-str", lambda: StringLayer()(L.Input((4,))), TypeError, "StringLayer", "call",
     "'oops'"),
    ("custom-layer-unknown-kwarg", lambda: NoneLayer(units=3), ValueError, "NoneLayer", "units"),
])


def test_new_surface_case(id, fn, exc, says):
    """One case: a gradkit error, of the builtin type ``exc``, naming each of ``says``."""
    from gradkit.errors import GradkitError
    e = run_case(fn)
    assert e is not None, f"{id}: nothing was raised"
    assert isinstance(e, GradkitError), f"{id}: {type(e).__name__} is not a gradkit error: {e}"
    assert isinstance(e, exc), f"{id}: {type(e).__mro__} is not a {exc.__name__}: {e}"
    missing = [s for s in says if s.lower() not in str(e).lower()]
    assert not missing, f"{id}: the message does not mention {missing}: {e}"


def pytest_generate_tests(metafunc):  # noqa: D103 - collected by pytest for this module only
    if "says" in metafunc.fixturenames:
        metafunc.parametrize("id,fn,exc,says", CASES, ids=[c[0] for c in CASES])


def classify(cases):
    """{'clear': n, 'unclear': n, 'silent': n} and one row per case."""
    counts, rows = {"clear": 0, "unclear": 0, "silent": 0}, []
    for id, fn, exc, says in cases:
        e = run_case(fn)
        v = verdict(exc, says, e)
        counts[v] += 1
        rows.append(f"{v:8} {id:36} {type(e).__name__ if e else '-'}: {str(e)[:160]!r}")
    return counts, rows


def test_battery_size():
    assert len(CASES) >= 150
    assert len({c[0] for c in CASES}) == len(CASES)


def test_a_propertys_own_attribute_error_is_kept():
    """Layer.__getattr__ (which names a forgotten super().__init__()) leaves a property's own error message."""
    class Broken(L.Layer):
        @property
        def scale(self):
            return self.missing_setting

    with pytest.raises(AttributeError, match="missing_setting"):
        Broken().scale


if __name__ == "__main__":
    import test_bad_input_new_faults as faults
    allcases = CASES + faults.CASES
    counts, rows = classify(allcases)
    if "-v" in sys.argv:
        print("\n".join(rows))
    print(f"{len(allcases)} cases: " + ", ".join(f"{n} {k}" for k, n in counts.items()))

