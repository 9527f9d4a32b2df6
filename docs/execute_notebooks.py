"""Execute the tutorial notebooks, so their outputs (text, tables, plots) are stored in the .ipynb files.

`make docs` renders what is stored, after `--check` has re-executed every tutorial whose data is here and
compared its text outputs with the stored ones (timings aside): a stored output the code no longer gives
fails the build. A tutorial that prints which data it ran on (a line starting "data: ", the full set or a
sample) is compared only when it ran on the same data as its stored outputs. Cells tagged "skip-execution" are
kept without outputs.

    python docs/execute_notebooks.py [NOTEBOOK ...]           # refresh the stored outputs in place
    python docs/execute_notebooks.py --check [NOTEBOOK ...]   # re-execute in memory, compare, change nothing
"""
import math
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent

_TIMING = re.compile(r"\b\d[\d,.]*\s*(?:ms|us|µs|s|sec|seconds|min|minutes|hours?)(?:/step)?(?![\w])"
                     r"|\b\d[\d,.]*×")  # a duration, or a ratio of two durations (61,621×)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
_IMG = re.compile(r"<img [^>]*>")
RTOL = 1e-2
"""Numbers may differ this much (relative) between runs: float sums in another order, never a changed output."""


def executed(path):
    """The notebook at ``path`` run top to bottom in a fresh kernel (cwd: its folder); the file is not changed."""
    nb = nbformat.read(path, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend, so plots become outputs
    try:
        NotebookClient(nb, timeout=1200, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    return nb


def execute(path):
    """Run one notebook and save it with its outputs."""
    t0 = time.perf_counter()
    nb = executed(path)
    nbformat.write(nb, path)
    print(f"{path.name}: {time.perf_counter() - t0:.0f} s, {path.stat().st_size / 1024:.0f} KB")


def texts(nb):
    """Each code cell's text outputs (streams, text/plain, HTML without images), timings replaced by <time>."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                parts.append(o.text)
            elif o.output_type in ("execute_result", "display_data"):
                data = o.get("data", {})
                parts.append(_IMG.sub("<img>", data.get("text/html", "")) or data.get("text/plain", ""))
            elif o.output_type == "error":
                parts.append(f"{o.ename}: {o.evalue}")
        out.append(_TIMING.sub("<time>", "".join(parts)))
    return out


def _same(stored, now):
    """Equal text with every number equal within RTOL (an integer or word that changed is a difference)."""
    if _NUMBER.sub("#", stored) != _NUMBER.sub("#", now):
        return False
    return all(math.isclose(float(a), float(b), rel_tol=RTOL, abs_tol=1e-6)
               for a, b in zip(_NUMBER.findall(stored), _NUMBER.findall(now)))


def differences(stored_nb, new_nb):
    """[(cell number, stored text, text now)] for every code cell whose outputs changed beyond timings."""
    stored, now = texts(stored_nb), texts(new_nb)
    return [(i, a, b) for i, (a, b) in enumerate(zip(stored, now)) if not _same(a, b)]


def data_lines(nb):
    """The lines starting "data: " in a notebook's outputs: which data each of its loading cells used."""
    return [line for text in texts(nb) for line in text.splitlines() if line.startswith("data: ")]


def compared(stored_nb, new_nb):
    """``differences(stored_nb, new_nb)``, or None when the two ran on other data (their "data: " lines differ)."""
    if data_lines(stored_nb) != data_lines(new_nb):
        return None
    return differences(stored_nb, new_nb)


def check(path):
    """Re-execute ``path`` in memory and list what its stored outputs no longer match; None: its stored outputs
    come from other data than this machine has (a file it lacks, or the full set where they are a sample's)."""
    stored = nbformat.read(path, as_version=4)
    try:
        now = executed(path)
    except CellExecutionError as e:
        if "DataError" in str(e):  # a dataset file this machine lacks: nothing to compare
            return None
        raise
    return compared(stored, now)


def main(argv):
    """Refresh or (--check) verify the named notebooks, or every tutorial; exit status 1 on a stale output."""
    checking = "--check" in argv
    targets = [Path(p).resolve() for p in argv if p != "--check"]
    targets = targets or sorted((HERE / "tutorials").glob("*.ipynb"))
    stale = 0
    for target in targets:
        if not checking:
            execute(target)
            continue
        t0 = time.perf_counter()
        found = check(target)
        took = f"{time.perf_counter() - t0:.0f} s"
        if found is None:
            print(f"{target.name}: not checked, its stored outputs come from other data than this machine has ({took})")
        for i, was, now in found or ():
            print(f"{target.name}, code cell {i}: the stored output is not what the code gives now\n"
                  f"--- stored\n{was[:1500]}\n--- now\n{now[:1500]}")
        if found == []:
            print(f"{target.name}: stored outputs are what the code gives now ({took})")
        stale += bool(found)
    if stale:
        print(f"{stale} tutorial(s) carry stale outputs: refresh with python docs/execute_notebooks.py NOTEBOOK")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
