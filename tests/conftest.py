"""Shared fixtures: float64 where gradients are checked, a fixed library seed for every test."""
import os
import sys

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from gradkit import backend  # noqa: E402

try:  # every hypothesis test draws the same examples on every run: the suite cannot turn red by chance
    from hypothesis import settings
    settings.register_profile("gradkit", derandomize=True, deadline=None)
    settings.load_profile("gradkit")
except ImportError:
    pass


@pytest.fixture(autouse=True)
def _seed_and_floatx():
    backend.set_seed(1234)
    prev = backend.floatx()
    yield
    backend.set_floatx(prev)
    real_keras = sys.modules.get("keras")  # a Keras-oracle test may change real Keras's floatx: reset it too
    if real_keras is not None and hasattr(real_keras, "config"):
        real_keras.config.set_floatx("float32")


@pytest.fixture
def float64():
    """Run the test with floatx float64."""
    backend.set_floatx("float64")
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def datasets_dir():
    """The local dataset mirror named by GRADKIT_DATA, or None."""
    d = os.environ.get("GRADKIT_DATA")
    return d if d and os.path.isdir(d) else None


@pytest.fixture
def offline_data(tmp_path, monkeypatch):
    """No downloads, a private dataset cache, and no mirror unless the test puts it back."""
    monkeypatch.setenv("GRADKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GRADKIT_OFFLINE", "1")
    monkeypatch.delenv("GRADKIT_DATA", raising=False)
