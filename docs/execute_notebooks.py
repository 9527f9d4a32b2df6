"""Execute the tutorial notebooks in place, so their outputs (text, tables, plots) are stored in the .ipynb files.

`make docs` only renders what is stored; run this after changing a tutorial (it needs the GRADKIT_DATA mirror
for MNIST). Cells tagged "skip-execution" (data the mirror lacks) are kept without outputs.

    python docs/execute_notebooks.py [NOTEBOOK ...]
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def execute(path):
    """Run one notebook top to bottom in a fresh kernel (cwd: its folder) and save it with its outputs."""
    nb = nbformat.read(path, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend, so plots become outputs
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=1200, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    nbformat.write(nb, path)
    print(f"{path.name}: {time.perf_counter() - t0:.0f} s, {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    targets = [Path(p) for p in sys.argv[1:]] or sorted((HERE / "tutorials").glob("*.ipynb"))
    for target in targets:
        execute(target.resolve())
