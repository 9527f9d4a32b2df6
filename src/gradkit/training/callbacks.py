"""Callback base with Keras's hook names, and the Keras callbacks built on it."""
import contextlib
import math
import os
import warnings

from ..arguments import flag
from ..errors import ConfigError, ConfigTypeError, PathError


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
    """Save the model (or only its weights) after every epoch, or every ``save_freq`` batches when it is an
    int; with save_best_only, only when ``monitor`` improved.

    ``filepath`` may hold format fields filled from the epoch, the batch (batch-wise saving) and the logs,
    e.g. "ckpt-{epoch:02d}-{val_loss:.2f}.gdk" or "ckpt-{epoch}-{batch}.gdk".
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ConfigError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive integer (a number of "
                              f"batches), got save_freq={save_freq!r}")
        if os.path.isdir(filepath):
            raise PathError(f"ModelCheckpoint: filepath {str(filepath)!r} is a folder; expected a file path such as "
                            f"{os.path.join(filepath, 'model-{epoch:02d}.gdk')!r}")
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.save_freq = save_freq
        self.maximize = _mode_is_max(mode, monitor)
        self.best = initial_value_threshold
        self._epoch, self._since_save, self._last_batch = 0, 0, None

    def on_epoch_begin(self, epoch, logs=None):
        """Remember the epoch (batch-wise saving names it)."""
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        """With an integer save_freq: save once that many batches have passed since the last save."""
        if self.save_freq == "epoch":
            return
        # as Keras: a batch index that did not grow means a new epoch began, so count it from zero
        grown = self._last_batch is not None and batch > self._last_batch
        self._since_save += batch - self._last_batch if grown else batch + 1
        self._last_batch = batch
        if self._since_save >= self.save_freq:
            self._since_save = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        """With save_freq="epoch": save if due."""
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _path(self, epoch, batch, logs):
        fields = {"epoch": epoch + 1, **logs} if batch is None else {"epoch": epoch + 1, "batch": batch + 1, **logs}
        try:
            return self.filepath.format(**fields)
        except KeyError as e:
            raise ConfigError(f"ModelCheckpoint: filepath {self.filepath!r} names {e.args[0]!r}, which is not in the "
                              f"logs; expected one of: {', '.join(fields)}") from None

    def _improved(self, epoch, logs, path):
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"ModelCheckpoint: '{self.monitor}' is not in the logs; not saving",
                          RuntimeWarning, stacklevel=3)
            return False
        better = self.best is None or (current > self.best if self.maximize else current < self.best)
        if better:
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best} to {current}, saving to {path}")
            self.best = current
        return better

    def _save(self, epoch, batch, logs):
        path = self._path(epoch, batch, logs)
        if self.save_best_only and not self._improved(epoch, logs, path):
            return
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)  # as Keras's ModelCheckpoint
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
        if not isinstance(filename, (str, os.PathLike)):
            raise ConfigTypeError(f"CSVLogger: filename must be a path (a str or os.PathLike), got {filename!r}")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ConfigError(f"CSVLogger: separator must be one character such as ',' or ';', got {separator!r}")
        self.filename, self.sep = os.fspath(filename), separator
        self.append = flag(append, "append", "CSVLogger")
        self._file = None

    def on_train_begin(self, logs=None):
        """Open the file (appending keeps an existing header)."""
        from ..io import check_target
        check_target(self.filename, "CSVLogger")
        self._header_needed = not (self.append and os.path.exists(self.filename) and os.path.getsize(self.filename))
        with self._os_errors():
            self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._keys = None

    def on_epoch_end(self, epoch, logs=None):
        """Write one row."""
        import csv
        logs = logs or {}
        with self._os_errors():
            if self._keys is None:
                self._keys = sorted(logs)
                self._writer = csv.writer(self._file, delimiter=self.sep)
                if self._header_needed:
                    self._writer.writerow(["epoch", *self._keys])
            self._writer.writerow([epoch, *(logs.get(k, "NA") for k in self._keys)])
            self._file.flush()

    def on_train_end(self, logs=None):
        """Close the file."""
        with self._os_errors():
            self._close_files()

    @contextlib.contextmanager
    def _os_errors(self):
        """A disk that is full, a file-size limit, no permission: the file closed and a PathError naming it."""
        from ..io import os_reason
        try:
            yield
        except OSError as e:
            self._close_files()
            raise PathError(f"CSVLogger: cannot write {self.filename!r}: {os_reason(e)}") from e

    def _close_files(self):
        """Close the log file, also when its last write cannot be flushed (the file is closed all the same)."""
        if self._file is not None and not self._file.closed:
            try:
                self._file.close()
            except OSError:
                pass


def close_files(callbacks):
    """After fit failed: close the files the callbacks opened (CSVLogger, TensorBoard), ignoring their errors."""
    for cb in callbacks or ():
        close = getattr(cb, "_close_files", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001 - the error that stopped fit is the one to report
                pass


_HOOKS = tuple(name for name in vars(Callback) if name.startswith("on_"))


class LambdaCallback(Callback):
    """A callback from plain functions, as Keras's: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``;
    any other hook by its name (``on_test_end=...``)."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}
        unknown = sorted(set(hooks) - set(_HOOKS))
        if unknown:
            raise ConfigError(f"LambdaCallback: unknown hook(s) {', '.join(unknown)}; valid: {', '.join(_HOOKS)}")
        given = {name: fn for name, fn in hooks.items() if fn is not None}
        for name, fn in given.items():
            if not callable(fn):
                raise ConfigError(f"LambdaCallback: {name} must be a function, got {fn!r}")
        # the given hooks become methods of a one-off subclass, so fit calls only those (it skips hooks
        # a callback's class does not override)
        methods = {name: (lambda fn: lambda self, *args: fn(*args))(fn) for name, fn in given.items()}
        self.__class__ = type(type(self).__name__, (type(self),), methods)
