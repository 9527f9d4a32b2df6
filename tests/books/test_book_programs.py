"""Every program of tests/books/programs.py runs unchanged under gradkit; where deterministic it gives real Keras 3's
numbers from the same initial weights (the Keras half is skipped where tensorflow is not installed)."""
import numpy as np
import pytest

import gradkit

from .programs import PROGRAMS, Ctx


def _marked(name):
    """The program's name, xfail (not strict) while it needs a feature gradkit lacks."""
    needs = PROGRAMS[name]["needs"]
    marks = [pytest.mark.xfail(strict=False, reason=f"needs {needs}")] if needs else []
    return pytest.param(name, marks=marks, id=name)


NAMES = [_marked(name) for name in PROGRAMS]


def _numbers(value):
    """Every number in a (nested) result, flattened; None where the value holds text."""
    try:
        return np.asarray(value, dtype="float64").ravel()
    except (TypeError, ValueError):
        return None


def assert_same(keras_value, gradkit_value, key, atol=2e-5):
    """Equal shapes and numbers (float32 round-off allowed), or equal values where they are not numbers."""
    k, g = _numbers(keras_value), _numbers(gradkit_value)
    if k is None or g is None:
        assert gradkit_value == keras_value, key
        return
    assert np.asarray(gradkit_value).shape == np.asarray(keras_value).shape, key
    np.testing.assert_allclose(g, k, rtol=2e-3, atol=atol, err_msg=key)


@pytest.mark.parametrize("name", NAMES)
def test_program_runs_under_gradkit(name, tmp_path):
    result = PROGRAMS[name]["fn"](gradkit, Ctx(tmp_path))
    assert set(PROGRAMS[name]["compare"]) <= set(result)
    for key, value in result.items():
        numbers = _numbers(value)
        assert numbers is None or np.isfinite(numbers).all(), key


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_program_matches_keras(name, tmp_path):
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow", reason="real Keras needs tensorflow-cpu")
    keras.utils.set_random_seed(0)
    (tmp_path / "k").mkdir()
    (tmp_path / "g").mkdir()
    ctx = Ctx(tmp_path / "k")
    expected = PROGRAMS[name]["fn"](keras, ctx)
    got = PROGRAMS[name]["fn"](gradkit, Ctx(tmp_path / "g", weights=ctx.weights))
    for key in PROGRAMS[name]["compare"]:
        assert_same(expected[key], got[key], f"{name}: {key}", PROGRAMS[name]["atol"].get(key, 2e-5))


def test_the_programs_cover_the_books():
    """The count the compatibility page reports: 37 programs, from each of the sources the issue names."""
    sources = " ".join(p["source"] for p in PROGRAMS.values())
    assert len(PROGRAMS) == 37
    for book in ("DLwP 1st ed.", "DLwP 2nd ed.", "DLwP 3rd ed.", "RNN guide", "masking guide", "addition_rnn",
                 "siamese", "autoencoder", "timeseries_classification"):
        assert book in sources
