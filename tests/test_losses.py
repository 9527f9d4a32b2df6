"""Losses: Keras's documented values, gradchecks in float64, stability, fusion and label checks."""
import numpy as np
import pytest

import gradkit
from gradkit import Tensor, losses
from gradkit.errors import ConfigError, DataError, ShapeError
from gradkit.gradcheck import gradcheck

TOL = 1e-6

# Values from the examples in Keras's loss docstrings.
YT2, YP2 = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]
YT3, YP3 = [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]


@pytest.mark.parametrize("loss,y_true,y_pred,want", [
    (losses.MeanSquaredError(), YT2, YP2, 0.5),
    (losses.MeanAbsoluteError(), YT2, YP2, 0.5),
    (losses.Huber(), YT2, [[0.6, 0.4], [0.4, 0.6]], 0.155),
    (losses.BinaryCrossentropy(), YT2, [[0.6, 0.4], [0.4, 0.6]], 0.815),
    (losses.BinaryCrossentropy(from_logits=True), [0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8], 0.865),
    (losses.CategoricalCrossentropy(), YT3, YP3, 1.177),
    (losses.SparseCategoricalCrossentropy(), [1, 2], YP3, 1.177),
])
def test_keras_documented_values(loss, y_true, y_pred, want):
    value = loss(np.array(y_true, dtype=np.float32), np.array(y_pred, dtype=np.float32))
    assert value.shape == () and value.dtype == np.float32
    assert value.item() == pytest.approx(want, abs=1e-3)


def test_sample_weight_sum_over_batch_size():
    # Keras: mse(y_true, y_pred, sample_weight=[0.7, 0.3]) == 0.25
    assert losses.MeanSquaredError()(np.array(YT2), np.array(YP2), sample_weight=[0.7, 0.3]).item() == \
        pytest.approx(0.25)


def test_per_sample_shapes_and_aliases():
    y = np.zeros((5, 1), np.float32)
    for name in ("mse", "MSE", "mean_squared_error", "mae", "MAE", "huber", "binary_crossentropy"):
        assert losses.get(name)(y, y + 0.25).shape == (5,)
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.get("mse").name == "mean_squared_error" and losses.get("MAE").name == "mean_absolute_error"
    # (n,) labels beside (n, 1) predictions: Keras expands the labels, it does not broadcast to (n, n)
    assert losses.mean_squared_error(np.zeros(5), np.ones((5, 1))).data.tolist() == [1.0] * 5


def test_get_names_and_flags():
    assert losses.get(losses.BinaryCrossentropy(from_logits=True)).from_logits
    assert losses.get(losses.BinaryCrossentropy(from_logits=True)).name == "binary_crossentropy"
    assert losses.get(losses.binary_crossentropy).name == "binary_crossentropy"
    custom = losses.get(lambda t, p: 2.0 * losses.binary_crossentropy(t, p))
    assert not custom.from_logits and not custom.builtin
    cfg = losses.get(losses.CategoricalCrossentropy(label_smoothing=0.1)).get_config()
    again = losses.get(cfg)
    assert again.name == "categorical_crossentropy" and again.kwargs["label_smoothing"] == 0.1
    with pytest.raises(ConfigError, match="mean_squared_error"):
        losses.get("mean_sqared_error")


R = np.random.default_rng(3)
PROBS = R.dirichlet(np.ones(4), 5)
ONEHOT = np.eye(4)[[0, 3, 1, 1, 2]]


@pytest.mark.parametrize("fn,y_true,y_pred", [
    (losses.mean_squared_error, R.standard_normal((5, 3)), R.standard_normal((5, 3))),
    (losses.mean_absolute_error, R.standard_normal((5, 3)), R.standard_normal((5, 3)) + 0.1),
    (losses.huber, R.standard_normal((5, 3)), R.standard_normal((5, 3)) * 2),
    (losses.binary_crossentropy, R.integers(0, 2, (5, 1)), R.uniform(0.05, 0.95, (5, 1))),
    (lambda t, p: losses.binary_crossentropy(t, p, label_smoothing=0.2), R.integers(0, 2, (5, 2)),
     R.uniform(0.05, 0.95, (5, 2))),
    (lambda t, p: losses.binary_crossentropy(t, p, from_logits=True), R.integers(0, 2, (5, 1)),
     R.standard_normal((5, 1)) * 3),
    (losses.categorical_crossentropy, ONEHOT, PROBS),
    (lambda t, p: losses.categorical_crossentropy(t, p, from_logits=True, label_smoothing=0.1), ONEHOT,
     R.standard_normal((5, 4))),
    (losses.sparse_categorical_crossentropy, np.array([0, 3, 1, 1, 2]), PROBS),
    (lambda t, p: losses.sparse_categorical_crossentropy(t, p, from_logits=True), np.array([[0], [3], [1], [1], [2]]),
     R.standard_normal((5, 4))),
])
def test_gradcheck(float64, fn, y_true, y_pred):
    # floor: gradients under 1e-3 are judged on absolute error (central differences carry ~1e-10 of rounding)
    res = gradcheck(lambda p: fn(y_true, p), [Tensor(np.asarray(y_pred, np.float64), requires_grad=True)],
                    floor=1e-3)
    assert res.max_rel_error < TOL, res.worst


def test_probability_losses_are_stable():
    y = np.array([[1.0], [0.0]], np.float32)
    p = Tensor(np.array([[0.0], [1.0]], np.float32), requires_grad=True)
    loss = losses.binary_crossentropy(y, p)
    np.testing.assert_allclose(loss.data, -np.log(1e-7), rtol=0.02)  # clipped to Keras's epsilon (in float32), not inf
    cce = losses.categorical_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]], np.float32))
    assert np.isfinite(cce.data).all()
    assert np.isfinite(losses.binary_crossentropy(y, np.array([[1e4], [-1e4]], np.float32), from_logits=True).data).all()


def test_custom_loss_from_builtins_differentiates(float64):
    p = Tensor(np.array([[0.3], [0.8]]), requires_grad=True)
    loss = losses.get(lambda t, q: 2.0 * losses.binary_crossentropy(t, q))(np.array([1.0, 0.0]), p)
    loss.sum().backward()
    # d/dp of −2[y log p + (1−y) log(1−p)] = −2y/p + 2(1−y)/(1−p)
    np.testing.assert_allclose(p.grad.data.ravel(), [-2 / 0.3, 2 / 0.2])


@pytest.mark.parametrize("loss,act,labels", [
    ("categorical_crossentropy", "softmax", ONEHOT),
    ("sparse_categorical_crossentropy", "softmax", np.array([0, 3, 1, 1, 2])),
    ("binary_crossentropy", "sigmoid", R.integers(0, 2, (5, 4)).astype(float)),
])
def test_fused_from_logits_matches_unfused(float64, loss, act, labels):
    z = R.standard_normal((5, 4))
    fused = losses.fused_from_logits(loss, act)
    assert fused is not None and fused.from_logits and fused.name == loss
    probs = gradkit.activations.get(act)(Tensor(z))
    np.testing.assert_allclose(fused(labels, z).data, losses.get(loss)(labels, probs).data, rtol=1e-9)


def test_fused_from_logits_declines():
    assert losses.fused_from_logits("mse", "sigmoid") is None
    assert losses.fused_from_logits("binary_crossentropy", "softmax") is None
    assert losses.fused_from_logits(losses.BinaryCrossentropy(from_logits=True), "sigmoid") is None
    assert losses.fused_from_logits(lambda t, p: p, "softmax") is None


def test_check_labels():
    with pytest.raises(DataError, match="sparse_categorical_crossentropy"):
        losses.check_labels("categorical_crossentropy", (100,), (100, 10))
    with pytest.raises(DataError, match="sparse_categorical_crossentropy"):
        losses.check_labels("categorical_crossentropy", (100, 1), (100, 10))
    with pytest.raises(DataError, match="loss='categorical_crossentropy'"):
        losses.check_labels("sparse_categorical_crossentropy", (100, 10), (100, 10))
    with pytest.raises(ShapeError):
        losses.check_labels("mse", (100, 3), (100, 1))
    losses.check_labels("categorical_crossentropy", (100, 10), (100, 10))
    losses.check_labels("sparse_categorical_crossentropy", (100, 1), (100, 10))
    losses.check_labels("binary_crossentropy", (100,), (100, 1))


def test_categorical_crossentropy_rejects_integer_labels_directly():
    with pytest.raises(DataError, match="sparse_categorical_crossentropy"):
        losses.categorical_crossentropy(np.array([1, 2]), np.full((2, 3), 1 / 3))


def test_sparse_labels_out_of_range():
    for from_logits in (False, True):
        with pytest.raises(DataError, match=r"\[0, 3\)"):
            losses.sparse_categorical_crossentropy(np.array([0, 3]), np.full((2, 3), 1 / 3), from_logits=from_logits)


def test_loss_function_mean_is_the_batch_mean_of_per_sample_values(float64):
    r = np.random.default_rng(4)
    y, p = r.standard_normal((6, 2)), Tensor(r.standard_normal((6, 2)), requires_grad=True)
    for name in ("mse", "mae", "huber"):
        fn = losses.get(name)
        assert float(fn.mean(y, p).data) == pytest.approx(float(fn(y, p).data.mean()), rel=1e-12)
    losses.get("mse").mean(y, p).backward()
    np.testing.assert_allclose(p.grad.data, 2 * (p.data - y) / y.size, rtol=1e-12)


def test_categorical_mean_from_logits_is_the_batch_mean(float64):
    r = np.random.default_rng(6)
    y, z = np.eye(3)[r.integers(0, 3, 5)], Tensor(r.standard_normal((5, 3)), requires_grad=True)
    fn = losses.get(losses.CategoricalCrossentropy(from_logits=True))
    assert float(fn.mean(y, z).data) == pytest.approx(float(fn(y, z).data.mean()), rel=1e-12)


# ---- Keras 3's further losses -------------------------------------------------------------------------------
RL = np.random.default_rng(5)
PM1 = RL.choice([-1.0, 1.0], (4, 3))
BIN = RL.integers(0, 2, (4, 3)).astype(float)
POS = RL.uniform(0.1, 2.0, (4, 3))
DIST_T, DIST_P = RL.dirichlet(np.ones(3), 4), RL.dirichlet(np.ones(3), 4)
SCORES = RL.standard_normal((4, 3))
POS_R, SCORES_R = POS[::-1].copy(), SCORES[::-1].copy()  # own memory: gradcheck perturbs y_pred in place


def _np_cos(t, p):
    return -(t * p).sum(-1) / np.linalg.norm(t, axis=-1) / np.linalg.norm(p, axis=-1)


MORE = [
    ("hinge", PM1, SCORES, lambda t, p: np.maximum(1 - t * p, 0).mean(-1)),
    ("hinge", BIN, SCORES, lambda t, p: np.maximum(1 - (2 * t - 1) * p, 0).mean(-1)),  # 0/1 labels → −1/1
    ("squared_hinge", BIN, SCORES, lambda t, p: (np.maximum(1 - (2 * t - 1) * p, 0) ** 2).mean(-1)),
    ("categorical_hinge", np.eye(3)[[0, 2, 1, 1]], SCORES,
     lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0)),
    ("kl_divergence", DIST_T, DIST_P, lambda t, p: (t * np.log(t / p)).sum(-1)),
    ("poisson", POS, POS_R, lambda t, p: (p - t * np.log(p + 1e-7)).mean(-1)),
    ("log_cosh", SCORES, SCORES_R, lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    ("cosine_similarity", SCORES, SCORES_R, _np_cos),
    ("mean_absolute_percentage_error", POS, SCORES, lambda t, p: 100 * np.abs((t - p) / t).mean(-1)),
    ("mean_squared_logarithmic_error", POS, POS_R, lambda t, p: ((np.log1p(p) - np.log1p(t)) ** 2).mean(-1)),
]
MORE_IDS = [f"{n}-{i}" for i, (n, *_) in enumerate(MORE)]


@pytest.mark.parametrize("name,y_true,y_pred,want", MORE, ids=MORE_IDS)
def test_more_losses_values_gradients_and_classes(float64, name, y_true, y_pred, want):
    fn = losses.get(name)
    np.testing.assert_allclose(fn(y_true, y_pred).numpy(), want(y_true, y_pred), rtol=1e-10)
    res = gradcheck(lambda p: fn(y_true, p), [Tensor(y_pred, requires_grad=True)], floor=1e-3)
    assert res.max_rel_error < TOL, res.worst
    cls = losses._CLASSES[[c for c, k in losses._CLASSES.items() if k.fn is fn.fn][0]]
    obj = cls()
    assert obj.name == name and cls.from_config(obj.get_config()).get_config() == obj.get_config()
    np.testing.assert_allclose(obj(y_true, y_pred).numpy(), want(y_true, y_pred).mean(), rtol=1e-10)


def test_more_loss_aliases_and_metric_forms():
    assert losses.get("kld").name == "kl_divergence" and losses.get("mape").name == "mean_absolute_percentage_error"
    assert losses.get("msle").name == "mean_squared_logarithmic_error"
    assert losses.get("KLDivergence").name == "kl_divergence"
    m = gradkit.metrics.CosineSimilarity()
    m.update_state(SCORES, SCORES_R)
    assert m.result().item() == pytest.approx(-_np_cos(SCORES, SCORES_R).mean(), rel=1e-6)
    for cls, fn in [(gradkit.metrics.Hinge, "hinge"), (gradkit.metrics.KLDivergence, "kl_divergence"),
                    (gradkit.metrics.Poisson, "poisson"), (gradkit.metrics.LogCoshError, "log_cosh")]:
        m = cls()
        m.update_state(POS, POS_R)
        assert m.result().item() == pytest.approx(losses.get(fn)(POS, POS_R).numpy().mean(), rel=1e-6)


def test_hinge_trains_under_the_compiled_step():
    x = RL.standard_normal((64, 2)).astype("float32")
    y = (x[:, :1] + x[:, 1:] > 0).astype("float32")  # 0/1 labels: converted per batch by an op
    model = gradkit.Sequential([gradkit.Input((2,)), gradkit.layers.Dense(1)])
    model.compile(gradkit.optimizers.SGD(0.1), "hinge", metrics=["hinge"])
    h = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert not model._compiled_step.eager and h.history["loss"][-1] < h.history["loss"][0]


def test_more_losses_equal_keras():
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow")
    for name, y_true, y_pred, _ in MORE:
        t, p = y_true.astype("float32"), y_pred.astype("float32")
        np.testing.assert_allclose(losses.get(name)(t, p).numpy(), np.asarray(keras.losses.get(name)(t, p)),
                                   rtol=2e-6, atol=1e-6, err_msg=name)
        cls = [c for c, k in losses._CLASSES.items() if k.fn.__name__ == name][0]
        np.testing.assert_allclose(losses._CLASSES[cls]()(t, p).numpy(), np.asarray(getattr(keras.losses, cls)()(t, p)),
                                   rtol=2e-6, err_msg=cls)
    for cls in ("Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson", "LogCoshError",
                "CosineSimilarity"):
        ours, theirs = getattr(gradkit.metrics, cls)(), getattr(keras.metrics, cls)()
        t, p = DIST_T.astype("float32"), DIST_P.astype("float32")
        ours.update_state(t, p)
        theirs.update_state(t, p)
        assert ours.name == theirs.name
        np.testing.assert_allclose(ours.result().numpy(), np.asarray(theirs.result()), rtol=2e-6, err_msg=cls)
