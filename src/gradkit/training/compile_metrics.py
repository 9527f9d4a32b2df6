"""The loss and metrics of compile(), resolved per output and accumulated over an epoch (Keras 3's CompileMetrics
and loss tracker, keras/src/trainers/compile_utils.py).

Mean metrics given by name or as a per-sample function (accuracy, mae, ...) are summed per batch, one float each (the
fast path); any other ``Metric`` object (AUC, Precision, a user's subclass) is driven through its own
``reset_state`` / ``update_state`` / ``result``. Metrics see the model's activated outputs, outside the
differentiated graph; as in Keras they ignore sample weights (only the loss is weighted). Keys are Keras's: the
metric's name, prefixed by the output's name on a multi-output model (``priority_mae``), which also logs each
output's unweighted loss (``priority_loss``); logs come sorted by key, as Keras's History and return_dict show them.
"""
import copy

from ..autograd import Tensor, no_grad
from ..errors import ConfigError


def per_output(spec, output_names):
    """Metric identifiers per output: a list per output (``[["mae"], ["accuracy"]]``), a dict by output name, or
    one flat list applied to every output."""
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - set(output_names))
        if unknown:
            raise ConfigError(f"compile: metrics names output(s) {unknown}; the model's outputs are {output_names}")
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


class CompileMetrics:
    """Running loss and metrics of one pass (an epoch, an evaluate): ``reset``, ``update`` per batch, ``result``."""

    def __init__(self, spec, loss_fns, output_names, y_shapes, out_shapes, activate):
        from .. import metrics
        self.activate, self.sums, self.objects = activate, [], []  # (key, i, fn) and (key, i, Metric)
        multi = len(output_names) > 1
        keys = []
        for i, ids in enumerate(per_output(spec, output_names)):
            prefix = f"{output_names[i]}_" if multi else ""
            for m in ids:
                obj = m if isinstance(m, metrics.Metric) and not metrics.is_per_sample(m) else None
                if obj is None and isinstance(m, str) and m in metrics._STATEFUL:
                    obj = metrics.get_metric(m)
                if obj is None and isinstance(m, type) and issubclass(m, metrics.Metric):
                    obj = metrics.get_metric(m)
                    obj = obj if not metrics.is_per_sample(obj) else None
                key = _unique(prefix + (obj.name if obj is not None else metric_name(m)), keys)
                if obj is not None:
                    self.objects.append((key, i, obj))
                else:
                    _, fn = metrics.get(m, loss=loss_fns[i], y_true_shape=y_shapes[i], y_pred_shape=out_shapes[i])
                    self.sums.append((key, i, fn))
        self.losses = [(f"{name}_loss", i) for i, name in enumerate(output_names)] if multi else []
        self.names = ["loss"] + keys  # evaluate's list order: the loss, then the metrics as compiled
        self.reset()

    def reset(self):
        """Forget the pass so far (each epoch, each evaluate)."""
        self.loss_sum, self.seen = 0.0, 0
        self.metric_sums = [0.0] * len(self.sums)
        self.loss_sums = [0.0] * len(self.losses)
        for _, _, m in self.objects:
            m.reset_state()

    def sibling(self):
        """Another tracker of the same metrics with its own running loss and sums; Metric objects are shared (as
        Keras shares them between fit and evaluate)."""
        other = copy.copy(self)
        other.loss_sum, other.seen = 0.0, 0
        other.metric_sums, other.loss_sums = [0.0] * len(self.sums), [0.0] * len(self.losses)
        return other

    def update(self, ys, outputs, loss_total, n, per_output_losses=None):
        """Add one batch: the sum of its (weighted) per-sample losses, its n samples, the metrics on its outputs
        (the model's activated outputs are computed here, without gradient)."""
        self.loss_sum += loss_total
        self.seen += n
        if not (self.sums or self.objects or self.losses):
            return
        with no_grad():
            if self.losses:
                for j, v in enumerate(per_output_losses()):
                    self.loss_sums[j] += v
            preds = self.activate(outputs)
            for j, (_, i, fn) in enumerate(self.sums):
                v = fn(ys[i], preds[i])
                self.metric_sums[j] += float((v.data if isinstance(v, Tensor) else v).sum())
            for _, i, m in self.objects:
                m.update_state(ys[i].data, preds[i].data)

    def result(self):
        """{"loss": mean, metric key: value, ...} sorted by key (Keras's order), as Python floats."""
        seen = max(self.seen, 1)
        logs = {"loss": self.loss_sum / seen}
        for (key, _, _), s in zip(self.sums, self.metric_sums):
            logs[key] = s / seen
        for (key, _), s in zip(self.losses, self.loss_sums):
            logs[key] = s / seen
        for key, _, m in self.objects:
            r = m.result()
            logs[key] = float(r.data if isinstance(r, Tensor) else r)
        return dict(sorted(logs.items()))

    def ordered(self, logs):
        """evaluate's list: the loss and the metrics in compile order, then the rest sorted (Keras's
        _flatten_metrics_in_order)."""
        first = [k for k in self.names if k in logs]
        return [logs[k] for k in first] + [logs[k] for k in sorted(logs) if k not in first]


def _unique(key, keys):
    """key, or key_1, key_2, ... when taken (Keras's unique_name_counters)."""
    name, k = key, 1
    while name in keys:
        name, k = f"{key}_{k}", k + 1
    keys.append(name)
    return name
