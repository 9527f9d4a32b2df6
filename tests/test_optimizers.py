"""Optimizers: the first three updates equal hand-computed values of Keras 3's update rules."""
import math

import numpy as np
import pytest

from gradkit import Tensor, optimizers
from gradkit.errors import ConfigError
from gradkit.optimizers import schedules

W0 = [0.5, -1.0, 2.0]
GRADS = [[0.1, -0.2, 0.3], [0.4, 0.1, -0.5], [-0.3, 0.2, 0.05]]


def run(opt, dtype=np.float64):
    w = Tensor(np.array(W0, dtype=dtype), requires_grad=True)
    out = []
    for g in GRADS:
        opt.apply([np.array(g, dtype=dtype)], [w])
        out.append(w.data.copy())
    return out


def reference(step, state):
    """Apply ``step(w, g, t, state) -> w`` elementwise in plain Python floats for the three gradients."""
    ws, out = list(W0), []
    for t, g in enumerate(GRADS, start=1):
        ws = [step(w, gi, t, state, i) for i, (w, gi) in enumerate(zip(ws, g))]
        out.append(ws)
    return out


def sgd_momentum(lr, mu, nesterov):
    def step(w, g, t, s, i):
        m = mu * s.get(i, 0.0) - lr * g
        s[i] = m
        return w + (mu * m - lr * g if nesterov else m)
    return step


def rmsprop(lr, rho, eps, mu=0.0, centered=False):
    def step(w, g, t, s, i):
        v = rho * s.get(("v", i), 0.0) + (1 - rho) * g * g
        a = rho * s.get(("a", i), 0.0) + (1 - rho) * g
        s[("v", i)], s[("a", i)] = v, a
        inc = lr * g / math.sqrt((v - a * a if centered else v) + eps)
        if mu:
            inc = s[("m", i)] = mu * s.get(("m", i), 0.0) + inc
        return w - inc
    return step


def adam(lr, b1, b2, eps, wd=0.0, amsgrad=False):
    def step(w, g, t, s, i):
        w = w - w * wd * lr
        m = s[("m", i)] = b1 * s.get(("m", i), 0.0) + (1 - b1) * g
        v = s[("v", i)] = b2 * s.get(("v", i), 0.0) + (1 - b2) * g * g
        if amsgrad:
            v = s[("vh", i)] = max(s.get(("vh", i), 0.0), v)
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return w - alpha * m / (math.sqrt(v) + eps)
    return step


def adagrad(lr, init, eps):
    def step(w, g, t, s, i):
        a = s[i] = s.get(i, init) + g * g
        return w - lr * g / math.sqrt(a + eps)
    return step


def adamax(lr, b1, b2, eps):
    def step(w, g, t, s, i):
        m = s[("m", i)] = s.get(("m", i), 0.0) + (1 - b1) * (g - s.get(("m", i), 0.0))
        u = s[("u", i)] = max(b2 * s.get(("u", i), 0.0), abs(g))
        return w - lr * m / ((1 - b1 ** t) * (u + eps))
    return step


def nadam(lr, b1, b2, eps):
    def mu(k):
        return b1 * (1 - 0.5 * 0.96 ** k)

    def step(w, g, t, s, i):
        prod = math.prod(mu(k) for k in range(1, t + 1))
        m = s[("m", i)] = b1 * s.get(("m", i), 0.0) + (1 - b1) * g
        v = s[("v", i)] = b2 * s.get(("v", i), 0.0) + (1 - b2) * g * g
        m_hat = mu(t + 1) * m / (1 - prod * mu(t + 1)) + (1 - mu(t)) * g / (1 - prod)
        return w - lr * m_hat / (math.sqrt(v / (1 - b2 ** t)) + eps)
    return step


def adadelta(lr, rho, eps):
    def step(w, g, t, s, i):
        a = s[("a", i)] = rho * s.get(("a", i), 0.0) + (1 - rho) * g * g
        delta = -math.sqrt(s.get(("d", i), 0.0) + eps) * g / math.sqrt(a + eps)
        s[("d", i)] = rho * s.get(("d", i), 0.0) + (1 - rho) * delta * delta
        return w + lr * delta
    return step


CASES = [
    (lambda: optimizers.SGD(), lambda w, g, t, s, i: w - 0.01 * g),
    (lambda: optimizers.SGD(0.1, momentum=0.9), sgd_momentum(0.1, 0.9, False)),
    (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True), sgd_momentum(0.1, 0.9, True)),
    (lambda: optimizers.RMSprop(), rmsprop(0.001, 0.9, 1e-7)),
    (lambda: optimizers.RMSprop(0.01, rho=0.8, momentum=0.5, centered=True), rmsprop(0.01, 0.8, 1e-7, 0.5, True)),
    (lambda: optimizers.Adam(), adam(0.001, 0.9, 0.999, 1e-7)),
    (lambda: optimizers.Adam(0.1, beta_1=0.8, amsgrad=True), adam(0.1, 0.8, 0.999, 1e-7, amsgrad=True)),
    (lambda: optimizers.AdamW(0.1), adam(0.1, 0.9, 0.999, 1e-7, wd=0.004)),
    (lambda: optimizers.Adagrad(0.1), adagrad(0.1, 0.1, 1e-7)),
    (lambda: optimizers.Adamax(), adamax(0.001, 0.9, 0.999, 1e-7)),
    (lambda: optimizers.Adamax(0.1, beta_1=0.8, beta_2=0.9), adamax(0.1, 0.8, 0.9, 1e-7)),
    (lambda: optimizers.Nadam(), nadam(0.001, 0.9, 0.999, 1e-7)),
    (lambda: optimizers.Nadam(0.1, beta_1=0.8), nadam(0.1, 0.8, 0.999, 1e-7)),
    (lambda: optimizers.Adadelta(), adadelta(0.001, 0.95, 1e-7)),
    (lambda: optimizers.Adadelta(1.0, rho=0.9, epsilon=1e-6), adadelta(1.0, 0.9, 1e-6)),
]


IDS = ["sgd", "sgd-momentum", "sgd-nesterov", "rmsprop", "rmsprop-centered-momentum", "adam", "adam-amsgrad",
       "adamw", "adagrad", "adamax", "adamax-args", "nadam", "nadam-args", "adadelta", "adadelta-args"]


@pytest.mark.parametrize("make,rule", CASES, ids=IDS)
def test_first_three_updates_match_keras_rule(make, rule):
    opt = make()
    got = run(opt)
    want = reference(rule, {})
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-12, atol=1e-15)
    assert opt.iterations == 3


@pytest.mark.parametrize("make,rule", CASES, ids=IDS)
def test_float32_stays_float32(make, rule):
    got = run(make(), np.float32)
    assert all(g.dtype == np.float32 for g in got)
    np.testing.assert_allclose(np.array(got), np.array(reference(rule, {})), rtol=1e-5, atol=1e-6)


def test_keras_docstring_examples():
    # keras.optimizers.RMSprop docstring: var 10.0, loss var²/2, lr 0.1 → 9.683772 after one step
    w = Tensor(np.array(10.0, dtype=np.float32), requires_grad=True)
    optimizers.RMSprop(learning_rate=0.1).apply([w.data.copy()], [w])
    assert w.item() == pytest.approx(9.683772, abs=1e-6)
    w = Tensor(np.array(1.0), requires_grad=True)
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    opt.apply([w.data.copy()], [w])
    opt.apply([w.data.copy()], [w])
    assert w.item() == pytest.approx(0.72)  # 1 − 0.1, then m = −0.09 − 0.09


def test_state_round_trip_resumes_exactly():
    a, b = optimizers.Adam(0.05), None
    wa = Tensor(np.array(W0), requires_grad=True)
    a.apply([np.array(GRADS[0])], [wa])
    state, config = a.get_state(), optimizers.serialize(a)
    assert set(state) == {"iterations", "0/momentum", "0/velocity"} and int(state["iterations"]) == 1
    b = optimizers.deserialize(config)
    b.set_state(state)  # before build: applied lazily
    wb = Tensor(wa.data.copy(), requires_grad=True)
    for g in GRADS[1:]:
        a.apply([np.array(g)], [wa])
        b.apply([np.array(g)], [wb])
    np.testing.assert_array_equal(wa.data, wb.data)
    assert b.iterations == 3


def test_state_is_updated_in_place():
    opt = optimizers.Adam()
    w = Tensor(np.array(W0), requires_grad=True)
    opt.apply([np.array(GRADS[0])], [w])
    m = opt.slots(w)["momentum"]
    opt.apply([np.array(GRADS[1])], [w])
    assert opt.slots(w)["momentum"] is m


def test_learning_rate_settable_and_schedules():
    opt = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5))
    w = Tensor(np.array([0.0]), requires_grad=True)
    lrs = []
    for _ in range(3):
        lrs.append(opt.learning_rate)
        opt.apply([np.array([1.0])], [w])
    np.testing.assert_allclose(lrs, [0.1, 0.1 * 0.5 ** 0.5, 0.05])
    np.testing.assert_allclose(w.data, [-sum(lrs)])
    stair = schedules.ExponentialDecay(1.0, 10, 0.1, staircase=True)
    assert stair(9) == 1.0 and stair(10) == pytest.approx(0.1)
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(again._learning_rate, schedules.ExponentialDecay)
    plain = optimizers.Adam()
    plain.learning_rate = 0.5
    assert plain.learning_rate == 0.5 and plain.get_config()["learning_rate"] == 0.5


def test_clipping_and_none_gradients():
    w1, w2 = Tensor(np.array([0.0, 0.0]), requires_grad=True), Tensor(np.array([1.0]), requires_grad=True)
    optimizers.SGD(1.0, clipnorm=1.0).apply([np.array([3.0, 4.0]), None], [w1, w2])
    np.testing.assert_allclose(w1.data, [-0.6, -0.8])
    assert w2.data[0] == 1.0
    optimizers.SGD(1.0, clipvalue=0.5).apply([np.array([3.0, -0.1])], [w1])
    np.testing.assert_allclose(w1.data, [-1.1, -0.7])


def test_get_and_errors():
    for name, cls in [("sgd", optimizers.SGD), ("rmsprop", optimizers.RMSprop), ("adam", optimizers.Adam),
                      ("adamw", optimizers.AdamW), ("adagrad", optimizers.Adagrad), ("Adam", optimizers.Adam)]:
        assert type(optimizers.get(name)) is cls
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    with pytest.raises(ConfigError, match="rmsprop"):
        optimizers.get("rmsporp")
    with pytest.raises(ConfigError):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ConfigError, match="lrate"):  # (Keras 2's lr= is accepted: tests/test_keras2_compat.py)
        optimizers.Adam(lrate=0.1)


@pytest.mark.parametrize("name", ["adam", "rmsprop", "adagrad", "adamw", "adamax", "nadam", "adadelta"])
def test_flat_update_of_all_variables_equals_one_by_one(name):
    """The packed (flat) update gives the same bits as updating each variable alone, and keeps state views."""
    r = np.random.default_rng(3)
    shapes = [(3, 2), (2,), (1,)]
    grads = [[r.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(3)]
    packed, alone = optimizers.get(name), optimizers.get(name)
    alone.flat = False
    wp = [Tensor(np.ones(s, np.float32), requires_grad=True) for s in shapes]
    wa = [Tensor(np.ones(s, np.float32), requires_grad=True) for s in shapes]
    for g in grads:
        packed.apply(g, wp)
        alone.apply(g, wa)
    assert packed._flat_ids is not None and alone._flat_ids is None
    for a, b in zip(wp, wa):
        np.testing.assert_array_equal(a.data, b.data)
    for k, v in packed.get_state().items():
        np.testing.assert_array_equal(v, alone.get_state()[k])


def test_one_rule_flat_path_calls_update_step_once_per_step():
    """apply runs the optimizer's one rule: once over the flat buffers, or once per variable when not packed."""
    r = np.random.default_rng(5)
    shapes = [(4, 3), (3,)]
    grads = [[r.standard_normal(s) for s in shapes] for _ in range(3)] + [[None, r.standard_normal(3)]]
    calls = []

    class Counting(optimizers.Adam):
        def update_step(self, grad, variable, learning_rate):
            calls.append(grad.shape)
            super().update_step(grad, variable, learning_rate)

    a, b = optimizers.Adam(0.1), Counting(0.1)
    wa = [Tensor(np.ones(s), requires_grad=True) for s in shapes]
    wb = [Tensor(np.ones(s), requires_grad=True) for s in shapes]
    for g in grads:
        a.apply(g, wa)
        b.apply(g, wb)
    assert b.iterations == a.iterations == 4
    assert calls == [(15,), (15,), (15,), (3,)]  # flat over 12 + 3 elements; the last step updates the bias alone
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x.data, y.data)


def test_nadam_resumes_exactly_from_state():
    """Nadam's momentum product is a function of the step: a restored optimizer continues bit for bit."""
    a = optimizers.Nadam(0.1)
    wa = Tensor(np.array(W0), requires_grad=True)
    for g in GRADS[:2]:
        a.apply([np.array(g)], [wa])
    b = optimizers.Nadam(0.1)
    wb = Tensor(wa.data.copy(), requires_grad=True)
    b.set_state(a.get_state())
    a.apply([np.array(GRADS[2])], [wa])
    b.apply([np.array(GRADS[2])], [wb])
    np.testing.assert_array_equal(wa.data, wb.data)


@pytest.mark.parametrize("make,match", [
    (lambda: optimizers.Adamax(beta_1=1.0), "Adamax: beta_1 must be a number in \\[0, 1\\), got 1.0"),
    (lambda: optimizers.Nadam(epsilon=-1), "Nadam: epsilon"),
    (lambda: optimizers.Adadelta(rho=2), "Adadelta: rho must be a number in \\[0, 1\\], got 2"),
])
def test_new_optimizers_bad_arguments(make, match):
    with pytest.raises(ConfigError, match=match):
        make()


@pytest.mark.parametrize("name", ["Adamax", "Nadam", "Adadelta"])
def test_new_optimizers_equal_keras_over_three_steps(name):
    keras = pytest.importorskip("keras", reason="real Keras (tensorflow-cpu) is not installed")
    pytest.importorskip("tensorflow")
    import gradkit as gk
    r = np.random.default_rng(4)
    x, y = r.standard_normal((16, 3)).astype("float32"), r.standard_normal((16, 1)).astype("float32")
    models = []
    for lib in (gk, keras):
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, activation="tanh"), lib.layers.Dense(1)])
        model.compile(getattr(lib.optimizers, name)(learning_rate=0.05), "mse")
        models.append(model)
    models[0].set_weights(models[1].get_weights())
    for model in models:
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)  # 4 steps
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)
    cfg, want = models[0].optimizer.get_config(), models[1].optimizer.get_config()
    for key in ("beta_1", "beta_2", "rho", "epsilon"):
        if key in want:
            assert cfg[key] == pytest.approx(want[key]), key
