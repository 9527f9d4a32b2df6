"""Losses with Keras names: per-sample functions, classes that reduce over the batch, and ``get``.

A per-sample function takes (y_true, y_pred) as Tensors or arrays and returns a Tensor of shape
(batch,) built from gradkit ops, so any loss written from them differentiates. Probabilities are
clipped to [ε, 1 − ε] with ε = 1e-7 as Keras does; ``from_logits=True`` uses fused, exact ops.
"""
import math

from . import backend as B
from .autograd import Tensor, nn
from .autograd import public_ops as F
from .errors import ConfigError, DataError, ShapeError
from .registry import Registry

EPSILON = 1e-7
"""Keras's backend.epsilon(): probabilities are clipped to [EPSILON, 1 − EPSILON]."""


def _pair(y_true, y_pred):
    """Both as Tensors, y_true in y_pred's float dtype, ranks matched by Keras's squeeze_or_expand_to_same_rank.

    Conversions are ops (not array copies) so a traced training step replays with each batch's labels.
    """
    p = y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred)
    if p.dtype.kind != "f":
        p = nn.cast(p, B.floatx())
    t = y_true if isinstance(y_true, Tensor) else Tensor(y_true)
    if p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        if t.ndim == 1:
            t = F.expand_dims(t, -1)
        else:
            p = F.squeeze(p, -1)
    elif t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        t = F.squeeze(t, -1)
    return nn.cast(t, p.dtype), p


def mean_squared_error(y_true, y_pred):
    """mean((y_pred − y_true)²) over the last axis."""
    t, p = _pair(y_true, y_pred)
    if t.shape != p.shape:
        d = p - t
        return F.mean(d * d, axis=-1)
    return nn.squared_error(p, t)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_pred − y_true|) over the last axis."""
    t, p = _pair(y_true, y_pred)
    return F.mean(F.abs(p - t), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """mean over the last axis of ½e² where |e| ≤ delta, else delta·|e| − ½delta² (e = y_pred − y_true)."""
    t, p = _pair(y_true, y_pred)
    e = p - t
    a = F.abs(e)
    quad = F.minimum(a, delta)  # ½q² + delta·(|e| − q) equals both branches
    return F.mean(0.5 * quad * quad + delta * (a - quad), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """−mean(y·log p + (1 − y)·log(1 − p)) over axis; p clipped to [1e-7, 1 − 1e-7] unless from logits."""
    t, p = _pair(y_true, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits and axis in (-1, p.ndim - 1):
        return nn.sigmoid_binary_cross_entropy(p, t)
    if from_logits:
        p = F.sigmoid(p)
    p = F.clip(p, EPSILON, 1.0 - EPSILON)
    bce = t * F.log(p) + (1.0 - t) * F.log(1.0 - p)
    return -F.mean(bce, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """−Σ y·log p over axis; p renormalized to sum 1 and clipped as Keras, or log_softmax of logits."""
    t, p = _pair(y_true, y_pred)
    if t.shape != p.shape:
        check_labels("categorical_crossentropy", t.shape, p.shape)
        raise ShapeError(f"categorical_crossentropy: labels of shape {t.shape} do not match predictions {p.shape}")
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / p.shape[axis]
    if from_logits and axis in (-1, p.ndim - 1):
        return nn.softmax_cross_entropy(p, t)
    if from_logits:
        return -F.sum(t * F.log_softmax(p, axis=axis), axis=axis)
    p = F.clip(p / F.sum(p, axis=axis, keepdims=True), EPSILON, 1.0 - EPSILON)
    return -F.sum(t * F.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """−log p[label] with integer labels of shape (n,) or (n, 1); entries equal to ignore_class count 0."""
    p = y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred)
    if axis not in (-1, p.ndim - 1):
        raise ConfigError("sparse_categorical_crossentropy supports only axis=-1")
    if not isinstance(y_true, Tensor):  # raw labels given directly; fit/evaluate check theirs once, on entry
        labels = B.xp.asarray(y_true)
        B.check_ids(labels if ignore_class is None else labels[labels != ignore_class], p.shape[-1],
                    "sparse_categorical_crossentropy: labels")
        y_true = Tensor(labels)
    if from_logits:
        return _valid_only(nn.sparse_softmax_cross_entropy(p, y_true, ignore_class), y_true, ignore_class)
    labels = y_true.data if isinstance(y_true, Tensor) else B.xp.asarray(y_true)
    if labels.size != math.prod(p.shape[:-1]):
        raise ShapeError(f"sparse_categorical_crossentropy: labels of shape {labels.shape} for predictions {p.shape}")
    labels = labels.reshape(p.shape[:-1]).astype(B.xp.intp, copy=False)
    mask = None
    if ignore_class is not None:
        mask = labels != ignore_class
        labels = B.xp.where(mask, labels, 0)
    flat = F.reshape(p, (-1, p.shape[-1]))
    picked = F.getitem(flat, (B.xp.arange(flat.shape[0]), labels.reshape(-1)))
    total = F.reshape(F.sum(flat, axis=-1), (-1,))
    loss = F.reshape(-F.log(F.clip(picked / total, EPSILON, 1.0 - EPSILON)), labels.shape)
    return _valid_only(loss * Tensor(mask.astype(loss.dtype)), y_true, ignore_class) if mask is not None else loss


def _valid_only(values, y_true, ignore_class):
    """values carrying the mask of the entries whose label is not ignore_class (Keras sets it on the loss, so the
    mean is over the valid entries only)."""
    if ignore_class is not None:
        labels = y_true.data if isinstance(y_true, Tensor) else B.xp.asarray(y_true)
        values._keras_mask = labels.reshape(values.shape) != ignore_class
    return values


def hinge(y_true, y_pred):
    """mean(max(1 − y·ŷ, 0)) over the last axis; labels in {0, 1} are taken as {−1, 1} (as Keras)."""
    t, p = _pair(y_true, y_pred)
    return F.mean(F.relu(1.0 - nn.hinge_labels(t) * p), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 − y·ŷ, 0)²) over the last axis; labels in {0, 1} are taken as {−1, 1}."""
    t, p = _pair(y_true, y_pred)
    h = F.relu(1.0 - nn.hinge_labels(t) * p)
    return F.mean(h * h, axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 − y)·ŷ) − Σ y·ŷ + 1, 0) with one-hot y."""
    t, p = _pair(y_true, y_pred)
    return F.relu(F.max((1.0 - t) * p, axis=-1) - F.sum(t * p, axis=-1) + 1.0)


def kl_divergence(y_true, y_pred):
    """Σ y·log(y / ŷ) over the last axis, both clipped to [1e-7, 1]."""
    t, p = _pair(y_true, y_pred)
    t, p = F.clip(t, EPSILON, 1.0), F.clip(p, EPSILON, 1.0)
    return F.sum(t * F.log(t / p), axis=-1)


def poisson(y_true, y_pred):
    """mean(ŷ − y·log(ŷ + 1e-7)) over the last axis."""
    t, p = _pair(y_true, y_pred)
    return F.mean(p - t * F.log(p + EPSILON), axis=-1)


def log_cosh(y_true, y_pred):
    """mean(log cosh(ŷ − y)) over the last axis, as x + softplus(−2x) − log 2 (no overflow)."""
    t, p = _pair(y_true, y_pred)
    e = p - t
    return F.mean(e + nn.softplus(e * -2.0) - math.log(2.0), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """−Σ ŷ·y / (‖ŷ‖·‖y‖) along axis (−1 for the same direction: a loss to minimise)."""
    t, p = _pair(y_true, y_pred)
    return -F.sum(F.normalize(t, axis=axis) * F.normalize(p, axis=axis), axis=axis)


def mean_absolute_percentage_error(y_true, y_pred):
    """100·mean(|y − ŷ| / max(|y|, 1e-7)) over the last axis."""
    t, p = _pair(y_true, y_pred)
    return 100.0 * F.mean(F.abs((t - p) / F.maximum(F.abs(t), EPSILON)), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(ŷ, 1e-7) + 1) − log(max(y, 1e-7) + 1))²) over the last axis."""
    t, p = _pair(y_true, y_pred)
    d = F.log(F.maximum(p, EPSILON) + 1.0) - F.log(F.maximum(t, EPSILON) + 1.0)
    return F.mean(d * d, axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_FUNCTIONS = {f.__name__: f for f in (mean_squared_error, mean_absolute_error, binary_crossentropy,
                                      categorical_crossentropy, sparse_categorical_crossentropy, huber, hinge,
                                      squared_hinge, categorical_hinge, kl_divergence, poisson, log_cosh,
                                      cosine_similarity, mean_absolute_percentage_error,
                                      mean_squared_logarithmic_error)}
_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "huber_loss": "huber",
            "kld": "kl_divergence", "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
            "bce": "binary_crossentropy"}


# ---- the callable the trainer uses -----------------------------------------------------------------

class LossFunction:
    """A per-sample loss with its Keras ``name``, ``from_logits`` flag and extra arguments."""

    def __init__(self, fn, name=None, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        self.name = name or getattr(fn, "__name__", type(fn).__name__)
        self.from_logits = bool(kwargs.get("from_logits", False))
        self.builtin = fn in _FUNCTIONS.values()

    def __call__(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.kwargs)

    def mean(self, y_true, y_pred):
        """The batch mean of the per-sample loss, a scalar Tensor (one fused op for mean squared error)."""
        if self.fn is mean_squared_error:
            t, p = _pair(y_true, y_pred)
            if t.shape == p.shape:
                return nn.mean_squared_error(p, t)
        if self.fn is categorical_crossentropy and self.kwargs == {"from_logits": True}:
            t, p = _pair(y_true, y_pred)
            if t.shape == p.shape:
                return nn.softmax_cross_entropy(p, t, mean=True)
        return F.mean(self(y_true, y_pred))

    def get_config(self):
        """{"name", "kwargs"} for save (built-in losses only)."""
        if not self.builtin:
            raise ConfigError(f"the custom loss {self.name!r} cannot be saved by name; pass it again when loading")
        return {"name": self.name, "kwargs": dict(self.kwargs)}

    def __repr__(self):
        return f"<loss {self.name} {self.kwargs}>"


class UserLossFunction(LossFunction):
    """A user's loss function, given y_true and y_pred as Keras's LossFunctionWrapper gives them: float Tensors,
    ranks matched by squeeze_or_expand_to_same_rank (labels (n,) beside predictions (n, 1) become (n, 1))."""

    def __call__(self, y_true, y_pred):
        t, p = _pair(y_true, y_pred)
        return self.fn(t, p, **self.kwargs)


# ---- classes (reduce over the batch, Keras's "sum_over_batch_size") ---------------------------------

class Loss:
    """Base: ``loss(y_true, y_pred, sample_weight=None)`` reduces ``call``'s values (Keras's keras.losses.Loss).

    Subclass it and override ``call(y_true, y_pred)`` (Tensors) for a loss of your own; the name defaults to the
    class name in snake_case, the reduction to "sum_over_batch_size" (the sum over all values / their count).
    """

    fn = None
    REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None, **kwargs):
        if reduction not in self.REDUCTIONS:
            raise ConfigError(f"{type(self).__name__}: reduction must be one of sum_over_batch_size, sum, mean, "
                              f"mean_with_sample_weight, none or None, got {reduction!r}")
        self.name = name or (type(self).fn.__name__ if type(self).fn is not None else _auto_name(type(self)))
        self.reduction, self.kwargs, self.dtype = reduction, kwargs, dtype or B.floatx()

    @property
    def from_logits(self):
        """Whether y_pred holds logits."""
        return bool(self.kwargs.get("from_logits", False))

    def call(self, y_true, y_pred):
        """Per-sample values."""
        if type(self).fn is None:
            raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred)")
        return type(self).fn(y_true, y_pred, **self.kwargs)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss; sample_weight multiplies the values after Keras's squeeze_or_expand_to_same_rank (so a
        (batch,) weight scales each sample's value, and otherwise broadcasts as NumPy would, as in Keras); a mask on
        y_pred or on the values (ignore_class) weighs the valid entries total / valid (Keras's apply_mask)."""
        values = self._per_sample(y_true, y_pred)
        weights = None if sample_weight is None else _as_float(sample_weight, values.dtype)
        mask = _both(getattr(y_pred, "_keras_mask", None), getattr(values, "_keras_mask", None))
        if mask is not None:
            m = B.xp.asarray(mask).astype(values.dtype)
            if self.reduction in ("sum_over_batch_size", "mean"):
                valid = float(m.sum())
                m = m * (m.size / valid) if valid else m * 0.0
            m = Tensor(m)
            weights = m if weights is None else F.mul(*_same_rank(m, weights))
        if weights is not None:
            values, weights = _same_rank(values, weights)
            values = values * weights
        if self.reduction in ("none", None) or values.ndim == 0 or values.shape == (0,):
            return values
        total = F.sum(values)
        if self.reduction == "sum":
            return total
        if self.reduction == "mean_with_sample_weight" and weights is not None:
            den = F.sum(weights)
            return total / den if float(den.data) else total * 0.0  # Keras's divide_no_nan
        return total / values.size

    def _per_sample(self, y_true, y_pred):
        """``call`` on float Tensors: what compile's loss runs per batch (the trainer reduces it)."""
        values = self.call(_as_float(y_true, self.dtype), _as_float(y_pred, self.dtype))
        return values if isinstance(values, Tensor) else Tensor(B.xp.asarray(values, dtype=self.dtype))

    def get_config(self):
        """Constructor arguments."""
        return {"name": self.name, "reduction": self.reduction, **self.kwargs}

    @classmethod
    def from_config(cls, config):
        """Rebuild from get_config()."""
        return cls(**config)


def _both(m1, m2):
    """The logical and of two masks, either of which may be None."""
    return m2 if m1 is None else m1 if m2 is None else B.xp.logical_and(m1, m2)


def _same_rank(x1, x2):
    """Keras's squeeze_or_expand_to_same_rank on Tensors: the last axis of size 1 squeezed (or the other rank-1
    Tensor expanded) when the ranks differ by one."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        return (x1, F.expand_dims(x2, -1)) if x2.ndim == 1 else (F.squeeze(x1, -1), x2)
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        return (F.expand_dims(x1, -1), x2) if x1.ndim == 1 else (x1, F.squeeze(x2, -1))
    return x1, x2


def _auto_name(cls):
    from .layers.base import snake_case  # a user's Loss subclass: Keras's auto_name of its class
    return snake_case(cls.__name__)


def _as_float(x, dtype):
    """A Tensor of the loss's float dtype (Keras's Loss converts y_true and y_pred before call)."""
    t = x if isinstance(x, Tensor) else Tensor(B.xp.asarray(x))
    return t if t.dtype == dtype else nn.cast(t, dtype)


def _loss_class(name, fn, doc, **defaults):
    def __init__(self, name=None, reduction="sum_over_batch_size", **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise ConfigError(f"{type(self).__name__} got unknown argument(s): {', '.join(sorted(unknown))}")
        Loss.__init__(self, name, reduction, **{**defaults, **kwargs})
    return type(name, (Loss,), {"fn": staticmethod(fn), "__init__": __init__, "__doc__": doc})


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "Mean of squared errors.")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "Mean of absolute errors.")
Huber = _loss_class("Huber", huber, "Huber loss (quadratic inside ±delta, linear outside).", delta=1.0)
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, "Binary cross-entropy.",
                                 from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      "Cross-entropy with one-hot labels.",
                                      from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
                                            "Cross-entropy with integer labels.",
                                            from_logits=False, ignore_class=None, axis=-1)
Hinge = _loss_class("Hinge", hinge, "Hinge loss (labels −1/1, or 0/1 taken as −1/1).")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "Squared hinge loss (labels −1/1, or 0/1).")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "Hinge loss for one-hot labels.")
KLDivergence = _loss_class("KLDivergence", kl_divergence, "Kullback–Leibler divergence Σ y·log(y / ŷ).")
Poisson = _loss_class("Poisson", poisson, "Poisson loss mean(ŷ − y·log ŷ).")
LogCosh = _loss_class("LogCosh", log_cosh, "Mean of log cosh of the errors.")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "Negative cosine similarity along axis.",
                               axis=-1)
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                          "Mean absolute percentage error.")
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
                                          "Mean squared logarithmic error.")
_CLASSES = {c.__name__: c for c in (MeanSquaredError, MeanAbsoluteError, Huber, BinaryCrossentropy,
                                    CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge, SquaredHinge,
                                    CategoricalHinge, KLDivergence, Poisson, LogCosh, CosineSimilarity,
                                    MeanAbsolutePercentageError, MeanSquaredLogarithmicError)}
_REGISTRY = Registry("loss", {**_FUNCTIONS, **{a: _FUNCTIONS[f] for a, f in _ALIASES.items()}}, _CLASSES,
                     listed=sorted(set(_FUNCTIONS) | set(_ALIASES) | set(_CLASSES)))


def get(identifier):
    """A LossFunction (per-sample callable with .name and .from_logits) from a name, function, instance or dict."""
    if isinstance(identifier, LossFunction):
        return identifier
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            return get(_CLASSES[identifier["class_name"]].from_config(identifier.get("config", {})))
        return LossFunction(_FUNCTIONS[identifier["name"]], **identifier.get("kwargs", {}))
    if isinstance(identifier, str):
        entry = _REGISTRY.find(identifier)
        if entry is None:
            raise _REGISTRY.unknown(identifier)
        return get(entry()) if isinstance(entry, type) else LossFunction(entry)
    if isinstance(identifier, Loss):
        fn = type(identifier).fn
        if identifier.reduction not in ("sum_over_batch_size", "mean"):
            raise ConfigError(f"compile(loss={type(identifier).__name__}(reduction={identifier.reduction!r})): a "
                              "loss given to compile must use reduction='sum_over_batch_size' (its default)")
        if fn is None or type(identifier).call is not Loss.call:  # a user's subclass: its own call, its name
            return LossFunction(identifier._per_sample, identifier.name)
        return LossFunction(fn, fn.__name__, **identifier.kwargs)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return get(identifier())
    if callable(identifier):
        return UserLossFunction(identifier)
    raise ConfigError(f"a loss must be a name, a function or a Loss instance, got {identifier!r}")


def serialize(loss):
    """The loss as a JSON-able config ({"name", "kwargs"}) for save."""
    return get(loss).get_config()


def fused_from_logits(loss_fn, activation_name):
    """The per-sample loss on the last layer's pre-activation (logits) when softmax/sigmoid can be fused, else None.

    Categorical/sparse cross-entropy after softmax and binary cross-entropy after sigmoid fuse into one
    exact op (no clipping); any other pairing, or a loss already from logits, returns None.
    """
    loss = get(loss_fn)
    if not loss.builtin or loss.from_logits or loss.kwargs.get("axis", -1) != -1:
        return None
    pairs = {("categorical_crossentropy", "softmax"), ("sparse_categorical_crossentropy", "softmax"),
             ("binary_crossentropy", "sigmoid")}
    if (loss.fn.__name__, activation_name) not in pairs:
        return None
    return LossFunction(loss.fn, loss.name, **{**loss.kwargs, "from_logits": True})


def _fits(t, p):
    """Whether shape t equals p, None in p matching anything."""
    return len(t) == len(p) and all(b is None or a == b for a, b in zip(t, p))


def check_labels(loss_fn, y_true_shape, y_pred_shape, role="y"):
    """Raise unless the labels' shape suits the built-in loss and the output (batch dimensions aside): integer labels
    for categorical cross-entropy, one-hot for sparse, or a shape other than the output's (never a broadcast)."""
    loss = get(loss_fn)
    if not loss.builtin:
        return
    t, p = tuple(y_true_shape)[1:], tuple(y_pred_shape)[1:]
    name, n_classes = loss.fn.__name__, (p[-1] if p else 1)
    integer_like = _fits(t, p[:-1]) or _fits(t, p[:-1] + (1,))
    if name == "sparse_categorical_crossentropy":
        if integer_like:
            return
        if _fits(t, p) and n_classes != 1:
            raise DataError(f"{role}: sparse_categorical_crossentropy needs integer labels of shape (n,) but got "
                            f"labels of shape {tuple(y_true_shape)} (one-hot?): use loss='categorical_crossentropy' "
                            "for one-hot labels")
    elif name == "categorical_crossentropy":
        if _fits(t, p):
            return
        if integer_like and n_classes != 1:
            raise DataError(f"{role}: categorical_crossentropy needs one-hot labels of shape (n, {n_classes}) but got "
                            f"labels of shape {tuple(y_true_shape)}: use loss='sparse_categorical_crossentropy' for "
                            "integer labels (or one-hot encode them with gradkit.utils.to_categorical)")
    elif _fits(t, p) or (p[-1:] == (1,) and _fits(t, p[:-1])) or _fits(t, p + (1,)):
        return  # equal, or equal up to a trailing 1 (Keras's squeeze_or_expand_to_same_rank)
    out = tuple(y_true_shape[:1]) + tuple(y_pred_shape)[1:]  # the output for these samples
    raise ShapeError(f"{role}: loss '{loss.name}': labels of shape {tuple(y_true_shape)} do not match the model's "
                     f"output of shape {out}")

from .keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("losses", __name__)
