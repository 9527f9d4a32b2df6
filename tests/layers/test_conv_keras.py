"""Convolution and pooling layers against real Keras 3: the same weights give the same outputs, and one SGD
step on the same batch gives the same weights (skipped where tensorflow is not installed)."""
import numpy as np
import pytest

keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
pytest.importorskip("tensorflow", reason="real Keras needs tensorflow-cpu")

import gradkit  # noqa: E402
from gradkit import layers as G  # noqa: E402

R = np.random.default_rng(3)

CONV = {  # name: (input shape without batch, kwargs)
    "conv2d-valid": ("Conv2D", (7, 6, 3), dict(filters=4, kernel_size=3)),
    "conv2d-same": ("Conv2D", (7, 6, 3), dict(filters=4, kernel_size=(3, 2), padding="same")),
    "conv2d-same-even-kernel": ("Conv2D", (6, 7, 2), dict(filters=3, kernel_size=4, padding="same")),
    "conv2d-strides-valid": ("Conv2D", (9, 8, 2), dict(filters=3, kernel_size=3, strides=2)),
    "conv2d-strides-same": ("Conv2D", (9, 8, 2), dict(filters=3, kernel_size=3, strides=(2, 3), padding="same")),
    "conv2d-dilation": ("Conv2D", (9, 8, 2), dict(filters=3, kernel_size=3, dilation_rate=2)),
    "conv2d-dilation-same": ("Conv2D", (9, 8, 2), dict(filters=3, kernel_size=3, dilation_rate=(2, 1),
                                                       padding="same")),
    "conv2d-relu-nobias": ("Conv2D", (6, 6, 2), dict(filters=3, kernel_size=2, activation="relu", use_bias=False)),
    "conv1d-valid": ("Conv1D", (10, 3), dict(filters=4, kernel_size=3)),
    "conv1d-same-strides": ("Conv1D", (10, 3), dict(filters=4, kernel_size=4, strides=3, padding="same")),
    "conv1d-causal": ("Conv1D", (10, 3), dict(filters=4, kernel_size=3, padding="causal")),
    "conv1d-causal-dilation": ("Conv1D", (10, 3), dict(filters=2, kernel_size=3, padding="causal", dilation_rate=2)),
    "conv1d-dilation-tanh": ("Conv1D", (10, 3), dict(filters=2, kernel_size=2, dilation_rate=3, activation="tanh")),
}

POOL = {  # name: (input shape, kwargs); a Conv before the pool gets the pool's gradient
    "max2d": ("MaxPooling2D", (7, 6, 2), {}),
    "max2d-same": ("MaxPooling2D", (7, 5, 2), dict(pool_size=3, strides=2, padding="same")),
    "max2d-strides": ("MaxPooling2D", (7, 6, 2), dict(pool_size=(3, 2), strides=(2, 1))),
    "avg2d": ("AveragePooling2D", (7, 6, 2), dict(pool_size=2)),
    "avg2d-same": ("AveragePooling2D", (7, 5, 2), dict(pool_size=3, strides=2, padding="same")),
    "avg2d-strides-same": ("AveragePooling2D", (6, 6, 2), dict(pool_size=(2, 3), strides=1, padding="same")),
    "max1d": ("MaxPooling1D", (9, 2), {}),
    "max1d-same": ("MaxPooling1D", (9, 2), dict(pool_size=3, strides=2, padding="same")),
    "avg1d": ("AveragePooling1D", (9, 2), dict(pool_size=3)),
    "avg1d-same": ("AveragePooling1D", (9, 2), dict(pool_size=2, strides=1, padding="same")),
    "gap2d": ("GlobalAveragePooling2D", (5, 4, 2), {}),
    "gmp2d": ("GlobalMaxPooling2D", (5, 4, 2), {}),
    "gap1d": ("GlobalAveragePooling1D", (6, 2), {}),
    "gmp1d-keepdims": ("GlobalMaxPooling1D", (6, 2), dict(keepdims=True)),
    "zeropad": ("ZeroPadding2D", (4, 5, 2), dict(padding=((1, 2), (0, 1)))),
    "reshape": ("Reshape", (4, 6, 2), dict(target_shape=(8, -1))),
    "rescaling": ("Rescaling", (4, 5, 2), dict(scale=0.5, offset=-1.0)),
}


def _models(layer_name, shape, kwargs, before=None):
    """The same model in Keras and in gradkit: [before conv], layer, Flatten, Dense(2)."""
    built = []
    for lib, mod in ((keras, keras.layers), (gradkit, G)):
        stack = [mod.Input(shape)]
        if before:
            stack.append(getattr(mod, before[0])(**before[1]))
        stack += [getattr(mod, layer_name)(**kwargs), mod.Flatten(), mod.Dense(2)]
        built.append(lib.Sequential(stack))
    km, gm = built
    gm.set_weights(km.get_weights())  # the Keras layouts, unchanged
    return km, gm


def _same_forward_and_step(km, gm, shape, x=None, lr=0.1):
    """The same predictions, then the same weights after one SGD step on one batch (x: random inputs of shape)."""
    x = R.standard_normal((6,) + shape).astype(np.float32) if x is None else x
    want = km.predict(x, verbose=0)
    np.testing.assert_allclose(gm.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)
    y = R.standard_normal(want.shape).astype(np.float32)
    for m, opt in ((km, keras.optimizers.SGD(lr)), (gm, gradkit.optimizers.SGD(lr))):
        m.compile(optimizer=opt, loss="mse")
        m.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    for a, b in zip(gm.get_weights(), km.get_weights()):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CONV))
def test_conv_layer_matches_keras(case):
    name, shape, kwargs = CONV[case]
    km, gm = _models(name, shape, kwargs)
    assert gm.layers[0].compute_output_shape((None,) + shape) == tuple(km.layers[0].output.shape)
    assert gm.layers[0].name.rstrip("_0123456789") == km.layers[0].name.rstrip("_0123456789")
    _same_forward_and_step(km, gm, shape)


@pytest.mark.parametrize("case", sorted(POOL))
def test_pool_and_reshape_layers_match_keras(case):
    name, shape, kwargs = POOL[case]
    conv = ("Conv2D" if len(shape) == 3 else "Conv1D", dict(filters=2, kernel_size=2, padding="same"))
    km, gm = _models(name, shape, kwargs, before=conv)
    assert gm.layers[1].compute_output_shape((None,) + shape) == tuple(km.layers[1].output.shape)
    _same_forward_and_step(km, gm, shape)


def test_conv_initializers_have_keras_ranges():
    k = G.Conv2D(64, 3)
    k.build((None, 13, 13, 32))
    limit = np.sqrt(6 / (9 * 32 + 9 * 64))  # glorot_uniform with the receptive field in both fans
    w = k.kernel.numpy()
    assert w.shape == (3, 3, 32, 64) and np.abs(w).max() <= limit and np.abs(w).max() > 0.95 * limit
    assert not k.bias.numpy().any()


def test_embedding_then_conv1d_one_sgd_step_matches_keras():
    """DLwP's Embedding → Conv1D with more positions than table rows (gradkit then makes the convolution's products
    per table row, Conv._vocab): the same output and the same weights after one SGD step as Keras."""
    pytest.importorskip("scipy.sparse", reason="the per-row products need SciPy's sparse product")
    built = []
    for lib, mod in ((keras, keras.layers), (gradkit, G)):
        built.append(lib.Sequential([mod.Input((30,)), mod.Embedding(40, 8), mod.Conv1D(4, 5, activation="relu"),
                                     mod.GlobalMaxPooling1D(), mod.Dense(1)]))
    km, gm = built
    gm.set_weights(km.get_weights())
    start = km.get_weights()
    x = R.integers(0, 40, (8, 30)).astype("float32")  # 240 positions, 40 table rows
    out = gm.layers[1](gm.layers[0](gradkit.Tensor(x)))
    assert out.creator.vocab is not None  # the per-row products are the path taken
    _same_forward_and_step(km, gm, (30,), x=x, lr=0.5)
    assert np.abs(gm.get_weights()[1] - start[1]).max() > 1e-3  # the step moved the Conv1D kernel
