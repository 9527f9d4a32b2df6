"""The functional Model: a DAG of layer calls recorded from ``Input`` KerasTensors (several inputs/outputs)."""
from ..autograd import Tensor
from ..autograd.tensor import postorder
from ..errors import ConfigError, ShapeError
from ..layers.base import KerasTensor, Layer, unique_name
from ..layers.masking import call_masked
from ..training.batching import is_sparse
from .trainer import Trainer


def _as_list(x):
    if isinstance(x, dict):
        return list(x.values())
    return list(x) if isinstance(x, (list, tuple)) else [x]


def graph_order(inputs, outputs):
    """KerasTensors between inputs and outputs, each after everything it depends on."""
    def parents(kt):
        if not kt.inputs:
            raise ConfigError(f"the output depends on {kt!r}, which is not among the model's inputs; "
                              "pass every Input the outputs use to Model(inputs=...)")
        return kt.inputs
    return postorder(outputs, parents, skip={id(t) for t in inputs})


class ModelAPI:
    """What every model offers beside training: layers, weights (also by name), summary, save."""

    @property
    def layers(self):
        """The model's layers in order."""
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """A layer by name or position."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ConfigError(f"no layer named {name!r}; the layers are: {', '.join(l.name for l in self.layers)}")

    @property
    def weights(self):
        """All weight Tensors, layer by layer (each layer's trainable ones first)."""
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self):
        """The weight Tensors the optimizer updates (none when ``model.trainable`` is False)."""
        if not getattr(self, "trainable", True):
            return []
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        """Weights kept but not trained."""
        if not getattr(self, "trainable", True):
            return self.weights
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    def get_weights(self):
        """All weights as NumPy arrays (copies), in ``model.weights`` order."""
        return [w.numpy().copy() for w in self.weights]

    def set_weights(self, weights):
        """Overwrite all weights from arrays in ``get_weights`` order."""
        weights = list(weights)
        mine = self.weights
        if len(weights) != len(mine):
            raise ShapeError(f"model '{self.name}' has {len(mine)} weights, got a list of {len(weights)}")
        i = 0
        for layer in self.layers:
            k = len(layer.weights)
            layer.set_weights(weights[i:i + k])
            i += k

    @property
    def named_weights(self):
        """{"dense/kernel": array, "dense/bias": array, ...}: every weight by name, as NumPy copies."""
        return {w.name: w.numpy().copy() for w in self.weights}

    def get_weight(self, name):
        """One weight by its name ("layer/weight", e.g. "dense/kernel") as a NumPy copy."""
        for w in self.weights:
            if w.name == name:
                return w.numpy().copy()
        raise ConfigError(f"no weight named {name!r}; the weights are: {', '.join(w.name for w in self.weights)}")

    def count_params(self):
        """Number of scalars in all weights."""
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        """Print a Keras-like table: layer (type), output shape, parameter count; then the totals."""
        from .summary import summary_text
        (print_fn or print)(summary_text(self, line_length or 80))

    def _repr_html_(self):
        """In a notebook, a model shows its summary as a table."""
        from .summary import summary_html
        try:
            return summary_html(self)
        except (ValueError, TypeError):  # a model that cannot say its shapes yet: the plain repr
            return None

    def save(self, filepath, overwrite=True, zipped=None):
        """Save architecture, weights, compile settings and optimizer state to one file (see gradkit.io)."""
        from .. import io
        io.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True):
        """Save only the weights (an .npz keyed by weight name, see gradkit.io)."""
        from .. import io
        io.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath):
        """Load weights saved by save_weights (or the weights of a full save)."""
        from .. import io
        io.load_weights(self, filepath)

    def to_json(self):
        """The architecture as a JSON string."""
        import json
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()})

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, {len(self.layers)} layers>"


class Model(ModelAPI, Trainer):
    """Functional model: ``Model(inputs, outputs)`` over the layer calls that lead from Input(s) to output(s).

    A subclass that defines ``call(inputs)`` and calls ``super().__init__()`` is a subclassed model (Keras's
    third way; see gradkit.models.subclassed).
    """

    def __new__(cls, *args, **kwargs):
        if "call" in _user_attrs(cls) and not args and not {"inputs", "outputs"} & set(kwargs):
            from .subclassed import subclassed_type
            cls = subclassed_type(cls)
        return super().__new__(cls)

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True):
        if inputs is None and outputs is None and hasattr(type(self), "call"):
            from .subclassed import setup
            setup(self, name, trainable)
            return
        if inputs is None or outputs is None:
            raise ConfigError("Model needs inputs and outputs: x = Input(shape); y = Dense(1)(x); Model(x, y) "
                              "(or use Sequential)")
        self.name = name or unique_name("functional")
        self.trainable = trainable
        self._single_output = not isinstance(outputs, (list, tuple, dict))
        self._inputs, self._outputs = _as_list(inputs), _as_list(outputs)
        for t in self._inputs + self._outputs:
            if not isinstance(t, KerasTensor):
                raise ConfigError(f"Model inputs and outputs must come from Input(...) and layer calls, got {t!r}")
        self.input_names = list(inputs) if isinstance(inputs, dict) else [t.layer.name for t in self._inputs]
        self._nodes = graph_order(self._inputs, self._outputs)
        layers = [t.layer for t in self._inputs] + [t.layer for t in self._nodes]
        self._layers = [l for l in dict.fromkeys(layers) if not getattr(l, "hidden", False)]  # not return_state picks
        self._consumed = {id(i) for kt in self._nodes for i in kt.inputs}

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

    def _num_inputs(self):
        return len(self._inputs)

    def _output_layers(self):
        return [t.layer for t in self._outputs]

    def _input_consumers(self):
        first = []
        for t in self._inputs:
            first.append(next((kt.layer for kt in self._nodes if any(i is t for i in kt.inputs)), t.layer))
        return first

    def _ensure_built(self, shapes):
        """A functional model is built when it is made."""

    def _logits_ok(self, i):
        return id(self._outputs[i]) not in self._consumed

    def _forward(self, xs, training=False, logits_for=()):
        """Evaluate the graph on input arrays/Tensors; outputs in ``logits_for`` come as pre-activations."""
        values = {id(t): (x if isinstance(x, Tensor) or is_sparse(x) else Tensor(x)) for t, x in zip(self._inputs, xs)}
        logits_ids = {id(self._outputs[i]) for i in logits_for}
        masks = {}
        for kt in self._nodes:
            args = [values[id(i)] for i in kt.inputs]
            arg = args if len(args) > 1 else args[0]
            if id(kt) in logits_ids:
                values[id(kt)] = kt.layer.preactivation(arg, training=training)
            else:
                values[id(kt)], masks[id(kt)] = call_masked(kt.layer, arg, masks.get(id(kt.inputs[0])), training)
        return [values[id(t)] for t in self._outputs]

    def _layer_output_shapes(self):
        """{layer name: output shape} for summary (the last call's shape for shared layers)."""
        shapes = {t.layer.name: t.shape for t in self._inputs}
        shapes.update({kt.layer.name: kt.shape for kt in self._nodes})
        return shapes

    # ---- config ---------------------------------------------------------------------------------------
    def get_config(self):
        """Layers (class + config) and the graph's nodes as indices, JSON-able."""
        kts = self._inputs + self._nodes
        index = {id(t): i for i, t in enumerate(kts)}
        nodes = [{"layer": t.layer.name, "inputs": [index[id(i)] for i in t.inputs], "shape": list(t.shape)}
                 for t in kts]
        return {"name": self.name, "trainable": self.trainable, "layers": [serialize_layer(l) for l in self._layers],
                "nodes": nodes, "inputs": list(range(len(self._inputs))),
                "outputs": [index[id(t)] for t in self._outputs], "single_output": self._single_output}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the model (fresh weights) from get_config()'s dict."""
        layers = {c["config"]["name"]: deserialize_layer(c, custom_objects) for c in config["layers"]}
        kts = []
        for node in config["nodes"]:
            layer = layers[node["layer"]]
            if not node["inputs"]:
                layer.built = True
                kts.append(KerasTensor(tuple(node["shape"]), layer=layer, inputs=[], name=layer.name))
            else:
                args = [kts[i] for i in node["inputs"]]
                kts.append(layer(args if len(args) > 1 else args[0]))
        outputs = [kts[i] for i in config["outputs"]]
        return cls([kts[i] for i in config["inputs"]], outputs[0] if config["single_output"] else outputs,
                   name=config["name"], trainable=config.get("trainable", True))


def serialize_layer(layer):
    """{"class_name", "config"} of a layer."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(spec, custom_objects=None):
    """A fresh layer from serialize_layer()'s dict (custom classes via custom_objects)."""
    from .. import layers
    name = spec["class_name"]
    cls = (custom_objects or {}).get(name) or getattr(layers, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ConfigError(f"unknown layer class {name!r}; pass custom_objects={{'{name}': {name}}} to load it")
    return cls.from_config(dict(spec["config"]))



def _user_attrs(cls):
    """Names defined by the classes a user derived from Model (not by gradkit's own)."""
    names = set()
    for c in cls.__mro__:
        if c.__module__.startswith("gradkit.models"):
            break
        names |= set(vars(c))
    return names
