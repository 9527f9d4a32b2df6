"""OpLayer: a ``gradkit.ops`` function (or a Python operator) applied to KerasTensors, as a graph node."""
import numpy as np

from ..autograd import public_ops as ops
from .base import Layer, unique_name
from .symbolic import KerasTensor


class OpLayer(Layer):
    """Runs ``gradkit.ops.<op>`` on its call's arguments; made when an op meets a KerasTensor."""

    _convert_input_args = False  # the op's own arguments (shapes, axes) pass through untouched

    def __init__(self, op, name=None, **kwargs):
        super().__init__(name=name or unique_name(op), **kwargs)
        self.op = op
        self.built = True

    def call(self, *args, **kwargs):
        kwargs.pop("training", None)
        return getattr(ops, self.op)(*args, **kwargs)

    def get_config(self):
        return {**super().get_config(), "op": self.op}


def _record(op, args, kwargs):
    """What an op called on KerasTensors returns: the symbolic output of a new OpLayer node."""
    kwargs = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    return OpLayer(op)(*args, **kwargs)


ops._SYMBOLIC.update(type=KerasTensor, record=_record)
