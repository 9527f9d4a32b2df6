"""Keras 3's stateful Metric: state lives in variables made by ``add_variable`` in ``__init__``;
``update_state`` accumulates, ``result`` reads, ``reset_state`` zeroes (keras/src/metrics/metric.py,
reduction_metrics.py)."""
import re

import numpy as np

from .. import backend as B
from ..autograd import Tensor
from ..errors import ConfigError, GradkitError


class MetricSetupError(GradkitError, RuntimeError):
    """A Metric subclass used before ``super().__init__()`` ran."""


def to_array(x, dtype=None):
    """A raw array of the active module (a Tensor's data, or the array-like itself) cast to ``dtype``."""
    a = x.data if isinstance(x, Tensor) else B.xp.asarray(x)
    return a if dtype is None or a.dtype == np.dtype(dtype) else a.astype(dtype)


def same_rank(x1, x2, expand_rank_1=True):
    """Squeeze or expand the last axis when the ranks differ by one (Keras's squeeze_or_expand_to_same_rank)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


class Metric:
    """Base class: create state with ``add_variable`` in ``__init__``, then implement ``update_state`` and
    ``result`` (``reset_state`` zeroes every variable unless overridden). As ``keras.metrics.Metric``."""

    def __init__(self, dtype=None, name=None):
        self.name = name or snake_case(type(self).__name__)
        self._dtype = np.dtype(dtype or B.floatx()).name
        self._variables = []
        self._metrics = []

    def __setattr__(self, name, value):
        if isinstance(value, Metric) and name != "_metrics" and "_metrics" in self.__dict__:
            self._metrics.append(value)  # a metric held by a metric: its variables are ours too (Keras's Tracker)
        super().__setattr__(name, value)

    @property
    def dtype(self):
        """The dtype of the metric's state and results ("float32" by default, floatx)."""
        return self._dtype

    def _check_super_called(self):
        if "_variables" not in self.__dict__:
            raise MetricSetupError(f"{type(self).__name__}: call super().__init__() in __init__ before "
                                   "add_variable() or using the metric")

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A state variable (a Tensor without gradient) kept by the metric; ``aggregation`` is accepted for
        Keras compatibility (one device: nothing to aggregate)."""
        from .. import initializers
        self._check_super_called()
        shape = () if shape is None else tuple(shape)
        value = initializers.get(initializer)(shape, dtype=dtype or self.dtype)
        variable = Tensor(B.xp.asarray(value), name=name)
        variable.trainable = False
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Alias of add_variable (Keras keeps it for old code); the initializer defaults to zeros."""
        return self.add_variable(shape, initializer or "zeros", dtype=dtype, name=name)

    @property
    def variables(self):
        """The state variables, this metric's then those of the metrics it holds."""
        self._check_super_called()
        out = list(self._variables)
        for m in self._metrics:
            out.extend(m.variables)
        return out

    def reset_state(self):
        """Zero every state variable (called at the start of each epoch and of evaluate)."""
        for v in self.variables:
            v.data[...] = 0

    def update_state(self, *args, **kwargs):
        """Accumulate statistics from one batch (subclasses implement it)."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self):
        """The current value, a scalar Tensor (subclasses implement it)."""
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def __call__(self, *args, **kwargs):
        """update_state(...) then result()."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    # ---- stateless API (Keras 3): the state passed in and returned, the metric's own left as it was ----------
    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """update_state on the state ``metric_variables`` (one value per ``variables``): the new state as a list of
        Tensors; the metric's own variables are unchanged."""
        return self._stateless(metric_variables, "stateless_update_state", lambda: self.update_state(*args, **kwargs))

    def stateless_result(self, metric_variables):
        """result() computed from the state ``metric_variables``, the metric's own variables unchanged."""
        out = []
        self._stateless(metric_variables, "stateless_result", lambda: out.append(self.result()))
        r = out[0]
        return {k: _result(to_array(v), self.dtype) for k, v in r.items()} if isinstance(r, dict) else \
            _result(to_array(r).copy(), to_array(r).dtype)

    def stateless_reset_state(self):
        """The state after reset_state(), as a list of Tensors; the metric's own variables unchanged."""
        return self._stateless([v.data for v in self.variables], "stateless_reset_state", self.reset_state)

    def _stateless(self, values, method, run):
        """Run ``run`` with the variables holding copies of ``values``; their new values come back as Tensors and the
        variables get their own arrays back."""
        variables = self.variables
        if not isinstance(values, (list, tuple)) or len(values) != len(variables):
            given = f"a list of {len(values)}" if isinstance(values, (list, tuple)) else type(values).__name__
            raise ConfigError(f"{type(self).__name__}.{method}: metric_variables must be a list of {len(variables)} "
                              f"values, one per {type(self).__name__}().variables, got {given}")
        own = [v.data for v in variables]
        try:
            for v, x, mine in zip(variables, values, own):
                x = B.xp.array(to_array(x), dtype=mine.dtype)
                if x.shape != mine.shape:
                    raise ConfigError(f"{type(self).__name__}.{method}: metric variable '{v.name}' has shape "
                                      f"{mine.shape}, got a value of shape {x.shape}")
                v.data = x
            run()
            return [Tensor(v.data) for v in variables]
        finally:
            for v, mine in zip(variables, own):
                v.data = mine

    def get_config(self):
        """Constructor arguments, as Keras: name and dtype."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """A new metric from get_config()'s dict."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def snake_case(name):
    """"TruePositives" → "true_positives" (Keras's default metric names)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _result(value, dtype):
    return Tensor(B.xp.asarray(value, dtype=dtype))


def samplewise(values, sample_weight, reduce, dtype):
    """Per-sample values (and weights) as Keras's reduce_to_samplewise_values: extra axes reduced by ``reduce``."""
    values = to_array(values, dtype)
    if sample_weight is not None:
        sample_weight = to_array(sample_weight, dtype)
        values, sample_weight = same_rank(values, sample_weight)
        w_nd = sample_weight.ndim
        if values.ndim > w_nd:
            values = reduce(values, axis=tuple(range(w_nd, values.ndim)))
        try:
            sample_weight = B.xp.broadcast_to(sample_weight, values.shape)
        except ValueError:
            raise ConfigError(f"sample_weight of shape {sample_weight.shape} does not match values of shape "
                              f"{values.shape}") from None
        values = values * sample_weight
        if w_nd > 1:
            sample_weight = reduce(sample_weight, axis=tuple(range(1, w_nd)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """Running (weighted) sum of the values given to update_state."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        """Add the (weighted) values."""
        values, _ = samplewise(values, sample_weight, B.xp.sum, self.dtype)
        self.total.data[...] += values.sum(dtype=self.dtype)

    def result(self):
        """The sum so far."""
        return _result(self.total.data, self.dtype)


class Mean(Metric):
    """Running (weighted) mean of the values given to update_state: total / count."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable((), "zeros", dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        """Add per-sample values (extra axes averaged), each weighted by sample_weight if given."""
        values, sample_weight = samplewise(values, sample_weight, B.xp.mean, self.dtype)
        self.total.data[...] += values.sum(dtype=self.dtype)
        if sample_weight is not None:
            n = sample_weight.sum(dtype=self.dtype)
        else:
            n = values.shape[0] if values.ndim >= 1 else 1
        self.count.data[...] += n

    def result(self):
        """total / count (0 before any update, Keras's divide_no_nan)."""
        c = self.count.data
        return _result(self.total.data / c if c != 0 else 0.0, self.dtype)


class MeanMetricWrapper(Mean):
    """Mean over samples of ``fn(y_true, y_pred, **kwargs)``: wraps any per-sample metric function."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    fn = property(lambda self: self._fn, doc="The wrapped per-sample function.")
    kwargs = property(lambda self: self._fn_kwargs, doc="Keyword arguments passed to fn.")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's per-sample values."""
        return super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight=sample_weight)

    def get_config(self):
        """name, dtype, the function's name and its keyword arguments."""
        return {**super().get_config(), "fn": getattr(self._fn, "__name__", repr(self._fn)), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        """A wrapper from get_config()'s dict (the function looked up by name among gradkit's metrics)."""
        from . import functions
        config = dict(config)
        fn = config.pop("fn")
        return cls(getattr(functions, fn) if isinstance(fn, str) else fn, **config)
