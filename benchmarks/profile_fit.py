"""In-process side-by-side timing (alternating frameworks, medians and minima) and profiling of one workload.

Usage: python -m benchmarks.profile_fit WORKLOAD [--frameworks gradkit,numpy,torch] [--repeats 5] [--scale 1]
       python -m benchmarks.profile_fit WORKLOAD --profile gradkit     (pyinstrument tree of one run)
Unlike the runner (fresh process per run), every framework here shares one process, so the machine's
noise hits them alike; use the runner for the reported table and peak memory.
"""
import argparse
import statistics
import time

from . import gradkit_peer, numpy_ref, torch_peer
from .workloads import WORKLOADS, evaluate, initial_weights, load_data, scaled

SETUPS = {"gradkit": gradkit_peer.setup, "gradkit-eager": gradkit_peer.setup, "gradkit-autograd": gradkit_peer.setup,
          "numpy": numpy_ref.setup, "torch": torch_peer.setup, "torch-sparse": torch_peer.setup}


def make(w, data, fw, threads):
    """(train, get_weights) of framework fw with fresh initial weights."""
    weights = initial_weights(w, data["x"].shape[1])
    return SETUPS[fw](w, data, weights, threads, variant=fw)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=sorted(WORKLOADS))
    p.add_argument("--frameworks", default="gradkit,numpy,torch")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--profile", default=None, help="profile one run of this framework with pyinstrument")
    a = p.parse_args()
    w = scaled(WORKLOADS[a.workload], a.scale)
    data = load_data(w)
    if a.profile:
        from pyinstrument import Profiler
        train, _ = make(w, data, a.profile, a.threads)
        prof = Profiler(interval=0.0005)
        prof.start()
        train()
        prof.stop()
        print(prof.output_text(unicode=True, color=False, show_all=False))
        return
    fws = a.frameworks.split(",")
    times = {f: [] for f in fws}
    cpu = {f: [] for f in fws}
    final = {}
    for _ in range(a.repeats):
        for f in fws:
            train, get_weights = make(w, data, f, a.threads)
            t0, c0 = time.perf_counter(), time.process_time()
            train()
            times[f].append(time.perf_counter() - t0)
            cpu[f].append(time.process_time() - c0)
            final[f] = evaluate(w, get_weights(), data)
    for f in fws:
        ts = times[f]
        print(f"{a.workload:16s} {f:16s} wall median {statistics.median(ts):8.4f} min {min(ts):8.4f} | cpu median "
              f"{statistics.median(cpu[f]):8.4f} min {min(cpu[f]):8.4f} s | loss {final[f]['loss']:.5f} "
              f"acc {final[f]['accuracy']} test {final[f].get('test_accuracy')}")
    for f in fws[1:]:
        r = [statistics.median(d[fws[0]]) / statistics.median(d[f]) for d in (times, cpu)]
        m = [min(d[fws[0]]) / min(d[f]) for d in (times, cpu)]
        print(f"  {fws[0]}/{f}: wall median {r[0]:.3f} min {m[0]:.3f} | cpu median {r[1]:.3f} min {m[1]:.3f}")


if __name__ == "__main__":
    main()
