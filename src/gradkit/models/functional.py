"""Functional: the model ``Model(inputs, outputs)`` returns, a DAG of the layer calls (Nodes) recorded from
``Input`` KerasTensors; several inputs and outputs, shared layers, nested models and ops on KerasTensors."""
from ..autograd.tensor import postorder
from ..errors import ConfigError
from ..layers.base import KerasTensor, Layer, unique_name
from ..layers.symbolic import flatten, map_structure
from .model import GraphModel


def _as_list(x):
    if isinstance(x, dict):
        return list(x.values())
    return list(x) if isinstance(x, (list, tuple)) else [x]


def graph_order(inputs, outputs):
    """The Nodes between inputs and outputs (the inputs' own excluded), each after the Nodes it depends on."""
    def parents(node):
        for kt in node.inputs:
            if kt.node is None:
                raise ConfigError(f"{kt!r} does not come from Input(...) or a layer call")
        return [kt.node for kt in node.inputs]
    order = postorder([t.node for t in outputs], parents, skip={id(t.node) for t in inputs})
    for node in order:
        if not node.inputs:
            raise ConfigError(f"the outputs depend on input '{node.layer.name}', which is not among the model's "
                              "inputs; pass every Input the outputs use to Model(inputs=...)")
    return order


def keras_layer_order(inputs, outputs):
    """The layers as Keras 3's map_graph lists them, so get_weights/set_weights agree with Keras: deepest first
    (depth = calls between a layer and an output), ties in the order a depth-first walk from the outputs meets them."""
    input_nodes = {id(t.node) for t in inputs}
    index, stack, seen = {}, [t.node for t in reversed(outputs)], set()
    while stack:  # pre-order walk: each layer's index is where the walk first meets it
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        index.setdefault(node.layer, len(index))
        if id(node) not in input_nodes:
            stack.extend(kt.node for kt in reversed(node.inputs))
    nodes = postorder([t.node for t in outputs], lambda n: [] if id(n) in input_nodes else [kt.node for kt in n.inputs])
    node_depth, layer_depth = {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = depth
        if id(node) not in input_nodes:
            for kt in node.inputs:
                node_depth[id(kt.node)] = max(depth + 1, node_depth.get(id(kt.node), 0))
    for t in inputs:  # an input the outputs do not use: depth 0, first among its depth
        layer_depth.setdefault(t.layer, 0)
        index.setdefault(t.layer, -1)
    return sorted(layer_depth, key=lambda layer: (-layer_depth[layer], index[layer]))


class Functional(GraphModel):
    """``Model(inputs, outputs)``: the layer calls that lead from Input(s) to output(s), run in order."""

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True, **kwargs):
        if inputs is None or outputs is None:
            raise ConfigError("Model needs inputs and outputs: x = Input(shape); y = Dense(1)(x); Model(x, y) "
                              "(or use Sequential)")
        super().__init__(name=name or unique_name("functional"), trainable=trainable, **kwargs)
        self._single_output = not isinstance(outputs, (list, tuple, dict))
        self._output_keys = list(outputs) if isinstance(outputs, dict) else None
        self._inputs, self._outputs = _as_list(inputs), _as_list(outputs)
        for t in self._inputs + self._outputs:
            if not isinstance(t, KerasTensor):
                raise ConfigError(f"Model inputs and outputs must come from Input(...) and layer calls, got {t!r}")
        self.input_names = list(inputs) if isinstance(inputs, dict) else [t.layer.name for t in self._inputs]
        self._nodes = graph_order(self._inputs, self._outputs)
        self._layers = keras_layer_order(self._inputs, self._outputs)
        self._consumed = {id(i) for n in self._nodes for i in n.inputs}
        self.built = True

    # ---- what the trainer needs ----------------------------------------------------------------------
    @property
    def input_shapes(self):
        """Input shapes, batch dim None."""
        return [t.shape for t in self._inputs]

    @property
    def output_shapes(self):
        """Output shapes, batch dim None."""
        return [t.shape for t in self._outputs]

    @property
    def inputs(self):
        """The Input KerasTensors."""
        return list(self._inputs)

    @property
    def outputs(self):
        """The output KerasTensors."""
        return list(self._outputs)

    input = property(lambda self: self._inputs[0] if len(self._inputs) == 1 else self.inputs,
                     doc="The Input KerasTensor (a list for several).")
    output = property(lambda self: self._outputs[0] if len(self._outputs) == 1 else self.outputs,
                      doc="The output KerasTensor (a list for several).")

    def _num_inputs(self):
        return len(self._inputs)

    def _output_layers(self):
        return [t.layer for t in self._outputs]

    def _input_consumers(self):
        first = []
        for t in self._inputs:
            first.append(next((n.layer for n in self._nodes if any(i is t for i in n.inputs)), t.layer))
        return first

    def _ensure_built(self, shapes):
        """A functional model is built when it is made."""

    def _logits_ok(self, i):
        out = self._outputs[i]
        return id(out) not in self._consumed and len(out.node.outputs) == 1 and hasattr(out.layer, "preactivation")

    def compute_output_shape(self, input_shape):
        shapes = self.output_shapes
        return shapes[0] if self._single_output else shapes

    def _run(self, xs, training=None, logits_for=()):
        """Evaluate the graph on input Tensors; outputs in ``logits_for`` come as pre-activations."""
        values = {id(t): x for t, x in zip(self._inputs, xs)}
        logits_nodes = {id(self._outputs[i].node) for i in logits_for}
        value_of = lambda kt: values[id(kt)]  # noqa: E731
        for node in self._nodes:
            args, kwargs = node.call_args(value_of)
            if id(node) in logits_nodes:
                out = node.layer._preactivation_call(*args, training=training)
            else:
                if training is not None and "training" not in kwargs:
                    kwargs["training"] = training
                out = node.layer(*args, **kwargs)
            for kt, y in zip(node.outputs, flatten(out)):
                values[id(kt)] = y
        return [values[id(t)] for t in self._outputs]

    def _layer_output_shapes(self):
        """{layer name: output shape} for summary (the last call's shape for shared layers)."""
        shapes = {t.layer.name: t.shape for t in self._inputs}
        for n in self._nodes:
            shapes[n.layer.name] = n.outputs[0].shape if len(n.outputs) == 1 else [t.shape for t in n.outputs]
        return shapes

    # ---- config ---------------------------------------------------------------------------------------
    def get_config(self):
        """Layers (class + config) and the graph's nodes (each call's args with tensors as references)."""
        kts = {}
        for i, t in enumerate(self._inputs):
            kts[id(t)] = [i, 0]
        for j, node in enumerate(self._nodes):
            for k, t in enumerate(node.outputs):
                kts[id(t)] = [len(self._inputs) + j, k]
        ref = lambda x: {"__keras_tensor__": kts[id(x)]} if isinstance(x, KerasTensor) else x  # noqa: E731
        nodes = [{"layer": t.layer.name} for t in self._inputs]
        nodes += [{"layer": n.layer.name, "args": map_structure(ref, list(n.args)),
                   "kwargs": map_structure(ref, n.kwargs)} for n in self._nodes]
        from .serialization import serialize_layer
        return {"name": self.name, "trainable": self.trainable, "layers": [serialize_layer(l) for l in self._layers],
                "nodes": nodes, "input_layers": [kts[id(t)] for t in self._inputs],
                "output_layers": [kts[id(t)] for t in self._outputs], "single_output": self._single_output,
                "output_keys": self._output_keys}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the model (fresh weights) from get_config()'s dict."""
        from .serialization import deserialize_layer, layer_name
        layers = {layer_name(c): deserialize_layer(c, custom_objects) for c in config["layers"]}
        outs = []
        deref = lambda x: outs[x["__keras_tensor__"][0]][x["__keras_tensor__"][1]] \
            if isinstance(x, dict) and "__keras_tensor__" in x else x  # noqa: E731
        for node in config["nodes"]:
            layer = layers[node["layer"]]
            if "args" not in node:
                outs.append([layer.output])
                continue
            args, kwargs = _deref(node["args"], deref), _deref(node["kwargs"], deref)
            outs.append(flatten(layer(*args, **kwargs)))
        get = lambda r: outs[r[0]][r[1]]  # noqa: E731
        outputs = [get(r) for r in config["output_layers"]]
        if config.get("output_keys"):
            outputs = dict(zip(config["output_keys"], outputs))
        elif config["single_output"]:
            outputs = outputs[0]
        return cls([get(r) for r in config["input_layers"]], outputs, name=config["name"],
                   trainable=config.get("trainable", True))


def _deref(struct, deref):
    if isinstance(struct, dict) and "__keras_tensor__" in struct:
        return deref(struct)
    if isinstance(struct, (list, tuple)):
        return type(struct)(_deref(s, deref) for s in struct)
    if isinstance(struct, dict):
        return {k: _deref(v, deref) for k, v in struct.items()}
    return struct
