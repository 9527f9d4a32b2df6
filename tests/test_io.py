"""Save / load: round trip, exact resume, documented format, atomic write, corrupted files."""
import json
import os
import zipfile

import numpy as np
import pytest

from gradkit import backend, io, optimizers
from gradkit.errors import DataError
from gradkit.layers import Concatenate, Dense, Dropout, Input
from gradkit.models import Model, Sequential, load_model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4))
    return x, (x[:, 0] - x[:, 1] > 0).astype(int)


def _model():
    model = Sequential([Input((4,)), Dense(8, activation="relu"), Dropout(0.2), Dense(2, activation="softmax")])
    model.compile(optimizers.Adam(learning_rate=0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_round_trip_architecture_weights_and_compile(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.gdk")
    loaded = load_model(tmp_path / "m.gdk")
    assert [type(l).__name__ for l in loaded.layers] == ["Dense", "Dropout", "Dense"]
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 4
    assert isinstance(loaded.optimizer, optimizers.Adam)


def test_save_load_continue_equals_uninterrupted_fit(tmp_path):
    x, y = _data()
    backend.set_seed(11)
    straight = _model()
    straight.fit(x, y, epochs=4, batch_size=16, verbose=0)
    backend.set_seed(11)
    first = _model()
    first.fit(x, y, epochs=2, batch_size=16, verbose=0)
    first.save(tmp_path / "ckpt.gdk")
    resumed = load_model(tmp_path / "ckpt.gdk")
    resumed.fit(x, y, epochs=4, initial_epoch=2, batch_size=16, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_functional_model_round_trip(tmp_path):
    a, b = Input((3,)), Input((2,))
    model = Model([a, b], Dense(1)(Concatenate()([Dense(2)(a), b])))
    model.save(tmp_path / "f.gdk")
    loaded = load_model(tmp_path / "f.gdk", compile=False)
    xs = [np.ones((2, 3), "float32"), np.ones((2, 2), "float32")]
    np.testing.assert_array_equal(loaded.predict(xs, verbose=0), model.predict(xs, verbose=0))
    assert not loaded.compiled


def test_format_is_a_documented_zip(tmp_path):
    model = _model()
    model.save(tmp_path / "m.gdk")
    with zipfile.ZipFile(tmp_path / "m.gdk") as z:
        assert set(z.namelist()) == {"config.json", "model.weights.npz", "optimizer.npz"}
        config = json.loads(z.read("config.json"))
    assert config["format"] == "gradkit.model" and config["format_version"] == io.FORMAT_VERSION
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["loss"][0]["name"] == "sparse_categorical_crossentropy"


def test_atomic_write_keeps_the_old_file_when_saving_fails(tmp_path, monkeypatch):
    path = tmp_path / "m.gdk"
    _model().save(path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(zipfile.ZipFile, "writestr", boom)
    with pytest.raises(OSError, match="disk full"):
        _model().save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.gdk"]  # no temporary file left behind


def test_truncated_and_corrupted_files_raise_clear_errors(tmp_path):
    path = tmp_path / "m.gdk"
    _model().save(path)
    data = path.read_bytes()
    (tmp_path / "trunc.gdk").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="corrupted or truncated"):
        load_model(tmp_path / "trunc.gdk")
    flipped = bytearray(data)
    flipped[60] ^= 0xFF
    (tmp_path / "flip.gdk").write_bytes(bytes(flipped))
    with pytest.raises(DataError):
        load_model(tmp_path / "flip.gdk")
    (tmp_path / "text.gdk").write_text("hello")
    with pytest.raises(DataError, match="not a readable gradkit file"):
        load_model(tmp_path / "text.gdk")
    with pytest.raises(DataError, match="no such file"):
        load_model(tmp_path / "missing.gdk")


def test_save_and_load_weights(tmp_path):
    x, _ = _data()
    model = _model()
    model.save_weights(tmp_path / "w.weights.npz")
    other = _model()
    other.load_weights(tmp_path / "w.weights.npz")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    with np.load(tmp_path / "w.weights.npz") as f:
        assert list(f.files) == [w.name for w in model.weights]
    wrong = Sequential([Input((4,)), Dense(3)])
    with pytest.raises(DataError, match="holds 4 weights"):
        wrong.load_weights(tmp_path / "w.weights.npz")


def test_load_model_draws_no_random_numbers(tmp_path):
    _model().save(tmp_path / "m.gdk")
    backend.set_seed(3)
    load_model(tmp_path / "m.gdk")
    after = backend.rng().random()
    backend.set_seed(3)
    assert backend.rng().random() == after
