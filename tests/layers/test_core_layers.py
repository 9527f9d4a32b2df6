"""Dense, Activation, Dropout, Flatten, InputLayer/Input: values, gradchecks, shapes, errors, configs."""
import numpy as np
import pytest
import scipy.sparse as sp

from gradkit import Tensor, backend, layers
from gradkit.errors import ConfigError, ShapeError
from gradkit.gradcheck import gradcheck

R = np.random.default_rng(11)


def layer_gradcheck(layer, x, training=False):
    """Gradcheck a layer's output w.r.t. its input and every trainable weight."""
    x = Tensor(x, requires_grad=True)
    layer(x)  # build
    res = gradcheck(lambda x_, *_: layer(x_, training=training), [x, *layer.trainable_weights])
    assert res.max_rel_error < 1e-6, res.worst


@pytest.mark.parametrize("activation", [None, "sigmoid", "tanh", "softmax", "relu"])
def test_dense_gradcheck(float64, activation):
    layer_gradcheck(layers.Dense(3, activation=activation, bias_initializer="random_normal"),
                    R.standard_normal((5, 4)) + 0.01)


def test_dense_values_and_attributes():
    d = layers.Dense(2, activation="relu", kernel_initializer="ones", bias_initializer=layers_const(0.5))
    y = d(np.array([[1.0, -2.0, 0.5]], np.float32))
    np.testing.assert_allclose(y.data, [[0.0, 0.0]])
    assert d.kernel.shape == (3, 2) and d.bias.shape == (2,) and d.units == 2
    assert d.kernel.name == f"{d.name}/kernel" and d.activation.__name__ == "relu"
    np.testing.assert_allclose(d.preactivation(np.array([[1.0, 1.0, 1.0]])).data, [[3.5, 3.5]])
    kernel, bias = d.get_weights()
    assert kernel.dtype == np.float32 and bias.tolist() == [0.5, 0.5]
    assert d.count_params() == 8


def layers_const(v):
    from gradkit.initializers import Constant
    return Constant(v)


def test_dense_float32_end_to_end():
    d = layers.Dense(4, activation="sigmoid")
    x = Tensor(R.standard_normal((3, 5)).astype(np.float32))
    y = d(x)
    y.sum().backward()
    assert y.dtype == np.float32 and d.kernel.grad.dtype == np.float32 and d.bias.grad.dtype == np.float32


def test_dense_no_bias_and_nd_input(float64):
    d = layers.Dense(2, use_bias=False)
    assert d(np.ones((4, 3, 5))).shape == (4, 3, 2) and d.bias is None and len(d.weights) == 1
    layer_gradcheck(layers.Dense(2), R.standard_normal((2, 3, 4)))


def test_dense_shape_error_names_layer_and_shapes():
    d = layers.Dense(1, input_shape=(13,), name="dense_1")
    d.build((None, 13))
    d.built = True
    with pytest.raises(ShapeError, match=r"layer 'dense_1' expects inputs with 13 features, got 12 "
                                         r"\(x has shape \(404, 12\)\)\."):
        d(np.zeros((404, 12), np.float32))
    with pytest.raises(ShapeError, match="dense_1"):
        d(layers.Input((12,)))


def test_dense_sparse_input(float64):
    x = (R.random((6, 10)) < 0.2).astype(np.float64)
    d = layers.Dense(3)
    y_sparse = d(sp.csr_matrix(x))
    np.testing.assert_allclose(y_sparse.data, d(x).data, rtol=1e-12)
    res = gradcheck(lambda *_: d(sp.csr_matrix(x)), d.trainable_weights)
    assert res.max_rel_error < 1e-6


def test_dense_config_round_trip():
    d = layers.Dense(5, activation="tanh", use_bias=False, kernel_initializer="he_normal", input_shape=(3,))
    cfg = d.get_config()
    assert cfg["activation"] == "tanh" and cfg["kernel_initializer"] == "he_normal" and cfg["input_shape"] == [3]
    again = layers.Dense.from_config({**cfg, "name": "copy"})
    assert again.units == 5 and again.activation.__name__ == "tanh" and not again.use_bias


def test_dense_bad_arguments():
    with pytest.raises(ConfigError, match="units"):
        layers.Dense(0)
    with pytest.raises(ConfigError, match="relu"):
        layers.Dense(2, activation="rellu")
    with pytest.raises(ConfigError, match="unknown argument"):
        layers.Dense(2, activaton="relu")


def test_activation_layer(float64):
    a = layers.Activation("softmax")
    x = R.standard_normal((3, 4))
    np.testing.assert_allclose(a(x).data.sum(-1), 1.0)
    assert a.preactivation(x).data is not None and a.get_config()["activation"] == "softmax"
    layer_gradcheck(layers.Activation("tanh"), x)


def test_dropout_only_in_training(float64):
    d = layers.Dropout(0.5)
    x = np.ones((100, 20))
    assert d(x).data is not None and np.array_equal(d(x).data, x)
    y = d(x, training=True).data
    assert set(np.unique(y)) == {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6
    backend.set_seed(1)
    a = d(x, training=True).data
    backend.set_seed(1)
    np.testing.assert_array_equal(a, d(x, training=True).data)
    with pytest.raises(ConfigError):
        layers.Dropout(1.0)


def test_dropout_gradcheck(float64):
    d = layers.Dropout(0.3)
    x = Tensor(R.standard_normal((4, 5)), requires_grad=True)
    backend.set_seed(3)
    y = d(x, training=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, (y.data != 0) / 0.7)


def test_flatten(float64):
    f = layers.Flatten()
    assert f(np.zeros((2, 3, 4))).shape == (2, 12)
    assert f(layers.Input((3, 4))).shape == (None, 12)
    layer_gradcheck(f, R.standard_normal((2, 3, 2)))


def test_input():
    x = layers.Input(shape=(4,), name="features")
    assert x.shape == (None, 4) and x.name == "features" and isinstance(x.layer, layers.InputLayer)
    assert layers.Input((4,), batch_size=8).shape == (8, 4)
    y = layers.Dense(3, activation="relu")(x)
    assert y.shape == (None, 3) and y.inputs == [x]
    assert layers.InputLayer(shape=(4,)).get_config()["batch_shape"] == [None, 4]


def test_dense_casts_constant_inputs_to_its_dtype():
    d = layers.Dense(2)
    assert d(np.ones((3, 4), np.float64)).dtype == np.float32
    assert d(np.ones((3, 4), np.uint8)).dtype == np.float32
    assert d(sp.csr_matrix(np.ones((3, 4)))).dtype == np.float32
