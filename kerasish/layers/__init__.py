"""Layers: the Keras layer contract on flax.nnx modules."""

from kerasish.layers.attention import MultiHeadAttention
from kerasish.layers.base import Layer, NonTrainable
from kerasish.layers.conv import Conv1D, Conv2D, Conv2DTranspose
from kerasish.layers.core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
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
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from kerasish.layers.normalization import BatchNormalization, LayerNormalization
from kerasish.layers.op_layer import OpLayer
from kerasish.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from kerasish.layers.preprocessing import Rescaling
from kerasish.layers.preprocessing_normalization import Normalization
from kerasish.layers.recurrent import GRU, LSTM, SimpleRNN
from kerasish.layers.regularization import GaussianNoise, SpatialDropout1D, SpatialDropout2D
from kerasish.layers.reshaping import UpSampling2D, ZeroPadding2D
from kerasish.layers.wrappers import Bidirectional

__all__ = [
    "GRU", "LSTM", "Activation", "Add", "Average", "AveragePooling1D", "AveragePooling2D", "BatchNormalization",
    "Bidirectional", "Concatenate", "Conv1D", "Conv2D", "Conv2DTranspose", "Dense", "Dropout", "Embedding",
    "FlaxLayer", "Flatten", "GaussianNoise", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
    "GlobalMaxPooling2D", "Input", "InputLayer", "Lambda", "Layer", "LayerNormalization", "Masking", "MaxPooling1D",
    "MaxPooling2D", "Maximum", "Minimum", "MultiHeadAttention", "Multiply", "Normalization", "NonTrainable", "OpLayer",
    "Rescaling", "Reshape", "SimpleRNN", "SpatialDropout1D", "SpatialDropout2D", "Subtract", "UpSampling2D",
    "ZeroPadding2D", "add", "average", "concatenate", "maximum", "minimum", "multiply", "subtract",
    "InputSpec", "deserialize", "serialize",
    # image preprocessing
    "AutoContrast", "CenterCrop", "RandomBrightness", "RandomColorDegeneration", "RandomContrast", "RandomCrop",
    "RandomErasing", "RandomFlip", "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert",
    "RandomPosterization", "RandomRotation", "RandomSaturation", "RandomSharpness", "RandomShear",
    "RandomTranslation", "RandomZoom", "Resizing", "Solarization",
    # categorical and text preprocessing
    "CategoryEncoding", "Discretization", "HashedCrossing", "Hashing", "IndexLookup", "IntegerLookup", "StringLookup",
    "TextVectorization",
]
