"""Thresholded metrics, AUC, top-k accuracy and RootMeanSquaredError on hand-computed values (Keras's
docstring examples and small curves worked out by hand)."""
import numpy as np
import pytest

from gradkit import metrics
from gradkit.errors import ConfigError


def _value(m, *batches):
    for b in batches:
        m.update_state(*b[:2], sample_weight=b[2] if len(b) > 2 else None)
    return np.asarray(m.result()).tolist()


@pytest.mark.parametrize("cls,y,p,plain,weighted", [
    (metrics.TruePositives, [0, 1, 1, 1], [1, 0, 1, 1], 2, 1),
    (metrics.FalsePositives, [0, 1, 0, 0], [0, 0, 1, 1], 2, 1),
    (metrics.TrueNegatives, [0, 1, 0, 0], [1, 1, 0, 0], 2, 1),
    (metrics.FalseNegatives, [0, 1, 1, 1], [0, 1, 0, 0], 2, 1),
])
def test_condition_counts(cls, y, p, plain, weighted):
    assert _value(cls(), (y, p)) == plain
    assert _value(cls(), (y, p, [0, 0, 1, 0])) == weighted


def test_counts_at_several_thresholds():
    # p > t: at 0.2 → 0.3, 0.6, 0.9 positive; at 0.65 → 0.9 only
    tp = metrics.TruePositives(thresholds=[0.2, 0.65])
    assert _value(tp, ([1, 0, 1, 1], [0.3, 0.6, 0.9, 0.1])) == [2, 1]
    with pytest.raises(ConfigError, match=r"thresholds must be in \[0, 1\]"):
        metrics.TruePositives(thresholds=[0.5, 1.5])


def test_precision_and_recall():
    y, p = [0, 1, 1, 1], [1, 0, 1, 1]
    assert _value(metrics.Precision(), (y, p)) == pytest.approx(2 / 3)
    assert _value(metrics.Recall(), (y, p)) == pytest.approx(2 / 3)
    assert _value(metrics.Precision(), (y, p, [0, 0, 1, 0])) == 1.0
    assert _value(metrics.Recall(), (y, p, [0, 0, 1, 0])) == 1.0
    # top_k: only the k highest scores (first ones among ties) count as predicted positive
    assert _value(metrics.Precision(top_k=2), ([0, 0, 1, 1], [1, 1, 1, 1])) == 0.0
    assert _value(metrics.Precision(top_k=4), ([0, 0, 1, 1], [1, 1, 1, 1])) == 0.5
    # class_id: the column of that class only; class 1 predicted > 0.5 in rows 0 and 2, true in rows 0 and 1
    y2 = np.array([[0, 1], [0, 1], [1, 0]])
    p2 = np.array([[0.2, 0.8], [0.7, 0.3], [0.1, 0.9]])
    assert _value(metrics.Precision(class_id=1), (y2, p2)) == 0.5
    assert _value(metrics.Recall(class_id=1), (y2, p2)) == 0.5
    assert _value(metrics.Recall(), ([0, 0], [0.9, 0.9])) == 0.0  # no positives: 0, not NaN


def test_auc_roc_by_hand():
    # thresholds (-ε, 0.5, 1+ε): (FPR, TPR) = (1, 1), (0, 0.5), (0, 0) → trapezoids 1·(1+0.5)/2 = 0.75
    assert _value(metrics.AUC(num_thresholds=3), ([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])) == 0.75
    assert _value(metrics.AUC(), ([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])) == pytest.approx(0.75)
    # weights: the negative at 0.5 weighted 0 → every positive ranks above every weighted negative
    assert _value(metrics.AUC(), ([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 1, 1])) == pytest.approx(1.0)
    # perfectly separated over two batches, and the reset between epochs
    m = metrics.AUC()
    assert _value(m, ([0, 1], [0.1, 0.8]), ([0, 1], [0.3, 0.6])) == pytest.approx(1.0)
    m.reset_state()
    assert _value(m, ([1, 0], [0.1, 0.8])) == 0.0


def test_auc_pr_summation_methods_by_hand():
    y, p = [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]
    # thresholds (-ε, 0.5, 1+ε): recall (1, 0.5, 0), precision (0.5, 1, 0 as 0/0)
    assert _value(metrics.AUC(num_thresholds=3, curve="PR", summation_method="majoring"), (y, p)) == 1.0
    assert _value(metrics.AUC(num_thresholds=3, curve="PR", summation_method="minoring"), (y, p)) == 0.25
    # interpolation (Davis & Goadrich): segment 1 has dtp=1, dp=3, slope 1/3, intercept 1 - 1/3 = 2/3,
    # p-ratio 4/1 → (1/3)(1 + (2/3)·ln 4) / 2; segment 2: dtp = 1, dp = 1, slope 1, intercept 0, ratio 1 → 1/2
    expected = (1 / 3) * (1 + (2 / 3) * np.log(4)) / 2 + 0.5
    assert _value(metrics.AUC(num_thresholds=3, curve="PR"), (y, p)) == pytest.approx(expected, rel=1e-6)


def test_auc_multi_label_means_the_per_label_areas():
    y = np.array([[0, 1], [0, 0], [1, 1], [1, 0]])
    p = np.array([[0.0, 0.9], [0.5, 0.2], [0.3, 0.8], [0.9, 0.4]])
    # label 0 is the 0.75 example above; label 1 separates perfectly (1.0)
    assert _value(metrics.AUC(num_thresholds=3, multi_label=True), (y, p)) == pytest.approx(0.875)
    weighted = metrics.AUC(num_thresholds=3, multi_label=True, label_weights=[3, 1])
    assert _value(weighted, (y, p)) == pytest.approx((3 * 0.75 + 1.0) / 4)
    with pytest.raises(ConfigError, match="num_labels is needed only when multi_label=True"):
        metrics.AUC(num_labels=2)


def test_auc_from_logits_and_bad_arguments():
    assert _value(metrics.AUC(num_thresholds=3, from_logits=True), ([0, 0, 1, 1], [-9, 0, -1, 3])) == 0.75
    with pytest.raises(ConfigError, match="curve must be one of"):
        metrics.AUC(curve="roc-ish")
    with pytest.raises(ConfigError, match="num_thresholds must be an integer > 1"):
        metrics.AUC(num_thresholds=1)


def test_top_k_accuracy():
    y, p = [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    assert _value(metrics.TopKCategoricalAccuracy(k=1), (y, p)) == 0.5
    assert _value(metrics.TopKCategoricalAccuracy(k=1), (y, p, [0.7, 0.3])) == pytest.approx(0.3)
    assert _value(metrics.TopKCategoricalAccuracy(k=2), (y, p)) == 1.0
    assert _value(metrics.SparseTopKCategoricalAccuracy(k=1), ([2, 1], p)) == 0.5
    assert _value(metrics.SparseTopKCategoricalAccuracy(k=1), ([2, 1], p, [0.7, 0.3])) == pytest.approx(0.3)
    assert _value(metrics.SparseTopKCategoricalAccuracy(k=1, from_sorted_ids=True), ([2, 1], [[1, 0], [1, 2]])) \
        == 0.5


def test_root_mean_squared_error_and_subclassing_it():
    y, p = [[0, 1], [0, 0]], [[1, 1], [0, 0]]
    assert _value(metrics.RootMeanSquaredError(), (y, p)) == 0.5
    assert _value(metrics.RootMeanSquaredError(), (y, p, [1, 0])) == pytest.approx(np.sqrt(0.5))

    class ScaledRMSE(metrics.RootMeanSquaredError):  # the guide's pattern: override and call super()
        def update_state(self, y_true, y_pred, sample_weight=None):
            super().update_state(np.asarray(y_true) * 10, np.asarray(y_pred) * 10, sample_weight)

    m = ScaledRMSE(name="scaled")
    assert _value(m, (y, p)) == pytest.approx(5.0) and m.name == "scaled"
