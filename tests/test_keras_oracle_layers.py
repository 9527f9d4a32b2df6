"""Custom layers, regularizers, constraints and functional graphs against real Keras 3 (skipped without it):
the same weights and data give the same numbers."""
import numpy as np
import pytest

import gradkit as gk

keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
R = np.random.default_rng(21)


def _mlp_block(lib):
    class Linear(lib.layers.Layer):
        def __init__(self, units):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):
            return lib.ops.matmul(inputs, self.w) + self.b

    class MLPBlock(lib.layers.Layer):
        def __init__(self):
            super().__init__()
            self.linear_1, self.linear_2, self.linear_3 = Linear(8), Linear(8), Linear(1)

        def call(self, inputs):
            x = lib.ops.relu(self.linear_1(inputs))
            return self.linear_3(lib.ops.relu(self.linear_2(x)))
    return MLPBlock()


def test_mlp_block_weights_and_outputs_equal_keras():
    ours, theirs = _mlp_block(gk), _mlp_block(keras)
    x = R.standard_normal((4, 5)).astype(np.float32)
    ours(x), theirs(x)
    assert len(ours.weights) == len(theirs.weights) == 6
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x).numpy(), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)


def _regularized(lib):
    model = lib.Sequential([lib.Input((3,)),
                            lib.layers.Dense(4, activation="relu", kernel_regularizer=lib.regularizers.L2(0.05),
                                             bias_regularizer=lib.regularizers.L1(0.02),
                                             activity_regularizer=lib.regularizers.L1L2(0.01, 0.03),
                                             kernel_constraint=lib.constraints.MaxNorm(0.8)),
                            lib.layers.Dense(1, kernel_constraint="non_neg")])
    model.compile(lib.optimizers.SGD(0.05), "mse")
    return model


def test_regularized_constrained_fit_equals_keras():
    ours, theirs = _regularized(gk), _regularized(keras)
    ours.set_weights(theirs.get_weights())
    x = R.standard_normal((32, 3)).astype(np.float32)
    y = R.standard_normal((32, 1)).astype(np.float32)
    theirs(x)
    ours(x)
    np.testing.assert_allclose([float(l) for l in ours.losses], [float(l) for l in theirs.losses], rtol=1e-5)
    h1 = ours.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history["loss"]
    h2 = theirs.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h1, h2, rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def _residual(lib):
    inputs = lib.Input((4,))
    x = lib.layers.Dense(4, activation="relu")(inputs)
    r = x
    x = lib.layers.Dense(4)(x)
    x += r
    x = lib.ops.concatenate([x * 0.5, lib.ops.square(inputs)], axis=-1)
    return lib.Model(inputs, lib.ops.mean(x, axis=-1, keepdims=True) - 1.0)


def test_functional_ops_on_keras_tensors_equal_keras():
    ours, theirs = _residual(gk), _residual(keras)
    ours.set_weights(theirs.get_weights())
    x = R.standard_normal((6, 4)).astype(np.float32)
    assert ours.output_shape == theirs.output_shape
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_config_keys_equal_keras():
    ours = gk.layers.Dense(3, kernel_regularizer="l2").get_config()
    theirs = keras.layers.Dense(3, kernel_regularizer="l2").get_config()
    assert set(ours) == set(theirs)
    assert ours["kernel_regularizer"]["config"] == pytest.approx(theirs["kernel_regularizer"]["config"])
    assert set(gk.layers.InputLayer(shape=(3,)).get_config()) == set(keras.layers.InputLayer(shape=(3,)).get_config())
    s_ours = gk.Sequential([gk.Input((4,)), gk.layers.Dense(2)]).get_config()
    s_theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]).get_config()
    assert set(s_ours) == set(s_theirs) and list(s_ours["build_input_shape"]) == list(s_theirs["build_input_shape"])
