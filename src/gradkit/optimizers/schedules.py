"""Learning-rate schedules (Keras's ``keras.optimizers.schedules``): callables step → learning rate."""
import math

from ..errors import ConfigError


class LearningRateSchedule:
    """Base: ``schedule(step)`` returns the learning rate for optimizer step ``step`` (0-based)."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        """Constructor arguments."""
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        """Rebuild from get_config()."""
        return cls(**config)


class _Decay(LearningRateSchedule):
    """Shared arguments of the decays: p = step / decay_steps, floored if staircase."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        if decay_steps <= 0:
            raise ConfigError(f"{type(self).__name__}: decay_steps must be > 0, got {decay_steps}")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name or type(self).__name__

    def _p(self, step):
        p = step / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_Decay):
    """lr = initial_learning_rate · decay_rate ^ (step / decay_steps), the exponent floored if staircase."""

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self._p(step)


class InverseTimeDecay(_Decay):
    """lr = initial_learning_rate / (1 + decay_rate · step / decay_steps), the ratio floored if staircase."""

    def __call__(self, step):
        return self.initial_learning_rate / (1 + self.decay_rate * self._p(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[i] while step ≤ boundaries[i] (values has one more entry than boundaries)."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(values) != len(boundaries) + 1:
            raise ConfigError("PiecewiseConstantDecay: values needs exactly one more entry than boundaries, "
                              f"got {len(values)} values and {len(boundaries)} boundaries")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        for b, v in zip(self.boundaries, self.values):
            if step <= b:
                return v
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


_CLASSES = {c.__name__: c for c in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay)}


def serialize(schedule):
    """{"class_name", "config"} of a schedule."""
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    """A schedule from serialize()'s dict."""
    try:
        cls = _CLASSES[config["class_name"]]
    except KeyError:
        raise ConfigError(f"unknown learning-rate schedule {config.get('class_name')!r}; "
                          f"valid: {', '.join(_CLASSES)}") from None
    return cls.from_config(config["config"])
