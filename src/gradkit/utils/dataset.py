"""The dataset that image_dataset_from_directory, text_dataset_from_directory and timeseries_dataset_from_array
return: a PyDataset of NumPy batches, so fit / evaluate / predict take it and ``for x, y in ds`` reads it, with the
few tf.data methods the books call on it (take, map; prefetch and cache accepted as no-ops)."""
import numbers

import numpy as np

from ..errors import ConfigError, ConfigTypeError
from ..training.py_dataset import PyDataset


def _numpy(value):
    """A batch (or a tuple of them) as NumPy arrays: a gradkit Tensor from a layer call becomes its array."""
    if isinstance(value, tuple):
        return tuple(_numpy(v) for v in value)
    if isinstance(value, list):
        return [_numpy(v) for v in value]
    return value.numpy() if hasattr(value, "numpy") and not isinstance(value, np.ndarray) else value


class Dataset(PyDataset):
    """Batches ``ds[0] .. ds[len(ds) - 1]``; a subclass defines ``__len__`` and ``_batch(i)``.

    Iterating it is one pass (then ``on_epoch_end``: a shuffled dataset draws a new order, as tf.data reshuffles on
    every iteration). ``take``/``map`` give derived datasets; ``prefetch``/``cache`` return the dataset itself (its
    batches are read on demand; fit's ``workers`` reads ahead)."""

    def __getitem__(self, index):
        n = len(self)
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not -n <= index < n:
            raise IndexError(f"{type(self).__name__} has {n} batches; index {index!r} is out of range")
        return self._batch(int(index) % n)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]
        self.on_epoch_end()

    def take(self, count):
        """The first ``count`` batches as a dataset (all of them when count is -1 or more than there are)."""
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < -1:
            raise ConfigError(f"{type(self).__name__}.take: count must be an integer ≥ -1, got {count!r}")
        return _Taken(self, len(self) if count == -1 else min(int(count), len(self)))

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """A dataset whose batches are ``map_func(*batch)`` (``map_func(x)`` for batches of x alone), as tf.data's
        map: e.g. ``ds.map(lambda x, y: (augmentation(x), y))``. Layer outputs come back as NumPy arrays."""
        if not callable(map_func):
            raise ConfigTypeError(f"{type(self).__name__}.map: map_func must be callable, got {map_func!r}")
        return _Mapped(self, map_func)

    def prefetch(self, buffer_size=None, name=None):
        """Accepted for tf.data code; a no-op returning the dataset (batches are read when asked for)."""
        return self

    def cache(self, filename="", name=None):
        """Accepted for tf.data code; a no-op returning the dataset (each pass reads the files again)."""
        return self

    def as_numpy_iterator(self):
        """An iterator over the batches (already NumPy arrays)."""
        return iter(self)

    def cardinality(self):
        """The number of batches, as tf.data's ``cardinality()``."""
        return len(self)


class _Derived(Dataset):
    """A dataset over another one; its passes end the parent's pass too (so a shuffled parent reshuffles)."""

    def __init__(self, parent):
        super().__init__()
        self.parent = parent
        self.class_names = getattr(parent, "class_names", None)

    def on_epoch_end(self):
        self.parent.on_epoch_end()


class _Taken(_Derived):
    def __init__(self, parent, count):
        super().__init__(parent)
        self.count = count

    def __len__(self):
        return self.count

    def _batch(self, i):
        return self.parent[i]


class _Mapped(_Derived):
    def __init__(self, parent, fn):
        super().__init__(parent)
        self.fn = fn

    def __len__(self):
        return len(self.parent)

    def _batch(self, i):
        batch = self.parent[i]
        return _numpy(self.fn(*batch) if isinstance(batch, tuple) else self.fn(batch))


class SampleDataset(Dataset):
    """``n`` samples in batches of ``batch_size`` (None: one sample per item, unbatched), ``load(indices)`` making
    one batch. The first pass reads them in the given order; with ``shuffle``, each later pass in a new order drawn
    from ``seed`` (Keras shuffles through a tf.data buffer of 8 batches instead, so only unshuffled orders match)."""

    def __init__(self, n, load, batch_size, shuffle=False, seed=None):
        super().__init__()
        self._n, self._load, self.batch_size = int(n), load, batch_size
        self._shuffle, self._seed, self._passes = shuffle, seed, 0
        self._order = np.arange(self._n)

    def __len__(self):
        return self._n if self.batch_size is None else -(-self._n // self.batch_size)

    def _batch(self, i):
        if self.batch_size is None:
            batch = self._load(self._order[i:i + 1])
            return tuple(a[0] for a in batch) if isinstance(batch, tuple) else batch[0]
        return self._load(self._order[i * self.batch_size:(i + 1) * self.batch_size])

    def on_epoch_end(self):
        """A new sample order for the next pass when shuffling."""
        if self._shuffle:
            self._passes += 1
            self._order = np.random.default_rng([self._seed, self._passes]).permutation(self._n)
