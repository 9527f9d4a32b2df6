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
from ..autograd.tensor import wrap
from ..autograd import functions as F
from ..errors import ConfigError, ConfigTypeError, DataError, ShapeError, TrainingError
from ..backend import is_sparse
from ..training import data_adapter as data
from ..training.batching import Batcher, inference_batches
from ..training.callbacks import CallbackList

_FULL_EVAL_BATCH = 8192  # batch of the full-data pass (epoch_loss="full"): one pass on the course's data
EPOCH_LOSSES = ("mean", "full")


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
        from .. import metrics as metrics_module
        if metrics is not None and not isinstance(metrics, (list, tuple, dict)):
            raise ConfigTypeError(f"compile: metrics must be a list, tuple or dict (as Keras), got {metrics!r}: "
                              f"write metrics=[{metrics!r}]")
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
        for m in self._metric_ids:
            if isinstance(m, str):
                metrics_module.get(m)  # an unknown name fails here, before any data is read
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
        """One gradient step on a batch, the only definition of a step: forward, loss, backward, optimizer.apply.

        xs, ys: lists of input and target Tensors. Returns (mean loss, outputs) as Tensors; outputs are what the loss
        saw (logits where a softmax/sigmoid is fused into it). fit runs it through a compiled wrapper (traced once
        per batch shape, then replayed; see gradkit.training.compiled) unless compile(jit_compile=False).
        """
        variables = self._train_vars
        for v in variables:
            v.grad = None
        loss, outputs = self.compute_loss_and_outputs(xs, ys)
        loss.backward()
        self.optimizer.apply([v.grad for v in variables], variables)
        return loss, outputs

    def _make_train_function(self):
        """The per-step callable fit runs: train_step wrapped by a compiled step unless jit_compile is False."""
        self._train_vars = list(self.trainable_weights)
        self._compiled_step = None
        if self.jit_compile is not False:
            fn = self._make_compiled_train_function()
            if fn is not None:
                return fn
        return self.train_step

    def _make_compiled_train_function(self):
        """``self.train_step`` (the user's override included) traced per batch shape and replayed; where the replay
        cannot repeat the step (checked bit for bit on each shape's second batch) it runs eagerly for good, saying
        so once (a warning under jit_compile=True, a line at verbose >= 1 under "auto")."""
        from ..training.compiled import CompiledStep

        def fell_back(reason):
            msg = f"model '{self.name}': the compiled training step falls back to eager: {reason}"
            if self.jit_compile is True:
                warnings.warn(f"compile(jit_compile=True): {msg}; fit runs it eagerly", RuntimeWarning, stacklevel=2)
            elif getattr(self, "_verbose", 0):
                print(msg)

        step = CompiledStep(self.train_step, state=lambda: [w.data for w in self.weights], on_fallback=fell_back)
        self._compiled_step = step
        return step

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
        data.check_fit_args(batch_size, epochs, initial_epoch, steps_per_epoch, validation_split, validation_freq,
                            verbose, shuffle)
        data.check_batch_size(validation_batch_size, name="validation_batch_size")
        callbacks = data.check_callbacks(callbacks)
        xs, ys = data.prepare(self, x, y)
        xs, ys, val = data.validation(self, xs, ys, validation_split, validation_data)
        self._setup_step([a.shape for a in ys])
        batch_size = 32 if batch_size is None else batch_size
        batcher = Batcher(xs, ys, batch_size, sampling or ("shuffle" if shuffle else "sweep"), steps_per_epoch)
        verbose = 1 if verbose == "auto" else verbose
        return self._run_epochs(batcher, epochs, initial_epoch, verbose, callbacks, val,
                                validation_batch_size or batch_size, validation_freq,
                                (xs, ys) if epoch_loss == "full" else None)

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
        self._verbose = verbose
        step_fn, metric_sums = self._make_train_function(), self._metric_sums
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
                    yt = [wrap(a) for a in yb]
                    loss, outputs = step_fn([wrap(a) for a in xb], yt)
                    loss_v = float(loss.data)
                    ms = metric_sums(yt, outputs)
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
        data.check_batch_size(batch_size, "evaluate")
        data.check_verbose(verbose, "evaluate")
        xs, ys = data.prepare(self, x, y)
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
        xs, ys = data.prepare(self, x, y)
        self._setup_step([a.shape for a in ys])
        return lambda: self._evaluate_arrays(xs, ys, _FULL_EVAL_BATCH)["loss"]

    def _evaluate_arrays(self, xs, ys, batch_size):
        """{"loss": mean over samples, "<metric>": mean over samples} without gradients."""
        n_m = len(self.metrics_names) - 1
        loss_sum, m_sums, seen = 0.0, [0.0] * n_m, 0
        with no_grad():
            for batch in inference_batches(xs + ys, batch_size):
                bx, by = batch[:len(xs)], [wrap(a) for a in batch[len(xs):]]
                outputs = self._forward(bx, training=False, logits_for=self._logits_for)
                loss_sum += float(F.sum(self._per_sample_losses(by, outputs)).data)
                ms = self._metric_sums(by, outputs)
                for j in range(n_m):
                    m_sums[j] += ms[j]
                seen += bx[0].shape[0]
        return _logs(self.metrics_names, loss_sum, m_sums, seen)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs as NumPy (one array, or a list for several outputs); needs no compile."""
        data.check_batch_size(batch_size, "predict")
        data.check_verbose(verbose, "predict")
        xs = data.prepare_x(self, x)
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
        xs = [a if isinstance(a, Tensor) or is_sparse(a) else data.to_input_array(a, c, "x")
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
