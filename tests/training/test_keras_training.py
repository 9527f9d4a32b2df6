"""Keras 3's training semantics: Metric objects driven by the trainer, per-output metrics and their keys, sample and
class weights, callbacks' test/predict hooks, no argument silently ignored."""
import numpy as np
import pytest

from gradkit import backend, callbacks, metrics, optimizers
from gradkit.errors import ConfigError
from gradkit.layers import Dense, Input
from gradkit.models import Model, Sequential

R = np.random.default_rng(21)
X = R.standard_normal((24, 4)).astype(np.float32)
Y = R.standard_normal((24, 1)).astype(np.float32)
Y_CLS = R.integers(0, 3, 24)
W = R.uniform(0.0, 2.0, 24).astype(np.float32)
KERNEL = R.standard_normal((4, 1)).astype(np.float32)


class SumOfErrors(metrics.Metric):
    """A user's stateful metric: the sum over all samples of |y_pred − y_true| (not a mean)."""

    def __init__(self, name="sum_of_errors", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable((), "zeros", name="total")
        self.updates = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.updates += 1
        self.total.data[...] += np.abs(np.asarray(y_pred) - np.asarray(y_true).reshape(-1, 1)).sum()

    def result(self):
        return self.total


def _linear(metric_list=None, loss="mse"):
    model = Sequential([Input((4,)), Dense(1, kernel_initializer="zeros")])
    model.compile(optimizers.SGD(0.1), loss, metrics=metric_list)
    model.layers[0].kernel.assign(KERNEL)
    return model


def test_a_metric_object_is_reset_updated_per_batch_and_read_into_the_logs():
    m = SumOfErrors()
    model = _linear([m, "mae"])
    logs = model.evaluate(X, Y, batch_size=10, verbose=0, return_dict=True)
    p = X @ KERNEL
    assert m.updates == 3  # batches of 10, 10, 4
    assert logs["sum_of_errors"] == pytest.approx(np.abs(p - Y).sum(), rel=1e-5)
    assert logs["mae"] == pytest.approx(np.abs(p - Y).mean(), rel=1e-5)
    again = model.evaluate(X, Y, batch_size=10, verbose=0, return_dict=True)
    assert again["sum_of_errors"] == pytest.approx(logs["sum_of_errors"])  # reset at each evaluate
    hist = model.fit(X, Y, batch_size=24, epochs=2, shuffle=False, verbose=0).history
    assert m.updates == 3 + 3 + 2
    assert hist["sum_of_errors"][0] == pytest.approx(np.abs(p - Y).sum(), rel=1e-5)  # reset at each epoch


def test_stateful_metrics_by_name_and_keys_sorted_as_keras():
    model = Sequential([Input((4,)), Dense(1, activation="sigmoid")])
    yb = (Y > 0).astype(np.float32)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy", "AUC", metrics.Precision()])
    hist = model.fit(X, yb, epochs=1, verbose=0, validation_data=(X, yb)).history
    assert list(hist) == ["AUC", "accuracy", "loss", "precision", "val_AUC", "val_accuracy", "val_loss",
                          "val_precision"]  # a name keeps its spelling (Keras's get_metric); keys sorted
    p = model.predict(X, verbose=0)
    logs = model.evaluate(X, yb, verbose=0, return_dict=True)
    tp = ((p > 0.5) & (yb > 0.5)).sum()
    assert logs["precision"] == pytest.approx(tp / max((p > 0.5).sum(), 1), rel=1e-6)
    assert model.evaluate(X, yb, verbose=0) == [logs["loss"], logs["accuracy"], logs["AUC"], logs["precision"]]
    assert model.metrics_names == ["loss", "compile_metrics"]


def _two_outputs():
    inp = Input((4,))
    model = Model(inp, [Dense(1, name="priority")(inp), Dense(3, activation="softmax", name="department")(inp)])
    return model


@pytest.mark.parametrize("spec", [[["mae"], ["accuracy"]], {"priority": ["mae"], "department": ["accuracy"]},
                                  {"department": "accuracy", "priority": "mae"}])
def test_per_output_metrics_with_keras_keys(spec):
    backend.set_seed(2)
    model = _two_outputs()
    model.compile("sgd", ["mse", "sparse_categorical_crossentropy"], metrics=spec)
    hist = model.fit(X, [Y, Y_CLS], epochs=1, verbose=0, validation_split=0.25).history
    assert list(hist) == ["department_accuracy", "department_loss", "loss", "priority_loss", "priority_mae",
                          "val_department_accuracy", "val_department_loss", "val_loss", "val_priority_loss",
                          "val_priority_mae"]  # Keras 3's keys and order for this model
    logs = model.evaluate(X, [Y, Y_CLS], verbose=0, return_dict=True)
    p1, p2 = model.predict(X, verbose=0)
    assert logs["priority_mae"] == pytest.approx(np.abs(p1 - Y).mean(), rel=1e-5)
    assert logs["department_accuracy"] == pytest.approx((p2.argmax(1) == Y_CLS).mean())
    assert logs["loss"] == pytest.approx(logs["priority_loss"] + logs["department_loss"], rel=1e-5)
    assert model.metrics_names == ["loss", "compile_metrics", "priority_loss", "department_loss"]


def test_metrics_naming_an_unknown_output():
    model = _two_outputs()
    with pytest.raises(ConfigError, match=r"metrics names output\(s\) \['dept'\].*\['priority', 'department'\]"):
        model.compile("sgd", ["mse", "sparse_categorical_crossentropy"], metrics={"dept": ["accuracy"]})
        model.fit(X, [Y, Y_CLS], verbose=0)


def test_sample_weight_is_keras_sum_over_batch_size():
    model = _linear(["mae"])
    p = X @ KERNEL
    logs = model.evaluate(X, Y, sample_weight=W, batch_size=24, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(np.sum(W * (p - Y)[:, 0] ** 2) / 24, rel=1e-5)  # sum(w·l)/N
    assert logs["mae"] == pytest.approx(np.abs(p - Y).mean(), rel=1e-5)  # metrics= ignore weights, as Keras
    # one full-batch SGD step on the weighted loss: dL/dk = 2/N Σ w (p − y) x
    model.fit(X, Y, sample_weight=W, batch_size=24, epochs=1, shuffle=False, verbose=0)
    grad = 2 / 24 * X.T @ (W[:, None] * (p - Y))
    np.testing.assert_allclose(model.layers[0].kernel.numpy(), KERNEL - 0.1 * grad, rtol=1e-5, atol=1e-6)


def test_class_weight_is_sample_weight_from_the_labels_and_validation_weights():
    cw = {0: 0.5, 1: 2.0}  # class 2 unlisted: weight 1, as Keras
    backend.set_seed(4)
    a = Sequential([Input((4,)), Dense(3, activation="softmax")])
    a.compile(optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    backend.set_seed(4)
    b = Sequential([Input((4,)), Dense(3, activation="softmax")])
    b.compile(optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    w = np.array([cw.get(c, 1.0) for c in Y_CLS], np.float32)
    ha = a.fit(X, Y_CLS, class_weight=cw, epochs=2, batch_size=8, shuffle=False, verbose=0,
               validation_data=(X, Y_CLS, w)).history
    hb = b.fit(X, Y_CLS, sample_weight=w, epochs=2, batch_size=8, shuffle=False, verbose=0,
               validation_data=(X, Y_CLS, w)).history
    assert ha == hb
    unweighted = b.evaluate(X, Y_CLS, verbose=0)
    assert hb["val_loss"][-1] == pytest.approx(b.evaluate(X, Y_CLS, sample_weight=w, verbose=0))
    assert hb["val_loss"][-1] != pytest.approx(unweighted)


def test_sample_and_class_weights_match_real_keras():
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    cw = {0: 0.5, 1: 2.0, 2: 1.5}
    k = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    k.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    g = Sequential([Input((4,)), Dense(3, activation="softmax")])
    g.compile(optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    g.set_weights(k.get_weights())
    for kwargs in ({"class_weight": cw}, {"sample_weight": W}):
        kw = k.fit(X, Y_CLS, batch_size=8, epochs=2, shuffle=False, verbose=0, **kwargs)
        gw = g.fit(X, Y_CLS, batch_size=8, epochs=2, shuffle=False, verbose=0, **kwargs)
        np.testing.assert_allclose(gw.history["loss"], kw.history["loss"], rtol=1e-5)
    for a, b in zip(g.get_weights(), k.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert g.evaluate(X, Y_CLS, sample_weight=W, verbose=0) == pytest.approx(
        k.evaluate(X, Y_CLS, sample_weight=W, verbose=0), rel=1e-5)


class Recorder(callbacks.Callback):
    """Records every hook called, with its logs."""

    def __init__(self):
        super().__init__()
        self.calls = []


def _recording(name):
    def hook(self, *args):
        self.calls.append((name, args[-1] if args else None))
    return hook


for _hook in [h for h in dir(callbacks.Callback) if h.startswith("on_")]:
    setattr(Recorder, _hook, _recording(_hook))


def _names(rec):
    return [n for n, _ in rec.calls]


def test_class_weight_and_sample_weight_together_is_an_error_as_in_keras():
    with pytest.raises(ConfigError, match="class_weight or sample_weight, not both"):
        _linear().fit(X, Y_CLS[:, None], sample_weight=W, class_weight={0: 1.0}, verbose=0)


def test_validation_calls_on_test_hooks_and_train_end_gets_the_last_logs():
    rec = Recorder()
    model = _linear(["mae"])
    hist = model.fit(X, Y, batch_size=12, epochs=2, verbose=0, validation_data=(X, Y), validation_batch_size=8,
                     callbacks=[rec]).history
    names = _names(rec)
    assert names.count("on_test_begin") == 2 and names.count("on_test_batch_end") == 6
    assert names.index("on_test_end") < names.index("on_epoch_end")
    last = rec.calls[-1]
    assert last[0] == "on_train_end" and last[1] == {k: v[-1] for k, v in hist.items()}


def test_evaluate_and_predict_callbacks_and_steps():
    rec = Recorder()
    model = _linear(["mae"])
    full = model.evaluate(X, Y, batch_size=8, verbose=0, return_dict=True)
    part = model.evaluate(X, Y, batch_size=8, steps=1, verbose=0, return_dict=True, callbacks=[rec])
    assert part["loss"] == pytest.approx(np.mean((X[:8] @ KERNEL - Y[:8]) ** 2), rel=1e-5) != full["loss"]
    assert _names(rec) == ["on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end"]
    rec.calls.clear()
    out = model.predict(X, batch_size=10, steps=2, verbose=0, callbacks=[rec])
    assert out.shape == (20, 1)
    assert _names(rec) == ["on_predict_begin"] + ["on_predict_batch_begin", "on_predict_batch_end"] * 2 + \
        ["on_predict_end"]
    np.testing.assert_allclose(rec.calls[2][1]["outputs"], out[:10])


def test_validation_steps_limits_the_validation_batches():
    rec = Recorder()
    model = _linear()
    model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y), validation_batch_size=4, validation_steps=2,
              callbacks=[rec])
    assert _names(rec).count("on_test_batch_end") == 2


@pytest.mark.parametrize("kwargs,msg", [({"steps_per_execution": 4}, "steps_per_execution=4"),
                                        ({"weighted_metrics": "mae"}, r"weighted_metrics=\['mae'\]"),
                                        ({"weighted_metrics": ["nope"]}, "unknown metric 'nope'"),
                                        ({"auto_scale_loss": "yes"}, "auto_scale_loss")])
def test_compile_arguments_are_not_silently_ignored(kwargs, msg):
    with pytest.raises(ConfigError, match=msg):
        Sequential([Input((4,)), Dense(1)]).compile("sgd", "mse", **kwargs)
