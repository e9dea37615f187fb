"""Utilities a Keras user looks for under `keras.utils`."""

from kerasish.random import set_random_seed

__all__ = ["set_random_seed"]
