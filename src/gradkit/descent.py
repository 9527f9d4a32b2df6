"""Gradient descent written out, as the course teaches it: a linear neuron trained by an explicit loop.

Strategies (the course's names): "full" — full-batch gradient descent, every step uses all samples;
"sgd" — stochastic gradient descent on ONE random sample per step; "random" — a mini-batch of
``batch_size`` samples drawn with replacement each step (the course's first kind of mini-batch);
"sweep" — sequential mini-batches of ``batch_size`` sweeping the data in order, epoch after epoch.
Every loop runs in float64 and records the full-data MSE and the parameters after every step.
"""
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import backend
from .autograd import Tensor, no_grad
from .errors import ConfigError, DataError

STRATEGIES = ("full", "sgd", "random", "sweep")
GRADIENTS = ("backprop", "numerical")
DIVERGENCE_FACTOR = 1e6  # a loss this many times the starting loss counts as diverged


# ---- data -------------------------------------------------------------------------------------

def _minmax(x):
    try:
        from .preprocessing import MinMaxScaler
    except ImportError:  # preprocessing not available: the same [0, 1] scaling by hand
        lo, hi = x.min(axis=0), x.max(axis=0)
        return (x - lo) / (hi - lo)
    return np.asarray(MinMaxScaler().fit_transform(x), dtype=np.float64)


def _boston_all_rows():
    try:
        from .datasets import boston_housing
        (x, y), _ = boston_housing.load_data(test_split=0.0)
    except (ImportError, AttributeError):  # loader not there: read the file shipped in the package
        with np.load(Path(__file__).parent / "data" / "boston_housing.npz") as d:
            x, y = d["x"], d["y"]
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def boston_rm_lstat():
    """The course's data: RM and LSTAT of all 506 Boston rows, MinMax-scaled to [0, 1], and the price."""
    x, y = _boston_all_rows()
    return _minmax(x[:, [5, 12]]), y


# ---- the linear neuron ------------------------------------------------------------------------

@dataclass
class DescentResult:
    """A descent run: full-data MSE and parameters at every step (index 0 = the start) and the final state.

    ``loss[k]`` is the full-data MSE after k steps; ``weights[k]``, ``bias[k]`` the parameters then;
    ``batch_losses[k - 1]`` the loss on the batch step k used (before its update, as the course prints it).
    """
    strategy: str
    lr: float
    loss: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    diverged: bool = False
    message: str = ""
    batch_losses: np.ndarray = field(default=None, repr=False)
    verdict: str = ""  # set by lr_sweep: "too small", "good" or "too large"

    steps = property(lambda self: len(self.loss) - 1, doc="Steps actually taken.")
    w = property(lambda self: self.weights[-1], doc="Final weights.")
    b = property(lambda self: float(self.bias[-1]), doc="Final bias.")
    mse = property(lambda self: float(self.loss[-1]), doc="Final full-data MSE.")

    def rises(self):
        """Number of steps after which the full-data loss went up (0 for exact full-batch GD on a convex loss)."""
        return int(np.sum(np.diff(self.loss) > 0))

    def summary(self):
        """One line: strategy, learning rate, steps, final MSE (or how it diverged)."""
        if self.diverged:
            return self.message
        w = ", ".join(f"{v:.4f}" for v in self.w)
        return f"{self.strategy} lr={self.lr:g}: {self.steps} steps, MSE {self.mse:.4f} (w=[{w}], b={self.b:.4f})"


def _batches(strategy, n, batch_size, rng):
    """Endless index batches for a strategy (None = all rows)."""
    if strategy == "full":
        while True:
            yield None
    elif strategy in ("sgd", "random"):
        size = 1 if strategy == "sgd" else batch_size
        while True:
            yield rng.integers(0, n, size=size)
    else:
        starts = range(0, n, batch_size)
        while True:
            for s in starts:
                yield slice(s, s + batch_size)


def _mse(x, y, w, b):
    """MSE of the linear neuron x·w + b against y (Tensors in, scalar Tensor out)."""
    return ((x @ w + b - y) ** 2).mean()


def _gradients(x, y, w, b, gradient):
    """(loss, dL/dw, dL/db) by backprop or by central differences."""
    if gradient == "backprop":
        w.zero_grad()
        b.zero_grad()
        loss = _mse(x, y, w, b)
        loss.backward()
        return loss.item(), w.grad.data, b.grad.data
    from .gradcheck import numerical_gradient
    with no_grad():
        f = lambda _: _mse(x, y, w, b)  # noqa: E731
        return f(None).item(), numerical_gradient(f, w), numerical_gradient(f, b)


def _check_args(x, y, strategy, gradient, batch_size, steps):
    if strategy not in STRATEGIES:
        raise ConfigError(f"linear_gd: unknown strategy {strategy!r}; expected one of {', '.join(STRATEGIES)}")
    if gradient not in GRADIENTS:
        raise ConfigError(f"linear_gd: unknown gradient {gradient!r}; expected one of {', '.join(GRADIENTS)}")
    if int(batch_size) < 1 or int(steps) < 0:
        raise ConfigError(f"linear_gd: batch_size must be ≥ 1 and steps ≥ 0, got {batch_size} and {steps}")
    x = np.asarray(x, dtype=np.float64)
    x = x.reshape(len(x), -1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if len(x) != len(y):
        raise DataError(f"linear_gd: x has {len(x)} rows but y has {len(y)}")
    return x, y


def linear_gd(x, y, lr=0.01, steps=5000, w0=0.0, b0=1.0, strategy="full", batch_size=30, record=True,
              seed=None, gradient="backprop"):
    """Train y ≈ x·w + b by gradient descent on the MSE with an explicit loop; returns a DescentResult.

    ``steps`` counts parameter updates for every strategy (a "sweep" epoch is ceil(n / batch_size)
    steps). Random batches come from ``numpy.random.default_rng(seed)``, or from gradkit's generator
    when seed is None. A loss that becomes non-finite or grows 1e6-fold stops the run with one message.
    With record=False only the start and the final state are kept.
    """
    x, y = _check_args(x, y, strategy, gradient, batch_size, steps)
    rng = np.random.default_rng(seed) if seed is not None else backend.rng()
    w = Tensor(np.full(x.shape[1], w0, dtype=np.float64), requires_grad=True, name="w")
    b = Tensor(np.full(1, b0, dtype=np.float64), requires_grad=True, name="b")  # shape (1,), as the course's
    xt, yt = Tensor(x), Tensor(y)
    full_mse = lambda: float(np.mean((x @ w.data + b.data - y) ** 2))  # noqa: E731
    loss, ws, bs, batch_losses = [full_mse()], [w.data.copy()], [b0], []
    batches = _batches(strategy, len(y), int(batch_size), rng)
    message = ""
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, int(steps) + 1):
            idx = next(batches)
            xb, yb = (xt, yt) if idx is None else (Tensor(x[idx]), Tensor(y[idx]))
            batch_loss, gw, gb = _gradients(xb, yb, w, b, gradient)
            w.data -= lr * gw  # the gradient-descent update: θ ← θ − lr · ∂L/∂θ
            b.data -= lr * gb
            current = full_mse()
            ok = math.isfinite(current) and current <= DIVERGENCE_FACTOR * max(loss[0], 1e-12)
            if record or step == steps or not ok:
                loss.append(current), ws.append(w.data.copy()), bs.append(b.data[0])
                batch_losses.append(batch_loss)
            if not ok:
                message = (f"{strategy} lr={lr:g} diverged at step {step}: full-data MSE {current:.3g} "
                           f"(started at {loss[0]:.4g}); stopped - use a smaller learning rate")
                break
    return DescentResult(strategy, float(lr), np.array(loss), np.array(ws), np.array(bs), bool(message),
                         message, np.array(batch_losses))


def lr_sweep(x, y, lrs=(1e-4, 0.01, 1.0), steps=5000, verbose=True, **kwargs):
    """Full-batch GD at each learning rate; {lr: DescentResult}. Prints one line per rate when verbose.

    Each line says whether the rate was too large (diverged, stopped at once), too small (still far from
    the least-squares optimum after all steps: more than 1 % above it) or good.
    """
    from .reference import least_squares
    best = least_squares(x, y).mse
    results = {}
    for lr in lrs:
        res = linear_gd(x, y, lr=lr, steps=steps, **kwargs)
        res.verdict = lr_verdict(res, best)
        results[lr] = res
        if verbose:
            print(f"[{res.verdict}] {res.summary()}")
    return results


def lr_verdict(result, best_mse, tolerance=0.01):
    """"too large" if it diverged, "too small" if it ended over ``tolerance`` (relative) above best_mse, else "good"."""
    if result.diverged:
        return "too large"
    return "too small" if result.mse > best_mse * (1 + tolerance) else "good"


def mse_surface(x, y, w1, w2, bias="optimal"):
    """Full-data MSE of a two-weight linear neuron on the grid (w1, w2) (arrays of one shape).

    bias="optimal" puts, at every grid point, the bias that minimises the MSE there (mean(y − x·w)),
    so a trajectory's loss is never below the contour under it; a number fixes the bias instead.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if isinstance(bias, str) and bias != "optimal":
        raise ConfigError(f"mse_surface: bias must be 'optimal' or a number, got {bias!r}")
    if isinstance(bias, str):  # optimal bias: MSE = Var(y − x·w), from centred moments
        x, y = x - x.mean(axis=0), y - y.mean()
    else:
        y = y - bias
    w = np.stack([np.asarray(w1, dtype=np.float64), np.asarray(w2, dtype=np.float64)], axis=-1)
    # mean((y − x·w)²) = mean(y²) − 2·w·mean(x·y) + wᵀ·(xᵀx / n)·w, evaluated on the whole grid at once
    n = len(y)
    return np.mean(y ** 2) - 2 * w @ (x.T @ y / n) + np.einsum("...i,ij,...j->...", w, x.T @ x / n, w)


# ---- one dimension: a local and a global minimum -----------------------------------------------

def quartic(x):
    """f(x) = x⁴ − 4x² + x: a global minimum near x = −1.47 and a local one near x = 1.35."""
    return x ** 4 - 4 * x ** 2 + x


def quartic_minima():
    """(global, local) minimisers of ``quartic``: the outer roots of f'(x) = 4x³ − 8x + 1."""
    roots = np.sort(np.roots([4.0, 0.0, -8.0, 1.0]).real)
    return float(roots[0]), float(roots[2])


@dataclass
class Descent1D:
    """Iterates x_k and values f(x_k) of a one-dimensional descent (index 0 = the start)."""
    xs: np.ndarray
    fs: np.ndarray
    diverged: bool = False
    message: str = ""
    x = property(lambda self: float(self.xs[-1]), doc="Where it stopped.")


def descend_1d(f=quartic, x0=2.0, lr=0.01, steps=300):
    """Gradient descent x ← x − lr·f'(x) from x0 on a scalar function of a Tensor (backprop for f')."""
    x = Tensor(np.full(1, x0, dtype=np.float64), requires_grad=True)
    xs, fs, message = [float(x0)], [f(x).item()], ""
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, int(steps) + 1):
            x.zero_grad()
            f(x).backward()
            x.data -= lr * x.grad.data
            xs.append(x.data[0]), fs.append(f(x).item())
            if not math.isfinite(fs[-1]):
                message = f"descend_1d lr={lr:g} from x0={x0:g} diverged at step {step}; stopped"
                break
    return Descent1D(np.array(xs), np.array(fs), bool(message), message)
