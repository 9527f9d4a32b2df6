"""The benchmark workloads (issue #5's table), their data, initial weights and a framework-neutral evaluation."""
import dataclasses
import os
import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Workload:
    """One training job, described so that every framework can build exactly the same model."""
    name: str
    title: str
    dataset: str                      # "boston" | "mnist" | "imdb" (| a module workload's own data)
    layers: tuple                     # ((units, activation), ...); the last one is the output layer
    loss: str                         # "mse" | "categorical_crossentropy" | "binary_crossentropy"
    optimizer: str                    # "sgd" | "adam" | "rmsprop" (Keras defaults for the rest)
    learning_rate: float
    batch_size: object                # int or "full"
    epochs: int
    dtype: str = "float32"
    init: str = "glorot_uniform"      # or "normal0.01" (0.01·N(0,1) kernels); biases are always zero
    sparse: bool = False              # gradkit gets scipy CSR input; dense peers get the dense array
    kind: str = "train"               # "train" | "numgrad"
    samples: int = 0                  # 0 = the whole training set (quick runs take fewer)
    module: str = ""                  # a module of benchmarks/ with its own data, weights, setup and scoring


WORKLOADS = {w.name: w for w in [
    Workload("boston-gd", "Dense(1) on 506×2, full-batch SGD 0.01, 5000 steps (float64)",
             "boston", ((1, "linear"),), "mse", "sgd", 0.01, "full", 5000, dtype="float64"),
    Workload("boston-adam", "Dense(1), Adam(0.01), batch 32, 5000 epochs (80,000 steps)",
             "boston", ((1, "linear"),), "mse", "adam", 0.01, 32, 5000),
    Workload("mnist-mlp", "784-64-10 sigmoid/softmax, SGD 0.1, batch 100, one epoch (600 steps)",
             "mnist", ((64, "sigmoid"), (10, "softmax")), "categorical_crossentropy", "sgd", 0.1, 100, 1,
             init="normal0.01"),
    Workload("mnist-relu-adam", "784-64-10 relu/softmax, Adam(1e-3), batch 128, one epoch (469 steps)",
             "mnist", ((64, "relu"), (10, "softmax")), "categorical_crossentropy", "adam", 1e-3, 128, 1),
    Workload("imdb-style", "multi-hot 10,000 → 16-16-1 relu/relu/sigmoid, RMSprop, batch 512, one epoch",
             "imdb", ((16, "relu"), (16, "relu"), (1, "sigmoid")), "binary_crossentropy", "rmsprop", 1e-3,
             512, 1, sparse=True),
    Workload("numgrad", "784-64-10 sigmoid/softmax, batch 100: numerical-gradient step vs backprop step (float64)",
             "mnist", ((64, "sigmoid"), (10, "softmax")), "categorical_crossentropy", "sgd", 0.1, 100, 1,
             dtype="float64", init="normal0.01", kind="numgrad"),
]}

NUMGRAD_FIRST = 350 * 64
"""Flat index (Keras (in, out) layout) of the first kernel element whose partial the numgrad workload times:
pixel 350 of 784 (mid-image), so the sampled partials are not the trivially zero ones of blank border pixels."""


def scaled(w, scale):
    """A smaller copy of w for quick passes: fewer epochs, or fewer samples for one-epoch jobs."""
    if scale >= 1:
        return w
    if w.epochs > 1:
        return dataclasses.replace(w, epochs=max(1, int(w.epochs * scale)))
    n = {"mnist": 60000, "imdb": 25000, "boston": 506, "mnist-images": 54000, "imdb-sequences": 25000,
         "cats-dogs": 0, "imdb-conv1d": 0}[w.dataset]  # the book workloads time a fixed number of steps
    return dataclasses.replace(w, samples=max(512, int(n * scale)))


def training_flop(w, n_samples):
    """Multiply-add FLOPs of one epoch: forward 2·in·out per layer, backward 2·in·out for the kernel
    gradient and 2·in·out for the input gradient (not needed for the first layer)."""
    dims = [784] + [u for u, _ in w.layers] if w.dataset == "mnist" else None
    if dims is None:
        return None
    mac = sum(a * b for a, b in zip(dims[:-1], dims[1:]))
    first = dims[0] * dims[1]
    return n_samples * (2 * mac + 2 * mac + 2 * (mac - first))


# ----------------------------------------------------------------------------------------------- data

def data_dir():
    """The dataset mirror named by GRADKIT_DATA (may not exist)."""
    return os.environ.get("GRADKIT_DATA", os.path.expanduser("~/.keras/datasets"))


def load_data(w, seed=0):
    """Training (and test) arrays for w, in w.dtype; labels in the shape the loss expects."""
    loader = {"boston": _boston, "mnist": _mnist, "imdb": _imdb}[w.dataset]
    d = loader(seed)
    if w.samples:
        d["x"], d["y"] = d["x"][:w.samples], d["y"][:w.samples]
    for k in ("x", "y", "x_test", "y_test"):
        if k in d and d[k] is not None:
            d[k] = d[k].astype(w.dtype)
    return d


def _boston(seed):
    from gradkit.datasets import boston_housing
    (x, y), _ = boston_housing.load_data(test_split=0.0)  # shipped inside gradkit: always the real data
    x = x[:, [5, 12]]
    x = (x - x.min(0)) / (x.max(0) - x.min(0))
    return {"x": x, "y": y.reshape(-1, 1), "source": "Boston housing (RM, LSTAT), all 506 rows"}


def _mnist(seed):
    from gradkit.datasets import mnist
    from gradkit.errors import GradkitError
    try:  # the GRADKIT_DATA mirror or the user cache (a download only where the network allows)
        (xtr, ytr), (xte, yte) = mnist.load_data()
        source = "MNIST"
    except GradkitError:
        rng = np.random.default_rng(seed)
        xtr, xte = rng.integers(0, 256, (60000, 28, 28)), rng.integers(0, 256, (10000, 28, 28))
        ytr, yte = rng.integers(0, 10, 60000), rng.integers(0, 10, 10000)
        source = "synthetic MNIST-shaped noise (no mnist.npz found): accuracy stays at chance"
    eye = np.eye(10)
    return {"x": xtr.reshape(-1, 784) / 255.0, "y": eye[ytr], "x_test": xte.reshape(-1, 784) / 255.0,
            "y_test": eye[yte], "source": source}


def multi_hot(seqs, dim=10000):
    """CSR multi-hot rows (1.0 where a word index occurs), like vectorize_sequences(..., sparse=True)."""
    import scipy.sparse as sp
    rows = np.repeat(np.arange(len(seqs)), [len(s) for s in seqs])
    cols = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])
    m = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(seqs), dim))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def _imdb(seed, num_words=10000):
    path = os.path.join(data_dir(), "imdb.npz")
    if os.path.exists(path):
        with np.load(path, allow_pickle=True) as f:
            xtr, ytr, xte, yte = f["x_train"], f["y_train"], f["x_test"], f["y_test"]
        # Keras load_data(num_words=10000): start=1, oov=2, word ranks shifted by index_from=3
        fix = [[1] + [w + 3 if w + 3 < num_words else 2 for w in s] for split in (xtr, xte) for s in split]
        return {"x": multi_hot(fix[:len(xtr)], num_words), "y": ytr.reshape(-1, 1).astype(float),
                "x_test": multi_hot(fix[len(xtr):], num_words), "y_test": yte.reshape(-1, 1).astype(float),
                "source": "IMDB"}
    x, y = _synthetic_imdb(30000, num_words, seed)
    avg = x.getnnz(axis=1).mean()
    return {"x": x[:25000], "y": y[:25000], "x_test": x[25000:], "y_test": y[25000:],
            "source": f"synthetic IMDB-shaped (no imdb.npz): Zipf words, {avg:.0f} distinct words/review"}


def _synthetic_imdb(n, vocab, seed):
    """Reviews of lognormal length (mean ≈ 238 tokens, as IMDB) with Zipf-distributed word ranks;
    label = a fixed random linear score of the words, 10% flipped, so the task is learnable."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(np.log(238) - 0.3, 0.77, n), 10, 2500).astype(int)
    ranks = np.arange(4, vocab + 1)
    p = 1.0 / ranks ** 1.27  # exponent tuned to ~120 distinct words per review
    tokens = rng.choice(ranks - 1, size=lengths.sum(), p=p / p.sum())
    seqs = [np.concatenate(([1], s)) for s in np.split(tokens, np.cumsum(lengths)[:-1])]
    x = multi_hot(seqs, vocab)
    score = x @ rng.standard_normal(vocab) / np.sqrt(x.getnnz(axis=1))
    y = (score > np.median(score)).astype(float)
    flip = rng.random(n) < 0.1
    y[flip] = 1 - y[flip]
    return x, y.reshape(-1, 1)


def dense_input(w, x):
    """The dense array a dense-input framework trains on (multi-hot CSR → ndarray)."""
    return x.toarray().astype(w.dtype) if hasattr(x, "toarray") else x


# -------------------------------------------------------------------------------- weights and metrics

def fit_closures(model, w, x, y, batch_size, shuffle):
    """(train, get_weights) around a Keras-API model: train() is one fit call over all of w's epochs."""
    def train():
        model.fit(x, y, batch_size=batch_size, epochs=w.epochs, verbose=0, shuffle=shuffle)

    def get_weights():
        ws = model.get_weights()
        return list(zip(ws[::2], ws[1::2]))

    return train, get_weights


def seconds_per_call(fn, n=20):
    """Mean seconds of fn() over n calls after one warm-up call."""
    fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def central_partials(loss, get, put, n, eps=1e-5):
    """n central-difference partials of loss() — element j read by get(j), written by put(j, v) — and the
    seconds each took (two loss evaluations), the course's numerical gradient."""
    num = np.empty(n)
    t0 = time.perf_counter()
    for j in range(n):
        old = get(j)
        put(j, old + eps)
        fp = loss()
        put(j, old - eps)
        fm = loss()
        put(j, old)
        num[j] = (fp - fm) / (2 * eps)
    return num, (time.perf_counter() - t0) / n


def initial_weights(w, input_dim, seed=0):
    """[(kernel (in, out), bias (out,)), ...]: the same starting point for every framework."""
    rng = np.random.default_rng(seed)
    out, fan_in = [], input_dim
    for units, _ in w.layers:
        if w.init == "normal0.01":
            k = 0.01 * rng.standard_normal((fan_in, units))
        else:  # Keras glorot_uniform
            lim = np.sqrt(6.0 / (fan_in + units))
            k = rng.uniform(-lim, lim, (fan_in, units))
        out.append((k.astype(w.dtype), np.zeros(units, w.dtype)))
        fan_in = units
    return out


def activate(z, name):
    """The activation `name` applied to z (NumPy, float64-safe)."""
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "relu":
        return np.maximum(z, 0)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


def predict(w, weights, x, chunk=5000):
    """Model output for x (dense or CSR) in float64, in chunks."""
    outs = []
    for s in range(0, x.shape[0], chunk):
        h = x[s:s + chunk]
        for (k, b), (_, act) in zip(weights, w.layers):
            h = activate(np.asarray(h @ k.astype(np.float64)) + b, act)
        outs.append(h)
    return np.concatenate(outs)


def loss_value(w, p, y):
    """The Keras value of w.loss for predictions p and targets y (probabilities clipped at 1e-7)."""
    if w.loss == "mse":
        return float(np.mean((p - y) ** 2))
    p = np.clip(p, 1e-7, 1 - 1e-7)
    if w.loss == "categorical_crossentropy":
        return float(-np.mean(np.sum(y * np.log(p), axis=1)))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def accuracy(w, p, y):
    """Classification accuracy (None for regression)."""
    if w.loss == "mse":
        return None
    if w.loss == "categorical_crossentropy":
        return float(np.mean(p.argmax(1) == y.argmax(1)))
    return float(np.mean((p > 0.5) == (y > 0.5)))


def evaluate(w, weights, data):
    """Final training loss and accuracy (and test accuracy where there is a test set), all computed here in
    NumPy float64 from the trained weights, so every framework is scored by the same code."""
    weights = [(np.asarray(k, np.float64), np.asarray(b, np.float64)) for k, b in weights]
    p = predict(w, weights, data["x"])
    y = np.asarray(data["y"], np.float64)
    res = {"loss": loss_value(w, p, y), "accuracy": accuracy(w, p, y)}
    if data.get("x_test") is not None and w.loss != "mse":
        res["test_accuracy"] = accuracy(w, predict(w, weights, data["x_test"]), np.asarray(data["y_test"]))
    return res


def _register_module_workloads():
    """Workloads that live in their own module (a convnet, ...): listed here beside the others."""
    import importlib
    for name in ("convnet", "sequences", "books"):  # one imported first is still loading: it registers itself (register)
        w = getattr(importlib.import_module(f".{name}", __package__), "WORKLOAD", None)
        if w is not None:
            register(w)


def register(w):
    """List a module workload in WORKLOADS."""
    WORKLOADS[w.name] = w


_register_module_workloads()
