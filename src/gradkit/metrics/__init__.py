"""Metrics with Keras names: per-sample functions on arrays, ``get`` (with Keras's "accuracy" resolution),
and Keras 3's stateful Metric classes (add_variable / update_state / result / reset_state).
"""
import functools

from ..errors import ConfigError
from ..registry import Registry
from .auc import AUC
from .base import Mean, MeanMetricWrapper, Metric, Sum, snake_case
from .classes import (Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy,  # noqa: F401
                      CategoricalCrossentropy, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                      MeanSquaredLogarithmicError, RootMeanSquaredError, SparseCategoricalAccuracy,
                      SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy)
from .classes import (CategoricalHinge, CosineSimilarity, Hinge, KLDivergence, LogCoshError,  # noqa: F401
                      Poisson, SquaredHinge)
from .classes import CLASSES as _CLASSES
from .confusion import FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives
from .functions import (MAE, MAPE, MSE, MSLE, accuracy, binary_accuracy, binary_crossentropy,  # noqa: F401
                        categorical_accuracy, categorical_crossentropy, mae, mape, mean_absolute_error,
                        mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse,
                        msle, sparse_categorical_accuracy, sparse_categorical_crossentropy,
                        sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from .functions import (categorical_hinge, hinge, kl_divergence, log_cosh, poisson,  # noqa: F401
                        squared_hinge)
from .functions import ALIASES as _ALIASES
from .functions import ALL as _ALL

_FUNCTIONS = {f.__name__: f for f in _ALL}
_STATEFUL = {n: c for c in (AUC, Precision, Recall, TruePositives, TrueNegatives, FalsePositives, FalseNegatives,
                            RootMeanSquaredError) for n in (c.__name__, snake_case(c.__name__))}
_BY_CLASS_NAME = {c.__name__: c for c in _CLASSES if c is not RootMeanSquaredError}
_REGISTRY = Registry("metric", {**_ALIASES, **_FUNCTIONS}, _BY_CLASS_NAME,
                     listed=["accuracy", "acc", *_FUNCTIONS, *_ALIASES, *_BY_CLASS_NAME, *_STATEFUL])


def resolve_accuracy(loss=None, y_true_shape=None, y_pred_shape=None):
    """The accuracy function Keras 3 picks for "accuracy": from the shapes, else from the loss's name."""
    if y_pred_shape is not None and y_true_shape is not None:
        t, p = tuple(y_true_shape), tuple(y_pred_shape)
        if p[-1:] == (1,):
            return binary_accuracy
        if len(t) < len(p) or (t[-1:] == (1,) and p[-1] > 1):
            return sparse_categorical_accuracy
        return categorical_accuracy
    name = getattr(loss, "name", getattr(loss, "__name__", loss))
    return {"binary_crossentropy": binary_accuracy,
            "sparse_categorical_crossentropy": sparse_categorical_accuracy}.get(name, categorical_accuracy)


def is_per_sample(metric):
    """Whether a Metric instance is a mean of a per-sample function (so the trainer may sum it per batch)."""
    return isinstance(metric, MeanMetricWrapper) and \
        type(metric).update_state is MeanMetricWrapper.update_state and type(metric).result is Mean.result


def get(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """(History key, per-sample function) for a metric name, function or per-sample Metric instance.

    As Keras 3: a string keeps its own spelling as the key ("accuracy", "acc", "mae"); "accuracy"/"acc"
    become binary, sparse categorical or categorical accuracy from the label and output shapes. A stateful
    Metric (AUC, Precision, a custom subclass) has no per-sample function: use ``get_metric``.
    """
    if isinstance(identifier, str):
        low = identifier.lower()
        if low in ("accuracy", "acc"):
            return identifier, resolve_accuracy(loss, y_true_shape, y_pred_shape)
        fn = _REGISTRY.find(identifier)
        if isinstance(fn, type):
            fn = fn._fn_default
        if fn is None:
            if identifier in _STATEFUL:
                raise ConfigError(f"metric {identifier!r} is stateful (its value is not a mean over samples), "
                                  "so it has no per-sample function; metrics.get_metric returns it as a Metric")
            raise _REGISTRY.unknown(identifier)
        return identifier, fn
    if isinstance(identifier, Metric):
        if not is_per_sample(identifier):
            raise ConfigError(f"metric {identifier.name!r} ({type(identifier).__name__}) is stateful: its value "
                              "is not a mean over samples, so it has no per-sample function; "
                              "metrics.get_metric returns it as a Metric")
        fn = functools.partial(identifier.fn, **identifier.kwargs) if identifier.kwargs else identifier.fn
        return identifier.name, fn
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return get(identifier(), loss, y_true_shape, y_pred_shape)
    if callable(identifier):
        return getattr(identifier, "__name__", type(identifier).__name__), identifier
    raise ConfigError(f"a metric must be a name, a function or a Metric, got {identifier!r}")


def get_metric(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """A Metric instance for any metric identifier, named as Keras 3 names it in the logs.

    A Metric passes through; a class is instantiated; a name of a stateful metric ("AUC", "Precision")
    builds it; any other name or function becomes a MeanMetricWrapper keeping the name's own spelling.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str) and identifier in _STATEFUL:
        return _STATEFUL[identifier](name=identifier)
    name, fn = get(identifier, loss, y_true_shape, y_pred_shape)
    return MeanMetricWrapper(fn, name=name)


def serialize(metric):
    """{"class_name", "config"} of a Metric (Keras's serialization shape)."""
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config):
    """A Metric from serialize()'s dict."""
    classes = {**_BY_CLASS_NAME, **_STATEFUL, "Mean": Mean, "Sum": Sum, "MeanMetricWrapper": MeanMetricWrapper}
    name = config.get("class_name")
    if name not in classes:
        raise ConfigError(f"unknown metric class {name!r}; known: {', '.join(sorted(classes))}")
    return classes[name].from_config(config.get("config", {}))


__all__ = ["Metric", "Mean", "Sum", "MeanMetricWrapper", "get", "get_metric", "serialize", "deserialize",
           "resolve_accuracy", "AUC", "Precision", "Recall", "TruePositives", "TrueNegatives", "FalsePositives",
           "FalseNegatives", *(c.__name__ for c in _CLASSES), *_FUNCTIONS, *_ALIASES]

from ..keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("metrics", __name__)
