"""imdb-lstm: movie-review sentiment read word by word: Embedding(10000, 32) – LSTM(32) – Dense(1, sigmoid).

Reviews are padded / truncated to their last 200 words (pad_sequences), the model is Chollet's (Deep Learning
with Python, 1st ed., §6.2.3), trained with rmsprop and binary cross-entropy, batches of 128, 10 epochs,
the last 20% of the training reviews held out (Keras's validation_split=0.2).
"""
import numpy as np

from .base import Recipe
from .data import load
from .imdb import fit_and_record, history_table

BOOK = {"val_acc": 0.88, "peak_val_acc": 0.8928, "peak_epoch": 8, "final_val_acc": 0.8758, "maxlen": 500}
"""The book: "up to 88% validation accuracy"; its notebook's printed history peaks at 0.8928 (epoch 8), ends at 0.8758."""
SOURCE = ("F. Chollet, Deep Learning with Python (1st ed., Manning 2017), §6.2.3 'A concrete LSTM example in Keras' "
          "(notebook first_edition/6.2-understanding-recurrent-neural-networks.ipynb): Embedding(10000, 32), "
          "LSTM(32), Dense(1, sigmoid), rmsprop, 10 epochs, batch 128, validation_split=0.2, reviews cut to 500 words")


def lstm_model(num_words, maxlen):
    """Embedding(num_words, 32) – LSTM(32) – Dense(1, sigmoid), compiled as in the book."""
    from .. import Input, Sequential, layers
    model = Sequential([Input((maxlen,)), layers.Embedding(num_words, 32), layers.LSTM(32),
                        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def run(config, out_dir, progress, result):
    """Load and pad the reviews, fit with the last 20% held out, evaluate on the test reviews."""
    from ..datasets import imdb
    from ..preprocessing import pad_sequences
    (train, labels), (test, test_labels) = load(
        config, result, "imdb", lambda: imdb.load_data(path=config["path"], num_words=config["num_words"]),
        num_words=config["num_words"])
    if config["limit"]:
        train, labels = train[:config["limit"]], labels[:config["limit"]]
        test, test_labels = test[:config["limit"]], test_labels[:config["limit"]]
    maxlen = config["maxlen"]
    x, x_test = pad_sequences(train, maxlen=maxlen), pad_sequences(test, maxlen=maxlen)
    y, y_test = np.asarray(labels, dtype="float32"), np.asarray(test_labels, dtype="float32")
    k = int(round(len(x) * (1 - config["validation_split"])))  # Keras holds out the last fraction
    model = lstm_model(config["num_words"], maxlen)
    hist, h = fit_and_record(model, x[:k], y[:k], (x[k:], y[k:]), config, progress,
                             f"IMDB LSTM(32), {config['epochs']} epochs")
    result.weights.update(model.named_weights)
    history_table(result, h, "Training and validation per epoch")
    test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    peak = int(np.argmax(h["val_accuracy"]))
    result.metrics.update(peak_val_accuracy=h["val_accuracy"][peak], peak_epoch=peak + 1,
                          final_val_accuracy=h["val_accuracy"][-1], test_accuracy=float(test_acc),
                          test_loss=float(test_loss), maxlen=maxlen)
    full = config["limit"] is None and config["epochs"] == 10
    note = "" if full else "the book's figures are for all 25,000 reviews and 10 epochs"
    if full and maxlen != BOOK["maxlen"]:
        note = f"the book cuts reviews to {BOOK['maxlen']} words, this run to {maxlen}"
    result.compare("peak validation accuracy", h["val_accuracy"][peak], BOOK["val_acc"], 0.02, note=note,
                   comparable=full, source=SOURCE)
    result.compare("validation accuracy at the last epoch", h["val_accuracy"][-1], BOOK["final_val_acc"], 0.02,
                   note=note, comparable=full, source=SOURCE)
    if config["plots"]:
        from .. import plots
        path = plots.plot_history(hist, out_dir / "history.png", title="IMDB: Embedding – LSTM(32) – Dense(1)")
        result.figure(path, "Loss and accuracy per epoch: training (dots) and the held-out 20% (line)")
    result.reading.append(
        f"Read word by word, the reviews reach {h['val_accuracy'][peak]:.3f} validation accuracy (epoch {peak + 1}) "
        f"and {test_acc:.3f} on the test reviews. The book's LSTM reaches about 0.88, no better than the "
        "multi-hot Dense network of the `imdb` recipe: word order helps little for sentiment.")


RECIPE = Recipe(
    name="imdb-lstm",
    description="IMDB sentiment read in order: Embedding – LSTM(32) – Dense, reviews padded to 200 words",
    run=run,
    defaults={"epochs": 10, "batch_size": 128, "num_words": 10000, "maxlen": 200, "validation_split": 0.2,
              "limit": None, "path": "imdb.npz", "seed": 0, "plots": True},
    quick={"epochs": 2, "num_words": 1000, "maxlen": 50, "limit": 2000},
    dataset="imdb.npz",
)
