"""History: the per-epoch logs of fit, as Keras returns them."""
from .callbacks import Callback


class History(Callback):
    """Every epoch's logs: ``.history`` maps "loss", "<metric>", "val_loss", ... to lists; ``.epoch`` lists the epochs."""

    def __init__(self):
        super().__init__()
        self.history = {}
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
