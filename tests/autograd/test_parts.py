"""gradkit's own threads: ops that cut the batch into parts give the same results with 1 and 2 threads (to float64
rounding; the LSTM's weight gradients bit for bit), gradcheck with parts, and fit repeats itself and restores BLAS."""
import numpy as np
import pytest

from gradkit import Tensor
from gradkit import backend as B
from gradkit.autograd import conv as C
from gradkit.autograd import nn, rnn
from gradkit.gradcheck import gradcheck

threadpoolctl = pytest.importorskip("threadpoolctl", reason="gradkit's threads follow BLAS's, set with threadpoolctl")


def blas_threads(k):
    return threadpoolctl.threadpool_limits(k, user_api="blas")


def blas_now():
    """The thread counts of every BLAS library loaded (NumPy's, and scipy's own where a test imported scipy)."""
    return {i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"}


def run(op_factory, arrays, k):
    """(outputs, input gradients) of a fresh op under k BLAS threads (so k parts), for an all-ones-ish seed."""
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    with blas_threads(k), B.owned_threads():  # as in fit: BLAS on one thread, gradkit's threads for the parts
        out = op_factory()(*tensors)
        seed = np.cos(np.arange(out.data.size)).reshape(out.shape)
        out.backward(seed)
    return out.data, [t.grad for t in tensors]


def test_batch_parts_follow_blas_threads():
    with blas_threads(2):
        assert B.threads() == 2
        assert B.batch_parts(128) == [(0, 64), (64, 128)]
        assert B.batch_parts(15) == [(0, 15)]  # parts of at least 8 rows
        with B.owned_threads():
            assert B.threads() == 2 and blas_now() == {1}
            assert B.run_parts(lambda a, e: B.batch_parts(e - a), B.batch_parts(128)) == [[(0, 64)], [(0, 64)]]
        assert blas_now() == {2}
    with blas_threads(1):
        assert B.batch_parts(128) == [(0, 128)]


@pytest.mark.parametrize("relu, padding, strides", [(True, "valid", 1), (False, "same", 2)])
def test_conv_and_pool_same_with_parts(relu, padding, strides):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(32, 9, 9, 3)), rng.normal(size=(3, 3, 3, 4)), rng.normal(size=4)
    factory = (lambda: lambda *t: C.Conv((strides, strides), padding, relu=relu)(*t))
    (y1, g1), (y2, g2) = run(factory, [x, w, b], 1), run(factory, [x, w, b], 2)
    np.testing.assert_allclose(y2, y1, rtol=1e-12, atol=1e-12)
    for a, e in zip(g2, g1):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)
    pool = (lambda: lambda t: C.MaxPool((2, 2), (2, 2), "valid")(t))
    (p1, q1), (p2, q2) = run(pool, [x], 1), run(pool, [x], 2)
    np.testing.assert_array_equal(p2, p1)
    np.testing.assert_array_equal(q2[0], q1[0])


def test_conv_after_an_embedding_same_with_parts():
    """The per-vocabulary-row products (Conv._vocab) cut the positions by samples like the others."""
    pytest.importorskip("scipy.sparse", reason="the per-row products need SciPy's sparse product")
    rng = np.random.default_rng(2)
    table, w, b = rng.normal(size=(20, 6)), rng.normal(size=(5, 6, 3)), rng.normal(size=3)
    ids = Tensor(rng.integers(0, 20, (32, 12)).astype(float))

    def factory():
        return lambda t, k, bb: C.conv(nn.embedding(t, ids), k, bb, relu=True)

    (y1, g1), (y2, g2) = run(factory, [table, w, b], 1), run(factory, [table, w, b], 2)
    np.testing.assert_allclose(y2, y1, rtol=1e-12, atol=1e-12)
    for a, e in zip(g2, g1):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)


def test_dense_same_with_parts():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(128, 512)), rng.normal(size=(512, 256)), rng.normal(size=256)
    (y1, g1), (y2, g2) = run(lambda: nn.Dense(), [x, w, b], 1), run(lambda: nn.Dense(), [x, w, b], 2)
    np.testing.assert_allclose(y2, y1, rtol=1e-12)
    for a, e in zip(g2, g1):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)


def test_lstm_weight_gradients_same_bits_with_a_helper_thread(monkeypatch):
    """The partial sums over groups of steps are the same sums, whether a second thread makes them or not."""
    helpers = []
    real_submit = B.submit
    monkeypatch.setattr(B, "submit", lambda fn, *a: helpers.append(B.threads()) or real_submit(fn, *a))
    rng = np.random.default_rng(2)
    n, t, d, u = 16, 2 * rnn.LSTMSeq.GROUP + 7, 3, 4
    arrays = [rng.normal(size=(n, t, d)), rng.normal(size=(d, 4 * u)), rng.normal(size=(u, 4 * u)) * 0.3,
              rng.normal(size=4 * u)]
    factory = (lambda: lambda *ts: rnn.recurrence("lstm", *ts)[0])
    (y1, g1), (y2, g2) = run(factory, arrays, 1), run(factory, arrays, 2)
    assert helpers == [1] * 3 + [2] * 3  # 3 groups of steps each run; on the helper thread with 2 threads
    np.testing.assert_array_equal(y2, y1)
    for a, e in zip(g2, g1):
        np.testing.assert_array_equal(a, e)


def test_gradcheck_with_parts():
    rng = np.random.default_rng(3)
    with blas_threads(2):
        assert len(B.batch_parts(16)) == 2
        res = gradcheck(lambda x, w: C.max_pool(C.conv(x, w, strides=(1, 1), padding="same", relu=True), (2, 2)),
                        [Tensor(rng.normal(size=(16, 4, 4, 2)), requires_grad=True),
                         Tensor(rng.normal(size=(2, 2, 2, 3)), requires_grad=True)])
    assert res.passed, res.worst


def test_fit_with_threads_repeats_bit_for_bit_and_restores_blas():
    import gradkit
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(96, 8, 8, 1)).astype("float32"), rng.integers(0, 3, 96)

    def fit():
        gradkit.backend.set_seed(0)
        model = gradkit.Sequential([gradkit.Input((8, 8, 1)), gradkit.layers.Conv2D(4, 3, activation="relu"),
                                    gradkit.layers.MaxPooling2D(), gradkit.layers.Flatten(),
                                    gradkit.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=32, epochs=2, verbose=0)
        return model.get_weights()

    with blas_threads(2):
        first, second = fit(), fit()
        assert blas_now() == {2}
    for a, e in zip(first, second):
        np.testing.assert_array_equal(a, e)
