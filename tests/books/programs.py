"""The programs learners run after the Dense chapters, written with the books' calls and arguments.

Each program takes the ``keras`` module (real Keras 3 or gradkit) and a ``Ctx`` and returns a dict of numbers.
Sources: Deep Learning with Python 1st ed. (notebooks 5.1, 6.1-6.4), 2nd ed. (chapters 8-11), 3rd ed. (chapter 13),
keras.io's RNN and masking-and-padding guides and its addition_rnn, siamese_contrastive, autoencoder and
timeseries_classification_from_scratch examples. Data is synthetic, of the books' shapes, tiny; epochs are 1-2.
``ctx.init(model)`` makes both libraries start from the same weights (Keras's, recorded then replayed).
"""
import numpy as np

PROGRAMS = {}


def program(source, compare=(), needs=None, atol=None):
    """Register a program: its source, the result keys equal across libraries, a feature gradkit still lacks, and
    absolute tolerances by key."""
    def register(fn):
        PROGRAMS[fn.__name__] = dict(fn=fn, source=source, compare=tuple(compare), needs=needs, atol=atol or {})
        return fn
    return register


class Ctx:
    """Shared run context: a scratch folder and the initial weights (recorded under Keras, replayed under gradkit)."""

    def __init__(self, tmp, weights=None):
        self.tmp, self.record = tmp, weights is None
        self.weights, self._i = ([] if weights is None else weights), 0

    def init(self, model, build=None):
        """Record (Keras) or set (gradkit) the weights of the next model or layer built."""
        if build is not None:
            model.build(build)
        if self.record:
            self.weights.append([np.array(w) for w in model.get_weights()])
        else:
            model.set_weights(self.weights[self._i])
        self._i += 1


def arr(x):
    """A numpy array from a Keras or gradkit tensor."""
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


def hist(history, *keys):
    """The given per-epoch history curves as float lists."""
    return {k: [float(v) for v in history.history[k]] for k in keys}


# ---------------------------------------------------------------- synthetic data of the books' shapes

def mnist_like(n, seed=0):
    """(n, 28, 28) float images in [0, 1] and digit labels."""
    r = np.random.default_rng(seed)
    return r.random((n, 28, 28)).astype("float32"), r.integers(0, 10, n)


def imdb_like(n, num_words=10000, seed=0, lo=5, hi=40):
    """Lists of word indices in [1, num_words) of varied length, and binary labels (IMDB's shape)."""
    r = np.random.default_rng(seed)
    seqs = [list(r.integers(1, num_words, r.integers(lo, hi))) for _ in range(n)]
    return seqs, r.integers(0, 2, n)


def jena_like(n=6400, seed=0):
    """A Jena-like (n, 14) float array with a daily cycle, and its temperature column (index 1), as the book reads."""
    r = np.random.default_rng(seed)
    t = np.arange(n)
    raw = 10 * np.sin(2 * np.pi * t[:, None] / 144 + np.arange(14)) + r.normal(0, 1, (n, 14)) + np.arange(14) * 5
    return raw, raw[:, 1].copy()


def image_folder(root, counts, size=(200, 160), seed=0):
    """Class folders of small PNG images (the books' cats/dogs layout), written with Pillow."""
    from PIL import Image
    r = np.random.default_rng(seed)
    for name, count in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(count):
            pixels = r.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{name}.{i}.png")
    return root


def text_folder(root, counts, seed=0):
    """Class folders of short review texts (aclImdb's layout)."""
    r = np.random.default_rng(seed)
    words = "the movie was great bad awful fine plot actor scene boring loved hated".split()
    for name, count in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(count):
            (root / name / f"{i}_{name}.txt").write_text(" ".join(r.choice(words, r.integers(3, 12))))
    return root


# Keras's TensorFlow backend hands an Embedding's gradient to RMSprop as IndexedSlices and squares each duplicate
# slice apart (rows seen twice in a batch step differently from the dense gradient gradkit and PyTorch use); the
# Embedding programs trained with it are compared on their first epoch, before any update.
FIRST_EPOCH = "first epoch only: Keras-TF's RMSprop on an Embedding's sparse gradient differs for repeated rows"


def first_epoch(curves):
    """The first epoch's value of every curve (Keras and gradkit agree before the first update)."""
    return [v[0] for v in curves.values()]


# ---------------------------------------------------------------- DLwP 1st edition

@program("DLwP 1st ed. 5.1 (Sequential MNIST convnet)", compare=("loss", "acc", "test"))
def ed1_mnist_convnet(keras, ctx):
    models, layers = keras.models, keras.layers  # the book: from keras import models, layers
    model = models.Sequential()
    model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation='relu'))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation='relu'))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation='relu'))
    model.add(layers.Dense(10, activation='softmax'))
    ctx.init(model)
    (train_images, train_labels), (test_images, test_labels) = mnist_like(64), mnist_like(32, seed=1)
    train_images = train_images.reshape((64, 28, 28, 1)).astype('float32')
    test_images = test_images.reshape((32, 28, 28, 1)).astype('float32')
    train_labels = keras.utils.to_categorical(train_labels)
    test_labels = keras.utils.to_categorical(test_labels)
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    h = model.fit(train_images, train_labels, epochs=2, batch_size=64, verbose=0)
    test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
    return dict(loss=hist(h, "loss")["loss"], acc=hist(h, "accuracy")["accuracy"], test=[test_loss, test_acc])


@program("DLwP 1st ed. 6.1 (Embedding + Flatten on IMDB, pad_sequences from keras.preprocessing)",
         compare=("first", "x_shape"))
def ed1_embedding_flatten(keras, ctx):
    preprocessing, layers = keras.preprocessing, keras.layers  # the book: from keras import preprocessing
    max_features, maxlen = 10000, 20
    x_train, y_train = imdb_like(40)
    x_train = preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
    model = keras.models.Sequential()
    model.add(layers.Embedding(10000, 8, input_length=maxlen))
    model.add(layers.Flatten())
    model.add(layers.Dense(1, activation='sigmoid'))
    ctx.init(model, build=(None, maxlen))
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['acc'])
    h = model.fit(x_train, y_train, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
    curves = hist(h, "loss", "acc")
    return dict(x_shape=list(x_train.shape), first=first_epoch(curves), **curves)


def _ed1_rnn_imdb(keras, ctx, rnn):
    """DLwP 1st ed. 6.2's IMDB model with the given recurrent layer."""
    layers = keras.layers
    max_features, maxlen = 10000, 50
    input_train, y_train = imdb_like(40, seed=2)
    input_train = keras.preprocessing.sequence.pad_sequences(input_train, maxlen=maxlen)
    model = keras.models.Sequential()
    model.add(layers.Embedding(max_features, 32))
    model.add(rnn(32))
    model.add(layers.Dense(1, activation='sigmoid'))
    ctx.init(model, build=(None, maxlen))
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['acc'])
    h = model.fit(input_train, y_train, epochs=2, batch_size=128, validation_split=0.2, verbose=0)
    curves = hist(h, "loss", "val_loss", "acc", "val_acc")
    return dict(first=[curves["loss"][0], curves["acc"][0]], **curves)


@program("DLwP 1st ed. 6.2 (SimpleRNN on IMDB)", compare=("first",))
def ed1_simplernn_imdb(keras, ctx):
    return _ed1_rnn_imdb(keras, ctx, keras.layers.SimpleRNN)


@program("DLwP 1st ed. 6.2 (LSTM on IMDB)", compare=("first",))
def ed1_lstm_imdb(keras, ctx):
    return _ed1_rnn_imdb(keras, ctx, keras.layers.LSTM)


def jena_generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6):
    """DLwP 1st ed. 6.3's generator, verbatim."""
    if max_index is None:
        max_index = len(data) - delay - 1
    i = min_index + lookback
    while 1:
        if shuffle:
            rows = np.random.randint(min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = np.zeros((len(rows), lookback // step, data.shape[-1]))
        targets = np.zeros((len(rows),))
        for j, row in enumerate(rows):
            indices = range(rows[j] - lookback, rows[j], step)
            samples[j] = data[indices]
            targets[j] = data[rows[j] + delay][1]
        yield samples, targets


def _ed1_jena(keras, ctx, first_layers):
    """DLwP 1st ed. 6.3's Jena set-up (generators without shuffling) and a model after the given first layers."""
    float_data, _ = jena_like(3000)
    mean = float_data[:1200].mean(axis=0)
    float_data -= mean
    std = float_data[:1200].std(axis=0)
    float_data /= std
    lookback, step, delay, batch_size = 240, 6, 144, 128
    train_gen = jena_generator(float_data, lookback=lookback, delay=delay, min_index=0, max_index=1200,
                               shuffle=False, step=step, batch_size=batch_size)
    val_gen = jena_generator(float_data, lookback=lookback, delay=delay, min_index=1201, max_index=2200,
                             step=step, batch_size=batch_size)
    val_steps = (2200 - 1201 - lookback) // batch_size
    model = keras.models.Sequential()
    for layer in first_layers(keras.layers, float_data.shape[-1], lookback // step):
        model.add(layer)
    model.add(keras.layers.Dense(1))
    ctx.init(model)
    model.compile(optimizer=keras.optimizers.RMSprop(), loss='mae')
    # the book's fit_generator is gone from Keras 3: fit takes the generator with the same arguments
    h = model.fit(train_gen, steps_per_epoch=4, epochs=2, validation_data=val_gen, validation_steps=val_steps,
                  verbose=0)
    curves = hist(h, "loss", "val_loss")
    # Keras reads ahead of a Python generator, so its later validation epochs may start at other batches
    return dict(val_loss_first=curves["val_loss"][0], **curves)


@program("DLwP 1st ed. 6.3 (Jena, Flatten + Dense from a generator)", compare=("loss", "val_loss_first"))
def ed1_jena_dense(keras, ctx):
    return _ed1_jena(keras, ctx, lambda layers, features, steps: [
        layers.Flatten(input_shape=(steps, features)), layers.Dense(32, activation='relu')])


@program("DLwP 1st ed. 6.3 (Jena, GRU from a generator)", compare=("loss", "val_loss_first"))
def ed1_jena_gru(keras, ctx):
    return _ed1_jena(keras, ctx, lambda layers, features, steps: [layers.GRU(32, input_shape=(None, features))])


@program("DLwP 1st ed. 6.4 (Conv1D on IMDB)", compare=("first",))
def ed1_conv1d_imdb(keras, ctx):
    layers = keras.layers
    max_features, max_len = 10000, 60
    x_train, y_train = imdb_like(40, seed=3)
    x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=max_len)
    model = keras.models.Sequential()
    model.add(layers.Embedding(max_features, 128, input_length=max_len))
    model.add(layers.Conv1D(32, 7, activation='relu'))
    model.add(layers.MaxPooling1D(5))
    model.add(layers.Conv1D(32, 7, activation='relu'))
    model.add(layers.GlobalMaxPooling1D())
    model.add(layers.Dense(1))
    ctx.init(model, build=(None, max_len))
    # the book's RMSprop(lr=1e-4) is refused by Keras 3: learning_rate is its name there
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-4), loss='binary_crossentropy', metrics=['acc'])
    h = model.fit(x_train, y_train, epochs=2, batch_size=128, validation_split=0.2, verbose=0)
    curves = hist(h, "loss", "acc")
    return dict(first=first_epoch(curves), **curves)


# ---------------------------------------------------------------- DLwP 2nd edition, chapters 8-9 (convnets)

@program("DLwP 2nd ed. 8.1 (functional MNIST convnet)", compare=("loss", "accuracy", "test"))
def ed2_mnist_convnet(keras, ctx):
    layers = keras.layers
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(inputs)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    ctx.init(model)
    (train_images, train_labels), (test_images, test_labels) = mnist_like(64, 4), mnist_like(32, 5)
    train_images = train_images.reshape((64, 28, 28, 1)).astype("float32")
    test_images = test_images.reshape((32, 28, 28, 1)).astype("float32")
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(train_images, train_labels, epochs=2, batch_size=64, verbose=0)
    test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
    return dict(test=[test_loss, test_acc], **hist(h, "loss", "accuracy"))


def cats_dogs_datasets(keras, tmp):
    """DLwP 2nd ed. 8.2's three datasets, from small class folders (every split one batch)."""
    from pathlib import Path
    new_base_dir = Path(tmp) / "cats_vs_dogs_small"
    for subset, n in (("train", 8), ("validation", 4), ("test", 4)):
        image_folder(new_base_dir / subset, {"cat": n // 2, "dog": n // 2}, seed=len(subset))
    image_dataset_from_directory = keras.utils.image_dataset_from_directory
    train_dataset = image_dataset_from_directory(new_base_dir / "train", image_size=(180, 180), batch_size=32)
    validation_dataset = image_dataset_from_directory(new_base_dir / "validation", image_size=(180, 180),
                                                      batch_size=32)
    test_dataset = image_dataset_from_directory(new_base_dir / "test", image_size=(180, 180), batch_size=32)
    return train_dataset, validation_dataset, test_dataset


def _cats_dogs_convnet(keras, x):
    """DLwP 2nd ed. 8.2's five convolution blocks after the rescaling."""
    layers = keras.layers
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=256, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=256, kernel_size=3, activation="relu")(x)
    return layers.Flatten()(x)


@program("DLwP 2nd ed. 8.2 (cats vs dogs from scratch: image_dataset_from_directory, ModelCheckpoint, load_model)",
         compare=("loss", "val_loss", "test_acc", "shapes", "class_names"))
def ed2_cats_dogs_scratch(keras, ctx):
    layers = keras.layers
    train_dataset, validation_dataset, test_dataset = cats_dogs_datasets(keras, ctx.tmp)
    shapes = []
    for data_batch, labels_batch in train_dataset:
        shapes = [list(data_batch.shape), list(labels_batch.shape)]
        break
    inputs = keras.Input(shape=(180, 180, 3))
    x = layers.Rescaling(1./255)(inputs)
    outputs = layers.Dense(1, activation="sigmoid")(_cats_dogs_convnet(keras, x))
    model = keras.Model(inputs=inputs, outputs=outputs)
    ctx.init(model)
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    path = str(ctx.tmp / "convnet_from_scratch.keras")
    callbacks = [keras.callbacks.ModelCheckpoint(filepath=path, save_best_only=True, monitor="val_loss")]
    h = model.fit(train_dataset, epochs=2, validation_data=validation_dataset, callbacks=callbacks, verbose=0)
    test_model = keras.models.load_model(path)
    test_loss, test_acc = test_model.evaluate(test_dataset, verbose=0)
    return dict(shapes=shapes, class_names=list(train_dataset.class_names), test_acc=[test_loss, test_acc],
                **hist(h, "loss", "val_loss"))


@program("DLwP 2nd ed. 8.2 (data augmentation + Dropout; inference compared)", compare=("initial_eval",))
def ed2_cats_dogs_augmented(keras, ctx):
    layers = keras.layers
    train_dataset, validation_dataset, test_dataset = cats_dogs_datasets(keras, ctx.tmp)
    data_augmentation = keras.Sequential(
        [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.2)])
    for images, _ in train_dataset.take(1):
        augmented_images = data_augmentation(images)
        assert tuple(augmented_images.shape) == (8, 180, 180, 3)
    inputs = keras.Input(shape=(180, 180, 3))
    x = data_augmentation(inputs)
    x = layers.Rescaling(1./255)(x)
    x = _cats_dogs_convnet(keras, x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    ctx.init(model)
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    initial = model.evaluate(test_dataset, verbose=0)
    h = model.fit(train_dataset, epochs=1, validation_data=validation_dataset, verbose=0)
    return dict(initial_eval=initial, loss=hist(h, "loss")["loss"])


@program("DLwP 2nd ed. 9.3 (residual blocks on 32x32 images)", compare=("loss", "predictions"))
def ed2_residual_blocks(keras, ctx):
    layers = keras.layers
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Rescaling(1./255)(inputs)

    def residual_block(x, filters, pooling=False):
        residual = x
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        if pooling:
            x = layers.MaxPooling2D(2, padding="same")(x)
            residual = layers.Conv2D(filters, 1, strides=2)(residual)
        elif filters != residual.shape[-1]:
            residual = layers.Conv2D(filters, 1)(residual)
        x = layers.add([x, residual])
        return x

    x = residual_block(x, filters=32, pooling=True)
    x = residual_block(x, filters=64, pooling=True)
    x = residual_block(x, filters=128, pooling=False)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    ctx.init(model)
    r = np.random.default_rng(6)
    images, labels = (r.random((16, 32, 32, 3)) * 255).astype("float32"), r.integers(0, 2, 16)
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    h = model.fit(images, labels, epochs=2, batch_size=32, verbose=0)
    return dict(loss=hist(h, "loss")["loss"], predictions=model.predict(images[:4], verbose=0))


@program("DLwP 2nd ed. 9.3 (mini-Xception: SeparableConv2D, BatchNormalization, residuals; inference compared)",
         compare=("predictions",))
def ed2_mini_xception(keras, ctx):
    layers = keras.layers
    data_augmentation = keras.Sequential(
        [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.2)])
    inputs = keras.Input(shape=(64, 64, 3))  # the book's 180x180, made small: the network is fully convolutional
    x = data_augmentation(inputs)
    x = layers.Rescaling(1./255)(x)
    x = layers.Conv2D(filters=32, kernel_size=5, use_bias=False)(x)
    for size in [32, 64, 128, 256]:
        residual = x
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same", use_bias=False)(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same", use_bias=False)(residual)
        x = layers.add([x, residual])
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    ctx.init(model)
    images = (np.random.default_rng(7).random((4, 64, 64, 3)) * 255).astype("float32")
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    predictions = model.predict(images, verbose=0)
    h = model.fit(images, np.array([0, 1, 0, 1]), epochs=1, batch_size=32, verbose=0)
    return dict(predictions=predictions, loss=hist(h, "loss")["loss"])


# ---------------------------------------------------------------- DLwP 2nd/3rd edition, timeseries

@program("DLwP 2nd ed. 10.2 (timeseries_dataset_from_array on int_sequence)", compare=("printed",))
def ed2_int_sequence(keras, ctx):
    int_sequence = np.arange(10)
    dummy_dataset = keras.utils.timeseries_dataset_from_array(
        data=int_sequence[:-3], targets=int_sequence[3:], sequence_length=3, batch_size=2)
    printed = []
    for inputs, targets in dummy_dataset:
        for i in range(inputs.shape[0]):
            printed.append(([int(x) for x in inputs[i]], int(targets[i])))
    return dict(printed=printed)


def jena_datasets(keras, raw_data, temperature, num_train_samples, num_val_samples):
    """DLwP 2nd/3rd ed.'s train/val/test datasets, verbatim (sampling_rate 6, sequence_length 120, batch 256)."""
    sampling_rate = 6
    sequence_length = 120
    delay = sampling_rate * (sequence_length + 24 - 1)
    batch_size = 256
    common = dict(targets=temperature[delay:], sampling_rate=sampling_rate, sequence_length=sequence_length,
                  shuffle=True, batch_size=batch_size)
    train_dataset = keras.utils.timeseries_dataset_from_array(
        raw_data[:-delay], start_index=0, end_index=num_train_samples, **common)
    val_dataset = keras.utils.timeseries_dataset_from_array(
        raw_data[:-delay], start_index=num_train_samples, end_index=num_train_samples + num_val_samples, **common)
    test_dataset = keras.utils.timeseries_dataset_from_array(
        raw_data[:-delay], start_index=num_train_samples + num_val_samples, **common)
    return train_dataset, val_dataset, test_dataset


def jena(keras):
    """The books' normalisation of the (synthetic) Jena array, then its three datasets."""
    raw_data, temperature = jena_like()
    num_train_samples = int(0.5 * len(raw_data))
    num_val_samples = int(0.25 * len(raw_data))
    mean = raw_data[:num_train_samples].mean(axis=0)
    raw_data -= mean
    std = raw_data[:num_train_samples].std(axis=0)
    raw_data /= std
    return jena_datasets(keras, raw_data, temperature, num_train_samples, num_val_samples), mean, std


@program("DLwP 2nd ed. 10.2 (Jena datasets and the common-sense baseline)", compare=("naive", "shapes", "counts"))
def ed2_jena_naive(keras, ctx):
    (train_dataset, val_dataset, test_dataset), mean, std = jena(keras)
    for samples, targets in train_dataset:
        shapes = [list(samples.shape), list(targets.shape)]
        break

    def evaluate_naive_method(dataset):
        total_abs_err = 0.
        samples_seen = 0
        for samples, targets in dataset:
            preds = arr(samples)[:, -1, 1] * std[1] + mean[1]
            total_abs_err += np.sum(np.abs(preds - arr(targets)))
            samples_seen += samples.shape[0]
        return total_abs_err / samples_seen

    counts = [sum(int(s.shape[0]) for s, _ in ds) for ds in (train_dataset, val_dataset, test_dataset)]
    return dict(shapes=shapes, counts=counts, naive=[evaluate_naive_method(val_dataset),
                                                     evaluate_naive_method(test_dataset)])


def _jena_model(keras, ctx, body, optimizer, epochs=1):
    """The books' Jena training loop: ModelCheckpoint, fit on the datasets, load the best, evaluate on test."""
    (train_dataset, val_dataset, test_dataset), _, _ = jena(keras)
    inputs = keras.Input(shape=(120, 14))
    outputs = keras.layers.Dense(1)(body(keras.layers, inputs))
    model = keras.Model(inputs, outputs)
    ctx.init(model)
    path = str(ctx.tmp / "jena.keras")
    callbacks = [keras.callbacks.ModelCheckpoint(path, save_best_only=True)]
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    initial_test = model.evaluate(test_dataset, verbose=0)
    history = model.fit(train_dataset, epochs=epochs, validation_data=val_dataset, callbacks=callbacks, verbose=0)
    model = keras.models.load_model(path)
    return dict(initial_test=initial_test, test_mae=model.evaluate(test_dataset, verbose=0)[1],
                **hist(history, "loss", "val_mae"))


@program("DLwP 3rd ed. 13 (Jena dense baseline, adam)", compare=("initial_test",))
def ed3_jena_dense(keras, ctx):
    return _jena_model(keras, ctx, lambda layers, x: layers.Dense(16, activation="relu")(layers.Flatten()(x)), "adam")


@program("DLwP 3rd ed. 13 (Jena 1D convnet, adam)", compare=("initial_test",))
def ed3_jena_conv1d(keras, ctx):
    def body(layers, inputs):
        x = layers.Conv1D(8, 24, activation="relu")(inputs)
        x = layers.MaxPooling1D(2)(x)
        x = layers.Conv1D(8, 12, activation="relu")(x)
        x = layers.MaxPooling1D(2)(x)
        x = layers.Conv1D(8, 6, activation="relu")(x)
        return layers.GlobalAveragePooling1D()(x)
    return _jena_model(keras, ctx, body, "adam")


@program("DLwP 2nd ed. 10.3 (Jena LSTM(16), rmsprop)", compare=("initial_test",))
def ed2_jena_lstm(keras, ctx):
    return _jena_model(keras, ctx, lambda layers, x: layers.LSTM(16)(x), "rmsprop")


@program("DLwP 2nd ed. 10.4 (Jena LSTM with recurrent_dropout + Dropout)", compare=("initial_test",))
def ed2_jena_recurrent_dropout(keras, ctx):
    return _jena_model(keras, ctx, lambda layers, x: layers.Dropout(0.5)(layers.LSTM(32, recurrent_dropout=0.25)(x)),
                       "rmsprop")


@program("DLwP 2nd ed. 10.4 (Jena stacked GRU with recurrent_dropout)", compare=("initial_test",))
def ed2_jena_stacked_gru(keras, ctx):
    def body(layers, inputs):
        x = layers.GRU(32, recurrent_dropout=0.5, return_sequences=True)(inputs)
        x = layers.GRU(32, recurrent_dropout=0.5)(x)
        return layers.Dropout(0.5)(x)
    return _jena_model(keras, ctx, body, "rmsprop")


@program("DLwP 2nd ed. 10.4 (Jena Bidirectional LSTM)", compare=("initial_test",))
def ed2_jena_bidirectional(keras, ctx):
    return _jena_model(keras, ctx, lambda layers, x: layers.Bidirectional(layers.LSTM(16))(x), "rmsprop")


# ---------------------------------------------------------------- DLwP 2nd edition, chapter 11 (text)

def imdb_text_datasets(keras, tmp):
    """DLwP 2nd ed. 11.3's aclImdb train/val/test datasets from small folders of reviews."""
    for subset, n in (("train", 12), ("val", 6), ("test", 6)):
        text_folder(tmp / "aclImdb" / subset, {"neg": n // 2, "pos": n // 2}, seed=n)
    batch_size = 32
    train_ds = keras.utils.text_dataset_from_directory(str(tmp / "aclImdb" / "train"), batch_size=batch_size)
    val_ds = keras.utils.text_dataset_from_directory(str(tmp / "aclImdb" / "val"), batch_size=batch_size)
    test_ds = keras.utils.text_dataset_from_directory(str(tmp / "aclImdb" / "test"), batch_size=batch_size)
    return train_ds, val_ds, test_ds


@program("DLwP 2nd ed. 11.3 (text_dataset_from_directory, the first batch printed)", compare=("first", "texts"))
def ed2_text_dataset(keras, ctx):
    train_ds, _, _ = imdb_text_datasets(keras, ctx.tmp)
    for inputs, targets in train_ds:
        first = [list(inputs.shape), str(np.asarray(targets).dtype), len(train_ds.class_names)]
        break
    texts = sorted((t.decode() if isinstance(t, bytes) else str(t), int(y))
                   for x, ys in train_ds for t, y in zip(arr(x).tolist(), arr(ys).tolist()))
    return dict(first=first, texts=texts)


@program("DLwP 2nd ed. 11.3 (bag of words: TextVectorization multi_hot + Dense)", compare=("initial_eval",),
         needs="TextVectorization (not in gradkit)")
def ed2_bag_of_words(keras, ctx):
    layers = keras.layers
    train_ds, val_ds, test_ds = imdb_text_datasets(keras, ctx.tmp)
    text_vectorization = layers.TextVectorization(max_tokens=20000, output_mode="multi_hot")
    text_only_train_ds = train_ds.map(lambda x, y: x)
    text_vectorization.adapt(text_only_train_ds)
    binary_1gram_train_ds = train_ds.map(lambda x, y: (text_vectorization(x), y), num_parallel_calls=4)
    binary_1gram_test_ds = test_ds.map(lambda x, y: (text_vectorization(x), y), num_parallel_calls=4)

    def get_model(max_tokens=20000, hidden_dim=16):
        inputs = keras.Input(shape=(max_tokens,))
        x = layers.Dense(hidden_dim, activation="relu")(inputs)
        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(1, activation="sigmoid")(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
        return model

    model = get_model(max_tokens=text_vectorization.vocabulary_size())  # the tiny corpus has < 20000 words
    ctx.init(model)
    initial = model.evaluate(binary_1gram_test_ds, verbose=0)
    model.fit(binary_1gram_train_ds, epochs=1, verbose=0)
    return dict(initial_eval=initial)


@program("DLwP 2nd ed. 11.3 (Embedding mask_zero + Bidirectional LSTM; inference compared)",
         compare=("predictions",))
def ed2_bidirectional_masked(keras, ctx):
    layers = keras.layers
    max_tokens, max_length = 20000, 30
    seqs, labels = imdb_like(32, num_words=max_tokens, seed=8, lo=3, hi=30)
    x = keras.utils.pad_sequences(seqs, maxlen=max_length, padding="post")
    inputs = keras.Input(shape=(None,), dtype="int64")
    embedded = layers.Embedding(input_dim=max_tokens, output_dim=256, mask_zero=True)(inputs)
    x_ = layers.Bidirectional(layers.LSTM(32))(embedded)
    x_ = layers.Dropout(0.5)(x_)
    outputs = layers.Dense(1, activation="sigmoid")(x_)
    model = keras.Model(inputs, outputs)
    ctx.init(model)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    predictions = model.predict(x[:8], verbose=0)
    h = model.fit(x, labels, epochs=1, batch_size=32, verbose=0)
    return dict(predictions=predictions, loss=hist(h, "loss")["loss"])


@program("DLwP 2nd ed. 11.4 (TransformerEncoder layer with MultiHeadAttention)", compare=("predictions",),
         needs="MultiHeadAttention (not in gradkit)")
def ed2_transformer_encoder(keras, ctx):
    layers = keras.layers

    class TransformerEncoder(layers.Layer):
        def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
            super().__init__(**kwargs)
            self.embed_dim, self.dense_dim, self.num_heads = embed_dim, dense_dim, num_heads
            self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.dense_proj = keras.Sequential(
                [layers.Dense(dense_dim, activation="relu"), layers.Dense(embed_dim)])
            self.layernorm_1 = layers.LayerNormalization()
            self.layernorm_2 = layers.LayerNormalization()

        def call(self, inputs, mask=None):
            attention_output = self.attention(inputs, inputs)
            proj_input = self.layernorm_1(inputs + attention_output)
            proj_output = self.dense_proj(proj_input)
            return self.layernorm_2(proj_input + proj_output)

    vocab_size, embed_dim, num_heads, dense_dim = 20000, 256, 2, 32
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(vocab_size, embed_dim)(inputs)
    x = TransformerEncoder(embed_dim, dense_dim, num_heads)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    ctx.init(model)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    x_ = keras.utils.pad_sequences(imdb_like(8, vocab_size, seed=9)[0], maxlen=20)
    return dict(predictions=model.predict(x_, verbose=0))


# ---------------------------------------------------------------- keras.io: the RNN guide

@program("keras.io RNN guide (Embedding + LSTM(128) + Dense(10))", compare=("predictions", "summary"))
def rnn_guide_lstm(keras, ctx):
    layers = keras.layers
    model = keras.Sequential()
    model.add(layers.Embedding(input_dim=1000, output_dim=64))
    model.add(layers.LSTM(128))
    model.add(layers.Dense(10))
    ctx.init(model, build=(None, 12))
    x = np.random.default_rng(10).integers(0, 1000, (4, 12))
    return dict(predictions=model.predict(x, verbose=0), summary=[model.count_params()])


@program("keras.io RNN guide (GRU return_sequences + SimpleRNN)", compare=("predictions", "params"))
def rnn_guide_gru_simplernn(keras, ctx):
    layers = keras.layers
    model = keras.Sequential()
    model.add(layers.Embedding(input_dim=1000, output_dim=64))
    model.add(layers.GRU(256, return_sequences=True))
    model.add(layers.SimpleRNN(128))
    model.add(layers.Dense(10))
    ctx.init(model, build=(None, 12))
    x = np.random.default_rng(11).integers(0, 1000, (4, 12))
    return dict(predictions=model.predict(x, verbose=0), params=[model.count_params()])


@program("keras.io RNN guide (encoder-decoder: return_state, initial_state)", compare=("predictions", "params"))
def rnn_guide_encoder_decoder(keras, ctx):
    layers = keras.layers
    encoder_vocab = 1000
    decoder_vocab = 2000
    encoder_input = layers.Input(shape=(None,))
    encoder_embedded = layers.Embedding(input_dim=encoder_vocab, output_dim=64)(encoder_input)
    output, state_h, state_c = layers.LSTM(64, return_state=True, name="encoder")(encoder_embedded)
    encoder_state = [state_h, state_c]
    decoder_input = layers.Input(shape=(None,))
    decoder_embedded = layers.Embedding(input_dim=decoder_vocab, output_dim=64)(decoder_input)
    decoder_output = layers.LSTM(64, name="decoder")(decoder_embedded, initial_state=encoder_state)
    output = layers.Dense(10)(decoder_output)
    model = keras.Model([encoder_input, decoder_input], output)
    ctx.init(model)
    r = np.random.default_rng(12)
    x = [r.integers(0, 1000, (4, 7)), r.integers(0, 2000, (4, 5))]
    return dict(predictions=model.predict(x, verbose=0), params=[model.count_params()])


@program("keras.io RNN guide (stateful LSTM over sub-sequences, reset_states, states as initial_state)",
         compare=("outputs",))
def rnn_guide_stateful(keras, ctx):
    layers = keras.layers
    r = np.random.default_rng(13)
    paragraph1, paragraph2, paragraph3 = (r.random((20, 10, 50)).astype(np.float32) for _ in range(3))
    lstm_layer = layers.LSTM(64, stateful=True)
    ctx.init(lstm_layer, build=paragraph1.shape)
    output = lstm_layer(paragraph1)
    output = lstm_layer(paragraph2)
    output = lstm_layer(paragraph3)
    outputs = [arr(output)]
    existing_state = lstm_layer.states
    new_lstm_layer = layers.LSTM(64)
    ctx.init(new_lstm_layer, build=paragraph3.shape)
    outputs.append(arr(new_lstm_layer(paragraph3, initial_state=existing_state)))
    lstm_layer.reset_states()
    outputs.append(arr(lstm_layer(paragraph1)))
    return dict(outputs=outputs)


@program("keras.io RNN guide (Bidirectional LSTMs)", compare=("predictions", "params"))
def rnn_guide_bidirectional(keras, ctx):
    layers = keras.layers
    model = keras.Sequential()
    model.add(layers.Bidirectional(layers.LSTM(64, return_sequences=True), input_shape=(5, 10)))
    model.add(layers.Bidirectional(layers.LSTM(32)))
    model.add(layers.Dense(10))
    ctx.init(model)
    x = np.random.default_rng(14).random((4, 5, 10)).astype("float32")
    return dict(predictions=model.predict(x, verbose=0), params=[model.count_params()])


@program("keras.io RNN guide (RNN(LSTMCell) on MNIST rows, BatchNormalization, from_logits loss)",
         compare=("loss", "val_loss", "accuracy"))
def rnn_guide_lstm_cell(keras, ctx):
    batch_size, input_dim, units, output_size = 64, 28, 64, 10

    def build_model(allow_cudnn_kernel=True):
        if allow_cudnn_kernel:
            lstm_layer = keras.layers.LSTM(units, input_shape=(None, input_dim))
        else:
            lstm_layer = keras.layers.RNN(keras.layers.LSTMCell(units), input_shape=(None, input_dim))
        return keras.models.Sequential([lstm_layer, keras.layers.BatchNormalization(),
                                        keras.layers.Dense(output_size)])

    (x_train, y_train), (x_test, y_test) = mnist_like(64, 15), mnist_like(16, 16)
    model = build_model(allow_cudnn_kernel=False)
    ctx.init(model)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="sgd",
                  metrics=["accuracy"])
    h = model.fit(x_train, y_train, validation_data=(x_test, y_test), batch_size=batch_size, epochs=2, verbose=0)
    return hist(h, "loss", "val_loss", "accuracy")


# ---------------------------------------------------------------- keras.io: the masking and padding guide

@program("keras.io masking guide (pad_sequences, Embedding mask_zero, Masking, _keras_mask)",
         compare=("padded", "embedding_mask", "masking_mask"))
def masking_guide_masks(keras, ctx):
    layers = keras.layers
    raw_inputs = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]]
    padded_inputs = keras.utils.pad_sequences(raw_inputs, padding="post")
    embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
    masked_output = embedding(padded_inputs)
    masking_layer = layers.Masking()
    unmasked_embedding = np.tile(np.expand_dims(padded_inputs, axis=-1), [1, 1, 10]).astype("float32")
    masked_embedding = masking_layer(unmasked_embedding)
    return dict(padded=padded_inputs, embedding_mask=arr(masked_output._keras_mask),
                masking_mask=arr(masked_embedding._keras_mask))


@program("keras.io masking guide (mask through Sequential and functional LSTM models)", compare=("sequential",
                                                                                               "functional"))
def masking_guide_models(keras, ctx):
    layers = keras.layers
    model = keras.Sequential([layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True), layers.LSTM(32)])
    ctx.init(model, build=(None, 6))
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs)
    outputs = layers.LSTM(32)(x)
    functional = keras.Model(inputs, outputs)
    ctx.init(functional)
    padded = keras.utils.pad_sequences([[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]],
                                       padding="post")
    return dict(sequential=model.predict(padded, verbose=0), functional=functional.predict(padded, verbose=0))


@program("keras.io masking guide (TemporalSplit, CustomEmbedding, supports_masking, TemporalSoftmax)",
         compare=("split_masks", "custom_mask", "softmax"))
def masking_guide_custom_layers(keras, ctx):
    layers, ops = keras.layers, keras.ops

    class TemporalSplit(keras.layers.Layer):
        """Split the input tensor into 2 tensors along the time dimension."""

        def call(self, inputs):
            return ops.split(inputs, 2, axis=1)

        def compute_mask(self, inputs, mask=None):
            if mask is None:
                return None
            return ops.split(mask, 2, axis=1)

    first_half, second_half = TemporalSplit()(
        keras.layers.Embedding(input_dim=10, output_dim=3, mask_zero=True)(
            np.array([[1, 2, 0, 0], [3, 0, 0, 0]])))

    class CustomEmbedding(keras.layers.Layer):
        def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
            super().__init__(**kwargs)
            self.input_dim, self.output_dim, self.mask_zero = input_dim, output_dim, mask_zero
            self.embeddings = self.add_weight(shape=(input_dim, output_dim), initializer="random_normal",
                                              dtype="float32")

        def call(self, inputs):
            inputs = ops.cast(inputs, "int32")
            return ops.take(self.embeddings, inputs)

        def compute_mask(self, inputs, mask=None):
            if not self.mask_zero:
                return None
            return ops.not_equal(inputs, 0)

    layer = CustomEmbedding(10, 32, mask_zero=True)
    x = np.random.default_rng(17).integers(0, 10, (3, 10))
    custom_mask = layer.compute_mask(x)

    class MyActivation(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs):
            return ops.relu(inputs)

    class TemporalSoftmax(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            assert mask is not None
            broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
            inputs_exp = ops.exp(inputs) * broadcast_float_mask
            inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
            return inputs_exp / inputs_sum

    inputs = keras.Input(shape=(None,), dtype="int32")
    y = layers.Embedding(input_dim=10, output_dim=32, mask_zero=True)(inputs)
    y = MyActivation()(y)
    y = layers.Dense(1)(y)
    outputs = TemporalSoftmax()(y)
    model = keras.Model(inputs, outputs)
    ctx.init(model)
    tokens = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    softmax = model.predict(tokens, verbose=0)
    softmax = np.where(tokens[..., None] != 0, softmax, -1.0)  # the guide's 0/0 at masked steps is nan in Keras too
    return dict(split_masks=[arr(first_half._keras_mask), arr(second_half._keras_mask)], custom_mask=arr(custom_mask),
                softmax=softmax)


# ---------------------------------------------------------------- keras.io examples

@program("keras.io addition_rnn (LSTM, RepeatVector, 3-D accuracy)",
         compare=("loss", "accuracy", "val_loss", "val_accuracy"),
         atol={"accuracy": 1.5 / 128, "val_accuracy": 1.5 / 12})  # a near-tie argmax may flip: one of 128 (or 12)
def addition_rnn(keras, ctx):
    layers = keras.layers
    DIGITS, MAXLEN, chars = 3, 3 + 1 + 3, "0123456789+ "
    r = np.random.default_rng(18)
    x = np.zeros((35, MAXLEN, len(chars)), dtype=bool)
    y = np.zeros((35, DIGITS + 1, len(chars)), dtype=bool)
    x[np.arange(35)[:, None], np.arange(MAXLEN), r.integers(0, len(chars), (35, MAXLEN))] = True
    y[np.arange(35)[:, None], np.arange(DIGITS + 1), r.integers(0, len(chars), (35, DIGITS + 1))] = True
    split_at = len(x) - len(x) // 10
    (x_train, x_val), (y_train, y_val) = (x[:split_at], x[split_at:]), (y[:split_at], y[split_at:])
    num_layers = 1
    model = keras.Sequential()
    model.add(layers.LSTM(128, input_shape=(MAXLEN, len(chars))))
    model.add(layers.RepeatVector(DIGITS + 1))
    for _ in range(num_layers):
        model.add(layers.LSTM(128, return_sequences=True))
    model.add(layers.Dense(len(chars), activation="softmax"))
    ctx.init(model)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    h = model.fit(x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val), verbose=0)
    return hist(h, "loss", "accuracy", "val_loss", "val_accuracy")


@program("keras.io siamese_contrastive (shared tower, Lambda distance, contrastive loss)",
         compare=("loss", "val_loss", "accuracy"))
def siamese_contrastive(keras, ctx):
    layers, ops = keras.layers, keras.ops
    r = np.random.default_rng(19)
    x_train_1, x_train_2 = r.random((16, 28, 28)).astype("float32"), r.random((16, 28, 28)).astype("float32")
    labels_train = r.integers(0, 2, 16).astype("float32")
    x_val_1, x_val_2, labels_val = x_train_1[:8], x_train_2[::-1][:8], labels_train[::-1][:8]

    def euclidean_distance(vects):
        x, y = vects
        sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
        return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))

    input = keras.layers.Input((28, 28, 1))
    x = keras.layers.BatchNormalization()(input)
    x = keras.layers.Conv2D(4, (5, 5), activation="tanh")(x)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Conv2D(16, (5, 5), activation="tanh")(x)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(10, activation="tanh")(x)
    embedding_network = keras.Model(input, x)
    input_1 = keras.layers.Input((28, 28, 1))
    input_2 = keras.layers.Input((28, 28, 1))
    tower_1 = embedding_network(input_1)
    tower_2 = embedding_network(input_2)
    merge_layer = keras.layers.Lambda(euclidean_distance, output_shape=(1,))([tower_1, tower_2])
    normal_layer = keras.layers.BatchNormalization()(merge_layer)
    output_layer = keras.layers.Dense(1, activation="sigmoid")(normal_layer)
    siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
    ctx.init(siamese)

    def loss(margin=1):
        def contrastive_loss(y_true, y_pred):
            square_pred = ops.square(y_pred)
            margin_square = ops.square(ops.maximum(margin - (y_pred), 0))
            return ops.mean((1 - y_true) * square_pred + (y_true) * margin_square)
        return contrastive_loss

    siamese.compile(loss=loss(margin=1), optimizer="RMSprop", metrics=["accuracy"])
    h = siamese.fit([x_train_1, x_train_2], labels_train, validation_data=([x_val_1, x_val_2], labels_val),
                    batch_size=16, epochs=2, verbose=0)
    return hist(h, "loss", "val_loss", "accuracy")


@program("keras.io autoencoder (Conv2D + Conv2DTranspose denoiser)", compare=("loss", "val_loss"))
def conv_autoencoder(keras, ctx):
    layers = keras.layers
    r = np.random.default_rng(20)
    train_data, test_data = r.random((32, 28, 28, 1)).astype("float32"), r.random((16, 28, 28, 1)).astype("float32")
    input = layers.Input(shape=(28, 28, 1))
    # Encoder
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    # Decoder
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    autoencoder = keras.Model(input, x)
    ctx.init(autoencoder)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    h = autoencoder.fit(x=train_data, y=train_data, epochs=2, batch_size=128, shuffle=True,
                        validation_data=(test_data, test_data), verbose=0)
    return hist(h, "loss", "val_loss")


@program("keras.io timeseries_classification_from_scratch (Conv1D/BN/ReLU, callbacks, validation_split)",
         compare=("loss", "val_loss", "sparse_categorical_accuracy", "test"))
def timeseries_classification(keras, ctx):
    r = np.random.default_rng(21)
    x_train = r.normal(size=(40, 50)).reshape((40, 50, 1))
    y_train = r.integers(0, 2, 40)
    x_test, y_test = r.normal(size=(16, 50)).reshape((16, 50, 1)), r.integers(0, 2, 16)
    num_classes = len(np.unique(y_train))
    idx = np.random.RandomState(0).permutation(len(x_train))
    x_train, y_train = x_train[idx], y_train[idx]

    def make_model(input_shape):
        input_layer = keras.layers.Input(input_shape)
        conv1 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
        conv1 = keras.layers.BatchNormalization()(conv1)
        conv1 = keras.layers.ReLU()(conv1)
        conv2 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv1)
        conv2 = keras.layers.BatchNormalization()(conv2)
        conv2 = keras.layers.ReLU()(conv2)
        conv3 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv2)
        conv3 = keras.layers.BatchNormalization()(conv3)
        conv3 = keras.layers.ReLU()(conv3)
        gap = keras.layers.GlobalAveragePooling1D()(conv3)
        output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
        return keras.models.Model(inputs=input_layer, outputs=output_layer)

    model = make_model(input_shape=x_train.shape[1:])
    ctx.init(model)
    epochs, batch_size = 2, 32
    path = str(ctx.tmp / "best_model.keras")
    callbacks = [
        keras.callbacks.ModelCheckpoint(path, save_best_only=True, monitor="val_loss"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=20, min_lr=0.0001),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=50, verbose=0),
    ]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
    h = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, callbacks=callbacks, validation_split=0.2,
                  verbose=0)
    model = keras.models.load_model(path)
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    return dict(test=[test_loss, test_acc], **hist(h, "loss", "val_loss", "sparse_categorical_accuracy"))
