"""Recurrent layers with Keras 3's names, defaults, weight layouts and gate orders: SimpleRNN, LSTM, GRU, Bidirectional.

Each layer runs its whole sequence as one op (gradkit.autograd.rnn), so ``get_weights`` / ``set_weights``
move kernels, recurrent kernels and biases to and from Keras unchanged. A mask (from
``Embedding(mask_zero=True)``) makes padded steps carry the state over, as in Keras.
"""
from .. import activations, initializers
from .. import backend as B
from ..arguments import flag, number
from ..arguments import seed as seed_arg
from ..autograd import Tensor
from ..autograd import public_ops as F
from ..autograd import nn, rnn
from ..errors import ConfigError, ShapeError
from .base import Layer
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell, cell_stepper, check_rate, lstm_bias, reset_masks
from .rnn_layer import RNN, Stateful, run_steps, sequence_input


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


class BaseRNN(Stateful, Layer):
    """What SimpleRNN, LSTM and GRU share: configuration, weights, the call over one fused op, shapes, masks.

    Where the fused op does not apply (recurrent_dropout in training, GRU's reset_after=False) the layer runs its
    cell (``cell_class``, sharing the layer's weights) step by step, as Keras's RNN does."""

    kind, gates, n_states, cell_class = None, 1, 1, None

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        what = type(self).__name__
        number(units, "units", what, "[1, inf)", integer=True)
        dropout = check_rate(dropout, "dropout", what)
        recurrent_dropout = check_rate(recurrent_dropout, "recurrent_dropout", what)
        return_sequences, return_state, go_backwards, stateful = (flag(v, k, what) for k, v in (
            ("return_sequences", return_sequences), ("return_state", return_state), ("go_backwards", go_backwards),
            ("stateful", stateful)))
        seed, use_bias = seed_arg(seed, what), flag(use_bias, "use_bias", what)
        self.units, self.use_bias = units, use_bias
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self._act = rnn.activation_name(activation if isinstance(activation, str) else self.activation,
                                        f"{what} activation")
        self._ract = rnn.activation_name(recurrent_activation if isinstance(recurrent_activation, str)
                                         else self.recurrent_activation, f"{what} recurrent_activation")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.dropout, self.recurrent_dropout, self.seed = float(dropout), float(recurrent_dropout), seed
        self.return_sequences, self.return_state, self.go_backwards = return_sequences, return_state, go_backwards
        self.stateful, self.unroll, self.zero_output_for_mask = stateful, unroll, zero_output_for_mask

    # ---- weights ----------------------------------------------------------------------------------
    def build(self, input_shape):
        shape = self._sequence_shape(input_shape)
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", (shape[-1], width), self.kernel_initializer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, width), self.recurrent_initializer)
        self.bias = self.add_weight("bias", self._bias_shape(), self._bias_init) if self.use_bias else None
        self._fix_batch_size(shape[0])
        self.built = True

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_init(self, shape, dtype=None):
        return self.bias_initializer(shape, dtype=dtype)

    def _sequence_shape(self, shape):
        """The (batch, timesteps, features) shape of the sequence input (states may follow it in a list)."""
        shape = shape[0] if isinstance(shape, list) else shape
        if len(shape) != 3:
            raise ShapeError(f"layer '{self.name}' expects a 3D input (batch, timesteps, features), "
                             f"got an input of shape {tuple(shape)}")
        return tuple(shape)

    # ---- calling ----------------------------------------------------------------------------------
    def call(self, inputs, initial_state=None, mask=None, training=False):
        x = sequence_input(inputs, self.dtype, self.name)
        self._check_input(x.shape)
        if initial_state is not None:
            states = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
            initial_state = self._check_states(states, x.shape[0])
        elif self.stateful:
            initial_state = self._stateful_initial(x.shape[0], self._zero_states)
        if mask is not None:
            mask = _tensor(mask)
        if self._composed(training):
            out, states = self._cell_call(x, initial_state, mask, training)
        else:
            if training and self.dropout:  # Keras: one dropout mask per sequence, shared by every timestep
                x = F.mul(x, nn.dropout(Tensor(B.xp.ones((x.shape[0], 1, x.shape[2]), dtype=x.dtype)), self.dropout))
            out, states = rnn.recurrence(self.kind, x, self.kernel, self.recurrent_kernel, self.bias, initial_state,
                                         mask, **self._op_config())
        if self.stateful:
            self._stateful_store(states)
        return [out] + states if self.return_state else out

    def _zero_states(self, batch):
        return [Tensor(B.xp.zeros((batch, self.units), dtype=self.dtype)) for _ in range(self.n_states)]

    def _composed(self, training):
        """Whether this call runs the cell step by step: Keras's cell path (recurrent dropout in training)."""
        return bool(training and self.recurrent_dropout)

    def _make_cell(self):
        """A cell (SimpleRNNCell / LSTMCell / GRUCell) with this layer's configuration, sharing its weights."""
        cfg = {k: v for k, v in self.get_config().items() if k in self._CELL_KEYS}
        cell = self.cell_class(name=f"{self.name}_cell", dtype=self.dtype, **cfg)
        cell.kernel, cell.recurrent_kernel, cell.bias = self.kernel, self.recurrent_kernel, self.bias
        cell.built = True
        return cell

    _CELL_KEYS = ("units", "activation", "recurrent_activation", "use_bias", "dropout", "recurrent_dropout", "seed",
                  "unit_forget_bias", "reset_after")

    def _cell_call(self, x, initial_state, mask, training):
        """The sequence run cell by cell (ops only; each step's dropout masks drawn once per sequence)."""
        cell = self._make_cell()
        states = initial_state if initial_state is not None else self._zero_states(x.shape[0])
        reset_masks(cell)
        last, seq, states = run_steps(cell_stepper(cell, x, training), x, list(states), mask, self.go_backwards,
                                      self.zero_output_for_mask, self.return_sequences)
        return (seq if self.return_sequences else last), states

    def _op_config(self):
        return dict(activation=self._act, recurrent_activation=self._ract, go_backwards=self.go_backwards,
                    return_sequences=self.return_sequences, zero_output_for_mask=self.zero_output_for_mask)

    def _check_input(self, shape):
        if len(shape) != 3:
            raise ShapeError(f"layer '{self.name}' expects a 3D input (batch, timesteps, features), "
                             f"got an input of shape {tuple(shape)}")
        if shape[2] != self.kernel.shape[0]:
            raise ShapeError(f"layer '{self.name}' expects inputs with {self.kernel.shape[0]} features per "
                             f"timestep, got an input of shape {tuple(shape)}")

    def _check_states(self, states, batch):
        if len(states) != self.n_states:
            raise ShapeError(f"layer '{self.name}' takes {self.n_states} initial state(s), got {len(states)}")
        states = [_tensor(s) for s in states]
        for s in states:
            if tuple(s.shape) != (batch, self.units):
                raise ShapeError(f"layer '{self.name}' expects initial states of shape ({batch}, {self.units}), "
                                 f"got {tuple(s.shape)}")
        return states

    # ---- shapes and masks -------------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        """(batch, timesteps, units) with return_sequences, else (batch, units); then the states' shapes."""
        shape = self._sequence_shape(input_shape)
        out = (shape[0], shape[1], self.units) if self.return_sequences else (shape[0], self.units)
        return [out] + [(shape[0], self.units)] * self.n_states if self.return_state else out

    def compute_mask(self, inputs, mask=None):
        """The input mask, passed on when the layer returns sequences; none for the states (as Keras)."""
        out = mask if self.return_sequences else None
        return [out] + [None] * self.n_states if self.return_state else out

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self._act, "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask}


class SimpleRNN(BaseRNN):
    """Fully-connected RNN: h_t = activation(x_t·kernel + h_{t−1}·recurrent_kernel + bias)."""

    kind, gates, cell_class = "simple_rnn", 1, SimpleRNNCell

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(units, activation=activation, **kwargs)


class LSTM(BaseRNN):
    """Long short-term memory (Hochreiter & Schmidhuber 1997), Keras's layout: kernel (in, 4u) gates i, f, c, o.

    ``unit_forget_bias=True`` starts the forget gate's bias at 1 (Jozefowicz et al. 2015), as Keras does.
    """

    kind, gates, n_states, cell_class = "lstm", 4, 2, LSTMCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", unit_forget_bias=True,
                 use_cudnn="auto", **kwargs):
        kwargs.pop("implementation", None)  # Keras's cell-internal choice; the numbers are the same
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, **kwargs)
        self.unit_forget_bias, self.use_cudnn = unit_forget_bias, use_cudnn

    def _bias_init(self, shape, dtype=None):
        return lstm_bias(self, shape, dtype)

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": self._ract,
                "unit_forget_bias": self.unit_forget_bias, "use_cudnn": self.use_cudnn}


class GRU(BaseRNN):
    """Gated recurrent unit (Cho et al. 2014), gates z, r, h. reset_after=True (Keras 3's default): bias (2, 3u),
    one fused op; reset_after=False: bias (3u,), the reset gate applied before the recurrent matmul, run by GRUCell."""

    kind, gates, cell_class = "gru", 3, GRUCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", reset_after=True,
                 use_cudnn="auto", **kwargs):
        kwargs.pop("implementation", None)  # Keras's cell-internal choice; the numbers are the same
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, **kwargs)
        self.reset_after, self.use_cudnn = flag(reset_after, "reset_after", "GRU"), use_cudnn

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _composed(self, training):
        return not self.reset_after or super()._composed(training)

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": self._ract, "reset_after": self.reset_after,
                "use_cudnn": self.use_cudnn}


_MERGES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Runs a copy of an RNN forwards and one backwards over the sequence and merges their outputs (Keras's).

    Weights are the forward layer's then the backward layer's, in Keras's order.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, (BaseRNN, RNN)):
            raise ConfigError(f"Bidirectional wraps a SimpleRNN, LSTM, GRU or RNN layer, got {layer!r}")
        if merge_mode not in _MERGES:
            raise ConfigError(f"Bidirectional: merge_mode must be one of {_MERGES}, got {merge_mode!r}")
        self.forward_layer = _copy(layer, "forward_" + layer.name, layer.go_backwards)
        self.backward_layer = backward_layer or _copy(layer, "backward_" + layer.name, not layer.go_backwards)
        for sub in (self.forward_layer, self.backward_layer):  # as Keras: zeros at padded steps of sequences
            sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state
        self.units = getattr(layer, "units", None)
        self._initial_weights = weights

    def build(self, input_shape):
        for sub in (self.forward_layer, self.backward_layer):  # tracked sublayers: their weights are ours
            sub._maybe_build(input_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)

    def call(self, inputs, initial_state=None, mask=None, training=False):
        fs = bs = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fs, bs = initial_state[:half], initial_state[half:]
        y = self.forward_layer.call(inputs, initial_state=fs, mask=mask, training=training)
        y_rev = self.backward_layer.call(inputs, initial_state=bs, mask=mask, training=training)
        states = []
        if self.return_state:
            states = y[1:] + y_rev[1:]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = F.getitem(y_rev, (slice(None), slice(None, None, -1)))
        out = _merge(self.merge_mode, y, y_rev)
        if self.return_state:
            return (out if self.merge_mode is None else [out]) + states
        return out

    def reset_states(self):
        """Zeros for both directions' carried states (stateful=True)."""
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def reset_state(self):
        """Keras 3's name for reset_states."""
        self.reset_states()

    def compute_output_shape(self, input_shape):
        """The merged output's shape ([forward, backward] with merge_mode None), then both directions' states."""
        shapes = self.forward_layer.compute_output_shape(input_shape)
        shape, states = (shapes[0], shapes[1:]) if self.return_state else (shapes, [])
        if self.merge_mode == "concat":
            shape = shape[:-1] + (2 * shape[-1],)
        outs = [shape] * (2 if self.merge_mode is None else 1)
        return outs + states * 2 if self.return_state or self.merge_mode is None else shape

    def compute_mask(self, inputs, mask=None):
        """The input mask for the output(s) when returning sequences, None for states (as Keras)."""
        out = mask if self.return_sequences else None
        n = (2 if self.merge_mode is None else 1)
        if not self.return_state and n == 1:
            return out
        return [out] * n + [None] * (self.forward_layer.n_states * 2 if self.return_state else 0)

    def get_config(self):
        cfg = self.forward_layer.get_config()
        cfg["name"] = self.forward_layer.name[len("forward_"):]
        layer = {"class_name": type(self.forward_layer).__name__, "config": cfg}
        return {**super().get_config(), "layer": layer, "merge_mode": self.merge_mode}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        spec = config["layer"]
        if isinstance(spec, dict):
            kinds = {c.__name__: c for c in (SimpleRNN, LSTM, GRU, RNN)}
            if spec["class_name"] not in kinds:
                raise ConfigError(f"Bidirectional wraps SimpleRNN, LSTM, GRU or RNN, got {spec['class_name']!r}")
            config["layer"] = kinds[spec["class_name"]].from_config(dict(spec["config"]))
        return cls(**config)


def _copy(layer, name, go_backwards):
    cfg = layer.get_config()
    cfg.update(name=name, go_backwards=go_backwards)
    cfg.pop("input_shape", None)
    return type(layer).from_config(cfg)


def _merge(mode, y, y_rev):
    if mode == "concat":
        return F.concatenate([y, y_rev], axis=-1)
    if mode == "sum":
        return y + y_rev
    if mode == "ave":
        return (y + y_rev) * 0.5
    if mode == "mul":
        return y * y_rev
    return [y, y_rev]
