"""Safe .npz loading: numbers and object arrays of lists load like np.load; pickled code never runs."""
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from gradkit.datasets.npz import RestrictedUnpickler, load_npz
from gradkit.errors import DataError


def ragged(*lists):
    out = np.empty(len(lists), dtype=object)
    for i, x in enumerate(lists):
        out[i] = x
    return out


def object_header(shape):
    """The .npy 1.0 header of an object array of this shape."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": shape})
    return header.getvalue()


def test_object_and_numeric_arrays_load_like_np_load(tmp_path):
    p = tmp_path / "a.npz"
    np.savez(p, x=ragged([1, 2, 3], [4], []), y=np.array([1, 0, 1]), z=np.asfortranarray(np.arange(6.).reshape(2, 3)))
    got = load_npz(p)
    with np.load(p, allow_pickle=True) as ref:
        assert sorted(got) == sorted(ref.files)
        assert [list(v) for v in got["x"]] == [[1, 2, 3], [4], []]
        for k in ("y", "z"):
            assert got[k].dtype == ref[k].dtype and np.array_equal(got[k], ref[k])


def test_old_numpy_module_name_is_accepted(tmp_path):
    """Files written by numpy < 2 name numpy.core.multiarray._reconstruct (protocol-2 GLOBAL opcodes)."""
    data = pickle.dumps(ragged([5, 6], [7]), protocol=2).replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert b"numpy.core.multiarray\n_reconstruct" in data
    raw = object_header((2,)) + data
    p = tmp_path / "old.npz"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("x.npy", raw)
    assert [list(v) for v in load_npz(p)["x"]] == [[5, 6], [7]]


class _Payload:
    """Unpickling this would create a file (the stand-in for running arbitrary code)."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return Path.touch, (self.target,)


def test_crafted_pickle_is_refused_and_runs_nothing(tmp_path):
    target = tmp_path / "pwned"
    evil = object_header((1,)) + pickle.dumps(_Payload(target), protocol=3)
    p = tmp_path / "evil.npz"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("x_train.npy", evil)
    with pytest.raises(DataError, match="refusing to unpickle"):
        load_npz(p)
    assert not target.exists()
    with pytest.raises(pickle.UnpicklingError):
        RestrictedUnpickler(io.BytesIO(pickle.dumps(_Payload(target)))).load()
    assert not target.exists()


def test_truncated_file_is_a_clear_error(tmp_path):
    p = tmp_path / "full.npz"
    np.savez_compressed(p, x=np.arange(10000))
    cut = tmp_path / "cut.npz"
    cut.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    with pytest.raises(DataError, match="cannot load"):
        load_npz(cut)


def test_header_claiming_more_data_than_stored_is_refused(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
    p = tmp_path / "liar.npz"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("x.npy", header.getvalue() + b"\0" * 64)
    with pytest.raises(DataError, match="more than the"):
        load_npz(p)
