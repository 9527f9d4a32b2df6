"""A compiled training step: trace one step's ops once, then replay them as a flat list of array calls.

Like tinygrad's TinyJit: the replay calls the same ``Function.forward``/``backward`` code, in the same
order as eager backprop, on raw arrays, with no Tensor, graph or topological-sort bookkeeping, so it
gives the same numbers bit for bit. Anything the trace captured as a constant that should have varied
(a data-dependent index, a Python-side random draw) is caught by ``matches`` on a second batch.
``TrainStep`` is what fit runs: trace, verify, replay per batch shape, with an eager fallback.
"""
from .. import backend as B
from ..autograd.tensor import Tensor, topological_order, tracing


class CompiledStep:
    """Replay of a traced ``fn(*inputs) -> (loss, *outputs)``: returns loss, outputs and the params' grads.

    The replay is generated as one flat Python function (``self.source`` shows it): per op, a call of its
    ``forward`` on the arrays, then, in eager backprop's order, each ``backward`` and the sums of gradients.
    """

    def __init__(self, fn, tape, inputs, params, loss, outputs):
        self.fn, self.params = fn, list(params)
        slots, consts = {}, {}

        def slot(t):
            if id(t) not in slots:
                slots[id(t)] = len(slots)
                consts[f"v{slots[id(t)]}"] = t.data  # captured as a constant of the replay
            return slots[id(t)]

        for t in list(inputs) + self.params:
            slots[id(t)] = len(slots)
        forward, out_of = [], {}
        for f, ins, out in tape:
            in_slots = [slot(t) for t in ins]
            slots[id(out)] = len(slots)  # computed by the replay, not a constant
            forward.append((f, in_slots, slots[id(out)]))
            out_of[id(f)] = out
        backward = [(f, slots[id(out_of[id(f)])], [slots[id(t)] if t._requires_grad else -1 for t in f.inputs])
                    for f in topological_order(loss)]
        self._ones = None
        self.source, namespace = self._generate(len(inputs), forward, backward, slots[id(loss)],
                                                [slots[id(o)] for o in outputs])
        namespace.update(consts)
        exec(compile(self.source, "<gradkit replay>", "exec"), namespace)  # noqa: S102 - our own generated code
        self.replay = namespace["replay"]

    def _generate(self, n_in, forward, backward, loss_slot, output_slots):
        """Source of ``replay(v0, v1, ...)`` and the names it uses (functions, params, the seed)."""
        params = list(range(n_in, n_in + len(self.params)))
        ns = {"seed": self._seed, **{f"p{s}": p for s, p in zip(params, self.params)}}
        lines = [f"def replay({', '.join(f'v{i}' for i in range(n_in))}):"]
        lines += [f"    v{s} = p{s}.data" for s in params]
        for i, (f, ins, out) in enumerate(forward):
            ns[f"f{i}"], ns[f"forward{i}"] = f, f.forward
            args = ", ".join(f"v{s}" for s in ins) + ("," if len(ins) == 1 else "")
            lines += [f"    f{i}.saved_inputs = a = ({args})", f"    v{out} = forward{i}(*a)"]
        grads = sorted({s for _, _, ins in backward for s in ins if s >= 0} | set(params))
        lines += [f"    g{s} = None" for s in grads]
        lines.append(f"    g{loss_slot} = seed(v{loss_slot})")
        reached = {loss_slot}
        for i, (f, out, ins) in enumerate(backward):
            if out not in reached:
                continue  # its output never gets a gradient (eager skips it too)
            ns[f"backward{i}"] = f.backward
            lines += [f"    if g{out} is not None:", f"        r = backward{i}(g{out})",
                      "        if type(r) is not tuple:", "            r = (r,)"]
            for k, s in enumerate(ins):
                if s < 0:
                    continue
                if s in reached:  # a second path into s: sum, as eager backprop does
                    lines.append(f"        g{s} = r[{k}] if g{s} is None else g{s} if r[{k}] is None else g{s} + r[{k}]")
                else:
                    lines.append(f"        g{s} = r[{k}]")
                    reached.add(s)
        outs = ", ".join(f"v{s}" for s in output_slots)
        lines.append(f"    return v{loss_slot}, [{outs}], [{', '.join(f'g{s}' for s in params)}]")
        return "\n".join(lines) + "\n", ns

    def __call__(self, *arrays):
        return self.replay(*arrays)

    def _seed(self, loss):
        """d loss / d loss: ones, kept from call to call (backward never writes into its incoming gradient)."""
        seed = self._ones
        if seed is None or seed.shape != loss.shape or seed.dtype != loss.dtype:
            seed = self._ones = B.xp.ones(loss.shape, dtype=loss.dtype)
        return seed

    def check(self, arrays, state=()):
        """One eager step on arrays, and the replay beside it: (agree bit for bit?, eager loss, outputs, grads).

        ``state`` lists arrays that forward updates in place (BatchNorm's moving statistics) and the
        random Generator: both are left exactly as the one eager step leaves them.
        """
        state = list(state)
        gen = B.rng().bit_generator
        before, before_state = gen.state, [a.copy() for a in state]
        loss, outs, grads = eager_step(self.fn, arrays, self.params)
        after, after_state = gen.state, [a.copy() for a in state]
        gen.state = before
        for a, v in zip(state, before_state):
            a[...] = v
        loss2, outs2, grads2 = self(*arrays)
        pairs = [(loss, loss2)] + list(zip(outs, outs2)) + list(zip(grads, grads2)) + \
            list(zip(after_state, state))
        ok = len(outs) == len(outs2) and all(_same(a, b) for a, b in pairs) and gen.state == after
        gen.state = after
        for a, v in zip(state, after_state):
            a[...] = v
        return ok, loss, outs, grads

    def matches(self, *arrays):
        """Replay and eager agree bit for bit on these inputs (the random Generator is left as eager leaves it)."""
        return self.check(arrays)[0]


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and bool((a == b).all())


def eager_step(fn, arrays, params):
    """One eager forward/backward of fn; returns loss, outputs and params' grads as arrays (grads reset)."""
    for p in params:
        p.grad = None
    loss, *outs = fn(*[Tensor(a) for a in arrays])
    loss.backward()
    grads = [p.grad.data if p.grad is not None else None for p in params]
    for p in params:
        p.grad = None
    return loss.data, [o.data for o in outs], grads


def trace_step(fn, arrays, params):
    """Run fn once eagerly while tracing; returns (CompiledStep, loss, outputs, grads) of that step."""
    for p in params:
        p.grad = None
    tape, inputs = [], [Tensor(a) for a in arrays]
    with tracing(tape):
        loss, *outs = fn(*inputs)
    step = CompiledStep(fn, tape, inputs, params, loss, outs)
    loss.backward()
    grads = [p.grad.data if p.grad is not None else None for p in params]
    for p in params:
        p.grad = None
    return step, loss.data, [o.data for o in outs], grads


def _signature(arrays):
    """What a trace depends on besides values: the inputs' shapes (their kinds and dtypes are fixed in a fit)."""
    return tuple([a.shape for a in arrays])


class TrainStep:
    """fit's step over ``fn(*arrays) -> (loss, *outputs)``: gradients by a compiled replay, then ``optimizer.apply``.

    Per batch shape: the first batch is traced (an eager step), the second runs eagerly
    with the replay checked beside it, later ones replay. If a check fails the step stays eager for good
    (``self.eager`` becomes True and ``on_fallback()`` is called). ``state``: arrays forward updates in place
    (BatchNorm's moving statistics).
    Calling it returns (loss array, output arrays) of the batch.
    """

    def __init__(self, fn, variables, optimizer, state=(), max_signatures=4, on_fallback=None):
        self.fn, self.variables, self.optimizer = fn, list(variables), optimizer
        self.on_fallback = on_fallback
        self._update = optimizer.updater(self.variables)
        self.state, self.max_signatures = list(state), max_signatures
        self.programs, self.eager = {}, False
        self._verified = {}  # batch shapes → the replay function, once checked

    def __call__(self, arrays):
        replay = self._verified.get(_signature(arrays)) or self._program(arrays)
        if replay is not None:
            loss, outs, grads = replay(*arrays)
        else:
            loss, outs, grads = eager_step(self.fn, arrays, self.variables)
        self._update(grads)
        return loss, outs

    def _program(self, arrays):
        """For a batch with no verified replay yet: trace it, or check its replay (either way an eager step whose
        results come back as a _Done), or None to run it eagerly (after a failed check, or too many shapes)."""
        sig = _signature(arrays)
        entry = self.programs.get(sig)
        if self.eager or (entry is None and len(self.programs) >= self.max_signatures):
            return None
        if entry is None:
            step, loss, outs, grads = trace_step(self.fn, arrays, self.variables)
            self.programs[sig] = [step, False]
        else:
            ok, loss, outs, grads = entry[0].check(arrays, self.state)
            entry[1] = ok
            if ok:
                self._verified[sig] = entry[0].replay
            else:
                self.eager, self.programs, self._verified = True, {}, {}
                if self.on_fallback is not None:
                    self.on_fallback()
        return _Done(loss, outs, grads)


class _Done:
    """A step whose results are already known (the tracing or checking run computed them eagerly)."""

    def __init__(self, loss, outs, grads):
        self.result = (loss, outs, grads)

    def __call__(self, *arrays):
        return self.result
