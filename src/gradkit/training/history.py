"""History: the per-epoch logs of fit, as Keras returns them."""
from ..compat import warn_once
from .callbacks import Callback

KERAS2_KEYS = {"acc": "accuracy", "mean_absolute_error": "mae", "mean_squared_error": "mse",
               "mean_absolute_percentage_error": "mape", "mean_squared_logarithmic_error": "msle"}
"""Keras 2's History keys for metrics=["accuracy"] / ["mae"] / ..., and the keys Keras 3 writes instead."""


class HistoryDict(dict):
    """The ``history.history`` dict; a Keras 2 key ("acc", "val_mean_absolute_error") missing from it reads the
    Keras 3 key ("accuracy", "val_mae") with a one-time DeprecationWarning, so first-edition code runs."""

    def __missing__(self, key):
        prefix = "val_" if isinstance(key, str) and key.startswith("val_") else ""
        new = KERAS2_KEYS.get(key[len(prefix):]) if isinstance(key, str) else None
        if new is None or prefix + new not in self:
            raise KeyError(f"{key!r} (History keys: {', '.join(map(repr, self))})")
        warn_once(f"history.history[{key!r}]", f"history.history[{prefix + new!r}]")
        return self[prefix + new]


class History(Callback):
    """Every epoch's logs: ``.history`` maps "loss", "<metric>", "val_loss", ... to lists; ``.epoch`` lists the epochs."""

    def __init__(self):
        super().__init__()
        self.history = HistoryDict()
        self.epoch = []

    def on_train_begin(self, logs=None):
        """Start a fresh epoch list (the history dict keeps growing across fits, as in Keras)."""
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        """Append this epoch's logs."""
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)

    def _repr_html_(self):
        """In a notebook: a small plot of every key per epoch (when matplotlib is there) and a table of epochs."""
        from .history_html import history_html
        return history_html(self.history)

    def __repr__(self):
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"
