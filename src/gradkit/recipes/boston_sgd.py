"""boston-sgd-minibatch: the course's ways of drawing batches on Boston RM + LSTAT, on one plot.

SGD on one random sample per step, a random mini-batch of 30 per step, sequential sweeps of 30 (all by the
explicit loop ``gradkit.descent.linear_gd``), and Keras's shuffled mini-batches of 30 (``fit``, plain SGD,
every step recorded by ``TrajectoryRecorder``); each ends beside the least-squares optimum.
"""
import math

import numpy as np

from .base import Recipe

FIGURES = {"sgd": "boston-sgd/sgd-mse", "random": "boston-sgd/random-mse"}
"""The course's printed final MSEs after 5000 steps (course_figures keys)."""
UNSEEDED = ("the course's code runs `np.random.seed = 2023`, which replaces the function instead of calling it, "
            "so its draws were never seeded: this number comes from one unrepeatable random run")
"""Why the course's SGD and random mini-batch numbers cannot be reproduced digit for digit."""
SOURCES = {"sgd": "printed by the course's SGD loop (one random house per step, lr 0.01) after 5000 steps; "
                  + UNSEEDED,
           "random": "printed by the course's random mini-batch loop (30 houses drawn with replacement per step, "
                     "lr 0.01) after 5000 steps; " + UNSEEDED}
TOLERANCE = {"sgd": 2.0, "random": 0.1}
LABELS = {"sgd": "SGD, one random sample per step", "random": "random mini-batch of 30 per step",
          "sweep": "sequential sweeps of 30", "keras": "Keras fit, shuffled batches of 30"}


def run(config, out_dir, progress, result):
    """Each strategy for the same number of steps from w = 0, b = 1; then the table, curves and surface."""
    from .. import backend
    from ..descent import boston_rm_lstat, linear_gd
    from ..reference import least_squares
    backend.set_floatx("float64")
    x, y = boston_rm_lstat()
    best = least_squares(x, y)
    steps, bs = config["epochs"], config["batch_size"]
    runs = {}
    with progress.bar(3, f"SGD / random / sweep, {steps} steps each", unit="strategy") as bar:
        for strategy in ("sgd", "random", "sweep"):
            runs[strategy] = linear_gd(x, y, lr=config["lr"], steps=steps, strategy=strategy, batch_size=bs,
                                       seed=config["seed"])
            bar.update(1)
    paths = {k: r.weights for k, r in runs.items()}
    losses = {k: r.loss for k, r in runs.items()}
    finals = {k: (r.mse, r.w, r.b, r.rises()) for k, r in runs.items()}
    k_loss, k_path, k_final = _keras(config, x, y, progress)
    losses["keras"], paths["keras"], finals["keras"] = k_loss, k_path, k_final
    for k, v in losses.items():
        result.history[f"{k}_mse"] = v
    for k, (mse, w, b, rises) in finals.items():
        result.metrics.update({f"{k}_mse": mse, f"{k}_rises": rises})
        result.weights.update({f"{k}/w": w, f"{k}/b": np.array([b])})
    result.metrics["lstsq_mse"] = best.mse
    _compare(result, finals, best, steps)
    if config["plots"]:
        _plots(out_dir, result, losses, paths, best, x, y)
    _summarize(result, finals, losses, best, steps, config["lr"])


def _summarize(result, finals, losses, best, steps, lr):
    """The strategies' table (final MSE, gap, how often and how much the loss rose) and the reading."""
    jumps = {k: _mean_rise(v) for k, v in losses.items()}
    result.metrics.update({f"{k}_mean_rise": v for k, v in jumps.items()})
    result.table(f"After {steps} steps (lr {lr:g}, from w = 0, b = 1)",
                 ["strategy", "final MSE", "above least squares", "steps where the loss rose", "mean rise", "w1",
                  "w2", "bias"],
                 [[LABELS[k], m, best.gap(m), r, jumps[k], w[0], w[1], b] for k, (m, w, b, r) in finals.items()]
                 + [["least-squares optimum", best.mse, 0.0, None, None, *best.weights, best.bias]])
    result.reading += [
        f"Every strategy heads for the same valley, but the paths differ. With one sample per step (SGD) the "
        f"full-data loss went up after {finals['sgd'][3]} of {steps} steps, by {jumps['sgd']:.3g} on average: one "
        f"house points only roughly downhill, so the blue curve is jagged and SGD ends "
        f"{best.gap(finals['sgd'][0]):.2f} above the optimum.",
        f"Batches of 30 still step uphill at times, but by much less ({jumps['random']:.2g} on average for the "
        f"random batch): their curves lie on top of each other and end within "
        f"{max(best.gap(finals[k][0]) for k in ('random', 'sweep', 'keras')):.2f} of the least-squares optimum "
        f"(dashed line; red star on the surface).",
    ]


def _mean_rise(loss):
    """Average size of the steps after which the full-data loss went up (0 when it never did)."""
    d = np.diff(np.asarray(loss, dtype=float))
    return float(d[d > 0].mean()) if (d > 0).any() else 0.0


def _keras(config, x, y, progress):
    """Keras-style shuffled mini-batches with plain SGD; (loss per step, (w1, w2) per step, final state)."""
    from ..training.trajectory import TrajectoryRecorder
    from .boston_gd import keras_linear
    per_epoch = math.ceil(len(x) / config["batch_size"])
    epochs = max(1, round(config["epochs"] / per_epoch))
    model = keras_linear(config["lr"], optimizer="sgd")
    rec = TrajectoryRecorder(names=["dense/kernel", "dense/bias"], x=x, y=y)
    model.fit(x, y, epochs=epochs, batch_size=config["batch_size"], verbose=0,
              callbacks=[rec, progress.callback(f"Keras fit, shuffled batches, {epochs} epochs", epochs)])
    kernel, bias = rec["dense/kernel"].reshape(-1, 2), rec["dense/bias"].reshape(-1)
    loss = np.asarray(rec.loss, dtype=float)
    rises = int(np.sum(np.diff(loss) > 0))
    return loss, kernel, (float(loss[-1]), kernel[-1], float(bias[-1]), rises)


def _compare(result, finals, best, steps):
    course = steps == 5000
    note = "" if course else f"this run took {steps} steps; the course's figures are for 5000"
    for k in ("sgd", "random"):
        result.compare(f"{LABELS[k]}: final MSE", finals[k][0], tolerance=TOLERANCE[k], comparable=course,
                       note=note or f"unseeded in the course (np.random.seed = 2023): ± {TOLERANCE[k]:g}",
                       source=SOURCES[k], figure=FIGURES[k])
    result.compare("least-squares optimum: MSE (gradkit's closed form, for reference)", best.mse)
    result.compare("SGD is noisier than the random mini-batch: loss rises (SGD − mini-batch)",
                   finals["sgd"][3] - finals["random"][3], 0, relation="≥",
                   note="counted on the full-data loss after every step")


def _plots(out_dir, result, losses, paths, best, x, y):
    from .. import plots
    from .boston_gd import surface_figure
    path = plots.plot_loss_curves({LABELS[k]: v for k, v in losses.items()}, out_dir / "strategies.png",
                                  optimum=best.mse, title="Boston RM + LSTAT: full-data MSE after every step")
    result.figure(path, "Full-data MSE after every step for each way of drawing batches (log scale); dashed: "
                        "the least-squares optimum")
    surface_figure(out_dir, result, x, y, {LABELS[k]: v for k, v in paths.items()}, best,
                   "The paths of the four strategies on the MSE surface (each point with its best bias)")


RECIPE = Recipe(
    name="boston-sgd-minibatch",
    description="SGD, random and sequential mini-batches, Keras's shuffled batches on Boston",
    run=run,
    defaults={"lr": 0.01, "epochs": 5000, "batch_size": 30, "seed": 0, "plots": True},
    quick={"epochs": 300},
)
