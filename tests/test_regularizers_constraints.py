"""keras.regularizers and keras.constraints on Dense; Layer.add_loss and layer.losses with Keras's semantics;
the trainer adds sum(model.losses) to the loss and projects constrained weights after each update."""
import numpy as np
import pytest

import gradkit as keras
from gradkit import constraints, layers, ops, regularizers
from gradkit.errors import ConfigError

R = np.random.default_rng(11)


def test_regularizers_by_name_and_value(float64):
    w = np.array([[1.0, -2.0], [3.0, 0.5]])
    assert regularizers.get("l1")(w).item() == pytest.approx(0.01 * 6.5)
    assert regularizers.get("l2")(w).item() == pytest.approx(0.01 * 14.25)
    assert regularizers.L1L2(l1=0.1, l2=0.2)(w).item() == pytest.approx(0.1 * 6.5 + 0.2 * 14.25)
    assert regularizers.l2(0.5)(w).item() == pytest.approx(7.125)
    assert regularizers.get(regularizers.serialize(regularizers.L1L2(0.1, 0.2))).get_config() == {"l1": 0.1, "l2": 0.2}
    with pytest.raises(ConfigError, match="unknown regularizer 'l3'"):
        regularizers.get("l3")
    with pytest.raises(ConfigError, match="non-negative"):
        regularizers.L2(-1)


def test_dense_regularizer_losses_are_hand_computed_values(float64):
    layer = layers.Dense(2, kernel_regularizer=regularizers.L2(0.1), bias_regularizer="l1",
                         activity_regularizer=regularizers.L1(0.5), bias_initializer="ones")
    x = R.standard_normal((4, 3))
    y = layer(x).numpy()
    k = layer.kernel.numpy()
    want = [0.5 * np.abs(y).sum() / 4, 0.1 * (k ** 2).sum(), 0.01 * 2.0]  # activity per sample, as Keras
    np.testing.assert_allclose([l.item() for l in layer.losses], want, rtol=1e-12)
    layer(x[:2])  # losses of the last call only: the activity loss is fresh per forward call
    assert len(layer.losses) == 3
    assert layer.losses[0].item() == pytest.approx(0.5 * np.abs(layer(x[:2]).numpy()).sum() / 2)


class ActivityRegularization(keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(inputs))
        return inputs


class OuterLayer(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.activity_reg = ActivityRegularization(1e-2)
        self.dense = layers.Dense(32, kernel_regularizer=regularizers.l2(1e-3))

    def call(self, inputs):
        return self.dense(self.activity_reg(inputs))


def test_add_loss_losses_of_sublayers_reset_per_call(float64):
    layer = OuterLayer()
    assert layer.losses == []
    layer(np.zeros((1, 1)))
    layer(np.ones((1, 1)))
    losses = layer.losses
    assert len(losses) == 2  # not accumulated over the two calls
    assert losses[0].item() == pytest.approx(1e-2)
    assert losses[1].item() == pytest.approx(1e-3 * (layer.dense.kernel.numpy() ** 2).sum())


def test_fit_minimises_loss_plus_model_losses(float64):
    """One SGD step on a model with an L2 kernel penalty equals the hand-derived step."""
    x = R.standard_normal((8, 3))
    y = R.standard_normal((8, 1))
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_regularizer=regularizers.L2(0.3))])
    k0, b0 = (w.copy() for w in model.get_weights())
    model.compile(keras.optimizers.SGD(0.1), "mse")
    loss = model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False).history["loss"][0]
    err = x @ k0 + b0 - y
    assert loss == pytest.approx((err ** 2).mean() + 0.3 * (k0 ** 2).sum())
    gk = 2 * x.T @ err / 8 + 2 * 0.3 * k0
    np.testing.assert_allclose(model.get_weights()[0], k0 - 0.1 * gk, rtol=1e-10)
    assert len(model.losses) == 1


def test_evaluate_adds_model_losses_as_keras(float64):
    """Keras's evaluate (and fit's validation) report the loss plus sum(model.losses), as training does."""
    x, y = R.standard_normal((10, 3)), R.standard_normal((10, 1))
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_regularizer=regularizers.L2(0.3))])
    model.compile("sgd", "mse")
    k, b = model.get_weights()
    expected = ((x @ k + b - y) ** 2).mean() + 0.3 * (k ** 2).sum()
    assert model.evaluate(x, y, batch_size=4, verbose=0) == pytest.approx(expected)
    h = model.fit(x, y, epochs=1, batch_size=10, validation_data=(x, y), verbose=0, shuffle=False).history
    k, b = model.get_weights()
    assert h["val_loss"][0] == pytest.approx(((x @ k + b - y) ** 2).mean() + 0.3 * (k ** 2).sum())


def test_evaluate_with_regularizer_matches_real_keras():
    import os
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    pytest.importorskip("tensorflow")
    real = pytest.importorskip("keras")
    x, y = R.standard_normal((10, 3)).astype("float32"), R.standard_normal((10, 1)).astype("float32")

    def build(lib):
        return lib.Sequential([lib.Input((3,)), lib.layers.Dense(2, kernel_regularizer="l2",
                                                                 activity_regularizer=lib.regularizers.L1(0.1)),
                               lib.layers.Dense(1)])
    km, gm = build(real), build(keras)
    gm.set_weights(km.get_weights())
    km.compile("sgd", "mse")
    gm.compile("sgd", "mse")
    assert gm.evaluate(x, y, batch_size=4, verbose=0) == pytest.approx(km.evaluate(x, y, batch_size=4, verbose=0),
                                                                        rel=1e-5)


@pytest.mark.parametrize("jit", [False, "auto"])
def test_add_loss_is_trained_in_eager_and_compiled_steps(float64, jit):
    inputs = keras.Input((2,))
    h = ActivityRegularization(10.0)(inputs)
    model = keras.Model(inputs, layers.Dense(1, use_bias=False, kernel_initializer="ones")(h))
    x = np.ones((4, 2))
    model.compile(keras.optimizers.SGD(0.1), "mse", jit_compile=jit)
    hist = model.fit(x, np.zeros((4, 1)), batch_size=4, epochs=3, verbose=0).history["loss"]
    # loss = mean((x·k)²) + 10·mean(x) = 4 + 10 on the first step
    assert hist[0] == pytest.approx(14.0)


def test_constraints_values(float64):
    w = np.array([[3.0, 0.3], [4.0, -0.4]])
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(w), [[1.2, 0.3], [1.6, -0.4]], rtol=1e-6)
    np.testing.assert_allclose(constraints.UnitNorm()(w), [[0.6, 0.6], [0.8, -0.8]], rtol=1e-6)
    np.testing.assert_array_equal(constraints.NonNeg()(w), [[3.0, 0.3], [4.0, 0.0]])
    np.testing.assert_allclose(constraints.MinMaxNorm(1.0, 2.0)(w), [[1.2, 0.6], [1.6, -0.8]], rtol=1e-6)
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    with pytest.raises(ConfigError, match="unknown constraint"):
        constraints.get("maxnorm2")


@pytest.mark.parametrize("jit", [False, "auto"])
def test_constraints_apply_after_each_update(float64, jit):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, kernel_constraint="non_neg",
                                                                bias_constraint=constraints.MaxNorm(0.01))])
    model.compile(keras.optimizers.SGD(1.0), "mse", jit_compile=jit)
    x = R.standard_normal((16, 3))
    model.fit(x, -10 + x[:, :1] * np.ones((1, 4)), batch_size=4, epochs=2, verbose=0)
    k, b = model.get_weights()
    assert (k >= 0).all() and np.abs(b).max() <= 0.01 + 1e-12 and (k == 0).any()


def test_dense_config_has_keras_keys_and_round_trips():
    layer = layers.Dense(3, kernel_regularizer="l2", kernel_constraint="max_norm", activity_regularizer="l1")
    cfg = layer.get_config()
    for key in ["name", "trainable", "dtype", "units", "activation", "use_bias", "kernel_initializer",
                "bias_initializer", "kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint"]:
        assert key in cfg, key
    assert cfg["dtype"] == {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                            "registered_name": None}
    assert cfg["kernel_regularizer"]["class_name"] == "L2" and cfg["kernel_regularizer"]["config"] == {"l2": 0.01}
    assert cfg["kernel_constraint"]["config"] == {"max_value": 2, "axis": 0} and cfg["bias_regularizer"] is None
    again = layers.Dense.from_config(cfg)
    assert isinstance(again.kernel_regularizer, regularizers.L2) and isinstance(again.kernel_constraint,
                                                                                 constraints.MaxNorm)
    assert isinstance(again.activity_regularizer, regularizers.L1)


def test_regularized_model_saves_and_loads(tmp_path, float64):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, kernel_regularizer=regularizers.L2(0.2))])
    model.save(tmp_path / "r.keras")
    loaded = keras.models.load_model(tmp_path / "r.keras")
    assert loaded.layers[0].kernel_regularizer.l2 == 0.2
    assert loaded.losses[0].item() == pytest.approx(model.losses[0].item())
