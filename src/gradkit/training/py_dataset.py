"""``PyDataset``: batches computed by Python code, indexed (Keras 3's ``keras.utils.PyDataset``, alias ``Sequence``).

fit / evaluate / predict read ``dataset[i]`` for i in 0..len-1 each epoch (fit's ``shuffle=True`` shuffles that
order), calling ``on_epoch_begin`` / ``on_epoch_end`` around each epoch; ``workers > 1`` reads batches in a thread
pool, ahead of the step by up to ``max_queue_size`` batches (see gradkit.training.streams).
"""
import itertools
import warnings

from ..errors import DataError


def _setting(name, doc):
    """A constructor setting as a property that warns, as Keras's does, when the subclass skipped super().__init__."""
    def get(self):
        self._warn_if_super_not_called()
        return getattr(self, "_" + name)

    def put(self, value):
        setattr(self, "_" + name, value)
    return property(get, put, doc=doc)


class PyDataset:
    """Base class of an indexed dataset: implement ``__len__`` (number of batches) and ``__getitem__(i)`` → a batch,
    ``(x, y)``, ``(x, y, sample_weight)`` or ``x`` alone (predict). Optionally ``on_epoch_begin`` / ``on_epoch_end``.

    workers: threads reading batches ahead of training (1: read in the training loop). use_multiprocessing: Keras
    forks processes; gradkit reads in threads (it says so once). max_queue_size: batches read ahead at most.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self):
        if all(hasattr(self, k) for k in ("_workers", "_use_multiprocessing", "_max_queue_size")):
            return
        self._workers = getattr(self, "_workers", 1)
        self._use_multiprocessing = getattr(self, "_use_multiprocessing", False)
        self._max_queue_size = getattr(self, "_max_queue_size", 10)
        warnings.warn("Your `PyDataset` class should call `super().__init__(**kwargs)` in its constructor. "
                      "`**kwargs` can include `workers`, `use_multiprocessing`, `max_queue_size`. Do not pass these "
                      "arguments to `fit()`, as they will be ignored.", stacklevel=3)

    workers = _setting("workers", "Threads reading batches ahead (1: none).")
    use_multiprocessing = _setting("use_multiprocessing", "Keras's process pool flag; gradkit reads in threads.")
    max_queue_size = _setting("max_queue_size", "Batches read ahead of the training step at most.")

    def __getitem__(self, index):
        """The batch at position ``index``."""
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index) returning a batch")

    def __iter__(self):
        """Its batches in order (all of them, or forever when num_batches is None)."""
        n = self.num_batches
        for index in (range(n) if n is not None else itertools.count()):
            yield self[index]

    @property
    def num_batches(self):
        """Number of batches, ``len(self)``; None for an endless dataset (fit then needs steps_per_epoch)."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ (its number of batches) or the "
                                  "num_batches property (None for an endless dataset)")

    def on_epoch_begin(self):
        """Called at the start of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch (e.g. to reshuffle the samples)."""


Sequence = PyDataset  # Keras 3 exports both names for one class


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from a batch: ``(x,)``, ``(x, y)``, ``(x, y, sample_weight)`` (a list reads as a tuple)
    or ``x`` alone, with None for what is missing (Keras's ``keras.utils.unpack_x_y_sample_weight``)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) not in (1, 2, 3):
        raise DataError(f"a batch must be x, (x,), (x, y) or (x, y, sample_weight); got a tuple of {len(data)} items")
    return (data + (None, None))[:3]


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch tuple fit reads: ``(x,)`` or x itself, ``(x, y)``, or ``(x, y, sample_weight)`` (as Keras)."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    return (x, y) if sample_weight is None else (x, y, sample_weight)
