"""Embedding: integer ids → rows of a trainable (input_dim, output_dim) matrix."""
from .. import backend as B
from .. import initializers
from ..arguments import number
from ..autograd import Tensor
from ..autograd import nn, rnn
from ..errors import DataError
from .base import Layer


class Embedding(Layer):
    """Look up a vector of output_dim for each integer id in [0, input_dim)."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", mask_zero=False,
                 input_length=None, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = number(input_dim, "input_dim", "Embedding", "[1, inf)", integer=True)
        self.output_dim = number(output_dim, "output_dim", "Embedding", "[1, inf)", integer=True)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.mask_zero, self.input_length = mask_zero, input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer)
        self.built = True

    def call(self, inputs, training=False):
        ids = inputs.data if isinstance(inputs, Tensor) else B.xp.asarray(inputs)
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            raise DataError(f"layer '{self.name}': ids must lie in [0, {self.input_dim}), "
                            f"got values from {int(ids.min())} to {int(ids.max())}")
        return nn.embedding(self.embeddings, inputs)  # the ids are an op input: a traced step replays them

    def compute_mask(self, inputs, mask=None):
        """With mask_zero, True where the id is not 0 (padding), as a graph op; else None."""
        return rnn.nonzero_mask(inputs) if self.mask_zero else None

    def __call__(self, inputs, training=False):
        out = super().__call__(inputs, training=training)
        if self.mask_zero and isinstance(out, Tensor):  # eager use: the next layer finds the mask on its input
            out._keras_mask = self.compute_mask(inputs)
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "mask_zero": self.mask_zero, "input_length": self.input_length}
