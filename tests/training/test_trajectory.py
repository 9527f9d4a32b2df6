"""TrajectoryRecorder on real fits: the Keras-style linear neuron retraces the course's explicit loop exactly."""
import numpy as np
import pytest

from gradkit import descent as D
from gradkit import optimizers
from gradkit.errors import ConfigError
from gradkit.layers import Dense
from gradkit.models import Sequential
from gradkit.training.trajectory import TrajectoryRecorder, _Growing

NAMES = ["neuron/kernel", "neuron/bias"]


@pytest.fixture(scope="module")
def boston():
    return D.boston_rm_lstat()


@pytest.fixture(scope="module")
def loop(boston):
    """The course's explicit full-batch loop: 5000 steps, w = 0, b = 1, lr 0.01."""
    return D.linear_gd(*boston, steps=5000)


def course_model():
    """The course's Keras model: Dense(1), kernel zeros, bias ones, SGD(0.01), MSE."""
    model = Sequential([Dense(1, kernel_initializer="zeros", bias_initializer="ones", input_shape=(2,),
                              name="neuron")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.01), loss="mse")
    return model


def test_keras_style_model_gives_the_loops_loss_curve(float64, boston, loop):
    x, y = boston
    history = course_model().fit(x, y, batch_size=506, epochs=5000, shuffle=False, verbose=0)
    # Keras's epoch loss is the batch loss before that epoch's update: the loop's loss[k - 1]
    np.testing.assert_allclose(history.history["loss"], loop.loss[:-1], rtol=0, atol=1e-9)


def test_recorder_on_full_batch_fit_records_the_loops_trajectory(float64, boston, loop):
    x, y = boston
    rec = TrajectoryRecorder(NAMES, x, y)
    history = course_model().fit(x, y, batch_size="full", epochs=5000, verbose=0, callbacks=[rec])
    np.testing.assert_allclose(history.history["loss"], loop.loss[:-1], rtol=0, atol=1e-9)
    assert rec.steps == 5000 and rec.loss.shape == (5001,)
    np.testing.assert_allclose(rec.loss, loop.loss, rtol=0, atol=1e-9)
    np.testing.assert_allclose(rec["neuron/kernel"][:, :, 0], loop.weights, rtol=0, atol=1e-9)
    np.testing.assert_allclose(rec["neuron/bias"][:, 0], loop.bias, rtol=0, atol=1e-9)
    assert abs(rec.loss[-1] - 30.529) < 1e-3


def test_full_data_epoch_loss_matches_the_loop_after_each_step(float64, boston, loop):
    x, y = boston
    history = course_model().fit(x, y, batch_size="full", epochs=200, verbose=0, epoch_loss="full")
    np.testing.assert_allclose(history.history["loss"], loop.loss[1:201], rtol=0, atol=1e-9)


def test_sequential_sweep_of_30_matches_the_loops_sweep(float64, boston):
    x, y = boston
    rec = TrajectoryRecorder(x=x, y=y)  # names=None: every trainable weight
    course_model().fit(x, y, batch_size=30, sampling="sweep", epochs=2, verbose=0, callbacks=[rec])
    sweep = D.linear_gd(x, y, steps=34, strategy="sweep", batch_size=30)  # 2 epochs of 17 batches
    assert rec.names == NAMES and rec.steps == 34
    np.testing.assert_allclose(rec["neuron/kernel"][:, :, 0], sweep.weights, rtol=1e-12)
    np.testing.assert_allclose(rec.loss, sweep.loss, rtol=1e-12)


def test_without_data_only_parameters_are_recorded(float64, boston):
    x, y = boston
    rec = TrajectoryRecorder(["neuron/bias"])
    course_model().fit(x, y, batch_size=506, epochs=3, verbose=0, callbacks=[rec])
    assert rec.loss is None and list(rec.parameters) == ["neuron/bias"]
    assert rec["neuron/bias"].shape == (4, 1) and rec["neuron/bias"][0, 0] == 1.0


def test_save_and_load_round_trip(float64, boston, tmp_path):
    x, y = boston
    rec = TrajectoryRecorder(NAMES, x, y)
    course_model().fit(x, y, batch_size="full", epochs=10, verbose=0, callbacks=[rec])
    rec.save(tmp_path / "traj.npz")
    back = TrajectoryRecorder.load(tmp_path / "traj.npz")
    assert back.names == NAMES and back.steps == 10
    np.testing.assert_array_equal(back.loss, rec.loss)
    np.testing.assert_array_equal(back["neuron/kernel"], rec["neuron/kernel"])


def test_unknown_weight_name_lists_the_models_weights(boston):
    x, y = boston
    with pytest.raises(ConfigError, match="'neuron/kernel', 'neuron/bias'"):
        course_model().fit(x, y, epochs=1, verbose=0, callbacks=[TrajectoryRecorder(["dense/kernel"])])
    with pytest.raises(ConfigError, match="both x and y"):
        TrajectoryRecorder(NAMES, x=x)


def test_growing_buffer_doubles_past_its_capacity():
    buf = _Growing((2,), capacity=1)
    for k in range(5):
        buf.append([k, -k])
    assert len(buf.data) == 8
    np.testing.assert_array_equal(buf.view(), [[k, -k] for k in range(5)])
