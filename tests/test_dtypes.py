"""`kerasish.dtypes` against Keras's `standardize_dtype`; `kerasish.backend` re-exports these names (and
`Variable`) as Keras's `keras.backend` does."""

import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import backend, dtypes, naming, variables

DTYPES = [None, int, float, bool, "float16", np.float64, jnp.bfloat16, "uint8", np.dtype("int64"), jnp.int8]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_standardize_dtype_as_keras(dtype):
    assert dtypes.standardize_dtype(dtype) == keras.backend.standardize_dtype(dtype)


def test_float_and_int_dtypes():
    assert [dtypes.is_float_dtype(d) for d in ("bfloat16", "float8_e4m3fn", "int32")] == [True, True, False]
    assert [dtypes.is_int_dtype(d) for d in ("uint8", "int64", "float32")] == [True, True, False]


def test_an_unknown_dtype_is_refused():
    with pytest.raises(ValueError, match=r"Invalid dtype: 'nope'; the dtypes Keras allows are \["):
        dtypes.standardize_dtype("nope")


def test_backend_offers_the_same_names():
    assert backend.Variable is variables.Variable
    assert backend.standardize_dtype is dtypes.standardize_dtype and backend.floatx is dtypes.floatx
    assert backend.unique_name is naming.unique_name and backend.floatx() == keras.backend.floatx()
