"""Traceback filtering as Keras's (keras/src/utils/traceback_utils.py): an error raised inside fit / evaluate /
predict shows the user's frames, not gradkit's internals, unless ``disable_traceback_filtering()`` was called.
Those methods run inside ``error_handler``: a warning aimed at their caller counts one more frame (stacklevel)."""
import functools
import os
import traceback
import types

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_state = {"enabled": True}


def enable_traceback_filtering():
    """Show only the frames outside gradkit in the tracebacks of fit / evaluate / predict (the default)."""
    _state["enabled"] = True


def disable_traceback_filtering():
    """Show gradkit's own frames too (for debugging gradkit, or a layer whose error is deep inside it)."""
    _state["enabled"] = False


def is_traceback_filtering_enabled():
    """Whether tracebacks are filtered (True unless disable_traceback_filtering was called)."""
    return _state["enabled"]


def _filtered(tb):
    """The traceback without gradkit's frames; the innermost frame alone when every frame is gradkit's."""
    frames = list(traceback.walk_tb(tb))
    out = None
    for frame, line in reversed(frames):
        if not frame.f_code.co_filename.startswith(_PACKAGE):
            out = types.TracebackType(out, frame, frame.f_lasti, line)
    if out is None and frames:
        frame, line = frames[-1]
        out = types.TracebackType(None, frame, frame.f_lasti, line)
    return out


def filter_traceback(fn):
    """fn, re-raising its exceptions with gradkit's frames left out while filtering is enabled."""
    @functools.wraps(fn)
    def error_handler(*args, **kwargs):
        if not _state["enabled"]:
            return fn(*args, **kwargs)
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - re-raised as is, only its traceback shortened
            raise e.with_traceback(_filtered(e.__traceback__))  # noqa: B904 - the same error, its cause kept
    return error_handler
