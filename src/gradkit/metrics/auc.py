"""AUC as Keras computes it: confusion counts at num_thresholds thresholds, then a Riemann sum over the
ROC or PR curve (interpolated: trapezoids for ROC, Davis & Goadrich's interpolation for PR)."""
import numpy as np

from .. import backend as B
from ..autograd import Tensor
from ..errors import ConfigError
from .base import Metric, to_array
from .confusion import EPSILON, _div, confusion_counts, evenly_spaced

CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """Area under the ROC or PR curve, approximated over ``num_thresholds`` thresholds (Keras's defaults)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if str(curve).lower() not in CURVES:
            raise ConfigError(f"AUC: curve must be one of {list(CURVES.values())}, got {curve!r}")
        if str(summation_method).lower() not in SUMMATIONS:
            raise ConfigError(f"AUC: summation_method must be one of {list(SUMMATIONS)}, got {summation_method!r}")
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(thresholds)
            self.num_thresholds = len(thresholds) + 2
            self._even = evenly_spaced(np.array([0.0] + thresholds + [1.0]))
        else:
            if not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ConfigError(f"AUC: num_thresholds must be an integer > 1, got {num_thresholds!r}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._even = True
        self._thresholds = np.array([0.0 - EPSILON] + thresholds + [1.0 + EPSILON])
        self.curve, self.summation_method = CURVES[str(curve).lower()], str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        if num_labels and not multi_label:
            raise ConfigError("AUC: num_labels is needed only when multi_label=True")
        self.multi_label, self.num_labels, self._from_logits = multi_label, num_labels, from_logits
        self.label_weights = None if label_weights is None else B.xp.asarray(label_weights, dtype=self.dtype)
        self._built = False
        if not multi_label or num_labels:
            self._build(num_labels)

    @property
    def thresholds(self):
        """The thresholds, including the two end points just outside [0, 1]."""
        return list(self._thresholds)

    def _build(self, num_labels):
        shape = (self.num_thresholds, num_labels) if self.multi_label else (self.num_thresholds,)
        for n in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, n, self.add_variable(shape, "zeros", name=n))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's confusion counts at every threshold."""
        p = to_array(y_pred, self.dtype)
        if not self._built:
            if p.ndim != 2:
                raise ConfigError(f"AUC(multi_label=True) needs y_pred of rank 2, got shape {p.shape}")
            self._build(p.shape[1])
        if self._from_logits:
            p = 1.0 / (1.0 + B.xp.exp(-p))
        c = confusion_counts(y_true, p, self._thresholds, self.dtype, self._even, sample_weight=sample_weight,
                             multi_label=self.multi_label,
                             label_weights=None if self.multi_label else self.label_weights)
        for key, var in (("tp", self.true_positives), ("fp", self.false_positives),
                         ("tn", self.true_negatives), ("fn", self.false_negatives)):
            var.data[...] += c[key]

    def reset_state(self):
        """Zero the counts (nothing to do before a multi-label AUC has seen data)."""
        if self._built:
            super().reset_state()

    def _by_label(self, terms):
        if not self.multi_label:
            return terms.sum()
        by_label = terms.sum(axis=0)
        if self.label_weights is None:
            return by_label.mean()
        lw = self.label_weights
        return _div((by_label * lw).sum(), lw.sum())

    def _interpolate_pr(self, tp, fp, fn):
        """PR-AUC by Davis & Goadrich's interpolation (Keras's interpolate_pr_auc)."""
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _div(dtp, B.xp.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = B.xp.where((p[:-1] > 0) & (p[1:] > 0), _div(p[:-1], B.xp.maximum(p[1:], 0)), 1)
        inc = _div(slope * (dtp + intercept * B.xp.log(ratio)), B.xp.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(inc)

    def _curve(self, tp, fp, tn, fn):
        recall = _div(tp, tp + fn)
        if self.curve == "ROC":
            return _div(fp, fp + tn), recall
        if self.curve == "PR":
            return recall, _div(tp, tp + fp)
        scale = _div(tp + fn, tn + fp)  # PRGAIN
        rg = B.xp.maximum(B.xp.where(tp == 0, 0, 1.0 - scale * _div(fn, tp)), 0)
        pg = B.xp.where(tp == 0, 1, 1.0 - scale * _div(fp, tp))
        return rg.astype(tp.dtype), pg.astype(tp.dtype)

    def result(self):
        """The area (a scalar Tensor)."""
        if not self._built:
            return Tensor(B.xp.asarray(0.0, dtype=self.dtype))
        tp, fp = self.true_positives.data, self.false_positives.data
        tn, fn = self.true_negatives.data, self.false_negatives.data
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.curve == "PR" and self.summation_method == "interpolation":
                return Tensor(B.xp.asarray(self._interpolate_pr(tp, fp, fn), dtype=self.dtype))
            x, y = self._curve(tp, fp, tn, fn)
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2.0
            elif self.summation_method == "minoring":
                heights = B.xp.minimum(y[:-1], y[1:])
            else:
                heights = B.xp.maximum(y[:-1], y[1:])
            return Tensor(B.xp.asarray(self._by_label((x[:-1] - x[1:]) * heights), dtype=self.dtype))

    def get_config(self):
        """Keras's AUC config keys."""
        lw = None if self.label_weights is None else B.to_numpy(self.label_weights).tolist()
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels, "label_weights": lw, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
