"""The loss and metrics of compile(), resolved per output and accumulated over an epoch (Keras 3's CompileMetrics
and loss tracker, keras/src/trainers/compile_utils.py).

Mean metrics given by name or as a per-sample function (accuracy, mae, ...) are summed per batch, one float each (the
fast path); any other ``Metric`` object (AUC, Precision, a user's subclass) is driven through its own
``reset_state`` / ``update_state`` / ``result``. Metrics see the model's activated outputs, outside the
differentiated graph. As in Keras, ``metrics=`` ignore the sample weights; ``weighted_metrics=`` receive them (fit's
sample_weight or class_weight, evaluate's sample_weight, the same weights for every output): their mean is
sum(w·v) / sum(w). Keys are Keras's: the metric's name, prefixed by the output's name on a multi-output model
(``priority_mae``), which also logs each output's unweighted loss (``priority_loss``); a weighted metric whose key is
taken by a plain one becomes ``weighted_<name>``; logs come sorted by key, as Keras's History and return_dict show them.
"""
import copy

from .. import backend as B
from ..autograd import Tensor, no_grad
from ..errors import ConfigError


def per_output(spec, output_names, argument="metrics"):
    """Metric identifiers per output: a list per output (``[["mae"], ["accuracy"]]``), a dict by output name, or
    one flat list applied to every output."""
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - set(output_names))
        if unknown:
            raise ConfigError(f"compile: {argument} names output(s) {unknown}; the model's outputs are "
                              f"{output_names}")
        return [_as_list(spec.get(name)) for name in output_names]
    spec = list(spec or [])
    if n > 1 and len(spec) == n and any(isinstance(m, (list, tuple)) or m is None for m in spec):
        return [_as_list(m) for m in spec]
    return [spec] * n


def _as_list(m):
    return [] if m is None else list(m) if isinstance(m, (list, tuple)) else [m]


def metric_name(identifier):
    """The key Keras logs a metric under: a string as spelled, else the Metric's or function's name."""
    if isinstance(identifier, str):
        return identifier
    return getattr(identifier, "name", None) or getattr(identifier, "__name__", type(identifier).__name__)


def _stateful(m):
    """The Metric object that must run its own update_state for identifier m, or None (a per-sample mean)."""
    from .. import metrics
    if isinstance(m, metrics.Metric):
        return None if metrics.is_per_sample(m) else m
    if isinstance(m, str) and m in metrics._STATEFUL:
        return metrics.get_metric(m)
    if isinstance(m, type) and issubclass(m, metrics.Metric):
        obj = metrics.get_metric(m)
        return None if metrics.is_per_sample(obj) else obj
    return None


class CompileMetrics:
    """Running loss and metrics of one pass (an epoch, an evaluate): ``reset``, ``update`` per batch, ``result``."""

    def __init__(self, spec, loss_fns, output_names, y_shapes, out_shapes, activate, weighted_spec=None,
                 prefixed=True, layer_metrics=()):
        from .. import metrics
        self.activate, self.sums, self.objects = activate, [], []  # (key, i, fn, weighted), (key, i, Metric, weighted)
        multi, counters = len(output_names) > 1, {}
        self.order = ["loss"]  # evaluate's list: Keras's metric objects' own names (unprefixed), then output losses
        for weighted, argument, ids_per_output in (
                (False, "metrics", per_output(spec, output_names)),
                (True, "weighted_metrics", per_output(weighted_spec, output_names, "weighted_metrics"))):
            for i, ids in enumerate(ids_per_output):
                prefix = f"{output_names[i]}_" if multi and prefixed else ""
                for m in ids:
                    obj = _stateful(m)
                    name = obj.name if obj is not None else metric_name(m)
                    key = _key(prefix, name, counters, weighted)
                    self.order.append(name)
                    if obj is not None:
                        self.objects.append((key, i, obj, weighted))
                    else:
                        _, fn = metrics.get(m, loss=loss_fns[i], y_true_shape=y_shapes[i],
                                            y_pred_shape=out_shapes[i])
                        self.sums.append((key, i, fn, weighted))
        with_loss = [i for i, fn in enumerate(loss_fns) if fn is not None]
        self.losses = [(f"{output_names[i]}_loss", i) for i in with_loss] if len(with_loss) > 1 else []
        self.layer_metrics = list(layer_metrics)  # Metric objects the model's layers update themselves
        self.order += [k for k, _ in self.losses]
        self.reset()

    def reset(self):
        """Forget the pass so far (each epoch, each evaluate)."""
        self._zero()
        for _, _, m, _ in self.objects:
            m.reset_state()
        for m in self.layer_metrics:
            m.reset_state()

    def _zero(self):
        self.loss_sum, self.seen = 0.0, 0
        self.metric_sums, self.metric_counts = [0.0] * len(self.sums), [0.0] * len(self.sums)
        self.loss_sums = [0.0] * len(self.losses)

    def sibling(self):
        """Another tracker of the same metrics with its own running loss and sums; Metric objects are shared (as
        Keras shares them between fit and evaluate)."""
        other = copy.copy(self)
        other._zero()
        return other

    def update(self, ys, outputs, loss_total, n, per_output_losses=None, sample_weight=None):
        """Add one batch: the sum of its (weighted) per-sample losses, its n samples, the metrics on its outputs
        (the model's activated outputs are computed here, without gradient); sample_weight (n,) goes to the
        weighted metrics only."""
        self.loss_sum += loss_total
        self.seen += n
        if not (self.sums or self.objects or self.losses):
            return
        w = sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight
        with no_grad():
            if self.losses:
                for j, v in enumerate(per_output_losses()):
                    self.loss_sums[j] += v
            preds = self.activate(outputs)
            for j, (_, i, fn, weighted) in enumerate(self.sums):
                v = fn(ys[i], preds[i])
                total, count = _weighted_sum(v.data if isinstance(v, Tensor) else v, w if weighted else None, n)
                self.metric_sums[j] += total
                self.metric_counts[j] += count
            for _, i, m, weighted in self.objects:
                if weighted and w is not None:
                    m.update_state(ys[i].data, preds[i].data, sample_weight=w)
                else:
                    m.update_state(ys[i].data, preds[i].data)

    def result(self):
        """{"loss": mean, metric key: value, ...} sorted by key (Keras's order), as Python floats."""
        logs = {"loss": self.loss_sum / max(self.seen, 1)}
        for (key, _, _, _), s, c in zip(self.sums, self.metric_sums, self.metric_counts):
            logs[key] = s / c if c else 0.0  # Keras's divide_no_nan: all weights zero gives 0
        for (key, _), s in zip(self.losses, self.loss_sums):
            logs[key] = s / max(self.seen, 1)
        for key, m in [(key, m) for key, _, m, _ in self.objects] + [(m.name, m) for m in self.layer_metrics]:
            r = m.result()
            logs[key] = float(r.data if isinstance(r, Tensor) else r)
        return dict(sorted(logs.items()))

    def ordered(self, logs):
        """evaluate's list, as Keras's _flatten_metrics_in_order: the values of "loss", of each compiled metric's
        own name (unprefixed, repeated as often as compiled) and of each output's loss where logs has that key,
        then every other key sorted."""
        first = [k for k in self.order if k in logs]
        return [logs[k] for k in first] + [logs[k] for k in sorted(logs) if k not in first]


def _weighted_sum(values, w, n):
    """(sum of the batch's per-sample values, their count), as Keras's Mean: values reduced to one per sample (the
    mean over steps of a (batch, steps) accuracy), then sum(w·v) and sum(w), or the plain sum over n samples."""
    if w is None:
        if getattr(values, "ndim", 0) > 1:
            values = values.reshape(len(values), -1).mean(axis=1, dtype="float64")
        return float(values.sum()), n
    from ..metrics.base import samplewise
    values, w = samplewise(values, w, B.xp.mean, "float64")
    return float(values.sum()), float(w.sum())


def _key(prefix, name, counters, weighted):
    """The log key of a metric, as Keras's CompileMetrics.result names it: prefix + name, the repeats of a plain
    metric numbered (mae, mae_1, ...); a weighted metric whose key is taken becomes weighted_<name> (then
    weighted_<name>_1, ...)."""
    key = prefix + name
    if key not in counters:
        counters[key] = 1
        return key
    if weighted:
        key = f"{prefix}weighted_{name}"
        if key not in counters:
            counters[key] = 1
            return key
    index = counters[key]
    counters[key] += 1
    return f"{key}_{index}"


def layer_metrics(model):
    """The Metric objects held by the model and its layers (not by nested models, which train on their own), as
    Keras's Trainer.metrics lists them after the compiled ones: they update themselves inside call."""
    from .. import metrics
    from ..layers.base import held_objects
    return held_objects(model, metrics.Metric, descend=lambda layer: not hasattr(layer, "compile"),
                        skip=("_metric_ids", "_weighted_metric_ids"))  # compile's own metrics are tracked apart
