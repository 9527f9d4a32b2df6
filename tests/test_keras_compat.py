"""Keras code runs after changing only its imports: ``import gradkit as keras`` and the course's idioms."""
import numpy as np

import gradkit
import gradkit as keras
from gradkit import layers


def test_import_gradkit_as_keras_serves_the_keras_namespace():
    for name in ("Sequential", "Model", "Input", "layers", "optimizers", "losses", "metrics", "callbacks",
                 "initializers", "utils", "datasets"):
        assert getattr(keras, name) is not None, name
    assert keras.Sequential is gradkit.models.Sequential and keras.Model is gradkit.models.Model
    assert keras.callbacks.EarlyStopping is gradkit.training.callbacks.EarlyStopping
    assert callable(keras.utils.to_categorical) and callable(keras.models.load_model)


def _vectorize_sequences(sequences, dimension=300):
    # verbatim from Chollet, Deep Learning with Python (2nd ed.), listing 4.3, with a smaller dimension
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        for j in sequence:
            results[i, j] = 1.
    return results


def _synthetic_imdb(n, rng, dimension=300):
    """Reviews as word-index lists; label 1 when 'good' words (index < 20) outnumber 'bad' ones (20..39)."""
    seqs, labels = [], []
    for _ in range(n):
        seq = rng.integers(40, dimension, size=rng.integers(10, 30)).tolist()
        good, bad = rng.integers(0, 8, size=2)
        seq += rng.integers(1, 20, size=good).tolist() + rng.integers(20, 40, size=bad).tolist()
        seqs.append(seq)
        labels.append(int(good > bad))
    return seqs, np.array(labels)


def test_chollet_imdb_code_runs_with_only_imports_changed():
    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    train_data, train_labels = _synthetic_imdb(900, rng)
    test_data, test_labels = _synthetic_imdb(300, rng)

    # ---- from here: the book's code, unchanged except `dimension`, the sizes and batch_size ----
    x_train = _vectorize_sequences(train_data)
    x_test = _vectorize_sequences(test_data)
    y_train = np.asarray(train_labels).astype("float32")
    y_test = np.asarray(test_labels).astype("float32")

    model = keras.Sequential([
        layers.Dense(16, activation="relu"),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid")
    ])
    model.compile(optimizer="rmsprop",
                  loss="binary_crossentropy",
                  metrics=["accuracy"])
    x_val = x_train[:300]
    partial_x_train = x_train[300:]
    y_val = y_train[:300]
    partial_y_train = y_train[300:]
    history = model.fit(partial_x_train,
                        partial_y_train,
                        epochs=20,
                        batch_size=64,
                        validation_data=(x_val, y_val),
                        verbose=0)
    history_dict = history.history
    loss_values = history_dict["loss"]
    val_loss_values = history_dict["val_loss"]
    epochs = range(1, len(loss_values) + 1)
    results = model.evaluate(x_test, y_test, verbose=0)
    predictions = model.predict(x_test, verbose=0)
    # ---- end of the book's code ----

    assert list(history_dict) == ["accuracy", "loss", "val_accuracy", "val_loss"]  # sorted, as Keras 3 (TF) gives them
    assert len(epochs) == 20 and len(val_loss_values) == 20
    assert loss_values[-1] < loss_values[0]
    assert isinstance(results, list) and len(results) == 2 and results[1] > 0.75
    assert predictions.shape == (300, 1) and predictions.dtype == np.float32


def test_course_idioms_functions_as_loss_and_metrics():
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential()
    model.add(keras.layers.Dense(4, activation="tanh", input_shape=(2,)))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
                  loss=keras.losses.binary_crossentropy, metrics=[keras.metrics.binary_accuracy])
    history = model.fit(x, y, epochs=2, batch_size=None, verbose=0)
    assert set(history.history) == {"loss", "binary_accuracy"}
    w, b = model.layers[0].get_weights()
    assert w.shape == (2, 4) and b.shape == (4,)
    model.compile(optimizer="sgd", loss=keras.losses.MSE)
    assert isinstance(model.evaluate(x, y, verbose=0), float)


def test_subclassed_model_trains_like_the_same_sequential():
    class TwoLayer(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(1)

        def call(self, inputs):
            return self.out(self.hidden(inputs))
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    sub = TwoLayer()
    assert isinstance(sub, TwoLayer) and isinstance(sub, keras.Model)
    sub.compile(optimizer="sgd", loss="mse")
    sub.predict(x[:1], verbose=0)  # builds
    seq = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(1)])
    seq.compile(optimizer="sgd", loss="mse")
    seq.build((None, 3))
    seq.set_weights(sub.get_weights())
    keras.utils.set_random_seed(1)
    h_sub = sub.fit(x, y, epochs=2, batch_size=8, verbose=0).history["loss"]
    keras.utils.set_random_seed(1)
    h_seq = seq.fit(x, y, epochs=2, batch_size=8, verbose=0).history["loss"]
    np.testing.assert_allclose(h_sub, h_seq, rtol=1e-6)
    assert [l.name for l in sub.layers] == [sub.hidden.name, sub.out.name]
