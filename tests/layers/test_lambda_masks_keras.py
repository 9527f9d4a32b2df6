"""keras.io's siamese Lambda on a list of inputs, the masks of keras.io's masking-and-padding guide (eager and on
symbolic tensors), Rescaling on integers and causal strided Conv1D shapes, each against real Keras 3 (skipped where
tensorflow is not installed)."""
import numpy as np
import pytest

keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
pytest.importorskip("tensorflow", reason="real Keras needs tensorflow-cpu")

import gradkit  # noqa: E402
from gradkit import layers as G  # noqa: E402
from gradkit import ops as gops  # noqa: E402

R = np.random.default_rng(19)
K = keras.ops.convert_to_numpy


def distance(ops):
    """keras.io siamese_contrastive's euclidean_distance, written with the given ops namespace."""
    def euclidean_distance(vects):
        x, y = vects
        sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
        return ops.sqrt(ops.maximum(sum_square, 1e-7))
    return euclidean_distance


def contrastive_loss(ops, margin=1):
    def loss(y_true, y_pred):
        square_pred = ops.square(y_pred)
        margin_square = ops.square(ops.maximum(margin - y_pred, 0))
        return ops.mean((1 - y_true) * square_pred + y_true * margin_square)
    return loss


def siamese(lib, mod, ops, output_shape):
    """The example's network on 12×12 images: a shared tower, the Lambda distance, BatchNormalization, Dense."""
    inp = mod.Input((12, 12, 1))
    x = mod.BatchNormalization()(inp)
    x = mod.Conv2D(4, (3, 3), activation="tanh")(x)
    x = mod.AveragePooling2D(pool_size=(2, 2))(x)
    x = mod.Flatten()(x)
    x = mod.BatchNormalization()(x)
    x = mod.Dense(10, activation="tanh")(x)
    tower = lib.Model(inp, x)
    input_1, input_2 = mod.Input((12, 12, 1)), mod.Input((12, 12, 1))
    kwargs = {} if output_shape == "omitted" else {"output_shape": output_shape}
    merge = mod.Lambda(distance(ops), **kwargs)([tower(input_1), tower(input_2)])
    out = mod.Dense(1, activation="sigmoid")(mod.BatchNormalization()(merge))
    return lib.Model(inputs=[input_1, input_2], outputs=out), merge


@pytest.mark.parametrize("output_shape", [(1,), "function", "omitted"])
def test_siamese_lambda_on_two_inputs_matches_keras(output_shape):
    shape = (lambda shapes: (shapes[0][0], 1)) if output_shape == "function" else output_shape
    km, kmerge = siamese(keras, keras.layers, keras.ops, shape)
    gm, gmerge = siamese(gradkit, G, gops, shape)
    assert gmerge.shape == tuple(kmerge.shape) == (None, 1)
    assert gm.output_shape == km.output_shape
    gm.set_weights(km.get_weights())
    x1, x2 = (R.random((8, 12, 12, 1)).astype("float32") for _ in range(2))
    y = (R.random((8, 1)) > 0.5).astype("float32")
    np.testing.assert_allclose(gm.predict([x1, x2], verbose=0), km.predict([x1, x2], verbose=0), rtol=1e-5, atol=1e-6)
    for m, lib, ops in ((km, keras, keras.ops), (gm, gradkit, gops)):
        m.compile(loss=contrastive_loss(ops), optimizer=lib.optimizers.SGD(0.1), metrics=["accuracy"])
    hk = km.fit([x1, x2], y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    hg = gm.fit([x1, x2], y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hg["loss"], hk["loss"], rtol=1e-4)
    np.testing.assert_allclose(hg["accuracy"], hk["accuracy"])
    for a, b in zip(gm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_lambda_output_shape_of_a_list_matches_keras_compute_output_shape():
    shapes = [(None, 4), (None, 4)]
    for output_shape in [(1,), [(1,), (2, 3)], lambda s: [s[0], s[1]]]:
        kl, gl = keras.layers.Lambda(distance(keras.ops), output_shape=output_shape), \
            G.Lambda(distance(gops), output_shape=output_shape)
        want = kl.compute_output_shape(shapes)
        got = gl.compute_output_shape(shapes)
        assert got == (tuple(want) if isinstance(want, tuple) else [tuple(w) for w in want])
    assert G.Lambda(distance(gops)).compute_output_shape(shapes) == \
        tuple(keras.layers.Lambda(distance(keras.ops)).compute_output_shape(shapes))


PADDED = np.array([[711, 632, 71, 0, 0, 0], [73, 8, 3215, 55, 927, 0], [83, 91, 1, 645, 1253, 927]])


def test_guide_eager_masks_match_keras():
    """The guide's `embedding(padded_inputs)._keras_mask` and `masking_layer(unmasked_embedding)._keras_mask`."""
    want = K(keras.layers.Embedding(5000, 16, mask_zero=True)(PADDED)._keras_mask)
    got = G.Embedding(5000, 16, mask_zero=True)(PADDED)._keras_mask
    np.testing.assert_array_equal(got.numpy(), want)
    unmasked = np.tile(PADDED[..., None], (1, 1, 10)).astype("float32")
    want = K(keras.layers.Masking()(unmasked)._keras_mask)
    np.testing.assert_array_equal(G.Masking()(unmasked)._keras_mask.numpy(), want)


def _guide_layers(mod, ops):
    class MyActivation(mod.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True  # the guide's opt-in to mask propagation

        def call(self, inputs):
            return ops.relu(inputs)

    class TemporalSplit(mod.Layer):
        def call(self, inputs):
            return ops.split(inputs, 2, axis=1)

        def compute_mask(self, inputs, mask=None):
            return None if mask is None else ops.split(mask, 2, axis=1)

    return MyActivation, TemporalSplit


def _symbolic_masks(lib, mod, ops):
    """The guide's symbolic masks, made into a model whose outputs are the masks (as floats)."""
    MyActivation, TemporalSplit = _guide_layers(mod, ops)
    ids = mod.Input((None,), dtype="int32")
    act = MyActivation()(mod.Embedding(5000, 16, mask_zero=True)(ids))
    seq = mod.Input((6, 10))
    first, second = TemporalSplit()(mod.Masking()(seq))
    masks = [act._keras_mask, first._keras_mask, second._keras_mask]
    lstm_seq = mod.LSTM(3, return_sequences=True)(mod.Masking()(seq))
    lstm_last = mod.LSTM(3)(mod.Masking()(seq))
    model = lib.Model([ids, seq], [ops.cast(m, "float32") for m in masks] + [ops.cast(lstm_seq._keras_mask, "int32")])
    return masks, lstm_last, seq, model


def test_guide_symbolic_masks_match_keras():
    kmasks, klast, kseq, km = _symbolic_masks(keras, keras.layers, keras.ops)
    gmasks, glast, gseq, gm = _symbolic_masks(gradkit, G, gops)
    for k, g in zip(kmasks, gmasks):
        assert g.shape == tuple(k.shape) and g.dtype == k.dtype == "bool"
    for t in (glast, gseq):  # no mask: an AttributeError, as on Keras's KerasTensor
        assert not hasattr(t, "_keras_mask")
    assert not hasattr(klast, "_keras_mask") and not hasattr(kseq, "_keras_mask")
    unmasked = np.tile(PADDED[..., None], (1, 1, 10)).astype("float32")
    kout, gout = km.predict([PADDED, unmasked], verbose=0), gm.predict([PADDED, unmasked], verbose=0)
    for k, g in zip(kout, gout):
        assert g.shape == k.shape and g.dtype == k.dtype
        np.testing.assert_array_equal(g, k)
    assert not kout[0].all() and not kout[2].all() and kout[1].all()  # padding masked; the first halves all real


def test_symbolic_mask_model_saves_and_loads(tmp_path):
    seq = G.Input((4, 2))
    model = gradkit.Model(seq, G.Masking(mask_value=-1.0)(seq)._keras_mask)
    model.save(str(tmp_path / "m.keras"))
    back = gradkit.models.load_model(str(tmp_path / "m.keras"))
    x = np.array([[[1, 2], [-1, -1], [3, -1], [-1, -1]]], "float32")
    np.testing.assert_array_equal(back.predict(x, verbose=0), [[True, False, True, False]])


def test_rescaling_integer_input_matches_keras():
    x = R.integers(0, 256, (2, 3, 4, 3)).astype("uint8")
    for kwargs in ({"scale": 1 / 255}, {"scale": 1 / 127.5, "offset": -1}):
        want = K(keras.layers.Rescaling(**kwargs)(x))
        got = G.Rescaling(**kwargs)(x).numpy()
        assert got.dtype == want.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    got = G.Rescaling(1 / 255)(x.astype("int64"))
    assert got.dtype == np.float32 and got.numpy().max() > 0.5


@pytest.mark.parametrize("steps, kernel, strides, dilation", [(7, 3, 2, 1), (8, 2, 3, 1), (5, 4, 2, 1), (9, 3, 1, 2),
                                                              (6, 5, 4, 1)])
def test_causal_conv1d_output_shape_matches_keras(steps, kernel, strides, dilation):
    kwargs = dict(filters=3, kernel_size=kernel, strides=strides, padding="causal", dilation_rate=dilation)
    kl, gl = keras.layers.Conv1D(**kwargs), G.Conv1D(**kwargs)
    x = R.standard_normal((2, steps, 2)).astype("float32")
    want = K(kl(x))
    gl(x)
    gl.set_weights(kl.get_weights())
    np.testing.assert_allclose(gl(x).numpy(), want, rtol=1e-5, atol=1e-6)
    assert gl.compute_output_shape((None, steps, 2)) == tuple(kl.compute_output_shape((None, steps, 2))) == \
        (None,) + want.shape[1:]
    # and a Dense after it in a Sequential model builds on the right shape
    model = gradkit.Sequential([G.Input((steps, 2)), G.Conv1D(**kwargs), G.Flatten(), G.Dense(1)])
    assert model.predict(x, verbose=0).shape == (2, 1)
