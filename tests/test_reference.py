"""The closed-form least-squares optimum: exact on exact data, and the floor under the course's descent."""
import numpy as np
import pytest

from gradkit.descent import boston_rm_lstat
from gradkit.reference import least_squares


def test_exact_linear_data_is_recovered():
    x = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 3.0], [4.0, -1.0]])
    y = 3 * x[:, 0] - 2 * x[:, 1] + 5
    ls = least_squares(x, y)
    np.testing.assert_allclose(ls.weights, [3, -2], atol=1e-12)
    assert ls.bias == pytest.approx(5, abs=1e-12) and ls.mse < 1e-24


def test_without_intercept_and_one_feature():
    x = np.array([1.0, 2.0, 3.0])
    ls = least_squares(x, [2.0, 4.0, 7.0], fit_intercept=False)
    # slope = Σxy / Σx² = (2 + 8 + 21) / 14
    assert ls.weights.shape == (1,) and ls.weights[0] == pytest.approx(31 / 14, rel=1e-14)
    assert ls.bias == 0.0
    assert ls.mse == pytest.approx(np.mean((np.array([2, 4, 7]) - 31 / 14 * x) ** 2), rel=1e-12)


def test_boston_rm_lstat_optimum_and_the_gap_of_the_course_run():
    x, y = boston_rm_lstat()
    ls = least_squares(x, y)
    a = np.column_stack([x, np.ones(len(x))])
    normal = np.linalg.solve(a.T @ a, a.T @ y)  # the normal equations, solved another way
    np.testing.assert_allclose(ls.weights, normal[:2], rtol=1e-10)
    assert ls.bias == pytest.approx(normal[2], rel=1e-10)
    assert ls.mse == pytest.approx(30.5125, abs=1e-4)
    assert ls.gap(30.529) == pytest.approx(0.0165, abs=1e-4)  # the course's GD stops 0.017 above the best
