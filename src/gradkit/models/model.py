"""Model: a Layer that trains (Keras's ``Model``). ``Model(inputs, outputs)`` gives a Functional; a subclass
that defines ``call`` is a subclassed model, whose layers are the ones it holds as attributes."""
from .. import io
from ..autograd import Tensor, no_grad
from ..errors import ConfigError
from ..layers.base import Layer, forward_context
from ..training.batching import is_sparse
from ..training.trainer import Trainer


def _functional_args(args, kwargs):
    return bool(args) or bool({"inputs", "outputs"} & set(kwargs))


class ModelAPI:
    """What every model offers beside training and the Layer basics: layers by name, weights by name,
    summary, save."""

    @property
    def layers(self):
        """The model's layers in order."""
        return list(self._layers)

    def _sublayers(self):
        return self.layers

    def get_layer(self, name=None, index=None):
        """A layer by name or position."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ConfigError(f"no layer named {name!r}; the layers are: {', '.join(l.name for l in self.layers)}")

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

    @property
    def input_shape(self):
        """The input shape (batch dim None); a list of shapes for several inputs."""
        shapes = self.input_shapes
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        """The output shape (batch dim None); a list of shapes for several outputs."""
        shapes = self.output_shapes
        return shapes[0] if len(shapes) == 1 else shapes

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
        io.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True):
        """Save only the weights (an .npz keyed by weight name, see gradkit.io)."""
        io.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath):
        """Load weights saved by save_weights (or the weights of a full save)."""
        io.load_weights(self, filepath)

    def to_json(self):
        """The architecture as a JSON string."""
        import json
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()})

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, {len(self.layers)} layers>"


class Model(ModelAPI, Trainer, Layer):
    """A subclassed model: layers set as attributes in ``__init__``, the math in ``call(inputs)``.

    ``Model(inputs, outputs)`` itself returns a `Functional` (as in Keras). A subclassed model
    builds by running ``call`` on its first data; it trains with the same trainer (its output activation is
    not fused into the loss, since call is opaque).
    """

    __call__ = Layer.__call__  # a model is called like any layer (eager on data, symbolic on KerasTensors)

    def __new__(cls, *args, **kwargs):
        if cls is Model and _functional_args(args, kwargs):
            from .functional import Functional
            cls = Functional
        return Layer.__new__(cls)

    def __init__(self, *args, name=None, trainable=True, dtype=None, **kwargs):
        if _functional_args(args, kwargs):
            raise ConfigError(f"{type(self).__name__}: a Model subclass that passes inputs/outputs to "
                              "super().__init__ is not supported; build Model(inputs, outputs) and wrap it, or "
                              "define call()")
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype, **kwargs)
        self._in_shapes = self._out_shapes = None

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A Functional config rebuilds a Functional; a subclass rebuilds from its own constructor args."""
        if cls is Model or "nodes" in config:
            from .functional import Functional
            return Functional.from_config(config, custom_objects=custom_objects)
        return cls(**config)

    def build(self, input_shape=None):
        """Create the weights by running call on a placeholder batch of this shape (Keras's model.build)."""
        if input_shape is None:
            raise ConfigError(f"{type(self).__name__}.build needs an input shape, e.g. build((None, 16))")
        def is_shape(s):
            return isinstance(s, (list, tuple)) and all(d is None or isinstance(d, int) for d in s)
        if is_shape(input_shape):
            self._ensure_built([tuple(input_shape)])
        elif isinstance(input_shape, (list, tuple)) and all(is_shape(s) for s in input_shape):
            self._ensure_built([tuple(s) for s in input_shape])
        self.built = True  # other input structures (dicts) build on the first call

    def _maybe_build(self, input_shape):
        self.built = True  # the first call itself creates the layers' weights (no placeholder run needed)

    # ---- what the trainer needs (subclassed: the forward pass is the user's call) ---------------------
    @property
    def layers(self):
        """Layers found among the attributes (also inside lists and dicts), in assignment order."""
        return Layer._sublayers(self)

    @property
    def input_shapes(self):
        """Input shapes seen at build (batch dim None)."""
        return self._in_shapes or [None]

    @property
    def output_shapes(self):
        """Output shapes seen at build (batch dim None)."""
        return self._out_shapes or [None]

    @property
    def input_names(self):
        """Names the trainer matches dict inputs against (the Input names; a subclassed model has none)."""
        return getattr(self, "_input_names", None) or ["input"] * len(self.input_shapes)

    @input_names.setter
    def input_names(self, names):
        self._input_names = list(names)

    def _num_inputs(self):
        return len(self._in_shapes) if self._in_shapes else 1

    def _output_layers(self):
        return [None] * (len(self._out_shapes) if self._out_shapes else 1)

    def _input_consumers(self):
        return (self.layers[:1] or [None]) * self._num_inputs()

    def _ensure_built(self, shapes):
        if self._in_shapes is not None:
            return
        zeros = [Tensor(_zeros((2,) + tuple(1 if d is None else d for d in s[1:]))) for s in shapes]
        self.built = True  # so __call__ does not build again
        with no_grad():
            outs = self._forward(zeros)
        self._in_shapes = [(None,) + tuple(s[1:]) for s in shapes]
        self._out_shapes = [(None,) + tuple(o.shape[1:]) for o in outs]
        if self.compiled:  # compiled before its outputs were known: one loss per output now
            self._resolve_losses()

    def _outputs_known(self):
        return self._out_shapes is not None

    def _forward(self, xs, training=False, logits_for=()):
        xs = [x if isinstance(x, Tensor) or is_sparse(x) else Tensor(x) for x in xs]
        out = self(xs if len(xs) > 1 else xs[0], training=training)
        return list(out) if isinstance(out, (list, tuple)) else [out]

    def _logits_ok(self, i):
        return False

    def _layer_output_shapes(self):
        return {}

    def get_config(self):
        """Subclassed models are code: save_weights works, save needs a get_config of your own."""
        raise ConfigError(f"{type(self).__name__} is a subclassed model: use save_weights/load_weights, or define "
                          "get_config/from_config to save it whole")


class GraphModel(Model):
    """Base of Functional and Sequential: models whose forward pass is a recorded list of layer calls."""

    _maybe_build = Layer._maybe_build
    _outputs_known = Trainer._outputs_known  # a graph knows its outputs from the start

    def __init__(self, name=None, trainable=True, dtype=None):
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype)

    @property
    def layers(self):
        return list(getattr(self, "_layers", ()))

    def _tracked(self):
        return [], self.layers

    def call(self, inputs, training=None):
        """The model on Tensors: one output, or a list."""
        xs = list(inputs) if isinstance(inputs, (list, tuple)) and self._num_inputs() > 1 else [inputs]
        outs = self._run(xs, training)
        return outs[0] if len(outs) == 1 else outs

    def _forward(self, xs, training=False, logits_for=()):
        """The trainer's forward pass: outputs in ``logits_for`` come as pre-activations."""
        xs = [x if isinstance(x, Tensor) or is_sparse(x) else Tensor(x) for x in xs]
        with forward_context(self, training):
            return self._run(xs, training, logits_for)

    def get_config(self):
        raise NotImplementedError


def _zeros(shape):
    from .. import backend as B
    return B.xp.zeros(shape, dtype=B.floatx())
