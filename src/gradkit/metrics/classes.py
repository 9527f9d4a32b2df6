"""Keras's mean-of-per-sample metric classes (accuracy, regression, cross-entropy) and RootMeanSquaredError."""
from .. import backend as B
from ..autograd import Tensor
from . import functions as fns
from .base import Mean, MeanMetricWrapper, same_rank, to_array


class _Wrapper(MeanMetricWrapper):
    """A MeanMetricWrapper whose function and defaults are fixed by the class (``_fn_default``)."""

    _fn_default = None

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(type(self)._fn_default, name=name or self._default_name, dtype=dtype, **kwargs)
        for k, v in kwargs.items():
            setattr(self, k, v)

    def get_config(self):
        """name, dtype and the class's own arguments."""
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        """The metric from get_config()'s dict."""
        return cls(**config)


def _cls(name, fn, default_name, doc, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        _Wrapper.__init__(self, name=name, dtype=dtype, **{**defaults, **kwargs})
    __init__.__doc__ = doc
    return type(name, (_Wrapper,), {"__init__": __init__, "__doc__": doc, "_fn_default": staticmethod(fn),
                                    "_default_name": default_name, "__module__": __name__})


Accuracy = _cls("Accuracy", fns.accuracy, "accuracy", "How often predictions equal the labels.")
BinaryAccuracy = _cls("BinaryAccuracy", fns.binary_accuracy, "binary_accuracy",
                      "How often (y_pred > threshold) equals the binary labels.", threshold=0.5)
CategoricalAccuracy = _cls("CategoricalAccuracy", fns.categorical_accuracy, "categorical_accuracy",
                           "How often argmax(y_pred) equals argmax of the one-hot labels.")
SparseCategoricalAccuracy = _cls("SparseCategoricalAccuracy", fns.sparse_categorical_accuracy,
                                 "sparse_categorical_accuracy", "How often argmax(y_pred) equals the integer labels.")
TopKCategoricalAccuracy = _cls("TopKCategoricalAccuracy", fns.top_k_categorical_accuracy,
                               "top_k_categorical_accuracy", "How often the one-hot label is in the top k.", k=5)
SparseTopKCategoricalAccuracy = _cls("SparseTopKCategoricalAccuracy", fns.sparse_top_k_categorical_accuracy,
                                     "sparse_top_k_categorical_accuracy",
                                     "How often the integer label is in the top k.", k=5)
MeanSquaredError = _cls("MeanSquaredError", fns.mean_squared_error, "mean_squared_error", "Mean squared error.")
MeanAbsoluteError = _cls("MeanAbsoluteError", fns.mean_absolute_error, "mean_absolute_error",
                         "Mean absolute error.")
MeanAbsolutePercentageError = _cls("MeanAbsolutePercentageError", fns.mean_absolute_percentage_error,
                                   "mean_absolute_percentage_error", "Mean absolute percentage error.")
MeanSquaredLogarithmicError = _cls("MeanSquaredLogarithmicError", fns.mean_squared_logarithmic_error,
                                   "mean_squared_logarithmic_error", "Mean squared logarithmic error.")
BinaryCrossentropy = _cls("BinaryCrossentropy", fns.binary_crossentropy, "binary_crossentropy",
                          "Binary cross-entropy as a metric.", from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _cls("CategoricalCrossentropy", fns.categorical_crossentropy, "categorical_crossentropy",
                               "Categorical cross-entropy as a metric.", from_logits=False, label_smoothing=0.0)
SparseCategoricalCrossentropy = _cls("SparseCategoricalCrossentropy", fns.sparse_categorical_crossentropy,
                                     "sparse_categorical_crossentropy",
                                     "Sparse categorical cross-entropy as a metric.", from_logits=False)
Hinge = _cls("Hinge", fns.hinge, "hinge", "Hinge loss as a metric.")
SquaredHinge = _cls("SquaredHinge", fns.squared_hinge, "squared_hinge", "Squared hinge loss as a metric.")
CategoricalHinge = _cls("CategoricalHinge", fns.categorical_hinge, "categorical_hinge",
                        "Categorical hinge loss as a metric.")
KLDivergence = _cls("KLDivergence", fns.kl_divergence, "kl_divergence", "Kullback–Leibler divergence as a metric.")
Poisson = _cls("Poisson", fns.poisson, "poisson", "Poisson loss as a metric.")
LogCoshError = _cls("LogCoshError", fns.log_cosh, "logcosh", "Mean of log cosh of the errors.")
CosineSimilarity = _cls("CosineSimilarity", fns.cosine_similarity, "cosine_similarity",
                        "Cosine similarity of labels and predictions along axis.", axis=-1)


class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean of squared errors; a real class, so it can be subclassed as in the guides."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's squared errors."""
        t, p = same_rank(to_array(y_true, self.dtype), to_array(y_pred, self.dtype))
        return super().update_state((p - t) ** 2, sample_weight=sample_weight)

    def result(self):
        """sqrt(total / count)."""
        return Tensor(B.xp.sqrt(to_array(super().result())))


CLASSES = (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
           SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
           MeanSquaredLogarithmicError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
           RootMeanSquaredError, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson, LogCoshError,
           CosineSimilarity)
