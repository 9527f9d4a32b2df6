import numpy as np

from gradkit import Tensor, backend, ops
from gradkit.training.compiled import eager_step, trace_step


def _mlp_params(r):
    return [Tensor(r.standard_normal(s) * 0.5, requires_grad=True) for s in [(4, 5), (5,), (5, 3), (3,)]]


def _mlp_loss(params):
    w1, b1, w2, b2 = params

    def fn(x, y):
        h = ops.sigmoid(x @ w1 + b1)
        logits = ops.relu(h) @ w2 + b2 * 2.0
        loss = -(ops.log_softmax(logits) * y).sum(axis=-1).mean() + (w1 * w1).sum() * 1e-3
        return loss, ops.softmax(logits)
    return fn


def _batches(r, n=4):
    return [(r.standard_normal((6, 4)), np.eye(3)[r.integers(0, 3, 6)]) for _ in range(n)]


def test_replay_equals_eager_bit_for_bit_over_several_batches():
    r = np.random.default_rng(0)
    params = _mlp_params(r)
    fn = _mlp_loss(params)
    batches = _batches(r)
    step, loss0, _, grads0 = trace_step(fn, batches[0], params)
    assert np.array_equal(loss0, eager_step(fn, batches[0], params)[0])
    for xb, yb in batches[1:]:
        loss, outs, grads = step(xb, yb)
        eloss, eouts, egrads = eager_step(fn, (xb, yb), params)
        assert np.array_equal(loss, eloss) and np.array_equal(outs[0], eouts[0])
        assert all(np.array_equal(a, b) for a, b in zip(grads, egrads))
        assert step.matches(xb, yb)
        for p, g in zip(params, grads):  # an SGD step in place between replays
            p.data -= 0.1 * g


def test_data_dependent_index_captured_as_constant_is_detected():
    r = np.random.default_rng(1)
    table = Tensor(r.standard_normal((10, 3)), requires_grad=True)

    def fn(idx, y):
        emb = table[idx.data.astype(int)]  # the index becomes a constant of the trace
        return ((emb - y) ** 2).mean(), emb

    a = (np.array([1.0, 2.0]), np.zeros((2, 3)))
    b = (np.array([3.0, 4.0]), np.zeros((2, 3)))
    step = trace_step(fn, a, [table])[0]
    assert step.matches(*a)
    assert not step.matches(*b)


def test_matches_leaves_the_generator_as_eager_would():
    r = np.random.default_rng(2)
    w = Tensor(r.standard_normal((3, 2)), requires_grad=True)

    def fn(x, y):
        mask = Tensor((backend.rng().random(x.shape) > 0.5).astype(x.dtype))  # Python-side draw
        return (((x * mask) @ w - y) ** 2).mean(), x

    xb = (r.standard_normal((4, 3)), r.standard_normal((4, 2)))
    step = trace_step(fn, xb, [w])[0]
    backend.set_seed(5)
    eager_step(fn, xb, [w])
    expected = backend.rng().random()
    backend.set_seed(5)
    assert not step.matches(*xb)  # the draw was frozen into the trace: rejected
    assert backend.rng().random() == expected


def test_replay_source_is_a_flat_program_and_keeps_no_trace_time_intermediates():
    r = np.random.default_rng(3)
    params = _mlp_params(r)
    step = trace_step(_mlp_loss(params), _batches(r, 1)[0], params)[0]
    assert step.source.startswith("def replay(v0, v1):") and "forward0(*a)" in step.source
    consts = [k for k, v in step.replay.__globals__.items() if k.startswith("v") and hasattr(v, "shape")]
    assert len(consts) == 2  # only the true constants 2.0 and 1e-3, no activation of the traced batch
