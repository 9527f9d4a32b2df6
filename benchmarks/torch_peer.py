"""PyTorch peer: the idiomatic, fast PyTorch loop (nn.Sequential, fused logits losses, tensor indexing of
shuffled batches; no DataLoader, whose per-sample collation would make PyTorch look slower than it is)."""
import numpy as np

from .workloads import NUMGRAD_FIRST, central_partials, dense_input, seconds_per_call

FRAMEWORKS = ("torch", "torch-sparse")


def version(variant="torch"):
    """torch's version (ImportError when not installed)."""
    import torch
    return torch.__version__


def _model(w, weights, torch, skip_first=False):
    """nn.Sequential of Linear+activation with the given weights; the output activation is left to the loss."""
    nn = torch.nn
    mods, last = [], len(w.layers) - 1
    for i, ((k, b), (_, act)) in enumerate(zip(weights, w.layers)):
        if not (skip_first and i == 0):
            lin = nn.Linear(*k.shape, dtype=getattr(torch, w.dtype))
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(k.T.copy()))
                lin.bias.copy_(torch.from_numpy(b))
            mods.append(lin)
        if i < last and act != "linear":
            mods.append({"relu": nn.ReLU, "sigmoid": nn.Sigmoid}[act]())
    return nn.Sequential(*mods)


def _loss(w, torch):
    nn = torch.nn
    return {"mse": nn.MSELoss, "categorical_crossentropy": nn.CrossEntropyLoss,
            "binary_crossentropy": nn.BCEWithLogitsLoss}[w.loss]()


def _optimizer(w, params, torch):
    """Keras defaults where they differ from PyTorch's (Adam/RMSprop epsilon 1e-7, RMSprop rho 0.9)."""
    o = torch.optim
    if w.optimizer == "sgd":
        return o.SGD(params, lr=w.learning_rate)
    if w.optimizer == "adam":
        return o.Adam(params, lr=w.learning_rate, eps=1e-7)
    return o.RMSprop(params, lr=w.learning_rate, alpha=0.9, eps=1e-7)


def _targets(w, y, torch):
    if w.loss == "categorical_crossentropy":
        return torch.from_numpy(y.argmax(1))  # class indices: CrossEntropyLoss's fast path
    return torch.from_numpy(y)


def setup(w, data, weights, threads, variant="torch", shuffle=True):
    """Return (train, get_weights). torch-sparse multiplies CSR batches by the first kernel (sparse input)."""
    import warnings

    import torch
    warnings.filterwarnings("ignore", message="Sparse")  # CSR beta / invariant-check notices
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    sparse = variant == "torch-sparse"
    if sparse and not w.sparse:
        raise NotImplementedError("torch-sparse only runs the sparse-input workloads")
    model, loss_fn = _model(w, weights, torch, skip_first=sparse), _loss(w, torch)
    params = list(model.parameters())
    if sparse:
        k1 = torch.nn.Parameter(torch.from_numpy(weights[0][0].copy()))
        b1 = torch.nn.Parameter(torch.from_numpy(weights[0][1].copy()))
        params = [k1, b1] + params
        xcsr = data["x"].tocsr().astype(w.dtype)
    else:
        X = torch.from_numpy(dense_input(w, data["x"]))
    Y = _targets(w, data["y"], torch)
    opt = _optimizer(w, params, torch)
    n, bs = data["x"].shape[0], w.batch_size
    gen = torch.Generator().manual_seed(0)

    def forward(idx):
        if not sparse:
            return model(X if idx is None else X[idx])
        rows = xcsr[idx.numpy()]
        xb = torch.sparse_csr_tensor(torch.from_numpy(rows.indptr), torch.from_numpy(rows.indices),
                                     torch.from_numpy(rows.data), size=rows.shape)
        first = torch.sparse.mm(xb, k1) + b1
        return model(torch.relu(first) if w.layers[0][1] == "relu" else first)

    def train():
        for _ in range(w.epochs):
            if bs == "full" or bs >= n:
                batches = [None]
            else:
                order = torch.randperm(n, generator=gen) if shuffle else torch.arange(n)
                batches = order.split(bs)
            for idx in batches:
                opt.zero_grad()
                loss = loss_fn(forward(idx), Y if idx is None else Y[idx])
                loss.backward()
                opt.step()

    def get_weights():
        ps = [p.detach().numpy() for p in params]
        ks = [k if (sparse and i == 0) else k.T for i, k in enumerate(ps[::2])]
        return list(zip(ks, ps[1::2]))

    return train, get_weights


def numgrad(w, data, weights, threads, n_partials, variant="torch"):
    """Seconds of one backprop step and of n_partials central-difference partials on the first kernel."""
    import torch
    torch.set_num_threads(threads)
    model, loss_fn = _model(w, weights, torch), _loss(w, torch)
    opt = _optimizer(w, model.parameters(), torch)
    x, y = torch.from_numpy(data["x"][:w.batch_size]), _targets(w, data["y"][:w.batch_size], torch)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    t_bp = seconds_per_call(step)
    opt.zero_grad()
    loss_fn(model(x), y).backward()
    kernel, out = model[0].weight, model[0].weight.shape[0]  # (out, in): Keras flat index J is [J % out, J // out]
    where = [((NUMGRAD_FIRST + j) % out, (NUMGRAD_FIRST + j) // out) for j in range(n_partials)]
    bp = np.array([kernel.grad[r, c].item() for r, c in where])

    def put(j, v):
        kernel[where[j]] = v

    with torch.no_grad():
        num, t_part = central_partials(lambda: loss_fn(model(x), y).item(), lambda j: kernel[where[j]].item(), put,
                                       n_partials)
    return {"backprop_step_s": t_bp, "partial_s": t_part, "numerical": num, "backprop": bp}
