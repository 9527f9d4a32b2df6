"""Keras 2 spellings that Keras 3 dropped, still accepted by gradkit with a one-time DeprecationWarning."""
import os
import sys
import warnings

_WARNED = set()


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _user_stacklevel():
    """The stacklevel of the first caller outside gradkit (so Python shows the warning at the user's line)."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def warn_once(old, new):
    """Warn once per process that ``old`` (Keras 2) is deprecated and name its Keras 3 spelling ``new``."""
    if old in _WARNED:
        return
    _WARNED.add(old)
    warnings.warn(f"{old} is Keras 2 code, removed in Keras 3; gradkit accepts it for now. Use {new} instead.",
                  DeprecationWarning, stacklevel=_user_stacklevel())


def reset():
    """Forget which warnings were given (tests use it to see each warning again)."""
    _WARNED.clear()
