"""Tables of benchmark results (terminal and BENCHMARKS.md) and the issue's targets checked against them."""
import re

from .workloads import WORKLOADS, scaled, training_flop

MARK_START, MARK_END = "<!-- results:start -->", "<!-- results:end -->"

# (workload, peer, quantity, max ratio gradkit/peer) from issue #5; "limit" = the arithmetic limit
TARGETS = [
    ("boston-gd", "torch", "seconds", 0.10),
    ("boston-adam", "torch", "seconds", 0.10),
    ("boston-adam", "numpy", "seconds", 1.5),
    ("mnist-mlp", "torch", "seconds", 0.6),
    ("mnist-mlp", "limit", "seconds", 3.0),
    ("mnist-mlp", "torch", "mem_fit_mb", 0.6),
    ("mnist-relu-adam", "torch", "seconds", 0.6),
    ("mnist-relu-adam", "limit", "seconds", 3.0),
    ("mnist-relu-adam", "torch", "mem_fit_mb", 0.6),
    ("imdb-style", "keras", "seconds", 0.5),
    ("imdb-style", "torch-sparse", "seconds", 0.7),
    ("imdb-style", "keras", "mem_total_mb", 0.25),
    ("mnist-cnn", "torch", "seconds", 1.0),  # issue 12
    ("imdb-lstm", "torch", "seconds", 1.0),  # issue 12
]
QUANTITY = {"seconds": "time", "mem_fit_mb": "peak memory of the fit", "mem_total_mb": "peak memory, data + fit"}


def _limit_seconds(name, rows, info):
    """FLOPs of the epoch / measured sgemm rate, or None."""
    g = rows.get("gradkit", {})
    if not info.get("sgemm_gflops") or "seconds" not in g:
        return None
    flop = training_flop(WORKLOADS[name], g.get("samples") or 60000)
    return flop / (info["sgemm_gflops"] * 1e9) if flop else None


def targets_table(summary, info):
    """One row per issue target: measured ratio and whether it is met (None where a side is missing)."""
    out = []
    for name, peer, qty, bound in TARGETS:
        if name not in summary:
            continue
        rows = summary[name]
        g = rows.get("gradkit", {}).get(qty)
        p = _limit_seconds(name, rows, info) if peer == "limit" else rows.get(peer, {}).get(qty)
        ratio = g / p if g is not None and p else None
        out.append({"workload": name, "peer": peer, "quantity": qty, "bound": bound, "ratio": ratio,
                    "met": None if ratio is None else ratio <= bound})
    for name, rows in summary.items():
        agree = loss_agreement(name, rows)
        if agree is not None:
            out.append({"workload": name, "peer": "all", "quantity": "final loss", "bound": None,
                        "ratio": None, "met": agree[0], "detail": agree[1]})
    return out


def loss_agreement(name, rows):
    """(agrees, text): gradkit's final loss against the peers' (runs of the same length only)."""
    g = rows.get("gradkit", {})
    if "loss" not in g:
        return None
    peers = {f: r["loss"] for f, r in rows.items() if not f.startswith("gradkit") and "loss" in r
             and "extrapolated_from_epochs" not in r}
    if not peers:
        return None
    lo, hi = min(peers.values()), max(peers.values())
    tol = 0.03 * abs(hi) + 1e-3  # one-epoch runs with different shuffles differ by ~1%
    ok = lo - tol <= g["loss"] <= hi + tol
    return ok, f"gradkit {g['loss']:.5g}; peers {lo:.5g}–{hi:.5g}"


def _fmt(v, spec=".3g"):
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return format(v, spec) if isinstance(v, (int, float)) else str(v)


def workload_rows(name, rows):
    """Header and rows of one workload's table (strings)."""
    if WORKLOADS[name].kind == "numgrad":
        head = ["framework", "backprop step", "one numerical partial", "full numerical step (extrapolated)",
                "numerical ÷ backprop", "max rel. error (sampled partials)"]
        body = [[f, f"{r['backprop_step_s'] * 1e3:.3g} ms", f"{r['partial_s'] * 1e3:.3g} ms",
                 f"{r['seconds']:.3g} s", f"{r['ratio_numerical_to_backprop']:,.0f}×", _fmt(r["max_rel_error"])]
                if "seconds" in r else [f, r.get("status", ""), "", "", "", ""] for f, r in rows.items()]
        return head, body
    head = ["framework", "median s", "min s", "runs", "gradkit ÷ this", "CPU s", "gradkit ÷ this (CPU)", "fit peak MB",
            "data+fit peak MB", "final loss", "train acc", "test acc", "note"]
    body = []
    for f, r in rows.items():
        if "seconds" not in r:
            body.append([f, "—", "—", "0"] + ["—"] * 8 + [r.get("status", "")[:90]])
            continue
        note = (f"time extrapolated from {r['extrapolated_from_epochs']} epochs; loss after them"
                if "extrapolated_from_epochs" in r else "")
        if "ms_per_step" in r:
            note = f"{r['ms_per_step']:.4g} ms/step over {r['steps']} steps after 2 untimed ones"
        body.append([f, _fmt(r["seconds"], ".4g"), _fmt(r["min_seconds"], ".4g"), str(r["repeats"]),
                     _fmt(r.get("gradkit_ratio")), _fmt(r.get("cpu_seconds"), ".4g"), _fmt(r.get("gradkit_cpu_ratio")),
                     _fmt(r.get("mem_fit_mb"), ".1f"), _fmt(r.get("mem_total_mb"), ".1f"),
                     _fmt(r.get("loss"), ".5g"), _fmt(r.get("accuracy"), ".4f"), _fmt(r.get("test_accuracy"), ".4f"),
                     note])
    return head, body


def _md_table(head, body):
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])


def _target_rows(doc, only=None):
    body = []
    for t in doc["targets"]:
        if only and t["workload"] != only:
            continue
        if t["quantity"] == "final loss":
            what, meas = "same final loss as the peers (±3%)", t["detail"]
        else:
            peer = "arithmetic limit" if t["peer"] == "limit" else t["peer"]
            what, meas = f"{QUANTITY[t['quantity']]} ≤ {t['bound']} × {peer}", _fmt(t["ratio"])
        body.append([t["workload"], what, meas, _fmt(t["met"]) if t["met"] is not None else "not measured"])
    return ["workload", "target", "measured gradkit ÷ peer", "met"], body


def _versions(doc):
    seen = {}
    for rows in doc["summary"].values():
        for f, r in rows.items():
            if "version" in r:
                seen[f.split("-")[0]] = r["version"]
    return ", ".join(v if v.startswith(k) else f"{k} {v}" for k, v in sorted(seen.items()))


def _run_line(doc):
    """Date, machine, threads, versions and load of a run, in one paragraph."""
    m, s = doc["machine"], doc["settings"]
    busy = m["load_avg"][0] > 0.5 * m["cores"] or m["load_avg_end"][0] > 0.5 * m["cores"]
    return (f"Run of {doc['date']} ({doc['wall_seconds'] / 60:.0f} min): {m['cpu']}, {m['cores']} cores, "
            f"{s['threads']} threads for every framework; Python {m['python']}; {_versions(doc)}. "
            f"Load average {m['load_avg'][0]:.1f} at the start, {m['load_avg_end'][0]:.1f} at the end"
            + (" — **taken on a busy shared machine: timings are noisy**." if busy else ".")
            + (" Fewer threads than cores: multi-threaded BLAS stalls 10-20× on small matmuls when other "
               "processes hold the cores." if s["threads"] < m["cores"] else "")
            + f" Medians of up to {s['repeats']} runs per framework (frameworks alternating within each repeat; runs "
            f"over {s['max_repeat_seconds']:.0f} s are not repeated); scale {s['scale']}. Measured sgemm rate "
            f"{_fmt(m.get('sgemm_gflops'))} GFLOP/s.")


def _workload_marks(name):
    return f"<!-- workload:{name}:start -->", f"<!-- workload:{name}:end -->"


def workload_section(doc, name, own_run=False):
    """One workload's subsection, between its own markers (with the run's paragraph and targets when own_run)."""
    rows, s = doc["summary"][name], doc["settings"]
    w = scaled(WORKLOADS[name], s["scale"])
    src = next((r["source"] for r in rows.values() if "source" in r), "")
    parts = [f"### {name}: {w.title}", ""]
    if own_run:
        parts += [_run_line(doc), ""]
        if any(t["workload"] == name for t in doc["targets"]):
            parts += [_md_table(*_target_rows(doc, name)), ""]
    parts += [f"Data: {src}.", "", _md_table(*workload_rows(name, rows))]
    start, end = _workload_marks(name)
    return "\n".join([start] + parts + [end])


def markdown_section(doc):
    """The generated results section of BENCHMARKS.md: the run, the targets, then one subsection per workload."""
    parts = [_run_line(doc), "", "### Targets", "", _md_table(*_target_rows(doc))]
    for name in doc["summary"]:
        parts += ["", workload_section(doc, name)]
    return "\n".join(parts)


def _replace_block(text, start, end, block):
    return re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, count=1, flags=re.S)


def update_markdown(path, section=None, doc=None):
    """Replace the results section between the markers of BENCHMARKS.md (appending it if absent); or, given the
    doc of a run of some workloads only, replace just those workloads' subsections (adding them if absent)."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Benchmarks\n"
    if section is not None:
        block = f"{MARK_START}\n{section}\n{MARK_END}"
        text = _replace_block(text, MARK_START, MARK_END, block) if MARK_START in text else \
            text.rstrip() + "\n\n" + block + "\n"
    else:
        if MARK_START not in text:
            text = text.rstrip() + f"\n\n{MARK_START}\n{MARK_END}\n"
        for name in doc["summary"]:
            start, end = _workload_marks(name)
            block = workload_section(doc, name, own_run=True)
            text = _replace_block(text, start, end, block) if start in text else \
                text.replace(MARK_END, block + "\n" + MARK_END, 1)
    with open(path, "w") as f:
        f.write(text)


def print_tables(doc):
    """Plain-text tables on stdout."""
    for name, rows in doc["summary"].items():
        head, body = workload_rows(name, rows)
        widths = [max(len(x) for x in col) for col in zip(head, *body)]
        print(f"\n{name}: {WORKLOADS[name].title}")
        for r in [head] + body:
            print("  ".join(x.ljust(n) for x, n in zip(r, widths)).rstrip())
    head, body = _target_rows(doc)
    print("\ntargets:")
    for r in body:
        print("  " + " | ".join(r))
