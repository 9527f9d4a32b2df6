"""Batches computed by Python code: a generator, a PyDataset or a torch DataLoader, read one batch at a time.

The role of Keras's GeneratorDataAdapter, PyDatasetAdapter and TorchDataLoaderAdapter. A ``Stream`` offers the
interface of the array ``Batcher`` (``epoch()``, ``steps``, ``weighted``), so fit / evaluate / predict run one loop
over either. Each batch is converted and checked as array data is (gradkit.training.data_adapter: labels against the
loss, NaN/inf, ids against the Embedding, shapes against the model): a bad batch 7 fails as a bad array does, naming
the batch.

Epochs, as Keras 3: a generator is read once, continuing across epochs (``steps_per_epoch`` batches each); a
PyDataset is read 0..len-1 each epoch (shuffled by fit's ``shuffle=True``, from gradkit's generator), continuing
from where the last epoch stopped when ``steps_per_epoch`` is smaller than its length; a DataLoader likewise, one
``iter(loader)`` per pass.
"""
import collections
import collections.abc
import types
import warnings
from concurrent.futures import ThreadPoolExecutor

from .. import backend as B
from ..errors import ConfigError, DataError
from . import data_adapter as data
from .py_dataset import PyDataset, unpack_x_y_sample_weight


def is_stream(x):
    """Whether x is a Python generator (or other iterator), a PyDataset or a torch DataLoader, not array data."""
    if isinstance(x, (PyDataset, types.GeneratorType)) or is_torch_dataloader(x):
        return True
    return isinstance(x, collections.abc.Iterator) and not hasattr(x, "shape")


def is_torch_dataloader(x):
    """Whether x is a torch.utils.data.DataLoader (Keras's test: by class name, without importing torch)."""
    return any(c.__name__ == "DataLoader" and "torch.utils.data" in c.__module__ for c in type(x).__mro__)


def kind(x):
    """'a PyDataset', 'a torch DataLoader' or 'a generator', for messages (Keras's words)."""
    return "a PyDataset" if isinstance(x, PyDataset) else "a torch DataLoader" if is_torch_dataloader(x) else \
        "a generator"


def reject(x, where, batch_size=None, stacklevel=3, **given):
    """ConfigError for an argument a generator / PyDataset carries itself or cannot honour (as Keras raises); a
    warning for batch_size, which Keras 3 ignores silently (keras.io's guide passes it with a PyDataset)."""
    if batch_size is not None:
        warnings.warn(f"{where}(batch_size={batch_size!r}) is ignored: x is {kind(x)}, whose batches are already "
                      "made (each one it yields is one step)", UserWarning, stacklevel=stacklevel)
    what = {"y": "the targets", "sample_weight": "the sample weights"}
    for name, value in given.items():
        if value is not None:
            inside = f"{what[name]} should be part of the batches it yields" if name in what else \
                "it is only supported for arrays"
            raise ConfigError(f"{where}({name}=...) cannot be used when x is {kind(x)}: {inside}")


def check_fit(x, y, batch_size, sample_weight, class_weight, validation_split, sampling, epoch_loss, shuffle,
              stacklevel=3):
    """fit's arguments that a stream cannot take: errors as Keras's, plus gradkit's own loop options."""
    reject(x, "fit", y=y, batch_size=batch_size, stacklevel=stacklevel + 1, sample_weight=sample_weight,
           class_weight=class_weight if not isinstance(x, PyDataset) else None,
           validation_split=validation_split or None, sampling=sampling)
    if epoch_loss != "mean":
        raise ConfigError(f"fit(epoch_loss={epoch_loss!r}) needs array data (it re-reads all of it each epoch); "
                          f"x is {kind(x)}")
    if shuffle and not isinstance(x, PyDataset):
        what = "torch DataLoader. The DataLoader is expected to already be shuffled" if is_torch_dataloader(x) \
            else "generator. The generator is expected to yield already-shuffled data"
        warnings.warn(f"`shuffle=True` was passed, but will be ignored since the data `x` was provided as a {what}.",
                      stacklevel=stacklevel)


def check_once_read(x, steps, passes, where, steps_name):
    """A generator is read once: without ``steps`` only its first pass (epoch or validation) gets data."""
    if isinstance(x, PyDataset) or is_torch_dataloader(x) or steps is not None or passes <= 1:
        return
    raise ConfigError(f"{where} is a generator, which can be read only once, and {steps_name} is not set: only the "
                      f"first of its {passes} passes would get data. Pass {steps_name}=<batches per pass> with a "
                      "generator that loops forever (`while True:`), or use a gradkit.utils.PyDataset")


class Stream:
    """fit / evaluate / predict's batches from a generator or PyDataset: each epoch's (x batches, y batches [+ the
    sample weights]) as checked arrays; ``epoch()`` is None once a generator has run out."""

    def __init__(self, model, source, where="fit", steps=None, shuffle=False, targets=True, class_weight=None,
                 what="x"):
        self.model, self.where, self.targets, self.class_weight = model, where, targets, class_weight
        self.reader = _Indexed(source, shuffle, where) if isinstance(source, PyDataset) else \
            _Loader(source) if is_torch_dataloader(source) else \
            _Generator(source, "the generator" if what == "x" else f"{what}'s generator")
        if steps is None and isinstance(source, PyDataset) and self.reader.n is None:
            name = "validation_steps" if what != "x" else "steps_per_epoch" if where == "fit" else "steps"
            raise ConfigError(f"{where}: {what} is an endless PyDataset (num_batches is None): pass {name}")
        self.steps_per_epoch = steps
        self.steps = steps or self.reader.n  # None: a generator's length is unknown (the progress bar counts)
        self.weighted = None
        self._first_item = self.reader.peek()
        self._first = self._prepare(*self._first_item)
        self.weighted = len(self._first[1]) > self.model._num_outputs()
        self.y_shapes = [a.shape for a in self._first[1][:self.model._num_outputs()]]

    def epoch(self):
        """One epoch's batches (an iterator of (xs, ys) tuples), or None when the generator has run out."""
        items = self.reader.epoch(self.steps_per_epoch)
        return None if items is None else self._batches(items)

    def _batches(self, items):
        count = 0
        try:
            for item in items:
                if item is self._first_item:
                    batch, self._first_item, self._first = self._first, None, None
                else:
                    batch = self._prepare(*item)
                count += 1
                yield batch
        finally:
            items.close()
        if self.steps_per_epoch is not None and count < self.steps_per_epoch:  # Keras warns here too
            warnings.warn(f"{self.where}: {self.reader.describe(self.steps_per_epoch)}: this epoch has {count} of "
                          f"{self.steps_per_epoch} steps", RuntimeWarning, stacklevel=2)

    def _prepare(self, label, raw):
        """One yielded batch as checked arrays: ((x arrays), (y arrays [, sample weights]))."""
        x, y, w = unpack(raw, label)
        role = f" of {label}"
        xs = data.prepare_x(self.model, x, f"x{role}")
        if not self.targets:
            return tuple(xs), ()
        if y is None:
            raise DataError(f"{label} has no targets: {self.where} needs batches (x, y) or (x, y, sample_weight), "
                            f"got x alone")
        ys = data.prepare_y(self.model, y, f"y{role}")
        data.check_lengths(xs, ys, f"x and y{role}")
        w = data.sample_weights(self.model, ys, w, self.class_weight, role=role)
        if self.weighted is not None and self.weighted != (w is not None):
            has = "has" if w is not None else "has no"
            raise DataError(f"{label} {has} sample weights but the first batch {'had none' if w is not None else 'had'}"
                            ": yield (x, y, sample_weight) always or never")
        return tuple(xs), tuple(ys) + ((w,) if w is not None else ())

    def describe(self):
        """How the data ran out, for fit's warning."""
        return self.reader.describe(self.steps_per_epoch)


def unpack(batch, label):
    """(x, y, sample_weight) from a yielded batch (utils.unpack_x_y_sample_weight), naming the batch when malformed."""
    try:
        return unpack_x_y_sample_weight(batch)
    except DataError as e:
        raise DataError(f"{label}: {e}") from None


class _Generator:
    """A generator's batches, continuing across epochs: (label, batch) items."""

    def __init__(self, gen, name="the generator"):
        self.gen, self.name, self.count, self.done, self.pending = gen, name, 0, False, collections.deque()
        self.n = None  # unknown until it runs out

    def _next(self):
        if self.pending:
            return self.pending.popleft()
        if self.done:
            return None
        try:
            raw = next(self.gen)
        except StopIteration:
            self.done = True
            return None
        self.count += 1
        return f"batch {self.count} of {self.name}", raw

    def peek(self):
        """The first batch, kept to be yielded first (Keras's peek_and_restore, without re-yielding it)."""
        item = self._next()
        if item is None:
            raise DataError(f"{self.name} yielded no batch: it must yield at least one batch")
        self.pending.appendleft(item)
        return item

    def epoch(self, steps):
        """An iterator over up to ``steps`` batches (all that are left when None); None when none is left."""
        first = self._next()
        return None if first is None else self._run(first, steps)

    def _run(self, first, steps):
        yield first
        k = 1
        while steps is None or k < steps:
            item = self._next()
            if item is None:
                return
            yield item
            k += 1

    def describe(self, steps):
        """How it ran out, with what to do."""
        hint = "; make sure it can yield steps_per_epoch × epochs batches (loop forever in it), or use a PyDataset" \
            if steps else ""
        return f"{self.name} ran out of data after {self.count} batches{hint}"


class _Loader(_Generator):
    """A torch DataLoader's batches: a new pass (``iter(loader)``) once the last one ended, continuing across epochs
    while ``steps_per_epoch`` batches leave it unfinished (Keras's EpochIterator)."""

    def __init__(self, loader):
        super().__init__(iter(loader), f"the {type(loader).__name__}")
        self.loader = loader
        try:
            self.n = len(loader)
        except TypeError:  # an IterableDataset has no length
            self.n = None

    def epoch(self, steps):
        if self.done:
            self.gen, self.done, self.count = iter(self.loader), False, 0
        return super().epoch(steps)

    def describe(self, steps):
        """Why an epoch was short: the end of the loader's pass."""
        return f"{self.name} has {self.n} batches; the next epoch starts a new pass"


class _Indexed:
    """A PyDataset's batches: the indices 0..n-1 per pass (shuffled when asked), read in order, or in a thread pool
    ``workers`` wide, ``max_queue_size`` batches ahead; on_epoch_begin / on_epoch_end around each epoch."""

    def __init__(self, ds, shuffle, where):
        self.ds, self.shuffle, self.name = ds, shuffle, type(ds).__name__
        try:
            self.n = ds.num_batches
        except NotImplementedError as e:
            raise ConfigError(f"{where}: {e}") from None
        if self.n is not None and int(self.n) < 1:
            raise DataError(f"{where}: the PyDataset {self.name} has length {self.n}: it must hold at least one batch")
        self.workers, self.queue = int(ds.workers or 1), max(1, int(ds.max_queue_size or 1))
        if ds.use_multiprocessing:
            warnings.warn(f"{self.name}(use_multiprocessing=True): gradkit reads PyDataset batches in "  # stacklevel:
                          f"{max(self.workers, 1)} thread(s), not processes", RuntimeWarning, stacklevel=5)  # past fit
        self.order, self.pos, self.cached = None, None, None

    def peek(self):
        """Batch 0, read to build the model; kept for the first epoch when it starts there."""
        self.cached = (f"{self.name}[0]", self.ds[0])
        return self.cached

    def epoch(self, steps):
        if self.pos is None or (self.n is not None and self.pos >= self.n):  # a new pass over the dataset
            self.order = B.rng().permutation(self.n).tolist() if self.shuffle and self.n else None
            self.pos = 0
        end = self.pos + steps if steps is not None else self.n
        if self.n is not None:
            end = min(end, self.n)
        picks = range(self.pos, end) if self.order is None else self.order[self.pos:end]
        self.pos = end
        return self._run(list(picks))

    def _run(self, indices):
        self.ds.on_epoch_begin()
        try:
            yield from (self._threaded(indices) if self.workers > 1 else map(self._read, indices))
        finally:
            self.ds.on_epoch_end()

    def _read(self, i):
        """(label, batch i): the batch read by peek the first time index 0 comes up."""
        if i == 0 and self.cached is not None:
            item, self.cached = self.cached, None
            return item
        return f"{self.name}[{i}]", self.ds[i]

    def _threaded(self, indices):
        """(label, batch) items in order, read by a thread pool up to ``queue`` batches ahead of the consumer."""
        with ThreadPoolExecutor(self.workers) as pool:
            todo, ahead = iter(indices), collections.deque()
            for i in todo:
                ahead.append(pool.submit(self._read, i))
                if len(ahead) >= self.queue:
                    break
            try:
                while ahead:
                    future = ahead.popleft()
                    nxt = next(todo, None)
                    if nxt is not None:
                        ahead.append(pool.submit(self._read, nxt))
                    yield future.result()
            finally:
                for future in ahead:
                    future.cancel()

    def describe(self, steps):
        """Why an epoch was short: the end of the dataset."""
        return f"{self.name} has {self.n} batches; the next epoch starts again at its first"
