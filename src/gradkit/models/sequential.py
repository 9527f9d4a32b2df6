"""Sequential: a plain stack of layers, each feeding the next (Keras's ``Sequential``)."""
from ..errors import ConfigError, ConfigTypeError
from ..layers.base import KerasTensor, Layer, dtype_policy, unique_name
from .model import GraphModel
from .serialization import deserialize_layer, serialize_layer


def _check_layers_list(layers, trainable, name):
    """Sequential's layers come as one list: layers given one by one (Sequential(Dense(4), Dense(1))) are an error
    that says so, not a TypeError from deep inside."""
    given = [a for a in (layers, trainable, name) if isinstance(a, (Layer, KerasTensor))]
    if given:
        names = ", ".join("Input(...)" if isinstance(a, KerasTensor) else f"{type(a).__name__}(...)" for a in given)
        how = "a layer on its own" if given == [layers] else "them as separate arguments (the second argument of " \
            "Sequential is trainable, the third name)"
        more = ", ..." if len(given) == 3 else ""
        raise ConfigTypeError(f"Sequential: the layers go in one list, Sequential([{names}{more}]); got {how}")
    if layers is not None and (isinstance(layers, str) or not hasattr(layers, "__iter__")):
        raise ConfigTypeError(f"Sequential(layers=...): expected a list of layers, got {type(layers).__name__} "
                              f"{layers!r}")


class Sequential(GraphModel):
    """``Sequential([Dense(16, activation="relu"), Dense(1)])`` or ``.add`` layer by layer.

    The input shape comes from ``Input(shape)`` as first element, a first layer's ``input_shape=``,
    ``build(input_shape)``, or else the first data it sees.
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        _check_layers_list(layers, trainable, name)
        self._layers, self._shapes, self._input_shape = [], [], None
        super().__init__(name=name or unique_name("sequential"), trainable=trainable, **kwargs)
        self.built = False
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append a layer (or an Input/InputLayer, which sets the input shape)."""
        if isinstance(layer, KerasTensor):
            self._set_input(layer.shape)
            return
        if not isinstance(layer, Layer):
            raise ConfigError(f"Sequential.add expects a layer, got {layer!r}")
        if type(layer).__name__ == "InputLayer":
            if self._layers:
                raise ConfigError("an InputLayer can only be the first layer of a Sequential model")
            self._set_input(_input_layer_shape(layer))
            return
        if not self._layers and self._input_shape is None and layer.input_shape_arg is not None:
            self._input_shape = (getattr(layer, "_batch_size_arg", None),) + tuple(layer.input_shape_arg)
        self._layers.append(layer)
        self.built = False
        if self._input_shape is not None:
            self.build(self._input_shape)

    def _set_input(self, shape):
        if self._layers:
            raise ConfigError("an Input can only be the first element of a Sequential model")
        self._input_shape = tuple(shape)

    def pop(self):
        """Remove and return the last layer."""
        if not self._layers:
            raise ConfigError("pop() on an empty Sequential model")
        layer = self._layers.pop()
        self.built = False
        if self._input_shape is not None and self._layers:
            self.build(self._input_shape)
        return layer

    def build(self, input_shape=None):
        """Build every layer for inputs of this shape (batch dim first, may be None)."""
        shape = tuple(input_shape if input_shape is not None else self._input_shape or ())
        if not shape:
            raise ConfigError("Sequential.build needs an input shape, e.g. build((None, 13))")
        batch = shape[0] if any(getattr(layer, "stateful", False) is True for layer in self._layers) else None
        self._input_shape = (batch,) + shape[1:]  # the batch size is kept only for a stateful RNN
        from ..layers import InputLayer
        kt = getattr(self, "_input_kt", None)
        if kt is None or kt.shape != self._input_shape:
            kt = self._input_kt = InputLayer(batch_shape=self._input_shape, name=f"{self.name}_input").output
        self._shapes = []
        for layer in self._layers:  # a layer already called on this chain (an earlier add) keeps that call
            node = next((n for n in layer._inbound_nodes if n.inputs and n.inputs[0] is kt), None)
            kt = node.outputs[0] if node is not None else layer(kt)
            self._shapes.append(kt.shape)
        self._output_kt = kt
        self.built = True

    def _symbolic(self, attr):
        if not self.built:
            raise ConfigError(f"Sequential model '{self.name}' has no {attr} yet: give it an Input or build it")
        return self._input_kt if attr == "input" else self._output_kt

    input = property(lambda self: self._symbolic("input"), doc="The input KerasTensor (once built).")
    output = property(lambda self: self._symbolic("output"), doc="The output KerasTensor (once built).")
    inputs = property(lambda self: [self.input], doc="[input].")
    outputs = property(lambda self: [self.output], doc="[output].")

    # ---- what the trainer needs ----------------------------------------------------------------------
    @property
    def input_shapes(self):
        """[input shape] with batch dim None (None before the model is built)."""
        return [self._input_shape]

    @property
    def output_shapes(self):
        """[output shape] with batch dim None."""
        return [self._shapes[-1] if self._shapes else self._input_shape]

    def _num_inputs(self):
        return 1

    def _output_layers(self):
        return self._layers[-1:]

    def _input_consumers(self):
        return self._layers[:1] or [None]

    def _logits_ok(self, i):
        return True

    def _ensure_built(self, shapes):
        if not self.built:
            self.build((None,) + tuple(shapes[0][1:]))

    def _run(self, xs, training=None, logits_for=()):
        """Run the stack; with logits_for=(0,) the last layer returns its pre-activation."""
        h = xs[0]
        layers = self._layers
        last = len(layers) - 1
        for i, layer in enumerate(layers):
            if i == last and logits_for:
                return [layer._preactivation_call(h, training=training)]
            h = layer(h) if training is None else layer(h, training=training)
        return [h]

    def compute_output_shape(self, input_shape):
        if not self.built:
            self.build(input_shape)
        return self.output_shapes[0]

    def _layer_output_shapes(self):
        return {l.name: s for l, s in zip(self._layers, self._shapes)}

    # ---- config ---------------------------------------------------------------------------------------
    def get_config(self):
        """Keras 3's keys: name, trainable, dtype, layers (an InputLayer first when the shape is known),
        build_input_shape."""
        from ..layers import InputLayer
        shape = list(self._input_shape) if self._input_shape is not None else None
        layers = [serialize_layer(l) for l in self._layers]
        if shape is not None:
            layers.insert(0, serialize_layer(InputLayer(batch_shape=shape, name=f"{self.name}_input")))
        return {"name": self.name, "trainable": self.trainable, "dtype": dtype_policy(self.dtype),
                "layers": layers, "build_input_shape": shape}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the model (fresh weights) from get_config()'s dict."""
        model = cls([deserialize_layer(c, custom_objects) for c in config["layers"]], name=config["name"],
                    trainable=config.get("trainable", True))
        shape = config.get("build_input_shape") or config.get("input_shape")
        if shape and not model.built:
            model.build(tuple(shape))
        return model


def _input_layer_shape(layer):
    """Batch shape of an InputLayer, whatever it calls the attribute."""
    for attr in ("batch_shape", "_batch_shape"):
        if getattr(layer, attr, None) is not None:
            return tuple(getattr(layer, attr))
    if getattr(layer, "shape", None) is not None:
        return (None,) + tuple(layer.shape)
    return (None,) + tuple(layer.input_shape_arg)
