"""The imdb-lstm workload: one epoch of Embedding(10000, 32) – LSTM(32) – Dense(1, sigmoid) on synthetic IMDB-shaped
ids (25,000 reviews padded to 200 words), RMSprop, binary cross-entropy; gradkit vs PyTorch (nn.LSTM) vs Keras,
from the same initial weights and batch order, scored by the same NumPy forward pass.

Run it with the main runner (fresh process per run, frameworks alternating, medians, peak memory):
``python -m benchmarks --only imdb-lstm [--markdown]``; ``python -m benchmarks.sequences [ARGS]`` is the same.
"""
import sys

import numpy as np

from .workloads import Workload, register

VOCAB, MAXLEN, EMBED, UNITS = 10000, 200, 32, 32
WORKLOAD = Workload("imdb-lstm", "Embedding(10000, 32)-LSTM(32)-Dense(1, sigmoid), RMSprop, batch 128, one epoch of "
                    "25,000 IMDB-shaped reviews padded to 200 words", "imdb-sequences", (), "binary_crossentropy",
                    "rmsprop", 1e-3, 128, 1, module="sequences")
register(WORKLOAD)
TEST_SAMPLES = 5000


def data(samples, seed=0, maxlen=MAXLEN):
    """Zipf-distributed word ids, lognormal review lengths (mean ≈ 238, as IMDB), pre-padded/truncated to maxlen
    (200); label = sign of a fixed random score of the words (learnable)."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(np.log(238) - 0.3, 0.77, samples), 10, maxlen).astype(int)
    ranks = np.arange(4, VOCAB + 1)
    p = 1.0 / ranks ** 1.27
    x = np.zeros((samples, maxlen), dtype="int32")
    tokens = rng.choice(ranks - 1, size=lengths.sum(), p=p / p.sum())
    for i, s in enumerate(np.split(tokens, np.cumsum(lengths)[:-1])):
        x[i, maxlen - len(s):] = s
    score = rng.standard_normal(VOCAB)[x].sum(1)
    return x, (score > np.median(score)).astype("float32").reshape(-1, 1)


def load_data(w, seed=0):
    """The training reviews (w.samples, or 25,000) and up to 5,000 more as a test set, from one draw."""
    n = w.samples or 25000
    x, y = data(n + min(n, TEST_SAMPLES), seed)
    return {"x": x[:n], "y": y[:n], "x_test": x[n:], "y_test": y[n:],
            "source": "synthetic IMDB-shaped ids (Zipf words, lognormal lengths, pre-padded to 200)"}


def initial_weights(w=None, seed=0):
    """Keras-layout initial weights: embeddings U(±0.05), LSTM glorot / orthogonal / unit-forget bias, Dense glorot."""
    rng = np.random.default_rng(seed)
    lim = np.sqrt(6 / (EMBED + 4 * UNITS))
    q, _ = np.linalg.qr(rng.standard_normal((4 * UNITS, UNITS)))
    bias = np.r_[np.zeros(UNITS), np.ones(UNITS), np.zeros(2 * UNITS)]
    dl = np.sqrt(6 / (UNITS + 1))
    ws = [rng.uniform(-0.05, 0.05, (VOCAB, EMBED)), rng.uniform(-lim, lim, (EMBED, 4 * UNITS)), q.T, bias,
          rng.uniform(-dl, dl, (UNITS, 1)), np.zeros(1)]
    return [a.astype("float32") for a in ws]


def setup(framework, w, data, weights, threads, shuffle=True):
    """(train, get_weights) for one framework: one epoch in batches taken in one fixed order (a seeded
    permutation, or the data's order with shuffle=False) for every framework; get_weights gives Keras layouts."""
    order = np.random.default_rng(1).permutation(len(data["x"])) if shuffle else np.arange(len(data["x"]))
    x, y = data["x"][order], data["y"][order]
    if framework in ("gradkit", "gradkit-eager"):
        import gradkit
        gradkit.backend.set_seed(0)
        model = _keras_like(gradkit, weights, jit_compile=False if framework == "gradkit-eager" else "auto")
    elif framework == "keras":
        from .keras_peer import _import
        keras, _ = _import(threads)
        keras.utils.set_random_seed(0)
        model = _keras_like(keras, weights)
    elif framework == "torch":
        return _torch(x, y, w, weights, threads)
    else:
        raise NotImplementedError(f"imdb-lstm has no {framework} version")
    return lambda: model.fit(x, y, batch_size=w.batch_size, epochs=1, shuffle=False, verbose=0), model.get_weights


def _keras_like(lib, weights, **compile_kw):
    model = lib.Sequential([lib.Input((MAXLEN,)), lib.layers.Embedding(VOCAB, EMBED), lib.layers.LSTM(UNITS),
                            lib.layers.Dense(1, activation="sigmoid")])
    model.set_weights(weights)
    model.compile(optimizer=lib.optimizers.RMSprop(1e-3), loss="binary_crossentropy", **compile_kw)
    return model


def _torch(x, y, w, weights, threads):
    """nn.Embedding + nn.LSTM(batch_first) + nn.Linear on logits with BCEWithLogitsLoss; RMSprop with Keras's ρ, ε."""
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    emb = torch.nn.Embedding(VOCAB, EMBED)
    lstm = torch.nn.LSTM(EMBED, UNITS, batch_first=True)
    dense = torch.nn.Linear(UNITS, 1)
    with torch.no_grad():  # Keras kernels are (in, out); PyTorch's gate order i, f, g, o is Keras's i, f, c, o
        emb.weight.copy_(torch.from_numpy(weights[0]))
        lstm.weight_ih_l0.copy_(torch.from_numpy(weights[1].T.copy()))
        lstm.weight_hh_l0.copy_(torch.from_numpy(weights[2].T.copy()))
        lstm.bias_ih_l0.copy_(torch.from_numpy(weights[3]))
        lstm.bias_hh_l0.zero_()
        dense.weight.copy_(torch.from_numpy(weights[4].T.copy()))
        dense.bias.copy_(torch.from_numpy(weights[5]))
    params = list(emb.parameters()) + list(lstm.parameters()) + list(dense.parameters())
    opt = torch.optim.RMSprop(params, lr=w.learning_rate, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    xt, yt = torch.from_numpy(x.astype("int64")), torch.from_numpy(y)

    def train():
        for s in range(0, len(xt), w.batch_size):
            opt.zero_grad()
            _, (h, _) = lstm(emb(xt[s:s + w.batch_size]))
            loss_fn(dense(h[-1]), yt[s:s + w.batch_size]).backward()
            opt.step()

    def get_weights():
        t = [a.detach().numpy() for a in (emb.weight, lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0,
                                          lstm.bias_hh_l0, dense.weight, dense.bias)]
        return [t[0], t[1].T, t[2].T, t[3] + t[4], t[5].T, t[6]]

    return train, get_weights


# ---- the shared NumPy scorer -------------------------------------------------------------------------

def predict(weights, x, chunk=5000):
    """Sigmoid outputs of the model for ids x, from Keras-layout weights (float64 NumPy, Keras's LSTM equations)."""
    emb, k, r, b, dk, db = [np.asarray(a, np.float64) for a in weights]
    sig = (lambda z: 1 / (1 + np.exp(-z)))
    outs = []
    for s in range(0, len(x), chunk):
        xw = emb[x[s:s + chunk]] @ k + b  # (n, T, 4u), gates i, f, c, o
        h = c = np.zeros((len(xw), UNITS))
        for t in range(xw.shape[1]):
            i, f, g, o = np.split(xw[:, t] + h @ r, 4, axis=1)
            c = sig(f) * c + sig(i) * np.tanh(g)
            h = sig(o) * np.tanh(c)
        outs.append(sig(h @ dk + db))
    return np.concatenate(outs)


def evaluate(w, weights, data):
    """Training loss and accuracy on the first 5,000 training reviews, test accuracy on the 5,000 test reviews."""
    from .workloads import accuracy, loss_value
    n = min(len(data["x"]), TEST_SAMPLES)
    p, y = predict(weights, data["x"][:n]), data["y"][:n]
    return {"loss": loss_value(w, p, y), "accuracy": accuracy(w, p, y),
            "test_accuracy": accuracy(w, predict(weights, data["x_test"]), data["y_test"])}


def main(argv=None):
    """``python -m benchmarks.sequences ARGS`` = ``python -m benchmarks --only imdb-lstm ARGS``."""
    from .__main__ import main as run
    return run(["--only", "imdb-lstm"] + list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
