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
