"""TrajectoryRecorder: the path gradient descent takes, recorded step by step into NumPy arrays."""
import numpy as np

from .. import backend as B
from ..errors import ConfigError
from .callbacks import Callback


class _Growing:
    """A NumPy array that grows by doubling along axis 0; ``view()`` is the filled part."""

    def __init__(self, shape, capacity):
        self.data = np.empty((max(int(capacity), 1),) + tuple(shape))
        self.n = 0

    def append(self, value):
        """Store one row (copied)."""
        if self.n == len(self.data):
            self.data = np.concatenate([self.data, np.empty_like(self.data)])
        self.data[self.n] = value
        self.n += 1

    def view(self):
        """The rows stored so far."""
        return self.data[:self.n]


class TrajectoryRecorder(Callback):
    """Records chosen weights (by name, e.g. "dense/kernel") and the full-data loss after every training step.

    Row 0 is the state before the first step; row k the state after k steps. The full-data loss is
    recorded when ``x`` and ``y`` are given: the compiled loss of the model on all of x, y (as
    ``fit(epoch_loss="full")`` reports it per epoch). ``names=None`` records every trainable weight.
    """

    def __init__(self, names=None, x=None, y=None):
        super().__init__()
        if (x is None) != (y is None):
            raise ConfigError("TrajectoryRecorder: give both x and y (for the full-data loss) or neither")
        self.names = list(names) if names is not None else None
        self.x, self.y = x, y
        self._tensors, self._params, self._loss = [], {}, None

    # ---- recorded data ------------------------------------------------------------------------
    @property
    def parameters(self):
        """{weight name: array of shape (rows, *weight shape)}."""
        return {k: v.view() for k, v in self._params.items()}

    @property
    def loss(self):
        """Full-data loss per row, or None when x, y were not given."""
        return None if self._loss is None else self._loss.view()

    @property
    def steps(self):
        """Steps recorded (rows − 1)."""
        rows = next(iter(self._params.values())).n if self._params else 0
        return max(rows - 1, 0)

    def __getitem__(self, name):
        return self.parameters[name]

    # ---- hooks --------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        """Find the weights by name, size the buffers for the whole fit and record the start."""
        weights = {w.name: w for w in self.model.weights}
        names = self.names if self.names is not None else [w.name for w in self.model.trainable_weights]
        missing = [n for n in names if n not in weights]
        if missing:
            raise ConfigError(f"TrajectoryRecorder: no weight named {', '.join(map(repr, missing))}; "
                              f"the model's weights are {', '.join(map(repr, weights))}")
        self.names = names
        self._tensors = [weights[n] for n in names]
        capacity = int(self.params.get("epochs") or 1) * int(self.params.get("steps") or 1) + 1
        self._params = {n: _Growing(weights[n].shape, capacity) for n in names}
        self._loss = _Growing((), capacity) if self.x is not None else None
        self._record()

    def on_train_batch_end(self, batch, logs=None):
        """Record the weights (and the full-data loss) after this step."""
        self._record()

    def _record(self):
        for name, t in zip(self.names, self._tensors):
            self._params[name].append(B.to_numpy(t.data))
        if self._loss is not None:
            self._loss.append(self.full_loss())

    def full_loss(self):
        """The model's compiled loss on all of x, y (``evaluate`` in one batch, no graph, no callbacks)."""
        return float(self.model.evaluate(self.x, self.y, batch_size="full", verbose=0, return_dict=True)["loss"])

    # ---- files --------------------------------------------------------------------------------
    def save(self, path):
        """Write the recorded arrays to an .npz file (keys: the weight names and "loss")."""
        arrays = dict(self.parameters)
        if self._loss is not None:
            arrays["loss"] = self.loss
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path):
        """A recorder holding the arrays saved by ``save`` (no model attached)."""
        rec = cls()
        with np.load(path) as data:
            for key in data.files:
                arr = data[key]
                buf = _Growing(arr.shape[1:], len(arr))
                buf.data[:len(arr)], buf.n = arr, len(arr)
                if key == "loss":
                    rec._loss = buf
                else:
                    rec._params[key] = buf
        rec.names = list(rec._params)
        return rec
