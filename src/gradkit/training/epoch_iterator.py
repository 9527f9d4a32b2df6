"""One iterator over the batches of fit / evaluate / predict, whatever the data (Keras's EpochIterator).

Arrays go through a ``Batcher`` (gradkit.training.batching), a generator / PyDataset / torch DataLoader through a
``Stream`` (gradkit.training.streams); both offer ``epoch()``, ``steps``, ``weighted`` and ``y_shapes``, so the
trainer runs one loop and never asks which kind of data it has.
"""
from . import data_adapter as data
from . import streams
from .batching import Batcher


class EpochIterator:
    """The batches of one kind of data; ``epoch()`` gives one epoch's (x batches, y batches) (None once a generator
    has run out). For fit over arrays, ``held_out`` is the validation_split part and ``full`` the arrays on which
    epoch_loss="full" is measured (else None)."""

    def __init__(self, model, x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False,
                 class_weight=None, where="fit", targets=True, validation_split=0.0, split=0.0, sampling=None,
                 epoch_loss="mean", passes=1):
        self.held_out = self.full = None
        if not streams.is_stream(x):
            self.source = self._arrays(model, x, y, sample_weight, batch_size, steps, where, targets, class_weight,
                                       split, sampling or ("shuffle" if shuffle else "sweep"), epoch_loss == "full")
            return
        if where == "fit":
            streams.check_fit(x, y, batch_size, sample_weight, class_weight, validation_split, sampling, epoch_loss,
                              shuffle, stacklevel=5)  # the user's fit call, past filter_traceback
            streams.check_once_read(x, steps, passes, "fit: x", "steps_per_epoch")
        elif targets:
            streams.reject(x, where, y=y, sample_weight=sample_weight, batch_size=batch_size, stacklevel=5)
        else:
            streams.reject(x, where, batch_size=batch_size, stacklevel=5)
        self.source = streams.Stream(model, x, where, steps, shuffle, targets=targets, class_weight=class_weight)

    def _arrays(self, model, x, y, sample_weight, batch_size, steps, where, targets, class_weight, split, sampling,
                full):
        batch_size = 32 if batch_size is None else batch_size
        if not targets:
            return Batcher(data.prepare_x(model, x), [], batch_size, "sweep", steps)
        xs, ys = data.prepare(model, x, y)
        weights = data.sample_weights(model, ys, sample_weight, class_weight)
        if where != "fit":
            return Batcher(xs, ys, batch_size, "sweep", steps, weights)
        if weights is not None:
            data.check_lengths(xs, [weights], "x and sample_weight")
        xs, ys, weights, held_out = data.validation(model, xs, ys, split, weights)
        if class_weight is not None and held_out is not None:
            held_out = held_out[:2] + (None,)  # Keras weighs only the training part by class_weight
        self.held_out, self.full = held_out, (xs, ys, weights) if full else None
        return Batcher(xs, ys, batch_size, sampling, steps, weights)

    @classmethod
    def validation(cls, model, validation_data, held_out, batch_size, steps, passes):
        """fit's validation batches: validation_data's (arrays, generator, PyDataset or DataLoader), else the
        held-out split's; None without validation."""
        it = cls.__new__(cls)
        it.held_out = it.full = None
        if streams.is_stream(validation_data):
            streams.check_once_read(validation_data, steps, passes, "fit: validation_data", "validation_steps")
            it.source = streams.Stream(model, validation_data, "fit", steps, what="validation_data")
            return it
        if validation_data is not None:
            held_out = data.validation_data(model, validation_data)
        if held_out is None:
            return None
        it.source = Batcher(*held_out[:2], batch_size, "sweep", steps, held_out[2])
        return it

    def epoch(self):
        """One epoch's batches: an iterator of (x batches, y batches), or None once a generator has run out."""
        return self.source.epoch()

    steps = property(lambda self: self.source.steps, doc="Batches per epoch (None: a generator's, not yet known).")
    weighted = property(lambda self: self.source.weighted, doc="Whether each y batch ends with sample weights.")
    y_shapes = property(lambda self: self.source.y_shapes, doc="The targets' shapes (the sample weights aside).")

    def describe(self):
        """How a stream ran out, for fit's warning."""
        return self.source.describe()
