"""imdb-lstm benchmark: one epoch of Embedding(10000, 32) – LSTM(32) – Dense(1, sigmoid) on synthetic IMDB-shaped
ids (25,000 reviews padded to 200 words), RMSprop, binary cross-entropy; gradkit vs PyTorch (nn.LSTM) vs Keras.

Usage: python -m benchmarks.sequences [--repeats 3] [--samples 25000] [--batch-size 128] [--threads 2]
Same protocol as ``python -m benchmarks``: every run a fresh process, frameworks alternating, medians, peak
memory (VmHWM reset before the timed fit), the same initial weights and batches order for every framework.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from .worker import _peak_mb, _reset_peak, _rss_mb

VOCAB, MAXLEN, EMBED, UNITS = 10000, 200, 32, 32
FRAMEWORKS = ("gradkit", "torch", "keras")


def data(samples, seed=0):
    """Zipf-distributed word ids, lognormal review lengths (mean ≈ 238, as IMDB), pre-padded/truncated to 200;
    label = sign of a fixed random score of the words (learnable)."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(np.log(238) - 0.3, 0.77, samples), 10, MAXLEN).astype(int)
    ranks = np.arange(4, VOCAB + 1)
    p = 1.0 / ranks ** 1.27
    x = np.zeros((samples, MAXLEN), dtype="int32")
    tokens = rng.choice(ranks - 1, size=lengths.sum(), p=p / p.sum())
    for i, s in enumerate(np.split(tokens, np.cumsum(lengths)[:-1])):
        x[i, MAXLEN - len(s):] = s
    score = rng.standard_normal(VOCAB)[x].sum(1)
    return x, (score > np.median(score)).astype("float32").reshape(-1, 1)


def weights(seed=0):
    """Keras-layout initial weights: embeddings U(±0.05), LSTM glorot / orthogonal / unit-forget bias, Dense glorot."""
    rng = np.random.default_rng(seed)
    lim = np.sqrt(6 / (EMBED + 4 * UNITS))
    q, _ = np.linalg.qr(rng.standard_normal((4 * UNITS, UNITS)))
    bias = np.r_[np.zeros(UNITS), np.ones(UNITS), np.zeros(2 * UNITS)]
    dl = np.sqrt(6 / (UNITS + 1))
    return [rng.uniform(-0.05, 0.05, (VOCAB, EMBED)), rng.uniform(-lim, lim, (EMBED, 4 * UNITS)), q.T, bias,
            rng.uniform(-dl, dl, (UNITS, 1)), np.zeros(1)]


def _keras_like(lib, ws):
    model = lib.Sequential([lib.Input((MAXLEN,)), lib.layers.Embedding(VOCAB, EMBED), lib.layers.LSTM(UNITS),
                            lib.layers.Dense(1, activation="sigmoid")])
    model.set_weights([w.astype("float32") for w in ws])
    model.compile(optimizer=lib.optimizers.RMSprop(1e-3), loss="binary_crossentropy")
    return model


def setup(framework, x, y, batch, ws):
    """train() running one epoch, in shuffled batches drawn from the same permutation for every framework."""
    order = np.random.default_rng(1).permutation(len(x))
    x, y = x[order], y[order]
    if framework == "gradkit":
        import gradkit
        model = _keras_like(gradkit, ws)
        return lambda: model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
    if framework == "keras":
        import keras
        model = _keras_like(keras, ws)
        return lambda: model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
    import torch
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    emb = torch.nn.Embedding(VOCAB, EMBED)
    lstm = torch.nn.LSTM(EMBED, UNITS, batch_first=True)
    dense = torch.nn.Linear(UNITS, 1)
    with torch.no_grad():  # Keras kernels are (in, out); PyTorch's gate order i, f, g, o is Keras's i, f, c, o
        emb.weight.copy_(torch.from_numpy(ws[0]))
        lstm.weight_ih_l0.copy_(torch.from_numpy(ws[1].T.copy()))
        lstm.weight_hh_l0.copy_(torch.from_numpy(ws[2].T.copy()))
        lstm.bias_ih_l0.copy_(torch.from_numpy(ws[3]))
        lstm.bias_hh_l0.zero_()
        dense.weight.copy_(torch.from_numpy(ws[4].T.copy()))
        dense.bias.copy_(torch.from_numpy(ws[5]))
    params = list(emb.parameters()) + list(lstm.parameters()) + list(dense.parameters())
    opt = torch.optim.RMSprop(params, lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    xt, yt = torch.from_numpy(x.astype("int64")), torch.from_numpy(y)

    def train():
        for s in range(0, len(xt), batch):
            opt.zero_grad()
            _, (h, _) = lstm(emb(xt[s:s + batch]))
            loss_fn(dense(h[-1]), yt[s:s + batch]).backward()
            opt.step()
    return train


def worker(framework, samples, batch, out):
    """One timed epoch in this process; writes seconds and peak memory (MiB) to ``out``."""
    x, y = data(samples)
    train = setup(framework, x, y, batch, weights())
    before = _rss_mb()
    ok = _reset_peak()
    t0 = time.perf_counter()
    train()
    seconds = time.perf_counter() - t0
    with open(out, "w") as f:
        json.dump({"seconds": seconds, "mem_fit_mb": _peak_mb(ok) - before}, f)


def main(argv=None):
    """Alternate the frameworks in fresh processes; print medians and gradkit's ratio to each peer."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.sequences")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--samples", type=int, default=25000)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        return worker(a.worker, a.samples, a.batch_size, a.out)
    from .__main__ import worker_env
    runs = {f: [] for f in a.frameworks.split(",")}
    load = [os.getloadavg()]
    for _ in range(a.repeats):
        for f in runs:
            with tempfile.TemporaryDirectory() as d:
                out = os.path.join(d, "r.json")
                subprocess.run([sys.executable, "-m", "benchmarks.sequences", "--worker", f, "--out", out,
                                "--samples", str(a.samples), "--batch-size", str(a.batch_size)],
                               env=worker_env(a.threads), check=False)
                if os.path.exists(out):
                    with open(out) as fh:
                        runs[f].append(json.load(fh))
                    print(f"  {f:<8} {runs[f][-1]['seconds']:.2f} s", file=sys.stderr, flush=True)
    load.append(os.getloadavg())
    g = statistics.median(r["seconds"] for r in runs.get("gradkit", [])) if runs.get("gradkit") else None
    print(f"imdb-lstm: {a.samples} sequences × {MAXLEN}, batch {a.batch_size}, {a.threads} threads, "
          f"load average {load[0][0]:.2f} → {load[1][0]:.2f}")
    print(f"{'framework':<10}{'s/epoch':>10}{'peak MB':>10}{'gradkit/x':>11}")
    for f, rs in runs.items():
        if not rs:
            print(f"{f:<10}{'failed':>10}")
            continue
        s = statistics.median(r["seconds"] for r in rs)
        m = statistics.median(r["mem_fit_mb"] for r in rs)
        print(f"{f:<10}{s:>10.2f}{m:>10.0f}{(g / s if g else float('nan')):>11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
