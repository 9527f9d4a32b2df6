"""One EpochIterator over arrays, generators, PyDatasets and DataLoaders: the same batches whatever the data, and
warnings that point at the user's call."""
import warnings

import numpy as np
import pytest

from gradkit import utils
from gradkit.layers import Dense, Input
from gradkit.models import Sequential
from gradkit.training.batching import Batcher
from gradkit.training.epoch_iterator import EpochIterator
from gradkit.training.streams import Stream

R = np.random.default_rng(8)
X = R.standard_normal((10, 3)).astype(np.float32)
Y = R.standard_normal((10, 1)).astype(np.float32)


def _model():
    m = Sequential([Input((3,)), Dense(1)])
    m.compile("sgd", "mse")
    return m


class Pairs(utils.PyDataset):
    def __init__(self):
        super().__init__()

    def __len__(self):
        return 3

    def __getitem__(self, i):
        return X[4 * i:4 * i + 4], Y[4 * i:4 * i + 4]


def _generator():
    for i in range(3):
        yield X[4 * i:4 * i + 4], Y[4 * i:4 * i + 4]


def _torch_loader():
    torch = pytest.importorskip("torch", reason="the DataLoader case needs PyTorch")
    ds = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    return torch.utils.data.DataLoader(ds, batch_size=4)


@pytest.mark.parametrize("make", [lambda: (X, Y), lambda: (_generator(), None), lambda: (Pairs(), None),
                                  lambda: (_torch_loader(), None)], ids=["arrays", "generator", "pydataset", "torch"])
def test_every_kind_of_data_gives_the_same_batches(make):
    x, y = make()
    it = EpochIterator(_model(), x, y, batch_size=4 if y is not None else None, steps=3 if y is None else None,
                       where="evaluate")
    assert isinstance(it.source, Batcher if y is not None else Stream)
    assert it.steps == 3 and it.weighted is False
    assert it.y_shapes == ([(10, 1)] if y is not None else [(4, 1)])  # the arrays' own, or the first batch's
    got = list(it.epoch())
    assert [b[0][0].shape[0] for b in got] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[0][0] for b in got]), X)
    np.testing.assert_array_equal(np.concatenate([b[1][0] for b in got]), Y)


def test_fit_arrays_keep_the_split_and_the_full_data():
    it = EpochIterator(_model(), X, Y, batch_size=4, split=0.2, epoch_loss="full")
    assert it.held_out[0][0].shape == (2, 3) and it.full[0][0].shape == (8, 3)
    val = EpochIterator.validation(_model(), None, it.held_out, 32, None, 1)
    assert [b[0][0].shape for b in val.epoch()] == [(2, 3)]
    assert EpochIterator.validation(_model(), None, None, 32, None, 1) is None


def test_stream_warnings_point_at_the_users_call():
    model = _model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.evaluate(_generator(), batch_size=4, verbose=0)
        model.fit(_generator(), epochs=1, verbose=0)
    assert [w.filename for w in caught] == [__file__, __file__]
