"""`keras.backend`'s public names for kerasish, whose one backend is JAX.

What Keras code asks of its backend: its name, the default float dtype and fuzz factor, the image data
format, dtype names, whether something is a tensor, a NumPy copy of one, and `Variable`
(`kerasish.variables`). kerasish computes in float32 by default (mixed precision is a dtype policy:
`kerasish.mixed_precision`).
"""

from __future__ import annotations

import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish import naming

# The persistent compilation cache (`kerasish.compilation_cache`, turned on when it is imported): its switches.
from kerasish.compilation_cache import (  # noqa: F401
    compilation_cache_dir,
    disable_compilation_cache,
    enable_compilation_cache,
    is_compilation_cache_enabled,
)

# Keras's `keras.backend` names that live in foundation modules of their own (`kerasish.variables` uses them too,
# and importing the backend from there would close an import cycle): re-exported here.
from kerasish.dtypes import ALLOWED_DTYPES, floatx, is_float_dtype, is_int_dtype, standardize_dtype  # noqa: F401
from kerasish.naming import unique_name  # noqa: F401
from kerasish.variables import Variable  # noqa: F401

_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
#: Keras's backend flags: JAX arrays are dense, so kerasish has neither sparse nor ragged tensors.
SUPPORTS_SPARSE_TENSORS = False
SUPPORTS_RAGGED_TENSORS = False
#: Keras's `backend.config` submodule (`backend.config.image_data_format()`, `floatx()`, `epsilon()`): these same
#: functions here.
config = sys.modules[__name__]


def backend() -> str:
    """The backend's name: always `"jax"`."""
    return "jax"


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


def device(device_name: Any):
    """Keras's device scope: arrays made inside it are placed on the named device (`jax.default_device`).

    Args:
      device_name: `"type:index"` (`"cpu:0"`, `"gpu:1"`; the index defaults to 0), case-insensitive, or a
        `jax.Device`.

    Returns:
      A context manager.

    Raises:
      ValueError: for a value that is neither a string nor a `jax.Device`, or a device that does not exist.

    Example:
      >>> with device("cpu:0"):
      ...     x = convert_to_tensor([1.0, 2.0])
      >>> x.devices() == {jax.devices("cpu")[0]}
      True
    """
    if isinstance(device_name, jax.Device):
        return jax.default_device(device_name)
    if not isinstance(device_name, str):
        raise ValueError(f"Argument `device_name` must be a string like 'gpu:0' or a `jax.Device`, received "
                         f"{device_name!r}.")
    kind, _, index = device_name.lower().partition(":")
    try:
        found = [d for d in jax.devices(kind) if d.id == int(index or 0)]
    except (RuntimeError, ValueError):  # an unknown platform, or an index that is not a number
        found = []
    if not found:
        raise ValueError(f"Argument `device_name`: no device {device_name!r} found; the devices are "
                         f"{[f'{d.platform}:{d.id}' for d in jax.devices()]}.")
    return jax.default_device(found[0])


def is_tensor(x: Any) -> bool:
    """Whether `x` is a JAX array (kerasish's tensors), concrete or traced."""
    return isinstance(x, jax.Array)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A NumPy array of `x`'s values (copied from the device when it lives there)."""
    return np.asarray(jax.device_get(x[...] if hasattr(x, "get_value") else x))


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None, ragged: bool | None = None) -> jax.Array:
    """`x` as a JAX array, of `dtype` when given, as Keras's JAX backend converts it.

    A JAX array of the right dtype is returned as it is; a weight (a `flax.nnx.Variable`) gives its value.
    Python floats become float32 and Python ints int32, *weakly* typed as in JAX and Keras: `bf16 + 1.5`
    stays bfloat16. NumPy float64 arrays become float32 (JAX runs without 64-bit types).

    Raises:
      ValueError: for `ragged=True` or `sparse=True` (JAX arrays are dense and rectangular) or a dtype
        Keras does not know.

    Example:
      >>> convert_to_tensor([1.0, 2.0]).dtype, convert_to_tensor(3, dtype="float32").dtype
      (dtype('float32'), dtype('float32'))
    """
    if ragged:
        raise ValueError(f"Argument `ragged` of convert_to_tensor must be falsy: JAX has no ragged tensors, "
                         f"received ragged={ragged!r}.")
    if sparse:
        raise ValueError(f"Argument `sparse` of convert_to_tensor must be falsy: kerasish's tensors are dense JAX "
                         f"arrays, received sparse={sparse!r}.")
    if dtype is not None:
        dtype = standardize_dtype(dtype)
    if hasattr(x, "get_value") and hasattr(x, "get_metadata"):  # a flax.nnx.Variable: its current value
        x = x[...]
    if isinstance(x, jax.Array) and (dtype is None or x.dtype == dtype):
        return x
    if dtype == "bfloat16" and not isinstance(x, jax.Array):
        return jnp.asarray(x).astype(dtype)  # NumPy cannot make bfloat16 from Python numbers
    return jnp.asarray(x, dtype=dtype)


# -- dtype promotion: Keras's lattice (JAX's, with Python int/float as weak types) ----------------------

_WEAK = ("int", "float")
#: Each dtype's direct successors on the promotion lattice; "int"/"float" are Python's weakly typed scalars.
_LATTICE = {
    "bool": ("int",), "int": ("uint8", "int8", "complex64"),
    "uint8": ("int16", "uint16"), "uint16": ("int32", "uint32"), "uint32": ("int64", "uint64"), "uint64": ("float",),
    "int8": ("int16",), "int16": ("int32",), "int32": ("int64",), "int64": ("float",),
    "float": ("bfloat16", "float16"), "bfloat16": ("float32",), "float16": ("float32",),
    "float32": ("float64", "complex64"), "float64": ("complex128",), "complex64": ("complex128",), "complex128": (),
}


def _upper_bounds() -> dict[str, frozenset]:
    bounds = {}
    for start in _LATTICE:
        seen, stack = {start}, [start]
        while stack:
            for successor in _LATTICE[stack.pop()]:
                if successor not in seen:
                    seen.add(successor)
                    stack.append(successor)
        bounds[start] = frozenset(seen)
    return bounds


_UPPER = _upper_bounds()
_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}  # JAX without x64


def _least_upper_bound(names: set[str]) -> str:
    common = frozenset.intersection(*(_UPPER[n] for n in names))
    least = [c for c in common if common <= _UPPER[c]]
    if len(least) != 1:
        raise ValueError(f"Input dtypes {sorted(names)} have no implicit promotion path in Keras's rules; cast the "
                         f"inputs to one dtype first.")
    return least[0]


def _as_weak(name: str) -> str:
    return "float" if "float" in name else "int" if "int" in name else "complex64" if "complex" in name else name


def result_type(*dtypes: Any) -> str:
    """The dtype Keras's promotion rules give to an operation on `dtypes` (`keras.backend.result_type`).

    Each argument is a dtype (None means `floatx()`) or Python's `int` / `float`, which are *weak*: they
    adopt the other operand's width (`bfloat16` with `float` stays bfloat16, `int8` with `int` stays int8).
    Otherwise the result is the least upper bound on the lattice bool < ints < floats < complex (so
    `int32` with `float16` gives float16, `uint8` with `int8` gives int16), and 64-bit results narrow to
    32 bits as JAX computes without 64-bit types. No argument gives `floatx()`.

    Raises:
      ValueError: for a float8 dtype (never promoted implicitly) or an unknown dtype.

    Example:
      >>> result_type("int32", "float32"), result_type("bfloat16", float), result_type("int8", "uint8")
      ('float32', 'bfloat16', 'int16')
      >>> result_type(int, float), result_type("bool", int)
      ('float32', 'int32')
    """
    if not dtypes:
        return floatx()
    names, weak = [], []
    for dtype in dtypes:
        is_weak = dtype is int or dtype is float
        name = floatx() if dtype is None else standardize_dtype(dtype)
        if name.startswith("float8"):
            raise ValueError(f"There is no implicit conversion from float8 dtypes to others; cast explicitly. "
                             f"Received dtypes {dtypes}.")
        if name == "string":
            raise ValueError(f"Strings have no numeric promotion; received dtypes {dtypes}.")
        names.append(name)
        weak.append(is_weak)
    if len(names) == 1:
        out, out_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        out, out_weak = names[0], False
    elif all(weak):
        out, out_weak = _least_upper_bound(set(names)), True
    else:
        out = _least_upper_bound({_as_weak(n) if w and n != "bool" else n for n, w in zip(names, weak)})
        out_weak = out in _WEAK
    if out_weak and out != "bool":  # a weak type left over takes floatx()'s width
        out = "float32" if out.startswith("float") else "int32" if out.startswith("int") else out
    return _NARROW.get(out, out)


def clear_session(free_memory: bool = True) -> None:
    """Resets the layer-name counters, as Keras's `clear_session` does, and with `free_memory` JAX's caches of
    compiled programs."""
    naming.reset_names()
    if free_memory:
        jax.clear_caches()
