"""logic-gates: one sigmoid neuron per gate trained with NUMERICAL gradients, as the course does it; XOR two ways.

The course's cost is half the summed binary cross-entropy, E = −½·Σ [t·log y + (1−t)·log(1−y)], and its
weights come from NumPy's legacy generator seeded with 1 (``randn(2)`` for the weights, then ``rand(1)`` for
the bias), all parameters updated together from one central-difference gradient.
"""
import numpy as np

from ..gradcheck import numerical_gradient
from .base import Recipe

CORNERS = ("00", "01", "10", "11")
"""Truth-table rows in the course's order, as they appear in the course_figures keys."""
SOURCES = {"goal": "gradkit's check of the course's claim that the composition (or a two-layer network) solves XOR "
                   "(the course printed no accuracy)"}
"""Where the non-printed expectations come from; printed figures cite course_figures."""


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _bce(y, t):
    """The course's cost: ½ · Σ binary cross-entropy."""
    return -0.5 * float(np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)))


def truth_table(gate):
    """(x, t) of a gate in the course's row order (0,0), (0,1), (1,0), (1,1), float64."""
    from ..datasets import logic_gates
    x, t = logic_gates.load(gate)
    order = np.lexsort((x[:, 1], x[:, 0]))
    return np.asarray(x, dtype=np.float64)[order], np.asarray(t, dtype=np.float64)[order]


def neuron(p, x):
    """Output of the single neuron with parameters p = [w1, w2, b]."""
    return _sigmoid(x @ p[:2] + p[2])


def _unpack(p, hidden):
    """Views (W1 (2, h), b1 (h,), W2 (h,), b2 (1,)) into the flat parameter vector of the 2-h-1 network."""
    h = hidden
    return p[:2 * h].reshape(2, h), p[2 * h:3 * h], p[3 * h:4 * h], p[4 * h:]


def two_layer(p, x, hidden):
    """Output of the 2-h-1 sigmoid network with flat parameters p."""
    w1, b1, w2, b2 = _unpack(p, hidden)
    return _sigmoid(_sigmoid(x @ w1 + b1) @ w2 + b2)


def train_numerical(forward, p, x, t, lr, epochs, eps, bar=None):
    """Gradient descent on the course's cost with central-difference gradients; returns (p, cost per epoch).

    costs[k] is the cost after k epochs (costs[0] before training). All parameters move together.
    """
    cost = lambda q: _bce(forward(q, x), t)  # noqa: E731
    costs = [cost(p)]
    for _ in range(int(epochs)):
        p = p - lr * numerical_gradient(cost, p, eps)
        costs.append(cost(p))
        if bar is not None:
            bar.update(1)
    return p, np.array(costs)


def initial_neuron(seed):
    """The course's draw: weights randn(2) then bias rand(1) from NumPy's legacy generator seeded with ``seed``."""
    rs = np.random.RandomState(seed)  # legacy generator on purpose: it reproduces the course's numbers
    return np.concatenate([rs.randn(2), rs.rand(1)])


def initial_two_layer(seed, hidden):
    """Same convention for the network: randn weights, rand biases, layer by layer (W1, b1, W2, b2)."""
    rs = np.random.RandomState(seed)
    return np.concatenate([rs.randn(2 * hidden), rs.rand(hidden), rs.randn(hidden), rs.rand(1)])


def run(config, out_dir, progress, result):
    """Train AND, OR, NAND, XOR; then XOR from NAND+OR+AND neurons and from a two-layer network."""
    lr, epochs, eps, seed = config["lr"], config["epochs"], config["eps"], config["seed"]
    trained, history = {}, {"epoch": np.arange(epochs + 1)}
    with progress.bar(len(config["gates"]) * epochs, "logic gates (numerical gradients)") as bar:
        for gate in config["gates"]:
            x, t = truth_table(gate)
            p, costs = train_numerical(neuron, initial_neuron(seed), x, t, lr, epochs, eps, bar)
            trained[gate], history[gate] = p, costs
            result.metrics[f"{gate}_cost"] = costs[-1]
            result.metrics[f"{gate}_predictions"] = neuron(p, x).tolist()
            result.weights.update({f"{gate}/kernel": p[:2], f"{gate}/bias": p[2:]})
    result.history.update(history)
    _compare_single(result, trained, epochs)
    _cost_table(result, history, config["gates"], config["record_every"])
    _prediction_table(result, trained)
    if {"NAND", "OR", "AND"} <= set(trained):
        _xor_composed(result, trained, epochs == 1000)
    xor2 = _xor_two_layer(config, progress, result)
    _plots(config, out_dir, result, trained, xor2)
    result.reading += _reading(result.metrics, epochs)


def _compare_single(result, trained, epochs):
    full = epochs == 1000
    note = "" if full else f"this run trained {epochs} epochs; the course's figure is at epoch 1000"
    m = result.metrics
    if "AND" in trained:
        result.compare("AND cost at the last epoch", m["AND_cost"], tolerance=1e-6, note=note, comparable=full,
                       figure="logic-gates/AND-cost")
        for (x1, x2), y, k in zip(truth_table("AND")[0], m["AND_predictions"], CORNERS):
            fig = f"logic-gates/AND-out-{k}"
            result.compare(f"AND output for ({x1:g}, {x2:g})", y, tolerance=_half_unit(fig), comparable=full,
                           figure=fig, note=note or "± half a unit of the last printed digit")
    if "XOR" in trained:
        result.compare("XOR cost at the last epoch (stuck)", m["XOR_cost"], tolerance=1e-6, note=note,
                       comparable=full, figure="logic-gates/XOR-cost")
        worst = max(abs(y - 0.5) for y in m["XOR_predictions"])
        result.compare("XOR: largest |output − 0.5|", worst, 0.0, 1e-3, note=note or "all four outputs ≈ 0.5",
                       comparable=full, source="gradkit's check: the stuck neuron answers 0.5 at every corner")


def _half_unit(key):
    """Half a unit in the last printed decimal of a course figure."""
    from .course_figures import figure
    return 0.5 * 10.0 ** -figure(key).decimals


def _cost_table(result, history, gates, every):
    epochs = range(0, len(history["epoch"]), every)
    result.table("Cost (½ Σ binary cross-entropy) every %d epochs" % every, ["epoch", *gates],
                 [[e, *(history[g][e] for g in gates)] for e in epochs])


def _prediction_table(result, trained):
    x = truth_table("AND")[0]
    rows = [[f"({a:g}, {b:g})", *(neuron(p, xi[None])[0] for p in trained.values())] for (a, b), xi in zip(x, x)]
    result.table("Outputs of the trained neurons", ["input", *trained], rows)


def _xor_composed(result, trained, full):
    """XOR(x) = AND(NAND(x), OR(x)): the two first neurons' outputs are the AND neuron's inputs."""
    x, t = truth_table("XOR")
    hidden = np.stack([neuron(trained["NAND"], x), neuron(trained["OR"], x)], axis=1)
    y = neuron(trained["AND"], hidden)
    y_logic = neuron(trained["AND"], np.round(hidden))  # the course feeds the 0/1 decisions forward
    acc = float(np.mean((y > 0.5) == (t > 0.5)))
    result.metrics.update(XOR_composed_outputs=y.tolist(), XOR_composed_accuracy=acc)
    result.compare("XOR from NAND, OR → AND: accuracy", acc, 1.0, 0.0, comparable=full, source=SOURCES["goal"])
    result.table("XOR as AND(NAND, OR)", ["input", "NAND", "OR", "AND of outputs", "AND of 0/1 decisions", "target"],
                 [[f"({a:g}, {b:g})", h[0], h[1], yi, yl, ti]
                  for (a, b), h, yi, yl, ti in zip(x, hidden, y, y_logic, t)])


def initial_course_xor(seed=1):
    """The course's draw for its XOR network: randn(2), rand(2), randn(2), rand(2) → w_1, b_1, w_2, b_2."""
    rs = np.random.RandomState(seed)  # legacy generator on purpose: the course seeds np.random.seed(1)
    return np.concatenate([rs.randn(2), rs.rand(2), rs.randn(2), rs.rand(2)])


def course_xor(p, x):
    """The course's XOR network exactly as its code computes it, on flat p = [w_1 (2), b_1 (2), w_2 (2), b_2 (2)].

    w_1 is ONE weight column: both hidden units see the same x·w_1 and differ only by their bias b_1; the
    output x·w_2 is one number per row, broadcast against the two entries of b_2, so the net has two output
    columns that differ only by b_2 (and training makes them equal).
    """
    w1, b1, w2, b2 = p[0:2], p[2:4], p[4:6], p[6:8]
    hidden = _sigmoid((x @ w1)[:, None] + b1)  # (n, 2): one column of weights, two biases
    return _sigmoid((hidden @ w2)[:, None] + b2)  # (n, 2): two columns


def _xor_two_layer(config, progress, result):
    """The course's own XOR network, to its printed digits; then a proper 2-h-1 network beside it."""
    x, t = truth_table("XOR")
    epochs, lr, eps, full = config["epochs"], config["xor_lr"], config["eps"], config["epochs"] == 1000
    with progress.bar(epochs, "XOR: the course's two-layer network") as bar:
        p, costs = train_numerical(course_xor, initial_course_xor(config["seed"]), x, t[:, None], lr, epochs, eps,
                                   bar)
    y = course_xor(p, x)
    result.history["XOR_course_net"] = costs
    result.metrics.update(XOR_course_net_cost=costs[-1], XOR_course_net_outputs=y.tolist())
    result.weights.update({f"xor_course_net/{k}": p[i:i + 2] for k, i in (("w_1", 0), ("b_1", 2), ("w_2", 4),
                                                                         ("b_2", 6))})
    result.compare("XOR, the course's two-layer network: cost at epoch 1000", costs[-1], tolerance=1e-6,
                   comparable=full, figure="logic-gates/XOR2-cost", note="½·Σ over both output columns")
    for (a, b), yi, k in zip(x, y, CORNERS):
        fig = f"logic-gates/XOR2-out-{k}"
        for col in (0, 1):
            result.compare(f"XOR, the course's network: output for ({a:g}, {b:g}), column {col + 1}", yi[col],
                           tolerance=_half_unit(fig), comparable=full, figure=fig,
                           note="± half a unit of the 5th decimal")
    result.table("XOR, the course's two-layer network after training (its two output columns)",
                 ["input", "output column 1", "output column 2", "target"],
                 [[f"({a:g}, {b:g})", yi[0], yi[1], ti] for (a, b), yi, ti in zip(x, y, t)])
    return p, _xor_2h1(config, progress, result, x, t)


def _xor_2h1(config, progress, result, x, t):
    """The variant with a real hidden layer: 2 inputs, ``hidden`` sigmoid units, 1 output (not the course's)."""
    h, epochs = config["hidden"], config["epochs"]
    with progress.bar(epochs, f"XOR variant 2-{h}-1") as bar:
        p, costs = train_numerical(lambda q, xx: two_layer(q, xx, h), initial_two_layer(config["seed"], h), x, t,
                                   config["xor_lr"], epochs, config["eps"], bar)
    y = two_layer(p, x, h)
    result.history["XOR_two_layer"] = costs
    result.metrics.update(XOR_two_layer_cost=costs[-1], XOR_two_layer_outputs=y.tolist())
    for name, w in zip(("W1", "b1", "W2", "b2"), _unpack(p, h)):
        result.weights[f"xor_two_layer/{name}"] = w
    result.compare(f"XOR variant 2-{h}-1 (gradkit's, not the course's): accuracy",
                   float(np.mean((y > 0.5) == (t > 0.5))), 1.0, 0.0, comparable=config["epochs"] == 1000,
                   source=SOURCES["goal"], note=f"cost {costs[-1]:.4f}; a real hidden layer of {h} units")
    return p, h


def _plots(config, out_dir, result, trained, xor2):
    if not config["plots"]:
        return
    from .. import plots
    for gate, p in trained.items():
        x, t = truth_table(gate)
        path = plots.plot_decision_boundary(lambda g, p=p: neuron(p, g), x, t, out_dir / f"gate_{gate}.png",
                                            title=f"{gate}: one neuron")
        result.figure(path, _GATE_CAPTION.get(gate, f"{gate}: output of the single trained neuron over the "
                                                     f"plane; the black line is where it reads 0.5"))
    x, t = truth_table("XOR")
    if {"NAND", "OR", "AND"} <= set(trained):
        compose = lambda g: neuron(trained["AND"], np.stack([neuron(trained["NAND"], g),  # noqa: E731
                                                             neuron(trained["OR"], g)], axis=1))
        path = plots.plot_decision_boundary(compose, x, t, out_dir / "xor_composed.png",
                                            title="XOR = AND(NAND, OR)")
        result.figure(path, "XOR from three neurons: NAND and OR each cut the plane once, AND keeps the band "
                            "between their lines")
    p_course, (p, h) = xor2
    path = plots.plot_decision_boundary(lambda g: course_xor(p_course, g)[:, 0], x, t, out_dir / "xor_course.png",
                                        title="XOR: the course's two-layer network")
    result.figure(path, "XOR learned by the course's network (its first output column; the second is the same): "
                        "two sigmoids of the same line x·w_1 make a band around the two true corners")
    path = plots.plot_decision_boundary(lambda g: two_layer(p, g, h), x, t, out_dir / "xor_two_layer.png",
                                        title=f"XOR: variant 2-{h}-1 (not the course's)")
    result.figure(path, f"XOR learned by gradkit's 2-{h}-1 variant: its hidden layer bends the boundary around "
                        "the two true corners")


_GATE_CAPTION = {"XOR": "XOR: the single neuron's output stays within 0.0001 of 0.5 everywhere; the plane is "
                        "split in two colours only because the colour bands meet at 0.5, and the black line "
                        "marks where those tiny differences cross 0.5: it separates nothing"}

def _reading(m, epochs):
    """What this run shows, in its own numbers (a quick run stops before the course's epoch 1000)."""
    from .course_figures import agreement, figure
    run = f"gradkit's run, {epochs} epochs" + ("" if epochs == 1000 else " (the course trained 1000)")
    text = [f"{run}. A single neuron can only draw one straight line through the plane. For AND, OR and NAND one "
            "line separates the 1s from the 0s, so the cost falls steadily and the outputs move towards their "
            "targets."]
    if "XOR_cost" in m:
        worst = max(abs(y - 0.5) for y in m["XOR_predictions"])
        text.append(f"For XOR no straight line works: the neuron's cost is {m['XOR_cost']:.6f} after {epochs} "
                    f"epochs (½·4·ln 2 = 1.386294 is answering 0.5 everywhere), and its outputs differ from 0.5 "
                    f"by at most {worst:.1e}: the two colours of its picture are the two bands that meet at 0.5, "
                    "and the line where they meet separates nothing.")
    text.append("Two lines are enough: NAND and OR neurons each draw one, and an AND neuron fed with their outputs "
                "keeps the band between them. A two-layer network finds such lines by itself from the data.")
    cost, fig = m["XOR_course_net_cost"], figure("logic-gates/XOR2-cost")
    same = (f"; at epoch 1000 its cost {cost:.15g} {agreement(cost, 'logic-gates/XOR2-cost')}, {fig.printed}"
            if epochs == 1000 else
            f"; this run stopped at epoch {epochs}, so its cost {cost:.6f} is not comparable with the course's "
            "epoch-1000 figure")
    text.append("The course's two-layer network is not the 2-2-1 network it looks like: w_1 = randn(2) is one "
                "weight column, while b_1 = rand(2) and b_2 = rand(2) have two entries each. So both hidden units "
                "compute the same x·w_1 and differ only by their biases, and the output x·w_2 is broadcast "
                "against two biases, giving two output columns (the course's printout is a 4×2 array) that "
                "training makes identical. One weight column with two biases is still enough for XOR (the two "
                f"sigmoids of the same line make a band){same}. gradkit's 2-h-1 variant, with a real hidden "
                "layer, is shown beside it.")
    return text


RECIPE = Recipe(
    name="logic-gates",
    description="AND, OR, NAND, XOR neuron by numerical gradients; XOR solved two ways",
    run=run,
    defaults={"gates": ["AND", "OR", "NAND", "XOR"], "lr": 0.1, "epochs": 1000, "eps": 1e-5, "seed": 1,
              "record_every": 100, "hidden": 6, "xor_lr": 0.3, "plots": True},
    quick={"epochs": 200, "record_every": 50},
)
