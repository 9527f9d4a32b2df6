"""ModelCheckpoint(save_freq=<int>), LambdaCallback and TensorBoard (event files read back)."""
import glob
import os
import struct

import numpy as np
import pytest

from gradkit import optimizers
from gradkit.callbacks import LambdaCallback, ModelCheckpoint, TensorBoard
from gradkit.errors import ConfigError
from gradkit.layers import Dense
from gradkit.models import Sequential, load_model


def _data(n=40):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    return x, x @ np.array([1.0, -1.0]) + 0.5


def _model(lr=0.05):
    model = Sequential([Dense(1, input_shape=(2,), name="d")])
    model.compile(optimizers.SGD(learning_rate=lr), "mse", metrics=["mae"])
    return model


def test_checkpoint_every_n_batches_names_epoch_and_batch(tmp_path):
    x, y = _data(40)  # batch_size 16 → 3 batches per epoch, 6 in all; every 4th batch: epoch 1 batch 1, epoch 2 batch 2
    saved = []
    spy = LambdaCallback(on_train_batch_end=lambda batch, logs: saved.append(None))
    ckpt = ModelCheckpoint(str(tmp_path / "m-{epoch}-{batch}-{loss:.1f}.gdk"), save_freq=4)
    model = _model()
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, callbacks=[ckpt, spy])
    names = sorted(os.path.basename(p) for p in glob.glob(str(tmp_path / "*.gdk")))
    assert len(saved) == 6 and [n.split("-")[:3] for n in names] == [["m", "2", "1"]]
    ckpt2 = ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}.weights.npz"), save_freq=2, save_weights_only=True)
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, callbacks=[ckpt2])
    assert sorted(os.path.basename(p) for p in glob.glob(str(tmp_path / "w-*"))) == \
        ["w-1-2.weights.npz", "w-2-1.weights.npz", "w-2-3.weights.npz"]
    last = _model()
    last.load_weights(tmp_path / "w-2-3.weights.npz")  # saved after the last batch: the final weights
    assert all(np.array_equal(a, b) for a, b in zip(last.get_weights(), model.get_weights()))
    assert isinstance(load_model(glob.glob(str(tmp_path / "m-2-1-*.gdk"))[0]), Sequential)


@pytest.mark.parametrize("freq", [0, -3, "batch", 2.5, True])
def test_checkpoint_rejects_other_save_freq(tmp_path, freq):
    with pytest.raises(ConfigError, match="save_freq must be 'epoch' or a positive integer"):
        ModelCheckpoint(str(tmp_path / "m.gdk"), save_freq=freq)


def test_lambda_callback_calls_only_the_given_hooks():
    x, y = _data()
    seen = []
    cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, sorted(logs))),
                        on_train_end=lambda logs: seen.append("end"))
    _model().fit(x, y, epochs=2, verbose=0, callbacks=[cb])
    assert seen == [(0, ["loss", "mae"]), (1, ["loss", "mae"]), "end"]
    assert type(cb).on_train_batch_end is LambdaCallback.on_train_batch_end  # not given: fit skips it
    with pytest.raises(ConfigError, match="unknown hook.*on_epoch_finish"):
        LambdaCallback(on_epoch_finish=print)


# ---- TensorBoard ----------------------------------------------------------------------------------

def _records(path):
    """Event protos of one event file, read with tensorboardX's own protobuf classes (TFRecord framing)."""
    from tensorboardX.proto import event_pb2
    out, data = [], open(path, "rb").read()
    pos = 0
    while pos < len(data):
        (length,) = struct.unpack("<Q", data[pos:pos + 8])
        event = event_pb2.Event()
        event.ParseFromString(data[pos + 12:pos + 12 + length])
        out.append(event)
        pos += 12 + length + 4
    return out


def _scalars(folder):
    values = {}
    for path in glob.glob(os.path.join(folder, "events.out.tfevents.*")):
        for e in _records(path):
            for v in e.summary.value:
                if v.HasField("simple_value"):
                    values.setdefault(v.tag, []).append((e.step, v.simple_value))
                elif v.HasField("histo"):
                    values.setdefault(v.tag, []).append((e.step, v.histo.num))
    return values


def test_tensorboard_writes_keras_tags_that_read_back(tmp_path):
    pytest.importorskip("tensorboardX", reason="TensorBoard needs the 'tensorboard' extra (tensorboardX)")
    x, y = _data(40)
    model = _model()
    tb = TensorBoard(tmp_path, histogram_freq=1, update_freq=2)
    history = model.fit(x, y, batch_size=10, epochs=2, validation_split=0.25, shuffle=False, verbose=0,
                        callbacks=[tb])
    train, val = _scalars(tmp_path / "train"), _scalars(tmp_path / "validation")
    h = history.history
    assert train["epoch_loss"] == [(0, pytest.approx(h["loss"][0])), (1, pytest.approx(h["loss"][1]))]
    assert [v for _, v in train["epoch_mae"]] == pytest.approx(h["mae"])
    assert [v for _, v in val["epoch_loss"]] == pytest.approx(h["val_loss"])
    assert [v for _, v in train["epoch_learning_rate"]] == pytest.approx([0.05, 0.05])
    assert [s for s, _ in train["batch_loss"]] == [2, 4, 6]  # 3 batches an epoch, global steps 1..6, every 2nd
    assert train["d/kernel/histogram"] == [(0, 2.0), (1, 2.0)] and train["d/bias/histogram"] == [(0, 1.0), (1, 1.0)]
    tb.on_test_end({"loss": 0.25})  # what evaluate(callbacks=[tb]) reports: at the optimizer's 6 iterations
    # fit's validation runs the on_test_* hooks too (as Keras's fit, which evaluates with the same callbacks)
    got = sorted(_scalars(tmp_path / "validation")["evaluation_loss_vs_iterations"])
    assert [s for s, _ in got] == [3, 6, 6]
    assert got[0][1] == pytest.approx(h["val_loss"][0])
    assert sorted(v for s, v in got[1:]) == pytest.approx(sorted([h["val_loss"][1], 0.25]))


def test_tensorboard_event_files_load_in_tensorboard(tmp_path):
    pytest.importorskip("tensorboardX", reason="TensorBoard needs the 'tensorboard' extra (tensorboardX)")
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator",
                                      reason="reading with TensorBoard itself needs the tensorboard package")
    x, y = _data()
    history = _model().fit(x, y, epochs=3, verbose=0, callbacks=[TensorBoard(tmp_path)])
    acc = accumulator.EventAccumulator(str(tmp_path / "train"))
    acc.Reload()
    assert [e.step for e in acc.Scalars("epoch_loss")] == [0, 1, 2]
    assert [e.value for e in acc.Scalars("epoch_loss")] == pytest.approx(history.history["loss"])
    assert "keras/text_summary" in acc.Tags()["tensors"]


def test_tensorboard_refuses_what_it_cannot_do(tmp_path):
    pytest.importorskip("tensorboardX", reason="TensorBoard needs the 'tensorboard' extra (tensorboardX)")
    with pytest.raises(ConfigError, match="profile_batch=5 is not supported"):
        TensorBoard(tmp_path, profile_batch=5)
    with pytest.raises(ConfigError, match="update_freq must be 'epoch' or an integer >= 0, got 'often'"):
        TensorBoard(tmp_path, update_freq="often")


def test_tensorboard_without_tensorboardx_names_the_extra(tmp_path, monkeypatch):
    import sys

    from gradkit.errors import MissingDependencyError
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'gradkit\[tensorboard\]'"):
        TensorBoard(tmp_path)
