"""The course's MNIST code as it computes its loss, to measure on this machine what its numerical step costs.

The course's 784-64-10 network: sigmoid hidden layer, a softmax that sums exp over the WHOLE batch (not per
row), and the loss ``cross_entropy_error_for_bin`` = ½·Σ binary cross-entropy; its gradient takes two loss
evaluations per weight (central differences). gradkit times a few evaluations and multiplies; nothing here
is a figure the course printed.
"""
import time

import numpy as np

SHAPES = {"w_1": (784, 64), "b_1": (64,), "w_2": (64, 10), "b_2": (10,)}
"""The course's parameters, in the order its get_gradient visits them."""

STORY = (
    "The course's MNIST code never finished a step. Its notes print no accuracy (their text says the network "
    "did not train well). As read from the notes for gradkit's issue 20: the loop runs `epochs` single batches of "
    "100 (`iter_per_epoch` is computed and never used); the loss is `cross_entropy_error_for_bin` (½·Σ binary "
    "cross-entropy) on a softmax summed over the whole batch; `x_train` is divided by 255 twice; and "
    "`differential_2d` returns `differential_1d(f, x)` with a lowercase `x` bound only in its other branch, so "
    "the first bias gradient (b_1) raises UnboundLocalError after the whole of w_1's numerical gradient, before "
    "any update: the typo `train_acc_list.appned` further down is never reached. The table 'The course's "
    "numerical step, timed by gradkit' gives what that costs on this machine (gradkit's measurement, not the "
    "course's); the accuracies in this report are gradkit's own, from the same 784-64-10 network trained by "
    "backprop with a per-row softmax and categorical cross-entropy.")
"""What the course's MNIST code does, said beside gradkit's run of the same network."""


def init(seed=777):
    """The course's draw: np.random.seed(777), 0.01·randn weights, zero biases."""
    rs = np.random.RandomState(seed)  # legacy generator, as the course seeds it
    return {"w_1": 0.01 * rs.randn(784, 64), "b_1": np.zeros(64), "w_2": 0.01 * rs.randn(64, 10),
            "b_2": np.zeros(10)}


def loss(params, x, t):
    """The course's loss: ½·Σ BCE of a softmax whose exp is summed over the whole batch."""
    z = 1.0 / (1.0 + np.exp(-(x @ params["w_1"] + params["b_1"])))
    a = np.exp(z @ params["w_2"] + params["b_2"])
    y = a / np.sum(a)  # the course's softmax: one normaliser for the whole batch
    return 0.5 * float(np.sum(-t * np.log(y) - (1 - t) * np.log(1 - y)))


def time_step(x, t, evaluations=20, seed=777):
    """{seconds_per_loss, w_1_seconds, step_seconds, parameters}: loss evaluations timed, then multiplied.

    w_1_seconds is what the course's code spends before it fails (w_1's gradient, 2 losses per weight);
    step_seconds is one full numerical step over all parameters, had it not failed. BLAS runs on one thread.
    """
    from ..backend import single_threaded_blas
    params = init(seed)
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
    # one BLAS thread: 0.8 ms a loss; two on a loaded 2-core machine took 16-23 ms (threads fighting for cores)
    with single_threaded_blas():
        loss(params, x, t)  # warm-up
        t0 = time.perf_counter()
        for _ in range(evaluations):
            loss(params, x, t)
        per = (time.perf_counter() - t0) / evaluations
    n = sum(int(np.prod(s)) for s in SHAPES.values())
    return {"seconds_per_loss": per, "w_1_seconds": 2 * 784 * 64 * per, "step_seconds": 2 * n * per,
            "parameters": n, "evaluations": evaluations}
