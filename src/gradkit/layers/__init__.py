"""Keras layers: ``from gradkit.layers import Dense, Dropout, Input, ...``."""
from .base import KerasTensor, Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer
from .embedding import Embedding
from .merging import Add, Concatenate
from .normalization import BatchNormalization
from .recurrent import GRU, LSTM, Bidirectional, SimpleRNN

__all__ = ["Layer", "KerasTensor", "Dense", "Activation", "Dropout", "Flatten", "Input", "InputLayer",
           "Embedding", "BatchNormalization", "Add", "Concatenate",
           "SimpleRNN", "LSTM", "GRU", "Bidirectional"]
