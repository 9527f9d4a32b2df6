"""gradkit, three ways: the public Keras-style API as a user writes it (`gradkit`: compile/fit, jit_compile
left at its default), the same with `jit_compile=False` (`gradkit-eager`), and a hand-written training loop
on gradkit's autograd primitives (`gradkit-autograd`: Tensor, ops, backward, with NumPy optimizer updates)."""
import time

import numpy as np

from . import numpy_ref
from .workloads import NUMGRAD_FIRST, fit_closures, seconds_per_call

FRAMEWORKS = ("gradkit", "gradkit-eager", "gradkit-autograd")


def version(variant="gradkit"):
    """gradkit's version; ImportError when the variant's API is missing."""
    import gradkit
    if variant != "gradkit-autograd":
        gradkit.Sequential, gradkit.layers.Dense  # noqa: B018 (raises until the trainer exists)
    return gradkit.__version__


def _model(w, weights, variant):
    import gradkit
    gradkit.backend.set_floatx(w.dtype)
    gradkit.backend.set_seed(0)
    layers = gradkit.layers
    model = gradkit.Sequential([layers.Input(shape=(weights[0][0].shape[0],))]
                               + [layers.Dense(u, activation=a) for u, a in w.layers])
    model.set_weights([a for pair in weights for a in pair])
    opt = {"sgd": gradkit.optimizers.SGD, "adam": gradkit.optimizers.Adam,
           "rmsprop": gradkit.optimizers.RMSprop}[w.optimizer](learning_rate=w.learning_rate)
    kw = {"jit_compile": False} if variant == "gradkit-eager" else {}
    model.compile(optimizer=opt, loss=w.loss, **kw)
    return model


def setup(w, data, weights, threads, variant="gradkit", shuffle=True):
    """Return (train, get_weights). The Keras-API variants get sparse CSR input for sparse workloads."""
    if variant == "gradkit-autograd":
        return _setup_autograd(w, data, weights, shuffle)
    model = _model(w, weights, variant)
    x, y = data["x"], data["y"]
    return fit_closures(model, w, x, y, w.batch_size, shuffle)  # gradkit accepts batch_size="full"


def _autograd_loss(w, params, xb, yb):
    """Mean loss of the MLP on a batch, built from gradkit's primitive ops (graph recorded for backward)."""
    from gradkit import Tensor, ops
    h, last = Tensor(xb), len(w.layers) - 1
    for i, (_, act) in enumerate(w.layers):
        z = ops.add(ops.matmul(h, params[2 * i]), params[2 * i + 1])
        if i == last:
            break
        h = ops.sigmoid(z) if act == "sigmoid" else ops.relu(z)
    y = Tensor(yb)
    if w.loss == "mse":
        return ops.mean((z - y) * (z - y))
    if w.loss == "categorical_crossentropy":
        return -ops.sum(y * ops.log_softmax(z, axis=-1)) * (1.0 / xb.shape[0])
    # binary cross-entropy from logits: max(z,0) − z·y + log(1 + e^−|z|)
    return ops.mean(ops.relu(z) - z * y + ops.log(ops.exp(-ops.abs(z)) + 1.0))


def _setup_autograd(w, data, weights, shuffle):
    from gradkit import Tensor, backend
    backend.set_floatx(w.dtype)
    x, y = data["x"], data["y"]
    sparse = hasattr(x, "toarray")  # batches are densified: the primitive matmul takes dense arrays
    params = [Tensor(a.copy(), requires_grad=True) for pair in weights for a in pair]
    raw = [p.data for p in params]
    opt = numpy_ref.make_optimizer(w, raw)
    rng = np.random.default_rng(0)

    def train():
        for _ in range(w.epochs):
            for idx in numpy_ref.batches(x.shape[0], w.batch_size, rng, shuffle):
                xb, yb = (x, y) if idx is None else (x[idx], y[idx])
                for p in params:
                    p.grad = None
                _autograd_loss(w, params, xb.toarray() if sparse else xb, yb).backward()
                opt.step(raw, [p.grad.data for p in params])

    return train, lambda: list(zip(raw[::2], raw[1::2]))


def numgrad(w, data, weights, threads, n_partials, variant="gradkit-autograd"):
    """Backprop step and gradkit.gradcheck.numerical_gradient over n_partials elements of the first kernel."""
    from gradkit import Tensor, backend, no_grad
    from gradkit.gradcheck import numerical_gradient
    if variant != "gradkit-autograd":
        raise NotImplementedError("numgrad runs on the autograd variant (the course computes it on the loss)")
    backend.set_floatx(w.dtype)
    x, y = data["x"][:w.batch_size], data["y"][:w.batch_size]
    train, _ = _setup_autograd(w, {"x": x, "y": y}, weights, shuffle=False)
    t_bp = seconds_per_call(train)
    params = [Tensor(a.copy(), requires_grad=True) for pair in weights for a in pair]
    _autograd_loss(w, params, x, y).backward()
    part = slice(NUMGRAD_FIRST, NUMGRAD_FIRST + n_partials)
    bp = params[0].grad.data.reshape(-1)[part].copy()
    view = params[0].data.reshape(-1)[part]  # a view: numerical_gradient perturbs the kernel itself
    t0 = time.perf_counter()
    with no_grad():
        num = numerical_gradient(lambda _: _autograd_loss(w, params, x, y), view, eps=1e-5)
    t_part = (time.perf_counter() - t0) / n_partials
    return {"backprop_step_s": t_bp, "partial_s": t_part, "numerical": np.asarray(num), "backprop": bp}
