"""Bad input gets one clear gradkit error (never a bare numpy traceback); a diverging run stops in one line."""
import warnings

import numpy as np
import pytest

from gradkit import optimizers
from gradkit.errors import ConfigError, DataError, GradkitError, ShapeError, TrainingError
from gradkit.layers import Dense
from gradkit.models import Sequential


def _model(loss="mse", n_in=13, units=1, activation=None, metrics=None):
    model = Sequential([Dense(8, input_shape=(n_in,), activation="relu"), Dense(units, activation=activation)])
    model.compile("sgd", loss, metrics=metrics)
    return model


def test_fit_before_compile():
    model = Sequential([Dense(1)])
    with pytest.raises(TrainingError, match="compile"):
        model.fit(np.ones((4, 2)), np.ones(4), verbose=0)


def test_length_mismatch():
    with pytest.raises(DataError, match="same number of samples.*404.*403"):
        _model().fit(np.ones((404, 13)), np.ones(403), verbose=0)


def test_feature_count_names_layer_and_shapes():
    model = _model()
    with pytest.raises(ShapeError, match=r"layer 'dense\w*' expects inputs with 13 features, got 12 \(x has shape \(404, 12\)\)"):
        model.fit(np.ones((404, 12)), np.ones(404), verbose=0)
    with pytest.raises(ShapeError, match="13 features, got 12"):
        model.predict(np.ones((2, 12)), verbose=0)


def test_integer_labels_with_categorical_crossentropy_suggest_sparse():
    model = _model("categorical_crossentropy", units=3, activation="softmax")
    with pytest.raises(DataError, match="sparse_categorical_crossentropy"):
        model.fit(np.ones((6, 13)), np.array([0, 1, 2, 0, 1, 2]), verbose=0)


def test_one_hot_labels_with_sparse_loss_suggest_categorical():
    model = _model("sparse_categorical_crossentropy", units=3, activation="softmax")
    with pytest.raises(DataError, match="use loss='categorical_crossentropy'"):
        model.fit(np.ones((3, 13)), np.eye(3), verbose=0)


@pytest.mark.parametrize("kind, kwargs", [("optimizer", {"optimizer": "adamm", "loss": "mse"}),
                                          ("loss", {"optimizer": "sgd", "loss": "mse2"})])
def test_unknown_names_list_valid_ones(kind, kwargs):
    model = Sequential([Dense(1)])
    with pytest.raises(ConfigError, match="valid"):
        model.compile(**kwargs)


def test_unknown_metric_lists_valid_names():
    with pytest.raises(ConfigError, match="unknown metric 'acuracy'; valid names: accuracy"):
        _model(metrics=["acuracy"])  # at compile, before any data is read


@pytest.mark.parametrize("where", ["x", "y"])
def test_nan_or_inf_in_data(where):
    x, y = np.ones((5, 13)), np.ones(5)
    (x if where == "x" else y)[2] = np.nan if where == "x" else np.inf
    with pytest.raises(DataError, match=f"{where} contains"):
        _model().fit(x, y, verbose=0)


def test_non_numeric_and_bad_arguments():
    model = _model()
    with pytest.raises(DataError, match="numeric"):
        model.fit(np.array([["a"] * 13] * 2), np.ones(2), verbose=0)
    with pytest.raises(ConfigError, match="sampling"):
        model.fit(np.ones((4, 13)), np.ones(4), sampling="randm", verbose=0)
    with pytest.raises(ConfigError, match="epoch_loss"):
        model.fit(np.ones((4, 13)), np.ones(4), epoch_loss="last", verbose=0)
    with pytest.raises(ConfigError, match="batch_size"):
        model.fit(np.ones((4, 13)), np.ones(4), batch_size=0, verbose=0)


def test_diverging_loss_stops_with_one_line_suggesting_smaller_learning_rate(float64):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 2)) * 10, rng.normal(size=50) * 100
    model = Sequential([Dense(1)])
    model.compile(optimizers.SGD(learning_rate=5.0), "mse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, batch_size="full", epochs=1000, verbose=0)
    msgs = [str(w.message) for w in caught]
    assert len(msgs) == 1 and "\n" not in msgs[0]
    assert "learning rate (5)" in msgs[0] and "smaller" in msgs[0]
    assert len(history.history["loss"]) < 1000
    assert not np.isfinite(history.history["loss"][-1])
    assert model.stop_training


def test_errors_are_gradkit_errors():
    assert issubclass(DataError, GradkitError) and issubclass(ShapeError, ValueError)
