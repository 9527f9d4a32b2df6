"""Embedding: lookups, gradients (repeated ids sum), id range errors."""
import numpy as np
import pytest

from gradkit import Tensor, layers
from gradkit.errors import DataError
from gradkit.gradcheck import gradcheck


def test_lookup_and_default_initializer():
    e = layers.Embedding(10, 3)
    ids = np.array([[1, 2, 1], [0, 9, 4]])
    y = e(ids)
    assert y.shape == (2, 3, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y.data[0, 0], e.embeddings.data[1])
    assert np.abs(e.embeddings.data).max() <= 0.05  # Keras's "uniform": RandomUniform(-0.05, 0.05)
    assert e.get_config()["embeddings_initializer"] == "random_uniform"
    assert e(layers.Input((7,))).shape == (None, 7, 3)


def test_gradcheck_and_repeated_ids(float64):
    e = layers.Embedding(5, 2)
    ids = np.array([[1, 1, 3]])
    e(ids)
    res = gradcheck(lambda w: e(ids), [e.embeddings])
    assert res.max_rel_error < 1e-6
    e.embeddings.zero_grad()
    e(ids).sum().backward()
    np.testing.assert_array_equal(e.embeddings.grad.data[:, 0], [0, 2, 0, 1, 0])


def test_float_ids_and_out_of_range():
    e = layers.Embedding(4, 2)
    assert e(np.array([[0.0, 3.0]])).shape == (1, 2, 2)
    with pytest.raises(DataError, match=r"\[0, 4\)"):
        e(np.array([[4]]))
    with pytest.raises(DataError, match=r"from -1 to -1"):
        e(np.array([[-1]]))
    with pytest.raises(DataError, match="non-integer values such as 1.5"):
        e(np.array([[1.5]]))
