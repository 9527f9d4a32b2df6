"""The examples run as scripts and land where the library's loop does."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradkit import descent as D

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference():
    return D.linear_gd(*D.boston_rm_lstat(), steps=60)


@pytest.mark.parametrize("name, tol", [("linear_neuron_backprop", 1e-12), ("linear_neuron_numerical", 1e-8)])
def test_example_matches_linear_gd(name, tol, reference, capsys):
    w1, w2, bias, mse = load(name).main(steps=60, print_every=20)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("step    20") and "final mse" in lines[-1]
    np.testing.assert_allclose([w1, w2], reference.w, rtol=tol)
    assert bias == pytest.approx(reference.b, rel=tol) and mse == pytest.approx(reference.mse, rel=tol)


def test_example_runs_as_a_script():
    out = subprocess.run([sys.executable, str(EXAMPLES / "linear_neuron_backprop.py"), "--steps", "3"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.startswith("w1 ") and "final mse" in out
