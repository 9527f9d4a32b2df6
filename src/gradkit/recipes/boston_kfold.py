"""boston-kfold: 4-fold cross-validation of the course's 64-64-1 regressor on Boston housing (13 features).

Features are standardized with the mean and std of each fold's training part only (the course's code
subtracted the std instead of dividing by it; gradkit divides). Runs in-process, on ``workers`` local
processes, or on a Dask cluster at ``scheduler`` through ``gradkit.parallel.cross_validate``.
"""
import numpy as np

from .base import Recipe

COURSE = {"fold_mae": (2.09, 2.98, 2.60, 2.90)}
"""The course's validation MAE per fold (100 epochs, batch 1); their mean is 2.64."""
SOURCE = "printed by the course's 4-fold loop (Keras 64-64-1 regressor, 100 epochs, batch 1): one MAE per fold"


def build_model():
    """Dense 64 relu – 64 relu – 1, rmsprop, MSE loss, MAE metric (module level, so workers can unpickle it)."""
    from .. import Sequential, layers
    model = Sequential([layers.Dense(64, activation="relu"), layers.Dense(64, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def run(config, out_dir, progress, result):
    """K-fold on the Keras training split; per-fold MAE and their mean beside the course's."""
    from ..datasets import boston_housing
    from ..parallel import cross_validate, standardize
    (x, y), _ = boston_housing.load_data()
    if config["limit"]:
        x, y = x[:config["limit"]], y[:config["limit"]]
    cv = cross_validate(build_model, x.astype("float32"), y.astype("float32"), k=config["k"],
                        epochs=config["epochs"], batch_size=config["batch_size"], seed=config["seed"],
                        workers=config["workers"], scheduler=config["scheduler"], preprocess=standardize,
                        progress=progress.enabled)
    mae = cv.scores("mae")
    result.metrics.update(fold_mae=mae, mean_mae=cv.mean["mae"], std_mae=cv.std["mae"],
                          runner=cv.run.summary())
    if len(mae) < config["k"]:
        raise RuntimeError(f"only {len(mae)} of {config['k']} folds finished: {cv.run.summary()}")
    full = config["limit"] is None and config["epochs"] == 100 and config["batch_size"] == 1 and config["k"] == 4
    note = "" if full else "the course's figures are for 4 folds, 100 epochs, batch 1"
    for i, (m, pub) in enumerate(zip(mae, COURSE["fold_mae"])):
        result.compare(f"fold {i + 1}: validation MAE ($1000s)", m, pub, 0.5, comparable=full, source=SOURCE,
                       note=note or "one training per fold: random initialisation moves this by a few tenths")
    result.compare("mean validation MAE", cv.mean["mae"], float(np.mean(COURSE["fold_mae"])), 0.3,
                   note=note, comparable=full, source=SOURCE)
    result.table("Per-fold scores", ["fold", "loss (MSE)", "MAE"],
                 [[f["fold"] + 1, f["loss"], f["mae"]] for f in cv.folds]
                 + [["mean", cv.mean["loss"], cv.mean["mae"]], ["std", cv.std["loss"], cv.std["mae"]]])
    for i, h in enumerate(cv.histories):
        result.history.update({f"fold{i + 1}_{k}": v for k, v in h.items()})
    if config["plots"]:
        from .. import plots
        curves = {f"fold {i + 1}": h["loss"] for i, h in enumerate(cv.histories)}
        path = plots.plot_loss_curves(curves, out_dir / "folds.png", xlabel="epoch", ylabel="training MSE",
                                      title="Boston K-fold: training loss per fold")
        result.figure(path, "Training MSE per epoch of each fold's model (log scale)")
    result.reading.append(
        "Each fold's model learns at much the same rate, but the held-out MAE differs from fold to fold by several "
        "hundred dollars: with only about 100 validation houses per fold, which houses land in a fold matters, "
        "which is why K-fold reports the mean.")


RECIPE = Recipe(
    name="boston-kfold",
    description="Boston 4-fold cross-validation of a 64-64-1 regressor (--workers, --scheduler)",
    run=run,
    defaults={"k": 4, "epochs": 100, "batch_size": 1, "workers": None, "scheduler": None, "limit": None,
              "seed": 0, "plots": True},
    quick={"epochs": 2, "batch_size": 16, "limit": 120},
)
