"""Numerical gradients by central differences (the course's way) and gradcheck against backprop."""
import time
from dataclasses import dataclass

import numpy as np

from . import backend as B
from .autograd import Tensor
from .errors import GradcheckError


def _value(y):
    return float(y.item() if isinstance(y, Tensor) else np.asarray(y).item())


def numerical_gradient(f, x, eps=1e-5):
    """d f(x) / dx by central differences over every element of x (array or Tensor, any shape).

    f is called as f(x) with one element of x moved by ±eps each time and must return a scalar;
    x is restored exactly afterwards. Costs 2·x.size calls of f. Use float64: in float32 the
    differences keep only a few significant digits.
    """
    arr = x.data if isinstance(x, Tensor) else x
    grad = B.xp.zeros(arr.shape, dtype=arr.dtype if arr.dtype.kind == "f" else B.floatx())
    for idx in np.ndindex(arr.shape):
        old = arr[idx].copy()
        arr[idx] = old + eps
        f_plus = _value(f(x))
        arr[idx] = old - eps
        f_minus = _value(f(x))
        arr[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


@dataclass
class GradcheckResult:
    """Worst errors between backprop and numerical gradients, and what each cost."""
    max_rel_error: float
    max_abs_error: float
    worst: str
    passed: bool
    backprop_seconds: float
    numerical_seconds: float
    function_calls: int

    def __bool__(self):
        return self.passed


def gradcheck(f, inputs, atol=1e-6, rtol=1e-5, eps=1e-6, floor=1e-6, raise_exception=False):
    """Compare backprop with central differences for every input that requires grad.

    f(*inputs) returns a Tensor; a non-scalar output is reduced by a fixed weighted sum so the
    whole Jacobian is exercised. Relative error is |a−n| / max(|a|, |n|, floor); an element passes
    when |a−n| ≤ atol + rtol·|n| (as numpy.allclose).
    """
    inputs = [x if isinstance(x, Tensor) else Tensor(x, requires_grad=True) for x in inputs]
    out = f(*inputs)
    proj = None
    if out.size != 1:
        # A fixed projection with distinct weights in [0.5, 1.5]: every output element counts, none vanishes.
        w = 1.0 + 0.5 * np.cos(np.arange(out.size) * 1.7).reshape(out.shape)
        proj = Tensor(B.xp.asarray(w, dtype=out.dtype))

    def scalar(*xs):
        y = f(*xs)
        return (y * proj).sum() if proj is not None else y.sum()

    for x in inputs:
        x.zero_grad()
    t0 = time.perf_counter()
    scalar(*inputs).backward()
    t_bp = time.perf_counter() - t0

    worst_rel, worst_abs, worst, passed, calls, t_num = 0.0, 0.0, "", True, 0, 0.0
    for k, x in enumerate(inputs):
        if not x.requires_grad:
            continue
        t0 = time.perf_counter()
        num = numerical_gradient(lambda _: scalar(*inputs), x, eps)
        t_num += time.perf_counter() - t0
        calls += 2 * x.size
        ana = x.grad.data if x.grad is not None else B.xp.zeros_like(x.data)
        diff = B.xp.abs(ana - num)
        rel = diff / B.xp.maximum(B.xp.maximum(B.xp.abs(ana), B.xp.abs(num)), floor)
        rel = B.xp.where(B.xp.isnan(rel), B.xp.inf, rel)  # a NaN gradient is the worst error, reported as such
        if rel.size and float(rel.max()) >= worst_rel:
            i = int(rel.argmax())
            worst_rel = float(rel.max())
            worst = (f"input {k} element {np.unravel_index(i, x.shape)}: backprop "
                     f"{float(ana.reshape(-1)[i]):.10g}, numerical {float(num.reshape(-1)[i]):.10g}")
        worst_abs = max(worst_abs, float(diff.max()) if diff.size else 0.0)
        passed &= bool((diff <= atol + rtol * B.xp.abs(num)).all())
    result = GradcheckResult(worst_rel, worst_abs, worst, passed, t_bp, t_num, calls)
    if raise_exception and not passed:
        raise GradcheckError(f"gradcheck failed: worst relative error {worst_rel:.3g} at {worst}")
    return result
