"""Saving: model files, weights files and training-state checkpoints, all safetensors written atomically, or
orbax checkpoint folders (`.orbax`) for state laid out over several devices or processes; loading never runs
code from a file."""

from kerasish.layers.keras_serialization import deserialize_keras_object, serialize_keras_object
from kerasish.registry import (
           custom_object_scope,
           get_custom_objects,
           get_registered_name,
           get_registered_object,
           register_serializable,
)
from kerasish.registry import register_serializable as register_keras_serializable  # Keras's keras.saving name
from kerasish.saving.atomic import atomic_write_bytes
from kerasish.saving.model_file import MODEL_SUFFIX, InvalidModelFileError, load_model, save_model
from kerasish.saving.orbax_checkpoint import ORBAX_SUFFIX
from kerasish.saving.weights import WEIGHTS_SUFFIX, load_weights, save_weights

__all__ = ["MODEL_SUFFIX", "ORBAX_SUFFIX", "InvalidModelFileError", "WEIGHTS_SUFFIX", "atomic_write_bytes",
           "custom_object_scope", "deserialize_keras_object", "get_custom_objects", "get_registered_name",
           "get_registered_object", "load_model", "load_weights", "register_keras_serializable",
           "register_serializable", "save_model", "save_weights", "serialize_keras_object"]
