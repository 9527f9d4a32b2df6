"""K-fold cross-validation and hyper-parameter sweeps as independent jobs on the runner."""
import itertools
import math

import numpy as np

from .. import backend as B
from ..errors import ConfigError, ConfigTypeError, DataError
from .runner import make_jobs, run_jobs

FIT_KEYS = ("epochs", "batch_size")  # grid keys that go to fit(); every other key goes to build_model()


def standardize(x_train, x_val):
    """Preprocess hook: scale both splits with mean/std of the training split only (the course subtracted the std)."""
    from ..preprocessing import StandardScaler
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), (None if x_val is None else scaler.transform(x_val))


def train_and_score(data, build_model, build_kwargs=None, train_idx=None, val_idx=None, epochs=1,
                    batch_size=None, preprocess=None, val_history=False, fit_kwargs=None):
    """One job: build, fit on the training rows, evaluate on the held-out rows; plain floats out."""
    x, y = data["x"], data["y"]
    if val_idx is not None:
        x_train, y_train, x_val, y_val = x[train_idx], y[train_idx], x[val_idx], y[val_idx]
    else:
        x_train, y_train, x_val, y_val = x, y, data.get("x_val"), data.get("y_val")
    if preprocess is not None:
        x_train, x_val = preprocess(x_train, x_val)
    fit_kwargs = dict(fit_kwargs or {})
    if val_history and x_val is not None:
        fit_kwargs["validation_data"] = (x_val, y_val)
    model = build_model(**(build_kwargs or {}))
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0, **fit_kwargs)
    out = {"history": {k: [float(v) for v in vs] for k, vs in history.history.items()}, "scores": {}}
    if x_val is not None:
        scores = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
        out["scores"] = {k: float(v) for k, v in scores.items()}
    return out


def _fold_indices(n, k, shuffle, seed):
    from ..preprocessing import KFold
    return list(KFold(k, shuffle=shuffle, seed=seed if shuffle else None).split(np.empty((n, 0))))


def _seed(seed):
    """The given seed, or one drawn from gradkit's generator (so set_random_seed still makes runs repeat)."""
    return int(B.rng().integers(2**31 - 1)) if seed is None else int(seed)


def _table(rows, columns):
    """Rows of dicts as an aligned text table (floats to 4 significant digits)."""
    def cell(v):
        return f"{v:.4g}" if isinstance(v, float) else ("" if v is None else str(v))
    cells = [[str(c) for c in columns]] + [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    return "\n".join("  ".join(s.rjust(w) for s, w in zip(row, widths)) for row in cells)


class CVResult:
    """Per-fold held-out scores (``folds``), their ``mean`` and ``std`` (ddof=0), histories and the run."""

    def __init__(self, run):
        self.run = run
        ok = [r for r in run.results if r.ok]
        self.folds = [{"fold": r.params["fold"], **r.value["scores"]} for r in ok]
        self.histories = [r.value["history"] for r in ok]
        names = list(self.folds[0])[1:] if self.folds else []
        self.mean = {m: float(np.mean([f[m] for f in self.folds])) for m in names}
        self.std = {m: float(np.std([f[m] for f in self.folds])) for m in names}

    def scores(self, metric):
        """One metric's per-fold values, e.g. ``scores("mae")`` (the course's all_scores)."""
        return [f[metric] for f in self.folds]

    def mean_history(self, key):
        """Per-epoch average of a history key over the folds (the course's average_mae_history)."""
        return [float(v) for v in np.mean([h[key] for h in self.histories], axis=0)]

    def __str__(self):
        names = list(self.mean)
        rows = self.folds + [{"fold": "mean", **self.mean}, {"fold": "std", **self.std}]
        return _table(rows, ["fold", *names]) + "\n" + self.run.summary()


def cross_validate(build_model, x, y, k=4, epochs=1, batch_size=None, seed=None, workers=None, scheduler=None,
                   preprocess=None, shuffle=False, val_history=False, progress=True, **fit_kwargs):
    """K-fold cross-validation: one fresh ``build_model()`` per fold, scored by evaluate on the held-out fold.

    Fold i trains with seed ``seed + i``, so in-process, ``workers=N`` and ``scheduler=`` runs agree.
    ``preprocess(x_train, x_val)`` (e.g. ``standardize``) is fitted per fold on the training split only.
    """
    x, y, seed = np.asarray(x), np.asarray(y), _seed(seed)
    _same_length(x, y, "cross_validate")
    folds = _fold_indices(len(x), k, shuffle, seed)
    kwargs = [dict(build_model=build_model, train_idx=t, val_idx=v, epochs=epochs, batch_size=batch_size,
                   preprocess=preprocess, val_history=val_history, fit_kwargs=fit_kwargs) for t, v in folds]
    jobs = make_jobs(train_and_score, [{"fold": i} for i in range(k)], kwargs, [seed + i for i in range(k)])
    run = run_jobs(jobs, {"x": x, "y": y}, workers, scheduler, progress, desc=f"{k}-fold")
    return CVResult(run)


def expand_grid(grid):
    """A dict of lists becomes the list of all combinations (in key order); a list of dicts stays as is.

    An empty grid, or a key with no values, is a ConfigError: it would run nothing.
    """
    if isinstance(grid, dict):
        lists = {}
        for key, values in grid.items():
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                raise ConfigTypeError(f"sweep: grid[{key!r}] must be a list of values to try, got {values!r}")
            lists[key] = list(values)
            if not lists[key]:
                raise ConfigError(f"sweep: grid[{key!r}] is empty; give at least one value to try")
        configs = [dict(zip(lists, vals)) for vals in itertools.product(*lists.values())]
    else:
        configs = [dict(p) for p in grid]
    if not configs or not grid:
        raise ConfigError(f"sweep: the grid is empty (got {grid!r}); expected a dict of lists such as "
                          "{'units': [8, 16]} or a list of parameter dicts")
    return configs


def _same_length(x, y, who):
    if len(x) != len(y):
        raise DataError(f"{who}: x and y must have the same number of samples, got x with {len(x)} and y with "
                        f"{len(y)}")


class SweepResult:
    """Sweep rows (params + scores) sorted by ``metric``, best first; failed or non-finite rows last."""

    def __init__(self, rows, metric, mode, run):
        self.metric, self.run = metric, run
        sign = -1 if mode == "max" else 1
        ok = [isinstance(r.get(metric), float) and math.isfinite(r[metric]) for r in rows]
        scored = [r for r, good in zip(rows, ok) if good]
        self.rows = sorted(scored, key=lambda r: sign * r[metric]) + [r for r, good in zip(rows, ok) if not good]

    @property
    def best(self):
        """The best row (a dict of params and scores)."""
        return self.rows[0]

    def __str__(self):
        columns = list(dict.fromkeys(c for r in self.rows for c in r))
        return _table(self.rows, columns) + "\n" + self.run.summary()


def _mode(metric, mode):
    """Keras's 'auto' rule (as EarlyStopping): maximize metrics with 'acc' in the name, minimize the rest."""
    if mode not in ("auto", "min", "max"):
        raise ConfigError(f"sweep: mode must be 'auto', 'min' or 'max', got {mode!r}")
    return ("max" if "acc" in metric else "min") if mode == "auto" else mode


def _sweep_row(params, results):
    """Params plus scores: last-epoch history values, or with folds mean/std of held-out scores as val_*."""
    if any(not r.ok for r in results):
        return {**params, "error": next(r.error for r in results if not r.ok)}
    if len(results) == 1:
        return {**params, **{k: v[-1] for k, v in results[0].value["history"].items()}}
    row = dict(params)
    for name in results[0].value["scores"]:
        vals = [r.value["scores"][name] for r in results]
        row[f"val_{name}"], row[f"val_{name}_std"] = float(np.mean(vals)), float(np.std(vals))
    return row


def sweep(build_model, grid, x, y, epochs=1, batch_size=None, metric="val_loss", mode="auto", k=None,
          validation_data=None, seed=None, workers=None, scheduler=None, preprocess=None, progress=True,
          **fit_kwargs):
    """Train ``build_model(**params)`` for every grid point; a SweepResult sorted by ``metric``.

    Grid keys ``epochs``/``batch_size`` go to fit. Scores are the last epoch's history values (pass
    ``validation_data`` or ``validation_split`` for val_*), or with ``k`` the mean held-out scores over k folds.
    Every configuration starts from the same seed, so rows differ by their parameters only.
    """
    configs, seed = expand_grid(grid), _seed(seed)
    x, y = np.asarray(x), np.asarray(y)
    _same_length(x, y, "sweep")
    data = {"x": x, "y": y}
    if validation_data is not None:
        data["x_val"], data["y_val"] = (np.asarray(a) for a in validation_data)
    folds = _fold_indices(len(x), k, False, None) if k else [(None, None)]
    params, kwargs, seeds = [], [], []
    for cfg, (i, (t, v)) in itertools.product(configs, enumerate(folds)):
        fit = {"epochs": epochs, "batch_size": batch_size, **{a: cfg[a] for a in FIT_KEYS if a in cfg}}
        params.append({**cfg, "fold": i} if k else cfg)
        kwargs.append(dict(build_model=build_model, build_kwargs={a: b for a, b in cfg.items() if a not in FIT_KEYS},
                           train_idx=t, val_idx=v, preprocess=preprocess, val_history=True,
                           fit_kwargs=fit_kwargs, **fit))
        seeds.append(seed + i)
    run = run_jobs(make_jobs(train_and_score, params, kwargs, seeds), data, workers, scheduler, progress,
                   desc="sweep")
    per = len(folds)
    rows = [_sweep_row(configs[j], run.results[j * per:(j + 1) * per]) for j in range(len(configs))]
    scored = [r for r in rows if "error" not in r]
    if scored and metric not in scored[0]:
        raise ConfigError(f"sweep: metric {metric!r} is not among the results ({', '.join(scored[0])}); "
                          "val_* metrics need validation_data=, validation_split= or k=")
    return SweepResult(rows, metric, _mode(metric, mode), run)
