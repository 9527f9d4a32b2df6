"""Python generators and PyDataset as fit / evaluate / predict input (Keras 3's GeneratorDataAdapter and
PyDatasetAdapter): the same numbers as the equivalent arrays in sequential batches, bit for bit; the boundary checks
batch by batch; Keras's epoch semantics and errors."""
import warnings

import numpy as np
import pytest

import gradkit as keras
from gradkit import callbacks, optimizers, utils
from gradkit.errors import ConfigError, DataError, ShapeError
from gradkit.layers import Concatenate, Dense, Embedding, Flatten, Input
from gradkit.models import Model, Sequential

R = np.random.default_rng(5)
X = R.standard_normal((50, 3)).astype(np.float32)
Y = R.standard_normal((50, 1)).astype(np.float32)
W = R.uniform(0.0, 2.0, 50).astype(np.float32)
BS = 16  # 50 samples: batches of 16, 16, 16 and a last partial batch of 2 (a new shape for the compiled step)
STEPS = 4


def batches(n=None, *arrays):
    """A generator cycling through the sequential batches of ``arrays`` (X, Y by default), n batches or forever."""
    arrays = arrays or (X, Y)
    i = 0
    while n is None or i < n:
        k = (i % STEPS) * BS
        yield tuple(a[k:k + BS] if not isinstance(a, dict) else {key: v[k:k + BS] for key, v in a.items()}
                    for a in arrays)
        i += 1


class Batches(utils.PyDataset):
    """The sequential batches of (X, Y) as a PyDataset, logging which indices and epoch hooks were called."""

    def __init__(self, arrays=(X, Y), **kwargs):
        super().__init__(**kwargs)
        self.arrays, self.log = arrays, []

    def __len__(self):
        return STEPS

    def __getitem__(self, i):
        self.log.append(i)
        return tuple(a[i * BS:(i + 1) * BS] for a in self.arrays)

    def on_epoch_end(self):
        self.log.append("end")


def linear(loss="mse", metrics=("mae",), units=1):
    utils.set_random_seed(3)
    model = Sequential([Input((3,)), Dense(4, activation="relu"), Dense(units)])
    model.compile(optimizers.Adam(0.01), loss, metrics=list(metrics))
    return model


def same_weights(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))


def test_pydataset_is_keras_utils_name():
    assert keras.utils.PyDataset is utils.PyDataset is utils.Sequence


@pytest.mark.parametrize("jit", ["auto", False])
def test_generator_fit_equals_arrays_bit_for_bit(jit):
    a, g = linear(), linear()
    a.compile(optimizers.Adam(0.01), "mse", metrics=["mae"], jit_compile=jit)
    g.compile(optimizers.Adam(0.01), "mse", metrics=["mae"], jit_compile=jit)
    ha = a.fit(X, Y, batch_size=BS, epochs=3, shuffle=False, verbose=0).history
    with pytest.warns(UserWarning, match="shuffle=True.*generator"):  # Keras's warning: fit's default shuffle=True
        hg = g.fit(batches(), steps_per_epoch=STEPS, epochs=3, verbose=0).history
    assert hg == ha and list(hg) == ["loss", "mae"]
    if jit == "auto":  # replayed, the partial batch of 2 traced as a second shape
        assert not g._compiled_step.eager and g._compiled_step.traces == 2
    assert same_weights(a, g)
    assert g.evaluate(batches(STEPS), verbose=0) == a.evaluate(X, Y, batch_size=BS, verbose=0)
    np.testing.assert_array_equal(g.predict(batches(STEPS), verbose=0), a.predict(X, batch_size=BS, verbose=0))


def test_pydataset_fit_evaluate_predict_equal_arrays():
    a, p = linear(), linear()
    ds = Batches()
    ha = a.fit(X, Y, batch_size=BS, epochs=2, shuffle=False, verbose=0, validation_data=(X[:20], Y[:20])).history
    hp = p.fit(ds, epochs=2, shuffle=False, verbose=0, validation_data=(X[:20], Y[:20]),
               validation_batch_size=BS).history  # a PyDataset has no batch size: validation's default is 32
    assert hp == ha and same_weights(a, p)
    assert ds.log == [0, 1, 2, 3, "end", 0, 1, 2, 3, "end"]  # batch 0 read once to build the model, then reused
    assert p.evaluate(Batches(), verbose=0, return_dict=True) == a.evaluate(X, Y, batch_size=BS, verbose=0,
                                                                              return_dict=True)
    np.testing.assert_array_equal(p.predict(Batches(), verbose=0), a.predict(X, batch_size=BS, verbose=0))
    np.testing.assert_array_equal(p.predict(Batches((X,)), verbose=0, steps=2), a.predict(X[:32], verbose=0))


def test_multi_input_multi_output_dicts_from_a_generator():
    def build():
        utils.set_random_seed(4)
        a, b = Input((3,), name="a"), Input((2,), name="b")
        h = Dense(4, activation="relu")(Concatenate()([a, b]))
        m = Model({"a": a, "b": b}, [Dense(1, name="value")(h), Dense(3, activation="softmax", name="kind")(h)])
        m.compile("rmsprop", {"value": "mse", "kind": "sparse_categorical_crossentropy"},
                  metrics={"kind": ["accuracy"]})
        return m
    xb, kind = R.standard_normal((50, 2)).astype(np.float32), R.integers(0, 3, 50)
    xs, ys = {"a": X, "b": xb}, {"value": Y, "kind": kind}
    m1, m2 = build(), build()
    h1 = m1.fit(xs, ys, batch_size=BS, epochs=2, shuffle=False, verbose=0).history
    h2 = m2.fit(batches(None, xs, ys), steps_per_epoch=STEPS, epochs=2, shuffle=False, verbose=0).history
    assert h1 == h2 and same_weights(m1, m2)
    assert set(h2) == {"loss", "value_loss", "kind_loss", "kind_accuracy"}
    out1, out2 = m1.predict(xs, batch_size=BS, verbose=0), m2.predict(batches(STEPS, xs), verbose=0)
    for u, v in zip(out1, out2):
        np.testing.assert_array_equal(u, v)


def test_sample_weights_from_the_generator_and_class_weight_of_a_pydataset():
    a, g = linear(), linear()
    for m in (a, g):  # the generator's weights reach the loss and the weighted_metrics
        m.compile(optimizers.Adam(0.01), "mse", metrics=["mae"], weighted_metrics=["mae"])
    ha = a.fit(X, Y, sample_weight=W, batch_size=BS, epochs=2, shuffle=False, verbose=0).history
    hg = g.fit(batches(None, X, Y, W), steps_per_epoch=STEPS, epochs=2, shuffle=False, verbose=0).history
    assert ha == hg and same_weights(a, g) and set(hg) == {"loss", "mae", "weighted_mae"}
    assert g.evaluate(batches(STEPS, X, Y, W), verbose=0) == a.evaluate(X, Y, sample_weight=W, batch_size=BS,
                                                                         verbose=0)
    labels = (Y[:, 0] > 0).astype(np.float32)
    cw = {0: 0.5, 1: 2.0}
    c1, c2 = linear("binary_crossentropy", ()), linear("binary_crossentropy", ())
    h1 = c1.fit(X, labels, class_weight=cw, batch_size=BS, shuffle=False, verbose=0).history
    h2 = c2.fit(Batches((X, labels)), class_weight=cw, shuffle=False, verbose=0).history
    assert h1 == h2 and same_weights(c1, c2)


def test_pydataset_shuffle_permutes_batches_per_epoch_from_the_seed():
    def run():
        ds = Batches()
        linear().fit(ds, epochs=3, verbose=0)  # shuffle=True (the default): the batch order is shuffled
        return ds.log
    log = run()
    # log[0] is the read of batch 0 that builds the model: the first epoch reuses it, without reading it again
    epochs = " ".join(map(str, log[1:])).split(" end")[:-1]
    epochs = [sorted(int(i) for i in e.split()) for e in epochs]
    assert epochs[0] == [1, 2, 3] and epochs[1:] == [[0, 1, 2, 3]] * 2
    assert len({tuple(e) for e in " ".join(map(str, log[1:])).split(" end")}) > 2
    assert run() == log  # one seed, one order


def test_pydataset_steps_per_epoch_continues_then_restarts_as_keras():
    ds = Batches()
    with pytest.warns(RuntimeWarning, match="has 4 batches"):
        h = linear().fit(ds, epochs=3, steps_per_epoch=3, shuffle=False, verbose=0)
    assert ds.log == [0, 1, 2, "end", 3, "end", 0, 1, 2, "end"] and len(h.history["loss"]) == 3


def counting(base):
    """A callback class on ``base`` (gradkit's or Keras's Callback) counting each epoch's training steps."""
    class Count(base):
        def on_train_begin(self, logs=None):
            self.steps = []

        def on_epoch_begin(self, epoch, logs=None):
            self.steps.append(0)

        def on_train_batch_end(self, batch, logs=None):
            self.steps[-1] += 1
    return Count


Count = counting(callbacks.Callback)


def test_unknown_length_generator_runs_one_epoch_to_its_end():
    count = Count()
    h = linear().fit(batches(7), epochs=1, shuffle=False, verbose=0, callbacks=[count])
    assert count.steps == [7] and count.params["steps"] is None and len(h.history["loss"]) == 1


def test_generator_running_out_stops_training_with_a_warning():
    count = Count()
    with pytest.warns(RuntimeWarning) as caught:
        h = linear().fit(batches(7), epochs=4, steps_per_epoch=3, shuffle=False, verbose=0, callbacks=[count])
    assert count.steps == [3, 3, 1] and len(h.history["loss"]) == 3
    text = " ".join(str(w.message) for w in caught)
    assert "ran out of data after 7 batches" in text and "training stopped after epoch 3 of 4" in text


def test_generator_fit_without_steps_for_several_epochs_is_an_error():
    model = linear()
    with pytest.raises(ConfigError, match="steps_per_epoch.*loops forever"):
        model.fit(batches(4), epochs=2, shuffle=False, verbose=0)
    with pytest.raises(ConfigError, match="validation_steps"):
        model.fit(batches(), steps_per_epoch=2, epochs=2, shuffle=False, verbose=0, validation_data=batches(2))
    with pytest.raises(DataError, match="y of batch 2 of validation_data's generator contains 1 NaN"):
        model.fit(batches(), steps_per_epoch=2, shuffle=False, verbose=0,
                  validation_data=bad_at(2, (X[:BS], np.r_[Y[:BS - 1], [[np.nan]]])))


def test_validation_from_a_generator_and_a_pydataset():
    a, g = linear(), linear()
    ha = a.fit(X, Y, batch_size=BS, epochs=2, shuffle=False, verbose=0,
               validation_data=(X[:32], Y[:32]), validation_batch_size=BS).history
    hg = g.fit(Batches(), epochs=2, shuffle=False, verbose=0, validation_data=batches(), validation_steps=2).history
    assert hg["loss"] == ha["loss"] and hg["val_loss"][0] == ha["val_loss"][0]
    assert hg["val_loss"][1] == g.evaluate(X[32:], Y[32:], batch_size=BS, verbose=0)[0]  # the generator continues
    hp = linear().fit(Batches(), epochs=2, shuffle=False, verbose=0, validation_data=Batches()).history
    assert list(hp) == ["loss", "mae", "val_loss", "val_mae"] and len(hp["val_loss"]) == 2


def test_predict_takes_x_alone_or_a_one_tuple_and_steps():
    m = linear()
    want = m.predict(X[:32], batch_size=BS, verbose=0)
    np.testing.assert_array_equal(m.predict((X[k:k + BS] for k in (0, 16)), verbose=0), want)
    np.testing.assert_array_equal(m.predict(((X[k:k + BS],) for k in (0, 16)), verbose=0), want)
    np.testing.assert_array_equal(m.predict(batches(), steps=2, verbose=0), want)


def test_threaded_pydataset_reads_in_order_and_gives_the_same_weights():
    a, t = linear(), linear()
    a.fit(Batches(), epochs=2, shuffle=False, verbose=0)
    ds = Batches(workers=3, max_queue_size=2)
    t.fit(ds, epochs=2, shuffle=False, verbose=0)
    assert same_weights(a, t) and sorted(i for i in ds.log if i != "end") == [0, 0, 1, 1, 2, 2, 3, 3]
    with pytest.warns(RuntimeWarning, match=r"2 thread\(s\), not processes"):
        linear().fit(Batches(workers=2, use_multiprocessing=True), shuffle=False, verbose=0)


def test_pydataset_without_super_init_warns_as_keras():
    class Bare(utils.PyDataset):
        def __init__(self):
            self.size = 2

        def __len__(self):
            return 2

        def __getitem__(self, i):
            return X[:BS], Y[:BS]
    with pytest.warns(UserWarning, match="super"):
        linear().fit(Bare(), shuffle=False, verbose=0)


@pytest.mark.parametrize("kwargs, match", [
    ({"y": Y}, r"fit\(y=...\).*targets should be part of the batches"),
    ({"sample_weight": W}, r"fit\(sample_weight=...\)"),
    ({"class_weight": {0: 1.0}}, r"fit\(class_weight=...\)"),
    ({"validation_split": 0.2}, r"fit\(validation_split=...\).*only supported for arrays"),
    ({"sampling": "random"}, r"fit\(sampling=...\)"),
    ({"epoch_loss": "full"}, r"epoch_loss='full'.*needs array data"),
])
def test_arguments_a_generator_cannot_take(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        linear().fit(batches(), steps_per_epoch=2, shuffle=False, verbose=0, **kwargs)


def test_batch_size_with_a_stream_is_ignored_with_a_warning():
    """Keras 3 ignores it silently; keras.io's training guide passes fit(py_dataset, batch_size=64)."""
    a, p = linear(), linear()
    a.fit(Batches(), shuffle=False, verbose=0)
    with pytest.warns(UserWarning, match=r"fit\(batch_size=64\) is ignored: x is a PyDataset"):
        p.fit(Batches(), batch_size=64, shuffle=False, verbose=0)
    assert same_weights(a, p)
    with pytest.warns(UserWarning, match=r"evaluate\(batch_size=8\) is ignored: x is a generator"):
        p.evaluate(batches(2), batch_size=8, verbose=0)
    with pytest.warns(UserWarning, match=r"predict\(batch_size=8\) is ignored"):
        p.predict(Batches(), batch_size=8, verbose=0)


def test_inference_arguments_a_stream_cannot_take():
    m = linear()
    with pytest.raises(ConfigError, match=r"evaluate\(y=...\)"):
        m.evaluate(batches(2), Y, verbose=0)
    with pytest.raises(ConfigError, match=r"evaluate\(sample_weight=...\) cannot be used when x is a PyDataset"):
        m.evaluate(Batches(), sample_weight=W, verbose=0)


def test_malformed_batches_are_named():
    m = linear()
    with pytest.raises(DataError, match=r"x is a function, batches: pass what it returns .*batches\(...\)"):
        m.fit(batches, steps_per_epoch=2, verbose=0)
    with pytest.raises(DataError, match="yielded no batch"):
        m.fit((b for b in []), shuffle=False, verbose=0)
    with pytest.raises(DataError, match="batch 1 of the generator has no targets"):
        m.fit((X[:BS] for _ in range(2)), shuffle=False, verbose=0)
    with pytest.raises(DataError, match="batch 1 of the generator: a batch must be .* got a tuple of 4 items"):
        m.fit(((X[:BS], Y[:BS], W[:BS], W[:BS]) for _ in range(2)), shuffle=False, verbose=0)
    with pytest.raises(DataError, match="batch 2 of the generator has sample weights but the first batch had none"):
        m.fit(iter([(X[:BS], Y[:BS]), (X[:BS], Y[:BS], W[:BS])]), shuffle=False, verbose=0)

    class Empty(Batches):
        def __len__(self):
            return 0
    with pytest.raises(DataError, match="Empty has length 0"):
        m.fit(Empty(), verbose=0)


def bad_at(k, bad):
    """Three good batches of (X, Y), with batch k (1-based) replaced by ``bad``."""
    for i in range(1, 4):
        yield bad if i == k else (X[:BS], Y[:BS])


def test_a_bad_later_batch_gets_the_same_error_as_bad_arrays():
    nan_x = X[:BS].copy()
    nan_x[3, 1] = np.nan
    m = linear()
    with pytest.raises(DataError, match="x of batch 3 of the generator contains 1 NaN"):
        m.fit(bad_at(3, (nan_x, Y[:BS])), shuffle=False, verbose=0)
    with pytest.raises(ShapeError, match=r"expects inputs with 3 features, got 5 \(x of batch 2 of the generator"):
        m.fit(bad_at(2, (np.ones((BS, 5), np.float32), Y[:BS])), shuffle=False, verbose=0)
    with pytest.raises(DataError, match="x and y of batch 2 of the generator must have the same number of samples"):
        m.fit(bad_at(2, (X[:BS], Y[:BS - 1])), shuffle=False, verbose=0)
    c = linear("sparse_categorical_crossentropy", ("accuracy",), units=3)
    labels = np.arange(BS) % 3
    with pytest.raises(DataError, match=r"y of Batches\[2\]: labels for sparse_categorical_crossentropy with 3"):
        c.fit(Batches((X, np.r_[labels, labels, labels + 1, labels])), shuffle=False, verbose=0)


def test_embedding_ids_are_checked_per_batch():
    utils.set_random_seed(0)
    m = Sequential([Input((4,), dtype="int32"), Embedding(10, 2), Flatten(), Dense(1)])
    m.compile("sgd", "mse")
    ids = R.integers(0, 10, (BS, 4))
    m.fit(((ids, Y[:BS]) for _ in range(2)), verbose=0, shuffle=False)
    with pytest.raises(DataError, match="batch 2 of the generator: the ids for layer"):
        m.fit(iter([(ids, Y[:BS]), (ids + 5, Y[:BS])]), verbose=0, shuffle=False)


def test_unknown_steps_progress_bar_counts(capsys):
    pytest.importorskip("tqdm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linear().fit(batches(3), verbose=1)
    err = capsys.readouterr()
    assert "3/Unknown" in err.out + err.err  # as Keras's progress bar


def test_history_keys_and_steps_match_real_keras():
    keras3 = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")

    class KerasBatches(keras3.utils.PyDataset):
        def __len__(self):
            return STEPS

        def __getitem__(self, i):
            return X[i * BS:(i + 1) * BS], Y[i * BS:(i + 1) * BS]

    KerasCount = counting(keras3.callbacks.Callback)
    k = keras3.Sequential([keras3.Input((3,)), keras3.layers.Dense(1)])
    k.compile("sgd", "mse", metrics=["mae"])
    g = Sequential([Input((3,)), Dense(1)])
    g.compile("sgd", "mse", metrics=["mae"])
    for data, kw in [(lambda: batches(), {"steps_per_epoch": 3}), (lambda: batches(5), {}), (None, {})]:
        kc, gc = KerasCount(), Count()
        epochs = 1 if not kw and data else 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hk = k.fit(data() if data else KerasBatches(), epochs=epochs, verbose=0, callbacks=[kc],
                       validation_data=KerasBatches(), **kw).history
            hg = g.fit(data() if data else Batches(), epochs=epochs, verbose=0, callbacks=[gc],
                       validation_data=Batches(), **kw).history
        assert list(hg) == list(hk) and kc.steps == gc.steps
        assert kc.params["steps"] == gc.params["steps"]
    g.set_weights(k.get_weights())  # the same start: the same losses from the same batches (float32 tolerance)
    hk = k.fit(KerasBatches(), epochs=2, shuffle=False, verbose=0).history
    hg = g.fit(Batches(), epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hg["loss"], hk["loss"], rtol=1e-5)
    for a, b in zip(g.get_weights(), k.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_keras2_generator_methods_run_with_one_deprecation_warning():
    from gradkit import compat
    compat.reset()
    a, g = linear(), linear()
    ha = a.fit(X, Y, batch_size=BS, epochs=2, shuffle=False, verbose=0,
               validation_data=(X, Y), validation_batch_size=BS).history
    with pytest.warns(DeprecationWarning, match=r"fit_generator\(...\).*model.fit\(...\)"):  # DLwP 1st edition
        hg = g.fit_generator(batches(), steps_per_epoch=STEPS, epochs=2, verbose=0, validation_data=batches(),
                             validation_steps=STEPS).history
    assert hg == ha and same_weights(a, g)
    with pytest.warns(DeprecationWarning, match="evaluate_generator"):
        assert g.evaluate_generator(batches(), steps=STEPS) == a.evaluate(X, Y, batch_size=BS, verbose=0)
    with pytest.warns(DeprecationWarning, match="predict_generator"):
        out = g.predict_generator(batches(), steps=STEPS)
    np.testing.assert_array_equal(out, a.predict(X, batch_size=BS, verbose=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once: no second warning, and no shuffle warning for a generator
        g.fit_generator(batches(), steps_per_epoch=1, verbose=0)
    with pytest.warns(RuntimeWarning, match=r"fit_generator\(workers=4\).*PyDataset\(workers"):
        g.fit_generator(batches(), steps_per_epoch=1, verbose=0, workers=4)
    ds = Batches()
    g.fit_generator(ds, verbose=0, workers=2, shuffle=False)
    assert ds.workers == 2
    compat.reset()


def test_endless_pydataset_continues_across_epochs_and_needs_steps():
    class Endless(Batches):
        num_batches = None

        def __getitem__(self, i):
            return super().__getitem__(i % STEPS)
    ds = Endless()
    linear().fit(ds, epochs=2, steps_per_epoch=3, verbose=0)
    assert ds.log == [0, 1, 2, "end", 3, 0, 1, "end"]  # indices 0..5 read, as Keras's itertools.count
    with pytest.raises(ConfigError, match="endless PyDataset.*steps_per_epoch"):
        linear().fit(Endless(), verbose=0)


def test_pack_and_unpack_x_y_sample_weight_as_keras():
    x, y, w = X[:2], Y[:2], W[:2]
    assert utils.unpack_x_y_sample_weight(x)[1:] == (None, None)
    assert utils.unpack_x_y_sample_weight((x,))[0] is x
    assert utils.unpack_x_y_sample_weight([x, y])[1] is y
    assert utils.unpack_x_y_sample_weight((x, y, w))[2] is w
    assert utils.pack_x_y_sample_weight(x) is x and utils.pack_x_y_sample_weight([x]) == ([x],)
    assert len(utils.pack_x_y_sample_weight(x, y)) == 2 and len(utils.pack_x_y_sample_weight(x, y, w)) == 3
    with pytest.raises(DataError, match="tuple of 4"):
        utils.unpack_x_y_sample_weight((x, y, w, w))


def test_keras_io_training_guide_pydataset_section_runs_with_imports_changed():
    """keras.io's "Training & evaluation with the built-in methods", its PyDataset section (small random data)."""
    class ExamplePyDataset(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x = x
            self.y = y
            self.batch_size = batch_size

        def __len__(self):
            return int(np.ceil(len(self.x) / float(self.batch_size)))

        def __getitem__(self, idx):
            batch_x = self.x[idx * self.batch_size: (idx + 1) * self.batch_size]
            batch_y = self.y[idx * self.batch_size: (idx + 1) * self.batch_size]
            return batch_x, batch_y

    def get_compiled_model():
        inputs = keras.Input(shape=(784,), name="digits")
        x = keras.layers.Dense(64, activation="relu", name="dense_1")(inputs)
        x = keras.layers.Dense(64, activation="relu", name="dense_2")(x)
        outputs = keras.layers.Dense(10, activation="softmax", name="predictions")(x)
        model = keras.Model(inputs=inputs, outputs=outputs)
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                      metrics=["sparse_categorical_accuracy"])
        return model

    x_train, y_train = R.random((200, 784), dtype=np.float32), R.integers(0, 10, 200).astype("float32")
    x_val, y_val = x_train[-40:], y_train[-40:]
    for workers in (1, 4):
        train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32, workers=workers)
        val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32, workers=workers)
        model = get_compiled_model()
        with pytest.warns(UserWarning, match="batch_size=64"):
            history = model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=1, verbose=0)
        assert list(history.history) == ["loss", "sparse_categorical_accuracy", "val_loss",
                                         "val_sparse_categorical_accuracy"]
        loss, acc = model.evaluate(val_py_dataset, verbose=0)
        assert loss == pytest.approx(history.history["val_loss"][0]) and 0 <= acc <= 1


def test_torch_dataloader_as_keras_io_writes_it():
    """keras.io's training guide: fit(train_dataloader, validation_data=val_dataloader); one pass per epoch."""
    torch = pytest.importorskip("torch")

    class ExampleTorchDataset(torch.utils.data.Dataset):
        def __len__(self):
            return len(X)

        def __getitem__(self, idx):
            return X[idx], Y[idx]
    loader = torch.utils.data.DataLoader(ExampleTorchDataset(), batch_size=BS, shuffle=False)
    a, t = linear(), linear()
    ha = a.fit(X, Y, batch_size=BS, epochs=2, shuffle=False, verbose=0, validation_data=(X, Y),
               validation_batch_size=BS).history
    ht = t.fit(loader, epochs=2, shuffle=False, verbose=0, validation_data=loader).history
    assert ht == ha and same_weights(a, t)
    assert t.evaluate(loader, verbose=0) == a.evaluate(X, Y, batch_size=BS, verbose=0)
    with pytest.warns(UserWarning, match="torch DataLoader"):  # shuffle=True is the DataLoader's business
        t.fit(loader, epochs=1, verbose=0)
    count = Count()
    with pytest.warns(RuntimeWarning, match="has 4 batches; the next epoch starts a new pass"):
        t.fit(loader, epochs=3, steps_per_epoch=3, shuffle=False, verbose=0, callbacks=[count])
    assert count.steps == [3, 1, 3]
