import pytest

import kerasish as ks
from kerasish import registry
from kerasish.layers.layer_serialization import deserialize_layer, serialize_layer

keras = pytest.importorskip("keras")


def test_serialize_round_trip_matches_keras_names():
    layer = ks.layers.Conv2D(4, 3, kernel_constraint="non_neg", name="c")
    spec = ks.layers.serialize(layer)
    assert spec["class_name"] == keras.layers.serialize(keras.layers.Conv2D(4, 3))["class_name"] == "Conv2D"
    revived = ks.layers.deserialize(spec)
    assert type(revived) is ks.layers.Conv2D and revived.get_config() == layer.get_config()


def test_registered_custom_layers_are_found_by_their_registered_name():
    @registry.register_serializable(package="test_layer_serialization")
    class Doubler(ks.layers.Layer):
        def call(self, x):
            return 2 * x

    spec = serialize_layer(Doubler(name="twice"))
    assert spec["class_name"] == "test_layer_serialization>Doubler"
    assert isinstance(deserialize_layer(spec, "layer", "TimeDistributed"), Doubler)
    revived = ks.layers.TimeDistributed.from_config(ks.layers.TimeDistributed(Doubler()).get_config())
    assert isinstance(revived.layer, Doubler)


@pytest.mark.parametrize("spec, pattern", [
    ("Dense", r"Argument `layer` of Wrapper must be a layer or a \{'class_name', 'config'\} dict, received 'Dense'"),
    ({"class_name": "Nope", "config": {}}, r"names layers class 'Nope', which is neither kerasish's nor registered"),
    ({"class_name": "Dense"}, r"must be a layer or a \{'class_name', 'config'\} dict"),
])
def test_deserialize_errors(spec, pattern):
    with pytest.raises(ValueError, match=pattern):
        deserialize_layer(spec, "layer", "Wrapper")
