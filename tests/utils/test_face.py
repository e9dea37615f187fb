"""kerasish.utils offers Keras's `keras.utils` names, each the object of the module that implements it."""

import pytest

import kerasish as ks
from kerasish import backend, registry
from kerasish.data import py_dataset

keras = pytest.importorskip("keras")

#: Keras names kerasish does not offer under utils (each for a reason given in the report of issue 20).
NOT_OFFERED = {"Config", "FeatureSpace", "audio_dataset_from_directory", "bounding_boxes", "legacy",
               "deserialize_keras_object", "serialize_keras_object", "get_source_inputs", "is_keras_tensor",
               "disable_interactive_logging", "enable_interactive_logging", "is_interactive_logging_enabled"}


def test_keras_utils_names_are_offered():
    keras_names = {name for name in dir(keras.utils) if not name.startswith("_")}
    missing = sorted(keras_names - set(ks.utils.__all__) - NOT_OFFERED)
    assert missing == []
    assert all(hasattr(ks.utils, name) for name in ks.utils.__all__)


def test_reexports_are_the_implementing_objects():
    assert ks.utils.PyDataset is ks.utils.Sequence is py_dataset.PyDataset
    assert ks.utils.register_keras_serializable is registry.register_serializable
    assert ks.utils.get_custom_objects is registry.get_custom_objects
    assert ks.utils.custom_object_scope is ks.utils.CustomObjectScope is registry.custom_object_scope
    assert ks.utils.clear_session is backend.clear_session and ks.utils.standardize_dtype is backend.standardize_dtype
