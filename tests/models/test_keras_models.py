"""Models as keras.io's functional-API, sequential-model and subclassing guides use them (our own code in their
style): models called as layers, subclassed models, layer.input/output, output_shape, config keys, clear_session."""
import json

import numpy as np
import pytest

import gradkit as keras
from gradkit import layers, ops
from gradkit.errors import ConfigError

R = np.random.default_rng(5)


def _autoencoder():
    encoder_input = keras.Input(shape=(8,), name="img")
    x = layers.Dense(4, activation="relu")(encoder_input)
    encoder = keras.Model(encoder_input, layers.Dense(2)(x), name="encoder")
    decoder_input = keras.Input(shape=(2,), name="encoded_img")
    decoder = keras.Model(decoder_input, layers.Dense(8)(decoder_input), name="decoder")
    autoencoder_input = keras.Input(shape=(8,), name="img_in")
    autoencoder = keras.Model(autoencoder_input, decoder(encoder(autoencoder_input)), name="autoencoder")
    return encoder, decoder, autoencoder


def test_model_class_is_functional_and_models_nest_as_layers():
    encoder, decoder, autoencoder = _autoencoder()
    assert type(autoencoder).__name__ == "Functional" and isinstance(autoencoder, keras.Model)
    assert isinstance(autoencoder, keras.layers.Layer)
    assert [l.name for l in autoencoder.layers] == ["img_in", "encoder", "decoder"]
    assert autoencoder.output_shape == (None, 8) and encoder.output_shape == (None, 2)
    assert len(autoencoder.weights) == 6 and autoencoder.count_params() == 8 * 4 + 4 + 4 * 2 + 2 + 2 * 8 + 8
    x = R.random((16, 8)).astype(np.float32)
    np.testing.assert_allclose(autoencoder.predict(x, verbose=0),
                               decoder.predict(encoder.predict(x, verbose=0), verbose=0), rtol=1e-6)
    autoencoder.compile("adam", "mse")
    before = encoder.get_weights()[0].copy()
    loss = autoencoder.fit(x, x, epochs=3, batch_size=8, verbose=0).history["loss"]
    assert loss[-1] < loss[0] and not np.array_equal(before, encoder.get_weights()[0])  # shared weights train


def test_nested_models_save_and_load(tmp_path):
    _, _, autoencoder = _autoencoder()
    x = R.random((4, 8)).astype(np.float32)
    autoencoder.save(tmp_path / "ae.keras")
    loaded = keras.models.load_model(tmp_path / "ae.keras")
    assert [type(l).__name__ for l in loaded.layers] == ["InputLayer", "Functional", "Functional"]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), autoencoder.predict(x, verbose=0), rtol=1e-6)
    assert json.loads(autoencoder.to_json())["class_name"] == "Functional"


def test_ensemble_of_models_with_average():
    def get_model():
        inputs = keras.Input(shape=(4,))
        return keras.Model(inputs, layers.Dense(1)(inputs))

    m1, m2, m3 = get_model(), get_model(), get_model()
    inputs = keras.Input(shape=(4,))
    ensemble = keras.Model(inputs, layers.average([m1(inputs), m2(inputs), m3(inputs)]))
    x = R.standard_normal((3, 4)).astype(np.float32)
    want = sum(x @ m.get_weights()[0] + m.get_weights()[1] for m in (m1, m2, m3)) / 3
    np.testing.assert_allclose(ensemble.predict(x, verbose=0), want, rtol=1e-5)


def test_residual_with_inplace_add_on_symbolic_tensors():
    inputs = keras.Input(shape=(4,))
    x = layers.Dense(4, activation="relu")(inputs)
    block_output = x
    x = layers.Dense(4)(x)
    x += block_output
    x = x - inputs * 2.0
    model = keras.Model(inputs, x)
    d1, d2 = model.layers[1], model.layers[2]
    a = R.standard_normal((5, 4)).astype(np.float32)
    h = np.maximum(a @ d1.kernel.numpy() + d1.bias.numpy(), 0)
    np.testing.assert_allclose(model.predict(a, verbose=0), h @ d2.kernel.numpy() + d2.bias.numpy() + h - 2 * a,
                               rtol=1e-5, atol=1e-6)


def test_layer_input_and_output():
    inputs = keras.Input(shape=(3,))
    dense = layers.Dense(2)
    out = dense(inputs)
    assert dense.input is inputs and dense.output is out
    model = keras.Model(inputs, out)
    assert model.input is inputs and model.output is out and model.input_shape == (None, 3)
    with pytest.raises(ConfigError, match="never been called"):
        layers.Dense(2).output
    # feature extraction, as the sequential guide does
    seq = keras.Sequential([keras.Input((3,)), layers.Dense(4, name="a"), layers.Dense(2, name="b")])
    extractor = keras.Model(inputs=seq.inputs if hasattr(seq, "inputs") else seq.layers[0].input,
                            outputs=[l.output for l in seq.layers])
    x = R.standard_normal((2, 3)).astype(np.float32)
    feats = extractor.predict(x, verbose=0)
    np.testing.assert_allclose(feats[1], seq.predict(x, verbose=0), rtol=1e-6)


class SubModel(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(3)

    def call(self, inputs):
        return self.dense(inputs) * 2.0


def test_subclassed_model_inside_a_functional_model():
    inputs = keras.Input((4,))
    sub = SubModel()
    model = keras.Model(inputs, layers.Dense(1)(sub(inputs)))
    assert model.output_shape == (None, 1) and len(model.weights) == 4
    x = R.standard_normal((2, 4)).astype(np.float32)
    k, b = sub.dense.get_weights()
    k2, b2 = model.layers[-1].get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), ((x @ k + b) * 2) @ k2 + b2, rtol=1e-5)


def test_subclassed_model_called_on_a_dict_of_arrays():
    class TwoInputs(keras.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = layers.Dense(2, use_bias=False), layers.Dense(2, use_bias=False)

        def call(self, inputs):
            return self.a(inputs["x"]) + self.b(inputs["y"])

    model = TwoInputs()
    x, y = np.ones((3, 2)), np.ones((3, 5))
    out = model({"x": x, "y": y})
    assert out.dtype == np.float32 and len(model.weights) == 2
    np.testing.assert_allclose(out.numpy(), x @ model.a.kernel.numpy() + y @ model.b.kernel.numpy(), rtol=1e-6)


def test_subclassed_model_compiled_before_its_first_call():
    class Small(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1, self.d2 = layers.Dense(8, activation="relu"), layers.Dense(1)

        def call(self, x):
            return self.d2(self.d1(x))

    model = Small()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    with pytest.raises(ValueError, match="isn't built"):
        model.count_params()
    hist = model.fit(R.random((16, 3)), R.random((16, 1)), epochs=2, verbose=0).history
    assert set(hist) == {"loss", "mae"} and model.count_params() == 3 * 8 + 8 + 9


def test_sequential_and_input_layer_config_keys():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(2)], name="seq")
    cfg = model.get_config()
    assert cfg["build_input_shape"] == [None, 4] and cfg["layers"][0]["class_name"] == "InputLayer"
    assert cfg["layers"][0]["config"]["batch_shape"] == [None, 4] and "dtype" in cfg
    again = keras.Sequential.from_config(cfg)
    assert again.input_shape == (None, 4) and [type(l).__name__ for l in again.layers] == ["Dense"]
    ilc = layers.InputLayer(shape=(3,)).get_config()
    assert set(ilc) == {"batch_shape", "dtype", "sparse", "ragged", "name", "optional"}
    assert layers.InputLayer.from_config(ilc).batch_shape == (None, 3)


def test_clear_session_and_config():
    from gradkit import backend as K
    layers.Dense(1)
    K.clear_session()
    assert layers.Dense(1).name == "dense" and keras.Variable(1.0).name.startswith("variable")
    assert keras.config.floatx() == "float32" and keras.config.epsilon() == 1e-7
    assert keras.config.image_data_format() == "channels_last"
    keras.config.set_floatx("float64")
    try:
        assert layers.Dense(1)(np.ones((1, 2), np.float32)).dtype == np.float64
    finally:
        keras.config.set_floatx("float32")
    keras.config.set_epsilon(1e-5)
    try:
        assert keras.config.epsilon() == 1e-5
    finally:
        keras.config.set_epsilon(1e-7)
    with pytest.raises(ConfigError, match="channels_last"):
        keras.config.set_image_data_format("nchw")


def test_model_subclass_with_inputs_outputs_says_what_to_do():
    class Wrapped(keras.Model):
        def __init__(self):
            inputs = keras.Input((2,))
            super().__init__(inputs, layers.Dense(1)(inputs))

    with pytest.raises(ConfigError, match="not supported"):
        Wrapped()


def test_subclassed_model_build_creates_weights_for_summary():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden, self.out = layers.Dense(4), layers.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    net = Net()
    net.build((None, 16))
    assert net.built and net.count_params() == 16 * 4 + 4 + 5 and net.output_shape == (None, 1)


class MaskedMean(keras.layers.Layer):
    """A layer whose call takes mask=: Keras passes the mask the previous layer attached."""

    def call(self, inputs, mask=None):
        w = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        return ops.sum(inputs * w, axis=1) / ops.sum(w, axis=1)


def test_embedding_mask_reaches_a_layer_that_takes_mask_in_a_functional_model():
    ids = keras.Input((4,), dtype="int32")
    emb = layers.Embedding(10, 3, mask_zero=True)
    model = keras.Model(ids, MaskedMean()(emb(ids)))
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    table = emb.get_weights()[0]
    want = np.stack([table[[1, 2]].mean(0), table[3]])
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-6)
