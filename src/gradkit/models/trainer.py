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
from ..autograd import nn
from ..errors import ConfigError, ConfigTypeError, DataError, ShapeError, TrainingError
from ..backend import is_sparse
from ..training import data_adapter as data, streams
from ..training.batching import Batcher, inference_batches
from ..training.callbacks import CallbackList
from ..arguments import flag, number
from .keras2 import Keras2Generators

_FULL_EVAL_BATCH = 8192  # batch of the full-data pass (epoch_loss="full"): one pass on the course's data
EPOCH_LOSSES = ("mean", "full")


class Trainer(Keras2Generators):
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

        ``weighted_metrics`` (like ``metrics``: a list, per output a list of lists or a dict) get fit's
        sample_weight / class_weight and evaluate's sample_weight; ``metrics`` never do (Keras 3).

        ``jit_compile=False`` forces the eager step; "auto"/True use a compiled step where the model allows it
        (True warns when it does not).
        """
        from .. import losses, optimizers
        self._metric_ids = _metric_spec(metrics, "metrics")
        self._weighted_metric_ids = _metric_spec(weighted_metrics, "weighted_metrics")
        if steps_per_execution != 1:
            raise ConfigError(f"compile(steps_per_execution={steps_per_execution!r}) is not supported: gradkit runs "
                              "one step per call (its compiled step already removes the per-step overhead)")
        flag(auto_scale_loss, "auto_scale_loss", "compile")  # loss scaling is for float16 policies: none here
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
        """Resolve the fused (logits) losses and the metrics once per data shape, as Keras builds them."""
        from .. import losses
        from ..training.compile_metrics import CompileMetrics
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
        names = [getattr(l, "name", None) or f"output_{i + 1}" for i, l in enumerate(self._output_layers())]
        self._tracker = CompileMetrics(self._metric_ids, self._loss_fns, names, y_shapes, out_shapes, self._activate,
                                       self._weighted_metric_ids)
        self._eval_tracker = self._tracker.sibling()  # evaluate's own running sums (callbacks evaluate mid-epoch)
        self._metrics_for = key

    def _metrics_config(self, weighted=False):
        """compile's metrics (or weighted_metrics) as saved: their names, in the same structure (objects are passed
        again on load)."""
        def names(ms):
            return [m for m in (ms if isinstance(ms, (list, tuple)) else [ms]) if isinstance(m, str)]
        spec = self._weighted_metric_ids if weighted else self._metric_ids
        if isinstance(spec, dict):
            return {k: names(v) for k, v in spec.items()}
        return [names(m) if isinstance(m, (list, tuple)) else m for m in spec if isinstance(m, (str, list, tuple))]

    @property
    def metrics_names(self):
        """As Keras 3: ["loss"], then "compile_metrics" once metrics are built, then each output's loss."""
        tracker = getattr(self, "_tracker", None)
        if tracker is None:
            return ["loss"]
        return ["loss"] + (["compile_metrics"] if tracker.sums or tracker.objects else []) + \
            [k for k, _ in tracker.losses]

    def _activate(self, outputs):
        """Outputs as the model returns them: the output activation applied to fused logits (for metrics)."""
        if not self._logits_for:
            return outputs
        layers = self._output_layers()
        return [layers[i].activation(o) if i in self._logits_for else o for i, o in enumerate(outputs)]

    def _output_losses(self, ys, outputs, sample_weight=None):
        """Per output, its per-sample loss (weighted by sample_weight when given): Tensors of shape (batch,).

        A loss with more axes (a sequence output's (batch, steps)) is averaged over them; where the output
        carries a mask (Embedding(mask_zero=True) upstream), masked entries count 0 and the rest total/valid,
        so the batch mean is the mean over the valid entries, as Keras's apply_mask.
        """
        out = []
        for i, o in enumerate(outputs):
            v = _masked((self._fused[i] or self._loss_fns[i])(ys[i], o), getattr(o, "_keras_mask", None))
            if sample_weight is not None:
                v = v * (sample_weight if v.ndim == 1 else
                         F.reshape(sample_weight, (sample_weight.shape[0],) + (1,) * (v.ndim - 1)))
            out.append(F.mean(v, axis=tuple(range(1, v.ndim))) if v.ndim > 1 else v)
        return out

    def _per_sample_losses(self, ys, outputs, sample_weight=None):
        """Sum over outputs of loss_weight × per-sample loss (a Tensor of shape (batch,))."""
        total = None
        for w, v in zip(self._loss_weights, self._output_losses(ys, outputs, sample_weight)):
            if w != 1.0:
                v = v * w
            total = v if total is None else total + v
        return total

    # ---- the step ---------------------------------------------------------------------------------
    def compute_loss_and_outputs(self, xs, ys, training=True, sample_weight=None):
        """Forward pass and loss on one batch: (scalar loss Tensor, outputs; logits for fused outputs).

        The loss is Keras's "sum_over_batch_size": sum(w·l) / N over the batch's N samples (w = 1 without
        sample_weight), each output's loss times its loss_weight, plus sum(model.losses).
        """
        outputs = self._forward(xs, training=training, logits_for=self._logits_for)
        if len(outputs) == 1 and self._loss_weights[0] == 1.0 and sample_weight is None and \
                getattr(outputs[0], "_keras_mask", None) is None:  # its fused batch mean
            loss = (self._fused[0] or self._loss_fns[0]).mean(ys[0], outputs[0])
        else:
            loss = F.mean(self._per_sample_losses(ys, outputs, sample_weight))
        for extra in self.losses:  # add_loss, activity and weight regularizers: Keras adds sum(model.losses)
            loss = loss + F.sum(extra)
        return loss, outputs

    def train_step(self, xs, ys, sample_weight=None):
        """One gradient step on a batch, the only definition of a step: forward, loss, backward, optimizer.apply.

        xs, ys: lists of input and target Tensors; sample_weight: a (batch,) Tensor, passed only when fit has
        weights. Returns (loss, outputs) as Tensors; outputs are what the loss saw (logits where a softmax/sigmoid
        is fused into it). fit runs it through a compiled wrapper (traced once per batch shape, then replayed; see
        gradkit.training.compiled) unless compile(jit_compile=False).
        """
        variables = self._train_vars
        for v in variables:
            v.grad = None
        loss, outputs = self.compute_loss_and_outputs(xs, ys, sample_weight=sample_weight)
        if loss.requires_grad:  # a frozen model (no trainable weight) has nothing to differentiate
            loss.backward()
        self.optimizer.apply([v.grad for v in variables], variables)
        return loss, outputs

    def _make_train_function(self):
        """The per-step callable fit runs: train_step wrapped by a compiled step unless jit_compile is False."""
        _check_train_step_signature(type(self))
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
        sample_weight / class_weight: per-sample weights of the loss (Keras's sum(w·l) / N per batch) and of the
            weighted_metrics; class_weight leaves a validation_split unweighted (Keras);
            validation_data may carry a third element, its sample weights. validation_steps: batches per validation.
        """
        self._require_compiled("fit")
        if epoch_loss not in EPOCH_LOSSES:
            raise ConfigError(f"fit(epoch_loss={epoch_loss!r}): expected one of {', '.join(EPOCH_LOSSES)}")
        data.check_fit_args(batch_size, epochs, initial_epoch, steps_per_epoch, validation_split, validation_freq,
                            verbose, shuffle)
        data.check_batch_size(validation_batch_size, name="validation_batch_size")
        if validation_steps is not None:
            number(validation_steps, "validation_steps", "fit", "[1, inf)", integer=True)
        callbacks = data.check_callbacks(callbacks)
        verbose = 1 if verbose == "auto" else verbose
        B.keep_freed_memory()
        if streams.is_stream(x):
            streams.check_fit(x, y, batch_size, sample_weight, class_weight, validation_split, sampling, epoch_loss,
                              shuffle)
            streams.check_once_read(x, steps_per_epoch, epochs - initial_epoch, "fit: x", "steps_per_epoch")
            batcher = streams.Stream(self, x, "fit", steps_per_epoch, shuffle, class_weight=class_weight)
            held_out = full = None
        else:
            split = validation_split if validation_data is None else 0.0  # validation_data overrides it (Keras)
            batcher, held_out, full = self._array_batches(x, y, sample_weight, class_weight, split, batch_size,
                                                          sampling or ("shuffle" if shuffle else "sweep"),
                                                          steps_per_epoch, epoch_loss == "full")
        passes = sum((e + 1) % validation_freq == 0 for e in range(initial_epoch, epochs))
        val = self._validation_batches(validation_data, held_out, validation_batch_size or batch_size or 32,
                                       validation_steps, passes)
        self._setup_step(batcher.y_shapes)
        run = _Run(epochs, initial_epoch, verbose, val, validation_freq, full)
        with B.owned_threads():
            return self._run_epochs(batcher, run, callbacks)

    def _array_batches(self, x, y, sample_weight, class_weight, split, batch_size, sampling, steps, full):
        """fit's training Batcher over the prepared arrays, the held-out split (or None), and the arrays for the
        full-data epoch loss (or None)."""
        xs, ys = data.prepare(self, x, y)
        weights = data.sample_weights(self, ys, sample_weight, class_weight)
        if weights is not None:
            data.check_lengths(xs, [weights], "x and sample_weight")
        xs, ys, weights, held_out = data.validation(self, xs, ys, split, weights)
        if class_weight is not None and held_out is not None:
            held_out = held_out[:2] + (None,)  # Keras weighs only the training part by class_weight
        batcher = Batcher(xs, ys, 32 if batch_size is None else batch_size, sampling, steps, weights)
        return batcher, held_out, (xs, ys, weights) if full else None

    def _validation_batches(self, validation_data, held_out, batch_size, steps, passes):
        """fit's validation batches: a Stream for a generator / PyDataset, else sequential batches of the arrays
        (validation_data's, or the held-out split); None without validation."""
        if streams.is_stream(validation_data):
            streams.check_once_read(validation_data, steps, passes, "fit: validation_data", "validation_steps")
            return streams.Stream(self, validation_data, "fit", steps, what="validation_data")
        if validation_data is not None:
            held_out = data.validation_data(self, validation_data)
        return None if held_out is None else Batcher(*held_out[:2], batch_size, "sweep", steps, held_out[2])

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

    def _run_epochs(self, batcher, run, callbacks):
        cbl = self._make_callbacks(callbacks, run.verbose, run.epochs, batcher.steps)
        begin, end = cbl.hook("on_train_batch_begin"), cbl.hook("on_train_batch_end")
        epoch_begin, epoch_end = cbl.hook("on_epoch_begin"), cbl.on_epoch_end
        self._verbose = run.verbose
        step_fn, tracker, n_out = self._make_train_function(), self._tracker, self._num_outputs()
        self.stop_training = False
        isfinite = math.isfinite
        logs = {}
        cbl.on_train_begin({})
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(run.initial_epoch, run.epochs):
                batches = batcher.epoch()
                if batches is None:  # a generator ran out: Keras warns "interrupting training"
                    self._warn_ran_out(batcher, "x", epoch, run)
                    break
                if epoch_begin is not None:
                    epoch_begin(epoch, {})
                tracker.reset()
                bad, step = None, 0
                for xb, yb in batches:
                    if begin is not None:
                        begin(step, {})
                    yt = [wrap(a) for a in yb]
                    sw = yt.pop() if batcher.weighted else None
                    loss, outputs = step_fn([wrap(a) for a in xb], yt) if sw is None else \
                        step_fn([wrap(a) for a in xb], yt, sw)
                    loss_v = float(loss.data)
                    k = xb[0].shape[0]
                    tracker.update(yt, outputs, loss_v * k, k, lambda: self._loss_sums(yt, outputs, sw), sw)
                    loss = outputs = None  # the step's graph (eager) is freed before the next step builds its own
                    if not isfinite(loss_v):
                        bad = (loss_v, step)
                        self.stop_training = True
                    if end is not None:
                        end(step, tracker.result())
                    if self.stop_training:
                        break
                    step += 1
                close(batches)
                logs = tracker.result() if run.full is None else \
                    self._evaluate_batches(Batcher(*run.full[:2], _FULL_EVAL_BATCH, "sweep", None, run.full[2]))
                if run.val is not None and (epoch + 1) % run.val_freq == 0:
                    vlogs = self._evaluate_batches(run.val, cbl)
                    if vlogs is None:
                        self._warn_ran_out(run.val, "validation_data", epoch + 1, run)
                        self.stop_training = True
                    else:
                        logs.update({"val_" + k: v for k, v in vlogs.items()})
                epoch_end(epoch, logs)
                if bad is not None:
                    self._warn_diverged(bad, epoch)
                if self.stop_training:
                    break
        cbl.on_train_end(dict(logs))  # Keras passes the last epoch's logs
        return self.history

    def _loss_sums(self, ys, outputs, sample_weight=None):
        """Per output, the sum over the batch of its unweighted-by-loss_weight (sample-weighted) loss: floats."""
        return [float(F.sum(v).data) for v in self._output_losses(ys, outputs, sample_weight)]

    def _warn_diverged(self, bad, epoch):
        lr = self.optimizer.learning_rate
        lr_txt = f" ({float(lr):g})" if isinstance(lr, (int, float)) else ""
        warnings.warn(f"the loss became {bad[0]} at epoch {epoch + 1}, step {bad[1] + 1}: training stopped. "
                      f"The learning rate{lr_txt} is probably too large; try a smaller one (e.g. 10x smaller).",
                      RuntimeWarning, stacklevel=4)

    @staticmethod
    def _warn_ran_out(stream, what, epoch, run):
        warnings.warn(f"fit: {what} ran out of data ({stream.describe()}): training stopped after epoch {epoch} of "
                      f"{run.epochs}", RuntimeWarning, stacklevel=4)

    def _inference_setup(self, what, batch_size, verbose, steps, callbacks):
        """evaluate's / predict's arguments checked once: (verbose as 0/1/2, their CallbackList)."""
        data.check_batch_size(batch_size, what)
        data.check_verbose(verbose, what)
        if steps is not None:
            number(steps, "steps", what, "[1, inf)", integer=True)
        verbose = 1 if verbose == "auto" else verbose
        return verbose, CallbackList(data.check_callbacks(callbacks, what), self, {"verbose": verbose, "steps": steps})

    # ---- evaluate / predict ---------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """Loss and metrics on the data: a float with no metrics, else [loss, *metrics] in compile order (Keras);
        a dict sorted by key if return_dict. steps: evaluate only the first ``steps`` batches."""
        self._require_compiled("evaluate")
        verbose, cbl = self._inference_setup("evaluate", batch_size, verbose, steps, callbacks)
        if streams.is_stream(x):
            streams.reject(x, "evaluate", y=y, sample_weight=sample_weight, batch_size=batch_size)
            batches = streams.Stream(self, x, "evaluate", steps)
        else:
            xs, ys = data.prepare(self, x, y)
            weights = data.sample_weights(self, ys, sample_weight)
            batches = Batcher(xs, ys, 32 if batch_size is None else batch_size, "sweep", steps, weights)
        self._setup_step(batches.y_shapes)
        t0 = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), B.owned_threads():
            logs = self._evaluate_batches(batches, cbl)
        if verbose:
            from ..training.progress import format_logs
            print(f"{self._eval_tracker.seen} samples - {time.perf_counter() - t0:.0f}s - {format_logs(logs)}")
        if return_dict:
            return logs
        vals = self._tracker.ordered(logs)
        return vals[0] if len(vals) == 1 else vals

    def loss_function(self, x, y):
        """A callable () → the loss on (x, y) with the current weights, the data checked and cast once.

        For recording the full-data loss after every step cheaply (trajectories, the course's curves).
        """
        self._require_compiled("loss_function")
        xs, ys = data.prepare(self, x, y)
        self._setup_step([a.shape for a in ys])
        return lambda: self._loss_only(xs, ys, _FULL_EVAL_BATCH)

    def _loss_only(self, xs, ys, batch_size):
        """The mean loss over the data, touching no metric state (callbacks call it in the middle of an epoch)."""
        total, seen = 0.0, 0
        with no_grad():
            for batch in inference_batches(xs + ys, batch_size):
                bx, by = batch[:len(xs)], [wrap(a) for a in batch[len(xs):]]
                outputs = self._forward(bx, training=False, logits_for=self._logits_for)
                total += float(F.sum(self._per_sample_losses(by, outputs)).data) + self._added_loss() * bx[0].shape[0]
                seen += bx[0].shape[0]
        return total / max(seen, 1)

    def _added_loss(self):
        """sum(model.losses) after the last forward pass, a float: Keras's evaluate adds it to the loss as fit does."""
        return sum(float(F.sum(extra).data) for extra in self.losses)

    def _evaluate_batches(self, batcher, cbl=None):
        """{"loss": mean over samples, metric keys: values} (sorted) over one epoch of ``batcher`` without gradients
        (None when a generator has run out); ``cbl`` gets Keras's on_test_* hooks (fit's validation, evaluate)."""
        batches = batcher.epoch()
        if batches is None:
            return None
        tracker = self._eval_tracker
        tracker.reset()
        begin, end = (cbl.hook("on_test_batch_begin"), cbl.hook("on_test_batch_end")) if cbl else (None, None)
        if cbl is not None:
            cbl.on_test_begin({})
        with no_grad():
            for step, (bx, by) in enumerate(batches):
                if begin is not None:
                    begin(step, {})
                by = [wrap(a) for a in by]
                sw = by.pop() if batcher.weighted else None
                outputs = self._forward(list(bx), training=False, logits_for=self._logits_for)
                n = bx[0].shape[0]
                total = float(F.sum(self._per_sample_losses(by, outputs, sw)).data) + self._added_loss() * n
                tracker.update(by, outputs, total, n, lambda: self._loss_sums(by, outputs, sw), sw)
                if end is not None:
                    end(step, tracker.result())
        logs = tracker.result()
        if cbl is not None:
            cbl.on_test_end(dict(logs))
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs as NumPy (one array, or a list for several outputs); needs no compile.

        steps: predict only the first ``steps`` batches; callbacks get Keras's on_predict_* hooks (the batch end
        with {"outputs": ...}); verbose prints one summary line.
        """
        verbose, cbl = self._inference_setup("predict", batch_size, verbose, steps, callbacks)
        begin, end = cbl.hook("on_predict_batch_begin"), cbl.hook("on_predict_batch_end")
        if streams.is_stream(x):
            streams.reject(x, "predict", batch_size=batch_size)
            batches = streams.Stream(self, x, "predict", steps, targets=False).epoch()
        else:
            batches = Batcher(data.prepare_x(self, x), [], 32 if batch_size is None else batch_size, "sweep",
                              steps).epoch()
        parts, t0 = [], time.perf_counter()
        cbl.on_predict_begin({})
        with no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"), B.owned_threads():
            for step, (bx, _) in enumerate(batches):
                if begin is not None:
                    begin(step, {})
                parts.append([B.to_numpy(o.data) for o in self._forward(list(bx), training=False)])
                if end is not None:
                    end(step, {"outputs": parts[-1][0] if len(parts[-1]) == 1 else parts[-1]})
        cbl.on_predict_end({})
        outs = [np.concatenate([p[i] for p in parts]) for i in range(len(parts[0]))]
        if verbose:
            print(f"{outs[0].shape[0]} samples - {time.perf_counter() - t0:.0f}s")
        return outs[0] if len(outs) == 1 else outs

    def predict_on_batch(self, x):
        """predict on one batch."""
        return self.predict(x, batch_size="full", verbose=0)

    def __call__(self, inputs, training=False):
        """Run the model on arrays/Tensors (eager, differentiable) and return Tensor output(s)."""
        xs = list(inputs) if isinstance(inputs, (list, tuple)) and self._num_inputs() > 1 else [inputs]
        xs = [a if isinstance(a, Tensor) or is_sparse(a) else data.to_input_array(a, c, "x")
              for a, c in zip(xs, self._input_consumers())]
        self._ensure_built([tuple(a.shape) for a in xs])
        outs = self._forward(xs, training=training)
        return outs[0] if len(outs) == 1 else outs


def _metric_spec(spec, argument):
    """compile's metrics= or weighted_metrics=: a list, tuple or dict (as Keras), its names checked now (an unknown
    one fails before any data is read); as stored: the dict, or a list."""
    from .. import metrics as metrics_module
    if spec is not None and not isinstance(spec, (list, tuple, dict)):
        raise ConfigTypeError(f"compile: {argument} must be a list, tuple or dict (as Keras), got {spec!r}: "
                              f"write {argument}=[{spec!r}]")
    for ids in (spec.values() if isinstance(spec, dict) else [spec or []]):
        for m in (ids if isinstance(ids, (list, tuple)) else [ids]):
            for name in (m if isinstance(m, (list, tuple)) else [m]):
                if isinstance(name, str) and name not in metrics_module._STATEFUL:
                    metrics_module.get(name)
    return spec if isinstance(spec, dict) else list(spec or [])


class _Run:
    """fit's loop settings, checked: epochs, verbosity, the validation batches and how often they run, the arrays
    of the full-data epoch loss (or None)."""

    def __init__(self, epochs, initial_epoch, verbose, val, val_freq, full):
        self.epochs, self.initial_epoch, self.verbose = epochs, initial_epoch, verbose
        self.val, self.val_freq, self.full = val, val_freq, full


def close(batches):
    """End an epoch's batches early (a PyDataset's on_epoch_end runs, its reading threads stop)."""
    if hasattr(batches, "close"):
        batches.close()


def _masked(values, mask):
    """values × mask·(total / valid) when the mask matches their shape (Keras's "sum_over_batch_size" masking);
    recorded ops, so a traced step recomputes the weights for every batch."""
    if mask is None or tuple(mask.shape) != tuple(values.shape):
        return values
    m = nn.cast(mask, values.dtype)
    return values * (m * (float(m.size) / F.maximum(F.sum(m), 1.0)))


def _check_train_step_signature(cls):
    """A train_step override written for Keras (``train_step(self, data)`` returning a dict of metric results)
    cannot run here: say what gradkit's step takes and returns."""
    import inspect
    if cls.train_step is Trainer.train_step:
        return
    params = list(inspect.signature(cls.train_step).parameters.values())[1:]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) < 2 and not any(p.kind is p.VAR_POSITIONAL for p in params):
        raise ConfigError(f"{cls.__name__}.train_step{inspect.signature(cls.train_step)}: Keras's train_step(self, "
                          "data) form is not supported; gradkit's is train_step(self, xs, ys, sample_weight=None) "
                          "with lists of input and target Tensors, returning (loss, outputs): compute them with "
                          "self.compute_loss_and_outputs(xs, ys), call loss.backward() and self.optimizer.apply(...)")
