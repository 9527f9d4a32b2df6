"""Load .npz files without arbitrary unpickling: numeric arrays with pickle off, object arrays (IMDB, Reuters)
with an unpickler that can only rebuild NumPy arrays of lists of ints (as Keras 3 does)."""
import codecs
import pickle
import zipfile

import numpy as np

from ..errors import DataError

_RECONSTRUCT = np.empty(0, dtype=object).__reduce__()[0]  # numpy's _reconstruct, whatever its module
_ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,  # files written by numpy < 2
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,  # files written by numpy >= 2
    ("_codecs", "encode"): codecs.encode,  # protocol-2 pickles from Python 3 spell bytes this way; pure function
}
_BOMB_FLOOR = 1 << 32  # a member declaring > 4 GiB ...
_BOMB_RATIO = 100  # ... and > 100x its stored size is refused as a decompression bomb


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals needed to rebuild a NumPy array; lists and ints need none."""

    def find_class(self, module, name):
        """Allow numpy.ndarray, numpy.dtype, numpy's _reconstruct and codecs.encode; refuse everything else."""
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}: a dataset file may hold only "
                                         "NumPy arrays of numbers or lists; the file is corrupt or malicious") from None


def read_npy(fp, size=None):
    """One .npy stream of `size` bytes (if known): numeric arrays read as raw bytes (no pickle at all),
    object arrays via RestrictedUnpickler."""
    version = np.lib.format.read_magic(fp)
    read_header = np.lib.format.read_array_header_1_0 if version[0] == 1 else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read_header(fp)
    if dtype.hasobject:
        array = RestrictedUnpickler(fp).load()
        if not isinstance(array, np.ndarray) or array.shape != shape:
            raise DataError(f"the pickled object array does not match its .npy header (shape {shape})")
        return array
    if size is not None and int(np.prod(shape)) * dtype.itemsize > size:
        raise DataError(f"the .npy header declares shape {shape} of {dtype}, more than the {size} bytes stored")
    array = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
    view = memoryview(array.reshape(-1, order="A")).cast("B")
    filled = 0
    while filled < len(view):
        n = fp.readinto(view[filled:])
        if not n:
            raise DataError(f"truncated .npy data: {filled} of {len(view)} bytes (shape {shape}, {dtype})")
        filled += n
    return array


def load_npz(path, keys=()):
    """All arrays of an .npz file as a dict, safely (a drop-in for np.load(path, allow_pickle=True)).

    ``keys``: the arrays the caller needs; a file without one of them is a DataError naming what it holds.
    """
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                if info.file_size > _BOMB_FLOOR and info.file_size > _BOMB_RATIO * info.compress_size:
                    raise DataError(f"{path}: member {info.filename} declares {info.file_size} bytes from "
                                    f"{info.compress_size} stored; refused as a decompression bomb")
                with archive.open(info) as raw:
                    arrays[info.filename[:-4]] = read_npy(raw, info.file_size)
    except (zipfile.BadZipFile, EOFError, ValueError, pickle.UnpicklingError) as e:
        raise DataError(f"cannot load {path} as an .npz dataset file: {e}") from e
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise DataError(f"{path} is not the expected dataset file: it lacks the arrays {', '.join(map(repr, missing))} "
                        f"(expected {', '.join(map(repr, keys))}; it holds {', '.join(map(repr, sorted(arrays))) or 'none'})")
    return arrays
