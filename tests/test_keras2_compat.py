"""Keras 2 code from the book's first edition: accepted with one DeprecationWarning naming the Keras 3 spelling."""
import warnings

import numpy as np
import pytest

import gradkit as keras
from gradkit import compat, optimizers
from gradkit.utils import np_utils


@pytest.fixture(autouse=True)
def _fresh_warnings():
    compat.reset()
    yield
    compat.reset()


def _no_warning(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


def test_lr_is_accepted_once_with_a_warning_for_every_optimizer():
    for cls in (optimizers.SGD, optimizers.RMSprop, optimizers.Adam, optimizers.AdamW, optimizers.Adagrad):
        with pytest.warns(DeprecationWarning, match=rf"{cls.__name__}\(lr=\.\.\.\).*{cls.__name__}\(learning_rate"):
            opt = cls(lr=0.0123)
        assert opt.learning_rate == pytest.approx(0.0123)
        assert _no_warning(lambda: cls(lr=0.5)).learning_rate == 0.5  # one-time


def test_the_warning_points_at_the_callers_line():
    with pytest.warns(DeprecationWarning) as record:
        optimizers.RMSprop(lr=1e-4)
    assert record[0].filename == __file__


def test_keras2_decay_is_time_based_decay():
    # Keras 2: lr_t = lr / (1 + decay · iterations)
    with pytest.warns(DeprecationWarning) as record:
        opt = optimizers.SGD(lr=0.1, decay=0.5)
    assert "InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)" in str(record[-1].message)
    w = keras.Tensor(np.array([1.0]), requires_grad=True)
    for _ in range(3):
        opt.apply([np.array([1.0])], [w])
    assert w.numpy()[0] == pytest.approx(1.0 - 0.1 * (1 + 1 / 1.5 + 1 / 2.0))


def test_np_utils_to_categorical():
    with pytest.warns(DeprecationWarning, match="keras.utils.to_categorical"):
        y = np_utils.to_categorical([0, 2, 1])
    assert y.dtype == np.float32 and y.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]


def _fit(metric, y, loss, units):
    keras.utils.set_random_seed(0)
    x = np.random.rand(40, 3)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss=loss, metrics=[metric])
    return model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)


def test_keras2_history_keys_read_the_keras3_ones():
    h = _fit("accuracy", (np.arange(40) % 2).reshape(-1, 1), "binary_crossentropy", 1)
    with pytest.warns(DeprecationWarning, match=r"history.history\['acc'\].*history.history\['accuracy'\]"):
        assert h.history["acc"] == h.history["accuracy"]
    assert _no_warning(lambda: h.history["acc"]) == h.history["accuracy"]
    with pytest.warns(DeprecationWarning, match="val_accuracy"):
        assert h.history["val_acc"] == h.history["val_accuracy"]
    h = _fit("mae", np.linspace(0, 1, 40).reshape(-1, 1), "mse", 1)
    assert list(h.history) == ["loss", "mae", "val_loss", "val_mae"]
    with pytest.warns(DeprecationWarning, match="val_mae"):
        assert h.history["val_mean_absolute_error"] == h.history["val_mae"]
    with pytest.raises(KeyError, match="'val_mean_squared_error'.*History keys: 'loss', 'mae'"):
        h.history["val_mean_squared_error"]


def test_acc_spelling_keeps_its_key_as_in_keras():
    h = _fit("acc", (np.arange(40) % 2).reshape(-1, 1), "binary_crossentropy", 1)
    assert "acc" in h.history and "val_acc" in h.history and "accuracy" not in h.history
