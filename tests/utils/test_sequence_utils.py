"""kerasish.utils.pad_sequences against Keras's, on random ragged sequences."""

import numpy as np
import pytest

from kerasish.utils import pad_sequences

keras = pytest.importorskip("keras")


def ragged(seed, item_shape=()):
    rng = np.random.default_rng(seed)
    return [rng.integers(1, 50, size=(int(n),) + item_shape).tolist() for n in rng.integers(0, 7, 8)]


@pytest.mark.parametrize("kwargs", [{}, {"maxlen": 3}, {"maxlen": 10}, {"padding": "post"},
                                    {"maxlen": 4, "truncating": "post", "padding": "post", "value": -1},
                                    {"dtype": "float32", "value": 0.5, "maxlen": 2},
                                    {"maxlen": 0, "truncating": "post"}],
                         ids=["default", "cut", "long", "post", "post_cut_value", "float", "zero"])
def test_pad_sequences_matches_keras(kwargs):
    sequences = ragged(0)
    got, expected = pad_sequences(sequences, **kwargs), keras.utils.pad_sequences(sequences, **kwargs)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_items_with_a_shape_and_strings():
    sequences = ragged(1, item_shape=(2,))
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=5), keras.utils.pad_sequences(sequences, maxlen=5))
    words = [["a", "bb"], ["ccc"]]
    np.testing.assert_array_equal(pad_sequences(words, dtype=object, value="<pad>"),
                                  keras.utils.pad_sequences(words, dtype=object, value="<pad>"))


def test_errors():
    with pytest.raises(ValueError, match=r'Argument `padding` of pad_sequences must be "pre" or "post", received '
                                         r"'middle'"):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match=r'`truncating` of pad_sequences must be "pre" or "post", received None'):
        pad_sequences([[1]], truncating=None)
    with pytest.raises(ValueError, match=r"`maxlen` of pad_sequences must be None or an int >= 0, received -1"):
        pad_sequences([[1]], maxlen=-1)
    with pytest.raises(ValueError, match=r"`sequences` must be iterable \(a list of sequences with a length\), "
                                         r"received generator"):
        pad_sequences(x for x in [[1]])
    with pytest.raises(ValueError, match=r"must be a list of iterables. Found non-iterable: 3 at position 1"):
        pad_sequences([[1], 3])
    with pytest.raises(ValueError, match=r"`dtype` int32 is not compatible with `value`'s type"):
        pad_sequences([[1]], value="x")
    with pytest.raises(ValueError, match=r"Shape of sample \(3,\) of sequence at position 1 is different from expected "
                                         r"shape \(2,\)"):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])
