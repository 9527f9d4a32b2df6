"""Model subclassing (Keras's third way): layers set as attributes in __init__, the math in ``call(inputs)``.

The model finds its layers among its attributes and builds by running ``call`` once on a zero batch.
It trains with the same trainer; the output activation is not fused into the loss (call is opaque).
"""
import inspect

from .. import backend as B
from ..autograd import Tensor, no_grad
from ..errors import ConfigError
from ..layers.base import Layer, snake_case, unique_name
from ..training.batching import is_sparse

_CACHE = {}


def setup(model, name, trainable):
    """State of a fresh subclassed model."""
    model.name = name or unique_name(snake_case(type(model).__name__.replace("_Subclassed", "")))
    model.trainable = trainable
    model._in_shapes = model._out_shapes = None
    params = inspect.signature(type(model).call).parameters
    model._call_takes_training = "training" in params


class SubclassedMethods:
    """The graph methods of Model, for a model whose forward pass is its own ``call``."""

    @property
    def layers(self):
        """Layers found among the attributes (also inside lists), in assignment order."""
        found = []
        for v in vars(self).values():
            items = v if isinstance(v, (list, tuple)) else [v]
            found += [x for x in items if isinstance(x, Layer) and x not in found]
        return found

    @property
    def input_shapes(self):
        """Input shapes seen at build (batch dim None)."""
        return self._in_shapes or [None]

    @property
    def output_shapes(self):
        """Output shapes seen at build (batch dim None)."""
        return self._out_shapes or [None]

    def _num_inputs(self):
        return len(self._in_shapes) if self._in_shapes else 1

    def _output_layers(self):
        return [None] * (len(self._out_shapes) if self._out_shapes else 1)

    def _input_consumers(self):
        return (self.layers[:1] or [None]) * self._num_inputs()

    def _ensure_built(self, shapes):
        if self._in_shapes is not None:
            return
        zeros = [B.xp.zeros((2,) + tuple(s[1:]), dtype=B.floatx()) for s in shapes]
        with no_grad():
            outs = self._forward(zeros)
        self._in_shapes = [(None,) + tuple(s[1:]) for s in shapes]
        self._out_shapes = [(None,) + tuple(o.shape[1:]) for o in outs]

    def _forward(self, xs, training=False, logits_for=()):
        xs = [x if isinstance(x, Tensor) or is_sparse(x) else Tensor(x) for x in xs]
        arg = xs if len(xs) > 1 else xs[0]
        out = self.call(arg, training=training) if self._call_takes_training else self.call(arg)
        return list(out) if isinstance(out, (list, tuple)) else [out]

    def _logits_ok(self, i):
        return False

    def _layer_output_shapes(self):
        return {}

    def get_config(self):
        """Subclassed models are code: save_weights works, save needs a get_config of your own."""
        raise ConfigError(f"{type(self).__name__} is a subclassed model: use save_weights/load_weights, or define "
                          "get_config/from_config to save it whole")


def subclassed_type(cls):
    """cls with SubclassedMethods filling in the graph methods the user did not define."""
    if cls not in _CACHE:
        from .functional import _user_attrs
        mine = _user_attrs(cls)
        methods = {k: v for k, v in vars(SubclassedMethods).items() if not k.startswith("__") and k not in mine}
        _CACHE[cls] = type(cls.__name__, (cls,), {**methods, "__module__": cls.__module__,
                                                  "__qualname__": cls.__qualname__})
    return _CACHE[cls]
