"""``RNN(cell)``: any cell run over a sequence, step by step, out of ops (Keras's RNN layer and backend ``rnn``);
and ``stateful=True``, shared with SimpleRNN / LSTM / GRU: a batch's final states start the next batch.

Masking follows Keras's backend ``rnn``: at a masked step the states are carried over and the output repeats the
previous output (zeros before the first valid step, or zeros at every masked step with ``zero_output_for_mask``).
"""
from .. import backend as B
from ..autograd import Tensor
from ..autograd import public_ops as F
from ..autograd.nn import cast
from ..errors import ConfigError, ShapeError
from .base import Layer, _Context
from .rnn_cells import (StackedRNNCells, cell_output_size, cell_stepper, check_cell, deserialize_cell, initial_state_of,
                        reset_masks, serialize_cell)
from .symbolic import flatten, map_structure


def sequence_input(x, dtype, name):
    """x as a float Tensor (integers cast to the layer's dtype, as Keras does) of shape (batch, timesteps ≥ 1, ...)."""
    x = x if isinstance(x, Tensor) else Tensor(B.xp.asarray(x))
    if x.dtype.kind != "f":
        x = cast(x, dtype)
    if x.ndim < 3:
        raise ShapeError(f"layer '{name}' expects a 3D input (batch, timesteps, features), "
                         f"got an input of shape {tuple(x.shape)}")
    if x.shape[1] == 0:
        raise ShapeError(f"layer '{name}' needs a sequence of at least 1 timestep, got an input of shape "
                         f"{tuple(x.shape)} (0 timesteps)")
    return x


def _blend(new, old, keep):
    """new where keep (N, 1) is 1, old where it is 0, leaf by leaf (exact: y·1 + o·0 = y)."""
    if isinstance(new, (list, tuple)):
        return type(new)(_blend(a, b, keep) for a, b in zip(new, old))
    return new * keep + old * (1 - keep)


def run_steps(step, x, states, mask=None, go_backwards=False, zero_output_for_mask=False, return_sequences=False):
    """step(i, states) → (output, states) for each timestep i of x (N, T, ...); returns (last output, outputs
    (N, T, ...) in processing order or None, final states)."""
    t = x.shape[1]
    keep = None if mask is None else cast(mask if isinstance(mask, Tensor) else Tensor(mask), x.dtype)
    outputs, prev = [], None
    for i in (range(t - 1, -1, -1) if go_backwards else range(t)):
        y, new = step(i, states)
        new = list(new) if isinstance(new, (list, tuple)) else [new]
        if keep is not None:
            k = F.getitem(keep, (slice(None), slice(i, i + 1)))
            y = y * k if zero_output_for_mask or prev is None else _blend(y, prev, k)
            new = _blend(new, states, k)
        outputs.append(y)
        prev, states = y, new
    seq = F.stack(outputs, axis=1) if return_sequences else None
    return outputs[-1], seq, states


class Stateful:
    """stateful=True (Keras's): the final states of each batch are the initial states of the next; reset_states()
    sets them back to zeros. The batch size is fixed: by the input's batch_shape / batch_input_shape / batch_size,
    else by the first batch (Keras requires it up front; gradkit takes it from the first batch)."""

    states = None

    def _fix_batch_size(self, batch):
        self._expected_batch_size = batch if batch is not None else getattr(self, "_batch_size_arg", None)

    def _stateful_initial(self, batch, zeros):
        """The carried states for a batch of this size (zeros(batch) the first time); ShapeError on another size."""
        if _Context.symbolic:  # a placeholder run to find shapes: leave the states alone
            return zeros(batch)
        expected = getattr(self, "_expected_batch_size", None)
        if expected is not None and batch != expected:
            raise ShapeError(f"layer '{self.name}' is stateful with batch size {expected}, got a batch of {batch} "
                             f"samples; give fit/predict/evaluate batch_size={expected} and a number of samples "
                             f"divisible by it (the stateful RNN's batch_input_shape/batch_size is {expected})")
        if self.states is None:
            self._expected_batch_size = batch
            self.states = map_structure(_detached, zeros(batch))
        return self.states

    def _stateful_store(self, states):
        if not _Context.symbolic:
            self.states = map_structure(_detached, states)

    def reset_state(self):
        """Set the carried states back to zeros (Keras 3's name)."""
        if self.states is not None:
            for s in flatten(self.states):
                s.data[...] = 0

    def reset_states(self, states=None):
        """Zeros, or the given arrays (Keras 2's ``reset_states(states)``), as the next batch's initial states."""
        if not self.stateful:
            raise ConfigError(f"layer '{self.name}': reset_states() needs stateful=True, got stateful=False")
        if states is None:
            return self.reset_state()
        if self.states is None:
            raise ConfigError(f"layer '{self.name}': reset_states(states) before the layer has seen a batch; call it "
                              "on data first or give its input a batch_shape")
        mine, given = flatten(self.states), flatten(list(states) if isinstance(states, (list, tuple)) else [states])
        if len(given) != len(mine):
            raise ShapeError(f"layer '{self.name}' has {len(mine)} state(s), reset_states got {len(given)}")
        for s, v in zip(mine, given):
            v = B.xp.asarray(getattr(v, "data", v))
            if tuple(v.shape) != tuple(s.shape):
                raise ShapeError(f"layer '{self.name}': reset_states expects a state of shape {tuple(s.shape)}, "
                                 f"got {tuple(v.shape)}")
            s.data[...] = v


def _detached(t):
    return Tensor(B.xp.array(t.data if isinstance(t, Tensor) else t))


class RNN(Stateful, Layer):
    """Runs ``cell`` over the timesteps (Keras's ``RNN``); a list of cells becomes a StackedRNNCells.

    The cell has ``state_size`` (int or list), ``call(inputs, states)`` returning ``(output, new_states)``, and
    optionally ``output_size`` and ``get_initial_state(batch_size)``. ``unroll`` is accepted; gradkit always
    runs the steps in a Python loop (the same numbers)."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        check_cell(cell, "RNN")
        super().__init__(**kwargs)
        self.cell, self.return_sequences, self.return_state = cell, return_sequences, return_state
        self.go_backwards, self.stateful, self.unroll = go_backwards, stateful, unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        size = cell.state_size
        self.state_size = [size] if isinstance(size, int) else list(size)

    @property
    def n_states(self):
        """How many state entries the layer returns with return_state (one per cell of a stack)."""
        return len(self.state_size)

    def build(self, sequences_shape, initial_state_shape=None):
        shape = sequences_shape[0] if isinstance(sequences_shape, list) else sequences_shape
        if len(shape) < 3:
            raise ShapeError(f"layer '{self.name}' expects a 3D input (batch, timesteps, features), "
                             f"got an input of shape {tuple(shape)}")
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build((shape[0],) + tuple(shape[2:]))
        self._fix_batch_size(shape[0])
        self.built = True

    def get_initial_state(self, batch_size):
        """The cell's initial states for batch_size samples (zeros unless the cell says otherwise)."""
        return initial_state_of(self.cell, batch_size, self.dtype)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        x = sequence_input(sequences, self.dtype, self.name)
        if initial_state is None:
            initial_state = self._stateful_initial(x.shape[0], self.get_initial_state) if self.stateful \
                else self.get_initial_state(x.shape[0])
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        reset_masks(self.cell)
        try:
            last, seq, states = run_steps(cell_stepper(self.cell, x, training), x, states, mask, self.go_backwards,
                                          self.zero_output_for_mask, self.return_sequences)
        finally:
            reset_masks(self.cell)
        if self.stateful:
            self._stateful_store(states)
        out = seq if self.return_sequences else last
        return [out, *states] if self.return_state else out

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        """(batch, timesteps, output_size) with return_sequences, else (batch, output_size); then the states'."""
        shape = sequences_shape[0] if isinstance(sequences_shape, list) else sequences_shape
        size = cell_output_size(self.cell)
        out = (shape[0], shape[1], size) if self.return_sequences else (shape[0], size)
        if not self.return_state:
            return out
        states = [[(shape[0], d) for d in s] if isinstance(s, (list, tuple)) else (shape[0], s)
                  for s in self.state_size]
        return [out, *states]

    def compute_mask(self, inputs, mask=None):
        """The input mask for the output sequence (None without return_sequences); None for the states."""
        mask = flatten(mask)[0] if isinstance(mask, (list, tuple)) else mask
        out = mask if self.return_sequences else None
        return [out] + [None] * len(self.state_size) if self.return_state else out

    def get_config(self):
        return {**super().get_config(), "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask, "cell": serialize_cell(self.cell)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = deserialize_cell(config.pop("cell"), custom_objects)
        return cls(cell, **config)
