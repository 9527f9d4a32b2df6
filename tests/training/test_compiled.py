"""The compiled step: a traced step function (forward, loss, backward, optimizer.apply) replayed bit for bit."""
import numpy as np

from gradkit import Tensor, backend, ops, optimizers
from gradkit.autograd.tensor import Function, wrap
from gradkit.training.compiled import CompiledStep, trace


def _mlp_params(r):
    return [Tensor(r.standard_normal(s) * 0.5, requires_grad=True) for s in [(4, 5), (5,), (5, 3), (3,)]]


def _mlp_step(params, optimizer, calls=None):
    """A whole training step over lists of Tensors, in the shape of Model.train_step."""
    w1, b1, w2, b2 = params

    def step(xs, ys):
        if calls is not None:
            calls.append(1)  # Python, not an op: runs when traced, not when replayed
        for p in params:
            p.grad = None
        h = ops.sigmoid(xs[0] @ w1 + b1)
        logits = ops.relu(h) @ w2 + b2 * 2.0
        loss = -(ops.log_softmax(logits) * ys[0]).sum(axis=-1).mean() + (w1 * w1).sum() * 1e-3
        loss.backward()
        optimizer.apply([p.grad for p in params], params)
        return loss, [ops.softmax(logits)]
    return step


def _batches(r, n=5):
    return [([wrap(r.standard_normal((6, 4)))], [wrap(np.eye(3)[r.integers(0, 3, 6)])]) for _ in range(n)]


def test_replay_runs_the_same_step_as_eager_bit_for_bit():
    r = np.random.default_rng(0)
    start = _mlp_params(r)
    batches = _batches(r)
    pe, pc = ([Tensor(p.data.copy(), requires_grad=True) for p in start] for _ in range(2))
    eager = _mlp_step(pe, optimizers.Adam(0.05))
    calls = []
    compiled = CompiledStep(_mlp_step(pc, optimizers.Adam(0.05), calls), state=lambda: [p.data for p in pc])
    for xs, ys in batches:
        (le, [oe]), (lc, [oc]) = eager(xs, ys), compiled(xs, ys)
        assert np.array_equal(le.data, lc.data) and np.array_equal(oe.data, oc.data)
        for a, b in zip(pe, pc):
            np.testing.assert_array_equal(a.data, b.data)
    assert not compiled.eager and compiled.programs[((6, 4), (6, 3))][1]  # verified and replayed
    assert len(calls) == 2 and compiled.traces == 1  # traced once, run eagerly once for the check, replayed 3 times


def test_data_dependent_index_captured_as_constant_falls_back_to_eager():
    r = np.random.default_rng(1)
    table = Tensor(r.standard_normal((10, 3)), requires_grad=True)
    opt, reasons = optimizers.SGD(0.1), []

    def step(xs, ys):
        table.grad = None
        emb = table[xs[0].data.astype(int)]  # the index becomes a constant of the trace
        loss = ((emb - ys[0]) ** 2).mean()
        loss.backward()
        opt.apply([table.grad], [table])
        return loss, [emb]

    compiled = CompiledStep(step, state=lambda: [table.data], on_fallback=reasons.append)
    before = table.data.copy()
    for ids in ([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]):
        compiled([wrap(np.array(ids))], [wrap(np.zeros((2, 3)))])
    assert compiled.eager and len(reasons) == 1 and "differs" in reasons[0]
    changed = np.flatnonzero((table.data != before).any(axis=1))
    np.testing.assert_array_equal(changed, [1, 2, 3, 4, 5, 6])  # every batch trained its own rows


def test_check_leaves_the_generator_and_weights_as_eager_would():
    r = np.random.default_rng(2)
    w = Tensor(r.standard_normal((3, 2)), requires_grad=True)
    opt = optimizers.SGD(0.1)

    def step(xs, ys):
        w.grad = None
        mask = Tensor((backend.rng().random(xs[0].shape) > 0.5).astype(xs[0].dtype))  # Python-side draw
        loss = (((xs[0] * mask) @ w - ys[0]) ** 2).mean()
        loss.backward()
        opt.apply([w.grad], [w])
        return loss, []

    xs, ys = [wrap(r.standard_normal((4, 3)))], [wrap(r.standard_normal((4, 2)))]
    w0 = w.data.copy()
    backend.set_seed(5)
    step(xs, ys)
    step(xs, ys)
    expected_w, expected_draw = w.data.copy(), backend.rng().random()
    w.data[...] = w0
    opt.iterations = 0
    backend.set_seed(5)
    compiled = CompiledStep(step, state=lambda: [w.data])
    compiled(xs, ys)
    compiled(xs, ys)  # the draw was frozen into the trace: the check rejects the replay
    assert compiled.eager
    np.testing.assert_array_equal(w.data, expected_w)
    assert backend.rng().random() == expected_draw


def test_replay_source_is_a_flat_program_and_keeps_no_trace_time_intermediates():
    r = np.random.default_rng(3)
    params = _mlp_params(r)
    program, _, why = trace(_mlp_step(params, optimizers.SGD(0.1)), *_batches(r, 1)[0])
    assert why is None
    assert program.source.startswith("def replay(x0, x1):") and "forward0(*a)" in program.source
    assert "opt0.apply([" in program.source  # the optimizer's own apply, replayed
    consts = [k for k, v in program.ns.items() if k.startswith("c") and hasattr(v, "shape")]
    assert len(consts) == 2  # only the true constants 2.0 and 1e-3, no activation of the traced batch


def test_two_backward_passes_are_not_traced_and_run_eagerly():
    w = Tensor(np.ones(3), requires_grad=True)
    reasons = []

    def step(xs, ys):
        w.grad = None
        (xs[0] * w).sum().backward()
        (xs[0] * w * w).sum().backward()
        return wrap(w.grad.data.copy()), []

    compiled = CompiledStep(step, on_fallback=reasons.append)
    for _ in range(3):
        g, _ = compiled([wrap(np.arange(3.0))], [])
        np.testing.assert_array_equal(g.data, [0.0, 3.0, 6.0])  # x + 2·x·w
    assert compiled.eager and reasons == ["the step calls backward() twice"]


def _convnet():
    import gradkit
    from gradkit import layers
    gradkit.utils.set_random_seed(0)
    m = gradkit.Sequential([layers.Input((20, 20, 1)), layers.Conv2D(8, 3, activation="relu"),
                            layers.Conv2D(8, 3, activation="tanh"), layers.MaxPooling2D(2), layers.Flatten(),
                            layers.Dense(10, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="adam")
    return m


def _traced_peak_and_kept(fn):
    """(peak, kept) bytes that tracemalloc sees above the level before fn() (run twice: the second run is measured,
    so whatever the first run left behind counts)."""
    import tracemalloc
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fn()
        tracemalloc.reset_peak()
        fn()
        now, peak = tracemalloc.get_traced_memory()
        return peak - base, now - base
    finally:
        tracemalloc.stop()


def test_compiled_step_keeps_nothing_of_a_batch_and_peaks_below_eager():
    r = np.random.default_rng(0)
    x = r.random((96, 20, 20, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[r.integers(0, 10, 96)]
    m = _convnet()
    fit_peak, fit_kept = _traced_peak_and_kept(lambda: m.fit(x, y, batch_size=32, epochs=1, verbose=0))
    activation = 32 * 18 * 18 * 8 * 4  # one batch's conv output, 83 kB
    assert fit_kept < 4 * activation  # the programs hold no traced batch
    assert not m._compiled_step.eager
    xs, ys = [wrap(x[:32])], [wrap(y[:32])]
    eager_peak, eager_kept = _traced_peak_and_kept(lambda: m.train_step(xs, ys))
    replay_peak, replay_kept = _traced_peak_and_kept(lambda: m._compiled_step(xs, ys))
    assert replay_kept < activation / 10 and eager_kept < activation / 10
    assert replay_peak <= eager_peak
    program = next(iter(m._compiled_step.programs.values()))[0]
    ops_ = [f for f in program.ns.values() if isinstance(f, Function)]
    held = [(type(f).__name__, k) for f in ops_ for k, v in vars(f).items() if getattr(v, "nbytes", 0) > 4096]
    assert len(ops_) >= 6 and held == []  # each op forgot its saved arrays once its backward ran


def test_eager_fit_holds_one_step_graph_at_a_time():
    r = np.random.default_rng(0)
    x = r.random((96, 20, 20, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[r.integers(0, 10, 96)]
    m = _convnet()
    m.compile(loss="categorical_crossentropy", optimizer="adam", jit_compile=False)
    fit_peak, _ = _traced_peak_and_kept(lambda: m.fit(x, y, batch_size=32, epochs=1, verbose=0))
    xs, ys = [wrap(x[:32])], [wrap(y[:32])]
    step_peak, _ = _traced_peak_and_kept(lambda: m.train_step(xs, ys))
    assert fit_peak < 1.18 * step_peak  # the previous step's graph is dropped before the next (before: 1.29x)
