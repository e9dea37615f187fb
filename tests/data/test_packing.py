"""kerasish.data.packing against Keras's pack_x_y_sample_weight / unpack_x_y_sample_weight."""

import numpy as np
import pytest

from kerasish.data.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight

keras = pytest.importorskip("keras")

X, Y, W = np.zeros((2, 3)), np.ones(2), np.full(2, 0.5)


@pytest.mark.parametrize("data", [X, (X,), (X, Y), [X, Y, W], {"a": X}, (X, None, W)],
                         ids=["bare", "x", "xy", "list", "dict", "x_none_w"])
def test_unpack_matches_keras(data):
    ours, theirs = unpack_x_y_sample_weight(data), keras.utils.unpack_x_y_sample_weight(data)
    assert len(ours) == len(theirs) == 3
    assert all(a is b for a, b in zip(ours, theirs))


@pytest.mark.parametrize("args", [(X,), ((X, Y),), ([X],), (X, Y), (X, Y, W)], ids=["x", "tuple", "list", "xy", "xyw"])
def test_pack_matches_keras_and_round_trips(args):
    ours, theirs = pack_x_y_sample_weight(*args), keras.utils.pack_x_y_sample_weight(*args)
    assert type(ours) is type(theirs)
    assert (ours is theirs) if not isinstance(ours, tuple) else all(a is b for a, b in zip(ours, theirs))
    unpacked = unpack_x_y_sample_weight(ours)
    assert all(a is b for a, b in zip(unpacked, tuple(args) + (None,) * (3 - len(args))))


def test_errors():
    with pytest.raises(ValueError, match=r"format `x`, `\(x,\)`, `\(x, y\)`, or `\(x, y, sample_weight\)`, found a "
                                         r"tuple of 4 elements"):
        unpack_x_y_sample_weight((X, Y, W, W))
    with pytest.raises(ValueError, match=r"`sample_weight` of pack_x_y_sample_weight needs a `y`: received y=None"):
        pack_x_y_sample_weight(X, None, W)
