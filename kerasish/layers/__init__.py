"""Layers: the Keras layer contract on flax.nnx modules."""

from kerasish.layers.base import Layer, NonTrainable
from kerasish.layers.conv import Conv1D, Conv2D, Conv2DTranspose
from kerasish.layers.core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from kerasish.layers.embedding import Embedding
from kerasish.layers.normalization import BatchNormalization, LayerNormalization
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

__all__ = [
    "Activation", "AveragePooling1D", "AveragePooling2D", "BatchNormalization", "Conv1D", "Conv2D",
    "Conv2DTranspose", "Dense", "Dropout", "Embedding", "Flatten", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "Input", "InputLayer", "Layer",
    "LayerNormalization", "MaxPooling1D", "MaxPooling2D", "NonTrainable", "Reshape",
]
