"""Running recipes into run folders: live progress bars, failures recorded with what was measured, the tour."""
import importlib.util
import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import backend
from ..errors import PathError
from ..training.callbacks import Callback
from .base import Result
from .registry import TOUR, get


class _NullBar:
    """Stands in for a tqdm bar when progress is off or tqdm is not installed."""

    def __init__(self, total=None, **kwargs):
        self.total, self.n = total, 0

    def update(self, n=1):
        self.n += n

    def set_postfix_str(self, s=None, refresh=True):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Progress:
    """Live progress for recipes: ``bar(total, desc)`` gives a tqdm bar; ``callback(desc, epochs)`` one for fit."""

    def __init__(self, enabled=True, file=None):
        self.enabled, self.file = enabled, file

    def bar(self, total, desc, unit="step"):
        """A progress bar (context manager with update(n)); a silent stand-in when disabled."""
        if not self.enabled:
            return _NullBar(total)
        try:
            from tqdm import tqdm
        except ImportError:
            return _NullBar(total)
        return tqdm(total=total, desc=desc, unit=unit, leave=False, file=self.file, dynamic_ncols=True)

    def callback(self, desc, epochs):
        """A Callback for ``fit`` that moves a bar one step per epoch and shows the last epoch's logs."""
        return _EpochBar(self.bar(epochs, desc, unit="epoch"))

    def write(self, line):
        """Print a line without breaking a live bar."""
        if not self.enabled:
            return
        try:
            from tqdm import tqdm
            tqdm.write(line, file=self.file)
        except ImportError:
            print(line, file=self.file)


class _EpochBar(Callback):
    """Advances a progress bar at every epoch end; closes it when training ends."""

    def __init__(self, bar):
        super().__init__()
        self.bar = bar

    def on_epoch_end(self, epoch, logs=None):
        if logs:  # before update(1), which redraws: the bar then shows this epoch's logs, not the last one's
            self.bar.set_postfix_str(" ".join(f"{k}={float(v):.4g}" for k, v in logs.items()), refresh=False)
        self.bar.update(1)

    def on_train_end(self, logs=None):
        self.bar.close()


@dataclass
class RunRecord:
    """How one recipe run went: its folder, status ("ok" or "failed"), why it failed, and what it measured."""
    name: str
    folder: Path
    status: str
    error: str
    seconds: float
    result: Result

    @property
    def report(self):
        """The run's report.html."""
        return self.folder / "report.html"

    def _repr_html_(self):
        """In a notebook, a run shows its report: comparisons with the course, pictures, tables."""
        from ..report import notebook_html
        return notebook_html(self.folder)


def run_recipe(name, out_dir, config=None, progress=None, quick=False, **overrides):
    """Run recipe ``name`` into ``out_dir``: config.json first, then metrics, history, weights, plots, report.

    Any error is caught and recorded (status "failed", the reason in metrics.json and the report, the
    traceback in error.txt) together with whatever the recipe had measured until then.
    """
    from .. import report
    recipe = get(name)
    config = config if config is not None else recipe.config(quick=quick, **overrides)
    out_dir = Path(out_dir)
    report.write_config(out_dir, recipe, config)
    progress = progress or Progress(enabled=False)
    result, status, error = Result(), "ok", None
    if config.get("plots") and importlib.util.find_spec("matplotlib") is None:
        config = dict(config, plots=False)
        result.reading.append("No pictures in this run: matplotlib is not installed (pip install 'gradkit[plots]').")
    floatx = backend.floatx()
    backend.set_seed(config.get("seed"))
    t0 = time.perf_counter()
    try:
        recipe.run(config, out_dir, progress, result)
    except Exception as e:  # noqa: BLE001 - a recipe's failure is recorded, never lost
        status, error = "failed", f"{type(e).__name__}: {e}"
        (out_dir / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
    finally:
        backend.set_floatx(floatx)
    seconds = time.perf_counter() - t0
    try:
        report.write_run(out_dir, recipe, result, status, error, seconds)
    except OSError as e:  # a full disk, a file-size limit: say what was kept, not a traceback after training
        raise _unwritten(name, out_dir, status, e) from e
    return RunRecord(name, out_dir, status, error, seconds, result)


def _unwritten(name, out_dir, status, e):
    """The PathError for a run whose report could not be written: where its trained result was kept."""
    from ..io import os_reason
    from ..report import CONFIG, HISTORY, METRICS, WEIGHTS
    cause = e.__cause__ if isinstance(e, PathError) and isinstance(e.__cause__, OSError) else e
    kept = [f for f in (HISTORY, WEIGHTS, METRICS, CONFIG) if (out_dir / f).is_file()]
    kept_txt = (f"kept, written before the report: {', '.join(kept)} in {out_dir}" if kept else
                f"nothing could be kept in {out_dir}")
    ended = "finished" if status == "ok" else "failed (see error.txt)"
    return PathError(f"{name}: the run {ended} but its report.html could not be written in {out_dir}: "
                     f"{os_reason(cause)}; {kept_txt}")


def default_out_dir(name, root="gradkit-runs"):
    """A new, empty folder ./gradkit-runs/<name>-<YYYYmmdd-HHMMSS> (-2, -3, ... for runs in the same second).

    The folder is created here (mkdir without exist_ok is atomic), so two runs never share one.
    """
    base = Path(root) / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"
    base.parent.mkdir(parents=True, exist_ok=True)
    for i in range(1, 10_000):
        folder = base if i == 1 else base.with_name(f"{base.name}-{i}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"no free run folder name beside {base}")


def run_tour(out_dir, quick=False, progress=None, names=TOUR):
    """Run the offline recipes into ``out_dir/<name>`` and write one report for all; returns (report, records)."""
    from .. import report
    progress = progress or Progress(enabled=False)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0, records = time.perf_counter(), []
    for name in names:
        progress.write(f"[{len(records) + 1}/{len(names)}] {name}")
        rec = run_recipe(name, out_dir / name, progress=progress, quick=quick)
        progress.write(f"    {rec.status} in {rec.seconds:.1f} s" + (f": {rec.error}" if rec.error else ""))
        records.append(rec)
    return report.write_tour(out_dir, names, time.perf_counter() - t0, quick), records
