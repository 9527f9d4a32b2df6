"""Conv2DTranspose, Conv1DTranspose, DepthwiseConv1D/2D and SeparableConv1D/2D against real Keras 3: the same
weights (set_weights, Keras's layouts) give the same outputs and output shapes, and one SGD step on the same batch
gives the same weights (skipped where tensorflow is not installed)."""
import numpy as np
import pytest

keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
pytest.importorskip("tensorflow", reason="real Keras needs tensorflow-cpu")

import gradkit  # noqa: E402
from gradkit import layers as G  # noqa: E402

R = np.random.default_rng(19)

CASES = {  # name: (layer, input shape without batch, kwargs)
    "t2d-valid": ("Conv2DTranspose", (4, 5, 3), dict(filters=2, kernel_size=3)),
    "t2d-valid-strides": ("Conv2DTranspose", (4, 5, 3), dict(filters=2, kernel_size=3, strides=2)),
    "t2d-valid-stride-over-kernel": ("Conv2DTranspose", (3, 4, 2), dict(filters=2, kernel_size=2, strides=3)),
    "t2d-valid-output-padding": ("Conv2DTranspose", (4, 5, 3), dict(filters=2, kernel_size=3, strides=(2, 3),
                                                                    output_padding=(1, 2))),
    "t2d-same": ("Conv2DTranspose", (4, 5, 3), dict(filters=3, kernel_size=3, padding="same")),
    "t2d-same-strides": ("Conv2DTranspose", (4, 5, 3), dict(filters=2, kernel_size=3, strides=2, padding="same")),
    "t2d-same-even-kernel": ("Conv2DTranspose", (4, 5, 2), dict(filters=2, kernel_size=4, strides=2,
                                                                padding="same", activation="relu")),
    "t2d-same-output-padding": ("Conv2DTranspose", (4, 5, 2), dict(filters=2, kernel_size=(3, 4), strides=(2, 3),
                                                                   padding="same", output_padding=(0, 1))),
    "t2d-dilation": ("Conv2DTranspose", (4, 5, 2), dict(filters=2, kernel_size=3, dilation_rate=2)),
    "t2d-dilation-same-nobias": ("Conv2DTranspose", (4, 5, 2), dict(filters=2, kernel_size=2, dilation_rate=(2, 1),
                                                                    padding="same", use_bias=False)),
    "t1d-valid-strides": ("Conv1DTranspose", (6, 3), dict(filters=2, kernel_size=3, strides=2)),
    "t1d-same-output-padding": ("Conv1DTranspose", (6, 3), dict(filters=4, kernel_size=3, strides=3, padding="same",
                                                               output_padding=2, activation="tanh")),
    "t1d-dilation": ("Conv1DTranspose", (6, 3), dict(filters=2, kernel_size=2, dilation_rate=3)),
    "dw2d-valid": ("DepthwiseConv2D", (6, 5, 3), dict(kernel_size=3)),
    "dw2d-same-multiplier": ("DepthwiseConv2D", (6, 5, 3), dict(kernel_size=(3, 2), padding="same",
                                                                 depth_multiplier=2)),
    "dw2d-strides": ("DepthwiseConv2D", (7, 6, 2), dict(kernel_size=3, strides=2, depth_multiplier=3,
                                                         activation="relu")),
    "dw2d-dilation-same": ("DepthwiseConv2D", (7, 6, 2), dict(kernel_size=3, dilation_rate=2, padding="same",
                                                               use_bias=False)),
    "dw1d-strides-same": ("DepthwiseConv1D", (9, 3), dict(kernel_size=4, strides=2, padding="same",
                                                           depth_multiplier=2)),
    "sep2d-valid": ("SeparableConv2D", (6, 5, 3), dict(filters=4, kernel_size=3)),
    "sep2d-same-strides-multiplier": ("SeparableConv2D", (7, 6, 3), dict(filters=2, kernel_size=3, strides=2,
                                                                          padding="same", depth_multiplier=2)),
    "sep2d-dilation-relu": ("SeparableConv2D", (7, 6, 2), dict(filters=3, kernel_size=2, dilation_rate=2,
                                                                activation="relu", use_bias=False)),
    "sep1d-same": ("SeparableConv1D", (9, 3), dict(filters=4, kernel_size=3, padding="same", depth_multiplier=2)),
    "sep1d-strides": ("SeparableConv1D", (9, 3), dict(filters=2, kernel_size=2, strides=3)),
}


def _models(name, shape, kwargs):
    """The same model in Keras and in gradkit: the layer, Flatten, Dense(2); Keras's weights copied over."""
    built = []
    for lib, mod in ((keras, keras.layers), (gradkit, G)):
        built.append(lib.Sequential([mod.Input(shape), getattr(mod, name)(**kwargs), mod.Flatten(), mod.Dense(2)]))
    km, gm = built
    gm.set_weights(km.get_weights())
    return km, gm


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_matches_keras(case):
    name, shape, kwargs = CASES[case]
    km, gm = _models(name, shape, kwargs)
    kl, gl = km.layers[0], gm.layers[0]
    assert [w.name.split("/")[-1] for w in gl.weights] == [w.name.split("/")[-1] for w in kl.weights]
    assert [w.shape for w in gl.weights] == [tuple(w.shape) for w in kl.weights]
    assert gl.compute_output_shape((None,) + shape) == tuple(kl.output.shape)
    assert gl.compute_output_shape((None,) + shape) == tuple(kl.compute_output_shape((None,) + shape))
    x = R.standard_normal((5,) + shape).astype(np.float32)
    y = R.standard_normal((5, 2)).astype(np.float32)
    np.testing.assert_allclose(gl(x).numpy(), keras.ops.convert_to_numpy(kl(x)), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    for m, opt in ((km, keras.optimizers.SGD(0.1)), (gm, gradkit.optimizers.SGD(0.1))):
        m.compile(optimizer=opt, loss="mse")
        m.fit(x, y, batch_size=5, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(gm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", ["t2d-same-output-padding", "dw2d-same-multiplier", "sep2d-same-strides-multiplier",
                                  "t1d-same-output-padding"])
def test_config_matches_keras_and_round_trips(case):
    name, shape, kwargs = CASES[case]
    km, gm = _models(name, shape, kwargs)
    kc, gc = km.layers[0].get_config(), gm.layers[0].get_config()
    for key in set(kc) - {"name", "dtype", "trainable"}:
        want, got = kc[key], gc.get(key)  # gradkit leaves out an activity_regularizer that is None
        if isinstance(want, dict) and "class_name" in want:  # gradkit names a built-in initializer by its string
            assert type(gradkit.initializers.get(got)).__name__ == want["class_name"], key
        else:
            assert got == (tuple(want) if isinstance(want, list) else want), key
    clone = type(gm.layers[0]).from_config(gc)
    assert clone.get_config() == gc


def test_xception_style_block_matches_keras():
    """DLwP's residual separable block: SeparableConv2D–BN–relu twice, MaxPooling2D, a strided 1×1 Conv2D residual."""
    def block(mod, x):
        residual = mod.Conv2D(8, 1, strides=2, padding="same", use_bias=False)(x)
        for _ in range(2):
            x = mod.SeparableConv2D(8, 3, padding="same", use_bias=False)(x)
            x = mod.BatchNormalization()(x)
            x = mod.Activation("relu")(x)
        x = mod.MaxPooling2D(3, strides=2, padding="same")(x)
        return mod.add([x, residual])

    models = []
    for lib, mod in ((keras, keras.layers), (gradkit, G)):
        inputs = mod.Input((8, 8, 3))
        x = mod.Conv2DTranspose(4, 3, strides=2, padding="same")(inputs)
        x = block(mod, x)
        outputs = mod.Dense(1)(mod.GlobalAveragePooling2D()(x))
        models.append(lib.Model(inputs, outputs))
    km, gm = models
    gm.set_weights(km.get_weights())
    x = R.standard_normal((4, 8, 8, 3)).astype(np.float32)
    y = R.standard_normal((4, 1)).astype(np.float32)
    np.testing.assert_allclose(gm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-4, atol=1e-5)
    for m, opt in ((km, keras.optimizers.SGD(0.05)), (gm, gradkit.optimizers.SGD(0.05))):
        m.compile(optimizer=opt, loss="mse")
        m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(gm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
