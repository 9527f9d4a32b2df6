"""imdb: movie-review sentiment from multi-hot word vectors (sparse), the course's 16-16-1 network, overfitting shown.

Reviews become 10,000-dimensional multi-hot rows (scipy.sparse CSR); Dense 16 relu – 16 relu – 1 sigmoid,
rmsprop, binary cross-entropy, batches of 512, 20 epochs, the first 10,000 training reviews held out.
"""
import numpy as np

from .base import Recipe
from .data import load

FIGURES = {"peak_val_acc": "imdb/peak-val-acc", "final_val_acc": "imdb/final-val-acc"}
"""The course's figures (course_figures keys): validation accuracy peaks ≈ 0.89, then falls to ≈ 0.868."""
SOURCE = ("the course's Keras IMDB model (10,000-word multi-hot vectors, Dense 16-16-1, RMSprop): its 20-epoch "
          "validation history as the course shows it")


def text_model(hidden, outputs, activation, loss):
    """Dense(hidden, relu) – Dense(hidden, relu) – Dense(outputs, activation) compiled with rmsprop."""
    from .. import Sequential, layers
    model = Sequential([layers.Dense(hidden, activation="relu"), layers.Dense(hidden, activation="relu"),
                        layers.Dense(outputs, activation=activation)])
    model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy"])
    return model


def fit_and_record(model, x, y, val, config, progress, desc):
    """fit with validation data and a progress bar; returns (History, {key: per-epoch array})."""
    hist = model.fit(x, y, epochs=config["epochs"], batch_size=config["batch_size"], validation_data=val, verbose=0,
                     callbacks=[progress.callback(desc, config["epochs"])])
    h = {k: np.asarray(v, dtype=float) for k, v in hist.history.items()}
    return hist, h


def history_table(result, h, title, prefix=""):
    """Per-epoch train/validation loss and accuracy as a report table."""
    n = len(h["loss"])
    result.table(title, ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"],
                 [[i + 1, h["loss"][i], h["accuracy"][i], h["val_loss"][i], h["val_accuracy"][i]] for i in range(n)])
    for k, v in h.items():
        result.history[prefix + k] = v


def run(config, out_dir, progress, result):
    """Load and vectorize, fit with the first ``holdout`` reviews as validation, record where it starts overfitting."""
    from ..datasets import imdb
    from ..preprocessing import vectorize_sequences
    (train, labels), _ = load(config, result, "imdb",
                              lambda: imdb.load_data(path=config["path"], num_words=config["num_words"]),
                              num_words=config["num_words"])
    if config["limit"]:
        train, labels = train[:config["limit"]], labels[:config["limit"]]
    x = vectorize_sequences(train, config["num_words"], sparse=True)
    y = np.asarray(labels, dtype="float32")
    k = config["holdout"]
    model = text_model(16, 1, "sigmoid", "binary_crossentropy")
    hist, h = fit_and_record(model, x[k:], y[k:], (x[:k], y[:k]), config, progress,
                             f"IMDB 16-16-1, {config['epochs']} epochs")
    result.weights.update(model.named_weights)
    history_table(result, h, "Training and validation per epoch")
    peak = int(np.argmax(h["val_accuracy"]))
    result.metrics.update(peak_val_accuracy=h["val_accuracy"][peak], peak_epoch=peak + 1,
                          final_val_accuracy=h["val_accuracy"][-1], final_accuracy=h["accuracy"][-1],
                          sparse_bytes=int(x.data.nbytes + x.indices.nbytes + x.indptr.nbytes),
                          dense_float32_bytes=int(x.shape[0] * x.shape[1] * 4))
    full = config["limit"] is None and config["epochs"] == 20
    note = "" if full else "the course's figures are for all 25,000 reviews and 20 epochs"
    result.compare("peak validation accuracy", h["val_accuracy"][peak], tolerance=0.01, note=note,
                   comparable=full, source=SOURCE, figure=FIGURES["peak_val_acc"])
    result.compare("epoch of the peak", peak + 1, 3.5, 1.5, note=note or "course: around epoch 3–4",
                   comparable=full, source="gradkit's midpoint of the epochs 3–4 where " + SOURCE + " peaks")
    result.compare("validation accuracy at the last epoch", h["val_accuracy"][-1], tolerance=0.01,
                   note=note, comparable=full, source=SOURCE, figure=FIGURES["final_val_acc"])
    if config["plots"]:
        from .. import plots
        path = plots.plot_history(hist, out_dir / "history.png", title="IMDB: 16-16-1 on multi-hot reviews")
        result.figure(path, "Loss and accuracy per epoch: training (dots) and the 10,000 held-out reviews (line)")
    result.reading.append(
        f"Training loss keeps falling every epoch, but the validation loss turns upwards after epoch {peak + 1}: "
        "from there on the network learns the training reviews themselves rather than what makes a review "
        "positive — overfitting. Stopping at the peak would give the best model.")


RECIPE = Recipe(
    name="imdb",
    description="IMDB sentiment: sparse multi-hot words, 16-16-1; overfitting made visible",
    run=run,
    defaults={"epochs": 20, "batch_size": 512, "num_words": 10000, "holdout": 10000, "limit": None,
              "path": "imdb.npz", "seed": 0, "plots": True},
    quick={"epochs": 3, "num_words": 1000, "holdout": 1000, "limit": 3000},
    dataset="imdb.npz",
)
