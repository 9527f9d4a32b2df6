"""Every stateful metric against real Keras 3 on the same random batches (skipped without TensorFlow)."""
import numpy as np
import pytest

from gradkit import metrics

keras = pytest.importorskip("tensorflow") and pytest.importorskip("keras")

RNG = np.random.default_rng(7)
N, C = 64, 5
Y_BIN = RNG.integers(0, 2, (N, 1)).astype("float32")
P_BIN = RNG.random((N, 1)).astype("float32")
Y_ML = RNG.integers(0, 2, (N, 3)).astype("float32")
P_ML = RNG.random((N, 3)).astype("float32")
Y_INT = RNG.integers(0, C, (N,))
Y_ONEHOT = np.eye(C, dtype="float32")[Y_INT]
P_CAT = RNG.random((N, C)).astype("float32")
Y_REG = RNG.normal(size=(N, 2)).astype("float32")
P_REG = RNG.normal(size=(N, 2)).astype("float32")
W = RNG.random(N).astype("float32")

CASES = [  # (class name, kwargs, y_true, y_pred)
    ("AUC", {}, Y_BIN, P_BIN),
    ("AUC", {"curve": "PR"}, Y_BIN, P_BIN),
    ("AUC", {"num_thresholds": 7, "summation_method": "minoring"}, Y_BIN, P_BIN),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, Y_BIN, P_BIN),
    ("AUC", {"thresholds": [0.1, 0.35, 0.6, 0.9]}, Y_BIN, P_BIN),
    ("AUC", {"multi_label": True}, Y_ML, P_ML),
    ("AUC", {"multi_label": True, "num_labels": 3, "label_weights": [0.2, 0.5, 0.3]}, Y_ML, P_ML),
    ("AUC", {"from_logits": True}, Y_BIN, P_BIN * 6 - 3),
    ("AUC", {"curve": "PRGAIN"}, Y_BIN, P_BIN),
    ("Precision", {}, Y_BIN, P_BIN),
    ("Precision", {"thresholds": [0.2, 0.5, 0.7]}, Y_ML, P_ML),
    ("Precision", {"top_k": 2}, Y_ONEHOT, P_CAT),
    ("Precision", {"class_id": 1}, Y_ONEHOT, P_CAT),
    ("Recall", {}, Y_BIN, P_BIN),
    ("Recall", {"top_k": 2, "class_id": 3}, Y_ONEHOT, P_CAT),
    ("Recall", {"thresholds": [0.0, 0.5, 1.0]}, Y_BIN, P_BIN),
    ("TruePositives", {}, Y_BIN, P_BIN),
    ("TrueNegatives", {"thresholds": [0.3, 0.6]}, Y_ML, P_ML),
    ("FalsePositives", {}, Y_ML, P_ML),
    ("FalseNegatives", {"thresholds": 0.7}, Y_BIN, P_BIN),
    ("BinaryAccuracy", {"threshold": 0.6}, Y_BIN, P_BIN),
    ("CategoricalAccuracy", {}, Y_ONEHOT, P_CAT),
    ("SparseCategoricalAccuracy", {}, Y_INT, P_CAT),
    ("TopKCategoricalAccuracy", {"k": 2}, Y_ONEHOT, P_CAT),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, Y_INT, P_CAT),
    ("Accuracy", {}, Y_BIN, (P_BIN > 0.5).astype("float32")),
    ("MeanSquaredError", {}, Y_REG, P_REG),
    ("MeanAbsoluteError", {}, Y_REG, P_REG),
    ("RootMeanSquaredError", {}, Y_REG, P_REG),
    ("MeanAbsolutePercentageError", {}, Y_REG, P_REG),
    ("MeanSquaredLogarithmicError", {}, np.abs(Y_REG), np.abs(P_REG)),
    ("BinaryCrossentropy", {}, Y_BIN, P_BIN),
    ("CategoricalCrossentropy", {}, Y_ONEHOT, P_CAT / P_CAT.sum(1, keepdims=True)),
    ("SparseCategoricalCrossentropy", {}, Y_INT, P_CAT / P_CAT.sum(1, keepdims=True)),
]


def _run(m, y, p, weights):
    """Two batches (so accumulation is exercised), then a reset and one more, as fit's epochs do."""
    for sl in (slice(0, 40), slice(40, None)):
        m.update_state(y[sl], p[sl], sample_weight=None if weights is None else weights[sl])
    first = np.asarray(m.result())
    m.reset_state()
    m.update_state(y[:10], p[:10], sample_weight=None if weights is None else weights[:10])
    return first, np.asarray(m.result())


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name,kwargs,y,p", CASES, ids=[f"{c[0]}{c[1] or ''}" for c in CASES])
def test_matches_keras(name, kwargs, y, p, weighted):
    weights = W if weighted else None
    ours = _run(getattr(metrics, name)(**kwargs), y, p, weights)
    theirs = _run(getattr(keras.metrics, name)(**kwargs), y, p, weights)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_mean_and_sum_with_nd_weights_match_keras():
    v, w = RNG.random((6, 3)).astype("float32"), RNG.random((6, 3)).astype("float32")
    for name in ("Mean", "Sum"):
        ours, theirs = getattr(metrics, name)(), getattr(keras.metrics, name)()
        for m in (ours, theirs):
            m.update_state(v, sample_weight=w)
            m.update_state(v[:2], sample_weight=w[:2, 0])
            m.update_state(v[2])
        np.testing.assert_allclose(float(ours.result()), float(theirs.result()), rtol=1e-6)


@pytest.mark.parametrize("name,kwargs", [("AUC", {}), ("Precision", {"top_k": 2}), ("BinaryAccuracy", {}),
                                         ("TopKCategoricalAccuracy", {"k": 3}), ("RootMeanSquaredError", {}),
                                         ("AUC", {"thresholds": [0.2, 0.4], "curve": "PR"})])
def test_config_keys_match_keras(name, kwargs):
    ours, theirs = getattr(metrics, name)(**kwargs).get_config(), getattr(keras.metrics, name)(**kwargs).get_config()
    assert sorted(ours) == sorted(theirs)
    # names differ only by Keras's session-wide uniquifying ("auc_1"), which gradkit does not do
    assert {k: v for k, v in ours.items() if k != "name"} == {k: v for k, v in theirs.items() if k != "name"}
