"""Metrics with Keras names: per-sample functions on arrays, ``get`` (with Keras's "accuracy" resolution)
and small stateful classes (update_state / result / reset_state).
"""
import functools
import re

import numpy as np

from . import backend as B
from .autograd import Tensor
from .errors import ConfigError


def _arrays(y_true, y_pred):
    """Raw arrays, y_true brought to y_pred's rank as Keras does."""
    t = y_true.data if isinstance(y_true, Tensor) else B.xp.asarray(y_true)
    p = y_pred.data if isinstance(y_pred, Tensor) else B.xp.asarray(y_pred)
    if p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        t, p = (t[:, None], p) if t.ndim == 1 else (t, p[..., 0])
    elif t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        t = t[..., 0]
    return t, p


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per-sample fraction of outputs where (y_pred > threshold) equals y_true."""
    t, p = _arrays(y_true, y_pred)
    return (t == (p > threshold)).mean(axis=-1, dtype=p.dtype if p.dtype.kind == "f" else None)


def categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals argmax(y_true) (one-hot labels), else 0."""
    t, p = _arrays(y_true, y_pred)
    if t.shape[-1] == 1 and p.shape[-1] > 1:  # integer labels given: compare them directly
        return sparse_categorical_accuracy(t, p)
    return (t.argmax(axis=-1) == p.argmax(axis=-1)).astype(_float(p))


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals the integer label, else 0 (labels (n,) or (n, 1))."""
    p = y_pred.data if isinstance(y_pred, Tensor) else B.xp.asarray(y_pred)
    t = y_true.data if isinstance(y_true, Tensor) else B.xp.asarray(y_true)
    t = t.reshape(p.shape[:-1]) if t.size == int(np.prod(p.shape[:-1])) else t
    return (p.argmax(axis=-1) == t).astype(_float(p))


def mean_squared_error(y_true, y_pred):
    """Per-sample mean of squared errors."""
    t, p = _arrays(y_true, y_pred)
    d = p - t
    return (d * d).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean of absolute errors."""
    t, p = _arrays(y_true, y_pred)
    return B.xp.abs(p - t).mean(axis=-1)


def _float(p):
    return p.dtype if p.dtype.kind == "f" else B.floatx()


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_FUNCTIONS = {f.__name__: f for f in (binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
                                      mean_squared_error, mean_absolute_error)}
_ALIASES = {"mse": mean_squared_error, "mae": mean_absolute_error}


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


def get(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """(History key, per-sample function) for a metric name, function or Metric instance.

    As Keras 3: a string keeps its own spelling as the key ("accuracy", "acc", "mae"); "accuracy"/"acc"
    become binary, sparse categorical or categorical accuracy from the label and output shapes.
    """
    if isinstance(identifier, str):
        low = identifier.lower()
        if low in ("accuracy", "acc"):
            return identifier, resolve_accuracy(loss, y_true_shape, y_pred_shape)
        fn = _FUNCTIONS.get(low) or _ALIASES.get(low) or _CLASS_FUNCTIONS.get(identifier)
        if fn is None:
            valid = ["accuracy", "acc", *_FUNCTIONS, *_ALIASES, *_CLASS_FUNCTIONS]
            raise ConfigError(f"unknown metric {identifier!r}; valid names: {', '.join(valid)}")
        return identifier, fn
    if isinstance(identifier, MeanMetricWrapper):
        fn = functools.partial(identifier.fn, **identifier.kwargs) if identifier.kwargs else identifier.fn
        return identifier.name, fn
    if callable(identifier):
        return getattr(identifier, "__name__", type(identifier).__name__), identifier
    raise ConfigError(f"a metric must be a name, a function or a Metric, got {identifier!r}")


# ---- stateful metrics ------------------------------------------------------------------------------

class Metric:
    """Base: ``update_state(...)`` accumulates, ``result()`` reads, ``reset_state()`` forgets."""

    def __init__(self, name=None, dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.dtype = dtype
        self.reset_state()

    def reset_state(self):
        """Forget everything accumulated."""
        self.total, self.count = 0.0, 0.0

    def result(self):
        """The metric's current value as a Python float."""
        return self.total / self.count if self.count else 0.0

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        """Constructor arguments."""
        return {"name": self.name}


class Mean(Metric):
    """Running (weighted) mean of the values given to update_state."""

    def update_state(self, values, sample_weight=None):
        """Add values (array or Tensor), optionally weighted per sample."""
        v = np.asarray(B.to_numpy(values.data if isinstance(values, Tensor) else B.xp.asarray(values)),
                       dtype=np.float64)
        if sample_weight is None:
            self.total += float(v.sum())
            self.count += v.size
        else:
            w = np.asarray(B.to_numpy(B.xp.asarray(sample_weight)), dtype=np.float64)
            w = np.broadcast_to(w.reshape(w.shape + (1,) * (v.ndim - w.ndim)), v.shape)
            self.total += float((v * w).sum())
            self.count += float(w.sum())


class MeanMetricWrapper(Mean):
    """Mean over samples of a per-sample function fn(y_true, y_pred, **kwargs)."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        super().__init__(name or fn.__name__, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's per-sample values."""
        super().update_state(self.fn(y_true, y_pred, **self.kwargs), sample_weight)


def _snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _wrapper(name, fn, doc, **defaults):
    def __init__(self, name=None, dtype=None, **kwargs):
        MeanMetricWrapper.__init__(self, fn, name or _snake(type(self).__name__), dtype, **{**defaults, **kwargs})
    return type(name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})


def accuracy(y_true, y_pred):
    """1 where y_pred equals y_true exactly (Keras's Accuracy), averaged over the last axis."""
    t, p = _arrays(y_true, y_pred)
    return (t == p).mean(axis=-1)


Accuracy = _wrapper("Accuracy", accuracy, "Fraction of predictions equal to the labels.")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "Binary accuracy at a threshold.", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy, "Accuracy with one-hot labels.")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "Accuracy with integer labels.")
MeanSquaredError = _wrapper("MeanSquaredError", mean_squared_error, "Mean squared error.")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", mean_absolute_error, "Mean absolute error.")
_CLASS_FUNCTIONS = {c.__name__: fn for c, fn in (
    (BinaryAccuracy, binary_accuracy), (CategoricalAccuracy, categorical_accuracy),
    (SparseCategoricalAccuracy, sparse_categorical_accuracy), (MeanSquaredError, mean_squared_error),
    (MeanAbsoluteError, mean_absolute_error))}
