"""logic-gates reproduces the course's published numbers (full mode is cheap: 3 parameters per gate)."""
import numpy as np
import pytest

from gradkit.recipes import get, logic_gates as lg, run_recipe


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    cfg = get("logic-gates").config(plots=False)
    return run_recipe("logic-gates", tmp_path_factory.mktemp("gates"), config=cfg)


def test_initial_weights_are_the_courses_legacy_draw():
    # np.random.seed(1); np.random.randn(2); np.random.rand(1) — values printed by NumPy's legacy generator
    np.testing.assert_allclose(lg.initial_neuron(1), [1.62434536, -0.61175641, 0.00011437], atol=1e-8)


def test_truth_tables_in_the_courses_row_order():
    x, t = lg.truth_table("XOR")
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(t, [0, 1, 1, 0])


def test_one_numerical_step_equals_the_analytic_gradient_step():
    x, t = lg.truth_table("AND")
    p0 = lg.initial_neuron(1)
    p1, costs = lg.train_numerical(lg.neuron, p0, x, t, lr=0.1, epochs=1, eps=1e-5)
    y = lg.neuron(p0, x)
    grad = 0.5 * np.concatenate([(y - t) @ x, [np.sum(y - t)]])  # d/dp of ½ Σ BCE through the sigmoid
    np.testing.assert_allclose(p1, p0 - 0.1 * grad, atol=1e-9)
    assert costs[0] == pytest.approx(-0.5 * np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)))


def test_and_reproduces_the_course_to_1e6(full):
    m = full.result.metrics
    assert full.status == "ok"
    assert abs(m["AND_cost"] - 0.160439) <= 1e-6
    np.testing.assert_allclose(m["AND_predictions"], [0.00135, 0.0887, 0.0889, 0.875], atol=5e-5)


def test_xor_is_stuck_at_2ln2_with_outputs_one_half(full):
    m = full.result.metrics
    assert abs(m["XOR_cost"] - 1.386294) <= 1e-6
    np.testing.assert_allclose(m["XOR_predictions"], 0.5, atol=1e-4)


def test_every_comparison_agrees_in_full_mode(full):
    verdicts = {c.quantity: c.agrees for c in full.result.comparisons}
    assert verdicts and all(verdicts.values()), verdicts


def test_xor_solved_by_composition_and_by_the_2h1_variant(full):
    m = full.result.metrics
    assert m["XOR_composed_accuracy"] == 1.0
    out = np.array(m["XOR_two_layer_outputs"])
    np.testing.assert_array_equal(out > 0.5, [False, True, True, False])


def test_xor_course_network_reproduces_the_printed_digits(full):
    m = full.result.metrics
    assert abs(m["XOR_course_net_cost"] - 0.0420271224) <= 1e-6
    out = np.array(m["XOR_course_net_outputs"])
    assert out.shape == (4, 2)  # the quirk: two output columns...
    np.testing.assert_allclose(out[:, 0], out[:, 1], atol=1e-7)  # ...that training makes identical
    np.testing.assert_allclose(out[:, 0], [0.00846, 0.98354, 0.99163, 0.00850], atol=5e-6)


def _course_code_xor():
    """The course's XOR code as written: global legacy generator, four separate arrays, one update per step."""
    np.random.seed(1)
    w_1, b_1, w_2, b_2 = np.random.randn(2), np.random.rand(2), np.random.randn(2), np.random.rand(2)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    t = np.array([[0], [1], [1], [0]], float)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731

    def cost():
        y = sig(sig(x @ w_1.reshape(2, 1) + b_1) @ w_2.reshape(2, 1) + b_2)
        return -0.5 * np.sum(t * np.log(y) + (1 - t) * np.log(1 - y))

    def grad(p):
        g = np.zeros_like(p)
        for i in range(p.size):
            old = p[i]
            p[i] = old + 1e-5
            hi = cost()
            p[i] = old - 1e-5
            lo = cost()
            p[i], g[i] = old, (hi - lo) / 2e-5
        return g
    for _ in range(1000):
        grads = [grad(p) for p in (w_1, b_1, w_2, b_2)]
        for p, g in zip((w_1, b_1, w_2, b_2), grads):
            p -= 0.3 * g
    return cost(), np.concatenate([w_1, b_1, w_2, b_2])


def test_xor_course_network_matches_the_course_code_rerun(full):
    cost, params = _course_code_xor()
    assert cost == pytest.approx(full.result.metrics["XOR_course_net_cost"], abs=1e-9)
    w = full.result.weights
    np.testing.assert_allclose(np.concatenate([w[f"xor_course_net/{k}"] for k in ("w_1", "b_1", "w_2", "b_2")]),
                               params, atol=1e-7)


def test_cost_table_every_100_epochs(full):
    table = full.result.tables[0]
    assert [r[0] for r in table["rows"]] == list(range(0, 1001, 100))
    assert table["rows"][-1][1] == pytest.approx(full.result.metrics["AND_cost"])


def test_quick_mode_follows_the_same_path(tmp_path, full):
    quick = run_recipe("logic-gates", tmp_path, quick=True, plots=False)
    assert quick.status == "ok"
    assert quick.result.metrics["AND_cost"] == pytest.approx(full.result.history["AND"][200], abs=1e-12)
    assert {c.agrees for c in quick.result.comparisons[:6]} == {None}  # not the course's epochs: no verdict
