"""Data preparation: scalers fitted on training data only, one-hot / multi-hot encodings (sparse on request),
pad_sequences, train_test_split and KFold. Keras names and semantics; scikit-learn's where Keras has none."""
import itertools

import numpy as np

from .. import backend
from ..arguments import number
from ..errors import ConfigError, DataError, ShapeError


def _as_2d(x, who):
    """x as a 2-D float array with no NaN or inf (the scalers' input check)."""
    x = np.asarray(x, dtype=np.result_type(np.asarray(x).dtype, np.float32))
    if x.ndim != 2:
        raise ShapeError(f"{who} expects a 2-D array (samples, features), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise DataError(f"{who}: x holds NaN or inf; clean or impute it before scaling")
    return x


class _Scaler:
    """Shared fit / check plumbing of the scalers; subclasses define _fit, transform and inverse_transform."""

    def fit(self, x):
        """Learn the per-feature statistics from x (training data only); returns self."""
        x = _as_2d(x, f"{type(self).__name__}.fit")
        self.n_features_in_ = x.shape[1]
        self._fit(x)
        return self

    def fit_transform(self, x):
        """fit(x) then transform(x)."""
        return self.fit(x).transform(x)

    def _checked(self, x, who):
        """x validated against the fitted feature count."""
        if not hasattr(self, "n_features_in_"):
            raise ConfigError(f"{type(self).__name__}.{who}: call fit(x_train) first")
        x = _as_2d(x, f"{type(self).__name__}.{who}")
        if x.shape[1] != self.n_features_in_:
            raise ShapeError(f"{type(self).__name__}.{who}: fitted on {self.n_features_in_} features, "
                             f"got x with shape {x.shape}")
        return x


def _nonzero(scale):
    """Constant features get scale 1 instead of a division by zero (as scikit-learn does)."""
    return np.where(scale < 10 * np.finfo(scale.dtype).eps, 1.0, scale)


class MinMaxScaler(_Scaler):
    """Map each feature linearly onto feature_range: z = (x - min) / (max - min) * (hi - lo) + lo (scikit-learn's)."""

    def __init__(self, feature_range=(0, 1)):
        lo, hi = feature_range
        if not lo < hi:
            raise ConfigError(f"MinMaxScaler: feature_range must be (low, high) with low < high, got {feature_range}")
        self.feature_range = (lo, hi)

    def _fit(self, x):
        lo, hi = self.feature_range
        self.data_min_, self.data_max_ = x.min(axis=0), x.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        self.scale_ = (hi - lo) / _nonzero(self.data_range_)
        self.min_ = lo - self.data_min_ * self.scale_

    def transform(self, x):
        """x * scale_ + min_."""
        return self._checked(x, "transform") * self.scale_ + self.min_

    def inverse_transform(self, z):
        """(z - min_) / scale_: back to the original units."""
        return (self._checked(z, "inverse_transform") - self.min_) / self.scale_


class StandardScaler(_Scaler):
    """Standardize each feature: z = (x - mean_) / scale_, scale_ the population std (ddof=0) as in scikit-learn."""

    def __init__(self, with_mean=True, with_std=True):
        self.with_mean, self.with_std = with_mean, with_std

    def _fit(self, x):
        self.mean_, self.var_ = x.mean(axis=0), x.var(axis=0)
        self.scale_ = _nonzero(np.sqrt(self.var_)) if self.with_std else np.ones_like(self.var_)

    def transform(self, x):
        """(x - mean_) / scale_ (the mean is kept when with_mean=False)."""
        x = self._checked(x, "transform")
        return ((x - self.mean_) if self.with_mean else x) / self.scale_

    def inverse_transform(self, z):
        """z * scale_ + mean_: back to the original units."""
        z = self._checked(z, "inverse_transform") * self.scale_
        return z + self.mean_ if self.with_mean else z


def _labels(y, who):
    """Integer class labels from y (floats must be whole numbers)."""
    y = np.asarray(y)
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        raise DataError(f"{who} expects integer class labels, got non-integer values such as {y[y != np.round(y)][:3]}")
    if y.dtype.kind not in "iufb":
        raise DataError(f"{who} expects integer class labels, got dtype {y.dtype}")
    return y.astype("int64")


def to_categorical(x, num_classes=None):
    """One-hot encode integer labels (Keras's ``to_categorical``): shape x.shape + (num_classes,), float64.

    A trailing axis of size 1 is dropped first, so (n, 1) labels give (n, num_classes), as in Keras.
    """
    x = _labels(x, "to_categorical")
    shape = x.shape[:-1] if x.ndim > 1 and x.shape[-1] == 1 else x.shape
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(x.max()) + 1 if x.size else 0
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise DataError(f"to_categorical: labels must lie in [0, {num_classes}), got values from {x.min()} to "
                        f"{x.max()}; pass num_classes or fix the labels")
    out = np.zeros((x.size, num_classes))
    out[np.arange(x.size), x] = 1
    return out.reshape(shape + (num_classes,))


def vectorize_sequences(sequences, dimension=10000, sparse=False, dtype=None):
    """Multi-hot encode index sequences: row i has 1 at every index in sequences[i] (Chollet's vectorize_sequences).

    Returns a dense (len(sequences), dimension) array of dtype (floatx by default), or a scipy.sparse CSR matrix
    when ``sparse=True`` (a repeated index still gives 1).
    """
    dtype = dtype or backend.floatx()
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    cols = np.fromiter(itertools.chain.from_iterable(sequences), dtype=np.int64, count=int(lengths.sum()))
    if cols.size and (cols.min() < 0 or cols.max() >= dimension):
        raise DataError(f"vectorize_sequences: indices must lie in [0, {dimension}), got values from {cols.min()} "
                        f"to {cols.max()}; raise dimension or load the data with num_words={dimension}")
    rows = np.repeat(np.arange(len(lengths)), lengths)
    if not sparse:
        out = np.zeros((len(lengths), dimension), dtype=dtype)
        out[rows, cols] = 1
        return out
    import scipy.sparse

    index_dtype = np.int32 if dimension < 2**31 and cols.size < 2**31 else np.int64
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(index_dtype)
    out = scipy.sparse.csr_matrix((np.ones(cols.size, dtype=dtype), cols.astype(index_dtype), indptr),
                                  shape=(len(lengths), dimension))
    out.sum_duplicates()
    out.data[:] = 1
    return out


def multi_hot(sequences, num_classes, sparse=False, dtype=None):
    """Multi-hot encode index sequences into num_classes columns (Keras's name; see vectorize_sequences)."""
    return vectorize_sequences(sequences, dimension=num_classes, sparse=sparse, dtype=dtype)


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pad / truncate sequences to one length (Keras's ``pad_sequences``): array (len(sequences), maxlen).

    padding / truncating "pre" act at the start of each sequence, "post" at its end.
    """
    for arg, given in (("padding", padding), ("truncating", truncating)):
        if given not in ("pre", "post"):
            raise ConfigError(f"pad_sequences: {arg} must be 'pre' or 'post', got {given!r}")
    if not hasattr(sequences, "__len__"):
        raise DataError("pad_sequences: `sequences` must be a list of sequences")
    try:
        lengths = [len(s) for s in sequences]
    except TypeError as e:
        raise DataError(f"pad_sequences: `sequences` must be a list of sequences ({e})") from e
    sample_shape = next((np.asarray(s).shape[1:] for s in sequences if len(s)), ())
    if maxlen is None:
        maxlen = max(lengths, default=0)
    maxlen = number(maxlen, "maxlen", "pad_sequences", "[0, inf)", integer=True)
    out = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        trunc = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ShapeError(f"pad_sequences: sequence {i} has items of shape {trunc.shape[1:]}, "
                             f"expected {sample_shape} like the first non-empty sequence")
        if padding == "post":
            out[i, :len(trunc)] = trunc
        else:
            out[i, -len(trunc):] = trunc
    return out


def _generator(seed):
    """A local Generator from `seed`, or the library's one (backend.rng()) when seed is None."""
    return backend.rng() if seed is None else np.random.default_rng(seed)


def _take(a, idx):
    """Rows idx of an array, a list or a scipy.sparse matrix."""
    if isinstance(a, (list, tuple)):
        return [a[i] for i in idx]
    return a[idx]


def train_test_split(*arrays, test_size=0.25, shuffle=True, seed=None):
    """Split arrays into train and test rows: returns a_train, a_test, b_train, b_test, ... (scikit-learn's order).

    test_size is a fraction (the test set has ceil(test_size * n) rows) or a row count.
    """
    if not arrays:
        raise ConfigError("train_test_split needs at least one array")
    n = arrays[0].shape[0] if hasattr(arrays[0], "shape") else len(arrays[0])
    for a in arrays[1:]:
        if (a.shape[0] if hasattr(a, "shape") else len(a)) != n:
            raise DataError(f"train_test_split: arrays have different numbers of rows "
                            f"{[a.shape[0] if hasattr(a, 'shape') else len(a) for a in arrays]}")
    n_test = int(np.ceil(test_size * n)) if isinstance(test_size, float) else int(test_size)
    if not 0 < n_test < n:
        raise ConfigError(f"train_test_split: test_size={test_size!r} leaves {n_test} of {n} rows for testing; "
                          "both parts must be non-empty")
    order = _generator(seed).permutation(n) if shuffle else np.arange(n)
    train, test = order[:n - n_test], order[n - n_test:]
    return [part for a in arrays for part in (_take(a, train), _take(a, test))]


class KFold:
    """K-fold cross-validation indices like scikit-learn's KFold: the first n % k folds get one extra sample."""

    def __init__(self, n_splits=5, shuffle=False, seed=None):
        if int(n_splits) < 2:
            raise ConfigError(f"KFold: n_splits must be at least 2, got {n_splits}")
        if seed is not None and not shuffle:
            raise ConfigError("KFold: a seed has no effect when shuffle=False; pass shuffle=True or drop the seed")
        self.n_splits, self.shuffle, self.seed = int(n_splits), shuffle, seed

    def get_n_splits(self, x=None, y=None):
        """The number of folds."""
        return self.n_splits

    def split(self, x, y=None):
        """Yield (train_idx, val_idx) per fold: val is the next slice of the (shuffled) order, train the rest, sorted."""
        n = x.shape[0] if hasattr(x, "shape") else len(x)
        if self.n_splits > n:
            raise ConfigError(f"KFold: n_splits={self.n_splits} is more than the {n} samples")
        order = _generator(self.seed).permutation(n) if self.shuffle else np.arange(n)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        start = 0
        for size in sizes:
            val = order[start:start + size]
            yield np.sort(np.concatenate([order[:start], order[start + size:]])), val
            start += size


_LAZY = {"image_dataset_from_directory": "image_dataset", "text_dataset_from_directory": "text_dataset",
         "timeseries_dataset_from_array": "timeseries"}


def __getattr__(name):
    """Keras's keras.preprocessing.* dataset utilities (from gradkit.utils) and the Keras 2 submodules ``image``
    and ``sequence``, loaded on first use."""
    import importlib
    if name in ("image", "sequence"):
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        return getattr(importlib.import_module(f"..utils.{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
