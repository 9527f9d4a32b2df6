"""Conv, pooling and reshaping layers without Keras: user mistakes, shapes, the compiled step, the device module."""
import numpy as np
import pytest

import gradkit
from gradkit import Input, Sequential, backend
from gradkit import layers as L
from gradkit.errors import ConfigError, ShapeError

R = np.random.default_rng(2)


def test_image_batch_without_channel_axis_names_layer_shapes_and_fix():
    conv = L.Conv2D(4, 3, name="first_conv")
    with pytest.raises(ShapeError) as e:
        conv(R.random((8, 28, 28)).astype("float32"))
    msg = str(e.value)
    assert "first_conv" in msg and "rank 4" in msg and "(8, 28, 28)" in msg and "x[..., None]" in msg


def test_fit_on_images_without_channel_axis_suggests_expand_dims():
    model = Sequential([L.Conv2D(2, 3, activation="relu"), L.Flatten(), L.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ShapeError, match=r"x\[\.\.\., None\]"):
        model.fit(R.random((8, 6, 6)).astype("float32"), R.integers(0, 2, 8), verbose=0)


def test_built_conv_rejects_rank_3_and_wrong_channels():
    model = Sequential([Input((6, 6, 1)), L.Conv2D(2, 3)])
    with pytest.raises(ShapeError, match=r"x\[\.\.\., None\]"):
        model.layers[0](R.random((2, 6, 6)))
    with pytest.raises(ShapeError, match="expects inputs with 1 channels.*got 3"):
        model.layers[0](R.random((2, 6, 6, 3)))


@pytest.mark.parametrize("layer, shape, what", [(lambda: L.Conv2D(2, 5), (4, 4, 1), "kernel"),
                                                (lambda: L.Conv1D(2, 7, dilation_rate=2), (10, 1), "kernel"),
                                                (lambda: L.MaxPooling2D(3), (2, 8, 1), "pool"),
                                                (lambda: L.AveragePooling1D(4), (3, 2), "pool")])
def test_window_larger_than_input_is_a_shape_error_naming_the_layer(layer, shape, what):
    lay = layer()
    with pytest.raises(ShapeError, match=f"'{lay.name}': the {what} .* is larger than the input"):
        Sequential([Input(shape), lay])
    with pytest.raises(ShapeError, match=f"'{lay.name}'"):
        lay(R.random((2,) + shape).astype("float32"))


@pytest.mark.parametrize("make", [lambda: L.Conv2D(2, 3, data_format="channels_first"),
                                  lambda: L.Conv1D(2, 3, data_format="channels_first"),
                                  lambda: L.MaxPooling2D(data_format="channels_first"),
                                  lambda: L.GlobalAveragePooling2D(data_format="channels_first"),
                                  lambda: L.ZeroPadding2D(data_format="channels_first")])
def test_channels_first_is_a_config_error_saying_how_to_move_the_axis(make):
    with pytest.raises(ConfigError, match="channels_last.*transpose"):
        make()


@pytest.mark.parametrize("make, match", [(lambda: L.Conv2D(0, 3), "filters"),
                                         (lambda: L.Conv2D(2, (3, 3, 3)), "kernel_size"),
                                         (lambda: L.Conv2D(2, 3, padding="full"), "padding"),
                                         (lambda: L.Conv2D(2, 3, padding="causal"), "padding"),
                                         (lambda: L.Conv2D(2, 3, strides=2, dilation_rate=2), "dilation"),
                                         (lambda: L.MaxPooling2D(pool_size=-1), "pool_size"),
                                         (lambda: L.Reshape((-1, -1)), "target_shape"),
                                         (lambda: L.ZeroPadding2D(((1,), 2)), "padding")])
def test_bad_arguments_are_config_errors(make, match):
    with pytest.raises(ConfigError, match=match):
        make()


def test_reshape_of_the_wrong_size_is_a_shape_error():
    with pytest.raises(ShapeError, match="cannot reshape samples of shape \\(12,\\)"):
        Sequential([Input((12,)), L.Reshape((5, -1))])


def test_keras_names_and_output_shapes():
    model = Sequential([Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                        L.ZeroPadding2D(1), L.Conv2D(8, 3, strides=2, padding="same"), L.GlobalMaxPooling2D()])
    assert [type(lay).__name__ for lay in model.layers][:2] == ["Conv2D", "MaxPooling2D"]
    assert model.layers[0].name.startswith("conv2d") and model.layers[1].name.startswith("max_pooling2d")
    y = model.predict(R.random((3, 28, 28, 1)).astype("float32"), verbose=0)
    assert y.shape == (3, 8)


def test_conv_layer_config_round_trips():
    conv = L.Conv1D(3, 4, strides=2, padding="causal", dilation_rate=1, activation="relu", use_bias=False)
    again = L.Conv1D.from_config(conv.get_config())
    assert (again.kernel_size, again.strides, again.padding, again.use_bias) == ((4,), (2,), "causal", False)


# ---- the compiled step --------------------------------------------------------------------------

def _fit_both(build, x, y, loss, epochs=2):
    out = []
    for jit in (False, "auto"):
        backend.set_seed(4)
        model = build()
        model.compile(gradkit.optimizers.Adam(0.01), loss, metrics=["accuracy"], jit_compile=jit)
        hist = model.fit(x, y, batch_size=8, epochs=epochs, verbose=0)
        out.append((model, hist.history))
    (eager, he), (compiled, hc) = out
    for a, b in zip(eager.get_weights(), compiled.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert list(he.values()) == list(hc.values())
    step = compiled._compiled_step
    assert not step.eager and any(v for _, v in step.programs.values())  # it really replayed
    return compiled


def test_convnet_compiled_fit_equals_eager():
    x = R.random((24, 9, 9, 1)).astype("float32")
    y = np.eye(3, dtype="float32")[R.integers(0, 3, 24)]
    _fit_both(lambda: Sequential([Input((9, 9, 1)), L.Rescaling(2.0, -1.0), L.ZeroPadding2D(1),
                                  L.Conv2D(4, 3, activation="relu", padding="same"), L.MaxPooling2D(2),
                                  L.Conv2D(3, 2, strides=2), L.AveragePooling2D(2, padding="same"), L.Flatten(),
                                  L.Dropout(0.3), L.Dense(3, activation="softmax")]), x, y, "categorical_crossentropy")


def test_conv1d_compiled_fit_equals_eager():
    x = R.random((24, 12, 2)).astype("float32")
    y = R.integers(0, 2, 24)
    _fit_both(lambda: Sequential([Input((12, 2)), L.Conv1D(4, 3, padding="causal", dilation_rate=2,
                                                           activation="relu"),
                                  L.MaxPooling1D(2), L.Conv1D(3, 2), L.GlobalAveragePooling1D(),
                                  L.Reshape((3, 1)), L.GlobalMaxPooling1D(), L.Dense(2, activation="softmax")]),
              x, y, "sparse_categorical_crossentropy")


# ---- the array module ---------------------------------------------------------------------------

def test_conv_ops_stay_on_the_device_module():
    from tests.test_backend_arrays import DeviceArray, StandInModule, _LOG
    from gradkit.autograd import Tensor, conv, ops
    prev = backend.xp
    backend.use_array_module(StandInModule())
    try:
        rng = np.random.default_rng(0)
        x, w, b = (Tensor(backend.xp.asarray(rng.normal(size=s)), requires_grad=True)
                   for s in [(2, 6, 5, 3), (3, 2, 3, 4), (4,)])
        _LOG.clear()
        for fn in (lambda: conv.conv(x, w, b, (2, 1), "same"), lambda: conv.max_pool(x, (2, 2), None, "same"),
                   lambda: conv.avg_pool(x, (3, 2), (1, 1), "same"), lambda: conv.zero_pad(x, ((1, 0), (2, 1))),
                   lambda: conv.conv(ops.reshape(x, (2, 30, 3)), ops.reshape(w[0], (2, 3, 4)), None, (1,),
                                     "causal")):
            out = fn()
            ops.sum(out * out).backward()
            assert isinstance(out.data, DeviceArray)
            assert all(isinstance(t.grad.data, DeviceArray) for t in (x, w) if t.grad is not None)
        assert not _LOG, dict(_LOG)
    finally:
        backend.use_array_module(prev)
