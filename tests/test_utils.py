"""gradkit.utils: Keras's names for seeding, to_categorical and pad_sequences."""
import numpy as np

from gradkit import backend, preprocessing, utils


def test_keras_names_live_under_utils():
    assert utils.to_categorical is preprocessing.to_categorical
    assert utils.pad_sequences is preprocessing.pad_sequences
    assert utils.to_categorical([1, 0]).tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_set_random_seed_repeats_draws():
    utils.set_random_seed(7)
    a = backend.rng().random(3)
    utils.set_random_seed(7)
    assert np.array_equal(backend.rng().random(3), a)


def test_set_random_seed_repeats_numpy_and_python_random_data():
    import random

    import pytest

    from gradkit.errors import ConfigError
    utils.set_random_seed(42)
    first = (np.random.rand(5), np.random.randint(0, 100, 3), random.random(), backend.rng().random())
    utils.set_random_seed(42)
    second = (np.random.rand(5), np.random.randint(0, 100, 3), random.random(), backend.rng().random())
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    utils.set_random_seed(43)
    assert not np.array_equal(np.random.rand(5), first[0])
    with pytest.raises(ConfigError, match="seed must be an integer, got 1.5"):
        utils.set_random_seed(1.5)
