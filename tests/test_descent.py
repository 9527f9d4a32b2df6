"""The course's gradient-descent experiments on Boston RM/LSTAT, in float64, against its published numbers."""
import warnings

import numpy as np
import pytest

from gradkit import descent as D
from gradkit.errors import ConfigError, DataError
from gradkit.reference import least_squares

COURSE_MSE, COURSE_W, COURSE_B = 30.529, (25.4186, -23.6005), 16.3857


@pytest.fixture(scope="module")
def boston():
    return D.boston_rm_lstat()


@pytest.fixture(scope="module")
def runs(boston):
    """The course's three 5000-step runs: full batch, random mini-batch of 30, SGD on one sample."""
    x, y = boston
    return {"full": D.linear_gd(x, y),
            "random": D.linear_gd(x, y, strategy="random", batch_size=30, seed=0),
            "sgd": D.linear_gd(x, y, strategy="sgd", seed=0)}


def test_boston_rm_lstat_is_all_rows_minmax_scaled(boston):
    x, y = boston
    assert x.shape == (506, 2) and y.shape == (506,) and x.dtype == np.float64
    np.testing.assert_allclose(x.min(axis=0), [0, 0], atol=1e-15)
    np.testing.assert_allclose(x.max(axis=0), [1, 1], atol=1e-15)
    assert y.mean() == pytest.approx(22.5328, abs=1e-4)  # the Boston price mean


def test_full_batch_gd_reproduces_the_course(runs, boston):
    r = runs["full"]
    assert r.steps == 5000 and r.loss.shape == (5001,) and r.weights.shape == (5001, 2)
    assert abs(r.mse - COURSE_MSE) < 1e-3
    np.testing.assert_allclose(r.w, COURSE_W, atol=1e-3)
    assert abs(r.b - COURSE_B) < 1e-3
    x, y = boston
    assert r.loss[0] == pytest.approx(np.mean((y - 1.0) ** 2), rel=1e-15)  # w = 0, b = 1
    assert r.rises() == 0  # exact GD with a stable rate never increases the full-data loss
    assert r.mse > least_squares(x, y).mse


def test_full_batch_first_step_is_the_hand_gradient(boston):
    x, y = boston
    r = D.linear_gd(x, y, steps=1)
    resid = x @ np.zeros(2) + 1.0 - y
    np.testing.assert_allclose(r.weights[1], -0.01 * 2 * x.T @ resid / 506, rtol=1e-14)
    assert r.bias[1] == pytest.approx(1.0 - 0.01 * 2 * resid.mean(), rel=1e-14)


def test_random_minibatch_and_sgd_end_near_the_course(runs):
    assert abs(runs["random"].mse - 30.53) < 0.1
    assert abs(runs["sgd"].mse - 31.9) < 2.0
    # SGD's full-data loss rises after far more steps than the mini-batch's; full batch never rises
    assert runs["sgd"].rises() > 1.2 * runs["random"].rises() > 1000
    assert np.std(np.diff(runs["sgd"].loss[1000:])) > 3 * np.std(np.diff(runs["random"].loss[1000:]))


def test_sweep_takes_sequential_batches_in_order(boston):
    x, y = boston
    r = D.linear_gd(x, y, steps=20, strategy="sweep", batch_size=30)
    w, b = np.zeros(2), 1.0
    for step in range(20):
        s = slice((step % 17) * 30, (step % 17) * 30 + 30)  # 17 batches per epoch; the 17th has 26 rows
        resid = x[s] @ w + b - y[s]
        w, b = w - 0.01 * 2 * x[s].T @ resid / len(resid), b - 0.01 * 2 * resid.mean()
        np.testing.assert_allclose(r.weights[step + 1], w, rtol=1e-13)
        assert r.bias[step + 1] == pytest.approx(b, rel=1e-13)


def test_random_strategies_repeat_with_a_seed(boston):
    x, y = boston
    a = D.linear_gd(x, y, steps=50, strategy="random", seed=7)
    b = D.linear_gd(x, y, steps=50, strategy="random", seed=7)
    c = D.linear_gd(x, y, steps=50, strategy="random", seed=8)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert not np.array_equal(a.loss, c.loss)


def test_numerical_gradient_loop_agrees_with_backprop(boston):
    x, y = boston
    bp = D.linear_gd(x, y, steps=300, gradient="backprop")
    num = D.linear_gd(x, y, steps=300, gradient="numerical")
    np.testing.assert_allclose(num.loss, bp.loss, rtol=1e-8)
    np.testing.assert_allclose(num.weights, bp.weights, atol=1e-6)


def test_record_false_keeps_start_and_end(boston):
    x, y = boston
    full = D.linear_gd(x, y, steps=40, strategy="random", seed=3)
    short = D.linear_gd(x, y, steps=40, strategy="random", seed=3, record=False)
    assert short.loss.shape == (2,)
    assert short.mse == full.mse and short.steps == 1


def test_divergence_is_one_line_and_stops(boston, capsys):
    x, y = boston
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / NaN warnings leak out
        results = D.lr_sweep(x, y, lrs=(1e-4, 0.01, 1.0), steps=300)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert [results[lr].verdict for lr in (1e-4, 0.01, 1.0)] == ["too small", "too small", "too large"]
    big = results[1.0]
    assert big.diverged and big.steps < 50 and "\n" not in big.message
    assert lines[2].startswith("[too large]") and "diverged at step" in lines[2] and "smaller learning rate" in lines[2]
    assert np.isfinite(big.loss).all() and big.loss[-1] > 1e6 * big.loss[0]
    assert not results[0.01].diverged


def test_lr_verdict_good_when_close_to_optimum(runs, boston):
    assert D.lr_verdict(runs["full"], least_squares(*boston).mse) == "good"


def test_bad_arguments_name_the_valid_choices(boston):
    x, y = boston
    with pytest.raises(ConfigError, match="full, sgd, random, sweep"):
        D.linear_gd(x, y, strategy="adam")
    with pytest.raises(ConfigError, match="backprop, numerical"):
        D.linear_gd(x, y, gradient="symbolic")
    with pytest.raises(DataError, match="506 rows but y has 505"):
        D.linear_gd(x, y[:-1])


def test_mse_surface_matches_direct_mse(boston):
    x, y = boston
    w1, w2 = np.meshgrid([0.0, 20.0, 26.0], [-30.0, -10.0])
    fixed, best = D.mse_surface(x, y, w1, w2, bias=16.0), D.mse_surface(x, y, w1, w2)
    for i, j in np.ndindex(w1.shape):
        r = y - x @ [w1[i, j], w2[i, j]]
        assert fixed[i, j] == pytest.approx(np.mean((r - 16.0) ** 2), rel=1e-12)
        assert best[i, j] == pytest.approx(np.mean((r - r.mean()) ** 2), rel=1e-12)
    ls = least_squares(x, y)
    assert D.mse_surface(x, y, *ls.weights) == pytest.approx(ls.mse, rel=1e-12)


def test_quartic_minima_are_a_global_and_a_local_one():
    g, loc = D.quartic_minima()
    assert g == pytest.approx(-1.4729976, abs=1e-6) and loc == pytest.approx(1.3469974, abs=1e-6)
    assert D.quartic(g) < D.quartic(loc) < D.quartic(0.1)


def test_descend_1d_stops_in_the_local_minimum_from_one_start():
    g, loc = D.quartic_minima()
    right, left = D.descend_1d(x0=2.0, lr=0.01, steps=300), D.descend_1d(x0=-0.5, lr=0.01, steps=300)
    assert right.x == pytest.approx(loc, abs=1e-6) and left.x == pytest.approx(g, abs=1e-6)
    assert right.xs.shape == (301,) and right.fs[0] == pytest.approx(D.quartic(2.0))
    assert np.all(np.diff(right.fs) <= 1e-12) and np.all(np.diff(left.fs) <= 1e-12)  # rounding at the bottom


def test_descend_1d_divergence_stops_with_a_message():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = D.descend_1d(x0=2.0, lr=1.0, steps=100)
    assert r.diverged and "diverged at step" in r.message and len(r.xs) < 100
