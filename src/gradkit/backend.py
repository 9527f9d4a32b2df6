"""The array module (NumPy, or CuPy on request), the float dtype policy and the library's random Generator."""
import contextlib
import os
import platform
import sys
import threading

import numpy as np

from .errors import BackendError, ConfigError, DataError
from .tuning import BATCH_PART_MIN_ROWS, DOT_SPLIT_MIN_WORK, MALLOC_MMAP_THRESHOLD, MALLOC_TRIM_THRESHOLD

xp = np
"""The active array module; read it as ``backend.xp`` at call time (it changes with set_backend)."""

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_RNG = np.random.default_rng()
_BACKENDS = ("numpy", "cupy")


def set_backend(name):
    """Select the array module: "numpy" (default) or "cupy" (needs CuPy and a GPU)."""
    global xp
    if name not in _BACKENDS:
        raise BackendError(f"unknown backend {name!r}; expected one of {', '.join(_BACKENDS)}")
    if name == "cupy":
        try:
            import cupy
        except ImportError as e:
            raise BackendError("backend 'cupy' needs CuPy: pip install cupy-cuda12x (and an NVIDIA GPU)") from e
        xp = cupy
    else:
        xp = np


def use_array_module(module):
    """Make any NumPy-compatible module the array module (tests run gradkit on a stand-in that wraps NumPy)."""
    global xp
    xp = module


def backend():
    """Name of the active array module: "numpy", "cupy", or the module's own name for a stand-in."""
    return "numpy" if xp is np else xp.__name__.split(".")[0]


def floatx():
    """The default float dtype name, "float32" as in Keras."""
    return _FLOATX


def set_floatx(dtype):
    """Set the default float dtype: "float16", "float32" or "float64"."""
    global _FLOATX
    name = np.dtype(dtype).name
    if name not in ("float16", "float32", "float64"):
        raise ConfigError(f"floatx must be float16, float32 or float64, got {dtype!r}")
    _FLOATX = name


def epsilon():
    """The fuzz factor Keras adds to denominators (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    """Set the fuzz factor returned by epsilon()."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """"channels_last" (Keras's default) or "channels_first"."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Set the default image layout: "channels_last" or "channels_first"."""
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ConfigError(f"image data format must be 'channels_last' or 'channels_first', got {data_format!r}")
    _IMAGE_DATA_FORMAT = data_format


_RESET_HOOKS = []  # callables that forget global naming state (layers register theirs)


def clear_session(free_memory=True):
    """Forget the global state Keras's clear_session resets: layer and variable name counters."""
    for hook in _RESET_HOOKS:
        hook()


def rng():
    """The library's one NumPy Generator; every random draw in gradkit comes from it."""
    return _RNG


def set_seed(seed):
    """Reset the library's Generator so the same seed repeats every draw bit for bit."""
    global _RNG, _DEVICE_RNG
    _RNG = np.random.default_rng(seed)
    _DEVICE_RNG = None


_DEVICE_RNG = None  # (array module, its Generator) for draws made on a non-NumPy module


def device_rng():
    """Generator for draws inside a training step (dropout masks) on the active array module.

    On NumPy it is ``rng()`` itself; on CuPy a CuPy Generator seeded once from ``rng()``, so the
    draws stay on the device and one seed still repeats them.
    """
    global _DEVICE_RNG
    if xp is np:
        return _RNG
    if _DEVICE_RNG is None or _DEVICE_RNG[0] is not xp:
        _DEVICE_RNG = (xp, xp.random.default_rng(int(_RNG.integers(2**63 - 1))))
    return _DEVICE_RNG[1]


_BLAS = None  # threadpoolctl's controller of the loaded BLAS libraries, made on first use (~1 ms); False without it
_BLAS_SEEN = 0  # len(sys.modules) when _BLAS was made: a library loaded since (scipy's own OpenBLAS) came by an import
_POOL = None  # the threads of run_parts, made on first use
_IN_PART = threading.local()
_OWNED = None  # the thread count while owned_threads() is active


def _blas():
    """threadpoolctl's controller of NumPy's BLAS; False without threadpoolctl or off NumPy."""
    global _BLAS, _BLAS_SEEN
    if xp is not np:
        return False
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController
            _BLAS, _BLAS_SEEN = ThreadpoolController(), len(sys.modules)
        except ImportError:
            _BLAS = False
    return _BLAS


def single_threaded_blas():
    """Context in which NumPy's BLAS runs on one thread (with threadpoolctl installed; otherwise, and off NumPy, a no-op).

    For loops of small GEMMs (an RNN's per-step h·U): (128×32)·(32×128) took 25 µs on one OpenBLAS thread and
    60–5000 µs on two on a loaded 2-core machine; entering the context costs ~15 µs. Not entered inside run_parts.
    """
    ctl = _blas()
    return ctl.limit(limits=1, user_api="blas") if ctl and not getattr(_IN_PART, "on", False) else \
        contextlib.nullcontext()


def threads():
    """How many threads gradkit's ops may use: as many as NumPy's BLAS (OPENBLAS_NUM_THREADS, threadpoolctl) had
    when owned_threads() began, else has now; 1 without threadpoolctl, off NumPy, or inside a part."""
    ctl = _blas()
    if not ctl or getattr(_IN_PART, "on", False):
        return 1
    if _OWNED is not None:
        return _OWNED
    return max([c.num_threads for c in ctl.lib_controllers if c.user_api == "blas"] or [1])


@contextlib.contextmanager
def owned_threads():
    """Within (fit, evaluate, predict): BLAS on one thread, and ops that cut their batch into parts run them on as
    many threads as BLAS had. OpenBLAS's idle threads spin ~0.1 s after each threaded call, and took a core
    from the parts: a CNN epoch took 8.7 s mixing them, 4.9 s with spinning cut short, 6.0 s without parts.
    (Leaving an MLP's GEMMs to BLAS's two threads instead: its MNIST epoch took 2.3 s against 0.31 s on one at load
    average 2 on 2 cores.) The BLAS controller is made again only after imports (13–25 ms; once per fit before)."""
    global _OWNED, _BLAS
    if _OWNED is not None:
        yield
        return
    if _BLAS is not None and len(sys.modules) != _BLAS_SEEN:
        _BLAS = None  # see the BLAS libraries loaded since (scipy's own, ...)
    if not _blas():
        yield
        return
    _OWNED = threads()
    try:
        with single_threaded_blas():
            yield
    finally:
        _OWNED = None


def batch_parts(n, min_rows=BATCH_PART_MIN_ROWS):
    """[(start, stop)]: n samples cut into threads() parts of at least min_rows each (one part if too few)."""
    k = max(1, min(threads(), n // min_rows))
    return [(n * j // k, n * (j + 1) // k) for j in range(k)]


def _split_dot(a, b, min_work):
    """Whether a @ b is cut into parts: when gradkit owns the threads (else BLAS threads it) and it is big enough."""
    return _OWNED is not None and a.shape[0] * a.shape[1] * b.shape[1] >= min_work


def dot(a, b, min_work=DOT_SPLIT_MIN_WORK):
    """a @ b (2-D), a's rows cut into batch_parts when gradkit owns the threads and the product has at least min_work
    multiply-adds (below ~16M, 0.3 ms, handing parts to a thread cost more than it saved: an MLP epoch took 0.8 s
    against 0.5 s)."""
    if _OWNED is None or not _split_dot(a, b, min_work):  # the common case first: one BLAS call
        return xp.dot(a, b)
    parts = batch_parts(a.shape[0])
    if len(parts) == 1:
        return xp.dot(a, b)
    out = xp.empty((a.shape[0], b.shape[1]), dtype=xp.result_type(a.dtype, b.dtype))
    run_parts(lambda s, e: xp.dot(a[s:e], b, out=out[s:e]), parts)
    return out


def dot_t(a, b, min_work=DOT_SPLIT_MIN_WORK):
    """aᵀ @ b (2-D, rows shared), summed over batch_parts of the rows in order when big enough (see dot)."""
    if _OWNED is None or not _split_dot(a, b, min_work):
        return xp.dot(a.T, b)
    parts = batch_parts(a.shape[0])
    if len(parts) == 1:
        return xp.dot(a.T, b)
    sums = run_parts(lambda s, e: xp.dot(a[s:e].T, b[s:e]), parts)
    return sum(sums[1:], sums[0])


class _Done:
    """A result computed on the spot, with a Future's ``result()``."""

    def __init__(self, value):
        self.value = value

    def result(self):
        """The value."""
        return self.value


def submit(fn, *args):
    """fn(*args) on one of gradkit's threads when threads() > 1 (a Future; BLAS on one thread), else now."""
    if threads() < 2:
        return _Done(fn(*args))
    return _pool(2).submit(_part, fn, args)


def _pool(k):
    global _POOL
    if _POOL is None or _POOL._max_workers < k:
        from concurrent.futures import ThreadPoolExecutor
        _POOL = ThreadPoolExecutor(k, thread_name_prefix="gradkit")
    return _POOL


def _part(fn, part):
    _IN_PART.on = True
    try:
        return fn(*part)
    finally:
        _IN_PART.on = False


def run_parts(fn, parts):
    """[fn(start, stop) for each part]: with several parts, in that many threads, BLAS on one thread each (NumPy
    releases the GIL in its copies, ufuncs and GEMMs, so big-array ops on the parts run side by side)."""
    if len(parts) == 1:
        return [fn(*parts[0])]
    with single_threaded_blas():
        others = [_pool(len(parts) - 1).submit(_part, fn, p) for p in parts[1:]]
        return [_part(fn, parts[0])] + [f.result() for f in others]  # the calling thread runs the first part


_MALLOC_KEPT = None


def keep_freed_memory():
    """On glibc, have freed memory kept in the process for reuse (once; GRADKIT_MALLOC=system leaves malloc alone).

    A training step frees and re-allocates the same large arrays. glibc's moving thresholds otherwise hand some
    back to the kernel and page-fault them in again the next step: in an imdb-lstm epoch, 13,000 or 600,000
    faults (10 s or 15 s) depending on what was allocated before the fit. Arrays over 32 MB (the most glibc's mmap
    threshold can be) are taken from the heap too (no mmap): a 180×180 convnet's 100–300 MB windows were mapped and
    page-faulted in again every step (40 % of its CPU time in the kernel; 2.7 s a step against 1.6 s). All threads
    share one arena (M_ARENA_MAX 1): the parts' temporaries made on gradkit's second thread otherwise came from a
    heap of their own, which the main thread's arrays could not reuse (the 180×180 convnet's fit peak: 704 → 646 MB;
    any effect on its step time stayed within this machine's ±5 % noise). Returns whether it was set.
    """
    global _MALLOC_KEPT
    if _MALLOC_KEPT is None:
        _MALLOC_KEPT = False
        if os.environ.get("GRADKIT_MALLOC", "").lower() != "system" and platform.libc_ver()[0] == "glibc":
            import ctypes
            try:
                libc = ctypes.CDLL("libc.so.6")
            except OSError:
                return False
            m_trim_threshold, m_mmap_threshold, m_mmap_max, m_arena_max = -1, -3, -4, -8
            _MALLOC_KEPT = bool(libc.mallopt(m_mmap_threshold, MALLOC_MMAP_THRESHOLD) and
                                libc.mallopt(m_trim_threshold, MALLOC_TRIM_THRESHOLD) and
                                libc.mallopt(m_mmap_max, 0) and  # big arrays from the heap too
                                libc.mallopt(m_arena_max, 1))  # one heap for all threads
    return _MALLOC_KEPT


def to_numpy(a):
    """Host NumPy copy of an array of the active module."""
    return a.get() if hasattr(a, "get") and xp is not np else np.asarray(a)


if os.environ.get("GRADKIT_BACKEND"):
    set_backend(os.environ["GRADKIT_BACKEND"].lower())


def is_sparse(a):
    """True for a scipy.sparse matrix (anything with ``tocsr``; a dense ndarray is ruled out first, fast)."""
    return type(a) is not np.ndarray and hasattr(a, "tocsr")


def check_ids(ids, n, what):
    """DataError unless every value of the array ids is an integer in [0, n) (class labels, Embedding ids).

    One vectorised pass at the data boundary (fit/evaluate/predict, or a direct call on raw data), never per step.
    """
    if not ids.size:
        return
    if ids.dtype.kind == "f":
        frac = ids[ids != xp.floor(ids)]
        if frac.size:
            raise DataError(f"{what} must be integers in [0, {n}), got non-integer values such as {float(frac[0]):g}")
    lo, hi = ids.min(), ids.max()
    if lo < 0 or hi >= n:
        raise DataError(f"{what} must be integers in [0, {n}), got values from {float(lo):g} to {float(hi):g}")
