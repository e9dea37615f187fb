import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from kerasish.layers.pooling_adaptive import bin_membership
from tests.layers.helpers import assert_keras_parity

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("name, config, input_shape", [
    ("AdaptiveAveragePooling1D", dict(output_size=3), (2, 7, 2)),
    ("AdaptiveMaxPooling1D", dict(output_size=(4,), data_format="channels_first"), (2, 2, 9)),
    ("AdaptiveAveragePooling2D", dict(output_size=(3, 2)), (2, 7, 5, 2)),
    ("AdaptiveMaxPooling2D", dict(output_size=4), (2, 4, 10, 3)),
    ("AdaptiveAveragePooling3D", dict(output_size=(2, 3, 1), data_format="channels_first"), (2, 2, 5, 4, 3)),
    ("AdaptiveMaxPooling3D", dict(output_size=2), (2, 5, 4, 3, 2)),
])
def test_adaptive_pooling_matches_keras(name, config, input_shape):
    assert_keras_parity(name, config, input_shape)


@pytest.mark.parametrize("length, bins", [(5, 2), (7, 3), (4, 4), (3, 5)])
def test_bins_follow_keras_rule(length, bins):
    member = bin_membership(length, bins)
    for i, row in enumerate(member):
        positions = np.flatnonzero(row)
        assert positions[0] == (i * length) // bins and positions[-1] == -(-((i + 1) * length) // bins) - 1


def test_adaptive_pooling_works_on_any_input_size():
    layer = ks.layers.AdaptiveAveragePooling2D(2)
    assert layer(jnp.ones((1, 5, 7, 3))).shape == layer(jnp.ones((1, 9, 4, 3))).shape == (1, 2, 2, 3)
    assert layer.compute_output_shape((None, None, None, 3)) == (None, 2, 2, 3)


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.AdaptiveMaxPooling1D(2.0), TypeError, r"`output_size` of AdaptiveMaxPooling1D must be an int "
                                                             r"or a tuple of 1 ints, received 2.0"),
    (lambda: ks.layers.AdaptiveAveragePooling2D((2, 2, 2)), ValueError, r"The `output_size` argument must be a "
                                                                        r"tuple of 2 integers. Received "
                                                                        r"output_size=\(2, 2, 2\)"),
    (lambda: ks.layers.AdaptiveMaxPooling3D(0), ValueError, r"The `output_size` argument must be a "
                                                            r"tuple of 3 integers. Received output_size=0"),
    (lambda: ks.layers.AdaptiveMaxPooling2D(2)(jnp.ones((1, 4, 4))), ValueError, r"expected ndim=4, found ndim=3"),
])
def test_adaptive_pooling_errors(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
