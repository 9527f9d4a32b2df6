"""utils.plot_model / model_to_dot: the layer graph through pydot and Graphviz (the "graph" extra)."""
import shutil
import sys

import pytest

import gradkit as keras
from gradkit import layers
from gradkit.errors import ConfigError, MissingDependencyError


def _two_input_model():
    a, b = keras.Input((8,), name="a"), keras.Input((4,), name="b")
    x = layers.Dense(16, activation="relu", name="h")(a)
    z = layers.Concatenate(name="cat")([x, b])
    return keras.Model([a, b], layers.Dense(1, activation="sigmoid", name="out")(z))


def _edges(dot):
    names = {n.get_name(): n.get("label").strip('"{').split(" ")[0] for n in dot.get_nodes() if n.get("label")}
    return sorted((names[e.get_source()], names[e.get_destination()]) for e in dot.get_edges())


def test_functional_graph_boxes_and_arrows():
    pytest.importorskip("pydot", reason="plot_model needs the 'graph' extra (pydot)")
    dot = keras.utils.model_to_dot(_two_input_model(), show_shapes=True, show_layer_activations=True)
    assert _edges(dot) == [("a", "h"), ("b", "cat"), ("cat", "out"), ("h", "cat")]
    labels = {n.get("label") for n in dot.get_nodes() if n.get("label")}
    assert '{cat (Concatenate)|Input shape: (None, 16), (None, 4)|Output shape: (None, 20)}' in labels
    assert '{out (Dense)|Activation: sigmoid|Input shape: (None, 20)|Output shape: (None, 1)}' in labels


def test_sequential_is_a_chain():
    pytest.importorskip("pydot", reason="plot_model needs the 'graph' extra (pydot)")
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="d1"), layers.Dense(1, name="d2")])
    assert _edges(keras.utils.model_to_dot(model)) == [("d1", "d2")]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
@pytest.mark.parametrize("ext,magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_plot_model_writes_the_image(tmp_path, ext, magic):
    pytest.importorskip("pydot", reason="plot_model needs the 'graph' extra (pydot)")
    path = tmp_path / f"model.{ext}"
    keras.utils.plot_model(_two_input_model(), to_file=path, show_shapes=True)
    assert path.read_bytes().startswith(magic)


def test_subclassed_and_unknown_arguments_are_refused():
    pytest.importorskip("pydot", reason="plot_model needs the 'graph' extra (pydot)")

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)

        def call(self, x):
            return self.d(x)

    with pytest.raises(ConfigError, match="Sub is subclassed"):
        keras.utils.model_to_dot(Sub())
    with pytest.raises(ConfigError, match="rankdir must be 'TB' or 'LR'"):
        keras.utils.model_to_dot(_two_input_model(), rankdir="BT")


def test_missing_pydot_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(MissingDependencyError, match=r"utils.plot_model.*pip install 'gradkit\[graph\]'"):
        keras.utils.plot_model(_two_input_model())
