"""One timed run of one framework on one workload, in a fresh process (so peak memory is its own).

Usage: python -m benchmarks.worker WORKLOAD FRAMEWORK --threads N --scale S --out result.json
Timed region: the training call only (model built, data in memory, framework imported and threads set); wall
seconds, and the process's CPU seconds (all its threads: on a shared machine, the less noisy of the two).
Memory: peak RSS during that call (VmHWM after resetting it through /proc/self/clear_refs) minus RSS just
before it ("fit"), and the same peak minus RSS right after importing the framework ("data+fit").
"""
import argparse
import importlib
import json
import os
import resource
import sys
import time

PEERS = {"numpy": "numpy_ref", "torch": "torch_peer", "torch-sparse": "torch_peer", "keras": "keras_peer",
         "gradkit": "gradkit_peer", "gradkit-eager": "gradkit_peer", "gradkit-autograd": "gradkit_peer"}
NUMGRAD_PARTIALS = 200


def _status_kb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def _rss_mb():
    try:
        return _status_kb("VmRSS") / 1024
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak():
    """Reset the kernel's peak-RSS mark; False where /proc/self/clear_refs is unavailable."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_mb(reset_ok):
    if reset_ok:
        return _status_kb("VmHWM") / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peer_module(framework):
    """The peer module that runs `framework` (KeyError for an unknown name)."""
    return importlib.import_module(f"benchmarks.{PEERS[framework]}")


def run(workload, framework, threads, scale=1.0, shuffle=True, seed=0, max_epochs=None):
    """Train once and return the result dict (times in seconds, memory in MiB, metrics from workloads.evaluate).

    max_epochs: run at most this many epochs and extrapolate the time linearly to the workload's epochs (for
    peers whose per-epoch cost is constant and large); the metrics are then those after max_epochs.
    """
    import dataclasses

    from . import workloads as W
    w = W.scaled(W.WORKLOADS[workload], scale)
    full_epochs = w.epochs
    if max_epochs and w.epochs > max_epochs:
        w = dataclasses.replace(w, epochs=max_epochs)
    peer = peer_module(framework)
    try:
        version = peer.version(framework)
    except (ImportError, AttributeError) as e:
        return {"skipped": f"{framework} not available: {e}"}
    rss_base = _rss_mb()
    mod = importlib.import_module(f"benchmarks.{w.module}") if w.module else None  # a workload with its own module
    data = (mod or W).load_data(w, seed)
    weights = mod.initial_weights(w, seed) if mod else W.initial_weights(w, data["x"].shape[1], seed)
    res = {"version": version, "source": data["source"], "threads": threads, "epochs": w.epochs,
           "samples": data["x"].shape[0]}
    if w.kind == "numgrad":
        return {**res, **_numgrad(peer, w, data, weights, threads, framework)}
    if mod:
        train, get_weights = mod.setup(framework, w, data, weights, threads, shuffle=shuffle)
    else:
        train, get_weights = peer.setup(w, data, weights, threads, variant=framework, shuffle=shuffle)
    rss_before = _rss_mb()
    reset_ok = _reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    timed = train()  # a workload timing only its later steps returns {"seconds", "cpu_seconds"} of those
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if isinstance(timed, dict):
        seconds, cpu = timed["seconds"], timed["cpu_seconds"]
    peak = _peak_mb(reset_ok)
    if w.epochs != full_epochs:
        res.update(extrapolated_from_epochs=w.epochs, measured_seconds=seconds)
        seconds *= full_epochs / w.epochs
    res.update(seconds=seconds, cpu_seconds=cpu, mem_fit_mb=peak - rss_before, mem_total_mb=peak - rss_base,
               mem_method="VmHWM reset via clear_refs" if reset_ok else "ru_maxrss (not reset: upper bound)")
    if hasattr(mod, "timed_steps"):  # a workload timed over a few steps after an untimed one
        res.update(steps=mod.timed_steps(w), ms_per_step=1e3 * seconds / mod.timed_steps(w))
    res.update((mod or W).evaluate(w, get_weights(), data))
    return res


def _numgrad(peer, w, data, weights, threads, framework):
    import numpy as np
    from .workloads import initial_weights
    r = peer.numgrad(w, data, weights, threads, NUMGRAD_PARTIALS, variant=framework)
    n_params = sum(k.size + b.size for k, b in initial_weights(w, data["x"].shape[1]))
    num, bp = np.asarray(r["numerical"]), np.asarray(r["backprop"])
    rel = np.abs(num - bp) / np.maximum(np.maximum(np.abs(num), np.abs(bp)), 1e-8)
    full = r["partial_s"] * n_params
    return {"seconds": full, "backprop_step_s": r["backprop_step_s"], "partial_s": r["partial_s"],
            "n_params": n_params, "partials_timed": len(num), "ratio_numerical_to_backprop": full / r["backprop_step_s"],
            "max_rel_error": float(rel.max())}


def main(argv=None):
    """Command line: run one (workload, framework) pair and write its JSON result."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    p.add_argument("workload")
    p.add_argument("framework")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--no-shuffle", action="store_true")
    p.add_argument("--max-epochs", type=int, default=None)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    try:
        res = run(a.workload, a.framework, a.threads, a.scale, shuffle=not a.no_shuffle, max_epochs=a.max_epochs)
    except NotImplementedError as e:
        res = {"skipped": str(e)}
    except Exception as e:  # a peer failing is a result to report, not a crash of the whole run
        import traceback
        res = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-3000:]}
    with open(a.out, "w") as f:
        json.dump(res, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
