"""erf: SciPy's when installed, Python's math.erf per element otherwise; both exact in float64."""
import math
import sys

import numpy as np

from gradkit.autograd import array_ops as A

X = np.array([-3.0, -0.7, 0.0, 0.2, 1.5, 4.0])


def test_erf_with_and_without_scipy(monkeypatch):
    want = np.array([math.erf(v) for v in X])
    np.testing.assert_allclose(A._erf(X), want, rtol=1e-15, atol=1e-16)
    monkeypatch.setitem(sys.modules, "scipy.special", None)  # import fails: the math.erf path
    got = A._erf(X.astype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want.astype(np.float32), rtol=1e-7)
