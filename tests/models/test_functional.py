"""Functional Model: DAGs with several inputs and outputs, shared layers, config round trip."""
import numpy as np
import pytest

from gradkit import backend, optimizers
from gradkit.errors import ConfigError, DataError
from gradkit.layers import Add, Concatenate, Dense, Input
from gradkit.models import Model, Sequential


def test_two_inputs_two_outputs_train_and_predict(float64):
    a, b = Input((3,), name="a"), Input((2,), name="b")
    h = Concatenate()([Dense(4, activation="tanh")(a), b])
    out1 = Dense(1, name="reg")(h)
    out2 = Dense(3, activation="softmax", name="cls")(h)
    model = Model([a, b], [out1, out2])
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))
    y1, y2 = rng.normal(size=(40, 1)), rng.integers(0, 3, size=40)
    model.compile(optimizers.SGD(0.05), ["mse", "sparse_categorical_crossentropy"], metrics=["accuracy"])
    assert model._num_outputs() == 2
    h = model.fit([xa, xb], [y1, y2], epochs=3, batch_size=8, verbose=0)
    assert {"loss", "reg_accuracy", "cls_accuracy"} <= set(h.history)
    p1, p2 = model.predict({"a": xa, "b": xb}, verbose=0)
    assert p1.shape == (40, 1) and p2.shape == (40, 3)
    np.testing.assert_allclose(p2.sum(axis=1), 1.0)
    # the total loss is the sum of the two losses
    logs = model.evaluate([xa, xb], [y1, y2], verbose=0, return_dict=True)
    mse = np.mean((p1 - y1) ** 2)
    ce = -np.mean(np.log(p2[np.arange(40), y2]))
    assert logs["loss"] == pytest.approx(mse + ce, rel=1e-9)
    model.compile(optimizers.SGD(0.05), {"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  loss_weights=[2.0, 1.0])
    loss, reg_loss, cls_loss = model.evaluate([xa, xb], [y1, y2], verbose=0)  # Keras 3: then each output's, in
    # the model's output order whatever the loss dict's (Keras 3.15's _flatten_metrics_in_order, checked)
    assert loss == pytest.approx(2 * mse + ce, rel=1e-9)
    assert (reg_loss, cls_loss) == pytest.approx((mse, ce), rel=1e-9)  # unweighted, as Keras logs them


def test_shared_layer_and_residual_add_match_hand_computation(float64):
    x = Input((2,))
    shared = Dense(2, kernel_initializer="ones", bias_initializer="zeros")
    y = Add()([shared(x), shared(shared(x))])
    model = Model(x, y)
    assert [l.name for l in model.layers].count(shared.name) == 1
    data = np.array([[1.0, 2.0]])
    # shared(x) = [3, 3]; shared(shared(x)) = [6, 6]
    np.testing.assert_allclose(model.predict(data, verbose=0), [[9.0, 9.0]])
    assert len(model.weights) == 2


def test_sequential_equals_functional_with_same_weights():
    backend.set_seed(0)
    seq = Sequential([Input((4,)), Dense(3, activation="relu"), Dense(1)])
    inp = Input((4,))
    fun = Model(inp, Dense(1)(Dense(3, activation="relu")(inp)))
    fun.set_weights(seq.get_weights())
    x = np.random.default_rng(0).normal(size=(7, 4)).astype("float32")
    np.testing.assert_array_equal(seq.predict(x, verbose=0), fun.predict(x, verbose=0))


def test_config_round_trip_rebuilds_the_graph():
    a, b = Input((3,)), Input((2,))
    out = Dense(1)(Concatenate()([a, Dense(2)(b)]))
    model = Model([a, b], out)
    clone = Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    xs = [np.ones((2, 3), "float32"), np.ones((2, 2), "float32")]
    np.testing.assert_array_equal(clone.predict(xs, verbose=0), model.predict(xs, verbose=0))


def test_errors_for_missing_inputs():
    a, b = Input((3,)), Input((2,))
    out = Concatenate()([a, b])
    with pytest.raises(ConfigError, match="not among the model's inputs"):
        Model(a, out)
    model = Model([a, b], out)
    with pytest.raises(DataError, match="2 inputs"):
        model.predict(np.ones((2, 3)), verbose=0)


def test_an_output_feeding_another_layer_is_not_fused(float64):
    x = Input((2,))
    probs = Dense(3, activation="softmax", name="probs")(x)
    score = Dense(1, name="score")(probs)
    model = Model(x, [probs, score])
    model.compile("sgd", ["sparse_categorical_crossentropy", "mse"])
    data, labels, target = np.ones((4, 2)), np.array([0, 1, 2, 0]), np.zeros((4, 1))
    loss = model.evaluate(data, [labels, target], verbose=0)[0]
    assert model._logits_for == ()
    p, s = model.predict(data, verbose=0)
    expected = -np.mean(np.log(p[np.arange(4), labels])) + np.mean(s ** 2)
    assert loss == pytest.approx(expected, rel=1e-9)
