"""How fit draws its batches: the gradient-descent strategies of the course, as named choices.

=================  ===============================  ==============================================
fit arguments      course name                      what one epoch does
=================  ===============================  ==============================================
batch_size="full"  full-batch gradient descent      one step on all samples
sampling="shuffle" Keras's shuffled mini-batches    a fresh permutation, swept in batches (default)
sampling="sweep"   sequential mini-batches          the samples in order, swept in batches
sampling="random"  random mini-batch ("first kind") ``steps_per_epoch`` steps (default 1), each on
                                                    ``batch_size`` samples drawn WITH replacement;
                                                    batch_size=1 is the course's SGD
=================  ===============================  ==============================================

All randomness comes from ``gradkit.backend.rng()``, so one seed repeats a run bit for bit.
"""
import numpy as np

from .. import backend as B
from ..backend import is_sparse  # noqa: F401 - re-exported for the models
from ..errors import ConfigError
from ..tuning import SMALL_DATA_BYTES  # dense data up to this size is permuted whole once per epoch

SAMPLINGS = ("shuffle", "sweep", "random")


def num_samples(arrays):
    """Length of the first array (all arrays are checked to agree before batching)."""
    return arrays[0].shape[0]


class Batcher:
    """Yields, per epoch, (x batches, y batches) tuples by the chosen strategy.

    A full-size index batch of a dense array is gathered with ``take`` into a buffer reused from step to
    step; sequential sweeps are views; sparse arrays are sliced by rows (never densified).
    """

    def __init__(self, xs, ys, batch_size, sampling="shuffle", steps_per_epoch=None, weights=None):
        if sampling not in SAMPLINGS:
            raise ConfigError(f"fit(sampling={sampling!r}) is unknown; expected one of {', '.join(SAMPLINGS)}")
        self.arrays, self.n_x = list(xs) + list(ys) + ([weights] if weights is not None else []), len(xs)
        self.weighted = weights is not None
        self.n = num_samples(self.arrays)
        self.full = batch_size == "full"
        if not self.full and (isinstance(batch_size, str) or int(batch_size) < 1):
            raise ConfigError(f"fit(batch_size={batch_size!r}) must be a positive integer or 'full'")
        self.batch_size = self.n if self.full else int(batch_size)
        self.sampling = "sweep" if self.full else sampling
        per_sweep = -(-self.n // self.batch_size)
        if self.sampling == "random":
            self.steps = int(steps_per_epoch or 1)
        else:
            self.steps = min(per_sweep, int(steps_per_epoch)) if steps_per_epoch else per_sweep
        self._takers = self._fixed = self._epoch = None
        self._whole = self._split(self.arrays)

    @property
    def y_shapes(self):
        """The targets' shapes (the sample weights aside)."""
        return [a.shape for a in self.arrays[self.n_x:len(self.arrays) - self.weighted]]

    def epoch(self):
        """The batches of one epoch: an iterator of (x batches, y batches)."""
        if self.full:
            return iter((self._whole,))
        if self.sampling == "sweep":
            return self._sweep()
        if self.sampling == "shuffle":
            return self._gather_all(B.rng().permutation(self.n))
        return self._random()

    def _split(self, batch):
        return tuple(batch[:self.n_x]), tuple(batch[self.n_x:])

    def _sweep(self):
        bs = self.batch_size
        for i in range(self.steps):
            yield self._split([a[i * bs:(i + 1) * bs] for a in self.arrays])

    def _gather_all(self, order):
        bs = self.batch_size
        if B.xp is not np:
            order = B.xp.asarray(order)
        if self._small():
            yield from self._permuted(order)
            return
        for i in range(self.steps):
            yield self._gather(order[i * bs:(i + 1) * bs])

    def _small(self):
        """Whether the data is dense and small enough to permute whole each epoch (see _permuted)."""
        return not any(is_sparse(a) for a in self.arrays) and sum(a.nbytes for a in self.arrays) <= SMALL_DATA_BYTES

    def _permuted(self, order):
        """The epoch's batches as fixed views of one buffer holding the permuted data: one ``take`` per array
        per epoch instead of one per step (the batches hold the same rows as gathering step by step)."""
        if self._epoch is None:
            bufs = [B.xp.empty_like(a) for a in self.arrays]
            bs = self.batch_size
            self._epoch = bufs, [self._split([b[i * bs:(i + 1) * bs] for b in bufs]) for i in range(self.steps)]
        bufs, views = self._epoch
        for a, buf in zip(self.arrays, bufs):
            take_into(a, order, buf)
        return views

    def _random(self):
        draws = B.rng().integers(0, self.n, size=(self.steps, self.batch_size))  # the epoch's draws at once
        if B.xp is not np:
            draws = B.xp.asarray(draws)
        for idx in draws:
            yield self._gather(idx)

    def _gather(self, idx):
        if len(idx) != self.batch_size:
            return self._split([a[idx] if is_sparse(a) else a.take(idx, axis=0) for a in self.arrays])
        if self._takers is None:
            self._takers = [self._taker(a) for a in self.arrays]
            if not any(is_sparse(a) for a in self.arrays):  # the batch is always the same buffers
                self._fixed = self._split([take(idx) for take in self._takers])
        if self._fixed is not None:
            for take in self._takers:
                take(idx)
            return self._fixed
        return self._split([take(idx) for take in self._takers])

    def _taker(self, a):
        """idx → batch: sparse row slicing, or ``take`` into a buffer this array reuses every step."""
        if is_sparse(a):
            return a.__getitem__
        buf = B.xp.empty((self.batch_size,) + a.shape[1:], a.dtype)
        return lambda idx: take_into(a, idx, buf)


def take_into(a, idx, out):
    """Rows idx of a copied into out (idx are valid row numbers: numpy's mode="raise" would buffer the copy)."""
    if B.xp is np:
        return a.take(idx, axis=0, out=out, mode="clip")
    return a.take(idx, axis=0, out=out)


def inference_batches(arrays, batch_size):
    """Sequential batches for evaluate/predict (views, no copies)."""
    n = num_samples(arrays)
    bs = n if batch_size == "full" else int(batch_size)
    for i in range(0, n, bs):
        yield tuple(a[i:i + bs] for a in arrays)
