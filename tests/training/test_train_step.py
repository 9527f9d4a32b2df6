"""train_step is the one definition of a step: the compiled step wraps it, the user's override included."""
import numpy as np
import pytest

from gradkit import backend
from gradkit.layers import Dense, Input
from gradkit.models import Sequential

R = np.random.default_rng(4)
X = R.standard_normal((30, 4)).astype(np.float32)
Y = R.standard_normal((30, 1)).astype(np.float32)


class HalfLossModel(Sequential):
    """A user's own step: the loss halved before backward (so its weights differ from the default step's)."""

    calls = 0

    def train_step(self, xs, ys):
        type(self).calls += 1
        variables = self.trainable_weights
        for v in variables:
            v.grad = None
        loss, outputs = self.compute_loss_and_outputs(xs, ys)
        (loss * 0.5).backward()
        self.optimizer.apply([v.grad for v in variables], variables)
        return loss, outputs


class CountingModel(Sequential):
    calls = 0

    def train_step(self, xs, ys):
        type(self).calls += 1
        return super().train_step(xs, ys)


def _fit(cls, jit):
    backend.set_seed(1)
    cls.calls = 0
    model = cls([Input((4,)), Dense(3, activation="tanh"), Dense(1)])
    model.compile("sgd", "mse", jit_compile=jit)
    hist = model.fit(X, Y, batch_size=8, epochs=3, verbose=0).history
    return model, hist, cls.calls


@pytest.mark.parametrize("cls", [HalfLossModel, CountingModel])
def test_the_overridden_train_step_is_what_runs_compiled_or_not(cls):
    eager, he, eager_calls = _fit(cls, False)
    compiled, hc, compiled_calls = _fit(cls, "auto")
    assert he == hc
    for a, b in zip(eager.get_weights(), compiled.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert eager_calls == 12  # 3 epochs of 4 batches (8, 8, 8, 6)
    # traced once and checked once per batch shape (8 and 6); the other 8 steps replayed the trace
    assert compiled_calls == 4 and compiled._compiled_step.traces == 2 and not compiled._compiled_step.eager
    default, _, _ = _fit(Sequential, "auto")
    if cls is HalfLossModel:  # the override's own math ran in the replays too
        assert not np.array_equal(default.get_weights()[0], compiled.get_weights()[0])
    else:
        np.testing.assert_array_equal(default.get_weights()[0], compiled.get_weights()[0])


class Noisy(Dense):
    """Draws Python-side noise each call: a replay would freeze it, so the compiled step must fall back."""

    def call(self, inputs, training=False):
        return super().call(inputs, training) + backend.rng().standard_normal(self.units).astype(np.float32)


def test_auto_fallback_to_eager_is_said_once_at_verbose_1(capsys):
    model = Sequential([Input((4,)), Noisy(1)])
    model.compile("sgd", "mse")
    model.fit(X, Y, batch_size=8, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert out.count("falls back to eager") == 1 and "replay differs from the eager step" in out
    model.fit(X, Y, batch_size=8, epochs=2, verbose=0)
    assert "falls back" not in capsys.readouterr().out
