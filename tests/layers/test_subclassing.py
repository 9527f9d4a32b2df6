"""Custom layers the way keras.io's "Making new layers and models via subclassing" guide writes them
(our own code in its style), with numbers checked by hand and, where deterministic, against real Keras."""
import numpy as np
import pytest

import gradkit as keras
from gradkit import layers, ops
from gradkit.errors import ConfigError

R = np.random.default_rng(3)


class Linear(keras.layers.Layer):
    """Weights created in __init__ with add_weight(shape=..., initializer=..., trainable=...), no name."""

    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):  # no training argument
        return ops.matmul(inputs, self.w) + self.b


class LazyLinear(keras.layers.Layer):
    """Weights created in build(input_shape)."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class MLPBlock(keras.layers.Layer):
    """Layers assigned as attributes: their weights are the block's."""

    def __init__(self):
        super().__init__()
        self.linear_1 = LazyLinear(32)
        self.linear_2 = LazyLinear(32)
        self.linear_3 = LazyLinear(1)

    def call(self, inputs):
        x = ops.relu(self.linear_1(inputs))
        x = ops.relu(self.linear_2(x))
        return self.linear_3(x)


def test_layer_with_weights_in_init_and_no_training_argument():
    x = np.ones((2, 2), np.float32)
    layer = Linear(4, 2)
    y = layer(x)
    np.testing.assert_allclose(y.numpy(), x @ layer.w.numpy() + layer.b.numpy(), rtol=1e-6)
    assert [w.shape for w in layer.weights] == [(2, 4), (4,)] and len(layer.trainable_weights) == 2
    assert layer.w.name == f"{layer.name}/variable" and layer.b.name == f"{layer.name}/variable_1"


def test_mlp_block_tracks_the_weights_of_its_attribute_layers_and_trains():
    block = MLPBlock()
    y = block(np.ones((3, 64), np.float32))
    assert y.shape == (3, 1)
    assert len(block.weights) == 6 and len(block.trainable_weights) == 6  # Keras: 6 (was 0 before tracking)
    assert [tuple(w.shape) for w in block.weights] == [(64, 32), (32,), (32, 32), (32,), (32, 1), (1,)]
    inputs = keras.Input((64,))
    model = keras.Model(inputs, block(inputs))
    assert model.count_params() == 64 * 32 + 32 + 32 * 32 + 32 + 33
    x = R.standard_normal((64, 64)).astype(np.float32)
    t = x[:, :1] * 0.5
    model.compile("adam", "mse")
    before = [w.copy() for w in block.get_weights()]
    hist = model.fit(x, t, epochs=5, batch_size=16, verbose=0).history["loss"]
    assert hist[-1] < hist[0]
    assert all(not np.array_equal(a, b) for a, b in zip(before, block.get_weights()))


def test_lists_and_dicts_of_layers_are_tracked_and_trainable_propagates():
    class Stack(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(3), layers.Dense(2)]
            self.heads = {"a": layers.Dense(1)}

        def call(self, x):
            for b in self.blocks:
                x = b(x)
            return self.heads["a"](x)

    s = Stack()
    s(np.ones((1, 4)))
    assert len(s.weights) == 6
    s.trainable = False
    assert s.trainable_weights == [] and len(s.non_trainable_weights) == 6 and not s.blocks[0].trainable
    s.trainable = True
    assert len(s.trainable_weights) == 6


class ComputeSum(keras.layers.Layer):
    """A non-trainable state weight updated with assign_add in call."""

    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


def test_non_trainable_state_and_assign_add():
    layer = ComputeSum(2)
    x = np.ones((2, 2), np.float32)
    layer(x)
    np.testing.assert_array_equal(layer(x).numpy(), [4.0, 4.0])
    assert len(layer.weights) == 1 and layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1


def test_variable_like_keras():
    v = keras.Variable(np.array([[1.0, 2.0]]), name="v")
    assert v.dtype == np.float32 and v.trainable and v.name == "v"
    v.assign([[3.0, 4.0]])
    v.assign_sub(np.array([[1.0, 1.0]]))
    v.assign_add(0.5)
    np.testing.assert_array_equal(v.numpy(), [[2.5, 3.5]])
    np.testing.assert_array_equal((v * 2 + 1).numpy(), [[6.0, 8.0]])
    w = keras.Variable(initializer="ones", shape=(2, 3), trainable=False)
    assert w.numpy().sum() == 6 and not w.requires_grad
    loss = ops.sum(v * v)
    loss.backward()
    np.testing.assert_array_equal(v.grad.numpy(), [[5.0, 7.0]])


def test_add_weight_signature_and_defaults():
    layer = keras.Layer()
    w = layer.add_weight(shape=(3, 2))  # default initializer glorot_uniform for floats, as Keras
    limit = np.sqrt(6 / 5)
    assert w.dtype == np.float32 and np.abs(w.numpy()).max() <= limit and np.abs(w.numpy()).std() > 0
    i = layer.add_weight(shape=(2,), dtype="int32")
    assert i.dtype == np.int32 and i.numpy().tolist() == [0, 0] and not i.requires_grad
    s = layer.add_weight()  # shape () by default
    assert s.shape == ()
    k = layer.add_weight((2, 2), "ones")  # positional shape, initializer
    assert k.numpy().sum() == 4
    with pytest.raises(ConfigError, match="at most 3 positional"):
        layer.add_weight((1,), "ones", "float32", True)


class CustomDropout(keras.layers.Layer):
    """call(inputs, training=None): training is True in fit, False in predict, as Keras passes it."""
    seen = []

    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs, training=None):
        CustomDropout.seen.append(training)
        return inputs


def test_training_is_passed_only_to_calls_that_take_it():
    model = keras.Sequential([keras.Input((2,)), Linear(2, 2), CustomDropout(0.5), layers.Dense(1)])
    x, y = np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)
    model.compile("sgd", "mse", jit_compile=False)
    CustomDropout.seen.clear()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert CustomDropout.seen and set(CustomDropout.seen) == {True}
    CustomDropout.seen.clear()
    model.predict(x, verbose=0)
    assert set(CustomDropout.seen) == {False}
    CustomDropout.seen.clear()
    CustomDropout(0.1)(x)
    assert CustomDropout.seen == [None]  # no outer call, no training given: call's own default


def test_training_flag_reaches_nested_layers_through_an_outer_call():
    class Outer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = CustomDropout(0.5)

        def call(self, x):  # passes nothing on: the inner layer inherits the outer training value
            return self.inner(x)

    CustomDropout.seen.clear()
    Outer()(np.ones((1, 2)), training=True)
    assert CustomDropout.seen == [True]


def test_several_positional_tensors_and_keyword_arguments():
    class Scale(keras.layers.Layer):
        def call(self, a, b, scale=1.0):
            return (a + b) * scale

    a, b = np.ones((2, 3), np.float32), np.full((2, 3), 2.0, np.float32)
    np.testing.assert_array_equal(Scale()(a, b, scale=2.0).numpy(), np.full((2, 3), 6.0))
    x1, x2 = keras.Input((3,)), keras.Input((3,))
    out = Scale()(x1, b=x2, scale=0.5)
    assert out.shape == (None, 3)
    model = keras.Model([x1, x2], out)
    np.testing.assert_array_equal(model.predict([a, b], verbose=0), np.full((2, 3), 1.5))


def test_float64_numpy_input_computes_in_floatx():
    y = Linear(2, 2)(np.ones((1, 2), np.float64))
    assert y.dtype == np.float32
    assert LazyLinear(2)(np.ones((1, 2))).dtype == np.float32


def test_custom_layer_config_round_trip_with_custom_objects(tmp_path):
    inputs = keras.Input((4,))
    outputs = LazyLinear(3)(inputs)
    model = keras.Model(inputs, outputs)
    with pytest.raises(ConfigError, match="custom_objects"):
        keras.Model.from_config(model.get_config())
    again = keras.Model.from_config(model.get_config(), custom_objects={"LazyLinear": LazyLinear})
    again.set_weights(model.get_weights())
    x = R.standard_normal((2, 4)).astype(np.float32)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"LazyLinear": LazyLinear})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_count_params_on_an_unbuilt_layer_or_model_raises():
    with pytest.raises(ConfigError, match="isn't built"):
        LazyLinear(2).count_params()
    with pytest.raises(ValueError, match="isn't built"):
        keras.Sequential([layers.Dense(2)]).count_params()
