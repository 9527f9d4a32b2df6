"""Progress display for fit: a tqdm bar per epoch (verbose=1), one line per epoch (verbose=2, and verbose=1 in a
notebook, where Keras also prints text: a widget per epoch would fill the saved notebook)."""
import sys
import time

from ..display import in_notebook, tqdm_class
from .callbacks import Callback

_REFRESH_S = 0.1  # how often the bar's running metrics are rewritten


def format_logs(logs):
    """'loss: 0.1234 - accuracy: 0.9000' in Keras's style."""
    return " - ".join(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}" for k, v in logs.items())


def _per_step(seconds, steps):
    t = seconds / max(steps, 1)
    return f"{t:.0f}s/step" if t >= 1 else f"{t * 1e3:.0f}ms/step" if t >= 1e-3 else f"{t * 1e6:.0f}us/step"


class ProgbarLogger(Callback):
    """Prints fit's progress: verbose=1 a text bar with steps, time per step and running metrics (in a notebook,
    or without tqdm, one line per epoch instead); verbose=2 one line per epoch; verbose=0 nothing."""

    def __init__(self, verbose=1, file=None):
        super().__init__()
        self.verbose = verbose
        self.file = file
        self._bar = None
        self._one_line = verbose == 1 and (in_notebook() or tqdm_class() is None)

    def on_epoch_begin(self, epoch, logs=None):
        """Open the epoch's bar (or note the start time)."""
        self._t0 = self._last = time.perf_counter()
        self._steps = 0
        if self._one_line:
            return
        out = self.file or sys.stdout
        print(f"Epoch {epoch + 1}/{self.params.get('epochs')}", file=out)
        if self.verbose != 1:
            return
        steps = self.params.get("steps")  # None for a generator: Keras shows "12/Unknown"
        fmt = "{n_fmt}/{total_fmt} {bar} {elapsed}{postfix}" if steps else "{n_fmt}/Unknown {elapsed}{postfix}"
        self._bar = tqdm_class()(total=steps, file=out, unit="step", leave=True, dynamic_ncols=True, bar_format=fmt)

    def on_train_batch_end(self, batch, logs=None):
        """Advance the bar; rewrite the running metrics at most every 0.1 s."""
        self._steps += 1
        if self._bar is None:
            return
        self._bar.update(1)
        now = time.perf_counter()
        if logs and now - self._last > _REFRESH_S:
            self._last = now
            text = _per_step(now - self._t0, self._steps) + " - " + format_logs(logs)
            self._bar.set_postfix_str(text, refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        """Close the bar with the epoch's final logs, or print the epoch's line."""
        elapsed = time.perf_counter() - self._t0
        text = f"{_per_step(elapsed, self._steps)} - {format_logs(logs or {})}"
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)
            self._bar.close()
            self._bar = None
        elif self.verbose:
            steps = self.params.get("steps") or self._steps
            head = f"Epoch {epoch + 1}/{self.params.get('epochs')} - " if self._one_line else ""
            print(f"{head}{steps}/{steps} - {elapsed:.0f}s - {text}", file=self.file or sys.stdout, flush=True)

    def on_train_end(self, logs=None):
        """Close a bar left open by an interrupted epoch."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
