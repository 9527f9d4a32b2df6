"""What CIFAR-10 and CIFAR-100 share (Keras's cifar.py): the python-pickle batches, read straight from the tar.gz
Keras downloads (one streaming pass, nothing extracted to disk), each unpickled by the restricted unpickler."""
import io
import pickle
import tarfile
import zlib

import numpy as np

from .. import backend
from ..errors import DataError
from .npz import RestrictedUnpickler

PIXELS = 3 * 32 * 32
"""Values per image in a batch's "data" rows: 1024 red, then 1024 green, then 1024 blue (row-major 32x32)."""


def read_batches(archive, members, label_key, classes):
    """[(images (n, 3, 32, 32) uint8, labels (n,) int64), ...] for the archive's `members`, in that order."""
    found = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for info in tar:
                if info.name in members and info.isfile():
                    payload = tar.extractfile(info).read()  # the whole member, so a short gzip fails here
                    found[info.name] = _batch(payload, f"{archive} (member {info.name})", label_key, classes)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise DataError(f"cannot read {archive} as the CIFAR tar.gz archive Keras downloads: "
                        f"{type(e).__name__}: {e}") from e
    missing = [m for m in members if m not in found]
    if missing:
        raise DataError(f"{archive} is not the CIFAR archive Keras downloads: it lacks {', '.join(missing)}")
    return [found[m] for m in members]


def _batch(payload, where, label_key, classes):
    """One batch: its pickled dict (bytes keys, as Python 2 wrote it) checked and turned into arrays."""
    try:
        d = RestrictedUnpickler(io.BytesIO(payload), encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as e:
        raise DataError(f"{where} is not a CIFAR batch (a pickled dict of arrays): {type(e).__name__}: {e}") from e
    if not isinstance(d, dict):
        raise DataError(f"{where} is not a CIFAR batch: it holds a {type(d).__name__}, not a dict")
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data, labels = d.get("data"), d.get(label_key)
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != PIXELS:
        got = f"{data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise DataError(f"{where}: 'data' must be a uint8 array of shape (n, {PIXELS}), got {got}")
    labels = np.asarray(labels) if isinstance(labels, list) else None
    if labels is None or labels.shape != (len(data),) or (labels.size and labels.dtype.kind not in "iu"):
        raise DataError(f"{where}: {label_key!r} must be a list of {len(data)} integer labels "
                        f"(keys found: {', '.join(map(str, d))})")
    if labels.size and not 0 <= labels.min() <= labels.max() < classes:
        raise DataError(f"{where}: {label_key!r} must be in [0, {classes}), got labels from {labels.min()} to "
                        f"{labels.max()}")
    return data.reshape(len(data), 3, 32, 32), labels.astype(np.int64)


def image_layout(x):
    """Images as Keras returns them: (n, 32, 32, 3) under channels_last (the default), (n, 3, 32, 32) under
    channels_first; as Keras, a transposed view (a contiguous copy cost 0.75 s of a 2.1 s load of CIFAR-10)."""
    return x.transpose(0, 2, 3, 1) if backend.image_data_format() == "channels_last" else x
