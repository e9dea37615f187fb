"""Layers: the Keras layer contract on flax.nnx modules."""

from kerasish.layers.base import Layer, NonTrainable
from kerasish.layers.core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "Layer", "NonTrainable", "Reshape"]
