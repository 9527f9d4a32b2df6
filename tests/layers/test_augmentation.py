"""Augmentation layers: identity at inference, seeded draws while training, warps equal to Keras's/TensorFlow's
affine_transform, gradients checked in float64, and the same numbers under the compiled step."""
import math

import numpy as np
import pytest

import gradkit
from gradkit import Input, Sequential, Tensor, backend
from gradkit import layers as L
from gradkit.autograd import image as I
from gradkit.errors import ConfigError, ShapeError
from gradkit.gradcheck import gradcheck

R = np.random.default_rng(9)


def _transforms(n):
    """Rotation + zoom + shift rows (a0 a1 a2 b0 b1 b2) reaching outside the image (so fill modes matter)."""
    out = []
    for _ in range(n):
        th, z, dx, dy = R.uniform(-0.6, 0.6), R.uniform(0.7, 1.4), R.uniform(-3, 3), R.uniform(-3, 3)
        out.append([z * math.cos(th), -z * math.sin(th), dx, z * math.sin(th), z * math.cos(th), dy])
    return np.array(out)


@pytest.mark.parametrize("fill_mode", I.FILL_MODES)
@pytest.mark.parametrize("interpolation", I.INTERPOLATIONS)
def test_warp_equals_keras_affine_transform(fill_mode, interpolation):
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow")
    x = R.random((4, 9, 7, 2)).astype(np.float32)
    t = _transforms(4).astype(np.float32)
    want = keras.ops.convert_to_numpy(keras.ops.image.affine_transform(
        x, np.concatenate([t, np.zeros((4, 2), np.float32)], axis=1), interpolation=interpolation,
        fill_mode=fill_mode, fill_value=0.5))
    got = I.AffineWarp(None, fill_mode, interpolation, 0.5).warp(x, t)
    if interpolation == "nearest":  # a coordinate within float32 rounding of .5 may round either way
        assert np.mean(np.abs(got - want) < 1e-5) > 0.99
    else:
        np.testing.assert_allclose(got, want, atol=2e-5)


@pytest.mark.parametrize("fill_mode", I.FILL_MODES)
def test_warp_gradcheck(float64, fill_mode):
    t = _transforms(2)
    x = Tensor(R.random((2, 5, 6, 2)), requires_grad=True)
    res = gradcheck(lambda a: I.AffineWarp(lambda *s: t, fill_mode, "bilinear", 0.3)(a), [x])
    assert res.passed and res.max_rel_error < 1e-5, res.worst  # f is linear in x: only rounding noise differs


def test_flip_gradcheck_and_values(float64):
    backend.set_seed(1)
    x = Tensor(R.random((6, 3, 4, 1)), requires_grad=True)
    res = gradcheck(lambda a: (backend.set_seed(1), I.RandomFlip(True, False)(a))[1], [x])
    assert res.max_rel_error < 1e-6, res.worst
    backend.set_seed(1)
    op = I.RandomFlip(True, True)
    y = op(x).data
    for i, flipped in enumerate(op.flips.ravel()):
        np.testing.assert_array_equal(y[i], x.data[i, ::-1, ::-1] if flipped else x.data[i])
    assert 0 < op.flips.sum() < 6


LAYERS = {
    "flip": lambda: L.RandomFlip(),
    "flip-horizontal": lambda: L.RandomFlip("horizontal"),
    "rotation": lambda: L.RandomRotation(0.2),
    "zoom": lambda: L.RandomZoom((-0.3, 0.2), fill_mode="constant"),
    "zoom-nearest": lambda: L.RandomZoom(0.2, 0.1, interpolation="nearest", fill_mode="nearest"),
    "translation": lambda: L.RandomTranslation(0.2, 0.1, fill_mode="wrap"),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_augmentation_only_while_training_and_seeded(name):
    layer = LAYERS[name]()
    x = R.random((8, 10, 10, 3)).astype(np.float32)
    assert layer(x, training=False).data is not None
    np.testing.assert_array_equal(layer(x).data, x)  # inference: the identity
    backend.set_seed(5)
    a = layer(x, training=True).data
    backend.set_seed(5)
    b = layer(x, training=True).data
    c = layer(x, training=True).data
    np.testing.assert_array_equal(a, b)  # one seed repeats the draws
    assert a.shape == x.shape and not np.array_equal(a, x) and not np.array_equal(b, c)


def test_rotation_angles_and_translation_shifts_stay_in_range():
    backend.set_seed(0)
    t = I.rotation_draw(-0.1, 0.1)(2000, 28, 28, np.float64)
    angles = np.degrees(np.arctan2(t[:, 3], t[:, 0]))
    assert -36 <= angles.min() < -30 and 30 < angles.max() <= 36
    t = I.translation_draw((-0.25, 0.25), (0.0, 0.5))(2000, 28, 20, np.float64)
    assert -7 <= -t[:, 5].max() and -t[:, 5].min() <= 7 and 0 <= -t[:, 2].max() and -t[:, 2].min() <= 10


def test_keras_defaults_and_bad_arguments():
    assert L.RandomRotation(0.1).fill_mode == "reflect" and L.RandomFlip().mode == "horizontal_and_vertical"
    assert L.RandomZoom(0.1).interpolation == "bilinear" and L.RandomTranslation(0.1, 0.1).fill_value == 0.0
    for make, match in [(lambda: L.RandomFlip("diagonal"), "mode"), (lambda: L.RandomRotation(1.5), "factor"),
                        (lambda: L.RandomZoom(0.1, fill_mode="mirror"), "fill_mode"),
                        (lambda: L.RandomTranslation(0.1, 0.1, interpolation="cubic"), "interpolation"),
                        (lambda: L.RandomZoom(0.1, data_format="channels_first"), "channels_last")]:
        with pytest.raises(ConfigError, match=match):
            make()
    with pytest.raises(ShapeError, match=r"x\[\.\.\., None\]"):
        L.RandomRotation(0.1)(R.random((2, 8, 8)), training=True)


def test_augmented_convnet_compiled_fit_equals_eager():
    x = R.random((24, 8, 8, 1)).astype("float32")
    y = R.integers(0, 3, 24)
    out = []
    for jit in (False, "auto"):
        backend.set_seed(2)
        model = Sequential([Input((8, 8, 1)), L.RandomFlip("horizontal"), L.RandomRotation(0.1),
                            L.RandomZoom(0.1), L.RandomTranslation(0.1, 0.1), L.Conv2D(3, 3, activation="relu"),
                            L.GlobalAveragePooling2D(), L.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", jit_compile=jit)
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        out.append(model)
    for a, b in zip(out[0].get_weights(), out[1].get_weights()):
        np.testing.assert_array_equal(a, b)
    step = out[1]._compiled_step
    assert not step.eager and any(v for _, v in step.programs.values())
    assert gradkit.layers.RandomZoom.__doc__
