"""Masks downstream of Embedding(mask_zero=True), as Keras: they pass through Dense / Activation / Dropout,
merge in Add and Concatenate, restrict GlobalAveragePooling1D's mean to the valid steps, and restrict the
loss of a sequence output to its valid entries (Keras's apply_mask: masked entries weigh 0, the rest
total/valid)."""
import numpy as np
import pytest

import gradkit
from gradkit import layers

N, T, VOCAB, C = 4, 6, 12, 3


def _ids():
    rng = np.random.default_rng(0)
    ids = rng.integers(1, VOCAB, size=(N, T))
    for i, n_pad in enumerate([2, 0, 5, 3]):
        ids[i, :n_pad] = 0
    return ids


def _seq2seq(lib, units=5):
    inp = lib.Input((T,), dtype="int32")
    h = lib.layers.Embedding(VOCAB, 4, mask_zero=True)(inp)
    h = lib.layers.LSTM(units, return_sequences=True)(h)
    return lib.Model(inp, lib.layers.Dense(C, activation="softmax")(h))


def test_sequence_loss_is_the_mean_over_valid_steps():
    gradkit.utils.set_random_seed(1)
    ids, labels = _ids(), np.random.default_rng(2).integers(0, C, size=(N, T))
    model = _seq2seq(gradkit)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    p = model.predict(ids, verbose=0)
    ce = -np.log(np.take_along_axis(p, labels[..., None], -1)[..., 0])
    valid = ids != 0
    expected = ce[valid].mean()
    assert abs(expected - ce.mean()) > 1e-4  # the mask matters for this batch
    np.testing.assert_allclose(model.evaluate(ids, labels, batch_size=N, verbose=0), expected, rtol=1e-5)
    h = model.fit(ids, labels, batch_size=N, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"][0], expected, rtol=1e-5)


def test_masked_loss_trains_the_same_compiled_and_eager():
    ids, labels = np.tile(_ids(), (3, 1)), np.random.default_rng(3).integers(0, C, size=(3 * N, T))
    weights = []
    for jit in ("auto", False):
        gradkit.utils.set_random_seed(4)
        model = _seq2seq(gradkit)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=jit)
        model.fit(ids, labels, batch_size=N, epochs=2, shuffle=False, verbose=0)
        if jit == "auto":
            assert model._compiled_step is not None and not model._compiled_step.eager
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_global_average_pooling_1d_averages_the_valid_steps():
    ids = _ids()
    emb = layers.Embedding(VOCAB, 4, mask_zero=True)
    x = emb(ids)
    out = layers.GlobalAveragePooling1D()(x).data
    e, valid = x.data, (ids != 0)[..., None]
    np.testing.assert_allclose(out, (e * valid).sum(1) / valid.sum(1), rtol=1e-6)
    assert getattr(layers.GlobalAveragePooling1D()(x), "_keras_mask", None) is None


def test_masks_pass_through_dense_and_merge():
    ids = _ids()
    a = layers.Embedding(VOCAB, 4, mask_zero=True)(ids)
    b = layers.Embedding(VOCAB, 4, mask_zero=True)(np.where(np.arange(T) == T - 1, 0, ids))
    assert np.array_equal(layers.Dense(2)(a)._keras_mask.data, ids != 0)
    assert np.array_equal(layers.Add()([a, b])._keras_mask.data, ids != 0)  # OR of the two
    cat = layers.Concatenate(axis=1)([a, b])._keras_mask.data
    assert cat.shape == (N, 2 * T) and np.array_equal(cat, np.concatenate([ids != 0, b._keras_mask.data], 1))
    assert getattr(layers.Add()([a, layers.Dense(4)(np.ones((N, T, 4), "float32"))]), "_keras_mask", None) is None


@pytest.fixture
def keras():
    import os
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


def _same_step(keras, build, x, y, loss):
    km, gm = build(keras), build(gradkit)
    gm.set_weights(km.get_weights())
    np.testing.assert_allclose(gm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    km.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss)
    gm.compile(optimizer=gradkit.optimizers.SGD(0.5), loss=loss)
    np.testing.assert_allclose(gm.evaluate(x, y, batch_size=N, verbose=0),
                               km.evaluate(x, y, batch_size=N, verbose=0), rtol=1e-5)
    km.train_on_batch(x, y)
    gm.fit(x, y, batch_size=N, epochs=1, shuffle=False, verbose=0)
    for kw, gw in zip(km.get_weights(), gm.get_weights()):
        np.testing.assert_allclose(gw, kw, rtol=1e-5, atol=2e-6)


def test_masked_sequence_loss_matches_keras(keras):
    labels = np.random.default_rng(5).integers(0, C, size=(N, T))
    _same_step(keras, _seq2seq, _ids(), labels, "sparse_categorical_crossentropy")


def test_masked_global_average_pooling_matches_keras(keras):
    def build(lib):
        inp = lib.Input((T,), dtype="int32")
        h = lib.layers.Embedding(VOCAB, 4, mask_zero=True)(inp)
        return lib.Model(inp, lib.layers.Dense(1, activation="sigmoid")(lib.layers.GlobalAveragePooling1D()(h)))
    _same_step(keras, build, _ids(), np.array([0, 1, 1, 0], "float32"), "binary_crossentropy")
