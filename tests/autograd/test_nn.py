"""Fused ops: gradchecked in float64 and equal to their unfused compositions."""
import numpy as np
import pytest
import scipy.sparse as sp

from gradkit import Tensor, ops
from gradkit.autograd import nn
from gradkit.gradcheck import gradcheck

TOL = 1e-6
R = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws the same numbers whatever runs before it."""
    global R
    R = np.random.default_rng(7)


def T(a, grad=True):
    return Tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def check(f, *tensors):
    res = gradcheck(f, list(tensors))
    assert res.max_rel_error < TOL, res.worst
    return res


@pytest.mark.parametrize("xshape", [(5, 4), (2, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_dense_gradcheck_and_value(float64, xshape, bias):
    x, w, b = T(R.standard_normal(xshape)), T(R.standard_normal((4, 3))), T(R.standard_normal(3))
    args = (x, w, b) if bias else (x, w)
    check(lambda *a: nn.dense(*a), *args)
    want = x.data @ w.data + (b.data if bias else 0)
    np.testing.assert_allclose(nn.dense(*args).data, want, rtol=1e-12)


def test_dense_skips_input_gradient_when_not_needed(float64):
    x, w = T(R.standard_normal((5, 4)), grad=False), T(R.standard_normal((4, 3)))
    nn.dense(x, w).sum().backward()
    assert x.grad is None and w.grad.shape == (4, 3)


def test_dense_sparse_input_matches_dense(float64):
    dense_x = (R.random((6, 8)) < 0.3).astype(np.float64)
    xs = Tensor(sp.csr_matrix(dense_x))
    assert sp.issparse(xs.data)
    w, b = T(R.standard_normal((8, 3))), T(R.standard_normal(3))
    check(lambda w_, b_: nn.dense(xs, w_, b_), w, b)
    proj = R.standard_normal((6, 3))
    w.zero_grad(), b.zero_grad()
    y_sparse = nn.dense(xs, w, b)
    (y_sparse * proj).sum().backward()
    gw_sparse, gb_sparse = w.grad.data.copy(), b.grad.data.copy()
    w.zero_grad(), b.zero_grad()
    y_dense = nn.dense(Tensor(dense_x), w, b)
    (y_dense * proj).sum().backward()
    np.testing.assert_allclose(y_sparse.data, y_dense.data, rtol=1e-12)
    np.testing.assert_allclose(gw_sparse, w.grad.data, rtol=1e-12)
    np.testing.assert_allclose(gb_sparse, b.grad.data, rtol=1e-12)
    assert isinstance(y_sparse.data, np.ndarray)


def test_sparse_tensor_cannot_require_grad():
    from gradkit.errors import DTypeError
    with pytest.raises(DTypeError):
        Tensor(sp.csr_matrix(np.eye(2)), requires_grad=True)


def test_softmax_cross_entropy(float64):
    z = T(R.standard_normal((6, 4)) * 2)
    y = np.eye(4)[R.integers(0, 4, 6)]
    check(lambda z_: nn.softmax_cross_entropy(z_, y), z)
    want = -(y * ops.log_softmax(Tensor(z.data)).data).sum(-1)
    np.testing.assert_allclose(nn.softmax_cross_entropy(z, y).data, want, rtol=1e-12)
    soft = R.dirichlet(np.ones(4), 6)  # soft labels (label smoothing) differentiate too
    check(lambda z_, y_: nn.softmax_cross_entropy(z_, y_), z, T(soft))


def test_softmax_cross_entropy_no_overflow():
    z = Tensor(np.array([[1000.0, -1000.0, 0.0]], dtype=np.float32), requires_grad=True)
    loss = nn.softmax_cross_entropy(z, np.array([[0, 1, 0]]))
    loss.sum().backward()
    assert np.isfinite(loss.data).all() and np.isfinite(z.grad.data).all()
    assert loss.data[0] == pytest.approx(2000.0) and loss.dtype == np.float32


@pytest.mark.parametrize("labels_shape", [(6,), (6, 1)])
def test_sparse_softmax_cross_entropy(float64, labels_shape):
    z = T(R.standard_normal((6, 5)) * 2)
    labels = R.integers(0, 5, 6)
    check(lambda z_: nn.sparse_softmax_cross_entropy(z_, labels.reshape(labels_shape)), z)
    want = nn.softmax_cross_entropy(z, np.eye(5)[labels]).data
    np.testing.assert_allclose(nn.sparse_softmax_cross_entropy(z, labels.reshape(labels_shape)).data, want,
                               rtol=1e-12)


def test_sparse_softmax_cross_entropy_ignore_class(float64):
    z = T(R.standard_normal((4, 3)))
    labels = np.array([0, 2, 1, 2])
    out = nn.sparse_softmax_cross_entropy(z, labels, ignore_class=2).data
    assert out[1] == 0 and out[3] == 0 and out[0] > 0
    check(lambda z_: nn.sparse_softmax_cross_entropy(z_, labels, ignore_class=2), z)


def test_sigmoid_binary_cross_entropy(float64):
    z = T(R.standard_normal((6, 2)) * 4)
    y = R.integers(0, 2, (6, 2)).astype(float)
    check(lambda z_: nn.sigmoid_binary_cross_entropy(z_, y), z)
    p = 1 / (1 + np.exp(-z.data))
    want = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)
    np.testing.assert_allclose(nn.sigmoid_binary_cross_entropy(z, y).data, want, rtol=1e-10)
    check(lambda z_, y_: nn.sigmoid_binary_cross_entropy(z_, y_), z, T(R.random((6, 2))))


def test_sigmoid_binary_cross_entropy_extreme_logits():
    z = Tensor(np.array([[800.0], [-800.0]], dtype=np.float32), requires_grad=True)
    loss = nn.sigmoid_binary_cross_entropy(z, np.array([0.0, 0.0]))
    loss.sum().backward()
    np.testing.assert_allclose(loss.data, [800.0, 0.0])
    np.testing.assert_allclose(z.grad.data.ravel(), [1.0, 0.0])
    assert loss.dtype == np.float32 and z.grad.dtype == np.float32


@pytest.mark.parametrize("fn", [nn.elu, nn.softplus])
def test_activation_ops(float64, fn):
    check(fn, T(R.standard_normal((4, 3)) * 3 + 0.01))


def test_activation_values():
    x = np.array([-1000.0, -1.0, 0.0, 2.0, 1000.0])
    np.testing.assert_allclose(nn.softplus(x).data, np.logaddexp(0, x), rtol=1e-6)
    np.testing.assert_allclose(nn.elu(x).data, np.where(x > 0, x, np.expm1(np.minimum(x, 0))), rtol=1e-6)
    np.testing.assert_array_equal(nn.step(x).data, [0, 0, 0, 1, 1])


def test_step_has_zero_gradient(float64):
    x = T([-1.0, 0.5, 2.0])
    nn.step(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 0)


def test_dropout_scales_and_masks(float64):
    x = T(np.ones((200, 50)))
    y = nn.dropout(x, 0.4)
    kept = y.data != 0
    assert 0.55 < kept.mean() < 0.65
    np.testing.assert_allclose(y.data[kept], 1 / 0.6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, kept / 0.6)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck(float64, training):
    x = T(R.standard_normal((7, 3)) * 2 + 1)
    g, b = T(R.standard_normal(3)), T(R.standard_normal(3))
    mm, mv = np.zeros(3), np.ones(3) * 1.5
    check(lambda x_, g_, b_: nn.batch_norm(x_, g_, b_, mm, mv, training=training), x, g, b)


def test_batch_norm_values_and_moving_stats(float64):
    x = R.standard_normal((10, 2)) * 3 + 5
    mm, mv = np.zeros(2), np.ones(2)
    y = nn.batch_norm(x, None, None, mm, mv, momentum=0.9, epsilon=1e-3, training=True).data
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3))
    np.testing.assert_allclose(mm, 0.1 * x.mean(0))
    np.testing.assert_allclose(mv, 0.9 + 0.1 * x.var(0))


def test_float32_preserved():
    x = Tensor(R.standard_normal((4, 3)).astype(np.float32))
    w = Tensor(R.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, np.float32), requires_grad=True)
    for loss in (nn.softmax_cross_entropy(nn.dense(x, w, b), np.eye(2)[[0, 1, 1, 0]]),
                 nn.sparse_softmax_cross_entropy(nn.dense(x, w, b), np.array([0, 1, 1, 0])),
                 nn.sigmoid_binary_cross_entropy(nn.dense(x, w, b), np.array([[0, 1]] * 4))):
        assert loss.dtype == np.float32
        w.zero_grad(), b.zero_grad()
        loss.sum().backward()
        assert w.grad.dtype == np.float32 and b.grad.dtype == np.float32


def test_label_errors():
    from gradkit.errors import DataError, ShapeError
    z = np.zeros((3, 4))
    with pytest.raises(DataError, match=r"\[0, 4\)"):
        nn.sparse_softmax_cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ShapeError, match="labels"):
        nn.sparse_softmax_cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ShapeError, match="sparse"):
        nn.softmax_cross_entropy(z, np.array([[0], [1], [2]]))


@pytest.mark.parametrize("shape", [(5, 3), (4,), (2, 3, 2)])
def test_squared_error_gradcheck_and_value(float64, shape):
    p, t = T(R.standard_normal(shape)), T(R.standard_normal(shape))
    check(lambda a, b: nn.squared_error(a, b) * T(np.arange(1.0, 1 + np.prod(shape[:-1])).reshape(shape[:-1]),
                                                  grad=False), p, t)
    np.testing.assert_allclose(nn.squared_error(p, t).data, ((p.data - t.data) ** 2).mean(axis=-1), rtol=1e-12)


def test_squared_error_skips_label_gradient(float64):
    p, t = T(R.standard_normal((4, 2))), T(R.standard_normal((4, 2)), grad=False)
    nn.squared_error(p, t).sum().backward()
    assert t.grad is None
    np.testing.assert_allclose(p.grad.data, (p.data - t.data), rtol=1e-12)


def test_mean_squared_error_gradcheck_and_value(float64):
    p, t = T(R.standard_normal((5, 3))), T(R.standard_normal((5, 3)))
    check(nn.mean_squared_error, p, t)
    assert nn.mean_squared_error(p, t).data == pytest.approx(((p.data - t.data) ** 2).mean(), rel=1e-12)


def test_embedding_gradcheck_and_repeated_ids(float64):
    table = T(R.standard_normal((5, 3)))
    ids = Tensor(np.array([[0, 2], [2, 4]]))
    proj = T(R.standard_normal((2, 2, 3)), grad=False)
    check(lambda t: nn.embedding(t, ids) * proj, table)
    np.testing.assert_array_equal(nn.embedding(table, ids).data, table.data[ids.data])
    table.zero_grad()
    nn.embedding(table, ids).sum().backward()
    np.testing.assert_array_equal(table.grad.data[:, 0], [1, 0, 2, 0, 1])


@pytest.mark.parametrize("vocab", [50, 70_000])  # 16-bit sort keys, and wider ones
def test_embedding_gradient_sparse_and_scatter_paths_agree_bit_for_bit(vocab):
    """The SciPy product and the ufunc.at fallback add each id's rows in the same order: the same float32 bits."""
    sparse = pytest.importorskip("scipy.sparse", reason="the sparse path needs SciPy")
    ids = R.integers(0, 50, 3000) * (vocab // 50)  # many repeats per id, in no order
    g = R.standard_normal((3000, 8)).astype("float32") * 1e3
    got = nn._sum_rows_sparse(sparse, ids, g, vocab)
    want = nn._sum_rows_at(ids, g, vocab, np.float32)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want)
    k = 7 * (vocab // 50)
    np.testing.assert_allclose(got[k], g[ids == k].astype("float64").sum(0), rtol=1e-4)


def test_softmax_cross_entropy_mean_gradcheck_and_value(float64):
    z, y = T(R.standard_normal((4, 3))), T(R.dirichlet(np.ones(3), 4))
    check(lambda a, b: nn.softmax_cross_entropy(a, b, mean=True), z, y)
    want = nn.softmax_cross_entropy(z, y).data.mean()
    assert nn.softmax_cross_entropy(z, y, mean=True).data == pytest.approx(want, rel=1e-12)
