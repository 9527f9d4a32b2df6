"""Before/after of gradkit itself: the same benchmark worker run on two source trees (e.g. the main branch and a
work branch) alternating, fresh process each run, medians. The harness (this benchmarks/ directory) is the same
for both; only the ``gradkit`` imported differs.

    python -m benchmarks.ab_trees --trees /work/main,/work/wt/speed22 --workloads imdb-conv1d,mnist-mlp --threads 2
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from .__main__ import ROOT, worker_env


def run(tree, workload, threads, scale):
    """One worker run of gradkit from tree/src; its result dict."""
    env = worker_env(threads)
    env["PYTHONPATH"] = os.pathsep.join([ROOT, os.path.join(tree, "src")])
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        subprocess.run([sys.executable, "-m", "benchmarks.worker", workload, "gradkit", "--threads", str(threads),
                        "--scale", str(scale), "--out", out], env=env, cwd=ROOT, check=False)
        with open(out) as f:
            return json.load(f)


def main(argv=None):
    """Alternate the trees per repeat and print median wall and CPU seconds (and ms/step) per tree."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.ab_trees", description=__doc__.splitlines()[0])
    p.add_argument("--trees", required=True, help="comma list of source trees (each with src/gradkit)")
    p.add_argument("--workloads", required=True, help="comma list of workloads")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--scale", type=float, default=1.0)
    a = p.parse_args(argv)
    trees = a.trees.split(",")
    print(f"load {os.getloadavg()[0]:.2f} at the start; threads {a.threads}")
    for name in a.workloads.split(","):
        res = {t: [] for t in trees}
        for _ in range(a.repeats):
            for t in trees:
                res[t].append(run(t, name, a.threads, a.scale))
        for t, rs in res.items():
            ok = [r for r in rs if "seconds" in r]
            if not ok:
                print(f"{name:18s} {t}: {rs[-1].get('error', rs[-1])}")
                continue
            med = statistics.median(r["seconds"] for r in ok)
            cpu = statistics.median(r["cpu_seconds"] for r in ok)
            step = f"  {statistics.median(r['ms_per_step'] for r in ok):.0f} ms/step" if "ms_per_step" in ok[0] else ""
            print(f"{name:18s} {t:24s} wall {med:8.3f} s  CPU {cpu:8.3f} s{step}  fit peak "
                  f"{statistics.median(r['mem_fit_mb'] for r in ok):.0f} MB  loss {ok[-1].get('loss', float('nan')):.5g}")
    print(f"load {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
