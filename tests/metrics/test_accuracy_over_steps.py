"""Compiled metrics on per-step outputs (batch, steps, classes), as keras.io's addition RNN compiles them: each
sample's value is the mean over its steps (Keras's Mean), so "accuracy" lies in [0, 1]; compared with real Keras 3
(skipped where tensorflow is not installed) and with the count by hand."""
import numpy as np
import pytest

keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
pytest.importorskip("tensorflow", reason="real Keras needs tensorflow-cpu")

import gradkit  # noqa: E402
from gradkit import layers as G  # noqa: E402

CHARS = "0123456789+ "
DIGITS, MAXLEN = 2, 5  # "ab+cd" questions, answers of DIGITS + 1 characters


def addition_data(n, seed):
    """keras.io addition_rnn's data at a small size: questions padded to MAXLEN, answers one-hot per character."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, MAXLEN, len(CHARS)), "float32")
    y = np.zeros((n, DIGITS + 1, len(CHARS)), "float32")
    for i in range(n):
        a, b = (int(rng.integers(0, 10 ** DIGITS)) for _ in range(2))
        for t, ch in enumerate(f"{a}+{b}".ljust(MAXLEN)):
            x[i, t, CHARS.index(ch)] = 1
        for t, ch in enumerate(str(a + b).ljust(DIGITS + 1)):
            y[i, t, CHARS.index(ch)] = 1
    return x, y


def addition_model(lib, mod):
    return lib.Sequential([mod.Input((MAXLEN, len(CHARS))), mod.LSTM(16), mod.RepeatVector(DIGITS + 1),
                           mod.LSTM(16, return_sequences=True), mod.Dense(len(CHARS), activation="softmax")])


def test_addition_rnn_accuracy_is_the_mean_over_steps_as_keras():
    x, y = addition_data(40, 0)
    km, gm = addition_model(keras, keras.layers), addition_model(gradkit, G)
    gm.set_weights(km.get_weights())
    for m, lib in ((km, keras), (gm, gradkit)):
        m.compile(loss="categorical_crossentropy", optimizer=lib.optimizers.SGD(0.5), metrics=["accuracy"])
    hand = float((gm.predict(x, verbose=0).argmax(-1) == y.argmax(-1)).mean())
    k_loss, k_acc = km.evaluate(x, y, batch_size=16, verbose=0)
    g_loss, g_acc = gm.evaluate(x, y, batch_size=16, verbose=0)
    assert 0 <= g_acc <= 1
    np.testing.assert_allclose([g_loss, g_acc], [k_loss, k_acc], rtol=1e-5)
    np.testing.assert_allclose(g_acc, hand, rtol=1e-6)
    hk = km.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    hg = gm.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hg["accuracy"], hk["accuracy"], rtol=1e-5)
    np.testing.assert_allclose(hg["loss"], hk["loss"], rtol=1e-4)


def keras_or_gradkit_metric(model):
    """A metric object (not a name): SparseCategoricalAccuracy of the model's own library."""
    lib = gradkit if isinstance(model, gradkit.Model) else keras
    return lib.metrics.SparseCategoricalAccuracy(name="sca")


def test_sparse_labels_per_step_match_keras():
    x, y = addition_data(30, 1)
    labels = y.argmax(-1)
    km, gm = addition_model(keras, keras.layers), addition_model(gradkit, G)
    gm.set_weights(km.get_weights())
    for m in (km, gm):
        m.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["accuracy", "sparse_top_k_categorical_accuracy", keras_or_gradkit_metric(m)])
    want = km.evaluate(x, labels, batch_size=7, verbose=0, return_dict=True)
    got = gm.evaluate(x, labels, batch_size=7, verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, err_msg=key)
