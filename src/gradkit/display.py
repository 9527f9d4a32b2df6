"""Where output goes: a Jupyter kernel or a terminal. Imports nothing from gradkit, so every layer may use it."""
import os
import sys
import warnings


def in_notebook():
    """True inside a Jupyter/Colab/VS Code notebook kernel (not a terminal, IPython console or qtconsole).

    The same test tqdm.autonotebook makes: an ipykernel ZMQ shell that is not a Qt console or Spyder.
    """
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return False
    if any(k == "QT_API" or k.startswith("SPYDER") for k in os.environ):
        return False
    try:
        shell = sys.modules["IPython"].get_ipython()
    except Exception:  # noqa: BLE001 - an odd IPython: treat as a terminal
        return False
    name = type(shell).__name__.lower() if shell is not None else ""
    return "zmq" in name or "colab" in name or (shell is not None and "google.colab" in sys.modules)


def tqdm_class():
    """tqdm's plain text bar (never a widget); None when tqdm is not installed."""
    try:
        from tqdm.std import tqdm
    except ImportError:
        return None
    return tqdm


def import_pooch():
    """pooch, imported without tqdm's "IProgress not found" warning (pooch imports tqdm.auto, which warns in a
    notebook without ipywidgets); raises ImportError when pooch is not installed."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*IProgress not found.*")
        warnings.filterwarnings("ignore", message=".*tqdm.autonotebook.*")
        import pooch
    return pooch
