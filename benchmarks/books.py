"""The book workloads: Deep Learning with Python's cats-vs-dogs convnet (180×180×3 images, five Conv2D up to 256
channels, batch 32, RMSprop) and its Conv1D on IMDB (maxlen 500, Embedding(10000, 128), two Conv1D(32, 7), batch 128,
RMSprop), on synthetic data of the books' shapes, for gradkit, PyTorch and Keras from the same initial weights and
batches, scored by the same NumPy forward pass.

Each framework runs WARMUP + STEPS[name] steps in one ``fit`` (or loop); only the last STEPS are timed (a callback
starts the clock at batch WARMUP: Keras traces its step function on the first batch, gradkit traces its step on the
first and checks the replay on the second), reported as ms/step beside wall and CPU seconds.
``python -m benchmarks --only cats-dogs-convnet``.
"""
import numpy as np

from .workloads import Workload, register

CATS_DOGS = Workload("cats-dogs-convnet", "DLwP cats vs dogs: 180×180×3, Rescaling, Conv32-64-128-256-256 with 2×2 "
                     "pools, Flatten, Dense(1, sigmoid), RMSprop, batch 32", "cats-dogs", (), "binary_crossentropy",
                     "rmsprop", 1e-3, 32, 1, module="books")
IMDB_CONV1D = Workload("imdb-conv1d", "DLwP Conv1D on IMDB: maxlen 500, Embedding(10000, 128), Conv1D(32, 7)-"
                       "MaxPooling1D(5)-Conv1D(32, 7)-GlobalMaxPooling1D-Dense(1), RMSprop(1e-4), batch 128",
                       "imdb-conv1d", (), "binary_crossentropy", "rmsprop", 1e-4, 128, 1, module="books")
for _w in (CATS_DOGS, IMDB_CONV1D):
    register(_w)
STEPS = {"cats-dogs-convnet": 6, "imdb-conv1d": 10}  # timed steps after the WARMUP untimed ones
WARMUP = 2
SIDE, VOCAB, MAXLEN, EMBED = 180, 10000, 500, 128
CONV2D = [(3, 32), (32, 64), (64, 128), (128, 256), (256, 256)]  # (in, out) channels of the 3×3 kernels


def timed_steps(w):
    """Training steps in the timed call (the worker reports ms/step from it)."""
    return STEPS[w.name]


def load_data(w, seed=0):
    """(WARMUP + STEPS) batches: uint8-valued float32 images or Zipf word ids, labels from a fixed random score."""
    n = (WARMUP + STEPS[w.name]) * w.batch_size
    rng = np.random.default_rng(seed)
    if w.name == CATS_DOGS.name:
        x = rng.integers(0, 256, (n, SIDE, SIDE, 3)).astype("float32")
        score = (x[:, ::4, ::4].mean((1, 2)) - 127.5) @ rng.standard_normal(3)
        y = (score > np.median(score)).astype("float32").reshape(-1, 1)
        return {"x": x, "y": y, "source": f"synthetic 180×180×3 images, {n} (uniform pixel values 0-255)"}
    from .sequences import data
    x, y = data(n, seed, maxlen=MAXLEN)
    return {"x": x, "y": y, "source": f"synthetic IMDB-shaped ids padded to 500, {n} reviews (Zipf words)"}


def initial_weights(w, seed=0):
    """Keras-layout weights: Glorot-uniform kernels (fans include the receptive field), zero biases, U(±0.05)
    embeddings."""
    rng = np.random.default_rng(seed)

    def glorot(shape):
        field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        lim = np.sqrt(6.0 / (field * (shape[-2] + shape[-1])))
        return rng.uniform(-lim, lim, shape).astype("float32")

    zeros = (lambda k: np.zeros(k, "float32"))
    if w.name == CATS_DOGS.name:
        ws = []
        for cin, cout in CONV2D:
            ws += [glorot((3, 3, cin, cout)), zeros(cout)]
        return ws + [glorot((7 * 7 * 256, 1)), zeros(1)]
    return [rng.uniform(-0.05, 0.05, (VOCAB, EMBED)).astype("float32"), glorot((7, EMBED, 32)), zeros(32),
            glorot((7, 32, 32)), zeros(32), glorot((32, 1)), zeros(1)]


def keras_like(lib, w):
    """The book's model in a Keras-API library (gradkit or keras), uncompiled."""
    L = lib.layers
    if w.name == CATS_DOGS.name:
        body = [L.Rescaling(1.0 / 255)]
        for i, (_, cout) in enumerate(CONV2D):
            body += [L.Conv2D(cout, 3, activation="relu")] + ([L.MaxPooling2D(2)] if i < 4 else [])
        return lib.Sequential([lib.Input((SIDE, SIDE, 3))] + body + [L.Flatten(), L.Dense(1, activation="sigmoid")])
    return lib.Sequential([lib.Input((MAXLEN,)), L.Embedding(VOCAB, EMBED), L.Conv1D(32, 7, activation="relu"),
                           L.MaxPooling1D(5), L.Conv1D(32, 7, activation="relu"), L.GlobalMaxPooling1D(), L.Dense(1)])


def setup(framework, w, data, weights, threads, shuffle=True):
    """(train, get_weights) after WARMUP untimed steps; train() runs the STEPS next batches in order."""
    x, y, bs = data["x"], data["y"], w.batch_size
    if framework == "torch":
        return _torch(w, x, y, weights, threads)
    if framework in ("gradkit", "gradkit-eager"):
        import gradkit as lib
        lib.backend.set_seed(0)
        kw = {"jit_compile": False} if framework == "gradkit-eager" else {}
    elif framework == "keras":
        from .keras_peer import _import
        lib, _ = _import(threads)
        lib.utils.set_random_seed(0)
        kw = {}
    else:
        raise NotImplementedError(f"{w.name} has no {framework} version")
    model = keras_like(lib, w)
    model.set_weights(weights)
    loss = "binary_crossentropy" if w.name == CATS_DOGS.name else lib.losses.BinaryCrossentropy(from_logits=True)
    model.compile(optimizer=lib.optimizers.RMSprop(w.learning_rate), loss=loss, **kw)
    timer = _timer(lib.callbacks.Callback, WARMUP)

    def train():  # one fit, as a user runs it (gradkit traces its step per fit call, Keras once per model)
        model.fit(x, y, batch_size=bs, epochs=1, shuffle=False, verbose=0, callbacks=[timer])
        return timer.times()

    return train, model.get_weights


def _timer(base, first):
    """A callback of the library's Callback class timing the batches from index ``first`` to the end of training."""
    import time

    class Timer(base):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == first:
                self.t0, self.c0 = time.perf_counter(), time.process_time()

        def on_train_end(self, logs=None):
            self.t1, self.c1 = time.perf_counter(), time.process_time()

        def times(self):
            """{"seconds", "cpu_seconds"} of the timed batches."""
            return {"seconds": self.t1 - self.t0, "cpu_seconds": self.c1 - self.c0}

    return Timer()


def _torch(w, x, y, weights, threads):
    """The same network in PyTorch (NCHW / NCL), logits with BCEWithLogitsLoss, RMSprop with Keras's ρ and ε."""
    import torch
    nn = torch.nn
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if w.name == CATS_DOGS.name:
        mods = []
        for i, (cin, cout) in enumerate(CONV2D):
            mods += [nn.Conv2d(cin, cout, 3), nn.ReLU()] + ([nn.MaxPool2d(2)] if i < 4 else [])
        model = nn.Sequential(*mods, nn.Flatten(), nn.Linear(7 * 7 * 256, 1))
        convs = [m for m in model if isinstance(m, nn.Conv2d)]
        _load_torch(torch, convs, weights, (3, 2, 0, 1), model[-1], _chw_dense(weights[-2], 7, 256, to_torch=True))
        xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
        prep = (lambda xb: xb * (1.0 / 255))
    else:
        emb = nn.Embedding(VOCAB, EMBED)
        model = nn.Sequential(nn.Conv1d(EMBED, 32, 7), nn.ReLU(), nn.MaxPool1d(5), nn.Conv1d(32, 32, 7), nn.ReLU(),
                              nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(32, 1))
        with torch.no_grad():
            emb.weight.copy_(torch.from_numpy(weights[0]))
        _load_torch(torch, [model[0], model[3]], weights[1:], (2, 1, 0), model[-1], weights[-2].T.copy())
        model = nn.Sequential(emb, _Transpose(), model)
        xt = torch.from_numpy(x.astype("int64"))
        prep = (lambda xb: xb)
    yt = torch.from_numpy(y)
    opt = torch.optim.RMSprop(model.parameters(), lr=w.learning_rate, alpha=0.9, eps=1e-7)
    loss_fn, bs = nn.BCEWithLogitsLoss(), w.batch_size

    def step(s):
        opt.zero_grad()
        loss_fn(model(prep(xt[s:s + bs])), yt[s:s + bs]).backward()
        opt.step()

    def train():
        import time
        for s in range(0, WARMUP * bs, bs):  # untimed first steps, as the others
            step(s)
        t0, c0 = time.perf_counter(), time.process_time()
        for s in range(WARMUP * bs, len(xt), bs):
            step(s)
        return {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}

    def get_weights():
        p = [t.detach().numpy() for t in model.parameters()]
        if w.name == CATS_DOGS.name:
            out = []
            for k, b in zip(p[:-2:2], p[1:-2:2]):
                out += [k.transpose(2, 3, 1, 0), b]
            return out + [_chw_dense(p[-2], 7, 256, to_torch=False), p[-1]]
        return [p[0], p[1].transpose(2, 1, 0), p[2], p[3].transpose(2, 1, 0), p[4], p[5].T, p[6]]

    return train, get_weights


def _load_torch(torch, convs, weights, perm, dense, dense_kernel):
    with torch.no_grad():
        for m, k, b in zip(convs, weights[0::2], weights[1::2]):
            m.weight.copy_(torch.from_numpy(k.transpose(*perm).copy()))
            m.bias.copy_(torch.from_numpy(b))
        dense.weight.copy_(torch.from_numpy(np.ascontiguousarray(dense_kernel)))
        dense.bias.copy_(torch.from_numpy(weights[-1]))


def _chw_dense(k, side, c, to_torch):
    """Keras flattens (h, w, c), PyTorch (c, h, w): the Dense(1) kernel in the other layout."""
    if to_torch:
        return k.reshape(side, side, c, 1).transpose(3, 2, 0, 1).reshape(1, -1)
    return k.reshape(1, c, side, side).transpose(2, 3, 1, 0).reshape(-1, 1)


class _Transpose:
    """(N, L, C) → (N, C, L) as a torch module (made lazily so this file imports without torch)."""

    def __new__(cls):
        import torch

        class T(torch.nn.Module):
            def forward(self, a):
                return a.transpose(1, 2)
        return T()


# ---- the shared NumPy scorer -------------------------------------------------------------------------

def _conv(x, k, b):
    """relu(valid conv + b), channels last, 1-D or 2-D, float32 NumPy."""
    from numpy.lib.stride_tricks import sliding_window_view
    if k.ndim == 3:
        win = sliding_window_view(x, k.shape[0], axis=1)  # (n, L', c, k)
        return np.maximum(np.einsum("nlck,kcf->nlf", win, k, optimize=True) + b, 0)
    win = sliding_window_view(x, k.shape[:2], axis=(1, 2))
    return np.maximum(np.einsum("nhwcij,ijcf->nhwf", win, k, optimize=True) + b, 0)


def _pool2(y):
    h, wd = y.shape[1] // 2 * 2, y.shape[2] // 2 * 2
    return y[:, :h, :wd].reshape(len(y), h // 2, 2, wd // 2, 2, -1).max(axis=(2, 4))


def logits(w, weights, x):
    """The model's logits for inputs x, from Keras-layout weights."""
    ws = [np.asarray(a, np.float32) for a in weights]
    if w.name == CATS_DOGS.name:
        h = x / np.float32(255)
        for i in range(5):
            h = _conv(h, ws[2 * i], ws[2 * i + 1])
            h = _pool2(h) if i < 4 else h
        return h.reshape(len(h), -1) @ ws[10] + ws[11]
    h = _conv(ws[0][x], ws[1], ws[2])
    h = h[:, :h.shape[1] // 5 * 5].reshape(len(h), -1, 5, h.shape[-1]).max(2)
    return _conv(h, ws[3], ws[4]).max(1) @ ws[5] + ws[6]


def evaluate(w, weights, data):
    """Binary cross-entropy and accuracy on the first three batches (two seen untimed, one timed), in float64."""
    from .workloads import accuracy, loss_value
    n = 3 * w.batch_size
    p = 1 / (1 + np.exp(-logits(w, weights, data["x"][:n]).astype(np.float64)))
    return {"loss": loss_value(w, p, data["y"][:n]), "accuracy": accuracy(w, p, data["y"][:n])}
