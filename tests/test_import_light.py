"""`import gradkit` loads no submodule (PEP 562): each loads on first use, and the public names are unchanged."""
import subprocess
import sys


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def test_import_gradkit_loads_no_other_module():
    loaded = _run("import sys; before = set(sys.modules); import gradkit\n"
                  "print(*sorted(m for m in set(sys.modules) - before if m.startswith(('gradkit', 'numpy'))))")
    assert loaded == ["gradkit"]


def test_names_load_on_first_use():
    out = _run("import sys, gradkit\n"
               "t = gradkit.Tensor([1.0, 2.0]) * 2\n"
               "import gradkit.ops\n"
               "print(gradkit.ops is sys.modules['gradkit.ops'] is gradkit.autograd.ops, 'numpy' in sys.modules,\n"
               "      'gradkit.layers' in sys.modules, t.numpy().tolist(), gradkit.ShapeError.__module__)")
    assert out == ["True", "True", "False", "[2.0,", "4.0]", "gradkit.errors"]
