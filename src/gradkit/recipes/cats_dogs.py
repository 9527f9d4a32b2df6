"""cats-dogs: Deep Learning with Python (F. Chollet, 2nd ed., chapter 8)'s small-data convnet trained from scratch with
data augmentation, on any folder of images (``--data-dir``): RandomFlip("horizontal"), RandomRotation(0.1),
RandomZoom(0.2); Rescaling(1/255); Conv2D 32-64-128-256 each with MaxPooling2D(2), Conv2D 256; Flatten;
Dropout(0.5); Dense(1, sigmoid); RMSprop, binary cross-entropy, 180×180 images in batches of 32, 100 epochs.

The folder is read by image_dataset_from_directory: either the book's layout (train/, validation/ and optionally
test/, each with one subfolder per class) or one subfolder per class, split 80/20 with the run's seed. ``--quick``
draws a small two-class set of SYNTHETIC images (striped squares, not photographs) into the run folder.
"""
import os
import time

import numpy as np

from ..errors import ConfigError
from .base import Recipe

SOURCE = "F. Chollet, Deep Learning with Python, 2nd ed. (Manning, 2021), chapter 8: a convnet trained from scratch " \
         "on 2,000 cats-vs-dogs photos, with data augmentation and dropout"


def convnet(image_size):
    """The book's model: augmentation, rescaling, five Conv2D (four max-pooled), dropout, one sigmoid unit."""
    from .. import Input, Model, Sequential, layers
    augmentation = Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.2)])
    inputs = Input(shape=(image_size, image_size, 3))
    x = layers.Rescaling(1.0 / 255)(augmentation(inputs))
    for filters in (32, 64, 128, 256):
        x = layers.MaxPooling2D(pool_size=2)(layers.Conv2D(filters, 3, activation="relu")(x))
    x = layers.Dropout(0.5)(layers.Flatten()(layers.Conv2D(256, 3, activation="relu")(x)))
    model = Model(inputs=inputs, outputs=layers.Dense(1, activation="sigmoid")(x))
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return model


def synthetic_images(root, per_class, size, seed):
    """SYNTHETIC stand-ins for photos: "cats" have horizontal stripes, "dogs" vertical ones, in random colours,
    frequencies and phases with noise, saved as PNG and JPEG under root/{train,validation}/{cats,dogs}."""
    from ..utils.image_utils import pil
    Image = pil("the cats-dogs recipe")
    rng = np.random.default_rng(seed)
    grid = np.arange(size, dtype=np.float32)
    for split, count in (("train", per_class), ("validation", max(per_class // 2, 4))):
        for label, cls in enumerate(("cats", "dogs")):
            os.makedirs(os.path.join(root, split, cls), exist_ok=True)
            for i in range(count):
                wave = np.sin(grid * rng.uniform(0.3, 0.9) + rng.uniform(0, 2 * np.pi))
                wave = wave[:, None] * np.ones(size) if label == 0 else np.ones(size)[:, None] * wave[None, :]
                colour, back = rng.uniform(80, 255, 3), rng.uniform(0, 120, 3)
                img = back + (colour - back) * (0.5 + 0.5 * wave[:, :, None]) + rng.normal(0, 12, (size, size, 3))
                ext = "png" if i % 2 else "jpg"
                Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(
                    os.path.join(root, split, cls, f"{cls}.{i}.{ext}"))
    return root


def datasets(data_dir, config):
    """(train, validation, test or None) from the book's train/validation/test layout or class folders split 80/20."""
    from ..utils import image_dataset_from_directory
    if not os.path.isdir(data_dir):
        raise ConfigError(f"cats-dogs: data_dir must be a folder of images (one subfolder per class, or train/ and "
                          f"validation/ holding those), got {data_dir!r}")
    kw = dict(image_size=(config["image_size"],) * 2, batch_size=config["batch_size"], label_mode="binary",
              seed=config["seed"], verbose=False)
    parts = {p: os.path.join(data_dir, p) for p in ("train", "validation", "test")}
    if os.path.isdir(parts["train"]) and os.path.isdir(parts["validation"]):
        test = image_dataset_from_directory(parts["test"], **kw) if os.path.isdir(parts["test"]) else None
        return (image_dataset_from_directory(parts["train"], **kw),
                image_dataset_from_directory(parts["validation"], **kw), test)
    train, val = image_dataset_from_directory(data_dir, validation_split=0.2, subset="both", **kw)
    return train, val, None


def _record(result, hist, model, train, val, seconds, config):
    h = {k: np.asarray(v, dtype=float) for k, v in hist.history.items()}
    result.history.update(h)
    result.weights.update(model.named_weights)
    best = int(np.argmax(h["val_accuracy"]))
    result.metrics.update(val_accuracy=h["val_accuracy"][-1], best_val_accuracy=h["val_accuracy"][best],
                          best_epoch=best + 1, train_accuracy=h["accuracy"][-1], fit_seconds=seconds,
                          seconds_per_epoch=seconds / config["epochs"], train_images=len(train.file_paths),
                          val_images=len(val.file_paths), classes=", ".join(train.class_names),
                          parameters=model.count_params())
    n = len(h["loss"])
    result.table("Loss and accuracy per epoch", ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"],
                 [[i + 1, h["loss"][i], h["accuracy"][i], h["val_loss"][i], h["val_accuracy"][i]] for i in range(n)])


def run(config, out_dir, progress, result):
    """Train the book's augmented convnet on the folder (or synthetic images with --quick) and report accuracy."""
    data_dir = config["data_dir"]
    synthetic = data_dir is None
    if synthetic:
        if not config["quick"]:
            raise ConfigError("cats-dogs needs --data-dir PATH (a folder of images, one subfolder per class, or the "
                              "book's train/ validation/ test/ layout); or run it with --quick on synthetic images")
        data_dir = synthetic_images(str(out_dir / "synthetic-images"), config["quick_images"],
                                    config["image_size"], config["seed"])
    train, val, test = datasets(data_dir, config)
    model = convnet(config["image_size"])
    t0 = time.perf_counter()
    hist = model.fit(train, epochs=config["epochs"], validation_data=val, verbose=0,
                     callbacks=[progress.callback("cats-dogs convnet", config["epochs"])])
    _record(result, hist, model, train, val, time.perf_counter() - t0, config)
    if test is not None:
        result.metrics["test_loss"], result.metrics["test_accuracy"] = model.evaluate(test, verbose=0)
    if config["plots"]:
        from .. import plots
        path = plots.plot_history(hist, out_dir / "history.png", title="cats-dogs convnet with augmentation")
        result.figure(path, "Loss and accuracy per epoch on the training images (dots) and the validation images")
    what = (f"SYNTHETIC images drawn by gradkit (horizontal vs vertical stripes, {config['image_size']} px), not "
            "photographs: a smoke test of the pipeline, whose accuracy says nothing about cats and dogs"
            if synthetic else f"the images under {data_dir}")
    result.reading.append(f"Data: {what}; classes {train.class_names}, {len(train.file_paths)} training and "
                          f"{len(val.file_paths)} validation images. All numbers here are this run's own.")
    result.reading.append(f"Program: {SOURCE}. No figure from the book is set beside this run.")


RECIPE = Recipe(
    name="cats-dogs",
    description="DLwP's small-data convnet with augmentation on a folder of images (--data-dir); --quick: synthetic",
    run=run,
    defaults={"data_dir": None, "epochs": 100, "batch_size": 32, "image_size": 180, "seed": 0, "plots": True,
              "quick_images": 24},
    quick={"epochs": 8, "image_size": 80, "batch_size": 16, "quick_images": 32},
)
