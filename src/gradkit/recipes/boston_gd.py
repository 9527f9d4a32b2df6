"""boston-gd: a linear neuron on Boston RM + LSTAT by full-batch gradient descent, and the Keras-style model.

The explicit loop is ``gradkit.descent.linear_gd`` (Tensors and backward(), float64); the Keras-style model
is Dense(1) with kernel zeros, bias ones, Adam(0.01) and Keras's default batch size, as the course trains it.
"""
import numpy as np

from .base import Recipe

FIGURES = {"loss": "boston-gd/loss-epoch-5000", "w1": "boston-gd/w1", "w2": "boston-gd/w2", "bias": "boston-gd/bias",
           "keras_mse": "boston-gd/keras-mse"}
"""The course's printed results this recipe compares with (keys of course_figures.FIGURES)."""
WEIGHT_TOL = 5e-5
"""Half a unit in the 4th decimal, the last one the course printed for w1, w2 and the bias."""
LOSS_TOL = 1e-10
"""The printed loss has 16 digits; float64 sums done in another order move the last one or two."""


def keras_linear(lr, optimizer="adam"):
    """The course's Keras model: Dense(1) on 2 inputs, kernel zeros, bias ones, compiled with MSE."""
    from .. import Input, Sequential, layers, optimizers
    dense = layers.Dense(1, kernel_initializer="zeros", bias_initializer="ones", name="dense")
    model = Sequential([Input((2,)), dense])
    opt = optimizers.Adam(lr) if optimizer == "adam" else optimizers.SGD(lr)
    model.compile(optimizer=opt, loss="mse")
    return model


def run(config, out_dir, progress, result):
    """Explicit full-batch GD, then the Keras-style Adam model, each beside the least-squares optimum."""
    from .. import backend
    from ..descent import boston_rm_lstat, linear_gd
    from ..reference import least_squares
    backend.set_floatx("float64")
    x, y = boston_rm_lstat()
    best = least_squares(x, y)
    steps = config["epochs"]
    with progress.bar(1, f"full-batch GD, {steps} steps", unit="run") as bar:
        gd = linear_gd(x, y, lr=config["lr"], steps=steps, w0=0.0, b0=1.0, strategy="full")
        bar.update(1)
    result.history["gd_mse"] = gd.loss
    result.metrics.update(gd_mse=gd.mse, gd_w1=gd.w[0], gd_w2=gd.w[1], gd_bias=gd.b, lstsq_mse=best.mse)
    result.weights.update({"gd/w": gd.w, "gd/b": np.array([gd.b]), "lstsq/w": best.weights})
    full = steps == 5000
    note = "" if full else f"this run took {steps} steps; the course's figure is for 5000"
    result.metrics["gd_loss_before_last_update"] = gd.loss[-2]
    result.compare("full-batch GD: MSE before the last update (the course's 'Epoch 5000' line)", gd.loss[-2],
                   tolerance=LOSS_TOL, figure=FIGURES["loss"], comparable=full,
                   note=note or "like for like: the course prints the loss it computed before each update")
    for key, value in (("w1", gd.w[0]), ("w2", gd.w[1]), ("bias", gd.b)):
        result.compare(f"full-batch GD: {key} after the last update", value, tolerance=WEIGHT_TOL,
                       figure=FIGURES[key], comparable=full, note=note or "± half a unit of the last printed digit")
    result.compare("full-batch GD: MSE after the last update (gradkit's; the course prints no such line)",
                   gd.mse)
    result.compare("least-squares optimum: MSE (gradkit's closed form, for reference)", best.mse,
                   note=f"GD is {best.gap(gd.mse):.4f} above the best possible MSE")

    keras = _keras(config, x, y, progress, result)
    _tables(result, x, y, gd, keras, best)
    if config["plots"]:
        _plots(out_dir, result, gd, keras, best, x, y)
    result.reading += [
        f"Both curves fall fast at first and then flatten. Full-batch GD with learning rate {config['lr']:g} is "
        f"still creeping down after {steps} steps: it ends {best.gap(gd.mse):.3f} above the least-squares optimum "
        f"(the dashed line), because the scaled features make the valley long and flat.",
        "On the loss surface the path first runs down the steep side and then turns to crawl along the valley "
        "floor towards the star, the best weights" + ("." if full else f" (after {steps} steps it is still far "
                                                                       "from it)."),
    ]


def _keras(config, x, y, progress, result):
    """Fit the Keras-style model; record its full-data MSE per epoch and its weights by name."""
    epochs = config["keras_epochs"] or config["epochs"]
    model = keras_linear(config["keras_lr"])
    hist = model.fit(x, y, epochs=epochs, batch_size=config["keras_batch_size"], verbose=0, epoch_loss="full",
                     callbacks=[progress.callback(f"Keras-style Adam, {epochs} epochs", epochs)])
    mse = float(model.evaluate(x, y, batch_size=len(x), verbose=0))
    result.history["keras_mse"] = hist.history["loss"]
    named = model.named_weights
    result.weights.update({f"keras/{k}": v for k, v in named.items()})
    kernel, bias = named["dense/kernel"].ravel(), named["dense/bias"].ravel()
    result.metrics.update(keras_mse=mse, keras_w1=kernel[0], keras_w2=kernel[1], keras_bias=bias[0])
    note = "Adam on shuffled batches of 32: the last digit depends on the shuffling"
    if epochs != 5000:
        note = f"this run took {epochs} epochs; the course's figure is for 5000"
    result.compare("Keras-style Dense(1), Adam(0.01): MSE", mse, tolerance=0.01, note=note,
                   comparable=epochs == 5000, figure=FIGURES["keras_mse"])
    return model


def _tables(result, x, y, gd, model, best):
    named = model.named_weights
    result.table("Weights by name", ["weight", "explicit GD loop", "Keras-style model", "least squares"], [
        ["w1 (RM) · dense/kernel[0]", gd.w[0], named["dense/kernel"].ravel()[0], best.weights[0]],
        ["w2 (LSTAT) · dense/kernel[1]", gd.w[1], named["dense/kernel"].ravel()[1], best.weights[1]],
        ["bias · dense/bias", gd.b, named["dense/bias"].ravel()[0], best.bias],
        ["MSE on all 506 rows", gd.mse, result.metrics["keras_mse"], best.mse]])
    n = 10
    order = np.arange(len(x))
    np.random.RandomState(113).shuffle(order)  # Keras's load_data order; undone to show the file's first rows
    where = np.argsort(order)[:n]
    pred_keras = np.asarray(model.predict(x[where], verbose=0)).ravel()
    rows = [[int(order[i]), y[i], x[i] @ gd.w + gd.b, k, x[i] @ best.weights + best.bias]
            for i, k in zip(where, pred_keras)]
    result.table(f"Predictions for the first {n} rows of the data file (price in $1000s; load_data shuffles the "
                 "rows with seed 113, this table undoes that)", ["file row", "price", "GD", "Keras-style",
                                                                "least squares"], rows)


def surface_figure(out_dir, result, x, y, paths, best, caption):
    """The MSE surface over (w1, w2) with the given paths ({label: (steps, 2) array}) and the optimum on it."""
    from .. import plots
    from ..descent import mse_surface
    w1, w2 = np.meshgrid(np.linspace(-5, 45, 120), np.linspace(-45, 5, 120))
    path = plots.plot_loss_surface(w1, w2, mse_surface(x, y, w1, w2), paths, out_dir / "surface.png",
                                   optimum=best.weights, labels=("w1 (RM)", "w2 (LSTAT)"))
    result.figure(path, caption)


def _plots(out_dir, result, gd, model, best, x, y):
    from .. import plots
    curves = {"full-batch GD, explicit loop (per step)": gd.loss,
              "Keras-style Adam, batches of 32 (per epoch)": result.history["keras_mse"]}
    path = plots.plot_loss_curves(curves, out_dir / "loss.png", optimum=best.mse, xlabel="step / epoch",
                                  title="Boston RM + LSTAT: full-data MSE")
    result.figure(path, "Full-data MSE during training (log scale); dashed: the least-squares optimum")
    surface_figure(out_dir, result, x, y, {"full-batch GD": gd.weights}, best,
                   "MSE over (w1, w2), each point with its best bias, and the path full-batch GD took")


RECIPE = Recipe(
    name="boston-gd",
    description="Linear neuron on Boston RM + LSTAT: full-batch GD loop and Keras-style Adam",
    run=run,
    defaults={"lr": 0.01, "epochs": 5000, "keras_lr": 0.01, "keras_epochs": None, "keras_batch_size": None,
              "seed": 0, "plots": True},
    quick={"epochs": 300, "keras_epochs": 20},
)
