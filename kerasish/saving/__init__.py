"""Saving: weights files (safetensors) written atomically. Model files and training-state checkpoints
come with the saving issue."""

from kerasish.saving.atomic import atomic_write_bytes
from kerasish.saving.weights import WEIGHTS_SUFFIX, load_weights, save_weights

__all__ = ["WEIGHTS_SUFFIX", "atomic_write_bytes", "load_weights", "save_weights"]
