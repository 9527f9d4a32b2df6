"""Hand-written NumPy reference: the MLP trainer as one would write it by hand (course style, but lean).

Forward, backward and Keras-formula optimizer updates on raw arrays, in place where NumPy allows it; the
output layer's activation is fused with its loss (softmax+CE, sigmoid+BCE) as every hand-written course net does;
all weights live in one flat buffer (gradients in another) so the optimizer updates them with a few ufunc calls.
"""
import numpy as np

from .workloads import NUMGRAD_FIRST, activate, central_partials, dense_input, seconds_per_call

FRAMEWORKS = ("numpy",)


def version(variant="numpy"):
    """NumPy's version."""
    return np.__version__


class SGD:
    """w ← w − lr·g."""

    def __init__(self, params, lr):
        self.lr = lr

    def step(self, params, grads):
        for p, g in zip(params, grads):
            g *= self.lr
            p -= g


class Adam:
    """Keras 3 Adam: m += (g−m)(1−β1); v += (g²−v)(1−β2); w −= lr·√(1−β2ᵗ)/(1−β1ᵗ) · m/(√v+ε)."""

    def __init__(self, params, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, beta_1, beta_2, epsilon, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.tmp = [np.empty_like(p) for p in params]

    def step(self, params, grads):
        self.t += 1
        alpha = self.lr * np.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        for p, g, m, v, tmp in zip(params, grads, self.m, self.v, self.tmp):
            m += (g - m) * (1 - self.b1)
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= 1 - self.b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= alpha
            p -= tmp


class RMSprop:
    """Keras 3 RMSprop: v ← ρ·v + (1−ρ)·g²;  w ← w − lr·g / √(v + ε)."""

    def __init__(self, params, lr, rho=0.9, epsilon=1e-7):
        self.lr, self.rho, self.eps = lr, rho, epsilon
        self.v = [np.zeros_like(p) for p in params]
        self.tmp = [np.empty_like(p) for p in params]

    def step(self, params, grads):
        for p, g, v, tmp in zip(params, grads, self.v, self.tmp):
            v *= self.rho
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.rho
            v += tmp
            np.add(v, self.eps, out=tmp)
            np.sqrt(tmp, out=tmp)
            np.divide(g, tmp, out=tmp)
            tmp *= self.lr
            p -= tmp


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def make_optimizer(w, params):
    """The optimizer of workload w over the list of raw arrays `params`."""
    return OPTIMIZERS[w.optimizer](params, w.learning_rate)


def output_delta(w, out, y):
    """dLoss/dz of the output pre-activation, for the loss fused with its output activation."""
    n = out.shape[0]
    if w.loss == "mse":  # Keras MSE: mean over batch and outputs of (z−y)²
        d = out - y
        d *= 2.0 / d.size
        return d
    d = out - y  # softmax+CE and sigmoid+BCE share this gradient
    d *= 1.0 / n
    return d


def flat_views(arrays):
    """A contiguous copy of `arrays` in one flat buffer, and views of it shaped like each array."""
    flat = np.concatenate([a.ravel() for a in arrays])
    views, at = [], 0
    for a in arrays:
        views.append(flat[at:at + a.size].reshape(a.shape))
        at += a.size
    return flat, views


def forward_backward(w, params, xb, yb, grads=None):
    """Gradients [gW1, gb1, gW2, gb2, ...] of the mean loss over the batch (written into `grads` if given)."""
    hs, h = [xb], xb
    last = len(w.layers) - 1
    for i, (_, act) in enumerate(w.layers):
        z = h @ params[2 * i]
        z += params[2 * i + 1]
        h = activate(z, act) if i < last or act != "linear" else z
        hs.append(h)
    d = output_delta(w, h, yb)
    grads = [np.empty_like(p) for p in params] if grads is None else grads
    for i in range(last, -1, -1):
        h_in = hs[i]
        if isinstance(h_in, np.ndarray):
            np.matmul(h_in.T, d, out=grads[2 * i])
        else:  # scipy sparse input
            grads[2 * i][...] = h_in.T @ d
        np.sum(d, axis=0, out=grads[2 * i + 1])
        if i:
            d = d @ params[2 * i].T
            act = w.layers[i - 1][1]
            if act == "sigmoid":
                d *= h_in * (1 - h_in)
            elif act == "relu":
                d *= h_in > 0
    return grads


def batches(n, batch_size, rng, shuffle=True):
    """Index arrays of one epoch: a shuffled sweep (Keras's default), or None for full batch."""
    if batch_size == "full" or batch_size >= n:
        yield None
        return
    order = rng.permutation(n) if shuffle else np.arange(n)
    for s in range(0, n, batch_size):
        yield order[s:s + batch_size]


def setup(w, data, weights, threads, variant="numpy", shuffle=True):
    """Return (train, get_weights): train() runs all epochs of w."""
    x, y = dense_input(w, data["x"]), data["y"]
    flat, params = flat_views([a for pair in weights for a in pair])
    gflat, grads = flat_views([np.zeros_like(a) for pair in weights for a in pair])
    opt = make_optimizer(w, [flat])
    rng = np.random.default_rng(0)

    def train():
        for _ in range(w.epochs):
            for idx in batches(x.shape[0], w.batch_size, rng, shuffle):
                xb, yb = (x, y) if idx is None else (x[idx], y[idx])
                forward_backward(w, params, xb, yb, grads)
                opt.step([flat], [gflat])

    return train, lambda: list(zip(params[::2], params[1::2]))


def numgrad(w, data, weights, threads, n_partials, variant="numpy"):
    """Seconds of one backprop step and of n_partials central-difference partials (course style: perturb
    one weight, run the forward pass and loss twice)."""
    x, y = data["x"][:w.batch_size], data["y"][:w.batch_size]
    params = [a.copy() for pair in weights for a in pair]

    def loss():
        h = x
        for i, (_, act) in enumerate(w.layers):
            h = activate(h @ params[2 * i] + params[2 * i + 1], act)
        return -np.sum(y * np.log(h + 1e-7)) / x.shape[0]

    opt = SGD(params, w.learning_rate)
    t_bp = seconds_per_call(lambda: opt.step(params, forward_backward(w, params, x, y)))
    grads = forward_backward(w, params, x, y)
    flat = params[0].reshape(-1)[NUMGRAD_FIRST:]
    num, t_part = central_partials(loss, flat.__getitem__, flat.__setitem__, n_partials)
    return {"backprop_step_s": t_bp, "partial_s": t_part, "numerical": num,
            "backprop": grads[0].reshape(-1)[NUMGRAD_FIRST:NUMGRAD_FIRST + n_partials]}
