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


def test_xor_solved_by_composition_and_by_two_layers(full):
    m = full.result.metrics
    assert m["XOR_composed_accuracy"] == 1.0
    out = np.array(m["XOR_two_layer_outputs"])
    np.testing.assert_array_equal(out > 0.5, [False, True, True, False])
    assert abs(m["XOR_two_layer_cost"] - 0.0420) < 1e-3


def test_cost_table_every_100_epochs(full):
    table = full.result.tables[0]
    assert [r[0] for r in table["rows"]] == list(range(0, 1001, 100))
    assert table["rows"][-1][1] == pytest.approx(full.result.metrics["AND_cost"])


def test_quick_mode_follows_the_same_path(tmp_path, full):
    quick = run_recipe("logic-gates", tmp_path, quick=True, plots=False)
    assert quick.status == "ok"
    assert quick.result.metrics["AND_cost"] == pytest.approx(full.result.history["AND"][200], abs=1e-12)
    assert {c.agrees for c in quick.result.comparisons[:6]} == {None}  # not the course's epochs: no verdict
