"""Keras's dtype names: the default float dtype, the names Keras allows, and a dtype's Keras name.

A foundation module that imports nothing of kerasish, so that both `kerasish.backend` (which re-exports these
names as Keras's `keras.backend` does) and `kerasish.variables` (whose `Variable` the backend re-exports) can
use them without importing each other.
"""

from __future__ import annotations

from typing import Any

_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
#: The dtype names Keras allows (`keras.src.backend.common.dtypes.ALLOWED_DTYPES`).
ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32",
                  "int64", "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2", "complex64", "complex128")
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32", complex: "complex64"}


def floatx() -> str:
    """The default float dtype, `"float32"` (weights and float inputs are float32 unless a layer says otherwise)."""
    return "float32"


def standardize_dtype(dtype: Any) -> str:
    """A dtype's Keras name (`"float32"`, `"int32"`, ...); None is `floatx()`, Python's int is int32.

    Raises:
      ValueError: for something that is not a dtype Keras allows.

    Example:
      >>> import jax.numpy as jnp
      >>> standardize_dtype(None), standardize_dtype(int), standardize_dtype(jnp.bfloat16)
      ('float32', 'int32', 'bfloat16')
    """
    if dtype is None:
        return floatx()
    dtype = _PYTHON_DTYPES.get(dtype, dtype)
    if hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif not isinstance(dtype, str):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype!r}; the dtypes Keras allows are {list(ALLOWED_DTYPES)}.")
    return dtype


def is_float_dtype(dtype: Any) -> bool:
    """Whether `dtype` is a floating-point dtype."""
    return standardize_dtype(dtype) in _FLOAT_DTYPES or standardize_dtype(dtype).startswith("float8")


def is_int_dtype(dtype: Any) -> bool:
    """Whether `dtype` is a (signed or unsigned) integer dtype."""
    return standardize_dtype(dtype).startswith(("int", "uint"))
