"""keras.random: random tensors with Keras 3's names, arguments and defaults (keras/src/random/random.py).

``seed`` is as in Keras: an int gives the same values on every call; a :class:`SeedGenerator` gives new values on
each call, repeatable from its seed; None draws from gradkit's global generator, which
``gradkit.utils.set_random_seed`` seeds. The draws follow Keras's NumPy backend (keras/src/backend/numpy/random.py):
a NumPy Generator seeded with the (seed, counter) pair (``shuffle`` moves whole slices, as its other backends).
Results are gradkit Tensors, drawn inside ops so a replayed (compiled) training step draws anew; ``dropout`` is
differentiable.
"""
import math

import numpy as np

from . import backend as B
from .arguments import number
from .autograd import Function, Tensor
from .autograd import nn
from .errors import ConfigError, ConfigTypeError, ShapeError


class SeedGenerator:
    """A seed state that advances on every draw: pass it as ``seed=`` for new, repeatable values each call."""

    def __init__(self, seed=None, name=None, **kwargs):
        if kwargs:
            raise ConfigError(f"SeedGenerator got unknown argument(s): {', '.join(sorted(kwargs))}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ConfigTypeError(f"SeedGenerator: seed must be an integer, got {seed!r} "
                                  f"(of type {type(seed).__name__})")
        self.name = name or "seed_generator"
        self._initial_seed = seed
        start = int(seed) if seed is not None else int(B.rng().integers(1, 10**9))
        self.state = np.array([start & 0xFFFFFFFF, 0], dtype="uint32")

    def next(self, ordered=True):
        """The current (seed, counter) pair; the counter then advances (Keras's SeedGenerator.next)."""
        value = self.state.copy()
        if ordered:
            self.state[1] += 1
        else:  # in place: a compiled training step saves and restores this array around its check
            self.state[...] = (self.state.astype("int64") + 1) * 5387 % 933199
        return value

    def get_config(self):
        """{"seed", "name"}, as Keras."""
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        """Rebuild from get_config()."""
        return cls(**config)


def seed_states(model):
    """The state arrays of the SeedGenerators held by the model's layers (a compiled training step saves and restores
    them around its check, as it does the weights)."""
    from .layers.base import held_objects
    return [g.state for g in held_objects(model, SeedGenerator)]


def _check_seed(seed, fn):
    if not (seed is None or isinstance(seed, SeedGenerator) or
            (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool))):
        raise ConfigTypeError(f"keras.random.{fn}: seed must be an int, a keras.random.SeedGenerator or None, got "
                              f"{seed!r} (of type {type(seed).__name__})")


def _rng(seed, fn):
    """The NumPy Generator of one draw: from (seed, 0) for an int, the generator's next pair, or the global one."""
    _check_seed(seed, fn)
    if seed is None:
        return B.rng()
    if isinstance(seed, SeedGenerator):
        return np.random.default_rng(seed.next())
    return np.random.default_rng(np.array([int(seed) & 0xFFFFFFFF, 0], dtype="uint32"))


def _shape(shape, fn):
    shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
    if not isinstance(shape, (list, tuple)) or not all(isinstance(d, (int, np.integer)) and d >= 0 for d in shape):
        raise ShapeError(f"keras.random.{fn}: shape must be a tuple of non-negative integers, got {shape!r}")
    return tuple(int(d) for d in shape)


def _float_dtype(dtype, fn):
    dtype = np.dtype(dtype or B.floatx())
    if dtype.kind != "f":
        raise ConfigError(f"keras.random.{fn} requires a floating point dtype, got dtype={dtype.name!r}")
    return dtype


class _Draw(Function):
    """A random array made in forward (no inputs, so no gradient): a replayed training step draws anew, from the
    seed's next state, as an eager step does."""

    def __init__(self, draw, dtype):
        self.draw, self.dtype = draw, dtype

    def forward(self):
        return B.xp.asarray(np.asarray(self.draw()).astype(self.dtype))


def _drawn(draw, dtype):
    return _Draw(draw, dtype)()


def _array(x):
    return B.to_numpy(x.data) if isinstance(x, Tensor) else np.asarray(x)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of a normal distribution N(mean, stddev²)."""
    dtype, shape = _float_dtype(dtype, "normal"), _shape(shape, "normal")
    _check_seed(seed, "normal")
    return _drawn(lambda: _rng(seed, "normal").normal(loc=mean, scale=stddev, size=shape), dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of a uniform distribution on [minval, maxval)."""
    dtype, shape = _float_dtype(dtype, "uniform"), _shape(shape, "uniform")
    _check_seed(seed, "uniform")
    return _drawn(lambda: _rng(seed, "uniform").uniform(low=minval, high=maxval, size=shape), dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until within two standard deviations of the mean (Keras's truncation)."""
    dtype, shape = _float_dtype(dtype, "truncated_normal"), _shape(shape, "truncated_normal")
    _check_seed(seed, "truncated_normal")

    def draw():
        rng, n, kept = _rng(seed, "truncated_normal"), math.prod(shape), np.empty(0)
        while kept.shape[0] < n:
            batch = rng.normal(loc=mean, scale=stddev, size=n)
            kept = np.append(kept, batch[(batch >= mean - 2 * stddev) & (batch <= mean + 2 * stddev)])
        return kept[:n].reshape(shape)
    return _drawn(draw, dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from [minval, maxval)."""
    if np.dtype(dtype).kind not in "iu":
        raise ConfigError(f"keras.random.randint requires an integer dtype, got dtype={np.dtype(dtype).name!r}")
    if maxval <= minval:
        raise ConfigError(f"keras.random.randint: maxval must be greater than minval, got minval={minval!r}, "
                          f"maxval={maxval!r}")
    shape = _shape(shape, "randint")
    _check_seed(seed, "randint")
    return _drawn(lambda: _rng(seed, "randint").integers(low=minval, high=maxval, size=shape, dtype=dtype), dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Per row of the 2-D ``logits`` (batch, classes), ``num_samples`` class indices drawn with softmax(row)."""
    logits = _array(logits).astype("float64")
    if logits.ndim != 2:
        raise ShapeError(f"keras.random.categorical: logits should be a 2-D tensor with shape [batch_size, "
                         f"num_classes], got shape {logits.shape}")
    number(num_samples, "num_samples", "keras.random.categorical", "[0, inf)", integer=True)
    rng = _rng(seed, "categorical")
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs /= probs.sum(axis=-1, keepdims=True)
    classes = np.arange(logits.shape[-1])
    return Tensor(B.xp.asarray(np.array([rng.choice(classes, size=num_samples, p=p) for p in probs]).astype(dtype)))


class _SeededDropout(nn.Dropout):
    """The Dropout op drawing its mask from keras.random's seed (in forward, so a replayed training step draws the
    next mask of a SeedGenerator, as an eager one does)."""

    def __init__(self, rate, noise_shape, seed):
        super().__init__(rate, noise_shape)
        self.seed = seed

    def uniform(self, shape, dtype):
        return B.xp.asarray(_rng(self.seed, "dropout").random(shape).astype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """inputs with each entry zeroed with probability ``rate`` and the rest scaled by 1 / (1 − rate); the mask
    broadcasts over the axes where ``noise_shape`` is 1 (None entries take the input's size). Differentiable."""
    number(rate, "rate", "keras.random.dropout", "[0, 1]")
    _check_seed(seed, "dropout")
    x = inputs if isinstance(inputs, Tensor) else Tensor(B.xp.asarray(inputs))
    if rate == 1.0:
        return x * 0.0
    if rate == 0.0:
        return x
    if noise_shape is not None and len(noise_shape) != x.ndim:
        raise ShapeError(f"keras.random.dropout: noise_shape {tuple(noise_shape)} must have one entry per axis of "
                         f"inputs, of shape {tuple(x.shape)}")
    op = nn.Dropout(rate, noise_shape) if seed is None else _SeededDropout(rate, noise_shape, seed)
    return op(x)


def shuffle(x, axis=0, seed=None):
    """x with its slices along ``axis`` in a random order (whole slices, as Keras's TensorFlow, JAX and PyTorch
    backends shuffle; its NumPy backend permutes each column on its own)."""
    values = _array(x)
    if not -values.ndim <= axis < max(values.ndim, 1):
        raise ShapeError(f"keras.random.shuffle: axis {axis} is out of range for x of shape {values.shape}")
    order = _rng(seed, "shuffle").permutation(values.shape[axis])
    return Tensor(B.xp.asarray(np.take(values, order, axis=axis)))


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples of the Gamma distribution with concentration ``alpha`` (scale 1)."""
    dtype, shape = _float_dtype(dtype, "gamma"), _shape(shape, "gamma")
    _check_seed(seed, "gamma")
    return _drawn(lambda: _rng(seed, "gamma").gamma(alpha, scale=1.0, size=shape), dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples of the Binomial distribution with ``counts`` trials of success probability ``probabilities``."""
    dtype, shape = _float_dtype(dtype, "binomial"), _shape(shape, "binomial")
    n, p = _array(counts), _array(probabilities)
    _check_seed(seed, "binomial")
    return _drawn(lambda: _rng(seed, "binomial").binomial(n=n, p=p, size=shape), dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples of the Beta(alpha, beta) distribution."""
    dtype, shape = _float_dtype(dtype, "beta"), _shape(shape, "beta")
    a, b = _array(alpha), _array(beta)
    _check_seed(seed, "beta")
    return _drawn(lambda: _rng(seed, "beta").beta(a=a, b=b, size=shape), dtype)


__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal", "randint", "shuffle",
           "truncated_normal", "uniform"]
