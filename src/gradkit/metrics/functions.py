"""Per-sample metric functions on arrays (Keras names): each returns one value per sample, no graph."""
import numpy as np

from .. import backend as B
from ..autograd import Tensor
from .base import to_array


def _arrays(y_true, y_pred):
    """Raw arrays, y_true brought to y_pred's rank as Keras does."""
    t, p = to_array(y_true), to_array(y_pred)
    if p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        t, p = (t[:, None], p) if t.ndim == 1 else (t, p[..., 0])
    elif t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        t = t[..., 0]
    return t, p


def _float(p):
    return p.dtype if p.dtype.kind == "f" else B.floatx()


def accuracy(y_true, y_pred):
    """1 where y_pred equals y_true exactly (Keras's Accuracy), averaged over the last axis."""
    t, p = _arrays(y_true, y_pred)
    return (t == p).mean(axis=-1, dtype=_float(p)) if p.ndim > 1 else (t == p).astype(_float(p))


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
    p, t = to_array(y_pred), to_array(y_true)
    t = t.reshape(p.shape[:-1]) if t.size == int(np.prod(p.shape[:-1])) else t
    return (p.argmax(axis=-1) == t).astype(_float(p))


def _in_top_k(labels, p, k):
    """Whether each label's score is >= the k-th largest score of its row (ties count, as Keras's in_top_k)."""
    p = p.reshape(-1, p.shape[-1])
    labels = labels.reshape(-1).astype(np.int64)
    k = min(k, p.shape[-1])
    kth = B.xp.partition(p, p.shape[-1] - k, axis=-1)[:, p.shape[-1] - k]
    return B.xp.take_along_axis(p, labels[:, None], axis=-1)[:, 0] >= kth


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the one-hot label's class is among the k highest scores, else 0."""
    t, p = to_array(y_true), to_array(y_pred)
    labels = t.argmax(axis=-1)
    return _in_top_k(labels, p, k).astype(_float(p)).reshape(labels.shape)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1 where the integer label is among the k highest scores (or, from_sorted_ids, among y_pred[:, :k])."""
    t, p = to_array(y_true), to_array(y_pred)
    shape = t.shape
    if from_sorted_ids:
        hit = (t.reshape(-1, 1) == p.reshape(-1, p.shape[-1])[:, :k]).any(axis=1)
    else:
        hit = _in_top_k(t, p, k)
    return hit.astype(_float(p) if not from_sorted_ids else B.floatx()).reshape(shape)


def mean_squared_error(y_true, y_pred):
    """Per-sample mean of squared errors."""
    t, p = _arrays(y_true, y_pred)
    d = p - t
    return (d * d).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean of absolute errors."""
    t, p = _arrays(y_true, y_pred)
    return B.xp.abs(p - t).mean(axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample 100·mean(|y_true − y_pred| / max(|y_true|, ε)) (Keras, ε = 1e-7)."""
    t, p = _arrays(y_true, y_pred)
    t = t.astype(_float(p))
    return 100.0 * (B.xp.abs(t - p) / B.xp.maximum(B.xp.abs(t), 1e-7)).mean(axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample mean of (log(1 + max(y_pred, ε)) − log(1 + max(y_true, ε)))² (Keras, ε = 1e-7)."""
    t, p = _arrays(y_true, y_pred)
    d = B.xp.log1p(B.xp.maximum(p, 1e-7)) - B.xp.log1p(B.xp.maximum(t.astype(_float(p)), 1e-7))
    return (d * d).mean(axis=-1)


def _loss_metric(name):
    """A loss's per-sample function as a metric (arrays in, array out, no graph)."""
    def fn(y_true, y_pred, **kwargs):
        from .. import losses
        from ..autograd import no_grad
        with no_grad():
            v = getattr(losses, name)(y_true, y_pred, **kwargs)
        return v.data if isinstance(v, Tensor) else v
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Per-sample {name.replace('_', ' ')} (the loss, as a metric)."
    return fn


binary_crossentropy = _loss_metric("binary_crossentropy")
categorical_crossentropy = _loss_metric("categorical_crossentropy")
sparse_categorical_crossentropy = _loss_metric("sparse_categorical_crossentropy")
hinge = _loss_metric("hinge")
squared_hinge = _loss_metric("squared_hinge")
categorical_hinge = _loss_metric("categorical_hinge")
kl_divergence = _loss_metric("kl_divergence")
poisson = _loss_metric("poisson")
log_cosh = _loss_metric("log_cosh")


def cosine_similarity(y_true, y_pred, axis=-1):
    """Σ ŷ·y / (‖ŷ‖·‖y‖) along axis (1 for the same direction; the loss is its negative)."""
    return -_loss_metric("cosine_similarity")(y_true, y_pred, axis=axis)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error

ALL = (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
       sparse_top_k_categorical_accuracy, mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
       mean_squared_logarithmic_error, binary_crossentropy, categorical_crossentropy,
       sparse_categorical_crossentropy, hinge, squared_hinge, categorical_hinge, kl_divergence, poisson, log_cosh)
ALIASES = {"mse": mean_squared_error, "mae": mean_absolute_error, "mape": mean_absolute_percentage_error,
           "msle": mean_squared_logarithmic_error}
__all__ = [f.__name__ for f in ALL]
