"""lr-sweep: the course's warning that a learning rate can be too small or too large, on Boston RM + LSTAT.

Full-batch gradient descent (``gradkit.descent.lr_sweep``, the explicit loop) at each rate, from w = 0, b = 1;
a rate that diverges is stopped at once and reported in one line. The same sweep then runs on Keras-style
models through ``gradkit.parallel.sweep`` (in-process, on ``workers`` local processes, or on a Dask cluster at
``scheduler``), ranked by final loss, as a check that both paths give the same numbers.
"""
from .base import Recipe

GOOD = "boston-gd/loss-epoch-5000"
"""The course's printed 'Epoch 5000' loss at lr 0.01 (the "good" rate; course_figures key)."""


def build_linear(learning_rate):
    """Dense(1) from w = 0, b = 1 with SGD(learning_rate) and MSE (module level, so workers can unpickle it)."""
    from .. import Sequential, layers, optimizers
    model = Sequential([layers.Dense(1, kernel_initializer="zeros", bias_initializer="ones")])
    model.compile(optimizer=optimizers.SGD(learning_rate=learning_rate), loss="mse")
    return model


def _keras_sweep(config, x, y, runs, progress, result):
    """The same rates on Keras-style models via gradkit.parallel.sweep; loop and model must agree."""
    import warnings

    from ..parallel import sweep
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the diverging rate warns once here; the loop already said it
        res = sweep(build_linear, {"learning_rate": list(runs)}, x, y, epochs=config["epochs"], batch_size="full",
                    metric="loss", seed=config["seed"], workers=config["workers"],
                    scheduler=config["scheduler"], progress=progress.enabled)
    rows, diffs = [], []
    for row in res.rows:
        r = runs[row["learning_rate"]]
        if not r.diverged:
            diffs.append(abs(row["loss"] - r.loss[-2]))
        rows.append([f"{row['learning_rate']:g}", row.get("loss"), "diverged" if r.diverged else diffs[-1]])
    result.metrics["keras_vs_loop_max_diff"] = max(diffs, default=None)
    result.table(f"The same sweep on Keras-style models (gradkit.parallel.sweep; {res.run.summary()})",
                 ["learning rate", "last epoch loss", "difference from the loop"], rows)


def run(config, out_dir, progress, result):
    """Sweep the rates, judge each (too small / good / too large), plot all curves on one figure."""
    from .. import backend
    from ..descent import boston_rm_lstat, lr_sweep
    from ..reference import least_squares
    backend.set_floatx("float64")
    x, y = boston_rm_lstat()
    best = least_squares(x, y)
    steps, lrs = config["epochs"], [float(v) for v in config["lrs"]]
    runs = {}
    with progress.bar(len(lrs), f"full-batch GD at {len(lrs)} learning rates", unit="rate") as bar:
        for lr in lrs:
            runs.update(lr_sweep(x, y, lrs=(lr,), steps=steps, verbose=False))
            bar.update(1)
    for lr, r in runs.items():
        result.history[f"lr={lr:g}"] = r.loss
        result.metrics[f"lr={lr:g}"] = {"verdict": r.verdict, "mse": r.mse, "steps": r.steps,
                                        "diverged": r.diverged}
        if r.diverged:
            progress.write(f"    {r.message}")
    result.metrics["lstsq_mse"] = best.mse
    result.table(f"Full-batch GD, {steps} steps from w = 0, b = 1", ["learning rate", "verdict", "steps taken",
                 "final MSE", "above least squares", "what happened"],
                 [[f"{lr:g}", r.verdict, r.steps, r.mse, best.gap(r.mse), r.summary()] for lr, r in runs.items()])
    if 0.01 in runs:
        result.compare("lr 0.01 (good): MSE before the last update (the course's 'Epoch 5000' line)",
                       runs[0.01].loss[-2], tolerance=1e-10, comparable=steps == 5000, figure=GOOD,
                       note="the same run as boston-gd" if steps == 5000 else
                       f"this run took {steps} steps; the course's figure is for 5000")
    verdicts = [r.verdict for r in runs.values()]
    result.compare("distinct verdicts among the rates (too small / good / too large)", len(set(verdicts)), 3, 0,
                   comparable=steps == 5000, note=", ".join(f"{lr:g}: {r.verdict}" for lr, r in runs.items()),
                   source="gradkit's check of the course's point: one rate too small, one good, one too large")
    if config["plots"]:
        from .. import plots
        curves = {f"lr {lr:g} ({r.verdict})": r.loss for lr, r in runs.items()}
        path = plots.plot_learning_rates(curves, out_dir / "learning_rates.png", optimum=best.mse)
        result.figure(path, "Full-data MSE per step at each learning rate (log scale); dashed: least squares")
    _keras_sweep(config, x, y, runs, progress, result)
    result.reading += [f"gradkit's run, {steps} steps per rate. " + _reading(runs)]


def _reading(runs):
    parts = []
    for lr, r in runs.items():
        if r.verdict == "too small":
            parts.append(f"At lr {lr:g} the loss falls so slowly that after {r.steps} steps it is still "
                         f"{r.mse:.1f}, far above the optimum.")
        elif r.verdict == "too large":
            parts.append(f"At lr {lr:g} every step overshoots the valley and lands higher than before: the loss "
                         f"explodes and the run is stopped at step {r.steps} (marked with an ✗).")
        else:
            parts.append(f"At lr {lr:g} the loss drops quickly and settles near the optimum ({r.mse:.3f}).")
    return " ".join(parts)


RECIPE = Recipe(
    name="lr-sweep",
    description="Learning rate too small, good and too large (full-batch GD on Boston)",
    run=run,
    defaults={"lrs": [1e-4, 0.01, 1.0], "epochs": 5000, "seed": 0, "plots": True, "workers": None, "scheduler": None},
    quick={"epochs": 300},
)
