"""Weight initializers with Keras names and defaults; every draw comes from ``backend.rng()``.

A ``seed`` argument is accepted for Keras compatibility but draws still come from the library's one
Generator: seed the whole run with ``gradkit.utils.set_random_seed`` for repeatable weights.
"""
import math

import numpy as np

from . import backend as B
from .errors import ConfigError
from .registry import Registry


def _dtype(dtype):
    return np.dtype(dtype or B.floatx())


def compute_fans(shape):
    """(fan_in, fan_out) as Keras: kernels (in, out); conv kernels multiply by the receptive field."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = math.prod(shape[:-2])
    return shape[-2] * rf, shape[-1] * rf


class Initializer:
    """Base: ``init(shape, dtype=None)`` returns a NumPy array."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        """Constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Rebuild from get_config()."""
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}({self.get_config()})"


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype=_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    """Normal(mean, stddev) draws."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return B.rng().normal(self.mean, self.stddev, shape).astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    """Uniform(minval, maxval) draws."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None):
        return B.rng().uniform(self.minval, self.maxval, shape).astype(_dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_draws(shape, stddev):
    """Normal(0, stddev) draws, each redrawn until it lies within two standard deviations."""
    out = B.rng().normal(0.0, stddev, shape)
    bad = np.abs(out) > 2 * stddev
    while bad.any():
        out[bad] = B.rng().normal(0.0, stddev, int(bad.sum()))
        bad = np.abs(out) > 2 * stddev
    return out


class TruncatedNormal(Initializer):
    """Normal(mean, stddev) truncated at two standard deviations."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return (self.mean + _truncated_draws(shape, self.stddev)).astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(Initializer):
    """Draws with variance scale / n, n = fan_in, fan_out or their average (Keras's VarianceScaling)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ConfigError(f"VarianceScaling mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ConfigError("VarianceScaling distribution must be truncated_normal, untruncated_normal "
                              f"or uniform, got {distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        var = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * var)
            out = B.rng().uniform(-limit, limit, shape)
        elif self.distribution == "untruncated_normal":
            out = B.rng().normal(0.0, math.sqrt(var), shape)
        else:  # stddev of a unit normal truncated at ±2 is 0.87962566103423978
            out = _truncated_draws(shape, math.sqrt(var) / 0.87962566103423978)
        return out.astype(_dtype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _scaling(name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _scaling("GlorotUniform", 1.0, "fan_avg", "uniform",
                         "Uniform(±√(6 / (fan_in + fan_out))) (Keras's default kernel initializer).")
GlorotNormal = _scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                        "Truncated normal, stddev √(2 / (fan_in + fan_out)).")
HeNormal = _scaling("HeNormal", 2.0, "fan_in", "truncated_normal", "Truncated normal, stddev √(2 / fan_in).")
HeUniform = _scaling("HeUniform", 2.0, "fan_in", "uniform", "Uniform(±√(6 / fan_in)).")
LecunNormal = _scaling("LecunNormal", 1.0, "fan_in", "truncated_normal", "Truncated normal, stddev √(1 / fan_in).")
LecunUniform = _scaling("LecunUniform", 1.0, "fan_in", "uniform", "Uniform(±√(3 / fan_in)).")



class Orthogonal(Initializer):
    """gain · Q of the QR of a normal matrix, signs fixed by diag(R) (Keras's; the recurrent kernels' default)."""

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ConfigError(f"Orthogonal needs a shape of rank 2 or more, got {tuple(shape)}")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        q, r = np.linalg.qr(B.rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols))))
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """gain · the identity matrix (2-D shapes only, as Keras's)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ConfigError(f"Identity initializer needs a 2-D shape, got {tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


# Keras 3 exports each class under its snake_case name too (keras.initializers.glorot_uniform is GlorotUniform).
constant, zeros, ones, identity, orthogonal = Constant, Zeros, Ones, Identity, Orthogonal
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, glorot_uniform, glorot_normal = VarianceScaling, GlorotUniform, GlorotNormal
he_normal, he_uniform, lecun_normal, lecun_uniform = HeNormal, HeUniform, LecunNormal, LecunUniform
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal

_CLASSES = {c.__name__: c for c in (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
                                    VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform,
                                    LecunNormal, LecunUniform, Orthogonal, Identity)}
_NAMES = {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
          "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
          "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
          "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
          "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
          "uniform": RandomUniform, "normal": RandomNormal, "orthogonal": Orthogonal, "identity": Identity}
_REGISTRY = Registry("initializer", _NAMES, _CLASSES)


def get(identifier):
    """An initializer from a snake_case or class name, a config dict, an instance or a callable."""
    return _REGISTRY.get(identifier, base=Initializer, instantiate=True, callables="functions")


def serialize(initializer):
    """A snake_case name when the initializer has its default config, else {"class_name", "config"}."""
    init = get(initializer)
    cls = type(init)
    if cls.__name__ not in _CLASSES:
        raise ConfigError(f"cannot serialize the custom initializer {initializer!r}")
    config = init.get_config()
    if config == cls().get_config():
        return next(k for k, v in _NAMES.items() if v is cls)
    return {"class_name": cls.__name__, "config": config}

from .keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("initializers", __name__)
