"""Side-by-side benchmark runner: `python -m benchmarks [--quick] [--only WORKLOAD] [--repeats N] ...`.

Every (workload, framework) run is a fresh subprocess (benchmarks.worker); frameworks alternate within each
repeat (A B C A B C ...), so slow drifts of a shared machine hit all of them alike. Prints medians, the ratio
gradkit/peer, peak memory and each framework's final loss/accuracy; writes benchmarks/results/<date>.json and
(for full runs) the results section of BENCHMARKS.md.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from .report import markdown_section, print_tables, targets_table, update_markdown
from .workloads import WORKLOADS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAMEWORKS = ("gradkit", "gradkit-eager", "gradkit-autograd", "numpy", "torch", "torch-sparse", "keras")
EXTRAPOLATE = {"keras": 500}  # Keras fit costs ~0.05-0.2 s per epoch on this machine: 5000 epochs are extrapolated


def worker_env(threads):
    """Environment of every worker: the same thread count for BLAS/OpenMP in all frameworks, quiet TF."""
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[k] = str(threads)
    env.update(TF_CPP_MIN_LOG_LEVEL="2", KERAS_BACKEND="tensorflow", PYTHONWARNINGS="ignore")
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_one(workload, framework, args):
    """One worker subprocess; returns its result dict (with "error" if it crashed or timed out)."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        cmd = [sys.executable, "-m", "benchmarks.worker", workload, framework, "--threads", str(args.threads),
               "--scale", str(args.scale), "--out", out]
        if args.no_shuffle:
            cmd.append("--no-shuffle")
        cap = EXTRAPOLATE.get(framework) if not args.no_extrapolate else None
        if cap and WORKLOADS[workload].kind == "train":
            cmd += ["--max-epochs", str(max(1, int(cap * min(1.0, args.scale))))]
        try:
            p = subprocess.run(cmd, env=worker_env(args.threads), cwd=ROOT, capture_output=True, text=True,
                               timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {args.timeout} s"}
        if not os.path.exists(out):
            return {"error": f"worker exited {p.returncode}: {p.stderr.strip()[-800:]}"}
        with open(out) as f:
            return json.load(f)


def applicable(workload, frameworks):
    """Frameworks that make sense for a workload (torch-sparse only on sparse input)."""
    w = WORKLOADS[workload]
    skip = {"gradkit", "gradkit-eager"} if w.kind == "numgrad" else set()  # numgrad is timed on the loss itself
    return [f for f in frameworks if (f != "torch-sparse" or w.sparse) and f not in skip]


def run_all(args):
    """All repeats of all workloads; returns {workload: {framework: [result, ...]}}."""
    results = {}
    for name in args.only:
        runs = {f: [] for f in applicable(name, args.frameworks)}
        for rep in range(args.repeats):
            for f, done in runs.items():
                if done and ("skipped" in done[-1] or "error" in done[-1]
                             or done[-1].get("measured_seconds", done[-1].get("seconds", 0)) > args.max_repeat_seconds):
                    continue  # not installed, failed, or too slow to repeat
                r = run_one(name, f, args)
                done.append(r)
                _progress(name, f, rep, r)
        results[name] = runs
    return results


def _progress(name, framework, rep, r):
    if "ratio_numerical_to_backprop" in r:
        msg = f"numerical step {r['seconds']:.4g} s = {r['ratio_numerical_to_backprop']:.0f} backprop steps"
    elif "seconds" in r:
        msg = f"{r['seconds']:.4g} s  loss {r.get('loss', float('nan')):.5g}"
    else:
        msg = r.get("skipped") or r.get("error")
    print(f"  [{name} #{rep + 1}] {framework:<17} {msg}", file=sys.stderr, flush=True)


def summarize(results):
    """Medians per (workload, framework) and gradkit/peer ratios."""
    out = {}
    for name, runs in results.items():
        rows = {}
        for f, rs in runs.items():
            ok = [r for r in rs if "seconds" in r]
            if not ok:
                rows[f] = {"status": (rs[-1].get("skipped") or rs[-1].get("error")) if rs else "not run"}
                continue
            last = ok[-1]
            row = {k: last[k] for k in ("version", "loss", "accuracy", "test_accuracy", "source", "mem_method", "samples",
                                        "extrapolated_from_epochs", "backprop_step_s", "partial_s",
                                        "ratio_numerical_to_backprop", "max_rel_error", "n_params", "steps") if k in last}
            row.update(seconds=statistics.median(r["seconds"] for r in ok), min_seconds=min(r["seconds"] for r in ok),
                       repeats=len(ok))
            for k in ("cpu_seconds", "ms_per_step", "mem_fit_mb", "mem_total_mb", "backprop_step_s", "partial_s",
                      "ratio_numerical_to_backprop"):
                if k in last:
                    row[k] = statistics.median(r[k] for r in ok)
            rows[f] = row
        g, gc = rows.get("gradkit", {}).get("seconds"), rows.get("gradkit", {}).get("cpu_seconds")
        for row in rows.values():
            if g and row.get("seconds"):
                row["gradkit_ratio"] = g / row["seconds"]
            if gc and row.get("cpu_seconds"):
                row["gradkit_cpu_ratio"] = gc / row["cpu_seconds"]
        out[name] = rows
    return out


def machine_info(threads):
    """CPU model, cores, load, Python and BLAS, for the report."""
    model = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": model, "cores": os.cpu_count(), "threads": threads, "load_avg": os.getloadavg(),
            "python": platform.python_version(), "platform": platform.platform()}


def peak_gflops(threads):
    """Measured float32 matmul rate (best of 5 × 2048³ sgemm, NumPy/OpenBLAS): the 'arithmetic limit' rate."""
    code = ("import numpy as np, time\na=np.random.rand(2048,2048).astype('f4'); b=a.copy(); a@b\n"
            "t=min((lambda t0: (a@b, time.perf_counter()-t0)[1])(time.perf_counter()) for _ in range(5))\n"
            "print(2*2048**3/t/1e9)")
    p = subprocess.run([sys.executable, "-c", code], env=worker_env(threads), capture_output=True, text=True)
    return float(p.stdout.strip()) if p.returncode == 0 else None


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--only", action="append", choices=sorted(WORKLOADS), help="workload (repeatable)")
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS), help="comma list, default: all")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="1 repeat at 1/10 size; no BENCHMARKS.md update")
    p.add_argument("--scale", type=float, default=1.0, help="fraction of epochs/samples (quick: 0.1)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads for every framework")
    p.add_argument("--no-shuffle", action="store_true", help="sequential batches (for exact loss agreement)")
    p.add_argument("--no-extrapolate", action="store_true", help="run Keras's 5000-epoch jobs in full")
    p.add_argument("--max-repeat-seconds", type=float, default=60.0, help="runs slower than this are not repeated")
    p.add_argument("--timeout", type=float, default=1800.0, help="per run, seconds")
    p.add_argument("--json", help="output path (default benchmarks/results/<date>.json)")
    p.add_argument("--markdown", dest="markdown", action="store_true", default=None,
                   help="update BENCHMARKS.md (default for full runs; with --only: those workloads' subsections)")
    p.add_argument("--no-markdown", dest="markdown", action="store_false")
    a = p.parse_args(argv)
    if a.quick:
        a.repeats, a.scale = 1, min(a.scale, 0.1)
    a.only = a.only or list(WORKLOADS)
    a.frameworks = [f.strip() for f in a.frameworks.split(",") if f.strip()]
    bad = set(a.frameworks) - set(FRAMEWORKS)
    if bad:
        p.error(f"unknown frameworks {sorted(bad)}; choose from {', '.join(FRAMEWORKS)}")
    if a.markdown is None:
        a.markdown = not a.quick and a.scale >= 1 and a.only == list(WORKLOADS)
    return a


def main(argv=None):
    """Run, print, and write JSON (and BENCHMARKS.md for full runs)."""
    args = parse_args(argv)
    started = datetime.datetime.now()
    info = machine_info(args.threads)
    info["sgemm_gflops"] = peak_gflops(args.threads)
    print(f"benchmarks on {info['cpu']} ({info['cores']} cores, {args.threads} threads), load {info['load_avg']}",
          file=sys.stderr)
    if info["load_avg"][0] > info["cores"] / 2 and args.threads > 1:
        print("warning: the machine is busy; multi-threaded BLAS then stalls on descheduled threads (10-20x slower "
              "small matmuls): consider --threads 1", file=sys.stderr)
    t0 = time.time()
    results = run_all(args)
    info["load_avg_end"] = os.getloadavg()
    summary = summarize(results)
    settings = {k: getattr(args, k) for k in ("repeats", "scale", "threads", "no_shuffle", "max_repeat_seconds")}
    settings["extrapolate_epochs"] = {} if args.no_extrapolate else EXTRAPOLATE
    doc = {"date": started.isoformat(timespec="seconds"), "wall_seconds": time.time() - t0, "machine": info,
           "settings": settings, "summary": summary, "targets": targets_table(summary, info), "runs": results}
    part = "" if set(args.only) == set(WORKLOADS) else "-" + "-".join(args.only)  # a partial run keeps the full one's
    path = args.json or os.path.join(ROOT, "benchmarks", "results", f"{started:%Y-%m-%d}{part}.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, default=str)
    print_tables(doc)
    print(f"\nwrote {path}")
    if args.markdown:  # a full run rewrites the results section; a run of some workloads, their subsections
        full = set(args.only) == set(WORKLOADS)
        update_markdown(os.path.join(ROOT, "BENCHMARKS.md"), markdown_section(doc) if full else None, doc=doc)
        print("updated BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
