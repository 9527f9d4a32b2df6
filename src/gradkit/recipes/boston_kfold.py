"""boston-kfold: 4-fold cross-validation of the course's 64-64-1 regressor on Boston housing (13 features).

Variant "standardized" (default) scales the features with the mean and std of each fold's training part only.
Variant "course" repeats the course's preprocessing: once, on all 404 training rows, ``train_data -= mean`` then
``train_data -= std`` (it subtracts the std where standardising divides by it). Runs in-process, on ``workers``
local processes, or on a Dask cluster at ``scheduler`` through ``gradkit.parallel.cross_validate``.
"""
import numpy as np

from .base import Recipe

FOLDS = tuple(f"boston-kfold/fold-{i}-mae" for i in range(1, 5))
"""The course's printed validation MAE per fold (keys of course_figures.FIGURES)."""
VARIANTS = ("standardized", "course")
PREPROCESSING = {"standardized": "each fold scaled by its training part's mean and std (dividing)",
                 "course": "as the course did: all training rows at once, x -= mean, then x -= std (subtracting)"}


def course_preprocess(x):
    """The course's preprocessing, once on all training rows: subtract the mean, then subtract (not divide) the std."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    return (x - mean) - std


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
    course = config["variant"] == "course"
    x = course_preprocess(x.astype("float64")) if course else x
    cv = cross_validate(build_model, x.astype("float32"), y.astype("float32"), k=config["k"],
                        epochs=config["epochs"], batch_size=config["batch_size"], seed=config["seed"],
                        workers=config["workers"], scheduler=config["scheduler"],
                        preprocess=None if course else standardize, progress=progress.enabled)
    mae = cv.scores("mae")
    result.metrics.update(fold_mae=mae, mean_mae=cv.mean["mae"], std_mae=cv.std["mae"],
                          runner=cv.run.summary(), preprocessing=PREPROCESSING[config["variant"]])
    if len(mae) < config["k"]:
        raise RuntimeError(f"only {len(mae)} of {config['k']} folds finished: {cv.run.summary()}")
    full = config["limit"] is None and config["epochs"] == 100 and config["batch_size"] == 1 and config["k"] == 4
    same = full and course
    note = ("the course's figures are for 4 folds, 100 epochs, batch 1" if not full else
            "like for like: the course's preprocessing; one training per fold, random initialisation moves this "
            "by a few tenths" if course else
            "not like for like: the course subtracted the std (train_data -= std) once on all rows; this run "
            "divides by each fold's std (run --variant course for the course's preprocessing)")
    for i, (m, key) in enumerate(zip(mae, FOLDS)):
        result.compare(f"fold {i + 1}: validation MAE ($1000s)", m, tolerance=0.5, comparable=same, figure=key,
                       note=note)
    from .course_figures import value
    result.compare("mean validation MAE (the course printed the four; their mean is gradkit's arithmetic)",
                   cv.mean["mae"], float(np.mean([value(k) for k in FOLDS])), 0.3, note=note, comparable=same,
                   source="gradkit's mean of the four fold MAEs the course printed (4-fold loop)")
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
    spread = 1000 * (max(mae) - min(mae))
    result.reading.append(
        f"gradkit's run ({PREPROCESSING[config['variant']]}; {config['epochs']} epochs, batch "
        f"{config['batch_size']}, {len(x)} rows): the held-out MAE differs from fold to fold by ${spread:,.0f}. With "
        f"only about {len(x) // config['k']} validation houses per fold, which houses land in a fold matters, "
        "which is why K-fold reports the mean.")


RECIPE = Recipe(
    name="boston-kfold",
    description="Boston 4-fold cross-validation of a 64-64-1 regressor (--variant course, --workers, --scheduler)",
    run=run,
    defaults={"variant": "standardized", "k": 4, "epochs": 100, "batch_size": 1, "workers": None, "scheduler": None, "limit": None,
              "seed": 0, "plots": True},
    quick={"epochs": 2, "batch_size": 16, "limit": 120},
    options={"variant": VARIANTS},
)
