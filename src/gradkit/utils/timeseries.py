"""keras.utils.timeseries_dataset_from_array: sliding windows over a series, with Keras's window starts, target
alignment (window i's target is ``targets[start_index + start_i]``) and shuffle of the window starts."""
import numbers

import numpy as np

from ..arguments import flag, number
from ..errors import ConfigError, DataError
from .dataset import SampleDataset
from .dataset_utils import check_batch_size, draw_seed

_OWNER = "timeseries_dataset_from_array"


def _index(value, name, n):
    """start_index / end_index: None or an int in [0, n)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < n:
        raise ConfigError(f"{_OWNER}: {name} must be an integer in [0, {n}) (the data has {n} steps), got {value!r}")
    return int(value)


def _window_starts(n, targets, sequence_length, sampling_rate, sequence_stride, start, end):
    """The windows' first steps, relative to start (Keras's start_positions)."""
    span = (sequence_length - 1) * sampling_rate + 1
    num_seqs = end - start - span + 1
    if num_seqs <= 0:
        raise ConfigError(f"{_OWNER}: a window of sequence_length={sequence_length} steps sampled every "
                          f"sampling_rate={sampling_rate} spans {span} steps, more than the {end - start} steps "
                          f"from start_index={start} to {'the end' if end == n else 'end_index'} ({end})")
    if targets is not None:
        if len(targets) <= start:
            raise DataError(f"{_OWNER}: targets has {len(targets)} rows; it needs more than start_index={start}")
        num_seqs = min(num_seqs, len(targets) - start)
    return np.arange(0, num_seqs, sequence_stride)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """Batches of windows ``data[s : s + sequence_length * sampling_rate : sampling_rate]`` (s = start_index + a
    multiple of sequence_stride), with targets ``targets[s]`` (None: windows alone), as Keras yields them.

    end_index is exclusive. shuffle shuffles the window starts with np.random.RandomState(seed) as Keras does; Keras
    then also shuffles through a tf.data buffer, so only shuffle=False gives Keras's exact batch order."""
    data = np.asarray(data)
    if data.ndim < 1 or len(data) == 0:
        raise DataError(f"{_OWNER}: data must be an array of at least one step (steps, ...), got shape {data.shape}")
    n = len(data)
    sequence_length = number(sequence_length, "sequence_length", _OWNER, "[1, inf)", integer=True)
    sequence_stride = number(sequence_stride, "sequence_stride", _OWNER, f"[1, {n})", integer=True)
    sampling_rate = number(sampling_rate, "sampling_rate", _OWNER, f"[1, {n})", integer=True)
    batch_size = check_batch_size(batch_size, _OWNER)
    start = _index(start_index, "start_index", n) or 0
    end = _index(end_index, "end_index", n)
    end = n if end is None else end
    if end <= start:
        raise ConfigError(f"{_OWNER}: end_index must be more than start_index={start}, got end_index={end_index!r}")
    if targets is not None:
        targets = np.asarray(targets)
    starts = _window_starts(n, targets, sequence_length, sampling_rate, sequence_stride, start, end)
    seed = draw_seed(seed, _OWNER) if flag(shuffle, "shuffle", _OWNER) else seed
    if shuffle:
        np.random.RandomState(seed).shuffle(starts)
    steps = np.arange(sequence_length) * sampling_rate

    def load(indices):
        first = start + starts[indices]
        windows = data[first[:, None] + steps]
        return windows if targets is None else (windows, targets[first])
    return SampleDataset(len(starts), load, batch_size, shuffle=shuffle, seed=seed)
