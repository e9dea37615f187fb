"""`keras.backend`'s public names for kerasish, whose one backend is JAX.

What Keras code asks of its backend: its name, the default float dtype and fuzz factor, the image data
format, dtype names, whether something is a tensor, and a NumPy copy of one. kerasish computes in float32
by default (mixed precision is a dtype policy: `kerasish.mixed_precision`).
"""

from __future__ import annotations

import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
#: The dtype names Keras allows (`keras.src.backend.common.dtypes.ALLOWED_DTYPES`).
ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32",
                  "int64", "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2", "complex64", "complex128")
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32"}
#: Keras's backend flags: JAX arrays are dense, so kerasish has neither sparse nor ragged tensors.
SUPPORTS_SPARSE_TENSORS = False
SUPPORTS_RAGGED_TENSORS = False
#: Keras's `backend.config` submodule (`backend.config.image_data_format()`, `floatx()`, `epsilon()`): these same
#: functions here.
config = sys.modules[__name__]
_name_counts: dict[str, int] = {}


def unique_name(prefix: str) -> str:
    """`dense`, then `dense_1`, `dense_2`, ... as Keras names layers (reset by `clear_session`)."""
    count = _name_counts.get(prefix, 0)
    _name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def backend() -> str:
    """The backend's name: always `"jax"`."""
    return "jax"


def floatx() -> str:
    """The default float dtype, `"float32"` (weights and float inputs are float32 unless a layer says otherwise)."""
    return "float32"


def set_floatx(value: str) -> None:
    """Keras's `set_floatx`; kerasish computes in float32 and takes lower precision as a dtype policy.

    Raises:
      ValueError: for anything but `"float32"`, naming `kerasish.mixed_precision` for bfloat16 / float16.
    """
    if value != "float32":
        raise ValueError(f"Argument `value` of set_floatx must be 'float32' in kerasish, received {value!r}; for "
                         f"bfloat16 or float16 computation use kerasish.mixed_precision.set_global_policy("
                         f"'mixed_bfloat16') (float32 weights, lower-precision computation).")


def epsilon() -> float:
    """The fuzz factor Keras adds to denominators and clips probabilities by (1e-7 by default)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor `epsilon()` returns.

    Raises:
      ValueError: for a value that is not a positive finite number.
    """
    global _EPSILON
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ValueError(f"Argument `value` of set_epsilon must be a positive finite number, received {value!r}.")
    _EPSILON = float(value)


def image_data_format() -> str:
    """`"channels_last"` (the default, as Keras's) or `"channels_first"`: the layout of image tensors."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Sets `image_data_format()`.

    Raises:
      ValueError: for anything but `"channels_last"` / `"channels_first"`.
    """
    global _IMAGE_DATA_FORMAT
    if not isinstance(data_format, str) or data_format.lower() not in ("channels_last", "channels_first"):
        raise ValueError(f"Argument `data_format` must be 'channels_last' or 'channels_first', received "
                         f"{data_format!r}.")
    _IMAGE_DATA_FORMAT = data_format.lower()


def standardize_data_format(data_format: str | None) -> str:
    """`data_format`, or `image_data_format()` when None, checked as Keras checks it."""
    if data_format is None:
        return image_data_format()
    if not isinstance(data_format, str) or data_format.lower() not in ("channels_last", "channels_first"):
        raise ValueError(f"Argument `data_format` must be 'channels_last' or 'channels_first', received "
                         f"{data_format!r}.")
    return data_format.lower()


def standardize_dtype(dtype: Any) -> str:
    """A dtype's Keras name (`"float32"`, `"int32"`, ...); None is `floatx()`, Python's int is int32.

    Raises:
      ValueError: for something that is not a dtype Keras allows.

    Example:
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


def is_tensor(x: Any) -> bool:
    """Whether `x` is a JAX array (kerasish's tensors), concrete or traced."""
    return isinstance(x, jax.Array)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A NumPy array of `x`'s values (copied from the device when it lives there)."""
    return np.asarray(jax.device_get(x[...] if hasattr(x, "get_value") else x))


def convert_to_tensor(x: Any, dtype: Any = None) -> jax.Array:
    """`x` as a JAX array, of `dtype` when given (Python floats become float32, as in Keras)."""
    if dtype is not None:
        return jnp.asarray(x, dtype=standardize_dtype(dtype))
    if isinstance(x, float) or (isinstance(x, (list, tuple)) and np.asarray(x).dtype == np.float64):
        return jnp.asarray(x, jnp.float32)
    return jnp.asarray(x)


def clear_session(free_memory: bool = True) -> None:
    """Resets the layer-name counters, as Keras's `clear_session` does, and with `free_memory` JAX's caches of
    compiled programs."""
    _name_counts.clear()
    if free_memory:
        jax.clear_caches()


# Keras's `keras.backend.Variable` (kerasish.variables builds on the names above, so it is imported last).
from kerasish.variables import Variable  # noqa: E402, F401
