"""compile(weighted_metrics=...) with Keras 3's semantics: weighted metrics see fit's sample_weight / class_weight and
evaluate's sample_weight (sum(w·v) / sum(w)), plain metrics never do; Keras's keys (weighted_<name> on a clash),
evaluate's list order, per-output lists and dicts; hand-computed values always, real Keras's where installed."""
import numpy as np
import pytest

from gradkit import metrics, optimizers
from gradkit.errors import ConfigError
from gradkit.models import load_model
from gradkit.layers import Dense, Input
from gradkit.models import Model, Sequential

R = np.random.default_rng(3)
X = R.standard_normal((12, 3)).astype(np.float32)
Y = (R.uniform(size=12) > 0.5).astype(np.float32)
W = R.uniform(0.0, 3.0, 12).astype(np.float32)
Y_REG = R.standard_normal((12, 1)).astype(np.float32)


def binary_model(**compile_kw):
    """Dense(1, sigmoid) with fixed weights, compiled with SGD(0.1) and binary cross-entropy."""
    model = Sequential([Input((3,)), Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[0.7], [-1.1], [0.4]], np.float32), np.array([0.1], np.float32)])
    model.compile(optimizers.SGD(0.1), "binary_crossentropy", **compile_kw)
    return model


def hand(model, w):
    """Hand-computed accuracy, mae and loss of the binary model on (X, Y), plain and weighted by w."""
    p = model.predict(X, verbose=0)[:, 0].astype(np.float64)
    correct, err = ((p > 0.5) == (Y == 1)).astype(np.float64), np.abs(p - Y)
    bce = -(Y * np.log(np.clip(p, 1e-7, 1)) + (1 - Y) * np.log(np.clip(1 - p, 1e-7, 1)))
    return {"accuracy": correct.mean(), "weighted_accuracy": (w * correct).sum() / w.sum(),
            "mae": err.mean(), "weighted_mae": (w * err).sum() / w.sum(), "loss": (w * bce).mean()}


def test_weighted_metrics_get_the_sample_weight_plain_metrics_do_not():
    model = binary_model(metrics=["accuracy"], weighted_metrics=["accuracy", "mae"])
    ref = hand(model, W)
    logs = model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    assert list(logs) == ["accuracy", "loss", "mae", "weighted_accuracy"]  # sorted, as Keras's
    assert logs["accuracy"] == pytest.approx(ref["accuracy"], abs=1e-7)
    assert logs["weighted_accuracy"] == pytest.approx(ref["weighted_accuracy"], abs=1e-7)
    assert logs["weighted_accuracy"] != pytest.approx(logs["accuracy"])
    assert logs["mae"] == pytest.approx(ref["weighted_mae"], rel=1e-6)  # weighted only: its own name
    assert logs["loss"] == pytest.approx(ref["loss"], rel=1e-5)
    # Keras's _flatten_metrics_in_order: loss, each compiled metric's own name (accuracy twice), then the rest
    assert model.evaluate(X, Y, sample_weight=W, verbose=0) == pytest.approx(
        [logs["loss"], logs["accuracy"], logs["accuracy"], logs["mae"], logs["weighted_accuracy"]])


def test_without_sample_weight_weighted_equals_plain():
    model = binary_model(metrics=["mae"], weighted_metrics=["mae"])
    logs = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert logs["weighted_mae"] == logs["mae"] == pytest.approx(hand(model, W)["mae"], rel=1e-6)


def test_fit_history_keys_and_values_with_sample_weight_and_weighted_validation():
    model = binary_model(metrics=["mae", "mae"], weighted_metrics=["mae", "mae", "accuracy"])
    ref, vw = hand(model, W), W[::-1].copy()
    val_ref = hand(model, vw)
    h = model.fit(X, Y, sample_weight=W, batch_size="full", epochs=1, verbose=0, validation_data=(X, Y, vw))
    assert sorted(h.history) == ["accuracy", "loss", "mae", "mae_1", "val_accuracy", "val_loss", "val_mae",
                                 "val_mae_1", "val_weighted_mae", "val_weighted_mae_1", "weighted_mae",
                                 "weighted_mae_1"]  # real Keras 3.15's keys for these lists
    # one full batch: the metrics are those of the starting weights, before the step
    assert h.history["mae"][0] == h.history["mae_1"][0] == pytest.approx(ref["mae"], rel=1e-6)
    assert h.history["weighted_mae"][0] == h.history["weighted_mae_1"][0] == pytest.approx(ref["weighted_mae"],
                                                                                           rel=1e-6)
    assert h.history["accuracy"][0] == pytest.approx(ref["weighted_accuracy"], abs=1e-7)
    after = hand(model, vw)  # validation runs after the step
    assert h.history["val_weighted_mae"][0] == pytest.approx(after["weighted_mae"], rel=1e-6)
    assert h.history["val_mae"][0] == pytest.approx(after["mae"], rel=1e-6)
    assert val_ref["weighted_mae"] != pytest.approx(after["weighted_mae"])  # the step did change the model


def test_class_weight_reaches_weighted_metrics_but_not_the_validation_split():
    model = binary_model(metrics=["accuracy"], weighted_metrics=["accuracy"])
    w = np.where(Y[:6] == 1, 3.0, 1.0)
    p = model.predict(X[:6], verbose=0)[:, 0]
    correct = ((p > 0.5) == (Y[:6] == 1)).astype(np.float64)  # the training part, before the one full-batch step
    h = model.fit(X, Y, class_weight={0: 1.0, 1: 3.0}, batch_size="full", epochs=1, verbose=0, validation_split=0.5)
    assert h.history["weighted_accuracy"][0] == pytest.approx((w * correct).sum() / w.sum(), abs=1e-7)
    assert h.history["accuracy"][0] == pytest.approx(correct.mean(), abs=1e-7)
    assert h.history["weighted_accuracy"] != h.history["accuracy"]
    # Keras weighs the held-out split by nothing: val_weighted_accuracy is the plain one, val_loss unweighted
    assert h.history["val_weighted_accuracy"] == h.history["val_accuracy"]
    assert h.history["val_loss"][0] == pytest.approx(model.evaluate(X[6:], Y[6:], verbose=0)[0], rel=1e-6)


def test_stateful_weighted_metric_gets_the_weights():
    model = binary_model(metrics=[metrics.Precision(name="p")], weighted_metrics=[metrics.Precision(name="wp")])
    p = model.predict(X, verbose=0)[:, 0] > 0.5
    tp, fp = p & (Y == 1), p & (Y == 0)
    logs = model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    assert logs["p"] == pytest.approx(tp.sum() / (tp.sum() + fp.sum()), rel=1e-6)
    assert logs["wp"] == pytest.approx((W * tp).sum() / (W * (tp | fp)).sum(), rel=1e-6)


def test_all_zero_weights_give_zero_as_keras_divide_no_nan():
    model = binary_model(weighted_metrics=["mae"])
    assert model.evaluate(X, Y, sample_weight=np.zeros(12), verbose=0, return_dict=True)["mae"] == 0.0


def two_outputs():
    i = Input((3,))
    model = Model(i, [Dense(1, activation="sigmoid", name="cls")(i), Dense(1, name="reg")(i)])
    model.set_weights([np.array([[0.7], [-1.1], [0.4]], np.float32), np.array([0.1], np.float32),
                       np.array([[0.2], [0.3], [-0.5]], np.float32), np.array([0.0], np.float32)])
    return model


@pytest.mark.parametrize("weighted", [[["accuracy"], ["mae"]], {"reg": ["mae"], "cls": "accuracy"}])
def test_multi_output_lists_and_dicts(weighted):
    model = two_outputs()
    model.compile("sgd", ["binary_crossentropy", "mse"], metrics=[[], ["mae"]], weighted_metrics=weighted)
    logs = model.evaluate(X, [Y, Y_REG], sample_weight=W, verbose=0, return_dict=True)
    assert sorted(logs) == ["cls_accuracy", "cls_loss", "loss", "reg_loss", "reg_mae", "reg_weighted_mae"]
    p_cls, p_reg = model.predict(X, verbose=0)
    err = np.abs(p_reg[:, 0] - Y_REG[:, 0]).astype(np.float64)
    correct = ((p_cls[:, 0] > 0.5) == (Y == 1))
    assert logs["reg_mae"] == pytest.approx(err.mean(), rel=1e-6)
    assert logs["reg_weighted_mae"] == pytest.approx((W * err).sum() / W.sum(), rel=1e-6)
    assert logs["cls_accuracy"] == pytest.approx((W * correct).sum() / W.sum(), abs=1e-7)
    # loss, each output's loss in output order, then the rest sorted (no compiled name is a key here)
    assert model.evaluate(X, [Y, Y_REG], sample_weight=W, verbose=0) == pytest.approx(
        [logs[k] for k in ("loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae", "reg_weighted_mae")])


@pytest.mark.parametrize("weighted, match", [
    ("mae", r"compile: weighted_metrics must be a list, tuple or dict.*got 'mae'"),
    (["nope"], "unknown metric 'nope'"),
])
def test_bad_weighted_metrics_are_config_errors(weighted, match):
    with pytest.raises(ConfigError, match=match):
        binary_model(weighted_metrics=weighted)


def test_dict_naming_an_unknown_output_names_the_argument():
    model = two_outputs()
    model.compile("sgd", ["binary_crossentropy", "mse"], weighted_metrics={"regg": ["mae"]})
    with pytest.raises(ConfigError, match=r"weighted_metrics names output\(s\) \['regg'\]; the model's outputs"):
        model.evaluate(X, [Y, Y_REG], verbose=0)


def test_save_and_load_keep_weighted_metrics(tmp_path):
    model = binary_model(metrics=["mae"], weighted_metrics=["mae"])
    before = model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    model.save(tmp_path / "m.keras")
    assert load_model(tmp_path / "m.keras").evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True) == \
        pytest.approx(before)


# ---- real Keras (where tensorflow is installed) -------------------------------------------------------------------

def _keras():
    pytest.importorskip("tensorflow")
    import keras
    return keras


def test_single_output_matches_real_keras():
    keras = _keras()
    k = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    kw = dict(metrics=["accuracy", "mae"], weighted_metrics=["mae", "accuracy", "mae"])
    k.compile(keras.optimizers.SGD(0.1), "binary_crossentropy", **kw)
    g = binary_model(**kw)
    k.set_weights(g.get_weights())
    fit = dict(sample_weight=W, batch_size=4, epochs=2, shuffle=False, verbose=0, validation_data=(X, Y, W[::-1]))
    hk, hg = k.fit(X, Y, **fit).history, g.fit(X, Y, **fit).history
    assert sorted(hg) == sorted(hk)
    for key in hk:
        np.testing.assert_allclose(hg[key], hk[key], rtol=2e-5, err_msg=key)
    ek, eg = k.evaluate(X, Y, sample_weight=W, verbose=0), g.evaluate(X, Y, sample_weight=W, verbose=0)
    assert len(eg) == len(ek) == 9
    np.testing.assert_allclose(eg, ek, rtol=2e-5)


def test_class_weight_and_multi_output_match_real_keras():
    keras = _keras()
    k = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    k.compile(keras.optimizers.SGD(0.1), "binary_crossentropy", metrics=["mae"], weighted_metrics=["accuracy", "mae"])
    g = binary_model(metrics=["mae"], weighted_metrics=["accuracy", "mae"])
    k.set_weights(g.get_weights())
    fit = dict(class_weight={0: 0.5, 1: 2.5}, batch_size=3, epochs=2, shuffle=False, verbose=0, validation_split=0.25)
    hk, hg = k.fit(X, Y, **fit).history, g.fit(X, Y, **fit).history
    assert sorted(hg) == sorted(hk)
    for key in hk:
        np.testing.assert_allclose(hg[key], hk[key], rtol=2e-5, err_msg=key)

    i = keras.Input((3,))
    km = keras.Model(i, [keras.layers.Dense(1, activation="sigmoid", name="cls")(i), keras.layers.Dense(1, name="reg")(i)])
    gm = two_outputs()
    km.set_weights(gm.get_weights())
    kw = dict(metrics=[["accuracy"], ["mae"]], weighted_metrics={"reg": ["mae", "mse"], "cls": ["accuracy"]})
    km.compile(keras.optimizers.SGD(0.1), ["binary_crossentropy", "mse"], **kw)
    gm.compile(optimizers.SGD(0.1), ["binary_crossentropy", "mse"], **kw)
    # batches of equal size: Keras-TF logs each output's loss as the mean of batch means (its per-output tracker
    # weighs a batch by a static shape that is None under tf.function); gradkit, as Keras's other backends, by samples
    fit = dict(sample_weight=W, batch_size=4, epochs=2, shuffle=False, verbose=0)
    hk, hg = km.fit(X, [Y, Y_REG], **fit).history, gm.fit(X, [Y, Y_REG], **fit).history
    assert sorted(hg) == sorted(hk)
    for key in hk:
        np.testing.assert_allclose(hg[key], hk[key], rtol=2e-5, err_msg=key)
    ek, eg = (m.evaluate(X, [Y, Y_REG], sample_weight=W, verbose=0) for m in (km, gm))
    np.testing.assert_allclose(eg, ek, rtol=2e-5)


def test_generator_batches_with_weights_reach_weighted_metrics():
    model = binary_model(metrics=["mae"], weighted_metrics=["mae"])
    ref = hand(model, W)

    def batches():
        while True:
            yield X, Y, W
    h = model.fit(batches(), steps_per_epoch=1, epochs=1, verbose=0, shuffle=False)
    assert h.history["weighted_mae"][0] == pytest.approx(ref["weighted_mae"], rel=1e-6)
    assert h.history["mae"][0] == pytest.approx(ref["mae"], rel=1e-6)


@pytest.mark.parametrize("sw", [[W, W], {"cls": W, "reg": W}])
def test_per_output_sample_weights_are_refused_clearly(sw):
    model = two_outputs()
    model.compile("sgd", ["binary_crossentropy", "mse"], weighted_metrics=["mae"])
    with pytest.raises(ConfigError, match=r"sample_weight: one array per output .* is not supported by gradkit; "
                                          r"pass one array of shape \(12,\)"):
        model.fit(X, [Y, Y_REG], sample_weight=sw, verbose=0)
    with pytest.raises(ConfigError, match=r"sample_weight of validation_data: one array per output"):
        model.fit(X, [Y, Y_REG], validation_data=(X, [Y, Y_REG], sw), verbose=0)
    with pytest.raises(ConfigError, match="one array per output"):
        model.evaluate(X, [Y, Y_REG], sample_weight=sw, verbose=0)
