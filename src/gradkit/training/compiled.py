"""A compiled training step: the step function traced once per input signature, then replayed as flat array calls.

As Keras's trainers wrap ``train_step`` (``tf.function``; ``torch.compile`` in keras/src/backend/torch/trainer.py),
``CompiledStep(model.train_step)`` runs the first batch of each shape eagerly while autograd and the optimizer report
what happens to a ``Tracer`` (every op, the backward pass, ``optimizer.apply``). Later batches replay it: the same
``Function.forward``/``backward`` code, in eager backprop's order, on raw arrays, then the same ``optimizer.apply``
(the optimizer's one rule), without Tensor or graph bookkeeping, so the numbers are the same bit for bit. Python in
the step that is not an op (a counter, a print) runs only while tracing, as under tf.function. The second batch of
each shape runs both ways and compares them: anything the trace froze that should vary (a data-dependent index, a
Python-side random draw) makes the step eager for good.
"""
import re

from .. import backend as B
from ..autograd import tensor as autograd
from ..autograd.tensor import Tensor, topological_order, wrap
from ..tuning import MAX_SIGNATURES


class Untraceable(Exception):
    """The step does something a replay cannot express (e.g. two backward passes, a result that is not a Tensor)."""


class Tracer:
    """Observer of one eager run of a step: the op calls, the backward pass and optimizer.apply, in order."""

    def __init__(self):
        self.events = []

    def function_called(self, fn, inputs, out, state=()):
        """autograd hook: one op applied; state names what its forward left on fn for backward."""
        self.events.append(("op", fn, inputs, out, state))

    def backward_done(self, root, grad):
        """autograd hook: a backward pass from root finished; the leaves' .grad Tensors now hold the gradients."""
        order = topological_order(root)
        leaves = {id(t): (t, t.grad) for f in order for t in f.inputs if t.creator is None and t._requires_grad}
        self.events.append(("backward", root, grad, order, list(leaves.values())))

    def optimizer_applied(self, optimizer, grads, variables):
        """Optimizer.apply reports here (through autograd's observer): ``apply(grads, variables)`` is about to run."""
        self.events.append(("apply", optimizer, grads, variables))


class Program:
    """The replay of a traced step: ``replay(*input_arrays)`` returns the step's result (Tensors around new arrays).

    Generated as one flat Python function (``self.source``): per op a call of its ``forward``; for the backward pass
    each ``backward`` in eager order with the gradient sums; then ``optimizer.apply`` on the gradients. Memory is
    freed as early as in eager backprop's best case: an op's saved state right after its backward (or its forward,
    when no gradient reaches it), each array variable after its last use, and nothing of the traced batch is kept.
    """

    def __init__(self, events, inputs, result):
        self.names = {id(t): f"x{i}" for i, t in enumerate(inputs)}
        self.ns, self.head, self.body, self.optimizers = {"W": wrap, "R": _release}, [], [], []
        self._keep = []  # tensors whose ids name values: kept alive while the program is built
        self.index, self.backed = {}, set()  # id(fn) → op number; op numbers whose backward the replay runs
        out_of, backward_seen = {}, False
        for event in events:
            kind = event[0]
            if kind == "op":
                self._op(len(out_of), *event[1:])
                out_of[id(event[1])] = event[3]
            elif kind == "backward":
                if backward_seen:
                    raise Untraceable("the step calls backward() twice")
                self._backward(out_of, *event[1:])
                backward_seen = True
            else:
                self._apply(*event[1:])
        ret = self._expr(result)
        args = ", ".join(f"x{i}" for i in range(len(inputs)))
        body = _free_after_last_use(self._resolve(self.body), set(_ARRAY_NAME.findall(ret)))
        self.source = "\n".join([f"def replay({args}):", *self.head, *body, f"    return {ret}"]) + "\n"
        exec(compile(self.source, "<gradkit replay>", "exec"), self.ns)  # noqa: S102 - our own generated code
        self.replay = self.ns["replay"]
        self._forget([e[1] for e in events if e[0] == "op"])

    def _name(self, t):
        """The replay's name for a Tensor: an input, an op's output, a gradient, a weight (read at each replay,
        so in-place updates show) or a constant captured from the trace."""
        if not isinstance(t, Tensor):
            raise Untraceable(f"the step passes a {type(t).__name__} where a Tensor was expected")
        n = self.names.get(id(t))
        if n is None:
            k = len(self.names)
            self._keep.append(t)
            if t.creator is None and t._requires_grad:
                n, self.ns[f"P{k}"] = f"w{k}", t
                self.head.append(f"    {n} = P{k}.data")
            else:
                n, self.ns[f"c{k}"] = f"c{k}", t.data
            self.names[id(t)] = n
        return n

    def _op(self, i, fn, inputs, out, state):
        self.ns[f"f{i}"], self.ns[f"forward{i}"] = fn, fn.forward
        self.ns[f"S{i}"] = tuple(k for k in state if k not in ("inputs", "out_id")) + ("saved_inputs",)
        self.index[id(fn)] = i
        args = ", ".join(self._name(t) for t in inputs) + ("," if len(inputs) == 1 else "")
        self.body += [f"    f{i}.saved_inputs = a = ({args})", f"    v{i} = forward{i}(*a)", ("forward_done", i)]
        self.names[id(out)] = f"v{i}"
        self._keep.append(out)

    def _backward(self, out_of, root, seed, order, leaves):
        """Eager backprop's walk (autograd.tensor.backprop) unrolled: per function its backward, summed per tensor."""
        if root.creator is None:
            raise Untraceable("backward() on a tensor no op produced")
        self.ns["seed"] = seed
        grads, lines = {id(root): "d0"}, ["    d0 = seed"]
        for k, f in enumerate(order):
            out = out_of.get(id(f))
            if out is None:
                raise Untraceable("backward() reaches an op computed before the step began")
            g = grads.get(id(out))
            if g is None:
                continue  # its output never gets a gradient (eager skips it too)
            self.ns[f"backward{k}"], i = f.backward, self.index[id(f)]
            self.backed.add(i)
            lines += [f"    if {g} is not None:", f"        r = backward{k}({g})", f"        R(f{i}, S{i})",
                      "        if type(r) is not tuple:", "            r = (r,)"]
            for j, t in enumerate(f.inputs):
                if not t._requires_grad:
                    continue
                s = grads.get(id(t))
                if s is None:
                    s = grads[id(t)] = f"d{len(grads)}"
                    lines.append(f"        {s} = r[{j}]")
                else:  # a second path into t: sum, as eager backprop does
                    lines.append(f"        {s} = r[{j}] if {s} is None else {s} if r[{j}] is None else {s} + r[{j}]")
        self.body += [f"    {g} = None" for g in list(grads.values())[1:]] + lines
        for t, grad in leaves:
            if grad is not None and id(t) in grads:
                self.names[id(grad)] = grads[id(t)]
                self._keep.append(grad)

    def _apply(self, optimizer, grads, variables):
        k = len(self.optimizers)
        self.optimizers.append(optimizer)
        self.ns[f"opt{k}"], self.ns[f"vars{k}"] = optimizer, list(variables)
        names = ", ".join("None" if g is None else self._name(g) for g in grads)
        self.body.append(f"    opt{k}.apply([{names}], vars{k})")

    def _resolve(self, body):
        """The body's lines, an op's state released right after its forward where no backward will use it."""
        out = []
        for b in body:
            if type(b) is str:
                out.append(b)
            elif b[1] not in self.backed:
                out.append(f"    R(f{b[1]}, S{b[1]})")
        return out

    def _forget(self, fns):
        """Drop every reference to the traced batch's arrays: the ops' saved state, their input Tensors (backward
        reads only which inputs want a gradient) and the tensors that named values while the program was built."""
        for fn in fns:
            _release(fn, self.ns[f"S{self.index[id(fn)]}"])
            if "inputs" in fn.__dict__:
                fn.inputs = [_Wants(t._requires_grad) for t in fn.inputs]
        self._keep, self.names = [], {}

    def _expr(self, result):
        """Source rebuilding the step's result (Tensors, None, and tuples, lists and dicts of them)."""
        if result is None:
            return "None"
        if isinstance(result, Tensor):
            return f"W({self._name(result)})"
        if isinstance(result, (tuple, list)):
            items = "".join(f"{self._expr(r)}, " for r in result)
            return f"({items})" if isinstance(result, tuple) else f"[{items}]"
        if isinstance(result, dict):
            return "{" + ", ".join(f"{k!r}: {self._expr(v)}" for k, v in result.items()) + "}"
        raise Untraceable(f"the step returns a {type(result).__name__}, not Tensors")


_ARRAY_NAME = re.compile(r"\b[vd]\d+\b")  # the replay's array variables: op outputs v<i>, gradients d<j>


def _release(fn, names):
    """Forget what an op's forward kept for its backward (the attributes named), so its arrays can be freed."""
    d = fn.__dict__
    for k in names:
        d.pop(k, None)


class _Wants:
    """Stands in for a traced op's input Tensor after tracing: only whether it wants a gradient."""

    __slots__ = ("_requires_grad",)

    def __init__(self, requires_grad):
        self._requires_grad = requires_grad

    @property
    def requires_grad(self):
        """Whether the input wanted a gradient when traced."""
        return self._requires_grad


def _free_after_last_use(lines, keep):
    """lines with ``name = None`` after the last line that uses each array variable (but those in keep)."""
    last = {}
    for n, line in enumerate(lines):
        for name in _ARRAY_NAME.findall(line):
            last[name] = n
    after = {}
    for name, n in last.items():
        if name not in keep:
            after.setdefault(n, []).append(name)
    out = []
    for n, line in enumerate(lines):
        out.append(line)
        if n in after:
            indent = line[:len(line) - len(line.lstrip())]
            out.append(f"{indent}{' = '.join(sorted(after[n]))} = None")
    return out


def detach(result):
    """Cut the graph off a step's result Tensors (the step is done with it), so its arrays can be freed."""
    for t in leaves(result):
        t.creator = None
    return result


def leaves(result):
    """The Tensors of a step's result, in order (through tuples, lists and dicts)."""
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in leaves(r)]
    if isinstance(result, dict):
        return [t for r in result.values() for t in leaves(r)]
    return []


def trace(fn, *args):
    """Run ``fn(*args)`` (args: lists of input Tensors) eagerly while tracing.

    Returns (Program or None, fn's result, why not when None).
    """
    tracer = Tracer()
    with autograd.observe(tracer):
        result = fn(*args)
    try:
        return Program(tracer.events, [t for group in args for t in group], result), result, None
    except Untraceable as e:
        return None, result, str(e)


class CompiledStep:
    """``fn`` (a training step over lists of Tensors, e.g. ``model.train_step``) traced per input signature, then
    replayed; same arguments and results as ``fn``.

    Per signature (the inputs' shapes): the first call is traced, the second runs eagerly with the replay checked
    beside it, later ones replay. If a check fails or the step cannot be traced, it stays eager for good
    (``self.eager``) and ``on_fallback(reason)`` is called once. ``state()`` lists the arrays a step updates in place
    besides the optimizers' state (the model's weights, BatchNorm's moving statistics).
    """

    def __init__(self, fn, state=list, max_signatures=MAX_SIGNATURES, on_fallback=None):
        self.fn, self.state, self.max_signatures, self.on_fallback = fn, state, max_signatures, on_fallback
        self.programs, self.eager, self.traces = {}, False, 0
        self._verified = {}  # signature → the checked replay

    def __call__(self, *args):
        arrays = [t.data for group in args for t in group]
        replay = self._verified.get(tuple([a.shape for a in arrays]))
        if replay is not None:
            return replay(*arrays)
        return self._first_calls(args, arrays)

    def _first_calls(self, args, arrays):
        sig = tuple(a.shape for a in arrays)
        entry = self.programs.get(sig)
        if self.eager:
            return self.fn(*args)
        if entry is None and len(self.programs) >= self.max_signatures:
            self._give_up(f"the batches came in more than {self.max_signatures} shapes")
            return self.fn(*args)
        if entry is None:
            self.traces += 1
            program, result, why = trace(self.fn, *args)
            if program is None:
                self._give_up(why)
            else:
                self.programs[sig] = [program, False]
            return detach(result)
        ok, result = self.check(entry[0], args, arrays)
        entry[1] = ok
        if ok:
            self._verified[sig] = entry[0].replay
        else:
            self._give_up("its replay differs from the eager step (it does something a trace cannot repeat, "
                          "e.g. Python-side randomness or data-dependent indexing)")
        return result

    def _give_up(self, reason):
        self.eager, self.programs, self._verified = True, {}, {}
        if self.on_fallback is not None:
            self.on_fallback(reason)

    def check(self, program, args, arrays):
        """One eager step, then the replay from the same starting point: (agree bit for bit?, eager result).

        Everything is left as the eager step leaves it (weights, optimizer state, the random Generator).
        """
        before = self._snapshot(program.optimizers)
        result = detach(self.fn(*args))  # its graph is not needed while the replay runs
        expected = [t.data.copy() for t in leaves(result)]
        after = self._snapshot(program.optimizers)
        self._restore(before, program.optimizers)
        got = [t.data for t in leaves(program.replay(*arrays))]
        ok = len(got) == len(expected) and all(_same(a, b) for a, b in zip(expected, got)) and \
            _same_state(after, self._snapshot(program.optimizers))
        self._restore(after, program.optimizers)
        return ok, result

    def _snapshot(self, opts):
        return ([a.copy() for a in self.state()], [o.get_state() for o in opts], B.rng().bit_generator.state)

    def _restore(self, snap, opts):
        arrays, states, gen = snap
        for a, v in zip(self.state(), arrays):
            a[...] = v
        for o, s in zip(opts, states):
            o.set_state(s)
        B.rng().bit_generator.state = gen


def _same(a, b):
    return a.shape == b.shape and bool((a == b).all())


def _same_state(s1, s2):
    (a1, o1, g1), (a2, o2, g2) = s1, s2
    return g1 == g2 and all(_same(a, b) for a, b in zip(a1, a2)) and \
        all(d1.keys() == d2.keys() and all(_same(d1[k], d2[k]) for k in d1) for d1, d2 in zip(o1, o2))
