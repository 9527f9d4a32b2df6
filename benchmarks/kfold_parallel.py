"""boston-kfold at the course's settings, serial vs N local Dask workers: wall times and their ratio.

Chollet's K-fold on Boston housing: 13 standardized features (mean/std of each fold's training split),
Dense(64, relu) -> Dense(64, relu) -> Dense(1), rmsprop, mse, mae; 4 folds x 100 epochs x batch 1.
Run: ``python -m benchmarks.kfold_parallel [--epochs 100] [--workers 2] [--out FILE.json]``.
The parallel time includes starting the local cluster (a user pays it too).
"""
import argparse
import json
import os
import platform
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread in the serial run, as Dask gives each worker


def build_model():
    """The course's regression net (Chollet, Deep Learning with Python, 3.6)."""
    import gradkit
    from gradkit import layers
    model = gradkit.Sequential([layers.Dense(64, activation="relu", input_shape=(13,)),
                                layers.Dense(64, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def _timed_cv(x, y, args, workers):
    from gradkit.parallel import cross_validate, standardize
    start = time.perf_counter()
    cv = cross_validate(build_model, x, y, k=args.folds, epochs=args.epochs, batch_size=args.batch_size,
                        seed=args.seed, workers=workers, preprocess=standardize, progress=False)
    seconds = time.perf_counter() - start
    if cv.run.failed:
        raise RuntimeError(cv.run.summary())
    return seconds, cv


def run(args):
    """Time the serial and the parallel run; return the JSON-ready record."""
    from gradkit.datasets import boston_housing
    (x, y), _ = boston_housing.load_data()
    load = os.getloadavg()[0]
    serial_s, serial = _timed_cv(x, y, args, None)
    parallel_s, parallel = _timed_cv(x, y, args, args.workers)
    return {
        "benchmark": "boston-kfold", "folds": args.folds, "epochs": args.epochs, "batch_size": args.batch_size,
        "samples": int(len(x)), "workers": args.workers, "seed": args.seed,
        "serial_s": round(serial_s, 2), "parallel_s": round(parallel_s, 2),
        "speedup": round(serial_s / parallel_s, 3),
        "fold_mae_serial": serial.scores("mae"), "fold_mae_parallel": parallel.scores("mae"),
        "same_numbers": serial.folds == parallel.folds, "mean_mae": serial.mean["mae"],
        "cpu_count": os.cpu_count(), "load_average_at_start": round(load, 2), "machine": platform.machine(),
    }


def main(argv=None):
    """Parse options, run, print a short report and write the JSON record."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--folds", type=int, default=4)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=os.path.join("benchmarks", "results", "kfold_parallel.json"))
    args = p.parse_args(argv)
    record = run(args)
    print(f"boston-kfold {args.folds} folds x {args.epochs} epochs x batch {args.batch_size}: "
          f"serial {record['serial_s']:.1f} s, {args.workers} workers {record['parallel_s']:.1f} s, "
          f"speedup {record['speedup']:.2f}x (same per-fold numbers: {record['same_numbers']}; "
          f"{record['cpu_count']} CPUs, load {record['load_average_at_start']} at start)")
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(record, f, indent=2)
    print(f"wrote {args.out}")
    return record


if __name__ == "__main__":
    main()
