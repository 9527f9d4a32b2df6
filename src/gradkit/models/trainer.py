"""compile / fit / evaluate / predict, shared by Sequential and the functional Model (Keras 3 semantics).

One training step is one function, ``train_step(xs, ys)``: forward, loss, backward, optimizer.apply.
``_make_train_function()`` picks the callable fit runs each step; a compiled (traced) step plugs in at
``_make_compiled_train_function`` and ``jit_compile=False`` always selects the eager ``train_step``.
"""
import math
import time
import warnings

import numpy as np

from .. import backend as B
from ..autograd import Tensor, no_grad
from ..autograd import functions as F
from ..errors import ConfigError, DataError, ShapeError, TrainingError
from ..training.batching import SAMPLINGS, Batcher, inference_batches, is_sparse

_FULL_EVAL_BATCH = 8192  # batch of the full-data pass (epoch_loss="full"): one pass on the course's data
EPOCH_LOSSES = ("mean", "full")


def _overrides(cb, hook):
    """Whether a callback overrides a (per-batch) hook; fit skips calling hooks nobody implements."""
    from ..training.callbacks import Callback
    return getattr(type(cb), hook, None) not in (None, getattr(Callback, hook))


class CallbackList:
    """Calls a hook on every callback in order (user callbacks, then History, then the progress bar)."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def hook(self, name):
        """One callable running ``name`` on the callbacks that implement it (None when none does)."""
        fns = [getattr(cb, name) for cb in self.callbacks if _overrides(cb, name)]
        if not fns:
            return None
        if len(fns) == 1:
            return fns[0]

        def call(*args):
            for fn in fns:
                fn(*args)
        return call

    def __getattr__(self, name):
        fn = self.hook(name)
        return fn if fn is not None else (lambda *args: None)


class Trainer:
    """Mixin giving a model Keras's compile/fit/evaluate/predict.

    The model supplies: ``_ensure_built(shapes)``, ``_forward(xs, training, logits_for=())`` → list of
    outputs (logits instead of activations for the output indices in ``logits_for``), ``_output_layers()``,
    ``_input_consumers()`` (the layer reading each input), ``output_shapes`` and ``trainable_weights``.
    """

    optimizer = None
    compiled = False
    stop_training = False
    history = None

    # ---- compile ---------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True):
        """Choose the optimizer, loss (one, or one per output) and metrics; Keras 3's arguments.

        ``jit_compile=False`` forces the eager step; "auto"/True use a compiled step where the model allows it
        (True warns when it does not).
        """
        from .. import losses, optimizers
        if weighted_metrics:
            raise ConfigError("compile(weighted_metrics=...) is not supported (fit has no sample weights)")
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        n_out = self._num_outputs()
        if isinstance(loss, dict):
            loss = [loss.get(layer.name) for layer in self._output_layers()]
        per_out = loss if isinstance(loss, (list, tuple)) else [loss] * n_out
        if len(per_out) != n_out:
            raise ConfigError(f"compile: the model has {n_out} outputs but {len(per_out)} losses were given")
        self._loss_fns = [None if l is None else losses.get(l) for l in per_out]
        self._loss_weights = list(loss_weights) if loss_weights is not None else [1.0] * n_out
        self._metric_ids = list(metrics or [])
        self.jit_compile = jit_compile if not run_eagerly else False
        self._metrics_for = None  # resolved from the data's shapes on first use, as Keras does
        self.compiled = True

    def _logits_ok(self, i):
        """Whether _forward can return output i's pre-activation (its layer's output feeds nothing else)."""
        return True

    def _num_outputs(self):
        return len(self._output_layers())

    def _require_compiled(self, what):
        if not self.compiled:
            raise TrainingError(f"call model.compile(optimizer=..., loss=...) before model.{what}()")
        if any(f is None for f in self._loss_fns):
            raise ConfigError(f"model.{what}() needs a loss: pass loss=... to compile()")

    # ---- losses, fusion, metrics -----------------------------------------------------------------
    def _setup_step(self, y_shapes):
        """Resolve metrics and the fused (logits) losses once per data shape."""
        from .. import losses, metrics
        key = tuple(tuple(s[1:]) for s in y_shapes)
        if self._metrics_for == key:
            return
        out_shapes = self.output_shapes
        self._fused = []
        for i, (fn, layer) in enumerate(zip(self._loss_fns, self._output_layers())):
            losses.check_labels(fn, y_shapes[i], out_shapes[i])
            act = getattr(getattr(layer, "activation", None), "__name__", None)
            can = hasattr(layer, "preactivation") and self._logits_ok(i)
            fused = losses.fused_from_logits(fn, act) if can else None
            self._fused.append(fused)
        self._logits_for = tuple(i for i, f in enumerate(self._fused) if f is not None)
        prefixes = [""] if len(out_shapes) == 1 else [f"{l.name}_" for l in self._output_layers()]
        self._metric_fns = []
        for i, prefix in enumerate(prefixes):
            for m in self._metric_ids:
                name, fn = metrics.get(m, loss=self._loss_fns[i], y_true_shape=y_shapes[i],
                                       y_pred_shape=out_shapes[i])
                self._metric_fns.append((prefix + name, fn, i))
        self.metrics_names = ["loss"] + [n for n, _, _ in self._metric_fns]
        self._metrics_for = key

    def _activate(self, outputs):
        """Outputs as the model returns them: the output activation applied to fused logits (for metrics)."""
        if not self._logits_for:
            return outputs
        layers = self._output_layers()
        return [layers[i].activation(o) if i in self._logits_for else o for i, o in enumerate(outputs)]

    def _per_sample_losses(self, ys, outputs):
        """Sum over outputs of loss_weight × per-sample loss (a Tensor of shape (batch,))."""
        total = None
        for i, o in enumerate(outputs):
            fn = self._fused[i] or self._loss_fns[i]
            v = fn(ys[i], o)
            if self._loss_weights[i] != 1.0:
                v = v * self._loss_weights[i]
            total = v if total is None else total + v
        return total

    def _metric_sums(self, ys, outputs):
        """Sum over the batch of each metric's per-sample values (floats)."""
        if not self._metric_fns:
            return ()
        with no_grad():
            preds = self._activate(outputs)
            sums = []
            for _, fn, i in self._metric_fns:
                v = fn(ys[i], preds[i])
                sums.append(float((v.data if isinstance(v, Tensor) else v).sum()))
            return sums

    # ---- the step ---------------------------------------------------------------------------------
    def compute_loss_and_outputs(self, xs, ys, training=True):
        """Forward pass and mean loss on one batch: (scalar loss Tensor, outputs; logits for fused outputs)."""
        outputs = self._forward(xs, training=training, logits_for=self._logits_for)
        if len(outputs) == 1 and self._loss_weights[0] == 1.0:  # one loss: its fused batch mean where it has one
            loss = (self._fused[0] or self._loss_fns[0]).mean(ys[0], outputs[0])
        else:
            loss = F.mean(self._per_sample_losses(ys, outputs))
        for extra in self.losses:  # add_loss, activity and weight regularizers: Keras adds sum(model.losses)
            loss = loss + F.sum(extra)
        return loss, outputs

    def train_step(self, xs, ys):
        """One gradient step on a batch: forward, mean loss, backward, optimizer.apply.

        Returns (batch mean loss as a float, per-metric sums over the batch).
        """
        variables = self._train_vars
        for v in variables:
            v.grad = None
        loss, outputs = self.compute_loss_and_outputs(xs, ys)
        loss.backward()
        pairs = [(v.grad, v) for v in variables if v.grad is not None]
        self.optimizer.apply([g for g, _ in pairs], [v for _, v in pairs])
        return float(loss.data), self._metric_sums(ys, outputs)

    def _make_train_function(self):
        """The per-step callable fit runs: a compiled step where one exists and jit_compile allows, else train_step."""
        self._train_vars = list(self.trainable_weights)
        self._compiled_step = None
        if self.jit_compile is not False:
            fn = self._make_compiled_train_function()
            if fn is not None:
                return fn
        return self.train_step

    def _make_compiled_train_function(self):
        """A traced, replayed step with train_step's signature and results (see gradkit.training.compiled).

        The first batch of each shape is traced, the second runs eagerly with the replay checked bit for bit
        beside it, later ones replay; if a check fails (the model does something the trace cannot repeat)
        the step falls back to eager for the rest of fit, so the numbers are always train_step's.
        """
        from ..autograd.tensor import wrap
        from ..training.compiled import TrainStep
        n_x, with_outputs = self._num_inputs(), bool(self._metric_fns)

        def loss_and_outputs(*tensors):
            loss, outputs = self.compute_loss_and_outputs(list(tensors[:n_x]), list(tensors[n_x:]))
            return (loss, *outputs) if with_outputs else (loss,)

        def fell_back():
            if self.jit_compile is True:
                warnings.warn("compile(jit_compile=True): the training step does something a traced replay cannot "
                              "repeat (e.g. Python-side randomness or data-dependent indexing); fit runs it eagerly",
                              RuntimeWarning, stacklevel=2)

        state = [w.data for w in self.non_trainable_weights]
        step = TrainStep(loss_and_outputs, self._train_vars, self.optimizer, state=state, on_fallback=fell_back)
        self._compiled_step = step
        metric_sums = self._metric_sums

        def train_function(xs, ys):
            loss, outputs = step((*xs, *ys))
            return float(loss), (metric_sums(ys, [wrap(o) for o in outputs]) if with_outputs else ())
        return train_function

    # ---- data preparation -------------------------------------------------------------------------
    def _prepare_x(self, x):
        """Inputs as a list of arrays (floatx, or integers for an Embedding), each checked for NaN/inf once."""
        n_in = self._num_inputs()
        if isinstance(x, dict):
            names = self.input_names
            missing = [k for k in names if k not in x]
            if missing:
                raise DataError(f"x is missing input(s) {missing}; the model's inputs are {names}")
            items = [x[k] for k in names]
        elif n_in > 1:
            if not isinstance(x, (list, tuple)) or len(x) != n_in:
                raise DataError(f"the model has {n_in} inputs; pass x as a list of {n_in} arrays")
            items = list(x)
        else:
            items = [x[0] if isinstance(x, (list, tuple)) and len(x) == 1 and hasattr(x[0], "shape") else x]
        consumers = self._input_consumers()
        return [self._to_input_array(a, c, "x") for a, c in zip(items, consumers)]

    def _to_input_array(self, a, consumer, role):
        if a is None:
            raise DataError(f"{role} is None")
        if is_sparse(a):
            a = a.tocsr()
            if a.dtype != np.dtype(B.floatx()):
                a = a.astype(B.floatx())
            _check_finite(a.data, role)
            return a
        a = _as_array(a, role)
        if a.dtype.kind in "iu" and type(consumer).__name__ == "Embedding":
            return a
        a = a.astype(B.floatx(), copy=False)
        _check_finite(a, role)
        if a.ndim == 1:
            a = a[:, None]  # one feature per sample (Keras 2's expand_1d)
        return a

    def _prepare_y(self, y):
        """Targets as a list of arrays, one per output: floatx, or integers for sparse cross-entropy."""
        if y is None:
            raise DataError("no targets: pass y (the labels or values to learn) beside x")
        n_out = self._num_outputs()
        if isinstance(y, dict):
            items = [y[l.name] for l in self._output_layers()]
        elif n_out > 1:
            if not isinstance(y, (list, tuple)) or len(y) != n_out:
                raise DataError(f"the model has {n_out} outputs; pass y as a list of {n_out} arrays")
            items = list(y)
        else:
            items = [y]
        out = []
        for i, a in enumerate(items):
            a = _as_array(a, "y")
            sparse_loss = self.compiled and "sparse" in getattr(self._loss_fns[i], "name", "")
            if not (sparse_loss and a.dtype.kind in "iu"):
                a = a.astype(B.floatx(), copy=False)
                _check_finite(a, "y")
            out.append(a)
        return out

    def _check_inputs(self, xs):
        """Build the model from the data if needed; then name the layer when the data does not fit."""
        self._ensure_built([tuple(a.shape) for a in xs])
        for a, layer, want in zip(xs, self._input_consumers(), self.input_shapes):
            got = tuple(a.shape)
            if len(got) != len(want) or any(w is not None and w != g for w, g in zip(want[1:], got[1:])):
                feats = f"{want[-1]} features, got {got[-1]}" if len(got) == len(want) == 2 else \
                    f"inputs of shape {want}, got {(None,) + got[1:]}"
                raise ShapeError(f"layer '{layer.name}' expects {feats} (x has shape {got})")

    @staticmethod
    def _check_lengths(xs, ys):
        lens = {a.shape[0] for a in xs} | {a.shape[0] for a in ys}
        if len(lens) > 1:
            raise DataError(f"x and y must have the same number of samples; got x with "
                            f"{[a.shape[0] for a in xs]} and y with {[a.shape[0] for a in ys]}")

    # ---- fit ----------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1,
            sampling=None, epoch_loss="mean"):
        """Train for ``epochs`` epochs; returns a History (``.history``: "loss", metrics, "val_loss", ...).

        batch_size: None → 32 (Keras); "full" → full-batch gradient descent (one step per epoch on all data).
        sampling: how batches are drawn (see gradkit.training.batching) — "shuffle" (Keras's shuffled
            mini-batches, the default; shuffle=False means "sweep"), "sweep" (sequential mini-batches, no
            shuffle), "random" (the course's "first kind" of mini-batch: each step draws batch_size samples WITH
            replacement, steps_per_epoch steps per epoch, default 1; batch_size=1 is the course's SGD).
        epoch_loss: "mean" (Keras: the running mean of the batch losses during the epoch) or "full" (the loss and
            metrics on the FULL training data with the weights at the epoch's end, as the course reports them).
        validation_split: the LAST fraction of x and y (taken before any shuffling, as Keras does) is held out.
        """
        self._require_compiled("fit")
        if class_weight is not None or sample_weight is not None:
            raise ConfigError("fit(class_weight=..., sample_weight=...) is not supported")
        if epoch_loss not in EPOCH_LOSSES:
            raise ConfigError(f"fit(epoch_loss={epoch_loss!r}): expected one of {', '.join(EPOCH_LOSSES)}")
        sampling = sampling or ("shuffle" if shuffle else "sweep")
        if sampling not in SAMPLINGS:
            raise ConfigError(f"fit(sampling={sampling!r}) is unknown; expected one of {', '.join(SAMPLINGS)}")
        if y is None and isinstance(x, tuple) and len(x) == 2:
            x, y = x
        xs, ys = self._prepare_x(x), self._prepare_y(y)
        self._check_lengths(xs, ys)
        self._check_inputs(xs)
        val = self._validation(xs, ys, validation_split, validation_data)
        if validation_split and validation_data is None:
            xs, ys, val = val
        self._setup_step([a.shape for a in ys])
        batch_size = 32 if batch_size is None else batch_size
        batcher = Batcher(xs, ys, batch_size, sampling, steps_per_epoch)
        verbose = 1 if verbose == "auto" else verbose
        history = self._run_epochs(batcher, epochs, initial_epoch, verbose, callbacks, val,
                                   validation_batch_size or batch_size, validation_freq,
                                   (xs, ys) if epoch_loss == "full" else None)
        return history

    def _validation(self, xs, ys, split, data):
        if data is not None:
            if not isinstance(data, (list, tuple)) or len(data) not in (2, 3):
                raise DataError("validation_data must be a tuple (x_val, y_val)")
            vx, vy = self._prepare_x(data[0]), self._prepare_y(data[1])
            self._check_lengths(vx, vy)
            self._check_inputs(vx)
            return vx, vy
        if not split:
            return None
        if not 0 < split < 1:
            raise ConfigError(f"validation_split must be in (0, 1), got {split}")
        at = int(math.floor(xs[0].shape[0] * (1.0 - split)))
        if at == 0 or at == xs[0].shape[0]:
            raise DataError(f"validation_split={split} leaves no training or no validation samples")
        return [a[:at] for a in xs], [a[:at] for a in ys], ([a[at:] for a in xs], [a[at:] for a in ys])

    def _make_callbacks(self, callbacks, verbose, epochs, steps):
        from ..training.history import History
        from ..training.progress import ProgbarLogger
        cbs = list(callbacks or [])
        self.history = next((c for c in cbs if isinstance(c, History)), None)
        if self.history is None:
            self.history = History()
            cbs.append(self.history)
        if verbose and not any(isinstance(c, ProgbarLogger) for c in cbs):
            cbs.append(ProgbarLogger(verbose))
        return CallbackList(cbs, self, {"verbose": verbose, "epochs": epochs, "steps": steps})

    def _run_epochs(self, batcher, epochs, initial_epoch, verbose, callbacks, val, val_bs, val_freq, full):
        cbl = self._make_callbacks(callbacks, verbose, epochs, batcher.steps)
        begin, end = cbl.hook("on_train_batch_begin"), cbl.hook("on_train_batch_end")
        epoch_begin, epoch_end = cbl.hook("on_epoch_begin"), cbl.on_epoch_end
        step_fn = self._make_train_function()
        self.stop_training = False
        names = self.metrics_names
        n_m = len(names) - 1
        isfinite = math.isfinite
        cbl.on_train_begin({})
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(initial_epoch, epochs):
                if epoch_begin is not None:
                    epoch_begin(epoch, {})
                seen, loss_sum, m_sums, bad, step = 0, 0.0, [0.0] * n_m, None, 0
                for xb, yb in batcher.epoch():
                    if begin is not None:
                        begin(step, {})
                    loss_v, ms = step_fn(xb, yb)
                    k = xb[0].shape[0]
                    seen += k
                    loss_sum += loss_v * k
                    if n_m:
                        m_sums = [a + b for a, b in zip(m_sums, ms)]
                    if not isfinite(loss_v):
                        bad = (loss_v, step)
                        self.stop_training = True
                    if end is not None:
                        end(step, _logs(names, loss_sum, m_sums, seen))
                    if self.stop_training:
                        break
                    step += 1
                logs = self._epoch_logs(names, loss_sum, m_sums, seen, full)
                if val is not None and (epoch + 1) % val_freq == 0:
                    vlogs = self._evaluate_arrays(val[0], val[1], val_bs)
                    logs.update({"val_" + k: v for k, v in vlogs.items()})
                epoch_end(epoch, logs)
                if bad is not None:
                    self._warn_diverged(bad, epoch)
                if self.stop_training:
                    break
        cbl.on_train_end({})
        return self.history

    def _epoch_logs(self, names, loss_sum, m_sums, seen, full):
        if full is not None:
            return self._evaluate_arrays(full[0], full[1], _FULL_EVAL_BATCH)
        return _logs(names, loss_sum, m_sums, seen)

    def _warn_diverged(self, bad, epoch):
        lr = self.optimizer.learning_rate
        lr_txt = f" ({float(lr):g})" if isinstance(lr, (int, float)) else ""
        warnings.warn(f"the loss became {bad[0]} at epoch {epoch + 1}, step {bad[1] + 1}: training stopped. "
                      f"The learning rate{lr_txt} is probably too large; try a smaller one (e.g. 10x smaller).",
                      RuntimeWarning, stacklevel=4)

    # ---- evaluate / predict ---------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """Loss (and metrics) on the data: a float with no metrics, else [loss, *metrics]; a dict if return_dict."""
        self._require_compiled("evaluate")
        if sample_weight is not None:
            raise ConfigError("evaluate(sample_weight=...) is not supported")
        if y is None and isinstance(x, tuple) and len(x) == 2:
            x, y = x
        xs, ys = self._prepare_x(x), self._prepare_y(y)
        self._check_lengths(xs, ys)
        self._check_inputs(xs)
        self._setup_step([a.shape for a in ys])
        t0 = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            logs = self._evaluate_arrays(xs, ys, 32 if batch_size is None else batch_size)
        if verbose:
            from ..training.progress import format_logs
            print(f"{xs[0].shape[0]} samples - {time.perf_counter() - t0:.0f}s - {format_logs(logs)}")
        if return_dict:
            return logs
        vals = list(logs.values())
        return vals[0] if len(vals) == 1 else vals

    def loss_function(self, x, y):
        """A callable () → the loss on (x, y) with the current weights, the data checked and cast once.

        For recording the full-data loss after every step cheaply (trajectories, the course's curves).
        """
        self._require_compiled("loss_function")
        xs, ys = self._prepare_x(x), self._prepare_y(y)
        self._check_lengths(xs, ys)
        self._check_inputs(xs)
        self._setup_step([a.shape for a in ys])
        return lambda: self._evaluate_arrays(xs, ys, _FULL_EVAL_BATCH)["loss"]

    def _evaluate_arrays(self, xs, ys, batch_size):
        """{"loss": mean over samples, "<metric>": mean over samples} without gradients."""
        n_m = len(self.metrics_names) - 1
        loss_sum, m_sums, seen = 0.0, [0.0] * n_m, 0
        with no_grad():
            for batch in inference_batches(xs + ys, batch_size):
                bx, by = batch[:len(xs)], batch[len(xs):]
                outputs = self._forward(bx, training=False, logits_for=self._logits_for)
                loss_sum += float(F.sum(self._per_sample_losses(by, outputs)).data)
                ms = self._metric_sums(by, outputs)
                for j in range(n_m):
                    m_sums[j] += ms[j]
                seen += bx[0].shape[0]
        return _logs(self.metrics_names, loss_sum, m_sums, seen)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs as NumPy (one array, or a list for several outputs); needs no compile."""
        xs = self._prepare_x(x)
        self._check_inputs(xs)
        parts = []
        with no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for bx in inference_batches(xs, 32 if batch_size is None else batch_size):
                parts.append([B.to_numpy(o.data) for o in self._forward(bx, training=False)])
        outs = [np.concatenate([p[i] for p in parts]) for i in range(len(parts[0]))]
        return outs[0] if len(outs) == 1 else outs

    def predict_on_batch(self, x):
        """predict on one batch."""
        return self.predict(x, batch_size="full")

    def __call__(self, inputs, training=False):
        """Run the model on arrays/Tensors (eager, differentiable) and return Tensor output(s)."""
        xs = list(inputs) if isinstance(inputs, (list, tuple)) and self._num_inputs() > 1 else [inputs]
        xs = [a if isinstance(a, Tensor) or is_sparse(a) else self._to_input_array(a, c, "x")
              for a, c in zip(xs, self._input_consumers())]
        self._ensure_built([tuple(a.shape) for a in xs])
        outs = self._forward(xs, training=training)
        return outs[0] if len(outs) == 1 else outs


def _logs(names, loss_sum, m_sums, seen):
    seen = max(seen, 1)
    logs = {"loss": loss_sum / seen}
    for name, s in zip(names[1:], m_sums):
        logs[name] = s / seen
    return logs


def _as_array(a, role):
    """A NumPy array from an array, list, Tensor or DataFrame; a DataError for non-numeric data."""
    if isinstance(a, Tensor):
        a = a.numpy()
    elif hasattr(a, "to_numpy"):
        a = a.to_numpy()
    try:
        a = np.asarray(a) if B.xp is np or not hasattr(a, "__cuda_array_interface__") else a
    except (ValueError, TypeError) as e:
        raise DataError(f"{role} could not be read as one numeric array ({e}); ragged lists need padding "
                        "(gradkit.preprocessing.pad_sequences)") from e
    if a.dtype.kind not in "biuf":
        raise DataError(f"{role} must be numeric, got an array of dtype {a.dtype}")
    if a.ndim == 0:
        raise DataError(f"{role} must be an array of samples, got a scalar")
    if a.dtype.kind == "b":
        a = a.astype(B.floatx())
    return B.xp.asarray(a)


def _check_finite(a, role):
    if a.dtype.kind != "f" or math.isfinite(float(B.xp.sum(a))):
        return  # a finite sum means no NaN/inf: no boolean copy of the data (peak memory); overflow checks exactly
    if not bool(B.xp.isfinite(a).all()):
        bad = int((~B.xp.isfinite(a)).sum())
        raise DataError(f"{role} contains {bad} NaN or inf value(s); clean or impute them before training")
