import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import assert_keras_parity, check_layer

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("name, config, input_shape", [
    ("GroupNormalization", dict(groups=2), (2, 4, 6)),
    ("GroupNormalization", dict(groups=-1, axis=1, epsilon=1e-5), (2, 4, 6)),
    ("GroupNormalization", dict(groups=3, center=False), (2, 3, 3, 6)),
    ("GroupNormalization", dict(groups=1, scale=False), (2, 5)),
    ("UnitNormalization", {}, (2, 4, 6)),
    ("UnitNormalization", dict(axis=[1, 2]), (2, 4, 6)),
    ("RMSNormalization", {}, (2, 4, 6)),
    ("RMSNormalization", dict(epsilon=1e-3), (2, 3)),
])
def test_sample_normalization_matches_keras(name, config, input_shape):
    assert_keras_parity(name, config, input_shape)


def test_group_normalization_contract_and_config(seeded):
    layer = ks.layers.GroupNormalization(groups=2, gamma_constraint="non_neg")
    check_layer(layer, (4, 3, 4), (None, 3, 4))
    assert [w.shape for w in layer.get_weights()] == [(4,), (4,)]
    instance = ks.layers.GroupNormalization(groups=-1)
    instance(jnp.ones((1, 5)))
    assert instance.get_config()["groups"] == 5  # resolved, as Keras records it


def test_unit_normalization_zero_vector_stays_zero():
    y = ks.layers.UnitNormalization()(jnp.zeros((1, 3)))
    np.testing.assert_array_equal(y, keras.layers.UnitNormalization()(np.zeros((1, 3), np.float32)))


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.GroupNormalization(groups=0), ValueError,
     r"invalid value for argument `groups`, expected a positive integer \(or -1 for instance normalization\). "
     r"Received: groups=0"),
    (lambda: ks.layers.GroupNormalization(groups=4)(jnp.ones((1, 6))), ValueError,
     r"Number of groups \(4\) must be a multiple of the number of channels \(6\): it must divide them"),
    (lambda: ks.layers.GroupNormalization(groups=8)(jnp.ones((1, 6))), ValueError,
     r"Number of groups \(8\) cannot be more than the number of channels \(6\)"),
    (lambda: ks.layers.GroupNormalization(groups=2)(ks.Input((None,))), ValueError,
     r"Axis -1 of input tensor should have a defined dimension"),
    (lambda: ks.layers.GroupNormalization(axis="x"), TypeError, r"`axis` of GroupNormalization must be an int"),
    (lambda: ks.layers.UnitNormalization(axis="x"), TypeError, r"Invalid value for `axis` argument: expected an int "
                                                               r"or a list/tuple of ints. Received: axis='x'"),
    (lambda: ks.layers.UnitNormalization(axis=3)(jnp.ones((1, 2))), ValueError, r"axis 3 is out of bounds for input "
                                                                                r"shape \(None, 2\)"),
    (lambda: ks.layers.RMSNormalization(axis=0)(jnp.ones((2, 2))), ValueError, r"needs known, non-batch axes"),
])
def test_sample_normalization_errors(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
