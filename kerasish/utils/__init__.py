"""What a Keras user finds under `keras.utils`, with Keras's names, arguments and results.

A face, like `kerasish/__init__.py`: it re-exports from every floor (`plot_model` from models, the data
pipeline from `kerasish.data`, the registry's names). Its own modules hold Keras's helpers that nothing
below the top needs: `numerical_utils` (to_categorical, normalize), `sequence_utils` (pad_sequences),
`image_utils` (Pillow), `file_utils` (get_file, offline), `dataset_utils` (split_dataset and the file
indexing of the `*_dataset_from_directory` functions), `image_dataset_utils`, `text_dataset_utils`,
`timeseries_dataset_utils`, `progbar`. What `fit`'s data path uses (PyDataset and the epoch machinery)
lives on the bottom floor in `kerasish.data`, so that importing it never runs this face.
"""

from kerasish.backend import clear_session, standardize_dtype
from kerasish.data.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from kerasish.data.py_dataset import PyDataset, Sequence
from kerasish.layers.symbolic import get_source_inputs
from kerasish.models.plot import model_to_dot, plot_model
from kerasish.random import set_random_seed
from kerasish.registry import custom_object_scope, get_custom_objects, get_registered_name, get_registered_object
from kerasish.registry import register_serializable as register_keras_serializable
from kerasish.utils.dataset_utils import split_dataset
from kerasish.utils.file_utils import get_file
from kerasish.utils.image_dataset_utils import image_dataset_from_directory
from kerasish.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from kerasish.utils.numerical_utils import normalize, to_categorical
from kerasish.utils.progbar import Progbar
from kerasish.utils.sequence_utils import pad_sequences
from kerasish.utils.text_dataset_utils import text_dataset_from_directory
from kerasish.utils.timeseries_dataset_utils import timeseries_dataset_from_array

CustomObjectScope = custom_object_scope  # Keras's class name for the same `with` block

__all__ = [
    "CustomObjectScope",
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "clear_session",
    "custom_object_scope",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "image_dataset_from_directory",
    "img_to_array",
    "load_img",
    "model_to_dot",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_model",
    "register_keras_serializable",
    "save_img",
    "set_random_seed",
    "split_dataset",
    "standardize_dtype",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
    "unpack_x_y_sample_weight",
]
