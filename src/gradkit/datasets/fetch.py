"""Find a dataset file: the GRADKIT_DATA mirror, then the user cache, then the packaged copy, then one
verified download (pooch). Every file but the user's own ``path=`` must match a known-good hash."""
import hashlib
import os
import warnings
from pathlib import Path

from ..display import import_pooch, in_notebook
from ..errors import DataError
from .registry import DATASETS, FILES

MIRROR_ENV = "GRADKIT_DATA"
"""Environment variable naming a local mirror folder laid out like Keras's cache."""
CACHE_ENV = "GRADKIT_CACHE"
"""Environment variable overriding the user cache folder (default: the platform's, e.g. ~/.cache/gradkit)."""
OFFLINE_ENV = "GRADKIT_OFFLINE"
"""Set to 1 to never download (a missing file raises at once)."""

PACKAGED_DIR = Path(__file__).resolve().parent.parent / "data"
"""Small data shipped inside the package."""


def cache_dir():
    """The user cache folder: $GRADKIT_CACHE, else the platform's cache folder for gradkit."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    try:
        pooch = import_pooch()
    except ImportError:  # core install: the XDG default, so packaged data still loads without pooch
        return Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "gradkit"
    return Path(pooch.os_cache("gradkit"))


def file_digest(path, algorithm="sha256"):
    """Hex digest of a file's bytes (read in 1 MiB chunks)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def provenance(path, entry):
    """Where the known-good hash that `path` matches comes from, or None if it matches none."""
    digests = {}
    for spec, source in entry.hashes:
        algorithm, digest = spec.split(":")
        if algorithm not in digests:
            digests[algorithm] = file_digest(path, algorithm)
        if digests[algorithm] == digest:
            return source
    return None


def _refusal(path, entry, where):
    """The error for a file whose bytes match none of the known-good hashes."""
    known = "; ".join(f"{spec} ({source})" for spec, source in entry.hashes)
    return DataError(f"{where} file {path} has SHA-256 {file_digest(path)}, which matches no known-good hash "
                     f"of {entry.name} [{known}]; it was refused and not used. Replace it with the right file "
                     f"(from {entry.url}) or remove it.")


def fetch(name, path=None, downloader=None):
    """Local path of the registry file `name`; `path` (Keras's argument) renames it or names the user's own copy.

    An existing file given as `path` is the user's copy and is loaded as is (no hash check). Otherwise the
    mirror, the cache, the packaged copy and a download are tried in that order; all are hash-verified.
    """
    entry = FILES[name]
    fname = name if path is None else os.fspath(path)
    if fname != name and Path(fname).expanduser().is_file():
        return Path(fname).expanduser()
    found = _in_mirror(entry, fname)
    if found is not None:
        if provenance(found, entry) is None:
            raise _refusal(found, entry, f"the {MIRROR_ENV} mirror's")
        return found
    cached = cache_dir() / fname
    if cached.is_file():
        if provenance(cached, entry) is not None:
            return cached
        warnings.warn(f"removed {cached}: its hash matches no known-good hash of {entry.name}", stacklevel=2)
        cached.unlink()
    if entry.packaged and provenance(PACKAGED_DIR / entry.packaged, entry) is not None:
        return PACKAGED_DIR / entry.packaged
    return _download(entry, cached, downloader)


def _in_mirror(entry, fname):
    """The file ``fname`` (or, for the registry's own name, one of its Keras-cache aliases) in the GRADKIT_DATA
    mirror, or None."""
    mirror = os.environ.get(MIRROR_ENV)
    names = (fname, *entry.aliases) if fname == entry.name else (fname,)
    return next((Path(mirror) / n for n in names if (Path(mirror) / n).is_file()), None) if mirror else None


def _missing(entry, target, reason):
    """The error for a file that is nowhere and could not be downloaded: what to do first, then why (short)."""
    mirror = os.environ.get(MIRROR_ENV) or "unset"
    return DataError(f"{entry.name} is not available: download {entry.url} and put it at {target}, or in the "
                     f"folder named by {MIRROR_ENV} (now {mirror}). Why: {reason}.")


def _short(error, limit=90):
    """An exception in one short line: its type and the start of its message (a network library's is long), cut
    between words."""
    text = " ".join(str(error).split())
    if len(text) > limit:
        text = (text[:limit + 1].rsplit(" ", 1)[0] if " " in text[:limit + 1] else text[:limit]).rstrip(",;:(") + " …"
    return f"{type(error).__name__}: {text}"


def _download(entry, target, downloader=None):
    """One download of `entry` into `target` with pooch: to a temporary file, renamed only if the hash matches."""
    if os.environ.get(OFFLINE_ENV, "") not in ("", "0"):
        raise _missing(entry, target, f"{OFFLINE_ENV} is set, so nothing is downloaded")
    try:
        pooch = import_pooch()
    except ImportError as e:
        raise _missing(entry, target, "downloading needs pooch: pip install 'gradkit[data]'") from e
    try:
        pooch.retrieve(entry.url, known_hash=entry.hashes[0][0], fname=target.name, path=target.parent,
                       downloader=downloader, progressbar=_has_tqdm() and not in_notebook())
    except ValueError as e:  # pooch: the downloaded bytes do not match the hash
        raise DataError(f"the download of {entry.url} does not match {entry.hashes[0][0]}: refused, "
                        f"nothing was saved ({_short(e, 200)})") from e
    except OSError as e:  # no network, HTTP error, interrupted transfer (requests' errors are OSErrors)
        raise _missing(entry, target, f"the download failed ({_short(e)})") from e
    return target


def find_local(name):
    """Where the file ``name`` already is (the mirror, the cache or the package), or None: no download, no hash."""
    entry = FILES[name]
    found = _in_mirror(entry, name)
    if found is not None:
        return found
    for folder, fname in ((cache_dir(), name), (PACKAGED_DIR, entry.packaged)):
        if fname and (Path(folder) / fname).is_file():
            return Path(folder) / fname
    return None


def _has_tqdm():
    """Whether pooch can show a progress bar (tqdm installed)."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def fetch_dataset(name, downloader=None):
    """Every file dataset ``name`` (mnist, fashion_mnist, imdb, ...) needs, found or downloaded: their paths."""
    if name not in DATASETS:
        import difflib
        close = difflib.get_close_matches(name, DATASETS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(f"unknown dataset {name!r}: expected one of {', '.join(DATASETS)}.{hint}")
    return [fetch(f, downloader=downloader) for f in DATASETS[name]]
