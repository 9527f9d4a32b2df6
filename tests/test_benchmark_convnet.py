"""The mnist-cnn benchmark workload: its NumPy scorer agrees with gradkit's predict, and its PyTorch layout
conversion round-trips (so every framework starts from, and is scored on, the same weights)."""
import numpy as np

from benchmarks.workloads import WORKLOADS  # first: it lists the module workloads (convnet imports it)
from benchmarks import convnet  # noqa: I001


def test_numpy_scorer_equals_gradkit_predict():
    from gradkit.recipes.mnist_cnn import convnet as build
    w = WORKLOADS["mnist-cnn"]
    weights = convnet.initial_weights(w, seed=1)
    model = build()
    model.set_weights(weights)
    x = np.random.default_rng(0).random((20, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(convnet.predict(weights, x), model.predict(x, verbose=0), rtol=1e-4, atol=1e-6)


def test_torch_dense_layout_round_trips():
    k = np.random.default_rng(0).random((1600, 10)).astype(np.float32)
    np.testing.assert_array_equal(convnet._dense_from_torch(convnet._dense_to_torch(k)), k)
    assert WORKLOADS["mnist-cnn"].module == "convnet"
