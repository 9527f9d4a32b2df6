"""Keras 3's TensorBoard callback, writing real event files through tensorboardX (the "tensorboard" extra).

Same folders and tags as Keras: ``log_dir/train`` and ``log_dir/validation``; "epoch_<metric>" at step epoch,
"epoch_learning_rate", "batch_<metric>" at the global batch step (update_freq), "<weight>/histogram"
(histogram_freq), "evaluation_<metric>_vs_iterations" after evaluate, the model's JSON under "keras".
"""
import contextlib
import itertools
import os
import time

from ..errors import ConfigError, ConfigTypeError, PathError
from ..extras import require
from .callbacks import Callback


_FILE_NUMBERS = itertools.count()  # writers opened in the same second must not share (and overwrite) a file


def _check_freq(value, name, allow=()):
    if value in allow:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        expected = " or ".join([repr(a) for a in allow] + ["an integer >= 0"])
        raise ConfigError(f"TensorBoard: {name} must be {expected}, got {value!r}")
    return value


class TensorBoard(Callback):
    """Log losses, metrics, the learning rate and weight histograms for TensorBoard (``tensorboard --logdir``)."""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        self._writer_class = require("tensorboardX", "tensorboard", "callbacks.TensorBoard").SummaryWriter
        unsupported = {"write_images": write_images, "profile_batch": profile_batch,
                       "embeddings_freq": embeddings_freq, "embeddings_metadata": embeddings_metadata}
        given = [f"{k}={v!r}" for k, v in unsupported.items() if v]
        if given:
            raise ConfigError(f"TensorBoard: {', '.join(given)} is not supported by gradkit (weight images, the "
                              "profiler and embeddings need TensorFlow); leave it at its default")
        if not isinstance(log_dir, (str, os.PathLike)):
            raise ConfigTypeError(f"TensorBoard: log_dir must be a folder path (a str or os.PathLike), got {log_dir!r}")
        from ..io import writable_folder
        self.log_dir = writable_folder(log_dir, "TensorBoard", "log_dir")
        self.histogram_freq = _check_freq(histogram_freq, "histogram_freq")
        self.write_graph, self.write_steps_per_second = bool(write_graph), bool(write_steps_per_second)
        update_freq = 1 if update_freq == "batch" else update_freq
        self.update_freq = _check_freq(update_freq, "update_freq", ("epoch",))
        self._writers = {}
        self._global_train_batch, self._epoch_steps, self._in_fit = 0, 0, False
        self._epoch_start = self._batch_start = time.perf_counter()

    def _writer(self, which):
        if which not in self._writers:
            suffix = f".{os.getpid()}.{next(_FILE_NUMBERS)}"
            with self._os_errors():  # max_queue: a writer thread stopped by a full disk must not block fit
                self._writers[which] = _watch(self._writer_class(os.path.join(self.log_dir, which),
                                                                 filename_suffix=suffix, max_queue=100_000))
        return self._writers[which]

    def _raise_thread_errors(self):
        """Raise here what stopped a writer's background thread (a full disk, a file-size limit)."""
        for writer in self._writers.values():
            error = getattr(_record_writer(writer), "_gradkit_error", None)
            if error is not None:
                raise error

    @contextlib.contextmanager
    def _os_errors(self):
        """A folder that cannot be made or written, a full disk, a file-size limit: every event file closed and
        a PathError naming log_dir."""
        from ..io import os_reason
        try:
            yield
        except OSError as e:
            self._close_files()
            raise PathError(f"TensorBoard: cannot write the event files in log_dir {self.log_dir!r}: "
                            f"{os_reason(e)}") from e

    def _close_files(self):
        """Close every writer; one whose file cannot be flushed any more is closed without the flush."""
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            try:
                writer.close()
            except OSError:
                _abandon(writer)

    def set_model(self, model):
        """Attach the model; with write_graph, log its architecture (JSON) as Keras does under the tag "keras"."""
        super().set_model(model)
        self._close()
        if self.write_graph and hasattr(model, "to_json"):
            try:
                text = model.to_json()
            except Exception:  # noqa: BLE001 - a model whose config cannot be serialised still trains and logs
                return
            with self._os_errors():
                self._writer("train").add_text("keras", text, 0)

    def on_train_begin(self, logs=None):
        """Start counting batches from zero."""
        self._global_train_batch, self._in_fit = 0, True

    def on_epoch_begin(self, epoch, logs=None):
        """Start the epoch's clock (for steps_per_second)."""
        self._epoch_start, self._epoch_steps = time.perf_counter(), 0

    def on_train_batch_begin(self, batch, logs=None):
        """Count the batch (steps are 1-based, as in Keras) and start its clock."""
        self._global_train_batch += 1
        self._batch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        """Every ``update_freq`` batches: "batch_<metric>" (and "batch_steps_per_second") at the global step."""
        self._epoch_steps += 1
        step = self._global_train_batch
        if self.update_freq == "epoch" or step % self.update_freq:
            return
        with self._os_errors():
            writer = self._writer("train")
            if self.write_steps_per_second:
                elapsed = time.perf_counter() - self._batch_start
                writer.add_scalar("batch_steps_per_second", 1.0 / max(elapsed, 1e-9), step)
            for name, value in (logs or {}).items():
                writer.add_scalar(f"batch_{name}", float(value), step)

    def on_epoch_end(self, epoch, logs=None):
        """"epoch_<metric>" (train) and "epoch_<metric>" of the val_ logs (validation), then histograms if due."""
        logs = dict(logs or {})
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        lr = getattr(getattr(self.model, "optimizer", None), "learning_rate", None)
        if lr is not None and "learning_rate" not in train:
            train["learning_rate"] = lr
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._epoch_start
            train["steps_per_second"] = self._epoch_steps / max(elapsed, 1e-9)
        with self._os_errors():
            for which, values in (("train", train), ("validation", val)):
                for name, value in values.items():
                    self._writer(which).add_scalar(f"epoch_{name}", float(value), epoch)
            if self.histogram_freq and epoch % self.histogram_freq == 0:
                self._log_weights(epoch)
            for writer in self._writers.values():
                writer.flush()
            self._raise_thread_errors()

    def _log_weights(self, epoch):
        from .. import backend as B
        writer = self._writer("train")
        for w in self.model.weights:
            name = (w.name or "weight").replace(":", "_")
            writer.add_histogram(f"{name}/histogram", B.to_numpy(w.data), epoch)

    def on_test_end(self, logs=None):
        """After evaluate: "evaluation_<metric>_vs_iterations" at the optimizer's step count (validation folder)."""
        iterations = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        if iterations is None or not logs:
            return
        with self._os_errors():
            writer = self._writer("validation")
            for name, value in logs.items():
                writer.add_scalar(f"evaluation_{name}_vs_iterations", float(value), int(iterations))
            if not self._in_fit:  # a standalone evaluate: close now (tensorboardX's flush is asynchronous)
                self._writers.pop("validation").close()

    def on_train_end(self, logs=None):
        """Flush and close the event files."""
        self._in_fit = False
        self._close()

    def _close(self):
        with self._os_errors():  # on an error, _close_files closes the rest (a closed writer's close does nothing)
            for writer in self._writers.values():
                writer.close()
            self._raise_thread_errors()
        self._writers = {}


def _events(writer):
    """tensorboardX's EventFileWriter inside a SummaryWriter (None if its layout differs)."""
    return getattr(getattr(writer, "file_writer", None), "event_writer", None)


def _record_writer(writer):
    """The object that writes the event file's bytes (its write runs on tensorboardX's thread)."""
    return getattr(getattr(_events(writer), "_ev_writer", None), "_py_recordio_writer", None)


def _watch(writer):
    """Keep the OSError that would end tensorboardX's writer thread (a full disk), so the callback raises it."""
    rec = _record_writer(writer)
    if rec is not None:
        write = rec.write

        def watched(data):  # on the writer thread: keep the first error, drop later events (the thread lives on)
            if getattr(rec, "_gradkit_error", None) is None:
                try:
                    write(data)
                except OSError as e:
                    rec._gradkit_error = e
                except ValueError:  # the file was closed under it after an error: nothing more to write
                    pass
        rec.write = watched
    return writer


def _abandon(writer):
    """Close a tensorboardX writer whose event file can no longer be flushed (a full disk): stop its thread and
    close the file unflushed (tensorboardX's own close flushes first, fails, and leaves both open)."""
    events = _events(writer)
    if events is None or getattr(events, "_closed", True):
        return
    events._closed = True
    with contextlib.suppress(Exception):
        events._event_queue.put_nowait(events._worker._shutdown_signal)
        events._event_queue.cancel_join_thread()  # its reader may be dead: exiting must not wait on the pipe
    with contextlib.suppress(OSError):
        events._ev_writer._py_recordio_writer.close()
