"""Layers: the Keras layer contract on flax.nnx modules."""

from kerasish.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from kerasish.layers.attention import MultiHeadAttention
from kerasish.layers.base import Layer, NonTrainable
from kerasish.layers.conv import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    Convolution1D,
    Convolution1DTranspose,
    Convolution2D,
    Convolution2DTranspose,
    Convolution3D,
    Convolution3DTranspose,
)
from kerasish.layers.conv_depthwise import (
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)
from kerasish.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from kerasish.layers.core import Activation, Dense, Dropout, Flatten, Identity, Input, InputLayer, Reshape
from kerasish.layers.cropping import Cropping1D, Cropping2D, Cropping3D
from kerasish.layers.embedding import Embedding
from kerasish.layers.feature_preprocessing import (
    CategoryEncoding,
    Discretization,
    HashedCrossing,
    Hashing,
    IndexLookup,
    IntegerLookup,
    StringLookup,
    TextVectorization,
)
from kerasish.layers.flax_layer import FlaxLayer
from kerasish.layers.image_preprocessing import (
    AutoContrast,
    CenterCrop,
    RandomBrightness,
    RandomColorDegeneration,
    RandomContrast,
    RandomCrop,
    RandomErasing,
    RandomFlip,
    RandomGaussianBlur,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPosterization,
    RandomRotation,
    RandomSaturation,
    RandomSharpness,
    RandomShear,
    RandomTranslation,
    RandomZoom,
    Resizing,
    Solarization,
)
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.keras_serialization import deserialize, serialize
from kerasish.layers.lambda_layer import Lambda
from kerasish.layers.masking import Masking
from kerasish.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from kerasish.layers.normalization import BatchNormalization, LayerNormalization
from kerasish.layers.normalization_sample import GroupNormalization, RMSNormalization, UnitNormalization
from kerasish.layers.op_layer import OpLayer
from kerasish.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    AvgPool1D,
    AvgPool2D,
    AvgPool3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPool1D,
    MaxPool2D,
    MaxPool3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from kerasish.layers.pooling_adaptive import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
)
from kerasish.layers.preprocessing import Rescaling
from kerasish.layers.preprocessing_normalization import Normalization
from kerasish.layers.recurrent import GRU, LSTM, SimpleRNN
from kerasish.layers.regularization import (
    ActivityRegularization,
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from kerasish.layers.reshaping import (
    Permute,
    RepeatVector,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from kerasish.layers.rnn import RNN, StackedRNNCells
from kerasish.layers.rnn_cells import GRUCell, LSTMCell, SimpleRNNCell
from kerasish.layers.sequence_attention import AdditiveAttention, Attention
from kerasish.layers.wrappers import Bidirectional, TimeDistributed, Wrapper

__all__ = [
    "Activation", "ActivityRegularization", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "Add",
    "AdditiveAttention", "AlphaDropout", "Attention", "AutoContrast", "Average", "AveragePooling1D",
    "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "BatchNormalization",
    "Bidirectional", "CategoryEncoding", "CenterCrop", "Concatenate", "Conv1D", "Conv1DTranspose", "Conv2D",
    "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Convolution1D",
    "Convolution1DTranspose", "Convolution2D", "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose",
    "Cropping1D", "Cropping2D", "Cropping3D", "Dense", "DepthwiseConv1D", "DepthwiseConv2D", "Discretization", "Dot",
    "Dropout", "ELU", "Embedding", "Flatten", "FlaxLayer", "GRU", "GRUCell", "GaussianDropout", "GaussianNoise",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GroupNormalization", "HashedCrossing",
    "Hashing", "Identity", "IndexLookup", "Input", "InputLayer", "InputSpec", "IntegerLookup", "LSTM", "LSTMCell",
    "Lambda",
    "Layer", "LayerNormalization", "LeakyReLU", "Masking", "MaxPool1D", "MaxPool2D", "MaxPool3D", "MaxPooling1D",
    "MaxPooling2D", "MaxPooling3D", "Maximum", "Minimum", "MultiHeadAttention", "Multiply", "NonTrainable",
    "Normalization", "OpLayer", "PReLU", "Permute", "RMSNormalization", "RNN", "RandomBrightness",
    "RandomColorDegeneration", "RandomContrast", "RandomCrop", "RandomErasing", "RandomFlip", "RandomGaussianBlur",
    "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPosterization", "RandomRotation", "RandomSaturation",
    "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom", "ReLU", "RepeatVector", "Rescaling",
    "Reshape", "Resizing", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D",
    "SimpleRNN", "SimpleRNNCell", "Softmax", "Solarization", "SpatialDropout1D", "SpatialDropout2D",
    "SpatialDropout3D", "StackedRNNCells", "StringLookup", "Subtract", "TextVectorization", "TimeDistributed",
    "UnitNormalization", "UpSampling1D", "UpSampling2D", "UpSampling3D", "Wrapper", "ZeroPadding1D", "ZeroPadding2D",
    "ZeroPadding3D", "add", "average", "concatenate", "deserialize", "dot", "maximum", "minimum", "multiply",
    "serialize", "subtract",
]
