"""local-minima: gradient descent on a non-convex loss stops in whichever valley its start leads to.

The loss is ``gradkit.descent.quartic`` f(x) = x⁴ − 4x² + x; its two minima are known in closed form
(the outer roots of f'(x) = 0), so each run's stopping point is set beside the exact minimiser.
"""
from .base import Recipe


def run(config, out_dir, progress, result):
    """Descend from each start; say which minimum each one reached and how far from it it stopped."""
    from ..descent import descend_1d, quartic, quartic_minima
    glob, loc = quartic_minima()
    runs = {}
    with progress.bar(len(config["starts"]), "1-D descent from each start", unit="start") as bar:
        for x0 in config["starts"]:
            runs[x0] = descend_1d(quartic, x0=float(x0), lr=config["lr"], steps=config["epochs"])
            bar.update(1)
    rows = []
    for x0, r in runs.items():
        target, kind = (glob, "global") if abs(r.x - glob) < abs(r.x - loc) else (loc, "local")
        result.history[f"x0={x0:g}"] = r.xs
        result.metrics[f"x0={x0:g}"] = {"x": r.x, "f": float(r.fs[-1]), "minimum": kind}
        result.compare(f"start {x0:g}: stops at x (the {kind} minimum)", r.x, target, 1e-3,
                       note="exact minimiser: a root of f'(x) = 4x³ − 8x + 1",
                       source="gradkit's exact minimiser in closed form (not printed by the course; the course's "
                              "plot shows each start reaching it)")
        rows.append([f"{x0:g}", r.x, float(r.fs[-1]), kind, len(r.xs) - 1])
    result.metrics.update(global_minimum=glob, local_minimum=loc)
    result.table("Where descent stops (f(x) = x⁴ − 4x² + x)", ["start", "stops at x", "f(x)", "minimum", "steps"],
                 rows + [["exact global", glob, float(quartic(glob)), "global", None],
                         ["exact local", loc, float(quartic(loc)), "local", None]])
    if config["plots"]:
        from .. import plots
        path = plots.plot_descent_1d(quartic, {f"start {x0:g}": r.xs for x0, r in runs.items()},
                                     out_dir / "local_minima.png")
        result.figure(path, "The loss curve with every iterate of each descent; a ring marks where it stopped")
    result.reading.append(
        f"Both runs only ever go downhill. Started on the right, descent rolls into the nearer valley at "
        f"x ≈ {loc:.2f} and stays there: a local minimum, higher than the global one at x ≈ {glob:.2f} that the "
        f"run started on the left reaches. Nothing in the gradient tells the first run that a deeper valley exists.")


RECIPE = Recipe(
    name="local-minima",
    description="Gradient descent stopping in a local minimum of a 1-D loss",
    run=run,
    defaults={"starts": [2.0, -0.5], "lr": 0.01, "epochs": 300, "seed": 0, "plots": True},
    quick={"epochs": 300},
)
