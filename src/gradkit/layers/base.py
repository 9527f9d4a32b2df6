"""Layer: configuration in __init__, weights created once in build, math in call (the Keras pattern).

Calling a layer on Tensors/arrays runs it eagerly; calling it on KerasTensors (from ``Input``) records a
Node of a functional graph and returns symbolic outputs. As in Keras, ``call`` receives ``training`` and
``mask`` only when its signature names them, weights and sublayers set as attributes are tracked, and
float inputs are cast to the layer's dtype (floatx unless given).
"""
import contextlib
import inspect
import re

import numpy as np

from .. import backend as B
from ..arguments import shape as shape_arg
from ..autograd import Tensor, no_grad
from ..autograd.nn import cast
from ..errors import ConfigError, ShapeError
from ..variables import Variable
from .symbolic import KerasTensor, Node, any_symbolic, flatten, map_structure

_name_counts = {}


def unique_name(base):
    """'dense', then 'dense_1', 'dense_2', ... as Keras names layers."""
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


B._RESET_HOOKS.append(_name_counts.clear)


def snake_case(name):
    """CamelCase class name to Keras's snake_case layer name (Conv2D → conv2d, as keras.src.utils.naming)."""
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)).lower()


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    return tuple(x.shape) if hasattr(x, "shape") else ()


class _Context:
    """The layer call in progress: the outermost layer (it clears losses) and the training flag it set."""
    entry = None
    training = None
    symbolic = False  # True while a layer runs on placeholder zeros to find its output shapes
    losses_seen = False  # set once any layer adds a loss or has a regularizer: until then losses is [] at no cost


@contextlib.contextmanager
def forward_context(layer, training):
    """Run a forward pass of ``layer`` as the outermost call: losses cleared first, ``training`` inherited."""
    entry, prev_training = _Context.entry, _Context.training
    if entry is None:
        layer._clear_losses()
        _Context.entry = layer
    _Context.training = training
    try:
        yield
    finally:
        _Context.entry, _Context.training = entry, prev_training


_SIGNATURES = {}


def _call_info(cls):
    """(passes training, passes mask) for cls.call, inspected once per class."""
    fn = cls.call
    info = _SIGNATURES.get(fn)
    if info is None:
        params = inspect.signature(fn).parameters
        var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
        info = _SIGNATURES[fn] = ("training" in params or var_kw, "mask" in params or var_kw)
    return info


def _dtype_name(dtype):
    """A dtype name from a string, NumPy dtype or Keras DTypePolicy config; None stays None (floatx)."""
    if dtype is None:
        return None
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name", dtype.get("name"))
    try:
        return np.dtype(getattr(dtype, "name", dtype)).name
    except TypeError as e:
        raise ConfigError(f"unknown dtype {dtype!r} (mixed-precision policies are not supported); "
                          "use 'float32' or 'float64'") from e


class Layer:
    """Base of all layers. Subclasses set config in __init__, add weights in build, compute in call."""

    _convert_input_args = True  # arrays among the call's arguments become Tensors in the layer's dtype

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        # set before any __init__ so attribute tracking works even before super().__init__()
        self._weights, self._losses, self._inbound_nodes = [], [], []
        self._trainable, self.built, self._dtype = True, False, None
        return self

    def __init__(self, name=None, input_shape=None, input_dim=None, trainable=True, dtype=None,
                 activity_regularizer=None, **kwargs):
        from .. import regularizers
        kwargs.pop("autocast", None)
        if kwargs:
            raise ConfigError(f"{type(self).__name__} got unknown argument(s): {', '.join(sorted(kwargs))}")
        self.name = name or unique_name(snake_case(type(self).__name__))
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        owner = type(self).__name__
        self.input_shape_arg = shape_arg(input_shape, "input_shape", owner) if input_shape is not None else None
        self.trainable = trainable
        self._dtype = _dtype_name(dtype)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        _Context.losses_seen |= self.activity_regularizer is not None
        self.supports_masking = getattr(self, "supports_masking", False)
        self.input_spec_shape = None  # the input shape the layer was built for (batch dim None)

    # ---- dtype ---------------------------------------------------------------------------------------
    @property
    def dtype(self):
        """The layer's float dtype name (floatx unless set): weights are created and inputs cast to it."""
        return self._dtype or B.floatx()

    @dtype.setter
    def dtype(self, value):
        self._dtype = _dtype_name(value)

    compute_dtype = variable_dtype = dtype

    # ---- weights -------------------------------------------------------------------------------------
    def add_weight(self, *args, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none", overwrite_with_gradient=False,
                   name=None):
        """A new weight Variable of this layer (Keras's signature; positional ``shape, initializer, dtype``).

        The initializer defaults to glorot_uniform for float weights and zeros otherwise, as in Keras; the
        weight's name is 'layer/name' ('layer/variable', 'layer/variable_1', ... when unnamed).
        """
        from .. import constraints, initializers, regularizers
        if args and isinstance(args[0], str):  # gradkit's older add_weight(name, shape, initializer, ...)
            name, args = args[0], args[1:]
        if len(args) > 3:
            raise ConfigError(f"add_weight() takes at most 3 positional arguments (shape, initializer, dtype), "
                              f"got {len(args)}")
        shape, initializer, dtype = (tuple(args) + (shape, initializer, dtype)[len(args):])[:3]
        shape = (shape,) if isinstance(shape, int) else tuple(shape or ())
        if any(d is None for d in shape):
            raise ShapeError(f"layer '{self.name}': add_weight needs a fully known shape, got {shape}")
        dtype = _dtype_name(dtype) or self.dtype
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        value = B.xp.asarray(initializers.get(initializer)(shape, dtype=dtype), dtype=dtype)
        w = Variable(value, trainable=trainable, name=self._weight_name(name),
                     regularizer=regularizers.get(regularizer), constraint=constraints.get(constraint))
        w.requires_grad = w.requires_grad and self.trainable
        _Context.losses_seen |= w.regularizer is not None
        self._weights.append(w)
        return w

    def _weight_name(self, name):
        taken = {w.name for w in self._weights}
        base = f"{self.name}/{name or 'variable'}"
        if name:
            return base
        n = 0
        while (base if n == 0 else f"{base}_{n}") in taken:
            n += 1
        return base if n == 0 else f"{base}_{n}"

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        self.__dict__.pop("_track_cache", None)  # a new attribute may hold a layer or a weight

    def _tracked(self):
        """(own variables, sublayers): add_weight's weights plus Variables and Layers held in attributes
        (also inside lists, tuples and dicts), in the order they were set. Cached until an attribute is set
        or a tracked list/dict changes length (the scan cost 0.2 ms a layer per training step)."""
        cache = self.__dict__.get("_track_cache")
        if cache is not None and all(len(c) == n for c, n in cache[2]):
            return list(cache[0]), list(cache[1])
        own, layers, containers = self._scan_attributes()
        self.__dict__["_track_cache"] = (own, layers, containers)
        return list(own), list(layers)

    def _scan_attributes(self):
        own, layers, seen = list(self._weights), [], {id(self)} | {id(w) for w in self._weights}
        containers = [(self._weights, len(self._weights))]
        for key, value in vars(self).items():
            if key in ("_weights", "_inbound_nodes", "_losses", "_track_cache"):
                continue
            nested = isinstance(value, (list, tuple, dict))
            if isinstance(value, (list, dict)):
                containers.append((value, len(value)))
            for v in flatten(value) if nested else [value]:
                if id(v) in seen:
                    continue
                if isinstance(v, Layer):
                    seen.add(id(v))
                    layers.append(v)
                elif isinstance(v, Variable) and not (nested and key.startswith("_")):  # not bookkeeping lists
                    seen.add(id(v))
                    own.append(v)
        return own, layers, containers

    def _sublayers(self):
        """The layers directly inside this one (a custom layer's attributes; a model's layers)."""
        return self._tracked()[1]

    def _flatten_layers(self, include_self=True):
        """This layer and every layer nested inside it, each once, parents first."""
        out, seen, stack = [], set(), [self]
        while stack:
            layer = stack.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack[:0] = layer._sublayers()
        return out if include_self else out[1:]

    @property
    def weights(self):
        """All weights: own ones (trainable first), then each sublayer's, as Keras orders them in get_weights."""
        own, layers = self._tracked()
        out = [w for w in own if w.trainable] + [w for w in own if not w.trainable]
        seen = {id(w) for w in out}
        for layer in layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def trainable_weights(self):
        """Weights the optimizer updates (none when this layer or an enclosing one is frozen)."""
        if not self.trainable:
            return []
        own, layers = self._tracked()
        out, seen = [w for w in own if w.trainable], set()
        for layer in layers:
            out += layer.trainable_weights
        return [w for w in out if not (id(w) in seen or seen.add(id(w)))]

    @property
    def non_trainable_weights(self):
        """Weights kept but not trained (e.g. BatchNormalization's moving statistics)."""
        if not self.trainable:
            return self.weights
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self):
        """Whether the optimizer trains this layer's weights; setting it also sets every sublayer's."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        own, layers = self._tracked()
        for w in own:
            if getattr(w, "trainable", False) and w.dtype.kind == "f":
                w.requires_grad = self._trainable
        for layer in layers:
            layer.trainable = value

    def get_weights(self):
        """Weights as NumPy arrays, e.g. [kernel, bias] for Dense."""
        return [w.numpy().copy() for w in self.weights]

    def set_weights(self, weights):
        """Overwrite the weights from arrays of the same shapes (order as get_weights)."""
        mine, weights = self.weights, list(weights)
        if len(weights) != len(mine):
            raise ShapeError(f"layer '{self.name}' has {len(mine)} weights, got a list of {len(weights)}")
        for w, v in zip(mine, weights):
            v = B.to_numpy(v.data if isinstance(v, Tensor) else v) if not isinstance(v, np.ndarray) else v
            if tuple(v.shape) != tuple(w.shape):
                raise ShapeError(f"layer '{self.name}': weight '{w.name}' has shape {tuple(w.shape)}, "
                                 f"got an array of shape {v.shape}")
            w.data[...] = B.xp.asarray(v, dtype=w.dtype)

    def count_params(self):
        """Number of scalars in all weights (the layer must be built, as in Keras)."""
        if not self.built:
            raise ConfigError(f"count_params() on layer '{self.name}', which isn't built yet: call it on data, "
                              f"or build it with layer.build(input_shape)")
        return int(sum(w.size for w in self.weights))

    # ---- losses --------------------------------------------------------------------------------------
    def add_loss(self, loss):
        """Add a scalar loss Tensor (inside call): the trainer adds ``sum(model.losses)`` to the loss."""
        if _Context.symbolic:
            return
        _Context.losses_seen = True
        for x in flatten(loss):
            self._losses.append(x if isinstance(x, Tensor) else Tensor(x))

    @property
    def losses(self):
        """Losses of the last forward call (add_loss, activity regularizers; this layer and its sublayers),
        then the weight regularizers' penalties, computed now."""
        if not _Context.losses_seen:
            return []
        layers = self._flatten_layers()
        out, seen = [x for layer in layers for x in layer._losses], set()
        for layer in layers:  # the trainable weights' penalties, in trainable_weights order (a frozen layer's
            if not layer.trainable:  # sublayers are frozen too: the setter propagates)
                continue
            for w in layer._tracked()[0]:
                if w.trainable and getattr(w, "regularizer", None) is not None and id(w) not in seen:
                    seen.add(id(w))
                    out.append(w.regularizer(w))
        return out

    def _clear_losses(self):
        if not _Context.losses_seen:
            return
        for layer in self._flatten_layers():
            layer._losses.clear()

    # ---- building and calling ------------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of this shape (batch dim included, may be None)."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        """The layer's math on Tensors."""
        raise NotImplementedError(f"layer '{self.name}' ({type(self).__name__}) needs a call() method")

    def compute_output_shape(self, input_shape):
        """Output shape for an input shape; by default found by running call on a placeholder batch."""
        def placeholder(s):
            return KerasTensor(s)
        args = map_structure(placeholder, input_shape) if isinstance(input_shape, list) else placeholder(input_shape)
        return map_structure(lambda t: t.shape, self._trace_outputs((args,), {}))

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input's mask when the layer supports masking, else None."""
        return mask if self.supports_masking else None

    def _maybe_build(self, input_shape):
        if not self.built:
            self.build(input_shape)
            self.built = True
            self.input_spec_shape = input_shape

    def __call__(self, *args, **kwargs):
        if any_symbolic(args, kwargs):
            return self._symbolic_call(args, kwargs)
        return self._eager_call(args, kwargs)

    def _first(self, args, kwargs):
        if args:
            return args[0]
        return next((v for k, v in kwargs.items() if k not in ("training", "mask")), None)

    def _eager_call(self, args, kwargs):
        if self._convert_input_args:
            dtype = self.dtype
            args = tuple(_convert(a, dtype) for a in args)
            kwargs = {k: (v if k in ("training", "mask") else _convert(v, dtype)) for k, v in kwargs.items()}
        first = self._first(args, kwargs)
        if not self.built:
            self._maybe_build(_shape_of(first))
        takes_training, takes_mask = _call_info(type(self))
        training = kwargs.pop("training", None)
        if training is None:
            training = _Context.training
        elif not isinstance(training, bool):
            training = bool(training)
        if takes_training and training is not None:
            kwargs["training"] = training
        if takes_mask and kwargs.get("mask") is None:
            mask = _mask_of(first)
            if mask is not None:
                kwargs["mask"] = mask
        entry, prev_training = _Context.entry, _Context.training
        if entry is None:
            self._clear_losses()
            _Context.entry = self
        _Context.training = training
        try:
            out = self.call(*args, **kwargs)
        finally:
            _Context.entry, _Context.training = entry, prev_training
        if self.activity_regularizer is not None:
            self._add_activity_losses(out)
        if self.supports_masking or type(self).compute_mask is not Layer.compute_mask:
            _set_masks(out, self.compute_mask(first, kwargs.get("mask", _mask_of(first))))
        return out

    def _preactivation_call(self, inputs, training=None):
        """``preactivation(inputs)`` (the trainer's logits) carrying the mask the layer's output would carry."""
        out = self.preactivation(inputs, training=training)
        if self.supports_masking:
            _set_masks(out, self.compute_mask(inputs, _mask_of(inputs)))
        return out

    def _add_activity_losses(self, outputs):
        for y in flatten(outputs):
            if isinstance(y, Tensor):
                loss = self.activity_regularizer(y)
                self.add_loss(loss / y.shape[0] if y.ndim else loss)  # per sample, as Keras normalises

    def _symbolic_call(self, args, kwargs):
        first = self._first(args, kwargs)
        if not self.built:
            self._maybe_build(_shape_of(first))
        simple = len(args) == 1 and not any_symbolic([], kwargs) and set(kwargs) <= {"training", "mask"}
        if simple and type(self).compute_output_shape is not Layer.compute_output_shape:
            shapes = self.compute_output_shape(_shape_of(first))
            outputs = _shapes_to_tensors(shapes, self)
        else:
            outputs = self._trace_outputs(args, kwargs)
        mask_shape = self._symbolic_mask_shape(first)
        for kt in flatten(outputs) if mask_shape is not None else ():
            if isinstance(kt, KerasTensor):
                kt._keras_mask_shape = mask_shape
        Node(self, args, kwargs, outputs)
        return outputs

    def _symbolic_mask_shape(self, first):
        """The shape of the mask the outputs will carry (None: no mask), so placeholder runs of later layers
        get a mask too."""
        if not isinstance(first, KerasTensor):
            return None
        in_shape = getattr(first, "_keras_mask_shape", None)
        if type(self).compute_mask is Layer.compute_mask:
            return in_shape if self.supports_masking else None
        probe = _placeholder(first, (2, 3))
        mask = self.compute_mask(probe, getattr(probe, "_keras_mask", None))
        if mask is None or isinstance(mask, (list, tuple)):
            return None
        return tuple(None if i < len(first.shape) and first.shape[i] is None else d
                     for i, d in enumerate(mask.shape))

    def _trace_outputs(self, args, kwargs):
        """Symbolic outputs found by running the layer on zeros standing in for the KerasTensors; a dim that
        is None (other than the batch's) is found by running twice with different sizes."""
        leaves = [t for t in flatten((args, kwargs)) if isinstance(t, KerasTensor)]
        varying = any(d is None for t in leaves for d in t.shape[1:])
        runs = [self._run_on_zeros(args, kwargs, fill) for fill in ((2, 3), (3, 5))[:1 + varying]]
        def to_kt(*ys):
            if not isinstance(ys[0], Tensor):
                return ys[0]
            shape = tuple(None if i == 0 or any(y.shape[i] != ys[0].shape[i] for y in ys) else d
                          for i, d in enumerate(ys[0].shape))
            return KerasTensor(shape, dtype=str(ys[0].dtype), name=self.name)
        first_batch = leaves[0].shape[0] if leaves else None
        out = _zip_map(to_kt, runs)
        if first_batch is not None:
            for kt in flatten(out):
                kt.shape = (first_batch,) + kt.shape[1:]
        return out

    def _run_on_zeros(self, args, kwargs, fill):
        def zeros(t):
            return _placeholder(t, fill) if isinstance(t, KerasTensor) else t
        prev = _Context.symbolic
        _Context.symbolic = True
        try:
            with no_grad(), np.errstate(all="ignore"):
                return self._eager_call(map_structure(zeros, tuple(args)), map_structure(zeros, dict(kwargs)))
        finally:
            _Context.symbolic = prev

    # ---- graph connectivity --------------------------------------------------------------------------
    def _node_attr(self, attr):
        if not self._inbound_nodes:
            raise ConfigError(f"layer '{self.name}' has never been called on a symbolic input and thus has no "
                              f"defined {attr}")
        node = self._inbound_nodes[0]
        items = node.inputs if attr == "input" else node.outputs
        return items[0] if len(items) == 1 else list(items)

    input = property(lambda self: self._node_attr("input"), doc="The KerasTensor(s) of the layer's first call.")
    output = property(lambda self: self._node_attr("output"), doc="The output(s) of the layer's first call.")

    # ---- config (save / load) ------------------------------------------------------------------------
    def get_config(self):
        """Constructor arguments that rebuild this layer (without weights), with Keras 3's keys."""
        from .. import regularizers
        cfg = {"name": self.name, "trainable": self.trainable, "dtype": dtype_policy(self.dtype)}
        if self.input_shape_arg is not None:
            cfg["input_shape"] = list(self.input_shape_arg)
        if self.activity_regularizer is not None:
            cfg["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return cfg

    @classmethod
    def from_config(cls, config):
        """Rebuild a layer from get_config()'s dict."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


def dtype_policy(name):
    """Keras 3's serialized DTypePolicy for a dtype name."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def _convert(x, dtype):
    """Inputs as Tensors, float ones in the layer's dtype (Keras autocasts); other arguments as given."""
    if isinstance(x, Tensor):
        if x.dtype.kind == "f" and x.dtype != dtype and not hasattr(x.data, "tocsr"):
            mask = getattr(x, "_keras_mask", None)
            x = cast(x, dtype)
            if mask is not None:
                x._keras_mask = mask
        return x
    if isinstance(x, (list, tuple)):
        if any(isinstance(v, (Tensor, np.ndarray)) or hasattr(v, "__array__") for v in x):
            return type(x)(_convert(v, dtype) for v in x)
        return x if not x or isinstance(x[0], (str, bool)) else _convert(Tensor(np.asarray(x)), dtype)
    if isinstance(x, dict):
        return {k: _convert(v, dtype) for k, v in x.items()}
    if hasattr(x, "tocsr"):
        return Tensor(x)
    if isinstance(x, np.ndarray) or (hasattr(x, "__array__") and hasattr(x, "dtype") and hasattr(x, "shape")):
        return _convert(Tensor(x), dtype)
    return x


def _placeholder(kt, fill):
    """Zeros standing in for a KerasTensor (batch dim fill[0], other unknown dims fill[1]), with an all-True
    mask when the KerasTensor carries one."""
    def concrete(shape):
        return tuple(fill[0] if i == 0 else (fill[1] if d is None else d) for i, d in enumerate(shape))
    t = Tensor(B.xp.zeros(concrete(kt.shape), dtype=kt.dtype))
    mask_shape = getattr(kt, "_keras_mask_shape", None)
    if mask_shape is not None:
        t._keras_mask = B.xp.ones(concrete(mask_shape), dtype=bool)
    return t


def _mask_of(x):
    if isinstance(x, (list, tuple)):
        masks = [getattr(v, "_keras_mask", None) for v in x]
        return masks if any(m is not None for m in masks) else None
    return getattr(x, "_keras_mask", None)


def _set_masks(outputs, mask):
    if mask is None:
        return
    outs, masks = flatten(outputs), (mask if isinstance(mask, (list, tuple)) else [mask])
    for y, m in zip(outs, masks * (len(outs) if len(masks) == 1 else 1)):
        if isinstance(y, Tensor) and m is not None:
            y._keras_mask = m


def _zip_map(fn, structs):
    first = structs[0]
    if isinstance(first, (list, tuple)):
        return type(first)(_zip_map(fn, [s[i] for s in structs]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _zip_map(fn, [s[k] for s in structs]) for k in first}
    return fn(*structs)


def _shapes_to_tensors(shapes, layer):
    if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
        return [KerasTensor(tuple(s), dtype=layer.dtype, name=layer.name) for s in shapes]
    return KerasTensor(tuple(shapes), dtype=layer.dtype, name=layer.name)
