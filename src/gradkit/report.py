"""Run folders and their reports: config.json, metrics.json, history.csv, weights.npz, PNG plots, report.html.

report.html is one self-contained file (plots embedded as base64) rebuilt from the folder's files alone, so
``gradkit report RUN_DIR`` can redo it any time. A tour folder (tour.json + one sub-folder per recipe) gets one
report holding every recipe's tables and pictures.
"""
import base64
import csv
import html
import io
import json
import math
import re
from datetime import datetime
from pathlib import Path

import numpy as np

from .errors import ConfigError
from .io import atomic_write

CLI_OPTIONS = ("epochs", "seed", "variant", "gradient", "workers", "scheduler")
"""Settings `gradkit run` takes as options (the rerun command names those; the rest are recipe defaults)."""
CONFIG, METRICS, HISTORY, WEIGHTS, REPORT, TOUR = (
    "config.json", "metrics.json", "history.csv", "weights.npz", "report.html", "tour.json")


# ---- writing a run folder -----------------------------------------------------------------------

def _dump(path, obj):
    Path(path).write_text(json.dumps(obj, indent=2, ensure_ascii=False, default=_jsonable) + "\n", encoding="utf-8")


def _jsonable(value):
    """JSON fallback for NumPy scalars/arrays and paths."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def write_config(run_dir, recipe, config):
    """config.json: the recipe, its full config and the command that reruns it (written before the run starts)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    from . import __version__
    args = [f"--{k} {config[k]}" for k in CLI_OPTIONS if config.get(k) is not None and k in recipe.defaults]
    command = ["gradkit run", recipe.name, *(["--quick"] if config.get("quick") else []), *args]
    _dump(run_dir / CONFIG, {"recipe": recipe.name, "description": recipe.description, "config": config,
                             "dataset": recipe.dataset, "gradkit": __version__, "command": " ".join(command),
                             "started": datetime.now().isoformat(timespec="seconds")})


def write_run(run_dir, recipe, result, status="ok", error=None, seconds=None):
    """history.csv and weights.npz from a Result (first, each written whole or not at all: the trained result),
    then metrics.json, then report.html; returns the report's path."""
    run_dir = Path(run_dir)
    if result.history:
        write_history(run_dir / HISTORY, result.history)
    if result.weights:
        buf = io.BytesIO()
        np.savez(buf, **{k: np.asarray(v) for k, v in result.weights.items()})
        atomic_write(run_dir / WEIGHTS, lambda f: f.write(buf.getvalue()), "run")
    _dump(run_dir / METRICS, {
        "recipe": recipe.name, "description": recipe.description, "status": status, "error": error,
        "seconds": seconds, "metrics": result.metrics, "comparisons": [c.to_dict() for c in result.comparisons],
        "tables": result.tables, "figures": result.figures, "reading": result.reading})
    return build_report(run_dir)


def write_history(path, columns):
    """{column: sequence} as CSV; shorter columns end in empty cells."""
    columns = {k: np.asarray(v, dtype=float).reshape(-1) for k, v in columns.items()}
    rows = max(len(v) for v in columns.values())
    text = io.StringIO(newline="")
    w = csv.writer(text)
    w.writerow(columns)
    for i in range(rows):
        w.writerow([repr(float(v[i])) if i < len(v) else "" for v in columns.values()])
    atomic_write(path, lambda f: f.write(text.getvalue().encode("utf-8")), "run")


def write_tour(out_dir, names, seconds, quick=False):
    """tour.json (which recipe folders make up the tour, and how long it took), then the tour's report.html."""
    _dump(Path(out_dir) / TOUR, {"recipes": list(names), "seconds": seconds, "quick": quick,
                                 "finished": datetime.now().isoformat(timespec="seconds")})
    return build_report(out_dir)


# ---- reading a run folder back --------------------------------------------------------------------

def load_run(run_dir):
    """{"config": ..., "metrics": ...} of a run folder; a folder without config.json raises ConfigError."""
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG).is_file():
        raise ConfigError(f"{run_dir} is not a gradkit run folder: it has no {CONFIG} (nor {TOUR})")
    config = json.loads((run_dir / CONFIG).read_text(encoding="utf-8"))
    metrics_path = run_dir / METRICS
    metrics = (json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else
               {"status": "unfinished", "error": "the run stopped before it wrote metrics.json",
                "recipe": config.get("recipe"), "description": config.get("description")})
    return {"config": config, "metrics": metrics}


def build_report(run_dir):
    """Write report.html for a run folder or a tour folder from its files; returns its path."""
    run_dir = Path(run_dir)
    if (run_dir / TOUR).is_file():
        tour = json.loads((run_dir / TOUR).read_text(encoding="utf-8"))
        runs = [(name, run_dir / name) for name in tour["recipes"]]
        page = _page("gradkit tour", _tour_body(tour, runs))
    else:
        run = load_run(run_dir)
        title = f"gradkit run: {run['config']['recipe']}"
        page = _page(title, _run_section(run, run_dir, heading="h1"))
    (run_dir / REPORT).write_text(page, encoding="utf-8")
    return run_dir / REPORT


# ---- HTML -----------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1d1d1f;line-height:1.45}
h1{border-bottom:2px solid #333;padding-bottom:.2em} h2{margin-top:2.2em;border-bottom:1px solid #bbb}
table{border-collapse:collapse;margin:.8em 0 1.4em;font-size:.92em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top} th{background:#f1f1f4}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.ok{background:#e3f6e5} td.off{background:#fde8e6} td.na{color:#777}
.status{display:inline-block;padding:.1em .6em;border-radius:.8em;font-size:.85em;font-weight:600}
.status.ok{background:#d4f2d8;color:#135c1f} .status.failed,.status.unfinished{background:#fbd9d5;color:#8a1c10}
.error{background:#fff3f1;border-left:4px solid #c0392b;padding:.6em 1em;white-space:pre-wrap;font-family:monospace;
font-size:.85em}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:1em;margin:1em 0}
figure{margin:0} figure.wide{grid-column:1/-1;max-width:1000px}
figure img{width:100%;border:1px solid #ddd} figcaption{font-size:.88em;color:#444}
.note{background:#fff8e1;border-left:4px solid #e0a800;padding:.5em 1em}
.reading{background:#f6f8fb;border-left:4px solid #4a78c2;padding:.4em 1em} .muted{color:#666;font-size:.9em}
code{background:#f1f1f4;padding:0 .25em}
.scroll{overflow-x:auto;max-width:100%} .scroll table{margin-top:.3em}
ol.sources{font-size:.85em;color:#444;margin-top:-.8em} ol.sources li{margin:.15em 0}
@media (max-width:760px){body{padding:0 .5em} table{font-size:.82em} th,td{padding:.25em .35em}
.figures{grid-template-columns:1fr}}
"""


def notebook_html(run_dir):
    """A run's report section for a notebook cell: the report's styles scoped to one div, no page frame."""
    run_dir = Path(run_dir)
    rules = re.sub(r"@media[^{]*\{.*?\}\}", "", _CSS[_CSS.index("}") + 1:], flags=re.S)  # no body, no @media
    scoped = re.sub(r"(^|})\s*([^{}]+)\{", lambda m: m.group(1) + ",".join(
        ".gk-report " + sel.strip() for sel in m.group(2).split(",")) + "{", rules)
    return f"<div class='gk-report'><style>{scoped}</style>{_run_section(load_run(run_dir), run_dir)}</div>"


def _page(title, body):
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body>\n{body}\n</body></html>\n")


def _cell(value):
    """A table cell: numbers right-aligned (class n), text left-aligned."""
    numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    return f"<td class='n'>{_fmt(value)}</td>" if numeric or value is None else f"<td>{_fmt(value)}</td>"


def _fmt(value):
    """A number to 7 significant digits, None as an en dash, text escaped."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.7g}"
    return html.escape(str(value))


def _diff(value):
    return "–" if value is None else ("NaN" if math.isnan(value) else f"{value:+.3g}")


def _published(c):
    if c["published"] is None:
        return "–"
    tol = f" ± {c['tolerance']:g}" if c.get("tolerance") is not None and c["relation"] == "≈" else ""
    prefix = "" if c["relation"] == "≈" else c["relation"] + " "
    shown = html.escape(c["printed"]) if c.get("printed") else _fmt(c["published"])  # the course's digits
    return f"{prefix}{shown}{tol}"


def _as_printed(value, printed):
    """A measured value with one decimal more than the course printed, so the digits can be compared by eye."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return f"{value:.{decimals + 1}f}"


def _comparisons(rows):
    """The comparison table; each published number marked [k] for its source, listed under the table."""
    if not rows:
        return ""
    sources = list(dict.fromkeys(c["source"] for c in rows if c.get("source")))
    out = ["<div class='scroll'><table class='comparisons'><tr><th>quantity</th><th>measured (gradkit)</th><th>published</th>"
           "<th>difference</th><th>agrees</th><th>note</th></tr>"]
    for c in rows:
        verdict = {True: ("ok", "yes"), False: ("off", "no"), None: ("na", "–")}[c["agrees"]]
        mark = f"<sup>[{sources.index(c['source']) + 1}]</sup>" if c.get("source") else ""
        measured = _cell(c["measured"]) if not c.get("printed") or c["measured"] is None else \
            f"<td class='n'>{_as_printed(c['measured'], c['printed'])}</td>"
        out.append(f"<tr><td>{html.escape(c['quantity'])}</td>{measured}"
                   f"<td class='n'>{_published(c)}{mark}</td><td class='n'>{_diff(c['difference'])}</td>"
                   f"<td class='{verdict[0]}'>{verdict[1]}</td><td>{html.escape(c.get('note') or '')}</td></tr>")
    out.append("</table></div>")
    if sources:
        out.append("<ol class='sources'>" + "".join(f"<li>{_inline(s)}</li>" for s in sources) + "</ol>")
    return "\n".join(out)


def _inline(text):
    """Escaped text whose `backticked` words show as code (sources and readings quote commands and files)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _table(t):
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t["columns"])
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in t["rows"])
    return f"<h4>{html.escape(t['title'])}</h4><div class='scroll'><table><tr>{head}</tr>{body}</table></div>"


def _figure(run_dir, fig):
    path = Path(run_dir) / fig["file"]
    if not path.is_file():
        return f"<p class='muted'>(figure {html.escape(fig['file'])} is missing from the run folder)</p>"
    raw = path.read_bytes()
    width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")  # PNG IHDR
    wide = " class='wide'" if width > 1.6 * max(height, 1) else ""
    data = base64.b64encode(raw).decode("ascii")
    return (f"<figure{wide}><img alt='{html.escape(fig['caption'])}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{html.escape(fig['caption'])}</figcaption></figure>")


def _run_section(run, run_dir, heading="h2"):
    cfg, m = run["config"], run["metrics"]
    status = m.get("status", "unfinished")
    secs = f" · {m['seconds']:.1f} s" if m.get("seconds") is not None else ""
    parts = [f"<{heading} id='{html.escape(cfg['recipe'])}'>{html.escape(cfg['recipe'])}</{heading}>",
             f"<p>{html.escape(cfg.get('description', ''))} <span class='status {html.escape(status)}'>"
             f"{html.escape(status)}</span><span class='muted'>{secs}</span></p>"]
    if m.get("error"):
        parts.append(f"<div class='error'>This run did not finish: {html.escape(m['error'])}</div>")
    parts.append(_comparisons(m.get("comparisons", [])))
    if m.get("reading"):
        parts.append("<div class='reading'><h4>What the pictures show</h4>"
                     + "".join(f"<p>{_inline(p)}</p>" for p in m["reading"]) + "</div>")
    if m.get("figures"):
        parts.append("<div class='figures'>" + "".join(_figure(run_dir, f) for f in m["figures"]) + "</div>")
    parts += [_table(t) for t in m.get("tables", [])]
    settings = ", ".join(f"{k}={v}" for k, v in cfg["config"].items() if v is not None)  # None: the default
    parts.append(f"<p class='muted'>Settings: {html.escape(settings)}<br>Rerun: <code>"
                 f"{html.escape(cfg.get('command', ''))}</code> · folder: {html.escape(str(run_dir))}</p>")
    return "\n".join(p for p in parts if p)


def _tour_body(tour, runs):
    loaded = []
    for name, d in runs:
        try:
            loaded.append((name, d, load_run(d)))
        except ConfigError as e:
            loaded.append((name, d, {"config": {"recipe": name, "config": {}},
                                     "metrics": {"status": "unfinished", "error": str(e)}}))
    rows = []
    for name, _, run in loaded:
        m = run["metrics"]
        verdicts = [c["agrees"] for c in m.get("comparisons", []) if c["agrees"] is not None]
        agree = f"{sum(verdicts)} of {len(verdicts)}" if verdicts else "–"
        secs = "–" if m.get("seconds") is None else f"{m['seconds']:.1f}"
        rows.append(f"<tr><td><a href='#{name}'>{name}</a></td><td>{html.escape(m.get('status', '?'))}</td>"
                    f"<td class='n'>{agree}</td><td class='n'>{secs}</td></tr>")
    total = f"{tour['seconds']:.1f} s" if tour.get("seconds") is not None else "?"
    quick = ("<p class='note'>Quick tour: fewer steps and epochs than the course, so the published figures are "
             "shown beside the measured values without a verdict, and the text under each table describes this "
             "quick run. Run <code>gradkit tour</code> for the real comparison.</p>") if tour.get("quick") else ""
    head = (f"<h1>gradkit tour</h1><p>The course's gradient-descent experiments, run offline on the data shipped "
            f"with gradkit. Every measured number is gradkit's, from this run; it stands beside a published "
            f"number, and the list under each table says where that number comes from: the course's printout "
            f"(which code, which line) or another named source. Total time {total}.</p>{quick}"
            "<table><tr><th>recipe</th><th>status</th><th>agrees with the published figure</th><th>seconds</th></tr>"
            + "".join(rows) + "</table>")
    return head + "\n" + "\n".join(_run_section(run, d) for _, d, run in loaded)
