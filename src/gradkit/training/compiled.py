"""A compiled training step: trace one step's ops once, then replay them as a flat list of array calls.

Like tinygrad's TinyJit: the replay calls the same ``Function.forward``/``backward`` code, in the same
order as eager backprop, on raw arrays, with no Tensor, graph or topological-sort bookkeeping, so it
gives the same numbers bit for bit. Anything the trace captured as a constant that should have varied
(a data-dependent index, a Python-side random draw) is caught by ``matches`` on a second batch.
"""
from .. import backend as B
from ..autograd.tensor import Tensor, topological_order, tracing


class CompiledStep:
    """Replay of a traced ``fn(*inputs) -> (loss, *outputs)``: returns loss, outputs and the params' grads."""

    def __init__(self, fn, tape, inputs, params, loss, outputs):
        self.fn, self.params = fn, list(params)
        slots = {}

        def slot(t):
            if id(t) not in slots:
                slots[id(t)] = len(slots)
                self._consts.append((slots[id(t)], t.data))
            return slots[id(t)]

        self._consts = []
        for t in list(inputs) + self.params:
            slots[id(t)] = len(slots)
        self._input_slots = list(range(len(inputs)))
        self._param_slots = list(range(len(inputs), len(inputs) + len(self.params)))
        out_of = {}
        self._forward = []
        for f, ins, out in tape:
            in_slots = [slot(t) for t in ins]
            self._forward.append((f, in_slots, slot(out)))
            out_of[id(f)] = out
        self._backward = [(f, slots[id(out_of[id(f)])],
                           [slots[id(t)] if t.requires_grad else -1 for t in f.inputs])
                          for f in topological_order(loss)]
        self._loss_slot = slots[id(loss)]
        self._output_slots = [slots[id(o)] for o in outputs]
        self._n = len(slots)

    def __call__(self, *arrays):
        vals = [None] * self._n
        for s, a in self._consts:
            vals[s] = a
        for s, a in zip(self._input_slots, arrays):
            vals[s] = a
        for s, p in zip(self._param_slots, self.params):
            vals[s] = p.data
        for f, ins, out in self._forward:
            args = [vals[i] for i in ins]
            f.saved_inputs = args
            vals[out] = f.forward(*args)
        grads = [None] * self._n
        loss = vals[self._loss_slot]
        grads[self._loss_slot] = B.xp.ones_like(loss)
        for f, out, ins in self._backward:
            gy = grads[out]
            if gy is None:
                continue
            grads[out] = None
            gxs = f.backward(gy)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for s, gx in zip(ins, gxs):
                if s >= 0 and gx is not None:
                    grads[s] = gx if grads[s] is None else grads[s] + gx
        return loss, [vals[s] for s in self._output_slots], [grads[s] for s in self._param_slots]

    def matches(self, *arrays):
        """Replay and eager agree bit for bit on these inputs (the random Generator is left as eager leaves it)."""
        state = B.rng().bit_generator.state
        loss, outs, grads = eager_step(self.fn, arrays, self.params)
        after = B.rng().bit_generator.state
        B.rng().bit_generator.state = state
        loss2, outs2, grads2 = self(*arrays)
        B.rng().bit_generator.state = after
        pairs = [(loss, loss2)] + list(zip(outs, outs2)) + list(zip(grads, grads2))
        return all(_same(a, b) for a, b in pairs)


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
