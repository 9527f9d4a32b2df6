"""The Keras 3 idioms of the Dense-chapter programs that gradkit lacked (issue 19), each written once for a library
``lib`` and run under gradkit and real Keras 3 (those comparisons skip without Keras): a subclassed model returning a
tuple, compile() without a loss (add_loss, keras.io's endpoint layer), a keras.losses.Loss subclass, from_config of a
custom layer whose get_config has no name, a custom layer without get_config saved and loaded, the stateless metric
API, keras.random and keras.config's traceback filtering."""
import inspect
import os
import traceback

import numpy as np
import pytest

import gradkit as gk
from gradkit.errors import ConfigError, ConfigTypeError, SerializationError, ShapeError


def _keras():
    return pytest.importorskip("keras", reason="real Keras 3 (tensorflow-cpu) is not installed")


def _rounded(history):
    return {k: np.round(v, 5).tolist() for k, v in history.items()}


# ---- 1. a subclassed model whose call returns a tuple: one loss per output --------------------------------------

def _two_headed(lib):
    class TwoHeads(lib.Model):
        def __init__(self):
            super().__init__()
            self.d1 = lib.layers.Dense(4, kernel_initializer="ones")
            self.d2 = lib.layers.Dense(2, kernel_initializer="ones")

        def call(self, x):
            return self.d1(x), self.d2(x)
    return TwoHeads()


X4 = np.arange(12, dtype="float32").reshape(4, 3) / 10
Y2 = (np.ones((4, 4), "float32"), np.zeros((4, 2), "float32"))


def _fit_two_heads(lib, **compile_kw):
    model = _two_headed(lib)
    model.compile(optimizer="sgd", **compile_kw)
    history = model.fit(X4, Y2, epochs=2, verbose=0, batch_size=4, shuffle=False).history
    return _rounded(history), np.round(model.evaluate(X4, Y2, verbose=0), 5).tolist(), \
        [o.shape for o in model.predict(X4, verbose=0)]


@pytest.mark.parametrize("compile_kw", [
    {"loss": ["mse", "mae"]},
    {"loss": "mse", "metrics": [["mae"], ["mse"]]},
    {"loss": ["mse", "mse"], "loss_weights": [1.0, 0.5]},
    {"loss": "mean_squared_error"},
], ids=["loss-per-output", "one-loss-metrics-per-output", "loss-weights", "one-loss"])
def test_subclassed_model_returning_a_tuple_trains_each_output_as_keras(compile_kw):
    keras = _keras()
    ours = _fit_two_heads(gk, **compile_kw)
    theirs = _fit_two_heads(keras, **compile_kw)
    assert ours[0].keys() == theirs[0].keys()  # e.g. loss, mae_loss, mse_loss: outputs named by their loss
    for k in theirs[0]:
        np.testing.assert_allclose(ours[0][k], theirs[0][k], rtol=1e-4, err_msg=k)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-4)
    assert ours[2] == theirs[2] == [(4, 4), (4, 2)]


def test_subclassed_tuple_model_hand_computed_first_loss_and_bad_loss_count():
    model = _two_headed(gk)
    model.compile(optimizer="sgd", loss=["mse", "mae"])
    h = model.fit(X4, Y2, epochs=1, verbose=0, batch_size=4, shuffle=False).history
    s = X4.sum(axis=1, keepdims=True)  # ones kernels: every unit outputs the row sum
    mse, mae = float(((s - 1.0) ** 2).mean()), float(np.abs(s).mean())
    assert h["mse_loss"][0] == pytest.approx(mse, rel=1e-6) and h["mae_loss"][0] == pytest.approx(mae, rel=1e-6)
    assert h["loss"][0] == pytest.approx(mse + mae, rel=1e-6)
    three = _two_headed(gk)
    three.compile(optimizer="sgd", loss=["mse", "mae", "mse"])
    with pytest.raises(ConfigError, match="2 outputs but 3 losses"):
        three.fit(X4, Y2, verbose=0)


# ---- 2. compile() without a loss: add_loss and the endpoint layer ---------------------------------------------

def _endpoint_model(lib, as_written=True):
    class LogisticEndpoint(lib.layers.Layer):  # keras.io, "The Functional API": the endpoint layer pattern
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = lib.losses.BinaryCrossentropy(from_logits=True)
            self.accuracy_fn = lib.metrics.BinaryAccuracy()

        def call(self, first, second, sample_weights=None):
            # keras.io's call(self, targets, logits) is called as (logits, targets): as written, the two swap
            targets, logits = (first, second) if as_written else (second, first)
            loss = self.loss_fn(targets, logits, sample_weights)
            self.add_loss(loss)
            self.accuracy_fn.update_state(targets, logits, sample_weights)
            return lib.ops.softmax(logits)

    inputs = lib.Input(shape=(3,), name="inputs")
    targets = lib.Input(shape=(10,), name="targets")
    logits = lib.layers.Dense(10, kernel_initializer="ones")(inputs)
    predictions = LogisticEndpoint(name="predictions")(logits, targets)
    model = lib.Model(inputs=[inputs, targets], outputs=predictions)
    model.compile(optimizer="adam")  # no loss argument
    return model


@pytest.mark.parametrize("as_written", [True, False], ids=["as-written", "arguments-in-order"])
def test_endpoint_layer_trains_on_its_added_loss_and_logs_its_metric_as_keras(as_written):
    keras = _keras()
    rng = np.random.default_rng(0)
    targets = rng.random((3, 10)) if as_written else rng.integers(0, 2, (3, 10))
    data = {"inputs": rng.random((3, 3)).astype("float32"), "targets": targets.astype("float32")}
    runs = []
    for lib in (gk, keras):
        lib.utils.set_random_seed(1)
        model = _endpoint_model(lib, as_written)
        h = model.fit(data, verbose=0, epochs=2).history
        runs.append((_rounded(h), model.evaluate(data, verbose=0)))
        assert model.metrics_names == ["loss", "binary_accuracy"]
    (ours, ours_eval), (theirs, theirs_eval) = runs
    assert ours.keys() == theirs.keys() == {"loss", "binary_accuracy"}
    assert as_written or 0 < ours["binary_accuracy"][0] < 1  # in order, the accuracy is a real one
    for k in theirs:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-4, atol=1e-6, err_msg=k)
    np.testing.assert_allclose(ours_eval, theirs_eval, rtol=1e-4, atol=1e-6)


def _autoencoder(lib):
    class AE(lib.Model):
        def __init__(self):
            super().__init__()
            self.enc = lib.layers.Dense(2, kernel_initializer="ones")
            self.dec = lib.layers.Dense(4, kernel_initializer="ones")

        def call(self, x):
            z = self.enc(x)
            self.add_loss(0.01 * lib.ops.mean(lib.ops.square(z)))
            out = self.dec(z)
            self.add_loss(lib.ops.mean(lib.ops.square(out - x)))
            return out
    return AE()


def test_add_loss_without_compiled_loss_and_beside_one_equals_keras():
    keras = _keras()
    x = np.arange(16, dtype="float32").reshape(4, 4) / 16
    results = []
    for lib in (gk, keras):
        alone = _autoencoder(lib)
        alone.compile(optimizer=lib.optimizers.SGD(0.01))
        h1 = alone.fit(x, epochs=3, batch_size=2, verbose=0, shuffle=False).history["loss"]
        both = _autoencoder(lib)
        both.compile(optimizer=lib.optimizers.SGD(0.01), loss="mae")
        h2 = both.fit(x, x, epochs=2, batch_size=2, verbose=0, shuffle=False).history["loss"]
        results.append((h1, float(alone.evaluate(x, verbose=0)), h2, float(both.evaluate(x, x, verbose=0))))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_no_loss_anywhere_and_weights_without_a_loss_are_errors():
    model = gk.Sequential([gk.Input((3,)), gk.layers.Dense(1)])
    model.compile(optimizer="sgd")
    with pytest.raises(ConfigError, match="no loss to compute"):
        model.fit(X4, verbose=0)
    ae = _autoencoder(gk)
    ae.compile(optimizer="sgd")
    with pytest.raises(ConfigError, match="sample_weight"):
        ae.fit(X4[:, :3].repeat(2, axis=1)[:, :4], sample_weight=np.ones(4), verbose=0)


# ---- 3. a keras.losses.Loss subclass ----------------------------------------------------------------------------

def _my_huber(lib, **kw):
    class MyHuber(lib.losses.Loss):
        def __init__(self, threshold=1.0, **kwargs):
            super().__init__(**kwargs)
            self.threshold = threshold

        def call(self, y_true, y_pred):
            error = y_true - y_pred
            small = lib.ops.abs(error) < self.threshold
            return lib.ops.where(small, lib.ops.square(error) / 2,
                                 self.threshold * lib.ops.abs(error) - self.threshold ** 2 / 2)
    return MyHuber(2.0, **kw)


YT = np.array([[0., 1.], [3., 5.]], "float32")
YP = np.array([[0.5, 1.], [0., 1.]], "float32")


def _loss_program(lib):
    loss = _my_huber(lib)
    out = {"name": loss.name, "reduction": loss.reduction, "call": float(np.asarray(loss(YT, YP))),
           "weighted": float(np.asarray(loss(YT, YP, sample_weight=np.array([1., 0.5], "float32")))),
           "sum": float(np.asarray(_my_huber(lib, reduction="sum")(YT, YP))),
           "none": np.asarray(_my_huber(lib, reduction="none")(YT, YP)).tolist()}
    model = lib.Sequential([lib.Input((2,)), lib.layers.Dense(2, kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss=_my_huber(lib, name="huber2"))
    out["fit"] = model.fit(YP, YT, epochs=2, verbose=0, shuffle=False).history["loss"]
    return out


def test_loss_subclass_reduces_weighs_and_trains_as_keras():
    keras = _keras()
    ours, theirs = _loss_program(gk), _loss_program(keras)
    assert ours["name"] == theirs["name"] == "my_huber" and ours["reduction"] == "sum_over_batch_size"
    assert ours["call"] == pytest.approx(10.125 / 4)  # by hand: 0.125, 0, 4, 6 over 4 values
    for k in ("call", "weighted", "sum", "none", "fit"):
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-6, err_msg=k)


def test_loss_subclass_errors_name_the_argument():
    with pytest.raises(ConfigError, match="reduction must be one of .* got 'average'"):
        _my_huber(gk, reduction="average")

    class NoCall(gk.losses.Loss):
        pass
    with pytest.raises(NotImplementedError, match="NoCall must define call"):
        NoCall()(YT, YP)


# ---- 4. from_config / load_model with a custom layer whose get_config has no "name" --------------------------

def _scale_class(lib, base_config=False):
    """A custom layer x · factor whose get_config has "factor", and the base keys ("name", ...) only if asked."""
    class Scale(lib.layers.Layer):
        def __init__(self, factor=1.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**(super().get_config() if base_config else {}), "factor": self.factor}
    return Scale


def _scale_no_name(lib):
    return _scale_class(lib)


def test_from_config_and_load_with_a_get_config_without_name_equal_keras(tmp_path):
    keras = _keras()
    x = np.ones((2, 3), "float32")
    for lib in (gk, keras):
        scale = _scale_no_name(lib)
        inp = lib.Input((3,))
        model = lib.Model(inp, lib.layers.Dense(2, kernel_initializer="ones")(scale(3.0)(inp)))
        rebuilt = lib.Model.from_config(model.get_config(), custom_objects={"Scale": scale})
        np.testing.assert_allclose(rebuilt.predict(x, verbose=0), 9.0)
        path = str(tmp_path / f"{lib.__name__}.keras")
        model.save(path)
        loaded = lib.models.load_model(path, custom_objects={"Scale": scale})
        np.testing.assert_allclose(loaded.predict(x, verbose=0), 9.0)


# ---- 8. a custom layer without get_config, saved and loaded (the silent result) -----------------------------------

class ScaleKw(gk.layers.Layer):
    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor


class ScaleNoKw(gk.layers.Layer):
    def __init__(self, factor=1.0, offsets=(0.0, 0.0, 0.0)):
        super().__init__()
        self.factor, self.offsets = factor, offsets

    def call(self, x):
        return x * self.factor + gk.ops.convert_to_tensor(np.asarray(self.offsets, "float32"))


class ScaleArray(gk.layers.Layer):
    def __init__(self, factor=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * float(self.factor[0])


def _save_load(layer, tmp_path):
    inp = gk.Input((3,))
    model = gk.Model(inp, layer(inp))
    path = str(tmp_path / "m.keras")
    model.save(path)
    return gk.models.load_model(path, custom_objects={type(layer).__name__: type(layer)})


def test_layer_without_get_config_comes_back_with_its_constructor_arguments(tmp_path):
    x = np.ones((2, 3), "float32")
    loaded = _save_load(ScaleKw(3.0, name="triple"), tmp_path)
    assert loaded.layers[1].factor == 3.0 and loaded.layers[1].name == "triple"
    np.testing.assert_allclose(loaded.predict(x, verbose=0), 3.0)
    loaded = _save_load(ScaleNoKw(2.0, offsets=[1.0, 2.0, 3.0]), tmp_path)  # Keras fails to load this one
    np.testing.assert_allclose(loaded.predict(x, verbose=0), [[3.0, 4.0, 5.0]] * 2)


def test_layer_without_get_config_config_keys_equal_keras():
    keras = _keras()

    class KScaleKw(keras.layers.Layer):
        def __init__(self, factor=1.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

    class KScaleNoKw(keras.layers.Layer):
        def __init__(self, factor=1.0, offsets=(0.0, 0.0, 0.0)):
            super().__init__()
            self.factor = factor

    for ours, theirs in ((ScaleKw(3.0), KScaleKw(3.0)), (ScaleNoKw(2.0), KScaleNoKw(2.0))):
        a, b = ours.get_config(), theirs.get_config()
        assert sorted(a) == sorted(b) and a["factor"] == b["factor"]


def test_layer_without_get_config_with_an_array_argument_cannot_be_saved_and_says_why(tmp_path):
    with pytest.raises(SerializationError, match=r"ScaleArray.*factor \(given ndarray.*get_config") as err:
        _save_load(ScaleArray(np.array([3.0])), tmp_path)
    assert isinstance(err.value, NotImplementedError)  # the type Keras raises
    assert not os.path.exists(tmp_path / "m.keras")
    keras = _keras()

    class KScaleArray(keras.layers.Layer):
        def __init__(self, factor=None, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor
    with pytest.raises(NotImplementedError):
        KScaleArray(np.array([3.0])).get_config()


def test_config_with_an_argument_the_constructor_lacks_names_it():
    with pytest.raises(ConfigError, match=r"ScaleNoKw.from_config: .* scale .* takes: factor, offsets"):
        ScaleNoKw.from_config({"factor": 2.0, "scale": 3})


# ---- 5. the stateless metric API -------------------------------------------------------------------------------

def _stateless_program(lib):
    yt = np.array([0, 1, 1, 0, 1], "float32")
    yp = np.array([0.2, 0.8, 0.4, 0.6, 0.9], "float32")
    out = []
    for metric, args in ((lib.metrics.Mean(), (yp,)), (lib.metrics.AUC(), (yt, yp)),
                         (lib.metrics.Precision(), (yt, yp)), (lib.metrics.BinaryAccuracy(), (yt, yp))):
        state = metric.variables
        state = metric.stateless_update_state(state, *args)
        state = metric.stateless_update_state(state, *args)
        reset = metric.stateless_reset_state()
        out.append((float(np.asarray(metric.stateless_result(state))), float(np.asarray(metric.result())),
                    [np.asarray(v).tolist() for v in reset]))
    return out


def test_stateless_metric_api_equals_keras_and_leaves_the_metric_alone():
    keras = _keras()
    ours, theirs = _stateless_program(gk), _stateless_program(keras)
    np.testing.assert_allclose([o[0] for o in ours], [t[0] for t in theirs], rtol=1e-6)
    assert [o[1] for o in ours] == [0.0] * 4  # the metric's own state never moved
    assert [o[2] for o in ours] == [t[2] for t in theirs]
    assert ours[0][0] == pytest.approx(0.58)  # by hand: the mean of yp


def test_stateless_update_with_the_wrong_state_names_what_it_expects():
    m = gk.metrics.Mean()
    with pytest.raises(ConfigError, match=r"Mean.stateless_update_state: metric_variables must be a list of 2 "
                                          r"values.*got a list of 1"):
        m.stateless_update_state([np.float32(0)], np.ones(3))
    with pytest.raises(ConfigError, match="stateless_result: metric_variables must be a list of 2"):
        m.stateless_result(None)


# ---- 6. keras.random -------------------------------------------------------------------------------------------

RANDOM_NAMES = ["normal", "uniform", "truncated_normal", "randint", "categorical", "dropout", "shuffle", "gamma",
                "binomial", "beta"]


def test_random_functions_take_keras_arguments_and_defaults():
    keras = _keras()
    for name in RANDOM_NAMES:
        ours, theirs = inspect.signature(getattr(gk.random, name)), inspect.signature(getattr(keras.random, name))
        assert [(p.name, p.default) for p in ours.parameters.values()] == \
            [(p.name, p.default) for p in theirs.parameters.values()], name
    assert list(inspect.signature(gk.random.SeedGenerator).parameters)[:2] == ["seed", "name"]


def test_random_seeds_int_repeats_generator_advances_global_follows_set_random_seed():
    a, b = gk.random.normal((3, 2), seed=7), gk.random.normal((3, 2), seed=7)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.numpy().dtype == np.float32 and a.shape == (3, 2)
    g1, g2 = gk.random.SeedGenerator(3), gk.random.SeedGenerator(3)
    first, second = gk.random.uniform((4,), seed=g1).numpy(), gk.random.uniform((4,), seed=g1).numpy()
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, gk.random.uniform((4,), seed=g2).numpy())
    gk.utils.set_random_seed(5)
    c = gk.random.normal((4,)).numpy()
    gk.utils.set_random_seed(5)
    np.testing.assert_array_equal(c, gk.random.normal((4,)).numpy())
    assert gk.random.SeedGenerator.from_config(g1.get_config()).get_config() == {"seed": 3, "name": "seed_generator"}


def test_random_distributions_have_their_moments_and_bounds():
    n = gk.random.normal((20000,), mean=2.0, stddev=3.0, seed=1).numpy()
    assert abs(n.mean() - 2.0) < 0.1 and abs(n.std() - 3.0) < 0.1
    u = gk.random.uniform((20000,), minval=-1.0, maxval=3.0, dtype="float64", seed=1).numpy()
    assert u.dtype == np.float64 and u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.05
    t = gk.random.truncated_normal((20000,), mean=1.0, stddev=0.5, seed=1).numpy()
    assert t.min() >= 0.0 and t.max() <= 2.0 and abs(t.mean() - 1.0) < 0.02
    r = gk.random.randint((5000,), 3, 7, seed=1).numpy()
    assert r.dtype == np.int32 and set(np.unique(r)) == {3, 4, 5, 6}
    probs = np.array([[0.1, 0.6, 0.3]])
    c = gk.random.categorical(np.log(probs), 20000, seed=1).numpy()
    assert c.shape == (1, 20000) and c.dtype == np.int32
    np.testing.assert_allclose(np.bincount(c[0], minlength=3) / 20000, probs[0], atol=0.015)
    g = gk.random.gamma((20000,), alpha=3.0, seed=1).numpy()
    assert abs(g.mean() - 3.0) < 0.1
    bi = gk.random.binomial((20000,), counts=10, probabilities=0.3, seed=1).numpy()
    assert abs(bi.mean() - 3.0) < 0.05 and bi.dtype == np.float32
    be = gk.random.beta((20000,), alpha=2.0, beta=6.0, seed=1).numpy()
    assert abs(be.mean() - 0.25) < 0.01


def test_random_dropout_scales_keeps_a_fraction_and_differentiates():
    x = gk.Tensor(np.ones((200, 50), "float32"), requires_grad=True)
    y = gk.random.dropout(x, 0.25, seed=3)
    vals = y.numpy()
    assert set(np.unique(vals)) == {0.0, np.float32(1 / 0.75)} and abs((vals == 0).mean() - 0.25) < 0.02
    gk.ops.sum(y).backward()
    np.testing.assert_array_equal(x.grad.numpy(), vals)  # d(sum)/dx is the kept mask over keep probability
    rows = gk.random.dropout(np.ones((6, 4), "float32"), 0.5, noise_shape=(None, 1), seed=2).numpy()
    assert all(len(set(r)) == 1 for r in rows)  # one draw per row, broadcast along the noise_shape's 1
    np.testing.assert_array_equal(gk.random.dropout(np.ones(3), 0.0).numpy(), np.ones(3))


def _shuffled(lib, x, axis):
    return np.asarray(lib.random.shuffle(x, axis=axis, seed=1))


def test_random_shuffle_moves_whole_slices_along_the_axis_as_keras():
    x = np.arange(12).reshape(4, 3)
    libs = [gk]
    try:  # Keras's TensorFlow backend moves whole slices too; without Keras, gradkit alone is checked
        import keras
        libs.append(keras)
    except ImportError:
        pass
    for lib in libs:
        rows, cols = _shuffled(lib, x, 0), _shuffled(lib, x, 1)
        assert sorted(map(tuple, rows)) == sorted(map(tuple, x)), lib.__name__  # each row intact, reordered
        assert sorted(map(tuple, cols.T)) == sorted(map(tuple, x.T)), lib.__name__
    t = gk.random.shuffle(gk.Tensor(x.astype("float32")), seed=2).numpy()
    assert sorted(map(tuple, t)) == sorted(map(tuple, x.astype("float32")))


def test_random_errors_name_the_argument_expected_and_given():
    with pytest.raises(ConfigError, match="normal requires a floating point dtype, got dtype='int32'"):
        gk.random.normal((2,), dtype="int32")
    with pytest.raises(ConfigTypeError, match="seed must be an int, a keras.random.SeedGenerator or None, got 'a'"):
        gk.random.uniform((2,), seed="a")
    with pytest.raises(ShapeError, match="categorical: logits should be a 2-D tensor .* got shape \\(3,\\)"):
        gk.random.categorical(np.zeros(3), 2)
    with pytest.raises(ConfigError, match=r"dropout: rate must be a number in \[0, 1\], got 1.5"):
        gk.random.dropout(np.ones(3), 1.5)
    with pytest.raises(ConfigError, match="maxval must be greater than minval, got minval=5, maxval=5"):
        gk.random.randint((2,), 5, 5)
    with pytest.raises(ConfigTypeError, match="SeedGenerator: seed must be an integer, got 1.5"):
        gk.random.SeedGenerator(1.5)


# ---- 7. keras.config traceback filtering -----------------------------------------------------------------------

def _fit_error_frames():
    model = gk.Sequential([gk.Input((3,)), gk.layers.Dense(2)])
    model.compile(loss="mse")
    try:
        model.fit(np.ones((4, 3)), np.ones((4, 5)), verbose=0)
    except ShapeError as e:
        return [f.filename for f in traceback.extract_tb(e.__traceback__)]
    raise AssertionError("fit accepted labels that do not fit the output")


def test_traceback_filtering_hides_gradkit_frames_until_disabled():
    package = os.path.dirname(gk.__file__)
    assert gk.config.is_traceback_filtering_enabled()
    inside = [f for f in _fit_error_frames() if f.startswith(package)]
    assert len(inside) <= 2  # the re-raise and the frame that raised: fit's internals are left out
    gk.config.disable_traceback_filtering()
    try:
        assert not gk.config.is_traceback_filtering_enabled()
        assert len([f for f in _fit_error_frames() if f.startswith(package)]) > len(inside)
    finally:
        gk.config.enable_traceback_filtering()
    assert gk.config.is_traceback_filtering_enabled()


def test_config_namespace_names_are_keras_ones():
    keras = _keras()
    for name in ("disable_traceback_filtering", "enable_traceback_filtering", "is_traceback_filtering_enabled"):
        assert callable(getattr(keras.config, name)) and callable(getattr(gk.config, name))


def _custom_dropout_fit(jit_compile):
    class CustomDropout(gk.layers.Layer):  # keras.io, "Making new layers and models via subclassing"
        def __init__(self, rate, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = gk.random.SeedGenerator(1337)

        def call(self, inputs, training=None):
            if training:
                return gk.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
            return inputs

    gk.utils.set_random_seed(0)
    model = gk.Sequential([gk.Input((8,)), gk.layers.Dense(16, activation="relu"), CustomDropout(0.5),
                           gk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", jit_compile=jit_compile)
    x = np.random.default_rng(0).random((64, 8)).astype("float32")
    history = model.fit(x, x.sum(1, keepdims=True), epochs=3, batch_size=16, verbose=0, shuffle=False).history
    return history["loss"], model


def test_seed_generator_dropout_layer_trains_compiled_as_it_does_eagerly():
    compiled, model = _custom_dropout_fit("auto")
    eager, _ = _custom_dropout_fit(False)
    assert compiled == eager  # bit for bit: the replay draws each step's mask from the generator
    assert model._compiled_step is not None and not model._compiled_step.eager
    np.testing.assert_array_equal(model.layers[1].seed_generator.state, [1337, 12])  # one draw per step


def _sampling_vae_fit(jit_compile):
    class Sampling(gk.layers.Layer):  # keras.io's VAE: z = mean + exp(log_var / 2) · ε, ε from a SeedGenerator
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = gk.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch, dim = gk.ops.shape(z_mean)[0], gk.ops.shape(z_mean)[1]
            epsilon = gk.random.normal(shape=(batch, dim), seed=self.seed_generator)
            return z_mean + gk.ops.exp(0.5 * z_log_var) * epsilon

    gk.utils.set_random_seed(0)
    inp = gk.Input((6,))
    h = gk.layers.Dense(8, activation="relu")(inp)
    z = Sampling()([gk.layers.Dense(2)(h), gk.layers.Dense(2)(h)])
    model = gk.Model(inp, gk.layers.Dense(6)(z))
    model.compile(optimizer="adam", loss="mse", jit_compile=jit_compile)
    x = np.random.default_rng(0).random((64, 6)).astype("float32")
    return model.fit(x, x, epochs=3, batch_size=16, verbose=0, shuffle=False).history["loss"], model


def test_random_normal_in_a_sampling_layer_trains_compiled_as_it_does_eagerly():
    compiled, model = _sampling_vae_fit("auto")
    assert compiled == _sampling_vae_fit(False)[0]
    assert not model._compiled_step.eager  # each replayed step drew a new ε from the generator


# ---- keras.saving: registered classes and custom-object scopes -------------------------------------------------

def _registered_program(lib, tmp_path, package):
    Scale = lib.saving.register_keras_serializable(package=package)(_scale_class(lib, base_config=True))

    class Shift(lib.layers.Layer):
        def __init__(self, by=1.0, **kwargs):
            super().__init__(**kwargs)
            self.by = by

        def call(self, x):
            return x + self.by

        def get_config(self):
            return {**super().get_config(), "by": self.by}

    inp = lib.Input((3,))
    model = lib.Model(inp, Shift(2.0)(Scale(3.0)(inp)))
    path = str(tmp_path / f"{lib.__name__}.keras")
    lib.saving.save_model(model, path)
    with lib.saving.custom_object_scope({"Shift": Shift}):
        loaded = lib.saving.load_model(path)  # Scale from the registry, Shift from the scope
    with pytest.raises(Exception) as outside:  # outside the scope, Shift is unknown
        lib.saving.load_model(path)
    return (lib.saving.get_registered_name(Scale), lib.utils.get_registered_object(f"{package}>Scale") is Scale,
            loaded.predict(np.ones((1, 3), "float32"), verbose=0).tolist(), type(loaded.layers[1]).__name__,
            outside.value)


def test_registered_layers_and_custom_object_scopes_load_as_keras(tmp_path):
    keras = _keras()
    ours = _registered_program(gk, tmp_path, "GkTest")
    theirs = _registered_program(keras, tmp_path, "GkTest")
    assert ours[:4] == theirs[:4] == ("GkTest>Scale", True, [[5.0, 5.0, 5.0]], "Scale")
    assert isinstance(ours[4], ConfigError) and "Shift" in str(ours[4]) and "custom_objects" in str(ours[4])


def test_register_keras_serializable_errors_name_the_argument():
    with pytest.raises(ConfigError, match="package must be a string without '>', got 'a>b'"):
        gk.saving.register_keras_serializable(package="a>b")

    class NoConfig:
        pass
    with pytest.raises(ConfigError, match="cannot register NoConfig, which has no get_config"):
        gk.saving.register_keras_serializable()(NoConfig)
    with pytest.raises(ConfigError, match="custom_objects must be a dict"):
        gk.saving.custom_object_scope(["Shift"])


@gk.saving.register_keras_serializable(package="GkTest")
class _Net(gk.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.d = gk.layers.Dense(units)

    def call(self, x):
        return self.d(x)

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_registered_subclassed_model_saved_whole_loads_built_and_trains_on(tmp_path):
    x = np.random.default_rng(0).random((8, 3)).astype("float32")
    y = x @ np.ones((3, 2), "float32")
    model = _Net(2)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, verbose=0, shuffle=False)
    path = str(tmp_path / "net.keras")
    model.save(path)
    loaded = gk.models.load_model(path)  # no custom_objects: the class is registered; built from build_config
    assert type(loaded) is _Net and loaded.units == 2
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    more = model.fit(x, y, epochs=2, verbose=0, shuffle=False).history["loss"]
    assert loaded.fit(x, y, epochs=2, verbose=0, shuffle=False).history["loss"] == more  # Adam's state came back


def test_fit_warnings_still_point_at_the_caller_under_traceback_filtering():
    model = gk.Sequential([gk.Input((2,)), gk.layers.Dense(1)])
    model.compile(optimizer=gk.optimizers.SGD(1e30), loss="mse")
    with pytest.warns(RuntimeWarning, match="the loss became") as record:
        model.fit(np.ones((8, 2), "float32") * 1e20, np.ones((8, 1), "float32"), verbose=0)
    assert record[0].filename == __file__


# ---- ignore_class: the mean over the valid entries (Keras masks the loss) -------------------------------------

def _ignore_class_program(lib):
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]], "float32")
    y = np.array([0, 2, 1])
    scce = lib.losses.SparseCategoricalCrossentropy
    direct = [float(np.asarray(scce(ignore_class=0)(y, p))),
              float(np.asarray(scce(ignore_class=0)(y, p, sample_weight=np.array([1., 2., 3.], "float32")))),
              float(np.asarray(scce(ignore_class=0, reduction="sum")(y, p))),
              float(np.asarray(scce(ignore_class=0, from_logits=True)(y, p)))]
    rng = np.random.default_rng(0)
    x, labels = rng.random((32, 4)).astype("float32"), rng.integers(0, 3, 32)
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="softmax", kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss=scce(ignore_class=0))
    history = model.fit(x, labels, epochs=2, batch_size=8, verbose=0, shuffle=False).history["loss"]
    return direct, history, float(model.evaluate(x, labels, verbose=0))


def test_sparse_crossentropy_ignore_class_averages_over_the_valid_entries_as_keras():
    keras = _keras()
    ours, theirs = _ignore_class_program(gk), _ignore_class_program(keras)
    assert ours[0][0] == pytest.approx((-np.log(0.7 / 1.0) - np.log(0.3)) / 2, rel=1e-6)  # by hand: 2 valid rows
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5)


# ---- keras.io "Training & evaluation with built-in methods": dict loss_weights, a None loss for one output ------

def _two_output_program(lib, **compile_kw):
    inp = lib.Input((6,), name="features")
    h = lib.layers.Dense(4, activation="relu", kernel_initializer="ones")(inp)
    score = lib.layers.Dense(1, name="score_output", kernel_initializer="ones")(h)
    klass = lib.layers.Dense(5, activation="softmax", name="class_output", kernel_initializer="ones")(h)
    model = lib.Model(inp, [score, klass])
    model.compile(optimizer=lib.optimizers.RMSprop(1e-3), **compile_kw)
    rng = np.random.default_rng(0)
    x, s, c = rng.random((20, 6)).astype("float32"), rng.random((20, 1)).astype("float32"), \
        rng.random((20, 5)).astype("float32")
    c /= c.sum(axis=1, keepdims=True)  # soft labels summing to 1 (for others, TensorFlow's fused gradient is p − y,
    # not the loss's p·Σy − y that gradkit takes; the keras.io guide's random targets would differ for that reason)
    return _rounded(model.fit(x, {"score_output": s, "class_output": c}, batch_size=10, epochs=2, verbose=0,
                              shuffle=False).history)


@pytest.mark.parametrize("compile_kw", [
    {"loss": {"score_output": "mse", "class_output": "categorical_crossentropy"},
     "loss_weights": {"score_output": 2.0, "class_output": 1.0}},
    {"loss": [None, "categorical_crossentropy"]},
], ids=["dict-loss-weights", "no-loss-for-one-output"])
def test_dict_loss_weights_and_a_none_loss_train_as_keras(compile_kw):
    keras = _keras()
    ours, theirs = _two_output_program(gk, **compile_kw), _two_output_program(keras, **compile_kw)
    assert ours.keys() == theirs.keys()
    for k in theirs:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-4, err_msg=k)


def test_loss_weights_errors_name_the_outputs():
    with pytest.raises(ConfigError, match=r"loss_weights has no weight for output\(s\) \['class_output'\]"):
        _two_output_program(gk, loss="mse", loss_weights={"score_output": 2.0})
    with pytest.raises(ConfigError, match="loss_weights must be a number, a list of 2 .* got 3 weights"):
        _two_output_program(gk, loss="mse", loss_weights=[1.0, 2.0, 3.0])
