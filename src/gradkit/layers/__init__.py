"""Keras layers: ``from gradkit.layers import Dense, Dropout, Input, ...``."""
from .base import KerasTensor, Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer
from .embedding import Embedding
from .merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add, average, concatenate,
                      maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization
from .convolutional import Conv1D, Conv2D
from .ops_layer import OpLayer
from .pooling import (AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
                      GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D)
from .preprocessing import RandomFlip, RandomRotation, RandomTranslation, RandomZoom, Rescaling
from .recurrent import GRU, LSTM, Bidirectional, SimpleRNN
from .reshaping import Reshape, ZeroPadding2D

__all__ = ["Layer", "KerasTensor", "Dense", "Activation", "Dropout", "Flatten", "Input", "InputLayer",
           "Embedding", "BatchNormalization", "Add", "Concatenate", "OpLayer", "Subtract", "Multiply", "Average",
           "Maximum", "Minimum", "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate",
           "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
           "ZeroPadding2D", "Reshape", "Rescaling", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
           "SimpleRNN", "LSTM", "GRU", "Bidirectional"]

from ..keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("layers", __name__)
