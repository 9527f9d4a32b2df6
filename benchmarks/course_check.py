"""The course-size regression check (issue 22): gradkit against PyTorch on mnist-mlp and boston-adam, in one process,
alternating runs, medians; prints each ratio beside its target and exits 1 when one is missed. A benchmark, not a
timed test: run it alone on the machine.

    python -m benchmarks.course_check [--threads 2] [--repeats 5] [--scale 1]

Targets: one MNIST epoch of the 784-64-10 MLP ≤ 0.5 × PyTorch's time, 5000 epochs of Boston Dense(1) + Adam
≤ 0.09 × (0.37× and 0.089–0.102× on 2026-11-29; 0.68–0.71× and 0.127–0.129× when issue 22 was filed).
"""
import argparse
import os
import statistics
import sys
import time

TARGETS = {"mnist-mlp": 0.5, "boston-adam": 0.09}


def measure(name, threads, repeats, scale):
    """{framework: [(wall s, CPU s), ...]} of gradkit and torch alternating on one workload (fresh model each run)."""
    from .profile_fit import make
    from .workloads import WORKLOADS, load_data, scaled
    w = scaled(WORKLOADS[name], scale)
    data = load_data(w)
    runs = {"gradkit": [], "torch": []}
    for _ in range(repeats):
        for fw in runs:
            train, _ = make(w, data, fw, threads)
            t0, c0 = time.perf_counter(), time.process_time()
            train()
            runs[fw].append((time.perf_counter() - t0, time.process_time() - c0))
    return runs


def main(argv=None):
    """Measure, print the ratios and return 0 when every target is met."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.course_check", description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--scale", type=float, default=1.0, help="fraction of boston-adam's epochs (mnist-mlp: samples)")
    a = p.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: nothing to compare with (pip install torch)")
        return 0
    torch.set_num_threads(a.threads)
    missed = 0
    print(f"threads {a.threads}, repeats {a.repeats}, scale {a.scale}, load {os.getloadavg()[0]:.2f} at the start")
    for name, target in TARGETS.items():
        runs = measure(name, a.threads, a.repeats, a.scale)
        med = {fw: statistics.median(wall for wall, _ in r) for fw, r in runs.items()}
        cpu = {fw: statistics.median(c for _, c in r) for fw, r in runs.items()}
        ratio = med["gradkit"] / med["torch"]
        ok = ratio <= target
        missed += not ok
        print(f"{name:12s} gradkit {med['gradkit']:.3f} s (CPU {cpu['gradkit']:.3f})  torch {med['torch']:.3f} s "
              f"(CPU {cpu['torch']:.3f})  ratio {ratio:.3f}  target ≤ {target}  {'met' if ok else 'MISSED'}")
    print(f"load {os.getloadavg()[0]:.2f} at the end")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
