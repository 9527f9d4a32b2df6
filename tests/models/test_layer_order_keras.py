"""A functional model lists its layers (and so its weights) in Keras 3's order: deepest first, ties in the order a
depth-first walk from the outputs meets them — so Keras's get_weights() loads into gradkit by position."""
import numpy as np
import pytest

import gradkit


def encoder_decoder(keras):
    """keras.io RNN guide's encoder-decoder: the decoder's Embedding is created after the encoder's."""
    layers = keras.layers
    encoder_input = layers.Input(shape=(None,))
    encoder_embedded = layers.Embedding(input_dim=1000, output_dim=8)(encoder_input)
    _, state_h, state_c = layers.LSTM(8, return_state=True, name="encoder")(encoder_embedded)
    decoder_input = layers.Input(shape=(None,))
    decoder_embedded = layers.Embedding(input_dim=2000, output_dim=8)(decoder_input)
    decoder_output = layers.LSTM(8, name="decoder")(decoder_embedded, initial_state=[state_h, state_c])
    return keras.Model([encoder_input, decoder_input], layers.Dense(10, name="dense")(decoder_output))


def inception(keras):
    """Three branches of unequal depth and two outputs."""
    L = keras.layers
    i = L.Input((8, 8, 3), name="in")
    a = L.Conv2D(2, 1, name="a")(i)
    b = L.Conv2D(2, 3, padding="same", name="b")(L.Conv2D(2, 1, name="b0")(i))
    c = L.Conv2D(2, 1, name="c")(L.MaxPooling2D(3, 1, padding="same", name="c0")(i))
    x = L.concatenate([a, b, c], name="cat")
    y = L.Dense(1, name="head")(L.Flatten(name="f")(x))
    z = L.Dense(2, name="aux")(L.GlobalAveragePooling2D(name="g")(b))
    return keras.Model(i, [y, z])


def test_layers_deepest_first_then_in_walk_order():
    assert [layer.name for layer in inception(gradkit).layers] == [
        "in", "b0", "c0", "a", "b", "c", "cat", "f", "g", "head", "aux"]
    shapes = [w.shape for w in encoder_decoder(gradkit).get_weights()]
    assert shapes[:2] == [(1000, 8), (2000, 8)]  # the encoder's Embedding (deeper) first


@pytest.mark.parametrize("build", [encoder_decoder, inception])
def test_keras_weights_load_by_position_and_predict_the_same(build):
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow", reason="real Keras needs tensorflow-cpu")
    km, gm = build(keras), build(gradkit)
    assert [layer.name.rstrip("_0123456789") for layer in gm.layers] == \
        [layer.name.rstrip("_0123456789") for layer in km.layers]
    gm.set_weights(km.get_weights())
    r = np.random.default_rng(3)
    x = [r.integers(0, 1000, (2, 5)), r.integers(0, 2000, (2, 4))] if build is encoder_decoder else \
        r.random((2, 8, 8, 3)).astype("float32")
    expected, got = km.predict(x, verbose=0), gm.predict(x, verbose=0)
    expected, got = (expected, got) if isinstance(expected, list) else ([expected], [got])
    for k, g in zip(expected, got, strict=True):
        np.testing.assert_allclose(g, k, rtol=1e-5, atol=1e-6)
