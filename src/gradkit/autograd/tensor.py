"""Tensor, Function and the reverse-mode backward pass over the dynamic graph."""
import contextlib

import numpy as np

from .. import backend as B
from ..errors import DTypeError, GradientError, GradkitError, ShapeError

_grad_enabled = True
_observer = None  # told of every op call and backward pass while set (see observe())


@contextlib.contextmanager
def no_grad():
    """Inside this block ops record no graph (inference, optimizer updates)."""
    global _grad_enabled
    prev, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = prev


def is_grad_enabled():
    """True unless inside ``no_grad()``."""
    return _grad_enabled


def as_array(x, dtype=None):
    """Raw array of the active module from a Tensor, array, list or scalar (Python floats become floatx)."""
    if isinstance(x, Tensor):
        return x.data
    if hasattr(x, "tocsr"):  # a scipy.sparse matrix passes through (first-layer input; never requires grad)
        return x if dtype is None else x.astype(dtype, copy=False)
    if dtype is None and type(x) in (float, int, bool, list, tuple):  # Python data, not NumPy scalars
        arr = B.xp.asarray(x)
        return arr.astype(B.floatx()) if arr.dtype.kind == "f" or type(x) is float else arr
    return B.xp.asarray(x, dtype=dtype)


def unbroadcast(grad, shape):
    """Sum a broadcast gradient back to ``shape`` (the operand's shape)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = reduce_sum(grad, tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = reduce_sum(grad, axes, keepdims=True)
    return grad


def reduce_sum(a, axis=None, keepdims=False):
    """``a.sum(axis, keepdims)`` without numpy's Python-level wrapper (the same ufunc, so the same bits)."""
    if B.xp is np:
        return np.add.reduce(a, axis=axis, keepdims=keepdims)
    return a.sum(axis=axis, keepdims=keepdims)


def filled(shape, value, dtype):
    """A new array of ``shape`` holding ``value`` everywhere (a broadcast gradient, materialised)."""
    out = B.xp.empty(shape, dtype=dtype)
    out[...] = value
    return out


def wrap(array):
    """A constant Tensor around a raw array, skipping ``__init__``'s checks (internal fast path)."""
    t = Tensor.__new__(Tensor)
    t.data, t.grad, t.creator, t.name, t._requires_grad = array, None, None, None, False
    return t


class Tensor:
    """An array with an optional gradient; ops on it record the graph that ``backward`` walks."""

    __array_priority__ = 1000  # numpy defers `ndarray op Tensor` to Tensor's reflected operators

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        try:
            self.data = as_array(data, dtype)
        except (ValueError, TypeError) as e:
            raise DTypeError(f"Tensor data must be numeric (a number, array or nested list of numbers), got "
                             f"{_brief(data)} ({e})") from e
        if self.data.dtype.kind not in "biuf" and not hasattr(self.data, "tocsr"):
            raise DTypeError(f"Tensor data must be numeric (bool, int or float), got {_brief(data)} "
                             f"of dtype {self.data.dtype}")
        self.grad = None
        self.creator = None
        self.name = name
        self._requires_grad = False
        self.requires_grad = requires_grad

    @property
    def requires_grad(self):
        """Whether backward computes a gradient for this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if flag and hasattr(self.data, "tocsr"):
            raise DTypeError("a sparse tensor cannot require grad (use it as a constant input)")
        if flag and self.data.dtype.kind != "f":
            raise DTypeError(f"only float tensors can require grad; this tensor has dtype {self.data.dtype}"
                             " (cast it first, e.g. Tensor(x, dtype='float32'))")
        self._requires_grad = bool(flag)

    shape = property(lambda self: self.data.shape, doc="Shape of the underlying array.")
    dtype = property(lambda self: self.data.dtype, doc="dtype of the underlying array.")
    ndim = property(lambda self: self.data.ndim, doc="Number of dimensions.")
    size = property(lambda self: self.data.size, doc="Number of elements.")

    def __int__(self):
        return int(self.data)

    def __len__(self):
        return self.data.shape[0]

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        name = f", name={self.name!r}" if self.name else ""
        return f"Tensor({B.to_numpy(self.data)!r}{grad}{name})"

    def numpy(self):
        """The value as a host NumPy array (a copy on GPU, the array itself on CPU)."""
        return B.to_numpy(self.data)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        return self.data.item()

    def detach(self):
        """A tensor sharing this one's data but cut from the graph."""
        return Tensor(self.data)

    def astype(self, dtype):
        """A copy of this tensor with another dtype (not differentiable)."""
        return Tensor(self.data.astype(dtype))

    def zero_grad(self):
        """Forget the accumulated gradient."""
        self.grad = None

    def assign(self, value):
        """Overwrite the value in place (same shape), as Keras's ``Variable.assign``."""
        value = as_array(value)
        if value.shape != self.data.shape:
            raise ShapeError(f"cannot assign a value of shape {value.shape} to {self._label()} of shape {self.data.shape}")
        self.data[...] = value

    def assign_add(self, value):
        """Add ``value`` in place (Keras's ``Variable.assign_add``; metric state uses it)."""
        self.data[...] += as_array(value)

    def assign_sub(self, value):
        """Subtract ``value`` in place (Keras's ``Variable.assign_sub``)."""
        self.data[...] -= as_array(value)

    @property
    def value(self):
        """A snapshot of the current value, cut from the graph (Keras's ``Variable.value``)."""
        return Tensor(self.data.copy())

    def __array__(self, dtype=None, copy=None):
        """np.asarray(tensor): the value as a host NumPy array."""
        a = B.to_numpy(self.data)
        return a if dtype is None else a.astype(dtype)

    def __float__(self):
        return float(self.data)

    def __format__(self, spec):
        return format(self.data.item(), spec) if spec and self.data.size == 1 else format(str(self), spec)

    def _label(self):
        return f"tensor {self.name!r}" if self.name else "a tensor"

    def backward(self, grad=None):
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad."""
        if not self._requires_grad:  # as PyTorch: nothing to differentiate is a mistake, not a no-op
            raise GradientError(f"backward() on {self._label()} that does not require grad: no graph was recorded "
                                "for it (it was computed under no_grad(), or only from tensors without "
                                "requires_grad=True)")
        if grad is None:
            if self.data.size != 1:
                raise GradientError(f"backward() needs an explicit gradient for a non-scalar output of shape "
                                    f"{self.data.shape}; call .sum() first or pass grad=")
            grad = B.xp.ones(self.data.shape, dtype=self.data.dtype)
        else:
            grad = as_array(grad, self.data.dtype)
            if grad.shape != self.data.shape:
                raise ShapeError(f"backward(grad): grad has shape {grad.shape}, output has shape {self.data.shape}")
        backprop(self, grad)
        if _observer is not None:
            _observer.backward_done(self, grad)


def _brief(data):
    """A short repr of what the user passed (its type, and the value when it is small)."""
    text = repr(data)
    return f"{text[:60]}{'...' if len(text) > 60 else ''} (a {type(data).__name__})"


def as_tensor(x):
    """x itself if it is a Tensor, else a constant Tensor of it."""
    return x if isinstance(x, Tensor) else Tensor(x)


def postorder(roots, children, skip=()):
    """Nodes reachable from roots, each after every node it depends on (iterative DFS: no recursion limit).

    ``children(node)`` lists what a node depends on; nodes whose id is in ``skip`` are not visited.
    """
    order, seen = [], set(skip)
    stack = [(n, False) for n in reversed(roots)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(children(node)) if id(c) not in seen)
    return order


def _creators(fn):
    return [t.creator for t in reversed(fn.inputs) if t.creator is not None]


def topological_order(root):
    """Creators reachable from root, each after all functions that consume its output."""
    order = postorder([root.creator] if root.creator else [], _creators)
    order.reverse()
    return order


@contextlib.contextmanager
def observe(observer):
    """Inside this block autograd reports to ``observer``: ``function_called(fn, input_tensors, output, state)`` after
    every op (state: the names of the attributes its forward and the graph recording set on fn) and
    ``backward_done(root, grad)`` after every backward pass (a tracer or profiler hooks in here)."""
    global _observer
    prev, _observer = _observer, observer
    try:
        yield observer
    finally:
        _observer = prev


def observer():
    """The object installed by ``observe`` (None outside it); code above autograd may report to it too."""
    return _observer


def backprop(root, grad):
    """Walk the graph from root in reverse topological order, summing gradients per tensor."""
    if root.creator is None:
        if root._requires_grad:
            root.grad = wrap(grad if root.grad is None else root.grad.data + grad)
        return
    grads = {id(root): grad}
    pop = grads.pop
    for fn in topological_order(root):
        gy = pop(fn.out_id, None)
        if gy is None:
            continue
        gxs = fn.backward(gy)
        if type(gxs) is not tuple:
            gxs = (gxs,)
        for t, gx in zip(fn.inputs, gxs):
            if gx is None or not t._requires_grad:
                continue
            if t.creator is None:
                t.grad = wrap(gx if t.grad is None else t.grad.data + gx)
            else:
                key = id(t)
                prev = grads.get(key)
                grads[key] = gx if prev is None else prev + gx


class Function:
    """One differentiable op: ``forward(*arrays)`` and ``backward(grad)`` side by side.

    Subclasses keep what backward needs on ``self`` (``self.saved_inputs`` holds the input arrays).
    """

    def __call__(self, *inputs):
        tensors = [x if isinstance(x, Tensor) else Tensor(x) for x in inputs]
        arrays = [t.data for t in tensors]
        config = None if _observer is None else set(self.__dict__)  # a tracer learns what forward sets
        try:
            y = self.forward(*arrays)
        except ValueError as e:
            if isinstance(e, GradkitError):
                raise
            shapes = " and ".join(str(a.shape) for a in arrays)
            raise ShapeError(f"{type(self).__name__.lower()}: incompatible shapes {shapes} ({e})") from e
        out = wrap(y)
        if _grad_enabled:
            for t in tensors:
                if t._requires_grad:
                    out._requires_grad = True
                    out.creator = self
                    self.inputs = tensors
                    self.out_id = id(out)  # an id, not the tensor: no reference cycle
                    self.saved_inputs = arrays
                    break
        if config is not None:
            _observer.function_called(self, tensors, out, tuple(k for k in self.__dict__ if k not in config))
        return out

    def forward(self, *xs):
        """Compute the output array from input arrays."""
        raise NotImplementedError

    def backward(self, gy):
        """Gradients w.r.t. each input (a tuple, or one array for one input) from the output's gradient."""
        raise NotImplementedError
