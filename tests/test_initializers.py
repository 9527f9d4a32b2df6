"""Initializers: Keras names and defaults, the right distributions, all draws from backend.rng()."""
import math

import numpy as np
import pytest

from gradkit import backend, initializers
from gradkit.errors import ConfigError

SHAPE = (400, 300)


@pytest.mark.parametrize("name,cls", [
    ("zeros", initializers.Zeros), ("ones", initializers.Ones), ("constant", initializers.Constant),
    ("random_normal", initializers.RandomNormal), ("random_uniform", initializers.RandomUniform),
    ("glorot_uniform", initializers.GlorotUniform), ("glorot_normal", initializers.GlorotNormal),
    ("he_normal", initializers.HeNormal), ("he_uniform", initializers.HeUniform), ("uniform", initializers.RandomUniform),
])
def test_names(name, cls):
    init = initializers.get(name)
    assert type(init) is cls
    out = init(SHAPE)
    assert out.shape == SHAPE and out.dtype == np.float32
    assert initializers.get(initializers.serialize(init)).get_config() == init.get_config()


@pytest.mark.parametrize("init,low,high,std", [
    (initializers.RandomUniform(), -0.05, 0.05, 0.1 / math.sqrt(12)),
    (initializers.RandomNormal(), None, None, 0.05),
    (initializers.GlorotUniform(), -math.sqrt(6 / 700), math.sqrt(6 / 700), math.sqrt(2 / 700)),
    (initializers.GlorotNormal(), -2 * math.sqrt(2 / 700) / 0.8796, 2 * math.sqrt(2 / 700) / 0.8796,
     math.sqrt(2 / 700)),
    (initializers.HeNormal(), -2 * math.sqrt(2 / 400) / 0.8796, 2 * math.sqrt(2 / 400) / 0.8796, math.sqrt(2 / 400)),
    (initializers.HeUniform(), -math.sqrt(6 / 400), math.sqrt(6 / 400), math.sqrt(2 / 400)),
])
def test_distributions(init, low, high, std):
    out = init(SHAPE, dtype="float64")
    assert out.dtype == np.float64
    if low is not None:
        assert out.min() >= low - 1e-12 and out.max() <= high + 1e-12
    assert out.std() == pytest.approx(std, rel=0.02)
    assert abs(out.mean()) < 0.01 * max(std, 0.05) * 10


def test_constant_and_ones():
    np.testing.assert_array_equal(initializers.Constant(3.5)((2, 2)), 3.5)
    np.testing.assert_array_equal(initializers.get("ones")((3,)), 1)
    assert initializers.serialize(initializers.Constant(2.0)) == {"class_name": "Constant", "config": {"value": 2.0}}


def test_seeded_by_backend():
    backend.set_seed(5)
    a = initializers.get("glorot_uniform")((4, 3))
    backend.set_seed(5)
    b = initializers.get("glorot_uniform")((4, 3))
    np.testing.assert_array_equal(a, b)


def test_fans():
    assert initializers.compute_fans((5, 7)) == (5, 7)
    assert initializers.compute_fans((3, 3, 4, 8)) == (36, 72)
    assert initializers.compute_fans((6,)) == (6, 6)


def test_unknown():
    with pytest.raises(ConfigError, match="glorot_uniform"):
        initializers.get("glorot")
