"""Metric functions: per-sample values, Keras 3's "accuracy" resolution and History keys, stateful classes."""
import numpy as np
import pytest

from gradkit import Tensor, metrics
from gradkit.errors import ConfigError


def test_binary_accuracy():
    # Keras docstring: y_true [[1],[1],[0],[0]], y_pred [[0.98],[1],[0],[0.6]] → 0.75
    v = metrics.binary_accuracy(np.array([[1], [1], [0], [0]]), np.array([[0.98], [1], [0], [0.6]], np.float32))
    assert v.shape == (4,) and v.mean() == 0.75 and v.dtype == np.float32
    assert metrics.binary_accuracy(np.array([1, 0]), np.array([[0.4], [0.3]]), threshold=0.35).tolist() == [1, 1]


def test_categorical_and_sparse():
    p = np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    # Keras docstrings: both give 0.5
    assert metrics.categorical_accuracy(np.array([[0, 0, 1], [0, 1, 0]]), p).mean() == 0.5
    assert metrics.sparse_categorical_accuracy(np.array([[2], [1]]), p).mean() == 0.5
    assert metrics.sparse_categorical_accuracy(np.array([2, 1]), Tensor(p)).tolist() == [0, 1]


def test_regression_metrics():
    t, p = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]])
    assert metrics.mse(t, p).tolist() == [0.5, 0.5]
    assert metrics.mae(t, p).tolist() == [0.5, 0.5]


@pytest.mark.parametrize("ident,t,p,key,fn", [
    ("accuracy", (10,), (10, 1), "accuracy", metrics.binary_accuracy),
    ("acc", (10, 1), (10, 1), "acc", metrics.binary_accuracy),
    ("accuracy", (10,), (10, 5), "accuracy", metrics.sparse_categorical_accuracy),
    ("accuracy", (10, 1), (10, 5), "accuracy", metrics.sparse_categorical_accuracy),
    ("accuracy", (10, 5), (10, 5), "accuracy", metrics.categorical_accuracy),
    ("binary_accuracy", (10,), (10, 1), "binary_accuracy", metrics.binary_accuracy),
    ("mae", None, None, "mae", metrics.mean_absolute_error),
    ("mse", None, None, "mse", metrics.mean_squared_error),
    (metrics.binary_accuracy, None, None, "binary_accuracy", metrics.binary_accuracy),
])
def test_get_resolves_like_keras3(ident, t, p, key, fn):
    assert metrics.get(ident, y_true_shape=t, y_pred_shape=p) == (key, fn)


def test_accuracy_from_loss_when_shapes_unknown():
    assert metrics.get("accuracy", loss="binary_crossentropy")[1] is metrics.binary_accuracy
    assert metrics.get("accuracy", loss="sparse_categorical_crossentropy")[1] is metrics.sparse_categorical_accuracy
    assert metrics.get("accuracy", loss="categorical_crossentropy")[1] is metrics.categorical_accuracy


def test_unknown_metric():
    with pytest.raises(ConfigError, match="binary_accuracy"):
        metrics.get("binary_acuracy")


def test_stateful():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([4.0], sample_weight=[3.0])
    assert float(m.result()) == pytest.approx((6 + 12) / 6)
    m.reset_state()
    assert float(m.result()) == 0.0
    acc = metrics.BinaryAccuracy()
    assert acc.name == "binary_accuracy"
    acc.update_state(np.array([[1], [0]]), np.array([[0.9], [0.7]]))
    acc.update_state(np.array([[1], [1]]), np.array([[0.6], [0.8]]))
    assert float(acc.result()) == 0.75
    assert metrics.get(metrics.BinaryAccuracy(threshold=0.8))[0] == "binary_accuracy"
