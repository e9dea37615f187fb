import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer, keras_oracle_error, sample_input

keras = pytest.importorskip("keras")


def test_rescaling_layer_contract(seeded):
    check_layer(ks.layers.Rescaling(0.5, offset=[1.0, 2.0, 3.0]), (4, 2, 3), (None, 2, 3), trains=False)


@pytest.mark.parametrize("config", [dict(scale=1 / 255), dict(scale=2.0, offset=-1.0),
                                    dict(scale=[0.5, 1.0, 2.0], offset=[0.0, 1.0, -1.0])])
def test_rescaling_matches_keras(config):
    assert keras_oracle_error(keras.layers.Rescaling(**config), ks.layers.Rescaling(**config),
                              sample_input((2, 4, 3))) < 1e-5


def test_rescaling_integer_pixels_become_floats():
    y = ks.layers.Rescaling(1 / 255)(jnp.array([[0, 255]], jnp.uint8))
    assert y.dtype == jnp.float32
    np.testing.assert_allclose(y, [[0.0, 1.0]])


def test_rescaling_config_round_trip_and_errors():
    layer = ks.layers.Rescaling([1.0, 2.0], offset=0.5)
    assert ks.layers.Rescaling.from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match=r"`scale` of Rescaling must be a number or a list of numbers .*received "
                                         r"'half'"):
        ks.layers.Rescaling("half")
    with pytest.raises(ValueError, match=r"`offset` of Rescaling .*received True"):
        ks.layers.Rescaling(1.0, offset=True)
    with pytest.raises(ValueError, match=r"Layer 'r' has 2 `scale` values, one per channel, but received input with "
                                         r"shape \((None|1), 3\)"):
        ks.layers.Rescaling([1.0, 2.0], name="r")(jnp.ones((1, 3)))
