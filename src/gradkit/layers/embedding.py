"""Embedding: integer ids → rows of a trainable (input_dim, output_dim) matrix."""
from .. import backend as B
from .. import constraints, initializers, regularizers
from ..arguments import number
from ..autograd import Tensor
from ..autograd import nn
from .base import KerasTensor, Layer


class Embedding(Layer):
    """Look up a vector of output_dim for each integer id in [0, input_dim)."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        kwargs.pop("quantization_config", None)
        super().__init__(**kwargs)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.input_dim = number(input_dim, "input_dim", "Embedding", "[1, inf)", integer=True)
        self.output_dim = number(output_dim, "output_dim", "Embedding", "[1, inf)", integer=True)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.mask_zero, self.input_length = mask_zero, input_length
        self.supports_masking = bool(mask_zero)

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), name="embeddings",
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def __call__(self, inputs, training=False):
        if not isinstance(inputs, (Tensor, KerasTensor)):  # raw ids enter here; a model checks its data on entry
            B.check_ids(B.xp.asarray(inputs), self.input_dim, f"layer '{self.name}': ids")
        return super().__call__(inputs, training=training)

    def call(self, inputs, training=False):
        return nn.embedding(self.embeddings, inputs)  # the ids are an op input: a traced step replays them

    def compute_mask(self, inputs, mask=None):
        """With mask_zero, True where the id is not 0 (padding), as Keras."""
        if not self.mask_zero:
            return None
        ids = inputs.data if isinstance(inputs, Tensor) else B.xp.asarray(inputs)
        return ids != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero, "input_length": self.input_length}
