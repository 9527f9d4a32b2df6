"""What image_dataset_from_directory and text_dataset_from_directory share, as Keras's
keras/src/utils/dataset_utils.py does it: listing a folder (one subfolder per class, files sorted, then shuffled
globally with ``np.random.RandomState(seed)``), the validation split (the last ``int(split * n)`` files) and the
label encodings."""
import numbers
import os

import numpy as np

from .. import backend as B
from ..arguments import number
from ..errors import ConfigError, ConfigTypeError, DataError, PathError

LABEL_MODES = ("int", "categorical", "binary", None)


def check_labels(labels, label_mode, class_names, owner):
    """labels ("inferred", None or a list of ints) and label_mode checked; both None when either is None."""
    if labels is not None and not (isinstance(labels, str) and labels == "inferred"):
        if not isinstance(labels, (list, tuple)):
            raise ConfigTypeError(f"{owner}: labels must be 'inferred', None or a list/tuple of integer labels (one "
                                  f"per file, in the sorted order of the file paths), got {labels!r}")
        if class_names:
            raise ConfigError(f"{owner}: class_names can only be passed with labels='inferred', got "
                              f"labels={labels!r} and class_names={class_names!r}")
    if label_mode not in LABEL_MODES:
        raise ConfigError(f"{owner}: label_mode must be one of 'int', 'categorical', 'binary' or None, "
                          f"got {label_mode!r}")
    return (None, None) if labels is None or label_mode is None else (labels, label_mode)


def check_validation_split(validation_split, subset, shuffle, seed, owner):
    """Keras's rules: a split needs a subset and the reverse; a shuffled split needs a seed (else the training
    and validation files would overlap)."""
    if validation_split is not None:
        number(validation_split, "validation_split", owner, "[0, 1)")
    if subset not in ("training", "validation", "both", None):
        raise ConfigError(f"{owner}: subset must be 'training', 'validation', 'both' or None, got {subset!r}")
    if bool(validation_split) != bool(subset):
        raise ConfigError(f"{owner}: validation_split and subset go together; got validation_split="
                          f"{validation_split!r} and subset={subset!r}: pass both (e.g. validation_split=0.2, "
                          "subset='training') or neither")
    if validation_split and shuffle and seed is None:
        raise ConfigError(f"{owner}: validation_split={validation_split!r} with shuffle=True needs a seed (the "
                          "same seed for the training and the validation call, so that they do not overlap), "
                          "got seed=None")


def check_batch_size(batch_size, owner):
    """batch_size as a positive int, or None (unbatched)."""
    return None if batch_size is None else number(batch_size, "batch_size", owner, "[1, inf)", integer=True)


def draw_seed(seed, owner):
    """The seed, or one drawn from gradkit's generator (so set_random_seed repeats the run) as Keras draws one."""
    if seed is None:
        return int(B.rng().integers(1_000_000))
    return number(seed, "seed", owner, "[0, 4294967296)", integer=True)  # NumPy's RandomState takes < 2**32


def _files(directory, follow_links, formats):
    """Files under ``directory`` with an allowed extension, folder by folder in sorted order (Keras's walk)."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda w: w[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield os.path.join(root, name)


def _class_folders(directory, class_names, owner):
    """The class subfolders: all non-hidden ones, sorted, or ``class_names`` (a subset, in its order)."""
    subdirs = [d for d in sorted(os.listdir(directory))
               if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
    if class_names is None:
        return subdirs
    if not isinstance(class_names, (list, tuple)) or not set(class_names) <= set(subdirs):
        raise ConfigError(f"{owner}: class_names must name subfolders of {str(directory)!r}; expected some of "
                          f"{subdirs}, got class_names={class_names!r}")
    return list(class_names)


def index_directory(directory, labels, formats, class_names, shuffle, seed, follow_links, owner, verbose=True):
    """(file paths, int labels or None, class names or None) as Keras's index_directory: sorted per class folder,
    then shuffled with RandomState(seed) when ``shuffle``."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise PathError(f"{owner}: directory must be an existing folder, got {directory!r}")
    if labels == "inferred":
        subdirs = _class_folders(directory, class_names, owner)
    else:
        if class_names is not None:
            raise ConfigError(f"{owner}: class_names can only be passed with labels='inferred', got "
                              f"labels={labels!r} and class_names={class_names!r}")
        subdirs = [""]
    paths, ints = [], []
    for k, sub in enumerate(subdirs):
        found = list(_files(os.path.join(directory, sub) if sub else directory, follow_links, formats))
        paths += found
        ints += [k] * len(found)
    if labels == "inferred":
        class_names, labels = subdirs, np.asarray(ints, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(paths):
            raise DataError(f"{owner}: labels must hold one label per file: got {len(labels)} labels for the "
                            f"{len(paths)} files in {directory!r}")
        bad = [v for v in labels if isinstance(v, bool) or not isinstance(v, numbers.Integral)]
        if bad:
            raise DataError(f"{owner}: labels must be integers, got {bad[0]!r}")
        class_names, labels = [str(v) for v in sorted(set(labels))], np.asarray(labels, dtype="int32")
    if verbose:
        print(f"Found {len(paths)} files." if labels is None else
              f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        order = np.arange(len(paths))
        np.random.RandomState(seed).shuffle(order)  # Keras shuffles paths and labels with two equal generators
        paths, labels = [paths[i] for i in order], None if labels is None else labels[order]
    return paths, labels, class_names


def split(paths, labels, validation_split, subset, verbose=True):
    """The training part (all but the last int(split * n)) or the validation part (those last ones)."""
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    cut = slice(None, len(paths) - n_val) if subset == "training" else slice(len(paths) - n_val, None)
    if verbose:
        print(f"Using {len(paths) - n_val if subset == 'training' else n_val} files for {subset}.")
    return paths[cut], None if labels is None else labels[cut]


def subsets(paths, labels, validation_split, subset, directory, what, formats, verbose=True):
    """[(paths, labels, is_training)] for subset "both", else one such part; an empty part is a DataError."""
    parts = ("training", "validation") if subset == "both" else (subset,)
    out = []
    for part in parts:
        p, lab = split(paths, labels, validation_split, part, verbose)
        if not p:
            where = f" for the {part} subset" if part else ""
            raise DataError(f"{what}: no files{where} in directory {str(directory)!r}: expected files ending in "
                            f"{', '.join(formats)} (in one subfolder per class), found {len(paths)} in all")
        out.append((p, lab, part != "validation"))
    return out


def encode_labels(labels, label_mode, num_classes):
    """int labels as Keras yields them: int32 (n,), float32 (n, 1) for binary, float32 one-hot for categorical."""
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels]
    return labels.astype("int32")


def check_binary(label_mode, class_names, owner):
    """label_mode="binary" needs exactly two classes."""
    if label_mode == "binary" and len(class_names) != 2:
        raise DataError(f"{owner}: label_mode='binary' needs exactly 2 classes, got {len(class_names)}: "
                        f"{class_names}")


def check_common(owner, label_mode, labels, class_names, batch_size, validation_split, subset, shuffle, seed):
    """The argument checks both *_dataset_from_directory make; returns (labels, label_mode, batch_size)."""
    labels, label_mode = check_labels(labels, label_mode, class_names, owner)
    batch_size = check_batch_size(batch_size, owner)
    check_validation_split(validation_split, subset, shuffle, seed, owner)
    return labels, label_mode, batch_size


def _stack(items):
    """Images (arrays) stacked into one array; texts (str) as a 1-D object array of str."""
    return np.stack(items) if isinstance(items[0], np.ndarray) else np.array(items, dtype=object)


def from_directory(owner, directory, labels, label_mode, class_names, formats, batch_size, shuffle, seed,
                   validation_split, subset, follow_links, verbose, read):
    """The dataset (a list [training, validation] for subset="both") of files read by ``read(path)`` → array."""
    from .dataset import SampleDataset
    labels, label_mode, batch_size = check_common(owner, label_mode, labels, class_names, batch_size,
                                                  validation_split, subset, shuffle, seed)
    seed = draw_seed(seed, owner)
    paths, labels, class_names = index_directory(directory, labels, formats, class_names, shuffle, seed,
                                                 follow_links, owner, verbose)
    check_binary(label_mode, class_names, owner)
    out = []
    for part, part_labels, training in subsets(paths, labels, validation_split, subset, directory, owner, formats,
                                             verbose):
        y = None if label_mode is None else encode_labels(part_labels, label_mode, len(class_names))

        def load(indices, part=part, y=y):
            x = _stack([read(part[i]) for i in indices])
            return x if y is None else (x, y[indices])
        ds = SampleDataset(len(part), load, batch_size, shuffle=shuffle and training, seed=seed)
        ds.class_names, ds.file_paths = class_names, list(part)
        out.append(ds)
    return out if subset == "both" else out[0]
