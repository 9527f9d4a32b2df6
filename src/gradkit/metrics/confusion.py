"""Thresholded confusion-matrix metrics as Keras computes them (keras/src/metrics/confusion_metrics.py,
metrics_utils.py): TruePositives..., Precision, Recall and AUC (ROC / PR, 200 thresholds, interpolation)."""
import numpy as np

from .. import backend as B
from ..autograd import Tensor
from ..errors import ConfigError
from .base import Metric, same_rank, to_array

EPSILON = 1e-7
NEG_INF = -1e10
CONDITIONS = ("tp", "fp", "tn", "fn")


def parse_thresholds(thresholds, default, owner):
    """A list of thresholds, each checked to lie in [0, 1]."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    bad = [t for t in values if t is None or not 0 <= t <= 1]
    if bad:
        raise ConfigError(f"{owner}: thresholds must be in [0, 1], got {bad}")
    return [float(t) for t in values]


def evenly_spaced(thresholds):
    """Whether thresholds are i/(n−1) for i = 0..n−1 (then Keras counts with buckets instead of comparisons)."""
    n = len(thresholds)
    return n >= 3 and np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=EPSILON)


def _filter_top_k(p, k):
    """Scores outside each row's top k set to NEG_INF (Keras's _filter_top_k)."""
    idx = B.xp.argsort(-p, axis=-1, kind="stable")[..., :k]
    mask = B.xp.zeros(p.shape, dtype=bool)
    B.xp.put_along_axis(mask, idx, True, axis=-1)
    return B.xp.where(mask, p, p.dtype.type(NEG_INF))


def _bucket_counts(pos, w, p, thresholds):
    """tp and fp per threshold from bucket sums and a reversed cumulative sum (Keras's optimized path):
    sample j falls in bucket ceil(p_j·(T−1)) − 1, and counts for every threshold up to its bucket."""
    n_t = len(thresholds)
    with_eps = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    p = B.xp.clip(p, 0.0, 1.0)
    idx = B.xp.ceil(p * p.dtype.type(n_t - 1)) - 1
    if with_eps:
        idx = B.xp.maximum(idx, 0)
    idx = idx.astype(np.int64)
    n_labels = p.shape[1]
    keep = idx >= 0  # Keras's segment_sum drops negative ids (p = 0 with a threshold of exactly 0)
    flat = (idx + B.xp.arange(n_labels) * n_t)[keep]
    out = []
    for lab in (pos, ~pos):
        sums = B.xp.bincount(flat, weights=(w * lab)[keep], minlength=n_labels * n_t)
        sums = sums.reshape(n_labels, n_t).T.astype(p.dtype)
        out.append(B.xp.cumsum(sums[::-1], axis=0)[::-1])
    return out


def _compare_counts(pos, w, p, thresholds):
    """tp and fp per threshold by comparing every prediction with every threshold (Keras's generic path)."""
    thr = B.xp.asarray(thresholds, dtype=p.dtype).reshape(-1, 1, 1)
    pred_pos = p[None] > thr
    wp = w * pos
    return (B.xp.where(pred_pos, wp[None], 0).sum(axis=1, dtype=p.dtype),
            B.xp.where(pred_pos, (w - wp)[None], 0).sum(axis=1, dtype=p.dtype))


def confusion_counts(y_true, y_pred, thresholds, dtype, even=False, top_k=None, class_id=None,
                     sample_weight=None, multi_label=False, label_weights=None):
    """{"tp", "fp", "tn", "fn"}: weighted counts per threshold, shape (T,) or (T, labels) with multi_label.

    A prediction is positive when y_pred > threshold; any nonzero label is positive (Keras casts to bool).
    """
    t, p = to_array(y_true, dtype), to_array(y_pred, dtype)
    p, t = same_rank(p, t)
    w = None
    if sample_weight is not None:
        _, w = same_rank(t, to_array(sample_weight, dtype)[..., None], expand_rank_1=False)
    if top_k is not None:
        p = _filter_top_k(p, top_k)
    if class_id is not None:
        if p.ndim == 1:
            raise ConfigError(f"class_id needs y_pred of shape (samples, classes), got shape {p.shape}")
        t, p = t[..., class_id, None], p[..., class_id, None]
    w = B.xp.ones(p.shape, dtype) if w is None else B.xp.broadcast_to(w, p.shape).astype(dtype)
    if label_weights is not None:
        w = w * B.xp.broadcast_to(to_array(label_weights, dtype), p.shape)
    t = B.xp.broadcast_to(t, p.shape)
    if multi_label:
        t, w, p = t.reshape(-1, p.shape[-1]), w.reshape(-1, p.shape[-1]), p.reshape(-1, p.shape[-1])
    else:
        t, w, p = t.reshape(-1, 1), w.reshape(-1, 1), p.reshape(-1, 1)
    pos = t != 0
    counts = _bucket_counts if even else _compare_counts
    tp, fp = counts(pos, w, p, thresholds)
    total_pos, total_neg = (w * pos).sum(axis=0, dtype=dtype), (w * ~pos).sum(axis=0, dtype=dtype)
    out = {"tp": tp, "fp": fp, "tn": total_neg - fp, "fn": total_pos - tp}
    return out if multi_label else {k: v[:, 0] for k, v in out.items()}


def _div(a, b):
    """a / b with 0 where b == 0 (Keras's divide_no_nan)."""
    safe = B.xp.where(b == 0, 1, b)
    return B.xp.where(b == 0, 0, a / safe).astype(a.dtype)


class _Thresholded(Metric):
    """Counts of some confusion-matrix conditions at one or more thresholds."""

    _conditions = ()

    def __init__(self, thresholds=None, name=None, dtype=None, default=0.5):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, default, type(self).__name__)
        self._even = evenly_spaced(self.thresholds)

    def _counts(self, y_true, y_pred, sample_weight, **kw):
        return confusion_counts(y_true, y_pred, self.thresholds, self.dtype, self._even,
                                sample_weight=sample_weight, **kw)

    def _one(self, value):
        return Tensor(value[0] if len(self.thresholds) == 1 else value)

    def get_config(self):
        """name, dtype and thresholds."""
        return {**super().get_config(), "thresholds": self.init_thresholds}


class _ConditionCount(_Thresholded):
    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds, name, dtype)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) count."""
        self.accumulator.data[...] += self._counts(y_true, y_pred, sample_weight)[self._condition]

    def result(self):
        """The count (one value, or one per threshold)."""
        return self._one(self.accumulator.data.copy())


def _count_class(name, condition, doc):
    return type(name, (_ConditionCount,), {"_condition": condition, "__doc__": doc, "__module__": __name__})


TruePositives = _count_class("TruePositives", "tp", "Weighted count of positives predicted positive (y_pred > t).")
FalsePositives = _count_class("FalsePositives", "fp", "Weighted count of negatives predicted positive.")
TrueNegatives = _count_class("TrueNegatives", "tn", "Weighted count of negatives predicted negative.")
FalseNegatives = _count_class("FalseNegatives", "fn", "Weighted count of positives predicted negative.")


class _PrecisionRecall(_Thresholded):
    _other = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, name, dtype, default=0.5 if top_k is None else NEG_INF)
        self.top_k, self.class_id = top_k, class_id
        n = (len(self.thresholds),)
        self.true_positives = self.add_variable(n, "zeros", name="true_positives")
        setattr(self, self._other_name, self.add_variable(n, "zeros", name=self._other_name))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's true positives and false positives (Precision) or false negatives (Recall)."""
        c = self._counts(y_true, y_pred, sample_weight, top_k=self.top_k, class_id=self.class_id)
        self.true_positives.data[...] += c["tp"]
        getattr(self, self._other_name).data[...] += c[self._other]

    def result(self):
        """tp / (tp + other), 0 where nothing was counted."""
        tp = self.true_positives.data
        return self._one(_div(tp, tp + getattr(self, self._other_name).data))

    def get_config(self):
        """name, dtype, thresholds, top_k and class_id."""
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """tp / (tp + fp) at each threshold (default 0.5); top_k / class_id restrict it as in Keras."""

    _other, _other_name = "fp", "false_positives"


class Recall(_PrecisionRecall):
    """tp / (tp + fn) at each threshold (default 0.5); top_k / class_id restrict it as in Keras."""

    _other, _other_name = "fn", "false_negatives"
