"""mnist-cnn: keras.io's "Simple MNIST convnet" (F. Chollet) on MNIST; keras.io reports about 99 % test accuracy.

Conv2D(32, 3, relu) – MaxPooling2D(2) – Conv2D(64, 3, relu) – MaxPooling2D(2) – Flatten – Dropout(0.5) –
Dense(10, softmax); Adam, categorical cross-entropy, batches of 128, 15 epochs, validation_split 0.1.
"""
import time

import numpy as np

from .base import Recipe
from .data import load

SOURCE = "https://keras.io/examples/vision/mnist_convnet/ (\"A simple convnet that achieves ~99% test accuracy\")"
PUBLISHED = {"test_accuracy": 0.99}


def images(x, y, limit=None):
    """uint8 (N, 28, 28) images as float32 (N, 28, 28, 1) in [0, 1] and one-hot labels, as keras.io prepares them."""
    from ..preprocessing import to_categorical
    if limit:
        x, y = x[:limit], y[:limit]
    return np.expand_dims(x.astype("float32") / 255, -1), to_categorical(y, 10)


def convnet(augmentation=()):
    """keras.io's convnet (after optional augmentation layers), compiled with Adam as keras.io does."""
    from .. import Input, Sequential, layers
    model = Sequential([Input((28, 28, 1)), *augmentation,
                        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
                        layers.MaxPooling2D(pool_size=(2, 2)),
                        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
                        layers.MaxPooling2D(pool_size=(2, 2)),
                        layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def train(model, data, config, progress, result, desc):
    """fit (validation_split 0.1), evaluate on the test set; records history, weights, timing; returns test accuracy."""
    x, y, x_test, y_test = data
    t0 = time.perf_counter()
    hist = model.fit(x, y, batch_size=config["batch_size"], epochs=config["epochs"], validation_split=0.1, verbose=0,
                     callbacks=[progress.callback(desc, config["epochs"])])
    seconds = time.perf_counter() - t0
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    h = {k: np.asarray(v, dtype=float) for k, v in hist.history.items()}
    result.history.update(h)
    result.weights.update(model.named_weights)
    result.metrics.update(test_loss=test_loss, test_accuracy=test_acc, train_accuracy=h["accuracy"][-1],
                          val_accuracy=h["val_accuracy"][-1], fit_seconds=seconds,
                          seconds_per_epoch=seconds / config["epochs"], train_rows=int(len(x) * 0.9),
                          parameters=model.count_params())
    n = len(h["loss"])
    result.table("Loss and accuracy per epoch", ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"],
                 [[i + 1, h["loss"][i], h["accuracy"][i], h["val_loss"][i], h["val_accuracy"][i]] for i in range(n)])
    return hist, test_acc


def plot(hist, out_dir, result, title):
    """The history curves as a figure of the report."""
    from .. import plots
    path = plots.plot_history(hist, out_dir / "history.png", title=title)
    result.figure(path, "Loss and accuracy per epoch on the training data (dots) and the validation split (line)")


def run(config, out_dir, progress, result):
    """Train keras.io's convnet on MNIST and set the test accuracy beside keras.io's ≈ 0.99."""
    from ..datasets import mnist
    (x, y), (x_test, y_test) = load(config, result, "mnist", lambda: mnist.load_data(config["path"]))
    data = images(x, y, config["limit"]) + images(x_test, y_test, config["limit"])
    hist, test_acc = train(convnet(), data, config, progress, result, f"MNIST convnet, {config['epochs']} epochs")
    full = config["limit"] is None and config["epochs"] >= 15
    result.compare("test accuracy", test_acc, PUBLISHED["test_accuracy"], relation="≥", comparable=full,
                   note=SOURCE if full else "keras.io's figure is for all 60,000 images and 15 epochs")
    if config["plots"]:
        plot(hist, out_dir, result, "keras.io simple MNIST convnet")
    result.reading.append(
        "Two small convolution layers reach about 99 % on held-out digits within a few epochs, well above the "
        "dense 784-64-10 network (mnist-mlp): the filters see strokes wherever they are in the image. Dropout keeps "
        "the validation curve close to the training curve.")


RECIPE = Recipe(
    name="mnist-cnn",
    description="keras.io's simple MNIST convnet (2 Conv2D + MaxPooling2D, Dropout, Adam); ≈ 0.99 test accuracy",
    run=run,
    defaults={"epochs": 15, "batch_size": 128, "limit": None, "path": "mnist.npz", "seed": 0, "plots": True},
    quick={"epochs": 2, "limit": 3000},
    dataset="mnist.npz",
)
