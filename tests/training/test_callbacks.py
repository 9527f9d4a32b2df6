"""Callbacks: Keras's hook order, EarlyStopping (Keras 3 restore), checkpoints, LR callbacks, CSV, NaN."""
import csv

import numpy as np
import pytest

from gradkit import optimizers
from gradkit.callbacks import (Callback, CSVLogger, EarlyStopping, History, LearningRateScheduler, ModelCheckpoint,
                               ReduceLROnPlateau, TerminateOnNaN)
from gradkit.layers import Dense, Input
from gradkit.models import Sequential, load_model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    return x, x @ np.array([1.0, -1.0]) + 0.5


def _model(lr=0.05):
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizers.SGD(learning_rate=lr), "mse")
    return model


class Scripted(Callback):
    """Feeds a fixed sequence of values as the monitored quantity and records the hook calls."""

    def __init__(self, values=None):
        super().__init__()
        self.values, self.calls = values, []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin {epoch}")

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(f"batch_begin {batch}")

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(f"batch_end {batch}")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(f"epoch_end {epoch}")
        if self.values is not None:
            logs["score"] = self.values[epoch]

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def test_hook_order_and_history_keys():
    x, y = _data()
    rec = Scripted()
    history = _model().fit(x, y, batch_size=20, epochs=2, verbose=0, callbacks=[rec], validation_split=0.5,
                           shuffle=False)
    assert rec.calls == ["train_begin", "epoch_begin 0", "batch_begin 0", "batch_end 0", "epoch_end 0",
                         "epoch_begin 1", "batch_begin 0", "batch_end 0", "epoch_end 1", "train_end"]
    assert isinstance(history, History) and history.epoch == [0, 1]
    assert list(history.history) == ["loss", "val_loss"]
    assert history.params["epochs"] == 2 and history.params["steps"] == 1


def test_validation_split_takes_the_last_fraction_before_shuffling(float64):
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=1, verbose=0, validation_split=0.25)
    expected = model.evaluate(x[30:], y[30:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-12)


def test_early_stopping_stops_after_patience():
    x, y = _data()
    values = [5, 4, 4.5, 4.6, 4.7, 4.8, 1, 1]
    stopper = EarlyStopping(monitor="score", patience=2)
    history = _model().fit(x, y, epochs=8, verbose=0, callbacks=[Scripted(values), stopper])
    assert history.epoch == [0, 1, 2, 3] and stopper.stopped_epoch == 3


def test_early_stopping_restores_best_weights_even_without_stopping():
    x, y = _data()
    values = [3, 1, 2, 2.5]
    snapshots = []

    class Snap(Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(self.model.get_weights())
    model = _model()
    stopper = EarlyStopping(monitor="score", patience=10, restore_best_weights=True)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[Scripted(values), stopper, Snap()])
    assert stopper.stopped_epoch == 0 and stopper.best_epoch == 1
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), snapshots[1]))


def test_early_stopping_mode_max_for_accuracy_and_min_delta():
    assert EarlyStopping(monitor="val_accuracy").maximize
    assert not EarlyStopping().maximize
    es = EarlyStopping(monitor="loss", min_delta=0.5)
    assert not es._improves(9.6, 10) and es._improves(9.4, 10)


def test_model_checkpoint_save_best_only(tmp_path):
    x, y = _data()
    path = tmp_path / "best-{epoch:02d}.gdk"
    ckpt = ModelCheckpoint(str(path), monitor="score", save_best_only=True, mode="min")
    _model().fit(x, y, epochs=4, verbose=0, callbacks=[Scripted([3, 1, 2, 0.5]), ckpt])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best-01.gdk", "best-02.gdk", "best-04.gdk"]
    assert isinstance(load_model(tmp_path / "best-04.gdk"), Sequential)


def test_model_checkpoint_weights_only(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "w.npz", save_weights_only=True)])
    other = _model()
    other.load_weights(tmp_path / "w.npz")
    assert all(np.array_equal(a, b) for a, b in zip(other.get_weights(), model.get_weights()))


@pytest.mark.filterwarnings("ignore:the loss became")
def test_terminate_on_nan(capsys):
    x, y = _data()
    model = _model(lr=1e30)
    history = model.fit(x * 1e20, y, batch_size=4, epochs=5, verbose=0, callbacks=[TerminateOnNaN()])
    assert len(history.epoch) == 1
    assert "Invalid loss, terminating training" in capsys.readouterr().out


def test_learning_rate_scheduler_sets_and_logs_rate():
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=3, verbose=0,
                        callbacks=[LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(lambda epoch: 0.02)])
    assert model.optimizer.learning_rate == pytest.approx(0.02)


def test_reduce_lr_on_plateau():
    x, y = _data()
    model = _model(lr=1.0)
    cb = ReduceLROnPlateau(monitor="score", factor=0.5, patience=2, min_lr=0.2)
    history = model.fit(x * 0, y * 0, epochs=7, verbose=0, callbacks=[Scripted([1, 1, 1, 1, 1, 1, 1]), cb])
    assert history.history["learning_rate"] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert model.optimizer.learning_rate == pytest.approx(0.2)


def test_csv_logger(tmp_path):
    x, y = _data()
    path = tmp_path / "log.csv"
    history = _model().fit(x, y, epochs=2, verbose=0, validation_data=(x, y), callbacks=[CSVLogger(path)])
    rows = list(csv.reader(open(path)))
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1]
    assert float(rows[2][1]) == pytest.approx(history.history["loss"][1])
    _model().fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, append=True)])
    assert len(list(csv.reader(open(path)))) == 4


@pytest.mark.parametrize("make", [lambda tmp: EarlyStopping(monitor="val_score"),
                                  lambda tmp: ModelCheckpoint(str(tmp / "m.keras"), monitor="val_score",
                                                              save_best_only=True),
                                  lambda tmp: ReduceLROnPlateau(monitor="val_score")])
def test_a_monitored_quantity_missing_from_the_logs_warns_as_keras(tmp_path, make):
    model = Sequential([Input((2,)), Dense(1)])
    model.compile("sgd", "mse")
    with pytest.warns(RuntimeWarning, match="'val_score' is not in the logs"):
        model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0, callbacks=[make(tmp_path)])
