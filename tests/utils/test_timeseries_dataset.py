"""timeseries_dataset_from_array: hand-computed windows, DLwP ch. 10's Jena calls on synthetic data compared with
real Keras window for window, and errors that name the argument."""
import os

import numpy as np
import pytest

from gradkit import Input, Sequential, layers
from gradkit.errors import ConfigError, GradkitError
from gradkit.utils import timeseries_dataset_from_array


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow", reason="real Keras's timeseries_dataset_from_array needs TensorFlow")
    return pytest.importorskip("keras", reason="real Keras is not installed")


def test_dlwp_toy_example_by_hand():
    # DLwP 2nd ed. ch. 10's toy call: windows of 3 over [0..9], target the value right after each window
    int_sequence = np.arange(10)
    dummy_dataset = timeseries_dataset_from_array(data=int_sequence[:-3], targets=int_sequence[3:],
                                                  sequence_length=3, batch_size=2)
    rows = [([int(x) for x in inputs[i]], int(targets[i])) for inputs, targets in dummy_dataset
            for i in range(inputs.shape[0])]
    assert rows == [([0, 1, 2], 3), ([1, 2, 3], 4), ([2, 3, 4], 5), ([3, 4, 5], 6), ([4, 5, 6], 7)]
    assert [len(t) for _, t in dummy_dataset] == [2, 2, 1] and len(dummy_dataset) == 3


def test_sampling_rate_stride_start_end_by_hand():
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data, targets=data * 10, sequence_length=4, sampling_rate=3,
                                       sequence_stride=5, start_index=10, end_index=50, batch_size=100)
    x, y = ds[0]
    # first steps 10, 15, ...; a window spans 3 * 3 + 1 = 10 steps and must end before step 50
    starts = [10 + 5 * k for k in range(8) if 10 + 5 * k + 9 < 50]
    np.testing.assert_array_equal(x, [[s, s + 3, s + 6, s + 9] for s in starts])
    np.testing.assert_array_equal(y, [10 * s for s in starts])
    unbatched = timeseries_dataset_from_array(data, None, sequence_length=2, batch_size=None, end_index=5)
    assert [w.tolist() for w in unbatched] == [[0, 1], [1, 2], [2, 3], [3, 4]]


def _jena_like(n=8000, features=14, seed=0):
    rng = np.random.default_rng(seed)
    raw = np.cumsum(rng.normal(size=(n, features)), axis=0).astype("float32")
    return raw, raw[:, 1].copy()


def test_jena_calls_match_keras_window_for_window():
    keras = _keras()
    raw_data, temperature = _jena_like()
    num_train, num_val = len(raw_data) // 2, len(raw_data) // 4
    sampling_rate, sequence_length = 6, 120
    delay = sampling_rate * (sequence_length + 24 - 1)
    calls = [dict(start_index=0, end_index=num_train), dict(start_index=num_train, end_index=num_train + num_val),
             dict(start_index=num_train + num_val)]
    for kw in calls:
        kw = dict(sampling_rate=sampling_rate, sequence_length=sequence_length, batch_size=64, **kw)
        k = keras.utils.timeseries_dataset_from_array(raw_data[:-delay], targets=temperature[delay:], **kw)
        g = timeseries_dataset_from_array(raw_data[:-delay], targets=temperature[delay:], **kw)
        kb = [(x.numpy(), y.numpy()) for x, y in k]
        assert len(kb) == len(g)
        for (kx, ky), (gx, gy) in zip(kb, g):
            np.testing.assert_array_equal(gx, kx)
            np.testing.assert_array_equal(gy, ky)
            assert gx.dtype == kx.dtype and gy.dtype == ky.dtype


def test_shuffled_windows_are_keras_windows_and_repeat_with_a_seed():
    keras = _keras()
    data = np.arange(500, dtype="float32")[:, None]
    kw = dict(sequence_length=7, sampling_rate=2, sequence_stride=3, batch_size=16, shuffle=True, seed=42)
    k = np.concatenate([y.numpy() for _, y in keras.utils.timeseries_dataset_from_array(data, data[:, 0], **kw)])
    a = timeseries_dataset_from_array(data, data[:, 0], **kw)
    b = timeseries_dataset_from_array(data, data[:, 0], **kw)
    ga = np.concatenate([y for _, y in a])
    np.testing.assert_array_equal(ga, np.concatenate([y for _, y in b]))  # the seed repeats the order
    assert sorted(ga.tolist()) == sorted(k.tolist())  # the same windows (Keras also shuffles in a tf.data buffer)
    for x, y in timeseries_dataset_from_array(data, data[:, 0], **kw):
        np.testing.assert_array_equal(x[:, 0, 0], y)
        np.testing.assert_array_equal(x[:, :, 0] - y[:, None], np.arange(0, 14, 2)[None].repeat(len(y), 0))


def test_a_model_fits_the_dataset():
    raw, temp = _jena_like(400, 3)
    train = timeseries_dataset_from_array(raw[:-10], temp[10:], sequence_length=12, batch_size=32, shuffle=True,
                                          seed=0)
    model = Sequential([Input((12, 3)), layers.Flatten(), layers.Dense(1)])
    model.compile("rmsprop", "mse", metrics=["mae"])
    hist = model.fit(train, epochs=2, validation_data=train.take(3), verbose=0)
    assert len(hist.history["val_mae"]) == 2 and np.isfinite(hist.history["loss"]).all()


@pytest.mark.parametrize("kwargs, words", [
    ({"sequence_length": 200}, ["sequence_length=200", "100 steps"]),
    ({"sequence_length": 20, "sampling_rate": 6}, ["sampling_rate=6", "spans 115 steps", "100 steps"]),
    ({"sequence_length": 0}, ["sequence_length", "[1, inf)", "0"]),
    ({"sequence_length": 5, "sampling_rate": 0}, ["sampling_rate", "0"]),
    ({"sequence_length": 5, "sequence_stride": 100}, ["sequence_stride", "[1, 100)", "100"]),
    ({"sequence_length": 5, "start_index": 100}, ["start_index", "[0, 100)", "100"]),
    ({"sequence_length": 5, "start_index": 50, "end_index": 40}, ["end_index", "start_index=50", "40"]),
    ({"sequence_length": 5, "end_index": 0}, ["end_index", "0"]),
    ({"sequence_length": 5, "batch_size": -1}, ["batch_size", "-1"]),
    ({"sequence_length": 2.5}, ["sequence_length", "integer", "2.5"]),
])
def test_misuse_names_argument_expected_and_given(kwargs, words):
    with pytest.raises(GradkitError) as e:
        timeseries_dataset_from_array(np.arange(100), None, **kwargs)
    assert all(w in str(e.value) for w in words), str(e.value)


def test_end_index_zero_is_an_error_not_an_empty_dataset():
    with pytest.raises(ConfigError, match="end_index"):
        timeseries_dataset_from_array(np.arange(10), None, 2, end_index=0)
