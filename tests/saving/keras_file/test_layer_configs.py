"""Layer configs through kerasish and back: a Keras model of many layer kinds, loaded by kerasish and saved again,
is the same model for Keras (every argument kept) and predicts the same in both."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

import kerasish as ks
from kerasish.saving import keras_file
from kerasish.saving.keras_file import layer_configs, values

K = keras.layers


def many_layers():
    """One Sequential through ~20 layer kinds (one compiled program per framework, not twenty)."""
    return keras.Sequential([
        keras.Input((6, 6, 1)), K.Rescaling(0.5, offset=0.1), K.ZeroPadding2D(1),
        K.Conv2DTranspose(2, 3, strides=1, activation="relu"), K.AveragePooling2D(2), K.UpSampling2D(2),
        K.CenterCrop(8, 8), K.Resizing(4, 4), K.Conv2D(3, 3, padding="same", kernel_regularizer="l1"),
        K.MaxPooling2D(2, padding="same"), K.Reshape((4, 3)), K.Conv1D(4, 2, padding="same", use_bias=False),
        K.AveragePooling1D(2), K.SpatialDropout1D(0.2), K.LayerNormalization(epsilon=1e-4), K.Masking(0.0),
        K.GRU(3, return_sequences=True, reset_after=True), K.SimpleRNN(3, activation="relu", return_sequences=True),
        K.GlobalAveragePooling1D(), K.Activation("gelu"),
        K.Normalization(mean=[0.1, 0.2, 0.3], variance=[1.0, 2.0, 4.0]), K.Discretization(bin_boundaries=[0.0, 0.5]),
        K.Dense(2, bias_initializer="ones"),
    ])


def comparable(config):
    """A Keras layer config without what only says how it was written (names, dtype policy objects, seeds)."""
    out = {}
    for key, value in config.items():
        if key in ("name", "dtype", "build_config"):
            continue
        if isinstance(value, dict) and "config" in value:
            value = {"class_name": value.get("class_name"),
                     "config": {k: v for k, v in value["config"].items() if k != "seed" and v is not None}}
        out[key] = value
    return out


def test_many_layer_kinds_keep_their_config_and_predictions_both_ways(tmp_path):
    keras.utils.set_random_seed(7)
    keras_model = many_layers()
    x = np.random.default_rng(0).random((2, 6, 6, 1)).astype("float32")
    keras_model.save(tmp_path / "keras.keras")
    model = ks.models.load_model(tmp_path / "keras.keras")
    assert_allclose(model.predict(x, verbose=0), keras_model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "kerasish.keras")
    back = keras.saving.load_model(tmp_path / "kerasish.keras")
    for original, returned in zip(keras_model.layers, back.layers):
        assert type(returned) is type(original)
        assert comparable(returned.get_config()) == comparable(original.get_config()), original.name
    assert_allclose(back.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key,value,expected", [
    ("dtype", {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}},
     "mixed_float16"),
    ("kernel_initializer", {"module": "keras.initializers", "class_name": "VarianceScaling",
                            "config": {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": 3}},
     {"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_out", "distribution": "uniform"}}),
    ("bias_regularizer", {"module": "keras.regularizers", "class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.2}},
     {"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.2}}),
    ("mean", {"class_name": "__numpy__", "config": {"value": [1, 2], "dtype": "float32"}}, [1.0, 2.0]),
    ("kernel_constraint", None, None),
])
def test_values_come_from_keras_forms(key, value, expected):
    converted = values.from_keras(key, value, "here")
    assert (converted.tolist() if isinstance(converted, np.ndarray) else converted) == expected


@pytest.mark.parametrize("key,value,match", [
    ("dtype", {"module": "keras", "class_name": "QuantizedDTypePolicy", "config": {"name": "int8_from_float32"}},
     r"here\['dtype'\]: dtype .* is not a plain dtype policy"),
    ("kernel_initializer", {"module": "keras.initializers", "class_name": "STFTInitializer", "config": {}},
     r"Keras initializer 'STFTInitializer' has no kerasish counterpart"),
    ("kernel_initializer", {"module": "keras.initializers", "class_name": "GlorotUniform",
                            "config": {"input_axes": [0]}}, r"sets input_axes=\[0\], which kerasish's GlorotUniform"),
    ("kernel_regularizer", {"module": "keras.regularizers", "class_name": "OrthogonalRegularizer",
                            "config": {"factor": 0.1}}, r"regularizer 'OrthogonalRegularizer' cannot be rebuilt"),
    ("activation", {"module": "x", "class_name": "function", "config": 3, "registered_name": None},
     r"is neither a built-in name nor a registered function"),
    ("activation", {"module": "x", "class_name": "function", "config": "pkg>nowhere", "registered_name": "pkg>nowhere"},
     r"names the custom object 'pkg>nowhere', which is not registered here"),
])
def test_values_kerasish_cannot_honour_are_refused(key, value, match):
    with pytest.raises(ValueError, match=match):
        values.from_keras(key, value, "here")


@pytest.mark.parametrize("key,value,match", [
    ("kernel_initializer", lambda key, shape, dtype=None: None, r"is code \(a function\)"),
    ("kernel_regularizer", {"class_name": "callable", "config": {"repr": "<fn>"}}, r"is code \(a function\)"),
    ("activation", print, r"a file stores functions by name only"),
])
def test_code_is_not_written(key, value, match):
    with pytest.raises(ValueError, match=match):
        values.to_keras(key, value, "here")


def test_an_input_layer_that_is_sparse_or_has_no_shape_is_refused():
    with pytest.raises(ValueError, match="is a sparse Input"):
        layer_configs.config_from_keras("InputLayer", object, {"batch_shape": [None, 3], "sparse": True}, "here")
    with pytest.raises(ValueError, match="an InputLayer needs `batch_shape`"):
        layer_configs.config_from_keras("InputLayer", object, {"name": "x"}, "here")


def test_layers_keras_does_not_describe_are_refused_when_written(tmp_path):
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
    model.compile(ks.optimizers.SGD(), loss=lambda y_true, y_pred: (y_true - y_pred) ** 2)
    keras_file.save_model(model, tmp_path / "model.keras", include_optimizer=False)  # no compile config: fine
    assert (tmp_path / "model.keras").exists()
