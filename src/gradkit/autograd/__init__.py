"""Reverse-mode autodiff: Tensor, Function, no_grad and the differentiable ops.

Read in import order (docs/autodiff.md): tensor.py (Tensor, Function, backprop; imports no op), the primitive
Functions by family (math_ops, shape_ops, nn, array_ops; conv, rnn and image load with the layers that use them),
op_errors.py and public_ops.py (``gradkit.ops``), then operators.py, which installs Tensor's operators.
"""
from .tensor import Function, Tensor, is_grad_enabled, no_grad, unbroadcast
from . import math_ops, shape_ops, nn, array_ops  # noqa: F401,I001 - the primitive Functions, in reading order
from . import op_errors  # noqa: F401 - the argument checks public_ops makes before it calls an op
from . import public_ops as ops
from .public_ops import *  # noqa: F401,F403
from . import operators  # noqa: F401,E402 - last: binds Tensor's operators to the ops above

__all__ = ["Tensor", "Function", "no_grad", "is_grad_enabled", "unbroadcast", "ops"]
