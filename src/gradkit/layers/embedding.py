"""Embedding: integer ids → rows of a trainable (input_dim, output_dim) matrix."""
from .. import backend as B
from .. import initializers
from ..arguments import number
from ..autograd import Tensor
from ..autograd import nn
from .base import KerasTensor, Layer


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

    def __call__(self, inputs, training=False):
        if not isinstance(inputs, (Tensor, KerasTensor)):  # raw ids enter here; a model checks its data on entry
            B.check_ids(B.xp.asarray(inputs), self.input_dim, f"layer '{self.name}': ids")
        return super().__call__(inputs, training=training)

    def call(self, inputs, training=False):
        return nn.embedding(self.embeddings, inputs)  # the ids are an op input: a traced step replays them

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "mask_zero": self.mask_zero, "input_length": self.input_length}
