"""RNN cells, one timestep each (Keras's SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells), composed of ops.

``gradkit.layers.RNN`` runs a cell over a sequence. Weights have Keras's names, shapes and gate orders, so
``get_weights`` / ``set_weights`` move them to and from Keras unchanged. Dropout follows Keras's DropoutRNNCell:
one mask per sequence (drawn at its first step, kept for all steps, only in training); where Keras's cell runs
per-gate kernels ("implementation 1", forced by recurrent_dropout) each gate gets its own mask.
"""
import inspect

from .. import activations, constraints, initializers, regularizers
from .. import backend as B
from ..arguments import number
from ..autograd import Tensor
from ..autograd import public_ops as F
from ..autograd import nn
from ..errors import ConfigError
from .base import Layer, _call_info


def check_rate(value, name, owner):
    """A dropout rate in [0, 1), as a float; ConfigError naming the argument otherwise."""
    return float(number(value, name, owner, "[0, 1)"))


def lstm_bias(layer, shape, dtype=None):
    """An LSTM's initial bias: with unit_forget_bias (Keras's default) the forget gate's block is ones, the rest
    bias_initializer's values (gate order i, f, c, o)."""
    if not layer.unit_forget_bias:
        return layer.bias_initializer(shape, dtype=dtype)
    u, xp = layer.units, B.xp
    return xp.concatenate([xp.asarray(layer.bias_initializer((u,), dtype=dtype)), xp.ones((u,), dtype=dtype),
                           xp.asarray(layer.bias_initializer((2 * u,), dtype=dtype))])


def check_units(units, owner):
    """units as a positive int; ConfigError naming it otherwise."""
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        raise ConfigError(f"{owner}: units must be a positive integer, got {units!r}")
    return units


class DropoutRNNCell:
    """Mixin: dropout masks cached for a whole sequence (Keras's DropoutRNNCell); RNN resets them per call.

    A mask is inverted dropout applied to ones, so kept entries are 1 / (1 − rate), as keras.random.dropout."""

    dropout_mask_count = None  # None: one mask; n: one per gate

    def _create_dropout_mask(self, like, rate):
        ones = Tensor(B.xp.ones(like.shape, dtype=like.dtype))
        if self.dropout_mask_count is None:
            return nn.dropout(ones, rate)  # an op: a replayed training step draws a fresh mask
        return [nn.dropout(ones, rate) for _ in range(self.dropout_mask_count)]

    def get_dropout_mask(self, step_input):
        """The input dropout mask(s) of this sequence (created at the first call), None without dropout."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        """The recurrent-state dropout mask(s) of this sequence, None without recurrent_dropout."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input, self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        """Forget the input mask: the next sequence draws a new one."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """Forget the recurrent mask: the next sequence draws a new one."""
        self._recurrent_dropout_mask = None


def per_gate(a, masks, n):
    """n copies of a for n gates: as is (no mask), times one shared mask, or times each gate's own mask."""
    if masks is None:
        return [a] * n
    if isinstance(masks, (list, tuple)):
        return [a * m for m in masks]
    return [a * masks] * n


class _GatedCell(Layer, DropoutRNNCell):
    """What the three cells share: configuration, kernel (in, g·u), recurrent_kernel (u, g·u), bias, masks."""

    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 implementation=2, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.units = check_units(units, owner)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate(dropout, "dropout", owner)
        self.recurrent_dropout = check_rate(recurrent_dropout, "recurrent_dropout", owner)
        self.seed = seed
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1 and self.gates > 1:
            self.dropout_mask_count = self.gates
        self.state_size, self.output_size = units, units

    def build(self, input_shape):
        width = self.gates * self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], width), name="kernel",
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(shape=self._bias_shape(), name="bias", initializer=self._bias_init,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_init(self, shape, dtype=None):
        return self.bias_initializer(shape, dtype=dtype)

    def call(self, inputs, states, training=False):
        """One step: the gates' input parts, then the recurrent step."""
        return self.recurrent_step(self.input_parts(inputs, training), states, self.recurrent_parts(), training)

    def input_parts(self, x, training=False):
        """Per gate, (x · its dropout mask)·W_gate + b_gate for a step's input x (N, d)."""
        mask = self.get_dropout_mask(x) if training and self.dropout else None
        u, b = self.units, self._input_bias()
        parts = []
        for k, xk in enumerate(per_gate(x, mask, self.gates)):
            z = xk @ self.kernel[:, k * u:(k + 1) * u]
            parts.append(z if b is None else z + b[k * u:(k + 1) * u])
        return parts

    def _input_bias(self):
        return self.bias

    def recurrent_parts(self):
        """Per gate, its columns of the recurrent kernel (sliced once per sequence, not per step)."""
        u = self.units
        return [self.recurrent_kernel[:, k * u:(k + 1) * u] for k in range(self.gates)]

    def _masked_h(self, h, training):
        """Per gate, the previous output times its recurrent dropout mask (training only; one mask per sequence)."""
        mask = self.get_recurrent_dropout_mask(h) if training and self.recurrent_dropout else None
        return per_gate(h, mask, self.gates)

    def get_initial_state(self, batch_size=None):
        """Zeros of (batch_size, units) for each state."""
        n = len(self.state_size) if isinstance(self.state_size, (list, tuple)) else 1
        return [Tensor(B.xp.zeros((batch_size, self.units), dtype=self.dtype)) for _ in range(n)]

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}


def _first_state(states):
    return states[0] if isinstance(states, (list, tuple)) else states


class SimpleRNNCell(_GatedCell):
    """One step of SimpleRNN: h = activation(x·kernel + b + h_prev·recurrent_kernel)."""

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def recurrent_step(self, parts, states, kernels, training=False):
        """h = act(x-part + (h_prev · mask)·U), given this step's input part."""
        prev = _first_state(states)
        (h,) = self._masked_h(prev, training)
        out = self.activation(parts[0] + h @ kernels[0])
        return out, ([out] if isinstance(states, (list, tuple)) else out)

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("recurrent_activation")
        return cfg


class LSTMCell(_GatedCell):
    """One LSTM step, Keras's gates i, f, c, o: c = f·c_prev + i·act(z_c), h = o·act(c); states [h, c].

    ``unit_forget_bias=True`` starts the forget gate's bias at 1, as Keras."""

    gates = 4

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def _bias_init(self, shape, dtype=None):
        return lstm_bias(self, shape, dtype)

    def recurrent_step(self, parts, states, kernels, training=False):
        """The gates from this step's input parts and (h_prev · mask_gate)·U_gate; then c and h."""
        h_prev, c_prev = states[0], states[1]
        z = [p + hk @ uk for p, hk, uk in zip(parts, self._masked_h(h_prev, training), kernels)]
        i, f, o = (self.recurrent_activation(z[k]) for k in (0, 1, 3))
        c = f * c_prev + i * self.activation(z[2])
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_GatedCell):
    """One GRU step, Keras's gates z, r, h: h = z·h_prev + (1 − z)·ĥ.

    reset_after=True (Keras 3's default): ĥ = act(x·W_h + b_h + r·(h_prev·U_h + b'_h)), bias (2, 3u);
    reset_after=False: ĥ = act(x·W_h + b_h + (r·h_prev)·U_h), bias (3u,)."""

    gates = 3

    def __init__(self, units, reset_after=True, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return None if self.bias is None else (self.bias[0] if self.reset_after else self.bias)

    def recurrent_step(self, parts, states, kernels, training=False):
        """z, r from the input parts and (h_prev · mask)·U (+ the recurrent bias with reset_after); then ĥ and h."""
        h_prev = _first_state(states)
        hs = self._masked_h(h_prev, training)
        u = self.units
        b_rec = self.bias[1] if self.bias is not None and self.reset_after else None
        rec = [hs[k] @ kernels[k] for k in range(2)]
        if b_rec is not None:
            rec = [r + b_rec[k * u:(k + 1) * u] for k, r in enumerate(rec)]
        z = self.recurrent_activation(parts[0] + rec[0])
        r = self.recurrent_activation(parts[1] + rec[1])
        if self.reset_after:
            rh = hs[2] @ kernels[2]
            rh = r * (rh if b_rec is None else rh + b_rec[2 * u:])
        else:
            rh = (r * hs[2]) @ kernels[2]  # the reset gate before the matmul
        hh = self.activation(parts[2] + rh)
        h = z * h_prev + (1 - z) * hh
        return h, ([h] if isinstance(states, (list, tuple)) else h)

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


class StackedRNNCells(Layer):
    """Cells run one after another within each timestep (Keras's StackedRNNCells); states: one entry per cell."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            check_cell(cell, "StackedRNNCells")
        self.cells = list(cells)

    @property
    def state_size(self):
        """Each cell's state_size, in order."""
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        """The last cell's output size."""
        return cell_output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        """Each cell's initial states, in order."""
        return [initial_state_of(c, batch_size, self.dtype) for c in self.cells]

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(tuple(input_shape))
            input_shape = (input_shape[0], cell_output_size(cell))
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, s in zip(self.cells, states):
            is_list = isinstance(s, (list, tuple))
            inputs, s = call_cell(cell, inputs, list(s) if is_list else [s], training)
            s = list(s) if isinstance(s, (list, tuple)) else [s]
            new_states.append(s[0] if len(s) == 1 and not is_list else s)
        return inputs, new_states

    def get_config(self):
        return {**super().get_config(), "cells": [serialize_cell(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_cell(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


# ---- helpers for any cell (a gradkit cell, a user's Layer, or a plain object with call and state_size) -------------
def check_cell(cell, owner):
    """ConfigError unless cell has a call method and a state_size (int or list of ints)."""
    if not callable(getattr(cell, "call", None)):
        raise ConfigError(f"{owner}: a cell needs a call(inputs, states) method, got {cell!r}")
    size = getattr(cell, "state_size", None)
    if size is None or not isinstance(size, (int, list, tuple)):
        raise ConfigError(f"{owner}: a cell needs a state_size attribute (an integer, or a list of integers, one per "
                          f"state), got state_size={size!r} on {cell!r}")


def cell_output_size(cell):
    """output_size when the cell gives one, else its (first) state size, as Keras."""
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    size = cell.state_size
    while isinstance(size, (list, tuple)):
        size = size[0]
    return size


def initial_state_of(cell, batch_size, dtype):
    """The cell's get_initial_state(batch_size=...) when it has one, else zeros (batch_size, d) per state size."""
    fn = getattr(cell, "get_initial_state", None)
    if fn is not None:
        state = fn(batch_size=batch_size)
        return list(state) if isinstance(state, (list, tuple)) else [state]
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    return [Tensor(B.xp.zeros((batch_size, d), dtype=dtype)) for d in sizes]


def call_cell(cell, inputs, states, training):
    """cell.call(inputs, states) → (output, new_states), passing training where the cell's call takes it (the RNN
    built the cell; per step, Layer.__call__'s conversions would only repeat)."""
    takes = _call_info(type(cell))[0] if isinstance(cell, Layer) else \
        "training" in inspect.signature(cell.call).parameters
    return cell.call(inputs, states, training=training) if takes else cell.call(inputs, states)


def cell_stepper(cell, x, training):
    """step(i, states) → (output, states) for timestep i of x (N, T, d), the cell's call on x[:, i]; gradkit's own
    cells slice their recurrent kernel per gate once per sequence, not per step. (Projecting all steps' inputs at once
    measured slower: slicing its (N, T, g·u) result per step makes a full-size gradient per step, T² work.)"""
    if isinstance(cell, _GatedCell):
        kernels = cell.recurrent_parts()
        return lambda i, s: cell.recurrent_step(cell.input_parts(F.getitem(x, (slice(None), i)), training), s,
                                                kernels, training)
    return lambda i, s: call_cell(cell, F.getitem(x, (slice(None), i)), s, training)


def reset_masks(cell):
    """Forget the dropout masks of cell (and of the cells a StackedRNNCells holds)."""
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for c in getattr(cell, "cells", ()) if isinstance(cell, StackedRNNCells) else ():
        reset_masks(c)


def serialize_cell(cell):
    """{"class_name", "config"} of a cell layer."""
    return {"module": "keras.layers", "class_name": type(cell).__name__, "config": cell.get_config(),
            "registered_name": None}


def deserialize_cell(spec, custom_objects=None):
    """A cell from serialize_cell()'s dict: gradkit's cells by name, others through custom_objects."""
    from .. import layers
    name = spec["class_name"]
    cls = (custom_objects or {}).get(name) or getattr(layers, name, None)
    if cls is None:
        raise ConfigError(f"unknown RNN cell class {name!r}; pass custom_objects={{'{name}': {name}}} to load it")
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(dict(spec["config"]), custom_objects=custom_objects)
    return cls.from_config(dict(spec["config"]))
