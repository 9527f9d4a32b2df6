"""Pictures of training, all drawn from recorded arrays and written to PNG files (no display needed).

matplotlib is imported inside each function, so ``import gradkit`` never needs it.
"""
from pathlib import Path

import numpy as np


def _figure(ncols=1, size=(6.4, 4.4)):
    from matplotlib.figure import Figure  # a bare Figure: no pyplot state, no display, Agg for PNG
    fig = Figure(figsize=(size[0] * ncols, size[1]))
    return fig, list(fig.subplots(1, ncols, squeeze=False)[0])


def _save(fig, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_history(history, path, title=None, val_name="validation"):
    """Training curves as the course draws them: one panel per quantity, training dots beside validation line.

    history is a History (its ``.history``) or a dict {"loss": [...], "val_loss": [...], "acc": [...], ...};
    ``val_name`` names the val_ data in labels and titles ("test" when validation_data is the test set).
    """
    logs = getattr(history, "history", history)
    bases = [k for k in logs if not k.startswith("val_")]
    bases += [k[4:] for k in logs if k.startswith("val_") and k[4:] not in logs]
    fig, axes = _figure(len(bases))
    for ax, key in zip(axes, bases):
        for name, style in ((key, "bo"), ("val_" + key, "b-")):
            if name in logs:
                values = np.asarray(logs[name], dtype=float)
                label = (f"{val_name.capitalize()} " if name.startswith("val_") else "Training ") + key
                ax.plot(np.arange(1, len(values) + 1), values, style, label=label)
        ax.set_xlabel("Epochs")
        ax.xaxis.get_major_locator().set_params(integer=True)  # epochs are whole numbers: no 2.5 ticks
        ax.set_ylabel(key)
        ax.set_title(f"Training and {val_name} {key}")
        ax.legend()
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def _clip_curve(values, ceiling):
    """(steps, values clipped at ceiling, index of the first point beyond it or None)."""
    v = np.asarray(values, dtype=float)
    bad = ~np.isfinite(v) | (v > ceiling)
    first = int(np.argmax(bad)) if bad.any() else None
    if first is not None:
        v = v[:first + 1].copy()
        v[first] = ceiling
    return np.arange(len(v)), v, first


def plot_loss_curves(curves, path, optimum=None, ceiling=None, logy=True, title="Full-data loss per step",
                     xlabel="step", ylabel="MSE"):
    """Several loss curves on one plot ({label: array}); a dashed line at ``optimum`` (e.g. least squares).

    A curve that goes non-finite or above ``ceiling`` (default: 10 × the largest starting loss) is cut
    there, drawn up to the ceiling and marked with an ✗ and "diverging: off the scale at step k".
    """
    if ceiling is None:
        starts = [float(np.asarray(c, dtype=float)[0]) for c in curves.values() if len(c)]
        ceiling = 10 * max([s for s in starts if np.isfinite(s)] or [1.0])
    fig, (ax,) = _figure()
    for label, values in curves.items():
        steps, v, first = _clip_curve(values, ceiling)
        (line,) = ax.plot(steps, v, label=str(label), lw=1)
        if first is not None:
            ax.plot([first], [ceiling], "x", color=line.get_color(), ms=10, mew=2)
            ax.annotate(f"{label}: diverging, off the scale at step {first}", (first, ceiling),
                        textcoords="offset points", xytext=(5, -12), color=line.get_color())
    if optimum is not None:
        ax.axhline(optimum, color="k", ls="--", lw=1, label=f"least-squares optimum {optimum:.4f}")
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    # the legend goes under the axes, so it can never hide a curve or the "diverging" label
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8, frameon=False)
    return _save(fig, path)


def plot_learning_rates(curves, path, optimum=None, title="Learning rate: too small, good, too large"):
    """Loss curves for several learning rates ({label: array}) on one figure; diverging ones cut and marked."""
    return plot_loss_curves(curves, path, optimum=optimum, title=title)


def plot_loss_surface(w1, w2, loss, trajectories, path, optimum=None, levels=30,
                      labels=("w1", "w2"), title="Loss surface and descent trajectories"):
    """Contours of loss on the grid (w1, w2) with each strategy's path ({label: array (steps, 2)}) on it."""
    fig, (ax,) = _figure(size=(6.4, 5.4))
    lo, hi = float(np.min(loss)), float(np.max(loss))
    contour_levels = lo + (hi - lo) * np.linspace(0, 1, levels) ** 2  # denser near the minimum
    cs = ax.contour(w1, w2, loss, levels=contour_levels, cmap="viridis", linewidths=0.7)
    fig.colorbar(cs, ax=ax, label="MSE")
    for label, path_ in trajectories.items():
        p = np.asarray(path_, dtype=float)
        (line,) = ax.plot(p[:, 0], p[:, 1], lw=1, label=str(label), alpha=0.85)
        ax.plot(p[-1, 0], p[-1, 1], "o", color=line.get_color())
        ax.plot(p[0, 0], p[0, 1], "s", color="k", ms=5)
    if optimum is not None:
        ax.plot(optimum[0], optimum[1], "*", color="red", ms=14, label="least-squares optimum")
    ax.set(xlabel=labels[0], ylabel=labels[1], title=title)
    ax.legend()
    return _save(fig, path)


def plot_descent_1d(f, runs, path, xlim=(-2.3, 2.3), title="Gradient descent on a non-convex loss"):
    """The curve f on xlim with each descent's iterates ({label: array of x_k}) as dots, start to end."""
    fig, (ax,) = _figure()
    grid = np.linspace(xlim[0], xlim[1], 400)
    ax.plot(grid, f(grid), "k-", lw=1.5, label="f(x)")
    for label, xs in runs.items():
        xs = np.asarray(xs, dtype=float)
        (pts,) = ax.plot(xs, f(xs), ".", ms=4, alpha=0.6, label=str(label))
        ax.plot(xs[-1], f(xs[-1]), "o", color=pts.get_color(), ms=10, mfc="none", mew=2)
        ax.annotate(f"stops at x = {xs[-1]:.3f}", (xs[-1], f(xs[-1])), textcoords="offset points",
                    xytext=(0, -18), ha="center", color=pts.get_color())
    ax.margins(y=0.12)
    ax.set(xlabel="x", ylabel="f(x)", title=title)
    ax.legend()
    return _save(fig, path)


def plot_decision_boundary(predict, x, y, path, resolution=200, padding=0.5, title="Decision boundary"):
    """Output of a 2-input classifier over the plane, its 0.5 contour, and the labelled points.

    predict maps an (n, 2) array to n probabilities (shape (n,) or (n, 1)).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y).reshape(-1)
    lo, hi = x.min(axis=0) - padding, x.max(axis=0) + padding
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    z = np.asarray(predict(np.column_stack([g1.ravel(), g2.ravel()])), dtype=float).reshape(g1.shape)
    fig, (ax,) = _figure(size=(5.4, 4.8))
    filled = ax.contourf(g1, g2, z, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    fig.colorbar(filled, ax=ax, label="output", ticks=np.linspace(0, 1, 6))
    from matplotlib.ticker import MaxNLocator
    for axis, values in ((ax.xaxis, np.unique(x[:, 0])), (ax.yaxis, np.unique(x[:, 1]))):
        if len(values) <= 4:  # few distinct inputs (0 and 1 for the gates): ticks only there, never crowded
            axis.set_ticks(values)
        else:
            axis.set_major_locator(MaxNLocator(5))
    if z.min() < 0.5 < z.max():
        ax.contour(g1, g2, z, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu_r", vmin=0, vmax=1, edgecolors="k", s=80)
    ax.set(xlabel="x1", ylabel="x2", title=title)
    return _save(fig, path)
