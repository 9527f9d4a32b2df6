"""Reverse-mode autodiff: Tensor, Function, no_grad and the differentiable ops."""
from . import functions as ops
from .functions import *  # noqa: F401,F403
from .tensor import Function, Tensor, is_grad_enabled, no_grad, unbroadcast

__all__ = ["Tensor", "Function", "no_grad", "is_grad_enabled", "unbroadcast", "ops"]
