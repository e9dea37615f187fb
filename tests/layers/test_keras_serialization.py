"""serialize_keras_object / deserialize_keras_object (kerasish/layers/keras_serialization.py) in Keras 3's dict
format: what Keras writes for the same objects, read back here, and round trips."""

import json

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

S, D = ks.saving.serialize_keras_object, ks.saving.deserialize_keras_object

# The same object in both libraries: Keras's serialized dict has the same module, class name and registered name.
PAIRS = [
    (lambda m: m.losses.MeanSquaredError(), "losses"),
    (lambda m: m.losses.SparseCategoricalCrossentropy(from_logits=True), "losses"),
    (lambda m: m.metrics.MeanAbsoluteError(), "metrics"),
    (lambda m: m.optimizers.Adam(0.01), "optimizers"),
    (lambda m: m.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9), "schedules"),
    (lambda m: m.initializers.GlorotUniform(), "initializers"),
    (lambda m: m.regularizers.L2(0.1), "regularizers"),
    (lambda m: m.layers.Dense(3, activation="relu"), "layers"),
]


@pytest.mark.parametrize("make, family", PAIRS, ids=[family for _, family in PAIRS])
def test_objects_serialize_as_keras_writes_them_and_read_back(make, family):
    ours, theirs = S(make(ks)), keras.saving.serialize_keras_object(make(keras))
    for key in ("module", "class_name", "registered_name"):
        assert ours[key] == theirs[key], key
    rebuilt = D(json.loads(json.dumps(ours)))
    assert type(rebuilt) is type(make(ks)) and S(rebuilt)["config"] == ours["config"]


def test_dicts_written_by_keras_read_back_by_class_name():
    for make, _ in PAIRS[:5]:
        theirs = keras.saving.serialize_keras_object(make(keras))
        assert type(D(theirs)).__name__ == theirs["class_name"]


def test_functions_plain_values_and_arrays_as_keras():
    for fn in (ks.activations.relu, ks.losses.mean_squared_error):
        assert S(fn) == {"module": "builtins", "class_name": "function", "config": fn.__name__,
                         "registered_name": "function"}
        assert D(S(fn)) is fn
    values = [(1, 2), [1, (2, 3)], {"a": (1,)}, 2.5, "relu", None, True]
    assert [S(v) for v in values] == [keras.saving.serialize_keras_object(v) for v in values]
    array = np.arange(3.0)
    assert S(array) == keras.saving.serialize_keras_object(array)
    np.testing.assert_array_equal(D(S(array)), array)
    assert S(np.float32(2.5)) == 2.5 and D(S(b"ab")) == b"ab"


def test_built_and_compiled_models_keep_their_build_and_compile():
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
    model.compile("adam", "mse", metrics=["mae"])
    spec = S(model)
    assert spec["module"] == "keras" and spec["class_name"] == "Sequential"
    assert spec["build_config"] == {"input_shape": (None, 3)}
    rebuilt = D(json.loads(json.dumps(spec)))
    assert rebuilt.count_params() == 8 and rebuilt.compiled
    dense = ks.layers.Dense(2)
    dense.build((None, 4))
    assert D(S(dense)).built and len(D(S(dense)).weights) == 2


def test_registered_custom_objects_round_trip():
    @ks.saving.register_serializable(package="Tests")
    class Doubler(ks.layers.Layer):
        def call(self, x):
            return 2 * x

    spec = S(Doubler(name="twice"))
    assert spec["registered_name"] == "Tests>Doubler"
    assert isinstance(D(spec), Doubler) and D(spec).name == "twice"

    class Unregistered(ks.layers.Layer):
        def call(self, x):
            return x

    spec = S(Unregistered())
    assert isinstance(D(spec, custom_objects={"Unregistered": Unregistered}), Unregistered)
    with pytest.raises(ValueError, match=r"Could not locate class 'Unregistered'. Make sure custom classes are "
                                         r"decorated with `@kerasish.saving.register_serializable\(\)`"):
        D(spec)


def test_layers_face_and_json():
    layer = ks.layers.deserialize(ks.layers.serialize(ks.layers.Dense(4, name="head")))
    assert layer.units == 4 and layer.name == "head"
    assert ks.layers.deserialize({"class_name": "Dense", "config": {"units": 2}}).units == 2
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
    assert ks.models.model_from_json(model.to_json()).count_params() == model.count_params()


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: S(object()), TypeError, r"Cannot serialize <object object at .*>"),
    (lambda: D({"class_name": "Nope", "config": {}, "module": "keras.layers"}), ValueError,
     r"Could not locate class 'Nope'"),
    (lambda: D({"class_name": "function", "config": "nope", "module": "builtins"}), ValueError,
     r"Could not locate function 'nope'"),
    (lambda: D({"class_name": "function", "config": None, "module": "builtins"}), TypeError,
     r"Expected 'config' to be a non-null str for a function classname"),
    (lambda: D({"class_name": "__lambda__", "config": {"value": "..."}}), ValueError,
     r"The config holds a Python lambda"),
    (lambda: D({"class_name": "Dense", "config": [1]}), TypeError, r"Expected 'config' to be a dict for Dense"),
    (lambda: D(object()), TypeError, r"Could not parse config"),
    (lambda: D("relu", unknown=1), TypeError, r"unexpected keyword argument\(s\) \['unknown'\]"),
    (lambda: ks.layers.serialize("dense"), TypeError, r"Argument `layer` of serialize must be a kerasish Layer"),
    (lambda: ks.layers.deserialize(S(ks.losses.MeanSquaredError())), ValueError,
     r"deserialize \(kerasish.layers\) expects a layer's config"),
    (lambda: ks.models.model_from_json("{not json"), ValueError, r"`json_string` of model_from_json must be JSON"),
])
def test_serialization_errors(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
