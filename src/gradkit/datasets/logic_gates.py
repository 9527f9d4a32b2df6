"""Truth tables of the logic gates AND, OR, NAND and XOR (shipped in the package), for perceptron exercises."""
import numpy as np

from .. import backend
from ..errors import ConfigError
from .fetch import PACKAGED_DIR

GATES = ("AND", "OR", "NAND", "XOR")


def load(name):
    """(x, y) of one gate: x of shape (4, 2) with rows (0,0), (1,0), (0,1), (1,1); y of shape (4,); floatx."""
    key = str(name).upper()
    if key not in GATES:
        raise ConfigError(f"unknown logic gate {name!r}; expected one of {', '.join(GATES)}")
    table = np.genfromtxt(PACKAGED_DIR / "logic_gates.csv", delimiter=",", names=True, dtype=None,
                          encoding="utf-8")
    rows = table[table["gate"] == key]
    x = np.stack([rows["x1"], rows["x2"]], axis=1).astype(backend.floatx())
    return x, rows["y"].astype(backend.floatx())
