import pytest

import kerasish as ks
from kerasish import registry

keras = pytest.importorskip("keras")


def test_serialize_round_trip_matches_keras_names():
    layer = ks.layers.Conv2D(4, 3, kernel_constraint="non_neg", name="c")
    spec = ks.layers.serialize(layer)
    assert spec["class_name"] == keras.layers.serialize(keras.layers.Conv2D(4, 3))["class_name"] == "Conv2D"
    revived = ks.layers.deserialize(spec)
    assert type(revived) is ks.layers.Conv2D and revived.get_config() == layer.get_config()


def test_wrappers_rebuild_registered_custom_layers():
    @registry.register_serializable(package="test_layer_serialization")
    class Doubler(ks.layers.Layer):
        def call(self, x):
            return 2 * x

    config = ks.layers.TimeDistributed(Doubler(name="twice")).get_config()
    assert config["layer"]["class_name"] == "test_layer_serialization>Doubler"
    assert isinstance(ks.layers.TimeDistributed.from_config(config).layer, Doubler)
    rnn = ks.layers.RNN([ks.layers.GRUCell(2), ks.layers.LSTMCell(3)])
    assert ks.layers.RNN.from_config(rnn.get_config()).get_config() == rnn.get_config()


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.TimeDistributed({"class_name": "Nope", "config": {}}), r"'Nope'"),
    (lambda: ks.layers.RNN({"class_name": "Dense"}), r"Argument `cell` of RNN holds a layer entry"),
])
def test_rebuilding_held_layers_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_autocast_is_taken_at_keras_s_default_only():
    """Keras writes its base config key `autocast` into custom layers' configs: True is what kerasish does anyway;
    False (inputs left uncast) would compute differently, so it is refused."""
    assert ks.layers.Dense(2, autocast=True).units == 2
    with pytest.raises(ValueError, match=r"Argument `autocast` must be True, received False"):
        ks.layers.Dense(2, autocast=False)
