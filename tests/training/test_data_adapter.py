"""Data checked once where it enters fit / evaluate / predict: the same gradkit error compiled or eager, whatever
batch holds the bad value, and nothing trained before it is raised."""
import numpy as np
import pytest

from gradkit import backend, callbacks
from gradkit.errors import ConfigError, ConfigTypeError, DataError, ShapeError
from gradkit.layers import Dense, Embedding, Flatten, Input
from gradkit.models import Model, Sequential

R = np.random.default_rng(8)
N = 40  # batch_size 4: the 8th batch holds samples 28..31
LATE = 29
X = R.standard_normal((N, 4)).astype(np.float32)
Y_INT = R.integers(0, 3, N)
Y_BIN = (R.random((N, 1)) > 0.5).astype(np.float32)
IDS = R.integers(0, 10, (N, 3))


def _classifier():
    return Sequential([Input((4,)), Dense(5, activation="relu"), Dense(3, activation="softmax")])


def _binary():
    return Sequential([Input((4,)), Dense(1, activation="sigmoid")])


def _embedder():
    return Sequential([Input((3,)), Embedding(10, 2), Flatten(), Dense(1)])


def _late(a, value):
    a = a.copy()
    a.flat[LATE * (a.size // len(a))] = value
    return a


LATE_CASES = {  # name: (model, x, y, loss, what the message must say)
    "label -1": (_classifier, X, _late(Y_INT, -1), "sparse_categorical_crossentropy", r"\[0, 3\), got values from -1 to 2"),
    "label 7 of 3 classes": (_classifier, X, _late(Y_INT, 7), "sparse_categorical_crossentropy",
                             r"\[0, 3\), got values from 0 to 7"),
    "float label 1.5": (_classifier, X, _late(Y_INT.astype(np.float32), 1.5), "sparse_categorical_crossentropy",
                        "non-integer values such as 1.5"),
    "embedding id -3": (_embedder, _late(IDS, -3), Y_BIN, "mse", r"layer 'embedding\w*'.*\[0, 10\), got values from -3"),
    "embedding id 10": (_embedder, _late(IDS, 10), Y_BIN, "mse", r"\[0, 10\), got values from 0 to 10"),
    "bce label 2": (_binary, X, _late(Y_BIN, 2.0), "binary_crossentropy", r"labels in \[0, 1\].*from 0 to 2"),
}


@pytest.mark.parametrize("case", sorted(LATE_CASES))
@pytest.mark.parametrize("jit", ["auto", False])
def test_a_bad_label_or_id_in_the_8th_batch_raises_before_training(case, jit):
    build, x, y, loss, msg = LATE_CASES[case]
    backend.set_seed(0)
    model = build()
    model.compile("sgd", loss, jit_compile=jit)
    before = model.get_weights()
    with pytest.raises(DataError, match=msg):
        model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # not one step was taken
    with pytest.raises(DataError, match=msg):
        model.evaluate(x, y, batch_size=4, verbose=0)


def test_the_same_checks_name_validation_data():
    model = _classifier()
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(DataError, match=r"y of validation_data: .*\[0, 3\), got values from 0 to 7"):
        model.fit(X, Y_INT, validation_data=(X, _late(Y_INT, 7)), verbose=0)
    with pytest.raises(DataError, match="x of validation_data contains 1 NaN"):
        model.fit(X, Y_INT, validation_data=(_late(X, np.nan), Y_INT), verbose=0)


def test_predict_checks_embedding_ids():
    model = _embedder()
    with pytest.raises(DataError, match=r"x: the ids for layer 'embedding\w*' must be integers in \[0, 10\)"):
        model.predict(_late(IDS, 10), verbose=0)


@pytest.mark.parametrize("n", [3, 20])
def test_labels_of_shape_n_against_an_output_of_n_by_3_are_an_error_not_a_broadcast(n):
    model = Sequential([Input((4,)), Dense(3)])
    model.compile("sgd", "mse")
    with pytest.raises(ShapeError, match=rf"labels of shape \({n},\) do not match the model's output of shape \({n}, 3\)"):
        model.fit(X[:n], np.ones(n), verbose=0)


def test_labels_shapes_keras_accepts():
    model = Sequential([Input((4,)), Dense(1)])
    model.compile("sgd", "mse")
    model.fit(X, np.ones(N), verbose=0, epochs=1)  # (n,) against (n, 1): squeezed, as Keras
    model.fit(X, np.ones((N, 1)), verbose=0, epochs=1)


def test_one_hot_against_sparse_and_integers_against_categorical():
    model = _classifier()
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(DataError, match="use loss='categorical_crossentropy'"):
        model.fit(X, np.eye(3)[Y_INT], verbose=0)
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(DataError, match="use loss='sparse_categorical_crossentropy'"):
        model.fit(X, Y_INT, verbose=0)


def test_an_input_that_overflows_float32_is_named_as_such():
    model = Sequential([Input((4,)), Dense(1)])
    model.compile("sgd", "mse")
    x = X.astype(np.float64)
    x[LATE, 2] = 1e39
    with pytest.raises(DataError, match=r"x has 1 value\(s\) \(up to 1e\+39\) that overflow float32"):
        model.fit(x, Y_BIN, verbose=0)
    with pytest.raises(DataError, match=r"y contains 1 NaN or inf"):
        model.fit(X, _late(Y_BIN, np.inf), verbose=0)


def test_empty_data():
    model = Sequential([Input((4,)), Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(DataError, match=r"x is empty: it has 0 samples \(shape \(0, 4\)\)"):
        model.fit(X[:0], Y_BIN[:0], verbose=0)
    with pytest.raises(DataError, match="x is empty"):
        model.predict(X[:0], verbose=0)


BAD_FIT_ARGS = [  # (fit arguments, the error, what its message says)
    ({"batch_size": "32"}, ConfigTypeError, r"fit: batch_size must be an integer in \[1, inf\), None \(32\) or 'full', got '32'"),
    ({"batch_size": 0}, ConfigError, r"fit: batch_size must be an integer in \[1, inf\), got 0"),
    ({"batch_size": 2.5}, ConfigTypeError, "got 2.5 .of type float"),
    ({"epochs": -1}, ConfigError, r"fit: epochs must be an integer in \[0, inf\), got -1"),
    ({"epochs": "3"}, ConfigTypeError, "got '3'"),
    ({"epochs": True}, ConfigTypeError, "got True"),
    ({"steps_per_epoch": 0}, ConfigError, r"fit: steps_per_epoch must be an integer in \[1, inf\), got 0"),
    ({"validation_split": 1.0}, ConfigError, r"fit: validation_split must be a number in \[0, 1\), got 1.0"),
    ({"validation_split": "0.2"}, ConfigTypeError, "got '0.2'"),
    ({"validation_freq": 0}, ConfigError, r"validation_freq must be an integer in \[1, inf\), got 0"),
    ({"verbose": 3}, ConfigError, r"fit: verbose must be 'auto', 0, 1 or 2, got 3"),
    ({"shuffle": "yes"}, ConfigTypeError, r"fit: shuffle must be True or False, got 'yes'"),
    ({"callbacks": callbacks.History()}, ConfigTypeError, "must be a list of Callback objects, got History .*wrap it"),
    ({"callbacks": ["early"]}, ConfigTypeError, "must hold Callback objects .*got str 'early'"),
    ({"validation_batch_size": -4}, ConfigError, "fit: validation_batch_size must be .*got -4"),
    ({"sampling": "randomly"}, ConfigError, r"sampling='randomly'\) is unknown"),
]


@pytest.mark.parametrize("kwargs,exc,msg", BAD_FIT_ARGS, ids=[str(k) for k, _, _ in BAD_FIT_ARGS])
def test_fit_arguments_are_checked_with_what_was_expected_and_given(kwargs, exc, msg):
    model = Sequential([Input((4,)), Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(exc, match=msg):
        model.fit(X, Y_BIN, **{"verbose": 0, **kwargs})


def test_evaluate_and_predict_arguments():
    model = Sequential([Input((4,)), Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ConfigTypeError, match=r"evaluate: batch_size .*got 'big'"):
        model.evaluate(X, Y_BIN, batch_size="big")
    with pytest.raises(ConfigError, match=r"predict: verbose .*got 'loud'"):
        model.predict(X, verbose="loud")


def test_metrics_as_a_bare_string_is_an_error_as_in_keras():
    model = Sequential([Input((4,)), Dense(1)])
    with pytest.raises(ConfigTypeError, match=r"compile: metrics must be a list, tuple or dict.*got 'mae'.*metrics=\['mae'\]"):
        model.compile("sgd", "mse", metrics="mae")


def test_multi_output_labels_checked_per_output():
    inp = Input((4,))
    model = Model(inp, [Dense(1, name="reg")(inp), Dense(3, activation="softmax", name="cls")(inp)])
    model.compile("sgd", ["mse", "sparse_categorical_crossentropy"])
    with pytest.raises(DataError, match=r"\[0, 3\), got values from 0 to 5"):
        model.fit(X, [Y_BIN, _late(Y_INT, 5)], verbose=0)
    with pytest.raises(DataError, match=r"y is missing target\(s\) for output\(s\) \['cls'\]"):
        model.fit(X, {"reg": Y_BIN}, verbose=0)
