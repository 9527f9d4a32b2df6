"""autograd has a ground floor: the graph of its intra-package imports has no cycle, and tensor.py imports no op."""
import ast
from pathlib import Path

import pytest

import gradkit.autograd

PACKAGE = Path(gradkit.autograd.__file__).parent


def _imports(tree, package):
    """Names of the sibling modules a module's AST imports (at any depth, function-level imports included)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:  # from .tensor import Tensor
                found.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import math_ops as O
                found.update(a.name for a in node.names)
            elif node.level == 0 and node.module and node.module.startswith(package + "."):
                found.add(node.module[len(package) + 1:].split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(a.name[len(package) + 1:].split(".")[0] for a in node.names
                         if a.name.startswith(package + "."))
    return found


def import_graph(sources, package="gradkit.autograd"):
    """{module: set of sibling modules it imports} from {module: source text}; the package's __init__ is left out
    (it imports everything, and no module imports it)."""
    modules = set(sources)
    return {name: _imports(ast.parse(text), package) & modules - {name}
            for name, text in sources.items() if name != "__init__"}


def find_cycle(graph):
    """One import cycle as a list of modules (first == last), or None."""
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


@pytest.fixture(scope="module")
def graph():
    return import_graph({p.stem: p.read_text() for p in PACKAGE.glob("*.py")})


def test_autograd_imports_form_no_cycle(graph):
    assert set(graph) >= {"tensor", "math_ops", "shape_ops", "array_ops", "nn", "conv", "rnn", "image",
                          "public_ops", "operators"}
    assert find_cycle(graph) is None


def test_tensor_is_the_ground_floor(graph):
    assert graph["tensor"] == set()
    assert {"tensor"} <= graph["math_ops"] and "public_ops" in graph["operators"]


def test_operators_module_is_imported_by_nothing_but_the_package(graph):
    assert not [m for m, deps in graph.items() if "operators" in deps]


def test_the_check_finds_a_planted_cycle():
    sources = {"tensor": "import numpy\n", "a": "from .tensor import Tensor\nfrom . import b\n",
               "b": "def f():\n    from gradkit.autograd.c import g\n", "c": "from .a import x\n"}
    assert find_cycle(import_graph(sources)) == ["a", "b", "c", "a"]
    del sources["c"]
    assert find_cycle(import_graph(sources)) is None
    sources.update(tensor="from . import public_ops as F\n", public_ops="from .tensor import Tensor\n")
    assert find_cycle(import_graph(sources)) == ["tensor", "public_ops", "tensor"]


def test_import_order_is_the_reading_order():
    """Each module autograd/__init__.py imports depends only on those imported before it."""
    init = ast.parse((PACKAGE / "__init__.py").read_text())
    order = []
    for node in init.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            order.extend([node.module] if node.module else [a.name for a in node.names])
    order = list(dict.fromkeys(order))
    assert order[0] == "tensor" and order[-1] == "operators"
    g = import_graph({p.stem: p.read_text() for p in PACKAGE.glob("*.py")})
    for i, module in enumerate(order):
        assert g[module] <= set(order[:i]), (module, g[module] - set(order[:i]))
