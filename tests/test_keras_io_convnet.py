"""keras.io's "Simple MNIST convnet" runs with only its imports changed (and smaller data and epochs)."""
import numpy as np

import gradkit
import gradkit.datasets.mnist


def _learnable_digits(n, rng):
    """uint8 28x28 images whose class is a bright 6x6 patch at one of 10 places, over noise; labels 0-9."""
    y = rng.integers(0, 10, n).astype("uint8")
    x = rng.integers(0, 60, (n, 28, 28)).astype("uint8")
    for i, c in enumerate(y):
        r, col = 2 + 12 * (c // 5), 2 + 5 * (c % 5)
        x[i, r:r + 6, col:col + 6] = 255
    return x, y


def test_keras_io_simple_mnist_convnet_runs_with_only_imports_changed(monkeypatch, capsys):
    rng = np.random.default_rng(0)
    monkeypatch.setattr(gradkit.datasets.mnist, "load_data",
                        lambda path="mnist.npz": (_learnable_digits(600, rng), _learnable_digits(200, rng)))
    gradkit.utils.set_random_seed(0)

    # ---- from here: https://keras.io/examples/vision/mnist_convnet/, only the imports and `epochs` changed ----
    import gradkit as keras
    from gradkit import layers

    # Model / data parameters
    num_classes = 10
    input_shape = (28, 28, 1)

    # Load the data and split it between train and test sets
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

    # Scale images to the [0, 1] range
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    # Make sure images have shape (28, 28, 1)
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    print("x_train shape:", x_train.shape)
    print(x_train.shape[0], "train samples")
    print(x_test.shape[0], "test samples")

    # convert class vectors to binary class matrices
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )

    model.summary()

    batch_size = 128
    epochs = 4

    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)

    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
    # ---- end of the keras.io code ----

    out = capsys.readouterr().out
    assert "x_train shape: (600, 28, 28, 1)" in out and "Test accuracy:" in out
    assert "34,826" in out  # the parameter count keras.io's summary shows
    assert model.count_params() == 34826
    assert score[1] > 0.9  # the patch's place gives the class away
