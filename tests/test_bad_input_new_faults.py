"""Issue 20's battery, part 2: TensorBoard, CSVLogger, plot_model, save/load of conv/RNN/custom models,
training that turns NaN, datasets, the recipes at the command line, and faults: a full disk (/dev/full), a
file-size limit (RLIMIT_FSIZE in a subprocess), a read-only folder (a subprocess that drops root), files a
callback opened and left open. Each case raises a gradkit error naming the argument, expected and given.
"""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import warnings

import numpy as np
import pytest

import gradkit as gk
from gradkit import errors as E
from gradkit import layers as L
from test_bad_input_battery import run_case

CASES = []
SRC = os.path.dirname(os.path.dirname(os.path.abspath(gk.__file__)))  # the gradkit this test imported


def simple(vals):
    """Register one case per (id, fn, exc, *says) tuple."""
    for id, fn, exc, *says in vals:
        CASES.append((id, fn, exc, tuple(says)))


def tmpdir():
    return tempfile.mkdtemp(prefix="gk-faults-")


def dev_full():
    """/dev/full, where every write fails with ENOSPC (a full disk); the case is skipped where it is missing."""
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full (Linux) to simulate a full disk")
    return "/dev/full"


def mlp():
    m = gk.Sequential([L.Input((4,)), L.Dense(5, activation="relu"), L.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return m


def xy(n=32):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=n)


def fit(m, *args, **kw):
    kw.setdefault("verbose", 0)
    return m.fit(*(args or xy()), **kw)


class OpenFileLeft(AssertionError):
    """The battery's own failure: a callback left its file open after fit raised (never a gradkit error)."""


def closed_after(cb, opened):
    """Run fit with callback cb; after it raises, every file ``opened(cb)`` lists must be closed."""
    def run():
        try:
            fit(mlp(), epochs=3, callbacks=[cb])
        except BaseException:
            left = [f for f in opened(cb) if not f.closed]
            if left:
                raise OpenFileLeft(f"{type(cb).__name__} left {left} open")
            raise
    return run


# ---- in a subprocess: a file-size limit, no root ------------------------------------------------------

class RemoteError(Exception):
    """An error in a subprocess that is not a gradkit error (its class name and message)."""


def in_subprocess(body, fsize=None, drop_root=False, memory=None):
    """Run ``body`` (Python source; it may use ``gk``, ``np``, ``L``, ``tmp``) in a fresh interpreter, with a
    file-size limit of ``fsize`` bytes, an address-space limit of ``memory`` bytes above what the interpreter
    holds after its imports, and/or as user nobody; re-raise its error here as the same gradkit class (or
    RemoteError)."""
    tmp = tmpdir()
    os.chmod(tmp, 0o777)
    script = textwrap.dedent(f"""
        import json, os, resource, signal, sys, traceback
        import numpy as np
        import gradkit as gk
        from gradkit import layers as L
        import csv, zipfile
        if {"TensorBoard" in body!r}:  # imported before a limit or the drop of root can get in the way
            import gradkit.training.tensorboard, tensorboardX
        tmp = {tmp!r}
        if {fsize!r} is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, ({fsize!r}, {fsize!r}))
        if {memory!r} is not None:
            held = int(next(ln for ln in open("/proc/self/status") if ln.startswith("VmSize")).split()[1]) * 1024
            resource.setrlimit(resource.RLIMIT_AS, (held + {memory!r}, resource.RLIM_INFINITY))
        if {drop_root!r} and os.geteuid() == 0:  # root writes anywhere: become nobody (others stay themselves)
            import glob, tempfile, gradkit.io, gradkit.saving  # what a fit and a save import lazily, while readable
            w = gk.Sequential([L.Input((4,)), L.Dense(3)]); w.compile(optimizer="sgd", loss="mse")
            w.fit(np.ones((2, 4)), np.ones((2, 3)), verbose=0, callbacks=[gk.callbacks.CSVLogger(os.devnull)])
            os.setgid(65534); os.setuid(65534)
        try:
    """) + textwrap.indent(textwrap.dedent(body), "    ") + textwrap.dedent("""
        except BaseException as e:
            print(json.dumps({"mro": [c.__name__ for c in type(e).__mro__], "msg": str(e),
                              "tb": traceback.format_exc()}))
        else:
            print(json.dumps(None))
    """)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), "MPLBACKEND": "Agg"}
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    lines = r.stdout.strip().splitlines()
    if r.returncode or not lines:
        raise RemoteError(f"exit {r.returncode}: {r.stderr[-2000:]}")
    got = json.loads(lines[-1])
    if got is None:
        return tmp
    cls = next((getattr(E, n) for n in got["mro"] if isinstance(getattr(E, n, None), type)), None)
    raise (cls or RemoteError)(got["msg"] if cls else f"{got['mro'][0]}: {got['msg']}\n{got['tb']}")


def ro_folder_body(make):
    """Subprocess source: a folder the process (nobody) cannot write, then ``make``."""
    return f"""
    ro = os.path.join(tmp, "ro")
    os.mkdir(ro)
    os.chmod(ro, 0o555)
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32"); y = np.zeros(16, "int64")
    m = gk.Sequential([L.Input((4,)), L.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    {make}
    """


# ---- TensorBoard ----------------------------------------------------------------------------------------

def _tb_log_dir_file():
    p = os.path.join(tmpdir(), "logs")
    open(p, "w").write("not a folder")
    fit(mlp(), callbacks=[gk.callbacks.TensorBoard(log_dir=p)])


def _tb_under_file():
    p = os.path.join(tmpdir(), "f")
    open(p, "w").write("x")
    fit(mlp(), callbacks=[gk.callbacks.TensorBoard(log_dir=os.path.join(p, "logs"))])


def _full_disk_tensorboard():
    """tensorboardX's event files opened on /dev/full: every flush fails with ENOSPC, as on a full disk."""
    import tensorboardX.record_writer as rw
    cb = gk.callbacks.TensorBoard(log_dir=os.path.join(tmpdir(), "logs"))
    real, opened = rw.open_file, []

    def full(path):
        f = open(dev_full(), "wb")
        opened.append(f)
        return f
    rw.open_file = full
    try:
        closed_after(cb, lambda cb: opened)()
    finally:
        rw.open_file = real


def _tb_fsize():
    in_subprocess("""
    m = gk.Sequential([L.Input((4,)), L.Dense(64), L.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = np.ones((16, 4), "float32"); y = np.zeros(16, "int64")
    m.fit(x, y, epochs=3, verbose=0, callbacks=[gk.callbacks.TensorBoard(os.path.join(tmp, "logs"),
                                                                         histogram_freq=1)])
    """, fsize=2000)


simple([
    ("tensorboard-log-dir-file", _tb_log_dir_file, OSError, "TensorBoard", "log_dir", "logs", "not a folder"),
    ("tensorboard-log-dir-under-file", _tb_under_file, OSError, "TensorBoard", "log_dir", "logs"),
    ("tensorboard-log-dir-readonly", lambda: in_subprocess(ro_folder_body(
        "m.fit(x, y, verbose=0, callbacks=[gk.callbacks.TensorBoard(os.path.join(ro, 'logs'))])"),
        drop_root=True), OSError, "TensorBoard", "log_dir", "ro", "permission"),
    ("tensorboard-full-disk", _full_disk_tensorboard, OSError, "TensorBoard", "logs", "no space"),
    ("tensorboard-file-size-limit", _tb_fsize, OSError, "TensorBoard", "logs", "file-size limit"),
    ("tensorboard-log-dir-int", lambda: gk.callbacks.TensorBoard(log_dir=5), TypeError, "TensorBoard",
     "log_dir", "5"),
    ("tensorboard-hist-neg", lambda: gk.callbacks.TensorBoard(histogram_freq=-1), ValueError, "histogram_freq",
     "-1"),
    ("tensorboard-update-freq", lambda: gk.callbacks.TensorBoard(update_freq="step"), ValueError,
     "update_freq", "'step'"),
    ("tensorboard-write-images", lambda: gk.callbacks.TensorBoard(write_images=True), ValueError,
     "write_images", "True"),
])


# ---- CSVLogger ------------------------------------------------------------------------------------------

def _csv_opened(cb):
    return [cb._file] if getattr(cb, "_file", None) is not None else []


def _csv_fsize():
    in_subprocess("""
    x = np.ones((16, 4), "float32"); y = np.zeros(16, "int64")
    m = gk.Sequential([L.Input((4,)), L.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    cb = gk.callbacks.CSVLogger(os.path.join(tmp, "log.csv"))
    try:
        m.fit(x, y, epochs=40, verbose=0, callbacks=[cb])
    finally:
        assert cb._file.closed, "CSVLogger left its file open"
    """, fsize=300)


def _csv_left_open_on_other_error():
    cb = gk.callbacks.CSVLogger(os.path.join(tmpdir(), "log.csv"))

    def boom(epoch, logs):
        if epoch == 1:
            raise E.TrainingError("stopped by a callback at epoch 2 (expected, given)")
    lam = gk.callbacks.LambdaCallback(on_epoch_end=boom)
    try:
        fit(mlp(), epochs=3, callbacks=[cb, lam])
    finally:
        if not cb._file.closed:
            raise OpenFileLeft("CSVLogger left its file open after another callback raised")


simple([
    ("csvlogger-full-disk", closed_after(gk.callbacks.CSVLogger("/dev/full"), _csv_opened), OSError,
     "CSVLogger", "/dev/full", "no space"),
    ("csvlogger-file-size-limit", _csv_fsize, OSError, "CSVLogger", "log.csv", "file-size limit"),
    ("csvlogger-readonly", lambda: in_subprocess(ro_folder_body(
        "m.fit(x, y, verbose=0, callbacks=[gk.callbacks.CSVLogger(os.path.join(ro, 'log.csv'))])"),
        drop_root=True), OSError, "CSVLogger", "log.csv", "permission"),
    ("csvlogger-closed-on-error", _csv_left_open_on_other_error, RuntimeError, "epoch 2", "expected"),
    ("csvlogger-filename-int", lambda: gk.callbacks.CSVLogger(5), TypeError, "CSVLogger", "filename", "5"),
    ("csvlogger-separator-empty", lambda: gk.callbacks.CSVLogger("log.csv", separator=""), ValueError,
     "CSVLogger", "separator", "''"),
    ("csvlogger-separator-long", lambda: gk.callbacks.CSVLogger("log.csv", separator=";;"), ValueError,
     "CSVLogger", "separator", "';;'"),
    ("csvlogger-append-str", lambda: gk.callbacks.CSVLogger("log.csv", append="yes"), TypeError, "CSVLogger",
     "append", "'yes'"),
])


# ---- plot_model ----------------------------------------------------------------------------------------

def _subclassed():
    class Net(gk.Model):
        def __init__(self):
            super().__init__()
            self.d = L.Dense(2)

        def call(self, x):
            return self.d(x)
    return Net()


def _plot_missing_folder():
    pytest.importorskip("pydot", reason="plot_model needs pydot")
    gk.utils.plot_model(mlp(), to_file=os.path.join(tmpdir(), "no", "such", "model.png"))


def _plot_folder():
    pytest.importorskip("pydot", reason="plot_model needs pydot")
    gk.utils.plot_model(mlp(), to_file=tmpdir())


simple([
    ("plot-model-missing-folder", _plot_missing_folder, OSError, "plot_model", "to_file",
     os.path.join("no", "such"), "does not exist"),
    ("plot-model-to-folder", _plot_folder, OSError, "plot_model", "to_file", "folder"),
    ("plot-model-subclassed", lambda: gk.utils.model_to_dot(_subclassed()), ValueError, "plot_model", "Net"),
    ("plot-model-rankdir", lambda: gk.utils.model_to_dot(mlp(), rankdir="BT"), ValueError, "rankdir", "'BT'"),
    ("plot-model-unknown-kwarg", lambda: gk.utils.model_to_dot(mlp(), show_shape=True), ValueError,
     "plot_model", "show_shape"),
    ("plot-model-not-model", lambda: gk.utils.model_to_dot("model"), TypeError, "plot_model", "model", "'model'"),
])


# ---- save / load of conv, RNN and custom models ------------------------------------------------------

def cnn():
    m = gk.Sequential([L.Input((8, 8, 1)), L.Conv2D(2, 3, activation="relu"), L.MaxPooling2D(),
                       L.Flatten(), L.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return m


def rnn():
    m = gk.Sequential([L.Input((5, 4)), L.LSTM(3), L.Dense(1)])
    m.compile(optimizer="adam", loss="mse")
    return m


class Scale(L.Layer):
    """A custom layer with get_config."""

    def __init__(self, factor=2.0, **kw):
        super().__init__(**kw)
        self.factor = factor

    def call(self, x):
        return gk.ops.mul(x, self.factor)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _saved(model, name="m.keras"):
    p = os.path.join(tmpdir(), name)
    model.save(p)
    return p


def _load_into_other(make_a, make_b):
    d = tmpdir()
    p = os.path.join(d, "w.weights.npz")
    make_a().save_weights(p)
    make_b().load_weights(p)


def _custom_unknown():
    m = gk.Sequential([L.Input((4,)), Scale(3.0), L.Dense(2)])
    gk.models.load_model(_saved(m))


def _td_custom_unknown():
    m = gk.Sequential([L.Input((5, 4)), L.TimeDistributed(Scale(3.0))])
    gk.models.load_model(_saved(m))


CNN_SRC = """Sequential([L.Input((8, 8, 1)), L.Conv2D(8, 3), L.Flatten(), L.Dense(3)])"""
RNN_SRC = """Sequential([L.Input((5, 4)), L.LSTM(16), L.Dense(1)])"""


def _save_fsize(model_src):
    def run():
        in_subprocess(f"""
        m = gk.{model_src}
        m.compile(optimizer="adam", loss="mse")
        m.save(os.path.join(tmp, "m.keras"))
        """, fsize=1500)
    return run


def _save_full_disk():
    """A save whose temporary file is /dev/full (as on a full disk): a clear error, no half file left."""
    d = tmpdir()
    real = tempfile.mkstemp

    def full(**kw):
        fd, name = real(**kw)
        os.close(fd)
        return os.open(dev_full(), os.O_WRONLY), name
    tempfile.mkstemp = full
    try:
        cnn().save(os.path.join(d, "m.keras"))
    finally:
        tempfile.mkstemp = real
        if os.listdir(d):
            raise OpenFileLeft(f"the failed save left {os.listdir(d)}")


simple([
    ("load-conv-into-dense", lambda: _load_into_other(cnn, mlp), ValueError, "w.weights.npz", "shape"),
    ("load-lstm-into-other-units", lambda: _load_into_other(rnn, lambda: gk.Sequential(
        [L.Input((5, 4)), L.LSTM(4), L.Dense(1)])), ValueError, "w.weights.npz", "(4, 12)", "(4, 16)"),
    ("load-conv-other-filters", lambda: _load_into_other(cnn, lambda: gk.Sequential(
        [L.Input((8, 8, 1)), L.Conv2D(3, 3), L.MaxPooling2D(), L.Flatten(), L.Dense(3)])), ValueError,
     "w.weights.npz", "(3, 3, 1, 2)", "(3, 3, 1, 3)"),
    ("load-custom-unknown", _custom_unknown, ValueError, "'Scale'", "custom_objects"),
    ("load-timedistributed-custom-unknown", _td_custom_unknown, ValueError, "'Scale'", "custom_objects"),
    ("load-custom-objects-str", lambda: gk.models.load_model(_saved(cnn()), custom_objects="Scale"), TypeError,
     "custom_objects", "'Scale'"),
    ("save-lambda-fn", lambda: _saved(gk.Sequential([L.Input((4,)), L.Lambda(lambda x: x * 2)])), ValueError,
     "Lambda", "lambda"),
    ("save-cnn-file-size-limit", _save_fsize(CNN_SRC), OSError, "m.keras", "file-size limit"),
    ("save-rnn-file-size-limit", _save_fsize(RNN_SRC), OSError, "m.keras", "file-size limit"),
    ("save-cnn-full-disk", _save_full_disk, OSError, "m.keras", "no space"),
    ("save-readonly-folder", lambda: in_subprocess(ro_folder_body("m.save(os.path.join(ro, 'm.keras'))"),
                                                   drop_root=True), OSError, "m.keras", "permission"),
    ("checkpoint-readonly-folder", lambda: in_subprocess(ro_folder_body(
        "m.fit(x, y, verbose=0, callbacks=[gk.callbacks.ModelCheckpoint(os.path.join(ro, 'm.keras'))])"),
        drop_root=True), OSError, "m.keras", "permission"),
])


# ---- training that turns NaN or inf --------------------------------------------------------------------

def warned(fn):
    """fn with gradkit's training warnings raised as errors (they are GradkitErrors and RuntimeWarnings)."""
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            fn()
    return run


class NaNKernel(gk.callbacks.Callback):
    """Poison the first Dense layer's kernel after epoch 1's second batch (as a bad custom op would)."""

    def on_train_batch_end(self, batch, logs=None):
        if batch == 1 and not getattr(self, "done", False):
            k = self.model.layers[0].kernel
            k.data[0, 0] = np.nan
            self.done = True


def _inf_first_step():
    """Inputs × 1e20 into a regression: the first step's squared error overflows float32, before any update."""
    m = gk.Sequential([L.Input((4,)), L.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    x, _ = xy()
    fit(m, x * np.float32(1e20), np.zeros(len(x), "float32"), epochs=2)


simple([
    ("class-weight-nan", lambda: fit(mlp(), class_weight={0: float("nan"), 1: 1.0, 2: 1.0}), ValueError,
     "class_weight", "nan"),
    ("class-weight-inf", lambda: fit(mlp(), class_weight={0: float("inf")}), ValueError, "class_weight", "inf"),
    ("class-weight-neg", lambda: fit(mlp(), class_weight={1: -2.0}), ValueError, "class_weight", "-2"),
    ("class-weight-str-value", lambda: fit(mlp(), class_weight={0: "high"}), TypeError, "class_weight", "'high'"),
    ("class-weight-str-key", lambda: fit(mlp(), class_weight={"cat": 1.0}), TypeError, "class_weight", "'cat'"),
    ("sample-weight-nan", lambda: fit(mlp(), sample_weight=np.r_[np.ones(31), np.nan]), ValueError,
     "sample_weight", "nan"),
    ("nan-kernel-mid-fit", warned(lambda: fit(mlp(), epochs=2, batch_size=8, callbacks=[NaNKernel()])),
     RuntimeWarning, "dense", "kernel", "nan"),
    ("inf-loss-first-step", warned(_inf_first_step), RuntimeWarning, "first step", "before any update",
     "input"),
])


# ---- an address-space limit ----------------------------------------------------------------------------

simple([
    ("weight-address-space", lambda: in_subprocess("""
    gk.Sequential([L.Input((20000,)), L.Dense(200000, name="huge")])
    """, memory=300 * 2**20), MemoryError, "huge", "kernel", "(20000, 200000)", "GiB"),
    ("fit-address-space", lambda: in_subprocess("""
    m = gk.Sequential([L.Input((256,)), L.Dense(8192), L.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    x = np.ones((20000, 256), "float32"); y = np.zeros(20000, "float32")
    m.fit(x, y, batch_size=20000, verbose=0)
    """, memory=400 * 2**20), MemoryError, "fit", "out of memory", "batch_size=20000"),
])


# ---- datasets ------------------------------------------------------------------------------------------

simple([
    ("reuters-unknown-kwarg", lambda: gk.datasets.reuters.load_data(num_word=100), ValueError, "reuters",
     "num_word"),
    ("reuters-test-split", lambda: gk.datasets.reuters.load_data(test_split=1.5), ValueError, "test_split",
     "1.5"),
    ("reuters-num-words-neg", lambda: gk.datasets.reuters.load_data(num_words=-1), ValueError, "num_words",
     "-1"),
    ("imdb-num-words-str", lambda: gk.datasets.imdb.load_data(num_words="100"), TypeError, "num_words", "'100'"),
    ("imdb-maxlen-neg", lambda: gk.datasets.imdb.load_data(maxlen=-5), ValueError, "maxlen", "-5"),
    ("mnist-unknown-kwarg", lambda: gk.datasets.mnist.load_data(normalize=True), ValueError, "mnist",
     "normalize"),
])


# ---- recipes at the command line, and their faults ---------------------------------------------------

def _cli(args, cwd, prelude=""):
    env = {**os.environ, "MPLBACKEND": "Agg", "GRADKIT_OFFLINE": "1",
           "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = prelude + ("\nimport sys\nfrom gradkit.cli import main\nsys.argv = ['gradkit'] + sys.argv[1:]\n"
                      "sys.exit(main())")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)


class CLIFailed(E.GradkitError, OSError):
    """What the battery raises for a CLI run that failed cleanly (no traceback) and kept its trained result."""


def cli_fault(prelude, keep=("history.csv", "weights.npz")):
    """Run logic-gates --quick with ``prelude`` (a fault) first: it must fail in one message, no traceback,
    and the run folder must still hold ``keep``."""
    def run():
        cwd = tmpdir()
        r = _cli(["run", "logic-gates", "--quick", "--no-progress", "--out", "run"], cwd, prelude)
        if r.returncode == 0:
            return  # silent
        if "Traceback" in r.stderr:
            raise RuntimeError(f"traceback: {r.stderr[-1500:]}")
        lost = [k for k in keep if not os.path.isfile(os.path.join(cwd, "run", k))]
        if lost:
            raise RuntimeError(f"the trained result {lost} was lost: {r.stderr}")
        raise CLIFailed(r.stderr)
    return run


REPORT_FULL = """
import errno, gradkit.report as rep
def _full(*a, **k):
    raise OSError(errno.ENOSPC, "No space left on device", "report.html")
rep.build_report = _full
"""
REPORT_FSIZE = """
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (40000, 40000))  # the plots and history fit, the report not
"""

simple([
    ("cli-report-full-disk", cli_fault(REPORT_FULL), OSError, "report.html", "no space", "history.csv", "run"),
    ("cli-report-file-size-limit", cli_fault(REPORT_FSIZE), OSError, "report", "file-size limit",
     "history.csv"),
])


def test_new_faults_case(id, fn, exc, says):
    """One case: a gradkit error, of the builtin type ``exc``, naming each of ``says``."""
    e = run_case(fn)
    assert e is not None, f"{id}: nothing was raised"
    assert isinstance(e, E.GradkitError), f"{id}: {type(e).__name__} is not a gradkit error: {e}"
    assert isinstance(e, exc), f"{id}: {type(e).__mro__} is not a {exc.__name__}: {e}"
    missing = [s for s in says if s.lower() not in str(e).lower()]
    assert not missing, f"{id}: the message does not mention {missing}: {e}"


def pytest_generate_tests(metafunc):  # noqa: D103 - collected by pytest for this module only
    if "says" in metafunc.fixturenames:
        metafunc.parametrize("id,fn,exc,says", CASES, ids=[c[0] for c in CASES])


def test_battery_size():
    """Issue 20 asks for at least 250 new cases over both parts, each with its own id."""
    from test_bad_input_new_surface import CASES as SURFACE
    ids = [c[0] for c in SURFACE + CASES]
    assert len(ids) >= 250 and len(set(ids)) == len(ids)


def test_timedistributed_custom_layer_loads_with_custom_objects(tmp_path):
    """TimeDistributed(custom layer) saved and loaded with custom_objects gives the same outputs."""
    m = gk.Sequential([L.Input((5, 4)), L.TimeDistributed(Scale(3.0)), L.TimeDistributed(L.Dense(2))])
    x = np.arange(40, dtype="float32").reshape(2, 5, 4)
    p = str(tmp_path / "td.keras")
    m.save(p)
    back = gk.models.load_model(p, custom_objects={"Scale": Scale})
    assert back.layers[0].layer.factor == 3.0
    np.testing.assert_array_equal(back.predict(x, verbose=0), m.predict(x, verbose=0))


if __name__ == "__main__":
    from test_bad_input_new_surface import classify
    counts, rows = classify(CASES)
    if "-v" in sys.argv:
        print("\n".join(rows))
    print(f"{len(CASES)} cases: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


def test_interrupt_during_fit_closes_callback_files(tmp_path):
    """A real SIGINT (Ctrl-C) mid-fit: KeyboardInterrupt reaches the caller, and the CSV log and the TensorBoard
    event files are closed, the epochs logged so far kept."""
    import signal
    pytest.importorskip("tensorboardX", reason="TensorBoard needs the tensorboard extra")
    csv_cb = gk.callbacks.CSVLogger(str(tmp_path / "log.csv"))
    tb = gk.callbacks.TensorBoard(str(tmp_path / "logs"))
    ctrl_c = gk.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: signal.raise_signal(signal.SIGINT) if epoch == 1 else None)
    with pytest.raises(KeyboardInterrupt):
        fit(mlp(), epochs=5, callbacks=[csv_cb, tb, ctrl_c])
    assert csv_cb._file.closed
    assert tb._writers == {}
    rows = (tmp_path / "log.csv").read_text().splitlines()
    assert rows[0] == "epoch,loss" and [r.split(",")[0] for r in rows[1:]] == ["0", "1"]
    assert len(list((tmp_path / "logs" / "train").iterdir())) == 1


def test_divergence_warning_is_a_gradkit_runtime_warning():
    """The warning fit gives when the loss turns NaN is a RuntimeWarning (as before) and a GradkitError."""
    with pytest.warns(RuntimeWarning, match="first step, before any update") as record:
        m = gk.Sequential([L.Input((4,)), L.Dense(1)])
        m.compile(optimizer="sgd", loss="mse")
        fit(m, xy()[0] * np.float32(1e20), np.zeros(32, "float32"))
    assert isinstance(record[0].message, E.TrainingWarning) and isinstance(record[0].message, E.GradkitError)
