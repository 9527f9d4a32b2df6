"""``gradkit.ops`` (Keras's ``keras.ops``): this module stands for gradkit.autograd.public_ops, so that
``import gradkit.ops`` and ``gradkit.ops`` name that one module (it loads on first use)."""
import sys

from .autograd import public_ops

sys.modules[__name__] = public_ops
