"""The imdb-lstm benchmark's data, weights and gradkit epoch run (timings are not tested)."""
import numpy as np

from benchmarks import sequences


def test_imdb_lstm_workload_data_and_a_gradkit_epoch():
    x, y = sequences.data(64)
    assert x.shape == (64, 200) and y.shape == (64, 1) and 0 < x.min() + 1 and x.max() < 10000
    assert (x[:, 0] == 0).any() and 0.3 < y.mean() < 0.7  # pre-padded reviews, balanced labels
    ws = sequences.weights()
    assert [w.shape for w in ws] == [(10000, 32), (32, 128), (32, 128), (128,), (32, 1), (1,)]
    np.testing.assert_allclose(ws[2] @ ws[2].T, np.eye(32), atol=1e-10)
    sequences.setup("gradkit", x, y, 32, ws)()
