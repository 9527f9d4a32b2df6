"""Keras 3's TensorBoard callback, writing real event files through tensorboardX (the "tensorboard" extra).

Same folders and tags as Keras: ``log_dir/train`` and ``log_dir/validation``; "epoch_<metric>" at step epoch,
"epoch_learning_rate", "batch_<metric>" at the global batch step (update_freq), "<weight>/histogram"
(histogram_freq), "evaluation_<metric>_vs_iterations" after evaluate, the model's JSON under "keras".
"""
import itertools
import os
import time

from ..errors import ConfigError
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
        self.log_dir = os.fspath(log_dir)
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
            self._writers[which] = self._writer_class(os.path.join(self.log_dir, which), filename_suffix=suffix)
        return self._writers[which]

    def set_model(self, model):
        """Attach the model; with write_graph, log its architecture (JSON) as Keras does under the tag "keras"."""
        super().set_model(model)
        self._close()
        if self.write_graph and hasattr(model, "to_json"):
            try:
                text = model.to_json()
            except Exception:  # noqa: BLE001 - a model whose config cannot be serialised still trains and logs
                return
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
        for which, values in (("train", train), ("validation", val)):
            for name, value in values.items():
                self._writer(which).add_scalar(f"epoch_{name}", float(value), epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

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
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
