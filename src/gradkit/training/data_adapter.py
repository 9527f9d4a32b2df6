"""Data entering fit / evaluate / predict: converted once and checked once, vectorised over whole arrays.

The role of Keras's data_adapters: inputs and targets become lists of arrays (floatx, or integers for an Embedding
or a sparse loss); labels are checked against the loss and the model's outputs, ids against the Embedding that reads
them, every value for NaN/inf, and the loop arguments for type and range. Nothing in the training step checks data
after this, so a compiled (replayed) step can never skip a check, and the hot path makes no device syncs.
"""
import math

import numpy as np

from .. import backend as B
from ..autograd import Tensor
from ..backend import is_sparse
from ..arguments import flag, number
from ..errors import ConfigError, ConfigTypeError, DataError, ShapeError
from ..layers.embedding import Embedding

# ---- arguments ---------------------------------------------------------------------------------------

def check_batch_size(batch_size, where="fit", name="batch_size"):
    """None (32), 'full' (all samples at once) or a positive integer."""
    if batch_size is None or batch_size == "full":
        return
    if isinstance(batch_size, str):
        raise ConfigTypeError(f"{where}: {name} must be an integer in [1, inf), None (32) or 'full', "
                              f"got {batch_size!r}")
    number(batch_size, name, where, "[1, inf)", integer=True)


def check_verbose(verbose, where="fit"):
    """'auto', 0, 1 or 2, as Keras."""
    if verbose != "auto" and (isinstance(verbose, str) or verbose not in (0, 1, 2)):
        raise ConfigError(f"{where}: verbose must be 'auto', 0, 1 or 2, got {verbose!r}")


def check_callbacks(callbacks, where="fit"):
    """A list of Callback objects (or None) → a list."""
    from .callbacks import Callback
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        hint = "; wrap it in a list: callbacks=[...]" if isinstance(callbacks, Callback) else ""
        raise ConfigTypeError(f"{where}: callbacks must be a list of Callback objects, got "
                              f"{type(callbacks).__name__} {callbacks!r}{hint}")
    bad = [c for c in callbacks if not isinstance(c, Callback)]
    if bad:
        raise ConfigTypeError(f"{where}: callbacks must hold Callback objects (gradkit.callbacks.*), got "
                              f"{type(bad[0]).__name__} {bad[0]!r}")
    return list(callbacks)


def check_fit_args(batch_size, epochs, initial_epoch, steps_per_epoch, validation_split, validation_freq, verbose,
                   shuffle):
    """fit's loop arguments, each against its type (ConfigTypeError) and range (ConfigError), naming it."""
    check_batch_size(batch_size)
    number(epochs, "epochs", "fit", "[0, inf)", integer=True)
    number(initial_epoch, "initial_epoch", "fit", "[0, inf)", integer=True)
    if steps_per_epoch is not None:
        number(steps_per_epoch, "steps_per_epoch", "fit", "[1, inf)", integer=True)
    number(validation_split, "validation_split", "fit", "[0, 1)")
    number(validation_freq, "validation_freq", "fit", "[1, inf)", integer=True)
    check_verbose(verbose)
    flag(shuffle, "shuffle", "fit")


# ---- arrays --------------------------------------------------------------------------------------------

def as_array(a, role):
    """An array of the active module from an array, list, Tensor or DataFrame; a DataError for non-numeric data."""
    if a is None:
        raise DataError(f"{role} is None")
    if callable(a) and not hasattr(a, "shape"):
        name = getattr(a, "__name__", type(a).__name__)
        raise DataError(f"{role} is a function, {name}: pass what it returns (e.g. the generator {name}(...))")
    if isinstance(a, Tensor):
        a = a.numpy()
    elif hasattr(a, "to_numpy"):
        a = a.to_numpy()
    try:
        a = np.asarray(a) if B.xp is np or not hasattr(a, "__cuda_array_interface__") else a
    except (ValueError, TypeError) as e:
        raise DataError(f"{role} could not be read as one numeric array ({e}); ragged lists need padding "
                        "(gradkit.preprocessing.pad_sequences)") from e
    if a.dtype.kind not in "biuf":
        raise DataError(f"{role} must be numeric, got an array of dtype {a.dtype}")
    if a.ndim == 0:
        raise DataError(f"{role} must be an array of samples, got a scalar")
    if a.shape[0] == 0:
        raise DataError(f"{role} is empty: it has 0 samples (shape {a.shape})")
    if a.dtype.kind == "b":
        a = a.astype(B.floatx())
    return B.xp.asarray(a)


def to_float(a, role):
    """a in floatx, checked for NaN/inf once; a value that overflows floatx when cast is named as such."""
    with np.errstate(over="ignore"):  # an overflow is reported below, by name
        cast = a.astype(B.floatx(), copy=False)
    if cast.dtype.kind != "f" or math.isfinite(float(B.xp.sum(cast))):
        return cast  # a finite sum means no NaN/inf: no boolean copy of the data (peak memory)
    bad = ~B.xp.isfinite(cast)
    if not bool(bad.any()):
        return cast  # only the sum overflowed
    if a.dtype != cast.dtype and bool(B.xp.isfinite(a[bad]).all()):
        big = float(B.xp.abs(a[bad]).max())
        raise DataError(f"{role} has {int(bad.sum())} value(s) (up to {big:.3g}) that overflow {cast.dtype} "
                        f"(largest {float(np.finfo(cast.dtype).max):.3g}) when cast; rescale the data (e.g. "
                        "gradkit.preprocessing.StandardScaler) or use float64 (gradkit.backend.set_floatx)")
    raise DataError(f"{role} contains {int(bad.sum())} NaN or inf value(s); clean or impute them before training")


def to_input_array(a, consumer, role):
    """One input as an array: CSR for scipy.sparse, integers kept for an Embedding (ids checked against its
    input_dim), else floatx checked for NaN/inf; 1-D data becomes one feature per sample (Keras 2's expand_1d)."""
    if is_sparse(a):
        a = a.tocsr()
        if a.shape[0] == 0:
            raise DataError(f"{role} is empty: it has 0 samples (shape {a.shape})")
        if a.dtype != np.dtype(B.floatx()):
            a = a.astype(B.floatx())
        to_float(a.data, role)
        return a
    a = as_array(a, role)
    embedding = isinstance(consumer, Embedding)
    if embedding:
        B.check_ids(a, consumer.input_dim, f"{role}: the ids for layer '{consumer.name}'")
        if a.dtype.kind in "iu":
            return a
    a = to_float(a, role)
    if a.ndim == 1 and not embedding:
        a = a[:, None]
    return a


# ---- a model's data -------------------------------------------------------------------------------------

def prepare_x(model, x, role="x"):
    """Inputs as a list of arrays, one per model input (a dict by input name, a list, or one array)."""
    n_in = model._num_inputs()
    if isinstance(x, dict):
        names = model.input_names
        missing = [k for k in names if k not in x]
        if missing:
            raise DataError(f"{role} is missing input(s) {missing}; the model's inputs are {names}")
        items = [x[k] for k in names]
    elif n_in > 1:
        if not isinstance(x, (list, tuple)) or len(x) != n_in:
            raise DataError(f"the model has {n_in} inputs; pass {role} as a list of {n_in} arrays, got {_count(x)}")
        items = list(x)
    else:
        items = [x[0] if isinstance(x, (list, tuple)) and len(x) == 1 and hasattr(x[0], "shape") else x]
    consumers = model._input_consumers()
    xs = adjust_input_rank(model, [to_input_array(a, c, role) for a, c in zip(items, consumers)])
    check_inputs(model, xs, role)
    return xs


def adjust_input_rank(model, xs):
    """Keras's Functional._adjust_input_rank: an input one axis short of its Input's shape ending in 1 gets that
    axis; one with an extra trailing axis of 1 loses it (keras.io's siamese feeds (n, 28, 28) to Input((28, 28, 1)))."""
    wants = model.input_shapes if getattr(model, "built", False) else [None] * len(xs)
    out = []
    for a, want in zip(xs, wants):
        if want is not None and hasattr(a, "ndim"):
            if a.ndim == len(want) - 1 and want[-1] == 1:
                a = a[..., None]
            elif a.ndim == len(want) + 1 and a.shape[-1] == 1:
                a = a[..., 0]
        out.append(a)
    return out


def _count(x):
    return f"a list of {len(x)}" if isinstance(x, (list, tuple)) else "1 array"


def check_inputs(model, xs, role="x"):
    """Build the model from the data if needed; then name the layer when the data does not fit it."""
    model._ensure_built([tuple(a.shape) for a in xs])
    for a, layer, want in zip(xs, model._input_consumers(), model.input_shapes):
        got = tuple(a.shape)
        if len(got) != len(want) or any(w is not None and w != g for w, g in zip(want[1:], got[1:])):
            feats = f"inputs with {want[-1]} features, got {got[-1]}" if len(got) == len(want) == 2 else \
                f"inputs of shape {want}, got {(None,) + got[1:]}"
            name = getattr(layer, "name", "input")
            raise ShapeError(f"layer '{name}' expects {feats} ({role} has shape {got}).")


def prepare_y(model, y, role="y"):
    """Targets as a list of arrays, one per output (a dict by output name, a list, or one array), checked against
    the loss and the output: integers kept for sparse losses."""
    if y is None:
        if all(fn is None for fn in model._loss_fns):  # compile had no loss: the model adds its own (add_loss)
            return []
        raise DataError(f"no targets: pass {role} (the labels or values to learn) beside x")
    n_out = model._num_outputs()
    layers = model._output_layers()
    if isinstance(y, dict):
        missing = [l.name for l in layers if l.name not in y]
        if missing:
            raise DataError(f"{role} is missing target(s) for output(s) {missing}; the outputs are "
                            f"{[l.name for l in layers]}")
        items = [y[l.name] for l in layers]
    elif n_out > 1:
        if not isinstance(y, (list, tuple)) or len(y) != n_out:
            raise DataError(f"the model has {n_out} outputs; pass {role} as a list of {n_out} arrays, got {_count(y)}")
        items = list(y)
    else:
        items = [y]
    from .. import losses
    out = []
    for i, a in enumerate(items):
        a = as_array(a, role)
        fn = model._loss_fns[i]
        sparse = "sparse" in getattr(fn, "name", "")
        if not (sparse and a.dtype.kind in "iu"):
            a = to_float(a, role)
        if fn is not None:
            losses.check_labels(fn, a.shape, model.output_shapes[i], role)
            check_label_values(fn, a, model.output_shapes[i], role)
        out.append(a)
    return out


def check_label_values(loss, y, out_shape, role="y"):
    """The labels' values against a built-in loss: class indices in [0, classes) for sparse cross-entropy (its
    ignore_class aside), values in [0, 1] for binary cross-entropy. One vectorised pass over the whole array."""
    name = getattr(getattr(loss, "fn", None), "__name__", "") if getattr(loss, "builtin", False) else ""
    if name == "sparse_categorical_crossentropy":
        ignore = loss.kwargs.get("ignore_class")
        y = y if ignore is None else y[y != ignore]
        B.check_ids(y, out_shape[-1], f"{role}: labels for sparse_categorical_crossentropy with {out_shape[-1]} "
                                      "classes (the output's last dimension)")
    elif name == "binary_crossentropy" and y.size:
        lo, hi = float(y.min()), float(y.max())
        if lo < 0 or hi > 1:
            raise DataError(f"{role}: binary_crossentropy needs labels in [0, 1] (classes 0/1, or probabilities), "
                            f"got values from {lo:g} to {hi:g}")


def check_lengths(xs, ys, role="x and y"):
    """DataError unless every array has the same number of samples."""
    lens = {a.shape[0] for a in xs} | {a.shape[0] for a in ys}
    if len(lens) > 1:
        raise DataError(f"{role} must have the same number of samples; got x with "
                        f"{[a.shape[0] for a in xs]} and y with {[a.shape[0] for a in ys]}")


def sample_weights(model, ys, sample_weight=None, class_weight=None, role=""):
    """One weight per sample (a float array of shape (n,)), or None: sample_weight, or class_weight[label]
    (labels as Keras reads them: argmax of one-hot rows, else rounded values; classes not listed weigh 1)."""
    if not ys:  # no targets: compile had no loss, the model adds its own
        if sample_weight is not None or class_weight is not None:
            raise ConfigError(f"sample_weight{role} / class_weight weigh compile's loss, and compile() was given none "
                              "(the model's loss comes from add_loss): weigh the loss inside the layer that adds it")
        return None
    n = ys[0].shape[0]
    w = None
    if sample_weight is not None and class_weight is not None:
        raise ConfigError("fit: pass class_weight or sample_weight, not both (as Keras); fold the class weights "
                          "into sample_weight")
    if isinstance(sample_weight, dict) or (isinstance(sample_weight, (list, tuple)) and len(ys) > 1 and
                                           any(B.xp.ndim(s) > 0 for s in sample_weight)):
        raise ConfigError(f"sample_weight{role}: one array per output (a {type(sample_weight).__name__}) is not "
                          f"supported by gradkit; pass one array of shape ({n},), which weighs every output (as Keras "
                          "does with one array)")
    if sample_weight is not None:
        w = to_float(as_array(sample_weight, f"sample_weight{role}"), f"sample_weight{role}")
        if w.ndim == 2 and w.shape[1] == 1:
            w = w[:, 0]
        if w.shape != (n,):
            raise DataError(f"sample_weight{role} must hold one weight per sample, shape ({n},), got shape {w.shape}")
        if not bool(B.xp.isfinite(w).all()):
            raise DataError(f"sample_weight{role} must hold finite weights, got {float(w[~B.xp.isfinite(w)][0])!r}")
        if bool((w < 0).any()):
            raise DataError(f"sample_weight{role} must be non-negative, got values down to {float(w.min()):g}")
    if class_weight is not None:
        if not isinstance(class_weight, dict):
            raise ConfigTypeError(f"fit: class_weight must be a dict {{class index: weight}}, got {class_weight!r}")
        if len(ys) != 1:
            raise ConfigError(f"fit: class_weight is not supported for a model with {len(ys)} outputs (as Keras); "
                              "pass sample_weight instead")
        try:
            table = {int(k): float(v) for k, v in class_weight.items()}
        except (TypeError, ValueError):
            raise ConfigTypeError(f"fit: class_weight must map integer class indices to numbers, got "
                                  f"{class_weight!r}") from None
        bad = {k: v for k, v in table.items() if not (math.isfinite(v) and v >= 0)}
        if bad:
            k, v = next(iter(bad.items()))
            raise DataError(f"fit: class_weight must map each class to a finite weight >= 0, got {v!r} for class "
                            f"{k} (class_weight={class_weight!r})")
        y = B.to_numpy(ys[0])
        labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] != 1 else np.round(y.reshape(n)).astype(int)
        cw = np.ones(n, dtype=B.floatx())
        for k, v in table.items():
            cw[labels == k] = v
        w = B.xp.asarray(cw)
    return w


def prepare(model, x, y, role=""):
    """(xs, ys) for fit/evaluate: both prepared and checked; role names the argument in messages."""
    if y is None and isinstance(x, tuple) and len(x) == 2:
        x, y = x
    xs = prepare_x(model, x, f"x{role}")
    ys = prepare_y(model, y, f"y{role}")
    check_lengths(xs, ys, f"x and y{role}")
    return xs, ys


def validation_data(model, data):
    """fit's validation_data, (x_val, y_val) or (x_val, y_val, sample_weight_val), as (vxs, vys, weights or None)."""
    if not isinstance(data, (list, tuple)) or len(data) not in (2, 3):
        got = f"a {type(data).__name__} of {len(data)}" if isinstance(data, (list, tuple)) else type(data).__name__
        raise DataError(f"validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val), a "
                        f"generator or a PyDataset, got {got}")
    vx, vy = prepare(model, data[0], data[1], " of validation_data")
    vw = sample_weights(model, vy, data[2], role=" of validation_data") if len(data) == 3 else None
    return vx, vy, vw


def validation(model, xs, ys, split, weights=None):
    """(train xs, train ys, train weights, (val xs, val ys, val weights) or None): the LAST fraction ``split`` of
    the data held out (taken before any shuffling, as Keras does)."""
    if not split:
        return xs, ys, weights, None
    at = int(math.floor(xs[0].shape[0] * (1.0 - split)))
    if at == 0 or at == xs[0].shape[0]:
        raise DataError(f"validation_split={split} of {xs[0].shape[0]} samples leaves no training or no "
                        "validation samples")
    cut = (lambda a, s: None if a is None else a[s])
    return [a[:at] for a in xs], [a[:at] for a in ys], cut(weights, slice(None, at)), \
        ([a[at:] for a in xs], [a[at:] for a in ys], cut(weights, slice(at, None)))
