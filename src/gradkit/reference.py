"""Closed-form references: the least-squares optimum a linear model's training can at best reach."""
from dataclasses import dataclass

import numpy as np


@dataclass
class LeastSquares:
    """The least-squares solution of y ≈ x·weights + bias and its mean squared error."""
    weights: np.ndarray
    bias: float
    mse: float

    def gap(self, mse):
        """How far a trained model's MSE is above this optimum (≥ 0 up to rounding)."""
        return float(mse) - self.mse


def least_squares(x, y, fit_intercept=True):
    """Best linear fit of y on x by ``numpy.linalg.lstsq`` (float64); bias 0 when fit_intercept is False."""
    x = np.asarray(x, dtype=np.float64)
    x = x.reshape(len(x), -1)
    y = np.asarray(y, dtype=np.float64).reshape(len(x))
    a = np.column_stack([x, np.ones(len(x))]) if fit_intercept else x
    coef = np.linalg.lstsq(a, y, rcond=None)[0]
    weights, bias = (coef[:-1], float(coef[-1])) if fit_intercept else (coef, 0.0)
    mse = float(np.mean((a @ coef - y) ** 2))
    return LeastSquares(weights, bias, mse)
