"""Keras layers: ``from gradkit.layers import Dense, Dropout, Input, ...``."""
from .base import KerasTensor, Layer
from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .core import Activation, Dense, Dropout, Flatten, Identity, Input, InputLayer
from .embedding import Embedding
from .lambda_layer import Lambda
from .masking import KerasMask, Masking  # KerasMask: the node behind a symbolic x._keras_mask (not a Keras name)
from .merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add, average, concatenate,
                      maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization, LayerNormalization
from .convolutional import Conv1D, Conv2D
from .conv_transpose import Conv1DTranspose, Conv2DTranspose
from .separable import DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D
from .ops_layer import OpLayer
from .pooling import (AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
                      GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D)
from .preprocessing import RandomFlip, RandomRotation, RandomTranslation, RandomZoom, Rescaling
from .recurrent import GRU, LSTM, Bidirectional, SimpleRNN
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from .rnn_layer import RNN
from .regularization import GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D
from .reshaping import Permute, RepeatVector, Reshape, ZeroPadding2D
from .resizing import Cropping1D, Cropping2D, UpSampling1D, UpSampling2D, ZeroPadding1D
from .wrappers import TimeDistributed

__all__ = ["Layer", "KerasTensor", "Dense", "Activation", "Dropout", "Flatten", "Input", "InputLayer",
           "Embedding", "BatchNormalization", "Add", "Concatenate", "OpLayer", "Subtract", "Multiply", "Average",
           "Maximum", "Minimum", "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate",
           "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
           "ZeroPadding2D", "Reshape", "Rescaling", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
           "SimpleRNN", "LSTM", "GRU", "Bidirectional"]

# Keras 3's aliases: the same classes under their short names.
Convolution1D, Convolution2D = Conv1D, Conv2D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
__all__ += ["ReLU", "LeakyReLU", "PReLU", "Softmax", "ELU", "Identity", "Convolution1D", "Convolution2D", "MaxPool1D",
            "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
            "GlobalMaxPool2D", "Lambda", "Masking", "LayerNormalization", "GaussianNoise", "GaussianDropout", "SpatialDropout1D",
            "SpatialDropout2D", "Permute", "RepeatVector", "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D",
            "ZeroPadding1D", "TimeDistributed", "Conv1DTranspose", "Conv2DTranspose", "Convolution1DTranspose",
            "Convolution2DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
            "SeparableConvolution1D", "SeparableConvolution2D", "RNN", "SimpleRNNCell", "LSTMCell", "GRUCell",
            "StackedRNNCells"]

from ..keras_api import not_provided as _not_provided  # noqa: E402

__getattr__ = _not_provided("layers", __name__)
