"""plot_model / model_to_dot: the layer graph of a Sequential or functional model through pydot and Graphviz."""
import os

from ..errors import ConfigError, ConfigTypeError, MissingDependencyError, PathError
from ..extras import require


def _escape(text):
    """Text safe inside a Graphviz record label."""
    for ch in "\\{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text


def _shape(s):
    if s is None:
        return "?"
    if isinstance(s, list):
        return ", ".join(_shape(x) for x in s)
    return "(" + ", ".join("None" if d is None else str(d) for d in s) + ("," if len(s) == 1 else "") + ")"


def layer_graph(model):
    """(layers, edges): the model's layers in order and the (from, to) layer pairs the model wires."""
    from ..models import Model, Sequential
    if not isinstance(model, Model):
        raise ConfigTypeError(f"plot_model: model must be a gradkit Sequential or functional Model, got {model!r}")
    nodes = getattr(model, "_nodes", None)
    if nodes is not None:  # functional: one edge per tensor a layer call consumes
        pairs = [(kt.node.layer, node.layer) for node in nodes for kt in node.inputs]
    elif isinstance(model, Sequential):
        pairs = list(zip(model.layers, model.layers[1:]))
    else:
        raise ConfigError(f"plot_model draws Sequential and functional models; {type(model).__name__} is "
                          "subclassed (its call() is Python code, with no recorded graph of layers)")
    unique = {(id(a), id(b)): (a, b) for a, b in pairs if a is not b}
    return model.layers, list(unique.values())


def _label(layer, shapes_in, shape_out, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    name = f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__
    fields = [_escape(name)]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        act = layer.activation
        fields.append(_escape(f"Activation: {getattr(act, '__name__', type(act).__name__)}"))
    if show_dtype:
        fields.append(_escape(f"dtype: {getattr(layer, 'dtype', None) or 'float32'}"))
    if show_shapes:
        fields.append(_escape(f"Input shape: {shapes_in}") + "|" + _escape(f"Output shape: {shape_out}"))
    if show_trainable:
        fields.append(f"Trainable: {'Y' if getattr(layer, 'trainable', True) else 'N'}")
    return "{" + "|".join(fields) + "}"


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, show_layer_activations=False, show_trainable=False, **kwargs):
    """The layer graph as a ``pydot.Dot``: one box per layer (name, class, optionally shapes), one arrow per
    tensor passed between layers."""
    pydot = require("pydot", "graph", "utils.plot_model")
    if kwargs:
        raise ConfigError(f"plot_model got unknown argument(s): {', '.join(sorted(kwargs))}")
    if expand_nested:
        raise ConfigError("plot_model(expand_nested=True) is not supported: nested models are drawn as one box")
    if rankdir not in ("TB", "LR"):
        raise ConfigError(f"plot_model: rankdir must be 'TB' or 'LR', got {rankdir!r}")
    layers, edges = layer_graph(model)
    out_shapes = model._layer_output_shapes()
    preds = {}
    for a, b in edges:
        preds.setdefault(id(b), []).append(out_shapes.get(a.name))
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, concentrate=True, dpi=dpi)
    dot.set_node_defaults(shape="record")
    for layer in layers:
        out = out_shapes.get(layer.name)
        ins = preds.get(id(layer)) or [out]
        label = _label(layer, _shape(ins[0] if len(ins) == 1 else ins), _shape(out), show_shapes, show_dtype,
                       show_layer_names, show_layer_activations, show_trainable)
        dot.add_node(pydot.Node(str(id(layer)), label=label))
    for a, b in edges:
        dot.add_edge(pydot.Edge(str(id(a)), str(id(b))))
    return dot


def plot_model(model, to_file="model.png", **options):
    """Write the layer graph to ``to_file`` (its extension picks the format: png, svg, pdf, dot...); in a
    notebook, returns the image to display (as Keras does)."""
    from ..io import check_target, os_reason
    if not isinstance(to_file, (str, os.PathLike)):
        raise ConfigTypeError(f"plot_model: to_file must be a file path, got {to_file!r}")
    to_file = check_target(to_file, "plot_model: to_file")  # before the drawing: a bad path is not Graphviz's
    dot = model_to_dot(model, **options)
    fmt = os.path.splitext(to_file)[1][1:].lower() or "png"
    try:
        dot.write(to_file, format="raw" if fmt == "dot" else fmt)
    except OSError as e:
        if not isinstance(e, FileNotFoundError) or os.path.isdir(os.path.dirname(os.path.abspath(to_file))) is False:
            raise PathError(f"plot_model: cannot write to_file {to_file!r}: {os_reason(e)}") from e
        raise MissingDependencyError("utils.plot_model needs Graphviz's 'dot' program on the PATH (apt-get install "
                                     "graphviz, brew install graphviz or conda install graphviz)") from e
    if fmt in ("png", "jpg", "jpeg", "gif"):
        try:
            from IPython import display
            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
