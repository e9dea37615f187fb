"""InputSpec (kerasish/layers/input_spec.py): the same inputs refused as by Keras 3, with Keras's messages."""

import numpy as np
import pytest

import kerasish as ks
from kerasish.layers.input_spec import InputSpec, assert_input_compatibility

keras = pytest.importorskip("keras")

CASES = [  # (spec arguments, input shape)
    (dict(ndim=2), (4, 3, 1)),
    (dict(max_ndim=2), (4, 3, 1)),
    (dict(min_ndim=3), (4, 3)),
    (dict(axes={-1: 3}), (4, 5)),
    (dict(shape=(None, 3)), (4, 5)),
    (dict(dtype="int32"), (4, 3)),
    (dict(ndim=2, axes={-1: 3}), (4, 3)),  # accepted
    (dict(shape=(None, 3, 1), allow_last_axis_squeeze=True), (4, 3)),  # accepted
]


@pytest.mark.parametrize("arguments, shape", CASES)
def test_input_spec_checks_as_keras(arguments, shape):
    x = np.zeros(shape, np.float32)
    try:
        keras.src.layers.input_spec.assert_input_compatibility(keras.InputSpec(**arguments), x, "probe")
        expected = None
    except ValueError as err:
        expected = str(err)
    try:
        assert_input_compatibility(InputSpec(**arguments), x, "probe")
        got = None
    except ValueError as err:
        got = str(err)
    assert got == expected


def test_input_spec_counts_and_named_inputs_as_keras():
    specs = [InputSpec(name="a"), InputSpec(name="b")]
    with pytest.raises(ValueError, match=r'Missing data for input "b". You passed a data dictionary with keys '
                                         r"\['a'\]. Expected the following keys: \['a', 'b'\]"):
        assert_input_compatibility(specs, {"a": np.zeros((1, 2))}, "pair")
    with pytest.raises(ValueError, match=r'Layer "pair" expects 2 named input\(s\) with keys \[\'a\', \'b\'\]'):
        assert_input_compatibility(specs, [np.zeros((1, 2))], "pair")
    with pytest.raises(ValueError, match=r'Layer "pair" expects 2 input\(s\), but it received 1 input tensors'):
        assert_input_compatibility([InputSpec(), InputSpec()], [np.zeros((1, 2))], "pair")
    with pytest.raises(ValueError, match=r"Inputs to a layer should be tensors. Got '3'"):
        assert_input_compatibility(InputSpec(), 3, "pair")
    assert_input_compatibility([InputSpec(), InputSpec(optional=True)], [np.zeros((1, 2)), None], "pair")


def test_input_spec_arguments_are_checked_and_kept():
    with pytest.raises(TypeError, match=r"Argument `axes` must be a dict with integer keys. Received: axes=\{'x': 1\}"):
        InputSpec(axes={"x": 1})
    with pytest.raises(ValueError, match=r"Axis 3 is greater than the maximum allowed value: 1"):
        InputSpec(ndim=2, axes={3: 1})
    spec = InputSpec(shape=(None, 3), dtype="float32")
    assert spec.ndim == 2 and repr(spec) == "InputSpec(dtype=float32, shape=(None, 3), ndim=2)"
    assert InputSpec.from_config(spec.get_config()).get_config() == spec.get_config()


def test_a_layer_declaring_input_spec_is_checked_on_every_call():
    class Pairs(ks.layers.Layer):
        def __init__(self):
            super().__init__()
            self.input_spec = InputSpec(ndim=2, axes={-1: 2})

        def call(self, x):
            return x

    layer = Pairs()
    assert layer(np.ones((3, 2), np.float32)).shape == (3, 2)
    with pytest.raises(ValueError, match=r"Input 0 with name 'None' of layer 'pairs\w*' is incompatible with the "
                                         r"layer: expected axis -1 of input shape to have value 2"):
        layer(np.ones((3, 4), np.float32))
    with pytest.raises(ValueError, match=r"expected ndim=2, found ndim=3"):
        layer(ks.Input((3, 2)))
