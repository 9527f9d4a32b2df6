"""Save and load models: one portable zip, written atomically.

Format (format_version 1), a zip holding:
  config.json          {"format": "gradkit.model", "format_version": 1, "gradkit_version", "class_name",
                        "config" (the model's get_config), "compile_config" (loss/metrics/optimizer or null),
                        "optimizer_variables" (weight names in the optimizer's state order)}
  model.weights.npz    every weight, keyed by its name ("dense/kernel", ...)
  optimizer.npz        the optimizer's state (get_state(): "iterations", "0/momentum", ...), if compiled
Any zip/npz reader opens it. The write goes to a temporary file in the target's folder, then
``os.replace`` renames it, so a crash mid-save never leaves a half-written file under the final name;
the temporary files of a killed save are removed by the next save of the same target.
"""
import errno
import glob
import io as _io
import json
import os
import tempfile
import zipfile
import zlib

import numpy as np

from . import backend as B
from .errors import ConfigError, ConfigTypeError, DataError, PathError

FORMAT = "gradkit.model"
FORMAT_VERSION = 1
_CONFIG, _WEIGHTS, _OPTIMIZER = "config.json", "model.weights.npz", "optimizer.npz"


def _npz_bytes(arrays):
    buf = _io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _weights_dict(model):
    arrays = {}
    for w in model.weights:
        if w.name in arrays:
            raise ConfigError(f"two weights are named {w.name!r}; give the layers distinct names to save the model")
        arrays[w.name] = w.numpy()
    return arrays


def check_target(path, owner):
    """PathError naming the user's ``path`` when it is a folder or its folder does not exist."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise PathError(f"{owner}: {path!r} is a folder; expected a file path such as "
                        f"{os.path.join(path, 'model.gdk')!r}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise PathError(f"{owner}: cannot write {path!r}: the folder {os.path.dirname(path) or folder!r} does not "
                        "exist (create it first)")
    return path


_REASONS = {errno.ENOSPC: "No space left on device (the disk is full: free some space or write elsewhere)",
            errno.EFBIG: "File too large (a file-size limit, ulimit -f, stopped the write)",
            errno.EDQUOT: "Disk quota exceeded", errno.EROFS: "Read-only file system",
            errno.EACCES: "Permission denied (this user cannot write there)",
            errno.EPERM: "Permission denied (this user cannot write there)",
            errno.ENOTDIR: "Not a directory (a part of the path is a file, not a folder)"}


def os_reason(e):
    """An OSError's cause in words, saying what a full disk, a file-size limit or a read-only folder means."""
    return _REASONS.get(getattr(e, "errno", None), getattr(e, "strerror", None) or str(e))


def writable_folder(path, owner, arg):
    """PathError naming ``arg`` when the folder ``path`` is a file or lies under one (checked before a run)."""
    path = os.fspath(path)
    probe = os.path.abspath(path)
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        where = "is a file" if probe == os.path.abspath(path) else f"lies under the file {probe!r}"
        raise PathError(f"{owner}: {arg} {path!r} {where}, not a folder; give a folder path")
    return path


def _alive(pid):
    """Whether a process with this id runs (a temp file of a live process is not stale)."""
    if pid == os.getpid():
        return False  # this process is not saving now: anything of ours is left from an interrupted save
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _remove_stale(folder, base):
    """Delete the temp files that killed saves of ``base`` left in ``folder`` (their process is gone)."""
    for tmp in glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(base)}.tmp-*.part")):
        pid = os.path.basename(tmp)[len(base) + 6:].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                os.remove(tmp)
            except OSError:
                pass  # gone already, or not ours to remove


def atomic_write(path, write, owner="save"):
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it to ``path`` in one step.

    The temporary file is named ".<name>.tmp-<pid>-<random>.part", so the next save of the same target removes
    those left behind by killed processes.
    """
    path = check_target(path, owner)
    folder, base = os.path.split(os.path.abspath(path))
    _remove_stale(folder, base)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.tmp-{os.getpid()}-", suffix=".part", dir=folder)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(e, OSError) and not isinstance(e, PathError):
            raise PathError(f"{owner}: cannot write {path!r}: {os_reason(e)}") from e
        raise


def _check_overwrite(path, overwrite):
    if not overwrite and os.path.exists(path):
        raise ConfigError(f"{path!r} exists; pass overwrite=True to replace it")


def _compile_config(model):
    from . import losses, optimizers
    if not model.compiled:
        return None
    try:
        loss = [None if f is None else losses.serialize(f) for f in model._loss_fns]
    except ConfigError:
        loss = None  # a custom loss: pass it again to compile after loading
    return {"optimizer": optimizers.serialize(model.optimizer), "loss": loss, "metrics": model._metrics_config(),
            "weighted_metrics": model._metrics_config(weighted=True), "loss_weights": model._loss_weights,
            "jit_compile": model.jit_compile}


def _build_config(model):
    """{"input_shape": ...} of a subclassed model built on data (Keras's build_config), so load can build it before
    setting its weights; None for models whose config rebuilds their layers."""
    shapes = getattr(model, "_in_shapes", None)
    if not shapes or "_in_shapes" not in vars(model):
        return None
    shapes = [list(s) for s in shapes]
    return {"input_shape": shapes[0] if len(shapes) == 1 else shapes}


def save_model(model, filepath, overwrite=True):
    """Write the model (architecture, weights, compile settings, optimizer state) to ``filepath``."""
    from . import __version__
    _check_overwrite(filepath, overwrite)
    opt = model.optimizer if model.compiled else None
    config = {"format": FORMAT, "format_version": FORMAT_VERSION, "gradkit_version": __version__,
              "class_name": type(model).__name__, "config": model.get_config(),
              "compile_config": _compile_config(model), "build_config": _build_config(model),
              "optimizer_variables": [v.name for v in opt._variables] if opt is not None else []}
    members = {_CONFIG: json.dumps(config, indent=1).encode(), _WEIGHTS: _npz_bytes(_weights_dict(model))}
    if opt is not None:
        members[_OPTIMIZER] = _npz_bytes(opt.get_state())

    def write(f):
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
    atomic_write(filepath, write, "save")


def _open(filepath):
    """The zip's members as bytes; a DataError for a missing, corrupted or truncated file."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise DataError(f"no such file: {path!r}")
    if os.path.isdir(path):
        raise DataError(f"{path!r} is a folder; expected a file written by model.save or save_weights")
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad is not None:
                raise DataError(f"{path!r} is corrupted (member {bad!r} fails its checksum)")
            return {name: z.read(name) for name in z.namelist()}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as e:
        if isinstance(e, DataError):
            raise
        raise DataError(f"{path!r} is not a readable gradkit file: it is corrupted or truncated ({e})") from e


def _npz(data, what, path):
    try:
        with np.load(_io.BytesIO(data), allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except Exception as e:  # noqa: BLE001 - any failure here means a damaged member
        raise DataError(f"{path!r}: the {what} are corrupted ({e})") from e


def _read_config(members, path):
    if _CONFIG not in members:
        raise DataError(f"{path!r} is not a gradkit model file (no {_CONFIG}); was it written by model.save?")
    try:
        config = json.loads(members[_CONFIG])
    except ValueError as e:
        raise DataError(f"{path!r}: {_CONFIG} is corrupted ({e})") from e
    if config.get("format") != FORMAT:
        raise DataError(f"{path!r} is not a gradkit model file (format {config.get('format')!r})")
    if config.get("format_version", 0) > FORMAT_VERSION:
        raise DataError(f"{path!r} has format version {config['format_version']}; this gradkit reads up to "
                        f"{FORMAT_VERSION}: upgrade gradkit")
    return config


def load_model(filepath, classes, custom_objects=None, compile=True):
    """Rebuild a saved model with its weights, and (compile=True) its loss, metrics and optimizer state.

    ``classes`` maps the saved class name to a model class (gradkit.models.load_model passes its own, so
    this module never imports the models). Building the layers draws no random numbers from gradkit's
    Generator, so a seeded run that saves, loads and continues repeats an uninterrupted run bit for bit.
    """
    members = _open(filepath)
    config = _read_config(members, filepath)
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise ConfigTypeError(f"load_model: custom_objects must be a dict {{'ClassName': ClassName}}, got "
                              f"{custom_objects!r}")
    classes = {**classes, **(custom_objects or {})}
    cls = classes.get(config["class_name"])
    if cls is None:
        raise ConfigError(f"unknown model class {config['class_name']!r}; pass it in custom_objects")
    state = B.rng().bit_generator.state
    try:
        model = cls.from_config(config["config"], custom_objects=custom_objects)
    finally:
        B.rng().bit_generator.state = state
    build = config.get("build_config")
    if build and not model.weights:  # a subclassed model: its call creates the weights
        model.build(build["input_shape"])
    saved = _set_named(model, _npz(members.get(_WEIGHTS, b""), "weights", filepath), filepath)
    cc = config.get("compile_config")
    if compile and cc and cc.get("loss") is not None:
        _restore_compile(model, cc, config, members, filepath, saved)
    return model


def _restore_compile(model, cc, config, members, path, saved):
    from . import losses, optimizers
    loss = [losses.get(c) for c in cc["loss"]]
    model.compile(optimizer=optimizers.deserialize(cc["optimizer"]), loss=loss if len(loss) > 1 else loss[0],
                  loss_weights=cc.get("loss_weights"), metrics=cc.get("metrics"),
                  weighted_metrics=cc.get("weighted_metrics"), jit_compile=cc.get("jit_compile", "auto"))
    if _OPTIMIZER in members:
        model.optimizer.build([saved[n] for n in config.get("optimizer_variables", [])])
        model.optimizer.set_state(_npz(members[_OPTIMIZER], "optimizer state", path))


def _set_named(model, arrays, path):
    """Set weights by name; when the names differ (auto-named layers of a fresh model), by position as Keras does.
    Returns {saved weight name: the model's weight} (the optimizer state is saved by those names)."""
    mine = model.weights
    if not mine and arrays:
        raise DataError(f"the model has no weights yet: build it (e.g. model.build((None, n_features))) "
                        f"before loading {path!r}")
    if all(w.name in arrays for w in mine):
        values = [arrays[w.name] for w in mine]
        saved = {w.name: w for w in mine}
    elif len(arrays) == len(mine):
        values = list(arrays.values())
        saved = dict(zip(arrays, mine))
    else:
        raise DataError(f"{path!r} holds {len(arrays)} weights ({', '.join(arrays)}); the model has {len(mine)} "
                        f"({', '.join(w.name for w in mine)})")
    for w, v in zip(mine, values):
        if v.shape != tuple(w.shape):
            raise DataError(f"{path!r}: the value for weight {w.name!r} has shape {v.shape}, the weight has shape "
                            f"{tuple(w.shape)}")
    for w, v in zip(mine, values):
        w.data[...] = B.xp.asarray(v, dtype=w.dtype)
    return saved


def save_weights(model, filepath, overwrite=True):
    """Write only the weights: an .npz keyed by weight name ("dense/kernel", ...), atomically."""
    _check_overwrite(filepath, overwrite)
    data = _npz_bytes(_weights_dict(model))
    atomic_write(filepath, lambda f: f.write(data), "save_weights")


def load_weights(model, filepath):
    """Set the model's weights from save_weights' .npz or from a full model file."""
    members = _open(filepath)
    if _CONFIG in members:
        arrays = _npz(members.get(_WEIGHTS, b""), "weights", filepath)
    else:
        arrays = _npz(_zip_bytes(filepath), "weights", filepath)
    _set_named(model, arrays, filepath)


def _zip_bytes(filepath):
    with open(filepath, "rb") as f:
        return f.read()
