"""The Metric base class as keras.io's guides subclass it, Mean / Sum / MeanMetricWrapper, get_metric."""
import numpy as np
import pytest

from gradkit import Tensor, metrics
from gradkit.errors import ConfigError
from gradkit.metrics.base import MetricSetupError


class BinaryTruePositives(metrics.Metric):
    """keras.metrics.Metric's docstring example (its ops written as array arithmetic)."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = (np.asarray(y_true, bool) & np.asarray(y_pred, bool)).astype(self.dtype)
        if sample_weight is not None:
            values = values * np.broadcast_to(np.asarray(sample_weight, self.dtype), values.shape)
        self.true_positives.assign(self.true_positives + values.sum())

    def result(self):
        return self.true_positives


class CategoricalTruePositives(metrics.Metric):
    """keras.io "Training & evaluation with the built-in methods": assign_add, .value, its own reset_state."""

    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.argmax(y_pred, axis=1).reshape(-1, 1)
        values = (np.asarray(y_true, "int32") == y_pred.astype("int32")).astype("float32")
        if sample_weight is not None:
            values = values * np.asarray(sample_weight, "float32").reshape(-1, 1)
        self.true_positives.assign_add(values.sum())

    def result(self):
        return self.true_positives.value

    def reset_state(self):
        self.true_positives.assign(0.0)


def test_docstring_subclass_counts_and_resets():
    m = BinaryTruePositives()
    assert [v.name for v in m.variables] == ["true_positives"] and float(m.result()) == 0.0
    m.update_state([1, 1, 0, 1], [1, 0, 1, 1])
    m.update_state([1, 1], [1, 1], sample_weight=[0.5, 0.25])
    assert float(m.result()) == 2.75
    assert float(m([1], [1])) == 3.75  # __call__ = update_state + result
    m.reset_state()
    assert float(m.result()) == 0.0 and m.get_config() == {"name": "binary_true_positives", "dtype": "float32"}


def test_guide_subclass_with_assign_add_and_value():
    m = CategoricalTruePositives()
    y_true = np.array([[0], [2], [1], [1]])
    y_pred = np.array([[0.9, 0.1, 0], [0.2, 0.3, 0.5], [0.6, 0.3, 0.1], [0.1, 0.8, 0.1]])
    m.update_state(y_true, y_pred)
    snapshot = m.result()
    m.update_state(y_true, y_pred, sample_weight=[1.0, 0.5, 1.0, 2.0])
    assert float(snapshot) == 3.0 and float(m.result()) == 6.5  # .value is a snapshot, not a live view
    m.reset_state()
    assert float(m.result()) == 0.0


def test_forgotten_super_init_is_named():
    class Broken(metrics.Metric):
        def __init__(self):
            self.total = self.add_variable((), "zeros")

    with pytest.raises(MetricSetupError, match=r"Broken: call super\(\).__init__\(\)"):
        Broken()


def test_nested_metric_variables_are_tracked():
    class MeanAndSum(metrics.Metric):
        def __init__(self):
            super().__init__(name="both")
            self.mean, self.sum = metrics.Mean(), metrics.Sum()

        def update_state(self, values):
            self.mean.update_state(values)
            self.sum.update_state(values)

        def result(self):
            return float(self.mean.result()) + float(self.sum.result())

    m = MeanAndSum()
    assert [v.name for v in m.variables] == ["total", "count", "total"]
    assert m([1.0, 2.0, 6.0]) == 3.0 + 9.0
    m.reset_state()
    assert m.result() == 0.0


def test_mean_and_sum_hand_values():
    # Keras docstrings: Mean of [1, 3, 5, 7] is 4, with weights [1, 1, 0, 0] it is 2; Sum is 16
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert float(m.result()) == 4.0
    m.reset_state()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 2.0
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7])
    s.update_state([[1, 2], [3, 4]], sample_weight=[2, 0])  # rows reduced by sum, then weighted: 2·3 + 0·7
    assert float(s.result()) == 22.0
    m = metrics.Mean()
    m.update_state([[1.0, 3.0], [5.0, 7.0]], sample_weight=[[1, 0], [1, 1]])
    # per row: mean(v·w) = [0.5, 6], weights mean(w) = [0.5, 1] → 6.5 / 1.5
    assert float(m.result()) == pytest.approx(6.5 / 1.5)


def test_mean_metric_wrapper_and_config_round_trip():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.7)
    m.update_state([[1], [0], [1]], [[0.8], [0.2], [0.6]])
    assert m.name == "binary_accuracy" and float(m.result()) == pytest.approx(2 / 3)
    back = metrics.MeanMetricWrapper.from_config(m.get_config())
    assert back.fn is metrics.binary_accuracy and back.kwargs == {"threshold": 0.7}
    b = metrics.BinaryAccuracy(threshold=0.3)
    assert b.get_config() == {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.3}
    assert metrics.deserialize(metrics.serialize(b)).threshold == 0.3


def test_result_is_a_tensor_that_formats_and_converts():
    m = metrics.Mean()
    m.update_state([0.25, 0.5])
    r = m.result()
    assert isinstance(r, Tensor) and r.numpy() == np.float32(0.375)
    assert f"{r:.3f}" == "0.375" and "%.2f" % r == "0.38" and np.asarray(r).dtype == np.float32


def test_get_metric_names_as_keras3():
    assert metrics.get_metric("acc", y_true_shape=(4, 1), y_pred_shape=(4, 1)).name == "acc"
    auc = metrics.get_metric("auc")
    assert isinstance(auc, metrics.AUC) and auc.name == "auc"
    assert isinstance(metrics.get_metric("TruePositives"), metrics.TruePositives)
    assert metrics.get_metric(metrics.Precision) .name == "precision"
    m = metrics.get_metric("mae")
    m.update_state([[1.0], [2.0]], [[2.0], [4.0]])
    assert m.name == "mae" and float(m.result()) == 1.5


def test_get_refuses_stateful_metrics_for_the_per_sample_path():
    assert metrics.get(metrics.TopKCategoricalAccuracy(k=2))[1].keywords == {"k": 2}
    for stateful in (metrics.AUC(), metrics.RootMeanSquaredError(), BinaryTruePositives(), "auc"):
        with pytest.raises(ConfigError, match="stateful"):
            metrics.get(stateful)
