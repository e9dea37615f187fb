"""`kerasish.backend.result_type` and `convert_to_tensor` against Keras 3's."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from kerasish import backend, ops  # noqa: E402
from kerasish.layers.base import NonTrainable  # noqa: E402

DTYPES = ["bool", "uint8", "uint16", "uint32", "int8", "int16", "int32", "int64", "bfloat16", "float16", "float32",
          "float64", "complex64", "complex128", int, float, None]


def test_result_type_matches_keras_on_every_pair_and_triple():
    for a, b in itertools.product(DTYPES, DTYPES):
        for args in ((a,), (a, b), (a, b, float), (a, b, int), (a, b, "float16")):
            try:
                expected = keras.backend.result_type(*args)
            except ValueError:
                with pytest.raises(ValueError):
                    backend.result_type(*args)
                continue
            assert backend.result_type(*args) == expected, args
    assert backend.result_type() == keras.backend.result_type() == "float32"


def test_result_type_takes_dtype_objects():
    assert backend.result_type(jnp.bfloat16, np.dtype("int8")) == "bfloat16"
    assert backend.result_type(jnp.ones(2, "int8").dtype, int) == "int8"


@pytest.mark.parametrize("dtypes, message", [
    (("float8_e4m3fn", "float32"), "no implicit conversion from float8 dtypes"),
    (("string", "float32"), "Strings have no numeric promotion"),
    (("float32", "complex"), "Invalid dtype: 'complex'"),
])
def test_result_type_refuses_what_keras_refuses(dtypes, message):
    with pytest.raises(ValueError, match=message):
        backend.result_type(*dtypes)


@pytest.mark.parametrize("value", [1.5, 2, True, [1.0, 2.0], [[1, 2]], np.ones(3, "float64"), np.ones(2, "int8"),
                                   jnp.ones(2, jnp.bfloat16)])
def test_convert_to_tensor_matches_keras(value):
    ours, theirs = ops.convert_to_tensor(value), keras.ops.convert_to_tensor(value)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert getattr(ours, "weak_type", False) == getattr(theirs, "weak_type", False)
    for dtype in ("float32", "bfloat16", "int32"):
        assert ops.convert_to_tensor(value, dtype).dtype == keras.ops.convert_to_tensor(value, dtype).dtype


def test_convert_to_tensor_reads_weights_and_keeps_arrays():
    weight = NonTrainable(jnp.arange(3.0))
    assert ops.convert_to_tensor(weight).tolist() == [0.0, 1.0, 2.0]
    assert ops.convert_to_tensor(weight, "int32").dtype == jnp.int32
    array = jnp.ones(2)
    assert ops.convert_to_tensor(array) is array


def test_device_places_arrays_like_keras_device_scope():
    for name in ("cpu:0", "CPU", jax.devices("cpu")[0]):
        with backend.device(name):
            ours = backend.convert_to_tensor(np.ones(3))
        with keras.device(name):
            theirs = keras.ops.ones(3)
        assert ours.devices() == theirs.devices()


@pytest.mark.parametrize("name, match", [(3, r"`device_name` must be a string.*received 3"),
                                         ("cpu:7", r"no device 'cpu:7' found; the devices are \['cpu:0'"),
                                         ("nosuch:0", r"no device 'nosuch:0' found"),
                                         ("cpu:x", r"no device 'cpu:x' found")])
def test_device_names_a_device_that_is_not_there(name, match):
    with pytest.raises(ValueError, match=match):
        backend.device(name)
