"""fit's compiled step (the default) against jit_compile=False: identical weights, for every layer, loss, optimizer."""
import numpy as np
import pytest

from gradkit import backend, losses, optimizers
from gradkit.layers import (Activation, Add, BatchNormalization, Concatenate, Dense, Dropout, Embedding, Flatten,
                            Input)
from gradkit.models import Model, Sequential

R = np.random.default_rng(11)
X = R.standard_normal((30, 4)).astype(np.float32)
Y_REG = R.standard_normal((30, 1)).astype(np.float32)
Y_INT = R.integers(0, 3, 30)
Y_HOT = np.eye(3, dtype=np.float32)[Y_INT]
Y_BIN = (R.random((30, 1)) > 0.5).astype(np.float32)


def _fit_both(build, x, y, loss, optimizer="sgd", metrics=None, **fit_kw):
    """Fit the same model eagerly and compiled (same seed); return both models after 3 epochs of batch 8."""
    models = []
    for jit in (False, "auto"):
        backend.set_seed(3)
        model = build()
        model.compile(optimizers.get(optimizer) if isinstance(optimizer, str) else optimizer(), loss,
                      metrics=metrics, jit_compile=jit)
        hist = model.fit(x, y, batch_size=8, epochs=3, verbose=0, **fit_kw)
        models.append((model, hist.history))
    (eager, he), (compiled, hc) = models
    for a, b in zip(eager.get_weights(), compiled.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert list(he.values()) == list(hc.values())  # layer names in metric keys differ
    return compiled


def _replayed(model):
    """Whether fit's step really ran as a verified replay (not the eager fallback)."""
    step = model._compiled_step
    return not step.eager and any(verified for _, verified in step.programs.values())


LAYER_CASES = {
    "dense": lambda: Sequential([Input((4,)), Dense(5, activation="relu"), Dense(1)]),
    "activation": lambda: Sequential([Input((4,)), Dense(5), Activation("tanh"), Dense(1)]),
    "dropout": lambda: Sequential([Input((4,)), Dense(8, activation="relu"), Dropout(0.4), Dense(1)]),
    "batchnorm": lambda: Sequential([Input((4,)), Dense(5), BatchNormalization(), Activation("relu"), Dense(1)]),
}


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_layers_compiled_equals_eager(name):
    model = _fit_both(LAYER_CASES[name], X, Y_REG, "mse", metrics=["mae"])
    assert _replayed(model)
    if name == "batchnorm":  # the moving statistics (updated in forward) are among the identical weights
        assert not np.array_equal(model.layers[1].moving_mean.numpy(), 0)


def test_flatten_compiled_equals_eager():
    x = X.reshape(30, 2, 2)
    _fit_both(lambda: Sequential([Input((2, 2)), Flatten(), Dense(3, activation="sigmoid"), Dense(1)]), x, Y_REG, "mse")


def test_embedding_compiled_equals_eager():
    ids = R.integers(0, 10, (30, 3))
    model = _fit_both(lambda: Sequential([Input((3,)), Embedding(10, 2), Flatten(), Dense(1)]), ids, Y_REG, "mse")
    assert _replayed(model)  # the ids are an input of the embedding op, so the replay follows each batch


@pytest.mark.parametrize("merge", [Add, Concatenate])
def test_functional_merge_compiled_equals_eager(merge):
    def build():
        inp = Input((4,))
        a, b = Dense(3, activation="tanh")(inp), Dense(3)(inp)
        return Model(inp, Dense(1)(merge()([a, b])))
    assert _replayed(_fit_both(build, X, Y_REG, "mse"))


def test_two_inputs_two_outputs_compiled_equals_eager():
    def build():
        a, b = Input((4,)), Input((2,))
        h = Concatenate()([Dense(3, activation="relu")(a), b])
        return Model([a, b], [Dense(1)(h), Dense(3, activation="softmax")(h)])
    model = _fit_both(build, [X, X[:, :2]], [Y_REG, Y_INT], ["mse", "sparse_categorical_crossentropy"],
                      metrics=["accuracy"])
    assert _replayed(model)


LOSS_CASES = [
    ("mse", Y_REG, None), ("mae", Y_REG, None), ("huber", Y_REG, None),
    ("binary_crossentropy", Y_BIN, "sigmoid"), (losses.BinaryCrossentropy(from_logits=True), Y_BIN, None),
    ("categorical_crossentropy", Y_HOT, "softmax"), ("sparse_categorical_crossentropy", Y_INT, "softmax"),
    (losses.SparseCategoricalCrossentropy(from_logits=True), Y_INT, None),
    ("categorical_crossentropy", Y_HOT, "sigmoid"),  # not fusable: clipped probabilities
]


@pytest.mark.parametrize("loss,y,act", LOSS_CASES, ids=lambda v: str(getattr(v, "name", v))[:24])
def test_losses_compiled_equals_eager(loss, y, act):
    units = y.shape[1] if y.ndim == 2 else 3
    build = lambda: Sequential([Input((4,)), Dense(6, activation="relu"), Dense(units, activation=act)])  # noqa: E731
    assert _replayed(_fit_both(build, X, y, loss, metrics=["accuracy"] if act else None))


OPTIMIZERS = [
    "sgd", lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True), "rmsprop",
    lambda: optimizers.RMSprop(momentum=0.5, centered=True), "adam", lambda: optimizers.Adam(amsgrad=True),
    "adamw", "adagrad", lambda: optimizers.Adam(global_clipnorm=0.1),
]


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=range(len(OPTIMIZERS)))
def test_optimizers_compiled_equals_eager(opt):
    build = lambda: Sequential([Input((4,)), Dense(5, activation="sigmoid"), Dense(1)])  # noqa: E731
    assert _replayed(_fit_both(build, X, Y_REG, "mse", optimizer=opt))


def test_a_step_the_trace_cannot_repeat_falls_back_to_eager():
    """A Python-side random draw is frozen into the trace: the check on the second batch catches it."""
    class Noisy(Dense):
        def call(self, inputs, training=False):
            noise = backend.rng().standard_normal(self.units).astype(np.float32)
            return super().call(inputs, training) + noise
    model = _fit_both(lambda: Sequential([Input((4,)), Noisy(2), Dense(1)]), X, Y_REG, "mse")
    assert model._compiled_step.eager


def test_jit_compile_false_never_traces():
    backend.set_seed(3)
    model = Sequential([Input((4,)), Dense(1)])
    model.compile("sgd", "mse", jit_compile=False)
    model.fit(X, Y_REG, epochs=1, verbose=0)
    assert getattr(model, "_compiled_step", None) is None


def test_jit_compile_true_warns_when_it_must_fall_back():
    class Noisy(Dense):
        def call(self, inputs, training=False):
            return super().call(inputs, training) + backend.rng().standard_normal(self.units).astype(np.float32)
    model = Sequential([Input((4,)), Noisy(1)])
    model.compile("sgd", "mse", jit_compile=True)
    with pytest.warns(RuntimeWarning, match="eagerly"):
        model.fit(X, Y_REG, batch_size=8, epochs=1, verbose=0)
