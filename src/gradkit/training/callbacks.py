"""Callback base with Keras's hook names, and the Keras callbacks built on it."""
import math
import os
import warnings

from ..errors import ConfigError, PathError


class Callback:
    """Base class: override the hooks you need. ``self.model`` is set by fit before training starts."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        """Attach the model being trained."""
        self.model = model

    def set_params(self, params):
        """Receive fit's parameters (epochs, steps, verbose)."""
        self.params = params

    def on_train_begin(self, logs=None):
        """Called once before the first epoch."""

    def on_train_end(self, logs=None):
        """Called once after the last epoch."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of every epoch."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of every epoch with that epoch's logs (loss, metrics, val_*)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before every training step."""

    def on_train_batch_end(self, batch, logs=None):
        """Called after every training step (the weights are already updated)."""

    def on_test_begin(self, logs=None):
        """Called before evaluate."""

    def on_test_end(self, logs=None):
        """Called after evaluate."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before every evaluation batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after every evaluation batch."""

    def on_predict_begin(self, logs=None):
        """Called before predict."""

    def on_predict_end(self, logs=None):
        """Called after predict."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before every prediction batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after every prediction batch."""


def _overrides(cb, hook):
    """Whether a callback overrides a hook; the loop skips calling hooks nobody implements (per-batch cost)."""
    return getattr(type(cb), hook, None) not in (None, getattr(Callback, hook))


class CallbackList:
    """Calls a hook on every callback in order (user callbacks, then History, then the progress bar)."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def hook(self, name):
        """One callable running ``name`` on the callbacks that implement it (None when none does)."""
        fns = [getattr(cb, name) for cb in self.callbacks if _overrides(cb, name)]
        if not fns:
            return None
        if len(fns) == 1:
            return fns[0]

        def call(*args):
            for fn in fns:
                fn(*args)
        return call

    def __getattr__(self, name):
        if not name.startswith("on_"):
            raise AttributeError(name)
        fn = self.hook(name)
        return fn if fn is not None else (lambda *args: None)


# ---- concrete callbacks (Keras 3 names, arguments and defaults) ----------------------------------

def _mode_is_max(mode, monitor):
    """'max' for accuracy-like quantities in mode 'auto', else 'min' (as Keras infers it)."""
    if mode not in ("auto", "min", "max"):
        raise ConfigError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return any(k in monitor for k in ("acc", "auc", "precision", "recall"))
    return mode == "max"


def _get_lr(model):
    if callable(getattr(model.optimizer, "_learning_rate", None)):
        raise ConfigError("this callback sets the learning rate, but the optimizer uses a schedule; "
                          "give the optimizer a float learning_rate")
    return float(model.optimizer.learning_rate)


class EarlyStopping(Callback):
    """Stop when ``monitor`` stops improving for ``patience`` epochs; with restore_best_weights, end on the
    best epoch's weights (also when patience never ran out, as Keras 3 does)."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.verbose, self.baseline, self.restore_best_weights = verbose, baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.maximize = _mode_is_max(mode, monitor)

    def _improves(self, value, reference):
        if reference is None:
            return True
        return value - self.min_delta > reference if self.maximize else value + self.min_delta < reference

    def on_train_begin(self, logs=None):
        """Reset the counters."""
        self.wait, self.stopped_epoch, self.best, self.best_weights, self.best_epoch = 0, 0, None, None, 0

    def on_epoch_end(self, epoch, logs=None):
        """Track the best value; stop when it has not improved for ``patience`` epochs."""
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"EarlyStopping: '{self.monitor}' is not in the logs (available: "
                          f"{', '.join(logs or {})}); nothing is monitored", RuntimeWarning, stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        """Report the stop and restore the best weights."""
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or only its weights) after every epoch, or only when ``monitor`` improved.

    ``filepath`` may hold format fields filled from the epoch and logs, e.g. "ckpt-{epoch:02d}-{val_loss:.2f}.gdk".
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        if save_freq != "epoch":
            raise ConfigError(f"ModelCheckpoint supports save_freq='epoch' only, got save_freq={save_freq!r}")
        if os.path.isdir(filepath):
            raise PathError(f"ModelCheckpoint: filepath {str(filepath)!r} is a folder; expected a file path such as "
                            f"{os.path.join(filepath, 'model-{epoch:02d}.gdk')!r}")
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.maximize = _mode_is_max(mode, monitor)
        self.best = initial_value_threshold

    def on_epoch_end(self, epoch, logs=None):
        """Save if due."""
        logs = logs or {}
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as e:
            raise ConfigError(f"ModelCheckpoint: filepath {self.filepath!r} names {e.args[0]!r}, which is not in the "
                              f"logs; expected one of: epoch, {', '.join(logs)}") from None
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)  # as Keras's ModelCheckpoint
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"ModelCheckpoint: '{self.monitor}' is not in the logs; not saving",
                              RuntimeWarning, stacklevel=2)
                return
            better = self.best is None or (current > self.best if self.maximize else current < self.best)
            if not better:
                return
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best} to {current}, saving to {path}")
            self.best = current
        (self.model.save_weights if self.save_weights_only else self.model.save)(path)


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or inf."""

    def on_train_batch_end(self, batch, logs=None):
        """Check the loss."""
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at each epoch's start to ``schedule(epoch, lr)`` (or ``schedule(epoch)``)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        """Compute and set the new rate."""
        lr = _get_lr(self.model)
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, int)) or not math.isfinite(lr):
            raise ConfigError(f"LearningRateScheduler: schedule must return a finite float, got {lr!r}")
        self.model.optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        """Log the rate as "learning_rate"."""
        if logs is not None:
            logs["learning_rate"] = _get_lr(self.model)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for ``patience`` epochs."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0):
        super().__init__()
        if factor >= 1.0:
            raise ConfigError(f"ReduceLROnPlateau does not support a factor >= 1.0, got {factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.maximize = _mode_is_max(mode, monitor)

    def on_train_begin(self, logs=None):
        """Reset the counters."""
        self.wait, self.cooldown_counter, self.best = 0, 0, None

    def _improves(self, value):
        if self.best is None:
            return True
        return value > self.best + self.min_delta if self.maximize else value < self.best - self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        """Lower the rate after a plateau; log it as "learning_rate"."""
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _get_lr(self.model)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"ReduceLROnPlateau: '{self.monitor}' is not in the logs", RuntimeWarning, stacklevel=2)
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improves(current):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = _get_lr(self.model)
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose > 0:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    """Write each epoch's logs as a CSV row (header "epoch" then the sorted keys)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = str(filename), separator, append

    def on_train_begin(self, logs=None):
        """Open the file (appending keeps an existing header)."""
        from ..io import check_target
        check_target(self.filename, "CSVLogger")
        self._header_needed = not (self.append and os.path.exists(self.filename) and os.path.getsize(self.filename))
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._keys = None

    def on_epoch_end(self, epoch, logs=None):
        """Write one row."""
        import csv
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            self._writer = csv.writer(self._file, delimiter=self.sep)
            if self._header_needed:
                self._writer.writerow(["epoch", *self._keys])
        self._writer.writerow([epoch, *(logs.get(k, "NA") for k in self._keys)])
        self._file.flush()

    def on_train_end(self, logs=None):
        """Close the file."""
        self._file.close()
