"""mnist-mlp: the course's 784-64-10 network on MNIST, trained by backprop; a ReLU + Adam variant; and the cost
of the course's numerical gradient step, measured by gradkit on this machine (the course's code never finished one).

Course network: sigmoid hidden layer, softmax output, weights 0.01·N(0, 1), zero biases, plain SGD lr 0.1 on
random batches of 100 drawn with replacement (``np.random.choice``), 600 steps per epoch.
"""
import time

import numpy as np

from .base import Recipe
from .course_mnist import STORY

AIMS = {"course": 0.95, "relu-adam": 0.97}
"""gradkit's aims for the test accuracy after 20 epochs (not course figures: the course's notes print none)."""
VARIANTS = ("course", "relu-adam")
GRADIENTS = ("backprop", "numerical")


def load(limit=None, path="mnist.npz"):
    """MNIST as flat floats in [0, 1] and one-hot labels; ``limit`` keeps the first rows of each split."""
    from ..datasets import mnist
    from ..preprocessing import to_categorical
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path)
    if limit:
        x_train, y_train, x_test, y_test = x_train[:limit], y_train[:limit], x_test[:limit], y_test[:limit]

    def flat(x):
        return x.reshape(len(x), -1).astype("float32") / 255.0
    return flat(x_train), to_categorical(y_train, 10), flat(x_test), to_categorical(y_test, 10)


def build(variant, hidden=64):
    """The course's network (variant "course") or ReLU + Adam with Keras's default initialisers ("relu-adam")."""
    from .. import Input, Sequential, initializers, layers, optimizers
    if variant == "course":
        init = dict(kernel_initializer=initializers.RandomNormal(stddev=0.01), bias_initializer="zeros")
        model = Sequential([Input((784,)), layers.Dense(hidden, activation="sigmoid", **init),
                            layers.Dense(10, activation="softmax", **init)])
        model.compile(optimizer=optimizers.SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy"])
    else:
        model = Sequential([Input((784,)), layers.Dense(hidden, activation="relu"),
                            layers.Dense(10, activation="softmax")])
        model.compile(optimizer=optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def run(config, out_dir, progress, result):
    """Train with backprop (train and test accuracy every epoch); optionally time numerical gradients."""
    x, y, x_test, y_test = load(config["limit"], config["path"])
    variant, epochs = config["variant"], config["epochs"]
    model = build(variant, config["hidden"])
    batch = 100 if variant == "course" else 128
    steps = max(1, len(x) // batch) if variant == "course" else -(-len(x) // batch)
    fit = dict(batch_size=batch, sampling="random", steps_per_epoch=steps) if variant == "course" \
        else dict(batch_size=batch)
    t0 = time.perf_counter()
    hist = model.fit(x, y, epochs=epochs, verbose=0, validation_data=(x_test, y_test), epoch_loss="full",
                     callbacks=[progress.callback(f"MNIST {variant}, {epochs} epochs", epochs)], **fit)
    seconds = time.perf_counter() - t0
    h = {k: np.asarray(v, dtype=float) for k, v in hist.history.items()}
    result.history.update(h)
    result.weights.update(model.named_weights)
    result.metrics.update(train_accuracy=h["accuracy"][-1], test_accuracy=h["val_accuracy"][-1],
                          backprop_seconds_per_epoch=seconds / epochs, train_rows=len(x))
    _compare(result, config, h["val_accuracy"])
    result.table("Accuracy per epoch", ["epoch", "train loss", "train accuracy", "test loss", "test accuracy"],
                 [[i + 1, h["loss"][i], h["accuracy"][i], h["val_loss"][i], h["val_accuracy"][i]]
                  for i in range(epochs)])
    if config["gradient"] == "numerical":
        _numerical(model, x[:batch], y[:batch], steps, seconds / epochs, config, result, progress)
    if config["plots"]:
        from .. import plots
        path = plots.plot_history(hist, out_dir / "history.png", val_name="test",
                                  title=f"MNIST 784-{config['hidden']}-10 ({variant})")
        result.figure(path, "Loss and accuracy after every epoch on the training data (dots) and the test data "
                            "(line)")
    _course_step(x[:100], y[:100], seconds / epochs / steps, result)
    result.reading.append(STORY)
    result.reading.append(_reading(h, variant, len(x), epochs))


def _reading(h, variant, rows, epochs):
    """What the curves of THIS run show (a quick run on few rows reads differently from the full one)."""
    gap = h["accuracy"][-1] - h["val_accuracy"][-1]
    text = (f"gradkit's run on {rows:,} training rows for {epochs} epoch{'s' * (epochs != 1)}: test accuracy "
            f"went from {h['val_accuracy'][0]:.3f} to {h['val_accuracy'][-1]:.3f}; the training accuracy ends "
            f"{abs(gap):.3f} {'above' if gap >= 0 else 'below'} the test accuracy"
            + (", so the network is starting to overfit." if gap > 0.02 else ", so it is not overfitting yet."))
    if variant == "course":
        text += " Sigmoid units with plain SGD climb more slowly than ReLU with Adam (see --variant relu-adam)."
    return text


def _compare(result, config, test_acc):
    full = config["limit"] is None and config["epochs"] >= 20
    note = "" if full else "the aim is for all 60,000 rows and 20 epochs"
    aim = AIMS[config["variant"]]
    what = "the course's network" if config["variant"] == "course" else "ReLU + Adam"
    result.compare("test accuracy at the last epoch (aim)", test_acc[-1], aim, relation="≥", note=note,
                   comparable=full, source=f"gradkit's aim for {what} trained by backprop; not a course figure "
                                           "(the course's notes print no accuracy)")


def _course_step(xb, yb, backprop_step, result):
    """Time the course's own loss on one batch of 100 and multiply out its numerical step (gradkit's numbers)."""
    from .course_mnist import time_step
    cost = time_step(xb, yb)
    result.metrics.update(course_seconds_per_loss=cost["seconds_per_loss"],
                          course_w_1_gradient_seconds=cost["w_1_seconds"],
                          course_numerical_step_seconds=cost["step_seconds"])
    result.table("The course's numerical step, timed by gradkit on this machine (one batch of 100, the course's "
                 f"loss evaluated {cost['evaluations']} times, then multiplied by 2 losses per weight)",
                 ["what", "seconds"],
                 [["one evaluation of the course's loss", cost["seconds_per_loss"]],
                  ["w_1's gradient (50,176 weights): spent before the course's code fails at b_1",
                   cost["w_1_seconds"]],
                  [f"one whole numerical step ({cost['parameters']:,} parameters), had it not failed",
                   cost["step_seconds"]],
                  ["one backprop step of gradkit's run (its epoch time ÷ steps, evaluation included)", backprop_step]])


def _numerical(model, xb, yb, steps, backprop_epoch, config, result, progress):
    """Time central differences on a few kernel weights of one batch; extrapolate to all weights and one epoch."""
    from ..autograd import no_grad
    from ..gradcheck import numerical_gradient
    yb = yb.astype(xb.dtype)

    def loss(_):
        with no_grad():
            return float(model.compute_loss_and_outputs([xb], [yb], training=False)[0].data)
    kernel = model.weights[0].data
    rows = max(1, config["numerical_weights"] // kernel.shape[1])
    sample = kernel[:rows]  # a view: numerical_gradient moves these weights in place and restores them
    with progress.bar(1, f"numerical gradient of {sample.size} weights", unit="batch") as bar:
        t0 = time.perf_counter()
        numerical_gradient(loss, sample, eps=1e-4)
        per_weight = (time.perf_counter() - t0) / sample.size
        bar.update(1)
    n_params = model.count_params()
    step_s, epoch_s = per_weight * n_params, per_weight * n_params * steps
    result.metrics.update(numerical_seconds_per_weight=per_weight, numerical_seconds_per_step=step_s,
                          numerical_seconds_per_epoch=epoch_s, parameters=n_params)
    result.table("One epoch: numerical gradients (estimated) against backprop (measured)",
                 ["method", "seconds per step", "seconds per epoch", "hours per epoch"],
                 [["numerical (central differences, 2 losses per weight)", step_s, epoch_s, epoch_s / 3600],
                  ["backprop", backprop_epoch / steps, backprop_epoch, backprop_epoch / 3600]])
    result.compare("numerical ÷ backprop time per epoch (gradkit's)", epoch_s / backprop_epoch,
                   note=f"gradkit's numerical gradient timed on {sample.size} weights of {n_params:,}, multiplied "
                        "out; the course's numerical version never finished a step")


RECIPE = Recipe(
    name="mnist-mlp",
    description="The course's 784-64-10 MNIST network, trained by backprop (options: variant, gradient)",
    run=run,
    defaults={"variant": "course", "gradient": "backprop", "epochs": 20, "hidden": 64, "limit": None,
              "path": "mnist.npz", "numerical_weights": 256, "seed": 0, "plots": True},
    quick={"epochs": 2, "limit": 5000, "numerical_weights": 64},
    dataset="mnist.npz",
    options={"variant": VARIANTS, "gradient": GRADIENTS},
)
