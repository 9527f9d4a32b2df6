"""Callback base with Keras's hook names; concrete callbacks build on it."""


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
