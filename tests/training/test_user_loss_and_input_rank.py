"""keras.io's siamese_contrastive, in pieces: a user's loss that returns the batch mean, given labels (n,) beside
predictions (n, 1), and images (n, 28, 28) fed to Input((28, 28, 1)). Keras matches the ranks of y_true/y_pred
(squeeze_or_expand_to_same_rank), takes a scalar loss as the batch's loss in fit, evaluate and validation alike,
and adds or drops a trailing axis of size 1 on a functional model's inputs (Functional._adjust_input_rank)."""
import numpy as np
import pytest

import gradkit

R = np.random.default_rng(5)
X = R.random((8, 3)).astype("float32")
Y = R.integers(0, 2, 8).astype("float32")


def contrastive(ops):
    """keras.io siamese_contrastive's loss(margin=1): a mean over the batch, one scalar."""
    def contrastive_loss(y_true, y_pred):
        return ops.mean((1 - y_true) * ops.square(y_pred) + y_true * ops.square(ops.maximum(1 - y_pred, 0)))
    return contrastive_loss


def dense_model(lib, weights=None):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1, activation="sigmoid")])
    if weights is not None:
        model.set_weights(weights)
    model.compile(loss=contrastive(lib.ops), optimizer="rmsprop")
    return model


def by_hand(p, y):
    """The loss with y as (n, 1) beside p (n, 1), the way Keras hands them to the function."""
    y = y.reshape(-1, 1)
    return float(np.mean((1 - y) * p ** 2 + y * np.maximum(1 - p, 0) ** 2))


def test_a_scalar_user_loss_is_the_batch_loss_in_evaluate_and_validation():
    model = dense_model(gradkit)
    p = model.predict(X, verbose=0)
    want = by_hand(p, Y)  # not the (8, 8) broadcast, and not divided by the batch size
    assert model.evaluate(X, Y, verbose=0) == pytest.approx(want, rel=1e-6)
    assert model.evaluate(X, Y, batch_size=3, verbose=0) == pytest.approx(
        (3 * by_hand(p[:3], Y[:3]) + 3 * by_hand(p[3:6], Y[3:6]) + 2 * by_hand(p[6:], Y[6:])) / 8, rel=1e-6)
    history = dense_model(gradkit, model.get_weights()).fit(X, Y, validation_data=(X, Y), epochs=1, batch_size=8,
                                                             shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(want, rel=1e-6)


def test_an_input_one_axis_short_of_its_trailing_1_gets_it():
    inp = gradkit.Input((6, 1))
    model = gradkit.Model(inp, gradkit.layers.Dense(2)(gradkit.layers.Flatten()(inp)))
    x = R.random((4, 6)).astype("float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x[..., None], verbose=0))
    inp = gradkit.Input((6,))
    flat = gradkit.Model(inp, gradkit.layers.Dense(2)(inp))
    np.testing.assert_array_equal(flat.predict(x[..., None], verbose=0), flat.predict(x, verbose=0))
    with pytest.raises(gradkit.errors.ShapeError, match=r"\(None, 6, 1\)"):
        model.predict(x[:, :5], verbose=0)


def test_both_match_keras():
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow", reason="real Keras needs tensorflow-cpu")
    km = dense_model(keras)
    gm = dense_model(gradkit, km.get_weights())
    assert gm.evaluate(X, Y, batch_size=3, verbose=0) == pytest.approx(km.evaluate(X, Y, batch_size=3, verbose=0),
                                                                        rel=1e-5)
    kh = km.fit(X, Y, validation_data=(X[:5], Y[:5]), epochs=2, batch_size=8, verbose=0).history
    gh = gm.fit(X, Y, validation_data=(X[:5], Y[:5]), epochs=2, batch_size=8, verbose=0).history
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(gh[key], kh[key], rtol=1e-5, err_msg=key)
    x = R.random((4, 6)).astype("float32")
    outs = []
    for lib in (keras, gradkit):
        inp = lib.Input((6, 1))
        model = lib.Model(inp, lib.layers.Dense(2)(lib.layers.Flatten()(inp)))
        if outs:
            model.set_weights(weights)
        weights = model.get_weights()
        outs.append(model.predict(x, verbose=0))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)
