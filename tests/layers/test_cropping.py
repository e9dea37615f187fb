import jax.numpy as jnp
import pytest

import kerasish as ks
from tests.layers.helpers import assert_keras_parity

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("name, config, input_shape", [
    ("Cropping1D", {}, (2, 6, 3)),
    ("Cropping1D", dict(cropping=(0, 2)), (2, 6, 3)),
    ("Cropping2D", dict(cropping=((1, 0), (2, 1))), (2, 6, 5, 3)),
    ("Cropping2D", dict(cropping=2, data_format="channels_first"), (2, 3, 6, 5)),
    ("Cropping2D", dict(cropping=(1, 2)), (2, 6, 5, 3)),
    ("Cropping3D", {}, (2, 3, 4, 5, 2)),
    ("Cropping3D", dict(cropping=(1, 0, 2), data_format="channels_first"), (2, 2, 4, 4, 6)),
])
def test_cropping_matches_keras(name, config, input_shape):
    assert_keras_parity(name, config, input_shape)


def test_cropping_keeps_unknown_sizes_unknown():
    assert ks.layers.Cropping2D(1).compute_output_shape((None, None, 5, 3)) == (None, None, 3, 3)


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.Cropping1D(-1), r"`cropping` of Cropping1D must be an int >= 0 or a tuple of 2 such ints "
                                       r"\(before, after\), received -1"),
    (lambda: ks.layers.Cropping2D((1, 2, 3)), r"`cropping` of Cropping2D must be an int >= 0, a tuple of 2 such ints"),
    (lambda: ks.layers.Cropping3D(((1, 1), (1,), (1, 1))), r"`cropping` of Cropping3D .* received \(\(1, 1\), "
                                                           r"\(1,\), \(1, 1\)\)"),
    (lambda: ks.layers.Cropping1D((2, 2))(jnp.ones((1, 4, 1))),
     r"`cropping` parameter of `Cropping1D` layer must be smaller than the input length: layer "
     r"'cropping1d(_\d+)?' cannot crop 4 values from axis 1. Received: input_shape=\(None, 4, 1\), "
     r"cropping=\(2, 2\)"),
    (lambda: ks.layers.Cropping2D(1)(jnp.ones((1, 4, 4))), r"expected ndim=4, found ndim=3"),
])
def test_cropping_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()
