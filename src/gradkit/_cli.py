"""Command definitions (click): list, run, report, tour."""
import contextlib
import sys
import textwrap
from pathlib import Path

import click

from . import __version__
from .errors import GradkitError
from .recipes import registry
from .registry import did_you_mean


class _Choice(click.Choice):
    """click's Choice whose error also suggests the close choice (as click does for a mistyped option)."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as e:
            hint = did_you_mean(value, self.choices)
            if hint:
                e.message = e.message.rstrip(".") + hint
            raise


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gradkit")
def app():
    """gradkit: deep learning from first principles, with the classic course experiments one command away.

    Start with `gradkit tour`: it runs the offline experiments and writes one report.
    """


LIST_WIDTH = 100
"""`gradkit list` fits this many columns: a recipe's name and data on one line, its description indented below."""


@app.command("list")
def list_recipes():
    """List the recipes and which need a dataset download (not found in GRADKIT_DATA or the cache)."""
    from .datasets.fetch import find_local
    from .recipes import get
    rows = []
    for name in registry.names():
        r = get(name)
        if r.offline:
            where = "offline, in tour" if name in registry.TOUR else "offline"
        else:
            where = ("data found: " if find_local(r.dataset) else "needs download: ") + r.dataset
        rows.append((name, where, r.description))
    w1 = max(len(row[0]) for row in rows)
    for name, where, description in rows:
        click.echo(f"{name:<{w1}}  {where}")
        click.echo(textwrap.fill(description, LIST_WIDTH, initial_indent="    ", subsequent_indent="    "))


@contextlib.contextmanager
def one_line_errors():
    """A usage mistake prints one line on stderr and exits with status 2 (click's own layout takes four)."""
    try:
        yield
    except click.ClickException as e:
        if type(e).__name__ == "NoArgsIsHelpError":  # bare `gradkit`: the help, as click shows it
            e.show()
            sys.exit(e.exit_code)
        where = f" (see '{e.ctx.command_path} --help')" if getattr(e, "ctx", None) is not None else ""
        click.echo(f"Error: {' '.join(e.format_message().split())}{where}", err=True)
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)


def _make_out(out):
    """Create the run folder ``out`` now, so a path that cannot be made is a usage error before any work."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise click.BadParameter(f"cannot create the folder {str(out)!r}: {e.strerror or e}",
                                 param_hint="'--out'") from None
    return out


def _fail(message):
    """A gradkit error at the command line: the message, exit status 1, no traceback."""
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


@app.command("run")
@click.argument("name", type=_Choice(registry.names()), metavar="NAME")
@click.option("--epochs", type=click.IntRange(min=1), help="Training epochs (steps for the descent recipes).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1),
              help="Seed of the run, in [0, 2**32) (the same seed repeats it bit for bit).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Run folder (default: ./gradkit-runs/<name>-<date>-<time>).")
@click.option("--quick", is_flag=True, help="Small data and few epochs: a fast look.")
@click.option("--variant", help="A recipe's variant (mnist-mlp: relu-adam; boston-kfold: course).")
@click.option("--gradient", help="How gradients are computed (mnist-mlp: backprop or numerical).")
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes (boston-kfold, lr-sweep).")
@click.option("--scheduler", help="Dask scheduler address tcp://HOST:PORT (boston-kfold, lr-sweep).")
@click.option("--data-dir", "data_dir", type=click.Path(exists=True, file_okay=False),
              help="A folder of images, one subfolder per class (cats-dogs).")
@click.option("--no-progress", is_flag=True, help="No live progress bars.")
def run(name, out, quick, no_progress, **overrides):
    """Run the recipe NAME into a run folder and write its report."""
    from .recipes import Progress, default_out_dir, get, run_recipe
    try:
        config = get(name).config(quick=quick, **overrides)
    except GradkitError as e:
        raise click.UsageError(str(e)) from None
    out = _make_out(out or default_out_dir(name))
    try:
        rec = run_recipe(name, out, config=config, progress=Progress(enabled=not no_progress))
    except GradkitError as e:  # e.g. a report that could not be written: the message says what was kept
        _fail(str(e))
    _summary(rec)
    if rec.status != "ok":  # no report path: the reason is all there is to read
        _fail(f"{name} failed: {rec.error}")
    click.echo(f"report: {rec.report.resolve()}")


def _summary(rec):
    """Each comparison as one line: measured (gradkit's), the published figure (the course's as printed), a verdict."""
    for c in rec.result.comparisons:
        d = c.to_dict()
        mark = {True: "ok ", False: "OFF", None: "   "}[d["agrees"]]
        pub = "" if d["published"] is None else f"  reference {d['relation']} {d['published']:.7g}"
        measured = "–" if d["measured"] is None else f"{d['measured']:.7g}"
        if d["printed"] and d["measured"] is not None:
            decimals = len(d["printed"].split(".")[1]) if "." in d["printed"] else 0
            pub, measured = f"  course printed {d['printed']}", f"{d['measured']:.{decimals + 1}f}"
        click.echo(f"  [{mark}] {d['quantity']}: {measured}{pub}")


@app.command("report")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def report(run_dir):
    """Rebuild report.html of a run (or tour) folder from its files."""
    from .report import build_report
    try:
        click.echo(f"report: {build_report(run_dir).resolve()}")
    except GradkitError as e:
        _fail(str(e))


@app.command("tour")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Tour folder (default: ./gradkit-runs/tour-<date>-<time>).")
@click.option("--quick", is_flag=True, help="Few steps and epochs (a smoke test of the whole tour).")
@click.option("--no-progress", is_flag=True, help="No live progress bars.")
def tour(out, quick, no_progress):
    """Run the offline course experiments (about a minute) and write one report."""
    from .recipes import Progress, default_out_dir, run_tour
    out = _make_out(out or default_out_dir("tour"))
    click.echo(f"gradkit tour → {out}")
    path, records = run_tour(out, quick=quick, progress=Progress(enabled=not no_progress))
    failed = [r for r in records if r.status != "ok"]
    for r in records:
        click.echo(f"  {r.name:<22} {r.status:<7} {r.seconds:6.1f} s" + (f"  {r.error}" if r.error else ""))
    click.echo(f"report: {path.resolve()}")
    if failed:
        sys.exit(1)


@app.command("fetch")
@click.argument("names", nargs=-1, required=True, metavar="DATASET...")
def fetch(names):
    """Fetch every file of each DATASET (mnist, fashion_mnist, imdb, reuters, ...) into the cache, hash-verified."""
    from .datasets.fetch import fetch_dataset
    for name in names:
        try:
            paths = fetch_dataset(name)
        except GradkitError as e:
            _fail(str(e))
        for path in paths:
            click.echo(f"{name}: {path}")
