"""A battery of user mistakes and faults: each must raise a gradkit error of the matching builtin type whose
message names what was expected and what was given (checked as substrings, case-insensitively).

``python tests/test_bad_input_battery.py`` prints the counts clear / unclear / silent (issue 11's measure):
clear = a gradkit error of the right type with every substring; unclear = any other exception; silent = none.
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import gradkit as gk
from gradkit import backend as B
from gradkit import layers as L
from gradkit import optimizers as O
from gradkit import preprocessing as P
from gradkit.autograd import Tensor, nn, no_grad, ops
from gradkit.errors import GradkitError

CASES = []


def case(id, exc, *says, xfail=None):
    """Register fn as the case ``id``: it must raise ``exc`` (and a GradkitError) naming every one of ``says``."""
    def register(fn):
        CASES.append((id, fn, exc, says, xfail))
        return fn
    return register


def simple(vals):
    """Register one case per (id, fn, exc, *says) tuple."""
    for id, fn, exc, *says in vals:
        CASES.append((id, fn, exc, tuple(says), None))


# ---- fixtures built fresh per case ----------------------------------------------------------------------

def mlp(n_in=4, n_out=3, act="softmax", loss="sparse_categorical_crossentropy", jit="auto"):
    m = gk.Sequential([L.Input((n_in,)), L.Dense(5, activation="relu"), L.Dense(n_out, activation=act)])
    m.compile(optimizer="sgd", loss=loss, jit_compile=jit)
    return m


def xy(n=20, n_in=4, classes=3):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, n_in)).astype("float32"), rng.integers(0, classes, size=n)


def late_bad(labels_at, value, n=64):
    """Data whose 8th batch of 8 (the last) holds one bad label."""
    x, y = xy(n)
    y = y.astype("int64")
    y[labels_at] = value
    return x, y


def emb_model(jit="auto"):
    m = gk.Sequential([L.Input((5,)), L.Embedding(10, 3), L.Flatten(), L.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", jit_compile=jit)
    return m


def fit(m, x, y, **kw):
    kw.setdefault("verbose", 0)
    return m.fit(x, y, **kw)


# ---- optimizers ---------------------------------------------------------------------------------------

simple([
    ("sgd-lr-str", lambda: O.SGD(learning_rate="fast"), TypeError, "learning_rate", "'fast'"),
    ("sgd-lr-neg", lambda: O.SGD(learning_rate=-0.1), ValueError, "learning_rate", "-0.1"),
    ("sgd-lr-nan", lambda: O.SGD(learning_rate=float("nan")), ValueError, "learning_rate", "nan"),
    ("sgd-lr-inf", lambda: O.SGD(learning_rate=float("inf")), ValueError, "learning_rate", "inf"),
    ("sgd-lr-none", lambda: O.SGD(learning_rate=None), TypeError, "learning_rate", "None"),
    ("sgd-lr-list", lambda: O.SGD(learning_rate=[0.1]), TypeError, "learning_rate", "[0.1]"),
    ("sgd-momentum-neg", lambda: O.SGD(momentum=-0.5), ValueError, "momentum", "-0.5", "[0, 1]"),
    ("sgd-momentum-big", lambda: O.SGD(momentum=1.5), ValueError, "momentum", "1.5", "[0, 1]"),
    ("sgd-momentum-str", lambda: O.SGD(momentum="0.9"), TypeError, "momentum", "'0.9'"),
    ("sgd-nesterov-str", lambda: O.SGD(nesterov="yes"), TypeError, "nesterov", "'yes'"),
    ("adam-beta1-one", lambda: O.Adam(beta_1=1.0), ValueError, "beta_1", "1.0", "[0, 1)"),
    ("adam-beta1-neg", lambda: O.Adam(beta_1=-0.1), ValueError, "beta_1", "-0.1"),
    ("adam-beta1-str", lambda: O.Adam(beta_1="0.9"), TypeError, "beta_1", "'0.9'"),
    ("adam-beta2-one", lambda: O.Adam(beta_2=1.0), ValueError, "beta_2", "1.0", "[0, 1)"),
    ("adam-beta2-big", lambda: O.Adam(beta_2=2), ValueError, "beta_2", "2"),
    ("adam-eps-neg", lambda: O.Adam(epsilon=-1e-7), ValueError, "epsilon", "-1e-07"),
    ("adam-eps-str", lambda: O.Adam(epsilon="1e-7"), TypeError, "epsilon", "'1e-7'"),
    ("adam-amsgrad-str", lambda: O.Adam(amsgrad="no"), TypeError, "amsgrad", "'no'"),
    ("adam-lr-str", lambda: O.Adam(learning_rate="1e-3"), TypeError, "learning_rate", "'1e-3'"),
    ("adamw-wd-neg", lambda: O.AdamW(weight_decay=-0.01), ValueError, "weight_decay", "-0.01"),
    ("adamw-wd-str", lambda: O.AdamW(weight_decay="l2"), TypeError, "weight_decay", "'l2'"),
    ("rmsprop-rho-big", lambda: O.RMSprop(rho=1.5), ValueError, "rho", "1.5", "[0, 1]"),
    ("rmsprop-rho-neg", lambda: O.RMSprop(rho=-0.1), ValueError, "rho", "-0.1"),
    ("rmsprop-rho-str", lambda: O.RMSprop(rho="0.9"), TypeError, "rho", "'0.9'"),
    ("rmsprop-momentum-neg", lambda: O.RMSprop(momentum=-1), ValueError, "momentum", "-1"),
    ("rmsprop-eps-neg", lambda: O.RMSprop(epsilon=-1.0), ValueError, "epsilon", "-1.0"),
    ("rmsprop-centered-str", lambda: O.RMSprop(centered="yes"), TypeError, "centered", "'yes'"),
    ("adagrad-init-neg", lambda: O.Adagrad(initial_accumulator_value=-0.1), ValueError,
     "initial_accumulator_value", "-0.1"),
    ("adagrad-eps-str", lambda: O.Adagrad(epsilon="tiny"), TypeError, "epsilon", "'tiny'"),
    ("clipnorm-neg", lambda: O.SGD(clipnorm=-1.0), ValueError, "clipnorm", "-1.0"),
    ("clipnorm-zero", lambda: O.Adam(clipnorm=0), ValueError, "clipnorm", "0"),
    ("clipnorm-str", lambda: O.SGD(clipnorm="1"), TypeError, "clipnorm", "'1'"),
    ("clipvalue-neg", lambda: O.SGD(clipvalue=-0.5), ValueError, "clipvalue", "-0.5"),
    ("global-clipnorm-neg", lambda: O.SGD(global_clipnorm=-2.0), ValueError, "global_clipnorm", "-2.0"),
    ("two-clips", lambda: O.SGD(clipnorm=1.0, clipvalue=1.0), ValueError, "clipnorm", "clipvalue"),
    ("optimizer-unknown-kwarg", lambda: O.Adam(lrate=0.1), ValueError, "Adam", "lrate"),  # lr=: Keras 2, accepted
    ("optimizer-unknown-name", lambda: O.get("adamx"), ValueError, "adamx", "adam"),
    ("optimizer-bad-type", lambda: O.get(3), ValueError, "optimizer", "3"),
    ("compile-optimizer-name", lambda: mlp().compile(optimizer="sgdd", loss="mse"), ValueError, "sgdd", "sgd"),
])


# ---- layers -------------------------------------------------------------------------------------------

simple([
    ("dense-zero", lambda: L.Dense(0), ValueError, "units", "[1, inf)", "0"),
    ("dense-neg", lambda: L.Dense(-3), ValueError, "units", "-3"),
    ("dense-str", lambda: L.Dense("8"), TypeError, "units", "'8'"),
    ("dense-float", lambda: L.Dense(8.5), TypeError, "units", "8.5"),
    ("dense-none", lambda: L.Dense(None), TypeError, "units", "None"),
    ("dense-activation", lambda: L.Dense(8, activation="relux"), ValueError, "relux", "relu"),
    ("dense-activation-type", lambda: L.Dense(8, activation=3), ValueError, "activation", "3"),
    ("dense-kernel-init", lambda: L.Dense(8, kernel_initializer="glorot_unifrom"), ValueError,
     "glorot_unifrom", "glorot_uniform"),
    ("dense-bias-init", lambda: L.Dense(8, bias_initializer="zero"), ValueError, "'zero'", "zeros"),
    ("dense-use-bias-str", lambda: L.Dense(8, use_bias="no"), TypeError, "use_bias", "'no'"),
    ("dense-unknown-kwarg", lambda: L.Dense(8, activaton="relu"), ValueError, "Dense", "activaton"),
    ("dense-input-shape-str", lambda: L.Dense(8, input_shape="10"), TypeError, "input_shape", "'10'"),
    ("dense-input-shape-neg", lambda: L.Dense(8, input_shape=(-1,)), ValueError, "input_shape", "-1"),
    ("dropout-str", lambda: L.Dropout("0.5"), TypeError, "rate", "'0.5'"),
    ("dropout-big", lambda: L.Dropout(1.5), ValueError, "rate", "1.5", "[0, 1)"),
    ("dropout-neg", lambda: L.Dropout(-0.1), ValueError, "rate", "-0.1"),
    ("dropout-one", lambda: L.Dropout(1.0), ValueError, "rate", "1.0"),
    ("dropout-none", lambda: L.Dropout(None), TypeError, "rate", "None"),
    ("embedding-str", lambda: L.Embedding("10", 4), TypeError, "input_dim", "'10'"),
    ("embedding-out-str", lambda: L.Embedding(10, "4"), TypeError, "output_dim", "'4'"),
    ("embedding-zero", lambda: L.Embedding(0, 4), ValueError, "input_dim", "0"),
    ("embedding-out-neg", lambda: L.Embedding(10, -4), ValueError, "output_dim", "-4"),
    ("embedding-float", lambda: L.Embedding(10.5, 4), TypeError, "input_dim", "10.5"),
    ("embedding-init", lambda: L.Embedding(10, 4, embeddings_initializer="unifrom"), ValueError,
     "unifrom", "uniform"),
    ("embedding-ids-high", lambda: L.Embedding(10, 4)(np.array([[1, 10]])), ValueError, "[0, 10)", "10"),
    ("embedding-ids-neg", lambda: L.Embedding(10, 4)(np.array([[-3, 1]])), ValueError, "[0, 10)", "-3"),
    ("activation-unknown", lambda: L.Activation("sigmod"), ValueError, "sigmod", "sigmoid"),
    ("activation-int", lambda: L.Activation(5), ValueError, "activation", "5"),
    ("batchnorm-momentum", lambda: L.BatchNormalization(momentum=1.5), ValueError, "momentum", "1.5"),
    ("batchnorm-eps", lambda: L.BatchNormalization(epsilon=-1e-3), ValueError, "epsilon", "-0.001"),
    ("batchnorm-eps-str", lambda: L.BatchNormalization(epsilon="small"), TypeError, "epsilon", "'small'"),
    ("input-shape-str", lambda: L.Input(shape="10"), TypeError, "shape", "'10'"),
    ("input-shape-neg", lambda: L.Input(shape=(-5,)), ValueError, "shape", "-5"),
    ("input-no-shape", lambda: L.Input(), ValueError, "shape"),
    ("set-weights-count", lambda: _built_dense().set_weights([np.ones((4, 2))]), ValueError, "2 weights", "1"),
    ("set-weights-shape", lambda: _built_dense().set_weights([np.ones((3, 2)), np.ones(2)]), ValueError,
     "(4, 2)", "(3, 2)"),
    ("dense-called-on-list", lambda: L.Dense(3)([L.Input((4,)), L.Input((4,))]), ValueError, "1 input",
     "list of 2"),
    ("dense-eager-on-list", lambda: L.Dense(3)([np.ones((2, 4)), np.ones((2, 4))]), ValueError, "1 input",
     "list of 2"),
    ("add-one-input", lambda: L.Add()([L.Input((4,))]), ValueError, "at least 2", "list of 1"),
    ("add-not-list", lambda: L.Add()(L.Input((4,))), ValueError, "at least 2", "(None, 4)"),
    ("add-mismatch", lambda: L.Add()([L.Input((4,)), L.Input((5,))]), ValueError, "(None, 4)", "(None, 5)"),
    ("add-mismatch-eager", lambda: L.Add()([np.ones((2, 4)), np.ones((2, 5))]), ValueError, "(2, 4)", "(2, 5)"),
    ("concat-mismatch", lambda: L.Concatenate(axis=1)([L.Input((4, 2)), L.Input((5, 3))]), ValueError,
     "(None, 4, 2)", "(None, 5, 3)"),
    ("concat-axis-str", lambda: L.Concatenate(axis="last"), TypeError, "axis", "'last'"),
])


def _built_dense():
    d = L.Dense(2)
    d.build((None, 4))
    return d


@case("dense-wrong-features-eager", ValueError, "4 features", "got 3", "(5, 3)")
def _():
    d = L.Dense(2)
    d(np.ones((2, 4), "float32"))
    d(np.ones((5, 3), "float32"))


@case("concat-axis-out-of-range", ValueError, "axis", "5", "rank 2")
def _():
    a, b = L.Input((4,)), L.Input((3,))
    L.Concatenate(axis=5)([a, b])


@case("concat-axis-neg-out-of-range", ValueError, "axis", "-3", "rank 2")
def _():
    a, b = L.Input((4,)), L.Input((3,))
    L.Concatenate(axis=-3)([a, b])


# ---- functional and sequential models -----------------------------------------------------------------

@case("model-output-not-from-inputs", ValueError, "not among the model's inputs")
def _():
    a, b = L.Input((4,)), L.Input((4,))
    gk.Model(a, L.Dense(1)(b))


@case("model-inputs-not-keras-tensors", ValueError, "Input(...)", "got")
def _():
    gk.Model(np.ones((2, 4)), L.Dense(1)(L.Input((4,))))


@case("model-missing-outputs", ValueError, "inputs and outputs")
def _():
    gk.Model(L.Input((4,)))


def _wrong_input_count():
    a, b = L.Input((4,)), L.Input((3,))
    m = gk.Model([a, b], L.Dense(1)(L.Concatenate()([a, b])))
    m.predict(np.ones((2, 4)), verbose=0)


@case("model-wrong-features-predict", ValueError, "4 features", "3")
def _():
    a = L.Input((4,))
    gk.Model(a, L.Dense(1)(a)).predict(np.ones((2, 3)), verbose=0)


@case("sequential-non-layer", ValueError, "layer", "'relu'")
def _():
    gk.Sequential([L.Dense(2), "relu"])


@case("sequential-add-non-layer", ValueError, "layer", "42")
def _():
    gk.Sequential().add(42)


@case("sequential-pop-empty", ValueError, "empty")
def _():
    gk.Sequential().pop()


@case("sequential-build-no-shape", ValueError, "input shape")
def _():
    gk.Sequential([L.Dense(2)]).build()


@case("get-layer-unknown", ValueError, "'dens'", "layers are")
def _():
    mlp().get_layer("dens")


@case("fit-before-compile", RuntimeError, "compile")
def _():
    m = gk.Sequential([L.Input((4,)), L.Dense(1)])
    m.fit(*xy(), verbose=0)


@case("compile-unknown-loss", ValueError, "'msee'", "mean_squared_error")
def _():
    mlp().compile(optimizer="sgd", loss="msee")


@case("compile-loss-int", ValueError, "loss", "5")
def _():
    mlp().compile(optimizer="sgd", loss=5)


@case("compile-unknown-metric", ValueError, "'acuracy'", "accuracy")
def _():
    m = mlp()
    m.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])
    fit(m, *xy())


@case("load-weights-wrong-shapes", ValueError, "shape", "(4, 5)")
def _():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        m = mlp()
        m.save_weights(os.path.join(d, "w.npz"))
        other = gk.Sequential([L.Input((6,)), L.Dense(5, activation="relu"), L.Dense(3)])
        other.load_weights(os.path.join(d, "w.npz"))


# ---- fit / evaluate / predict data (checked once at the boundary) ----------------------------------------

simple([
    ("fit-length-mismatch", lambda: fit(mlp(), np.ones((20, 4)), np.zeros(19)), ValueError, "20", "19"),
    ("fit-features", lambda: fit(mlp(), np.ones((20, 5)), np.zeros(20)), ValueError, "4 features", "5"),
    ("fit-x-nan", lambda: fit(mlp(), np.full((20, 4), np.nan), np.zeros(20)), ValueError, "x", "NaN"),
    ("fit-x-strings", lambda: fit(mlp(), np.array([["a"] * 4] * 20), np.zeros(20)), ValueError, "x", "numeric"),
    ("fit-x-ragged", lambda: fit(mlp(), [[1, 2], [1, 2, 3]], [0, 1]), ValueError, "x", "pad_sequences"),
    ("fit-x-scalar", lambda: fit(mlp(), 3.0, 1), ValueError, "x", "scalar"),
    ("evaluate-length", lambda: mlp().evaluate(np.ones((20, 4)), np.zeros(10), verbose=0), ValueError,
     "20", "10"),
    ("evaluate-features", lambda: mlp().evaluate(np.ones((20, 2)), np.zeros(20), verbose=0), ValueError,
     "4 features", "2"),
    ("evaluate-before-compile", lambda: gk.Sequential([L.Input((4,)), L.Dense(1)]).evaluate(
        np.ones((2, 4)), np.ones(2), verbose=0), RuntimeError, "compile"),
    ("predict-features", lambda: mlp().predict(np.ones((3, 7)), verbose=0), ValueError, "4 features", "7"),
    ("predict-strings", lambda: mlp().predict(np.array([["x"] * 4]), verbose=0), ValueError, "x", "numeric"),
    ("fit-unknown-sampling", lambda: fit(mlp(), *xy(), sampling="random-ish"), ValueError, "sampling",
     "'random-ish'", "shuffle"),
    ("fit-epoch-loss", lambda: fit(mlp(), *xy(), epoch_loss="last"), ValueError, "epoch_loss", "'last'"),
    ("fit-class-weight", lambda: fit(mlp(), *xy(), class_weight={0: 1.0}), ValueError, "class_weight"),
])

STEP_CASES = [  # issue 11 item 2: checked once at the data boundary (training/data_adapter.py)
    ("model-wrong-input-count", _wrong_input_count, ValueError, "2 inputs", "1 array"),
    ("fit-batch-size-zero", lambda: fit(mlp(), *xy(), batch_size=0), ValueError, "batch_size", "0"),
    ("fit-batch-size-str", lambda: fit(mlp(), *xy(), batch_size="32"), TypeError, "batch_size", "'32'"),
    ("fit-batch-size-float", lambda: fit(mlp(), *xy(), batch_size=8.5), TypeError, "batch_size", "8.5"),
    ("fit-epochs-neg", lambda: fit(mlp(), *xy(), epochs=-1), ValueError, "epochs", "-1"),
    ("fit-epochs-float", lambda: fit(mlp(), *xy(), epochs=2.5), TypeError, "epochs", "2.5"),
    ("fit-epochs-str", lambda: fit(mlp(), *xy(), epochs="3"), TypeError, "epochs", "'3'"),
    ("fit-steps-zero", lambda: fit(mlp(), *xy(), sampling="random", steps_per_epoch=0), ValueError,
     "steps_per_epoch", "0"),
    ("fit-val-split-big", lambda: fit(mlp(), *xy(), validation_split=1.5), ValueError, "validation_split", "1.5"),
    ("fit-val-split-str", lambda: fit(mlp(), *xy(), validation_split="0.2"), TypeError, "validation_split",
     "'0.2'"),
    ("fit-empty", lambda: fit(mlp(), np.ones((0, 4)), np.zeros(0)), ValueError, "x", "0 samples"),
    ("fit-y-inf", lambda: fit(mlp(loss="mse", n_out=1, act=None), np.ones((20, 4)),
                              np.r_[np.zeros(19), np.inf]), ValueError, "y", "inf"),
    ("fit-x-overflow", lambda: fit(mlp(), np.full((20, 4), 1e300), np.zeros(20)), ValueError, "x", "float32"),
    ("fit-label-high", lambda: fit(mlp(jit=False), *late_bad(60, 7), batch_size=8), ValueError, "[0, 3)", "7"),
    ("fit-label-high-compiled", lambda: fit(mlp(), *late_bad(60, 7), batch_size=8), ValueError, "[0, 3)", "7"),
    ("fit-label-neg", lambda: fit(mlp(jit=False), *late_bad(60, -1), batch_size=8), ValueError, "[0, 3)", "-1"),
    ("fit-label-neg-compiled", lambda: fit(mlp(), *late_bad(60, -1), batch_size=8), ValueError, "[0, 3)", "-1"),
    ("fit-label-frac", lambda: fit(mlp(), xy()[0], np.full(20, 1.5)), ValueError, "integer", "1.5"),
    ("fit-bce-label-2", lambda: fit(mlp(n_out=1, act="sigmoid", loss="binary_crossentropy"), xy()[0],
                                    np.r_[np.zeros(19), 2.0]), ValueError, "binary_crossentropy", "2"),
    ("fit-onehot-to-sparse", lambda: fit(mlp(), xy()[0], np.eye(3)[xy()[1]]), ValueError,
     "sparse_categorical_crossentropy", "(20, 3)"),
    ("fit-ints-to-categorical", lambda: fit(mlp(loss="categorical_crossentropy"), *xy()), ValueError,
     "categorical_crossentropy", "(20,)"),
    ("fit-mse-label-shape", lambda: fit(mlp(loss="mse"), *xy()), ValueError, "(20,)", "(20, 3)"),
    ("fit-mse-label-shape-3", lambda: fit(mlp(loss="mse"), xy(3)[0], xy(3)[1]), ValueError, "(3,)", "(3, 3)"),
    ("fit-emb-id-high", lambda: fit(emb_model(jit=False), np.r_[np.zeros((63, 5)), [[1, 2, 3, 4, 10]]],
                                    np.zeros(64), batch_size=8), ValueError, "[0, 10)", "10"),
    ("fit-emb-id-high-compiled", lambda: fit(emb_model(), np.r_[np.zeros((63, 5)), [[1, 2, 3, 4, 10]]],
                                             np.zeros(64), batch_size=8), ValueError, "[0, 10)", "10"),
    ("fit-emb-id-neg-compiled", lambda: fit(emb_model(), np.r_[np.zeros((63, 5)), [[1, 2, -3, 4, 1]]],
                                            np.zeros(64), batch_size=8), ValueError, "[0, 10)", "-3"),
    ("fit-emb-id-frac", lambda: fit(emb_model(), np.full((8, 5), 1.5), np.zeros(8)), ValueError, "integer",
     "1.5"),
    ("fit-val-data-features", lambda: fit(mlp(), *xy(), validation_data=(np.ones((5, 3)), np.zeros(5))),
     ValueError, "validation", "3"),
    ("fit-val-data-label", lambda: fit(mlp(), *xy(), validation_data=(np.ones((5, 4)), np.full(5, 9))),
     ValueError, "validation", "9"),
    ("fit-val-data-tuple", lambda: fit(mlp(), *xy(), validation_data=(np.ones((5, 4)),)), ValueError,
     "validation_data", "1"),
    ("fit-val-data-nan", lambda: fit(mlp(), *xy(), validation_data=(np.full((5, 4), np.nan), np.zeros(5))),
     ValueError, "validation", "NaN"),
    ("fit-callbacks-not-list", lambda: fit(mlp(), *xy(), callbacks=gk.callbacks.EarlyStopping()), TypeError,
     "callbacks", "EarlyStopping"),
    ("fit-callbacks-item", lambda: fit(mlp(), *xy(), callbacks=[print]), TypeError, "callbacks", "print"),
    ("compile-metrics-str", lambda: mlp().compile(optimizer="sgd", loss="mse", metrics="accuracy"), TypeError,
     "metrics", "'accuracy'"),
    ("evaluate-label-high", lambda: mlp().evaluate(xy()[0], np.full(20, 5), verbose=0), ValueError, "[0, 3)",
     "5"),
    ("evaluate-nan", lambda: mlp().evaluate(np.full((20, 4), np.nan), np.zeros(20), verbose=0), ValueError,
     "x", "NaN"),
    ("evaluate-batch-size", lambda: mlp().evaluate(*xy(), batch_size=-4, verbose=0), ValueError, "batch_size",
     "-4"),
    ("predict-nan", lambda: mlp().predict(np.full((3, 4), np.nan), verbose=0), ValueError, "x", "NaN"),
    ("predict-batch-size", lambda: mlp().predict(np.ones((3, 4)), batch_size=0, verbose=0), ValueError,
     "batch_size", "0"),
    ("predict-empty", lambda: mlp().predict(np.ones((0, 4)), verbose=0), ValueError, "x", "0 samples"),
    ("predict-emb-id", lambda: emb_model().predict(np.full((2, 5), 12), verbose=0), ValueError, "[0, 10)", "12"),
]
simple(STEP_CASES)


# ---- autodiff -----------------------------------------------------------------------------------------

def _no_grad_backward():
    w = Tensor(np.ones(3), requires_grad=True)
    with no_grad():
        y = (w * 2).sum()
    y.backward()


def _backward_no_grad_result():
    Tensor(np.ones(3)).sum().backward()


simple([
    ("tensor-str", lambda: Tensor("abc"), TypeError, "numeric", "'abc'"),
    ("tensor-mixed-list", lambda: Tensor([1, "a"]), TypeError, "numeric", "<U"),
    ("tensor-object", lambda: Tensor(object()), TypeError, "numeric", "object"),
    ("tensor-ragged", lambda: Tensor([[1, 2], [3]]), TypeError, "numeric", "[[1, 2], [3]]"),
    ("tensor-dict", lambda: Tensor({"a": 1}), TypeError, "numeric", "dict"),
    ("tensor-int-requires-grad", lambda: Tensor([1, 2], requires_grad=True), TypeError, "float", "int"),
    ("backward-under-no-grad", _no_grad_backward, RuntimeError, "no_grad", "requires_grad"),
    ("backward-no-grad-result", _backward_no_grad_result, RuntimeError, "requires_grad", "graph"),
    ("backward-non-scalar", lambda: (Tensor(np.ones(3), requires_grad=True) * 2).backward(), RuntimeError,
     "(3,)", "grad="),
    ("backward-grad-shape", lambda: (Tensor(np.ones(3), requires_grad=True) * 2).backward(np.ones(2)),
     ValueError, "(2,)", "(3,)"),
    ("add-shapes", lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones((4,))), ValueError, "(2, 3)", "(4,)"),
    ("matmul-shapes", lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2))), ValueError, "(2, 3)", "(4, 2)"),
    ("reshape-size", lambda: ops.reshape(Tensor(np.ones(6)), (4, 2)), ValueError, "(6,)", "(4, 2)"),
    ("concatenate-shapes", lambda: ops.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))], axis=0),
     ValueError, "(2, 3)", "(2, 4)"),
    ("assign-shape", lambda: Tensor(np.ones(3)).assign(np.ones(4)), ValueError, "(4,)", "(3,)"),
    ("sparse-ce-label-range", lambda: nn.sparse_softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
     ValueError, "[0, 3)", "3"),
])


# ---- save / load --------------------------------------------------------------------------------------

def _saved(tmp, name="m.gdk"):
    m = mlp()
    path = os.path.join(tmp, name)
    m.save(path)
    return m, path


def _tmpdir():
    import tempfile
    return tempfile.mkdtemp(prefix="gk-battery-")


def _save_to_folder():
    d = _tmpdir()
    mlp().save(d)


def _save_missing_parent():
    d = _tmpdir()
    mlp().save(os.path.join(d, "no", "such", "m.gdk"))


def _save_weights_folder():
    d = _tmpdir()
    mlp().save_weights(d)


def _save_readonly(monkeypatch=None):
    import tempfile
    d = _tmpdir()
    orig = tempfile.mkstemp

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied", os.path.join(d, ".tmp-x.part"))
    tempfile.mkstemp = denied
    try:
        mlp().save(os.path.join(d, "m.gdk"))
    finally:
        tempfile.mkstemp = orig


def _save_overwrite():
    d = _tmpdir()
    _, p = _saved(d)
    mlp().save(p, overwrite=False)


def _load_missing():
    gk.models.load_model(os.path.join(_tmpdir(), "nothing.gdk"))


def _load_folder():
    gk.models.load_model(_tmpdir())


def _load_truncated():
    d = _tmpdir()
    _, p = _saved(d)
    data = open(p, "rb").read()
    open(p, "wb").write(data[: len(data) // 2])
    gk.models.load_model(p)


def _load_not_zip():
    p = os.path.join(_tmpdir(), "m.gdk")
    open(p, "w").write("hello")
    gk.models.load_model(p)


def _load_other_zip():
    import zipfile
    p = os.path.join(_tmpdir(), "m.gdk")
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hi")
    gk.models.load_model(p)


def _load_weights_missing():
    mlp().load_weights(os.path.join(_tmpdir(), "w.npz"))


def _load_weights_wrong_count():
    d = _tmpdir()
    p = os.path.join(d, "w.npz")
    np.savez(p, a=np.ones(3))
    mlp().load_weights(p)


def _checkpoint_folder():
    d = _tmpdir()
    fit(mlp(), *xy(), callbacks=[gk.callbacks.ModelCheckpoint(d)])


def _checkpoint_key():
    d = _tmpdir()
    fit(mlp(), *xy(), callbacks=[gk.callbacks.ModelCheckpoint(os.path.join(d, "m-{val_acc:.2f}.gdk"))])


def _csv_folder():
    d = _tmpdir()
    fit(mlp(), *xy(), callbacks=[gk.callbacks.CSVLogger(d)])


def _csv_missing_parent():
    d = _tmpdir()
    fit(mlp(), *xy(), callbacks=[gk.callbacks.CSVLogger(os.path.join(d, "nope", "log.csv"))])


def _loaded_unknown_class():
    import json
    import zipfile
    d = _tmpdir()
    _, p = _saved(d)
    with zipfile.ZipFile(p) as z:
        members = {n: z.read(n) for n in z.namelist()}
    cfg = json.loads(members["config.json"])
    cfg["class_name"] = "MyNet"
    members["config.json"] = json.dumps(cfg).encode()
    with zipfile.ZipFile(p, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    gk.models.load_model(p)


simple([
    ("save-to-folder", _save_to_folder, OSError, "gk-battery-", "folder"),
    ("save-missing-parent", _save_missing_parent, OSError, os.path.join("no", "such"), "does not exist"),
    ("save-weights-folder", _save_weights_folder, OSError, "gk-battery-", "folder"),
    ("save-readonly", _save_readonly, OSError, "m.gdk", "permission"),
    ("save-overwrite-false", _save_overwrite, ValueError, "m.gdk", "overwrite=True"),
    ("load-missing", _load_missing, ValueError, "nothing.gdk", "no such file"),
    ("load-folder", _load_folder, ValueError, "gk-battery-", "folder"),
    ("load-truncated", _load_truncated, ValueError, "m.gdk", "truncated"),
    ("load-not-zip", _load_not_zip, ValueError, "m.gdk", "not a readable gradkit file"),
    ("load-other-zip", _load_other_zip, ValueError, "m.gdk", "config.json"),
    ("load-unknown-class", _loaded_unknown_class, ValueError, "'MyNet'", "custom_objects"),
    ("load-weights-missing", _load_weights_missing, ValueError, "w.npz", "no such file"),
    ("load-weights-count", _load_weights_wrong_count, ValueError, "w.npz", "1 weights", "4"),
    ("checkpoint-folder", _checkpoint_folder, OSError, "gk-battery-", "folder"),
    ("checkpoint-format-key", _checkpoint_key, ValueError, "val_acc", "filepath", "loss"),
    ("csvlogger-folder", _csv_folder, OSError, "gk-battery-", "folder"),
    ("csvlogger-missing-parent", _csv_missing_parent, OSError, os.path.join("nope", "log.csv"), "does not exist"),
])


# ---- callbacks, losses, metrics, initializers ------------------------------------------------------------

simple([
    ("earlystopping-mode", lambda: gk.callbacks.EarlyStopping(mode="best"), ValueError, "mode", "'best'"),
    ("reducelr-factor", lambda: gk.callbacks.ReduceLROnPlateau(factor=1.5), ValueError, "factor", "1.5"),
    ("checkpoint-save-freq", lambda: gk.callbacks.ModelCheckpoint("m.gdk", save_freq=5), ValueError,
     "save_freq", "5"),
    ("loss-unknown", lambda: gk.losses.get("cross_entropy"), ValueError, "'cross_entropy'", "valid names"),
    ("loss-reduction", lambda: gk.losses.MeanSquaredError(reduction="avg"), ValueError, "reduction", "'avg'"),
    ("loss-unknown-kwarg", lambda: gk.losses.MeanSquaredError(axis=1, foo=2), ValueError, "foo"),
    ("categorical-ce-shapes", lambda: gk.losses.categorical_crossentropy(np.eye(3), np.ones((3, 4)) / 4),
     ValueError, "(3, 3)", "(3, 4)"),
    ("metric-unknown", lambda: gk.metrics.get("acuracy"), ValueError, "'acuracy'", "accuracy"),
    ("initializer-unknown", lambda: gk.initializers.get("he_normall"), ValueError, "'he_normall'", "he_normal"),
    ("variance-scaling-mode", lambda: gk.initializers.VarianceScaling(mode="fan"), ValueError, "mode", "'fan'"),
    ("activation-get", lambda: gk.activations.get("gelu-ish"), ValueError, "'gelu-ish'", "relu"),
])


# ---- datasets -------------------------------------------------------------------------------------------

def _npz_without(keys, name):
    p = os.path.join(_tmpdir(), name)
    np.savez(p, **{k: np.zeros(3) for k in keys})
    return p


simple([
    ("mnist-missing-keys", lambda: gk.datasets.mnist.load_data(path=_npz_without(["x_train", "y_train"],
                                                                                 "mine.npz")),
     ValueError, "mine.npz", "x_test", "x_train"),
    ("boston-missing-keys", lambda: gk.datasets.boston_housing.load_data(path=_npz_without(["x"], "b.npz")),
     ValueError, "b.npz", "'y'"),
    ("imdb-missing-keys", lambda: gk.datasets.imdb.load_data(path=_npz_without(["x_train"], "i.npz")),
     ValueError, "i.npz", "y_train"),
    ("boston-test-split", lambda: gk.datasets.boston_housing.load_data(test_split=1.5), ValueError,
     "test_split", "1.5"),
    ("imdb-unknown-kwarg", lambda: gk.datasets.imdb.load_data(num_word=100), ValueError, "num_word"),
    ("npz-not-zip", lambda: gk.datasets.npz.load_npz(_write_text("x.npz", "nope")), ValueError, "x.npz",
     "npz"),
])


def _write_text(name, text):
    p = os.path.join(_tmpdir(), name)
    open(p, "w").write(text)
    return p


# ---- preprocessing -------------------------------------------------------------------------------------

simple([
    ("to-categorical-float", lambda: P.to_categorical([0.5, 1.0]), ValueError, "integer", "0.5"),
    ("to-categorical-neg", lambda: P.to_categorical([0, -1], num_classes=3), ValueError, "[0, 3)", "-1"),
    ("to-categorical-small", lambda: P.to_categorical([0, 5], num_classes=3), ValueError, "[0, 3)", "5"),
    ("to-categorical-str", lambda: P.to_categorical(["a", "b"]), ValueError, "integer", "<U1"),
    ("pad-padding", lambda: P.pad_sequences([[1, 2]], padding="mid"), ValueError, "padding", "'mid'"),
    ("pad-truncating", lambda: P.pad_sequences([[1, 2]], truncating="middle"), ValueError, "truncating",
     "'middle'"),
    ("pad-not-list", lambda: P.pad_sequences(5), ValueError, "sequences", "list"),
    ("pad-maxlen-neg", lambda: P.pad_sequences([[1, 2]], maxlen=-1), ValueError, "maxlen", "-1"),
    ("minmax-range", lambda: P.MinMaxScaler(feature_range=(1, 0)), ValueError, "feature_range", "(1, 0)"),
    ("scaler-not-fitted", lambda: P.StandardScaler().transform(np.ones((2, 2))), ValueError, "fit"),
    ("scaler-features", lambda: P.StandardScaler().fit(np.ones((3, 2))).transform(np.ones((3, 4))), ValueError,
     "2 features", "4"),
    ("scaler-nan", lambda: P.MinMaxScaler().fit(np.array([[1.0, np.nan]])), ValueError, "NaN"),
    ("scaler-1d", lambda: P.StandardScaler().fit(np.ones(3)), ValueError, "2-D", "(3,)"),
    ("split-test-size", lambda: P.train_test_split(np.ones(10), test_size=1.5), ValueError, "test_size", "1.5"),
    ("split-rows", lambda: P.train_test_split(np.ones(10), np.ones(9)), ValueError, "10", "9"),
    ("split-none", lambda: P.train_test_split(), ValueError, "at least one array"),
    ("kfold-one", lambda: P.KFold(n_splits=1), ValueError, "n_splits", "1"),
    ("kfold-more-than-samples", lambda: list(P.KFold(n_splits=5).split(np.ones(3))), ValueError, "5", "3"),
    ("kfold-seed-no-shuffle", lambda: P.KFold(3, seed=1), ValueError, "seed", "shuffle"),
    ("vectorize-range", lambda: P.vectorize_sequences([[1, 12]], dimension=10), ValueError, "[0, 10)", "12"),
    ("multi-hot-range", lambda: P.multi_hot([[0, 4]], num_classes=3), ValueError, "[0, 3)", "4"),
])


# ---- parallel runs --------------------------------------------------------------------------------------

def _failing_model():
    raise RuntimeError("boom in build_model")


def _small_model(units=2):
    m = gk.Sequential([L.Input((3,)), L.Dense(units), L.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


PX, PY = np.random.default_rng(0).normal(size=(12, 3)), np.random.default_rng(1).normal(size=12)

simple([
    ("cv-all-fail", lambda: gk.parallel.cross_validate(_failing_model, PX, PY, k=3, progress=False),
     RuntimeError, "all 3 jobs failed", "boom in build_model", "Traceback"),
    ("sweep-all-fail", lambda: gk.parallel.sweep(lambda units: _failing_model(), {"units": [1, 2]}, PX, PY,
                                                 progress=False), RuntimeError, "all 2 jobs failed",
     "boom in build_model", "Traceback"),
    ("sweep-empty-grid", lambda: gk.parallel.sweep(_small_model, {}, PX, PY, metric="loss", progress=False), ValueError,
     "grid", "{}"),
    ("sweep-empty-list", lambda: gk.parallel.sweep(_small_model, [], PX, PY, progress=False), ValueError,
     "grid", "[]"),
    ("sweep-empty-values", lambda: gk.parallel.sweep(_small_model, {"units": []}, PX, PY, progress=False),
     ValueError, "grid", "units"),
    ("sweep-grid-not-list", lambda: gk.parallel.sweep(_small_model, {"units": 4}, PX, PY, progress=False),
     TypeError, "grid", "units", "4"),
    ("sweep-mode", lambda: gk.parallel.sweep(_small_model, {"units": [2]}, PX, PY, mode="best", metric="loss",
                                             progress=False), ValueError, "mode", "'best'"),
    ("sweep-metric", lambda: gk.parallel.sweep(_small_model, {"units": [2]}, PX, PY, metric="val_acc",
                                               progress=False), ValueError, "val_acc", "validation_data"),
    ("cv-k-one", lambda: gk.parallel.cross_validate(_small_model, PX, PY, k=1, progress=False), ValueError,
     "k", "1"),
    ("cv-k-too-big", lambda: gk.parallel.cross_validate(_small_model, PX, PY, k=20, progress=False),
     ValueError, "20", "12"),
    ("cv-workers-zero", lambda: gk.parallel.cross_validate(_small_model, PX, PY, k=2, workers=0, progress=False),
     ValueError, "workers", "0"),
    ("cv-workers-and-scheduler", lambda: gk.parallel.cross_validate(
        _small_model, PX, PY, k=2, workers=1, scheduler="tcp://x:1", progress=False), ValueError, "workers",
     "scheduler"),
    ("cv-length-mismatch", lambda: gk.parallel.cross_validate(_small_model, PX, PY[:5], k=2, progress=False),
     ValueError, "12", "5"),
])


# ---- the CLI --------------------------------------------------------------------------------------------

def cli(*args, cwd=None):
    """Run ``gradkit ARGS`` in a subprocess; raise CLIFailure(stderr) when it fails as the battery expects."""
    env = {**os.environ, "MPLBACKEND": "Agg", "GRADKIT_OFFLINE": "1"}
    src = os.path.dirname(os.path.dirname(os.path.abspath(gk.__file__)))  # the gradkit this test imported
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run([sys.executable, "-c", "import sys; from gradkit.cli import main; sys.exit(main())", *args], capture_output=True, text=True, cwd=cwd,
                       env=env, timeout=120)
    return r


class CLIError(GradkitError, SystemExit):
    """What the battery raises for a CLI run that failed cleanly: exit status 2, one line, no traceback."""


def cli_case(*args, made=None):
    def run():
        cwd = _tmpdir()
        r = cli(*args, cwd=cwd)
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        if r.returncode == 0:
            return  # silent
        if made is not None and os.path.exists(os.path.join(cwd, made)):
            raise RuntimeError(f"half-made run folder {made!r} left behind: {r.stderr}")
        if r.returncode != 2 or "Traceback" in r.stderr or len(lines) != 1:
            raise RuntimeError(f"exit {r.returncode}, stderr: {r.stderr}")
        raise CLIError(r.stderr)
    return run


simple([
    ("cli-seed-neg", cli_case("run", "logic-gates", "--seed", "-1", "--quick", "--out", "run1", made="run1"),
     SystemExit, "--seed", "-1"),
    ("cli-out-is-file", cli_case("run", "logic-gates", "--quick", "--out", "/etc/hostname"), SystemExit,
     "--out", "/etc/hostname"),
    ("cli-out-under-file", cli_case("run", "logic-gates", "--quick", "--out", "/etc/hostname/run"), SystemExit,
     "--out", "/etc/hostname/run"),
    ("cli-unknown-recipe", cli_case("run", "no-such-recipe"), SystemExit, "no-such-recipe", "logic-gates"),
    ("cli-epochs-zero", cli_case("run", "logic-gates", "--epochs", "0", "--out", "r", made="r"), SystemExit,
     "--epochs", "0"),
    ("cli-workers-zero", cli_case("run", "boston-kfold", "--workers", "0", "--out", "r", made="r"), SystemExit,
     "--workers", "0"),
    ("cli-missing-name", cli_case("run"), SystemExit, "missing argument 'NAME'", "boston-gd"),
    ("cli-report-missing", cli_case("report", "/nonexistent/run"), SystemExit, "/nonexistent/run"),
])


# ---- the tests ------------------------------------------------------------------------------------------

def run_case(fn):
    """(exception or None) from calling fn with warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prev = B.floatx()
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 - classifying is the point
            if isinstance(e, KeyboardInterrupt):
                raise
            return e
        finally:
            B.set_floatx(prev)
    return None


def verdict(exc_type, says, e):
    """'clear', 'unclear' or 'silent' for the exception e (None: none was raised)."""
    if e is None:
        return "silent"
    text = str(e).lower()
    ok = isinstance(e, GradkitError) and isinstance(e, exc_type) and all(s.lower() in text for s in says)
    return "clear" if ok else "unclear"


@pytest.mark.parametrize("id,fn,exc,says,xfail", CASES, ids=[c[0] for c in CASES])
def test_bad_input(id, fn, exc, says, xfail, request):
    if xfail:
        request.applymarker(pytest.mark.xfail(reason=xfail, strict=False))
    e = run_case(fn)
    assert e is not None, f"{id}: nothing was raised"
    assert isinstance(e, GradkitError), f"{id}: {type(e).__name__} is not a gradkit error: {e}"
    assert isinstance(e, exc), f"{id}: {type(e).__mro__} is not a {exc.__name__}: {e}"
    missing = [s for s in says if s.lower() not in str(e).lower()]
    assert not missing, f"{id}: the message does not mention {missing}: {e}"


def test_battery_size():
    assert len(CASES) >= 150
    assert len({c[0] for c in CASES}) == len(CASES)


if __name__ == "__main__":
    counts, rows = {"clear": 0, "unclear": 0, "silent": 0}, []
    for id, fn, exc, says, _ in CASES:
        e = run_case(fn)
        v = verdict(exc, says, e)
        counts[v] += 1
        rows.append(f"{v:8} {id:32} {type(e).__name__ if e else '-'}: {str(e)[:150]!r}" if e else f"{v:8} {id}")
    if "-v" in sys.argv:
        print("\n".join(rows))
    print(f"{len(CASES)} cases: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
