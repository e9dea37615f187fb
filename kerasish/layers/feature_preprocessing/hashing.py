"""Hashing and HashedCrossing: categories to bins by TensorFlow's string hashes, with Keras's bins.

The hashes are computed on the host (`hashes.py`): strings by their UTF-8 bytes, integers by their decimal
text (Hashing) or raw value (HashedCrossing), exactly as TensorFlow does for Keras, so the bins equal
Keras's. Inside a compiled step, integer inputs reach the host through `jax.pure_callback`.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import kerasish.layers.checks as checks
import kerasish.layers.feature_preprocessing.hashes as hashes
from kerasish import registry
from kerasish.layers.base import Layer
from kerasish.layers.feature_preprocessing.encoding import encode, encoded_shape
from kerasish.layers.feature_preprocessing.host import host_call, is_string_array, is_traced, prepare_call
from kerasish.shapes import Shape

INT_DTYPES = ("int32", "int64")


def split_dtype(kwargs: dict[str, Any], output_mode: str, layer: str, default_int: str = "int64") -> str:
    """The layer's output dtype name, taken out of `kwargs` when it is an integer dtype (the Layer base takes
    float dtype policies only): "int" mode outputs ints (`default_int`), other modes the float policy."""
    dtype = kwargs.get("dtype")
    name = None if dtype is None else str(getattr(dtype, "name", dtype))
    if output_mode == "int":
        name = name or default_int
        if name not in INT_DTYPES:
            raise ValueError(f"When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'int64'. "
                             f"Received: dtype={dtype} (layer {layer})")
        kwargs.pop("dtype", None)
        return name
    if name in INT_DTYPES:
        raise ValueError(f"When `output_mode={output_mode!r}`, `dtype` of {layer} should be a float type. Received: "
                         f"dtype={dtype}")
    return ""


def _check_output_mode(output_mode: Any, allowed: tuple[str, ...], layer: str) -> str:
    if output_mode not in allowed:
        raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {allowed}. Received: "
                         f"output_mode={output_mode} (layer {layer})")
    return output_mode


def _check_sparse(sparse: Any, layer: str, output_mode: str) -> bool:
    if checks.boolean(sparse, "sparse", layer) and output_mode == "int":
        raise ValueError(f"`sparse` may only be true if `output_mode` is `\"one_hot\"`, `\"multi_hot\"`, or "
                         f"`\"count\"`. Received: sparse={sparse} and output_mode={output_mode} (layer {layer})")
    if sparse:
        raise ValueError(f"Argument `sparse=True` of {layer} needs sparse tensors (TensorFlow); JAX arrays are dense: "
                         f"use sparse=False.")
    return False


class Hashing(Layer):
    """Hashes values into `num_bins` bins: FarmHash Fingerprint64 (or SipHash-2-4 with a `salt`) modulo the bins.

    The bins equal Keras's (TensorFlow's `to_hash_bucket_fast` / `to_hash_bucket_strong`): strings are hashed
    by their UTF-8 bytes, integers by their decimal text, floats truncated to integers first. Strings run on
    the host; integer inputs also work inside a model's compiled step (through a host callback).

    Args:
      num_bins: the number of bins, including the mask bin when `mask_value` is set.
      mask_value: a value that always goes to bin 0 (the others then share bins 1 .. num_bins - 1).
      salt: an int or a pair of ints: hash with SipHash-2-4 under that key (a single int `s` means `(s, s)`).
      output_mode: "int" (default: the bin), "one_hot", "multi_hot" or "count" (`encode`'s modes).
      sparse: must be False (JAX arrays are dense).
      dtype: "int64" (default) or "int32" for "int" outputs (JAX gives int32 unless 64-bit mode is on);
        a float dtype for the other modes.

    Input shape: strings or ints, any rank (a list works too). Output shape: the input shape ("int"), or
    `encode`'s for the other modes.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.Hashing(num_bins=3)(np.array([["A"], ["B"], ["C"]])).tolist()
      [[1], [0], [1]]
    """

    def __init__(self, num_bins: int, mask_value: Any = None, salt: Any = None, output_mode: str = "int",
                 sparse: bool = False, **kwargs: Any) -> None:
        output_mode = _check_output_mode(output_mode, ("int", "one_hot", "multi_hot", "count"), "Hashing")
        self.output_dtype = split_dtype(kwargs, output_mode, "Hashing")
        super().__init__(**kwargs)
        if num_bins is None or not checks.is_int(num_bins) or num_bins <= 0:
            raise ValueError(f"The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
                             f"num_bins={num_bins}.")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.output_mode = output_mode
        self.sparse = _check_sparse(sparse, "Hashing", output_mode)
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(checks.is_int(s) for s in salt):
                self.salt = [int(s) for s in salt]
            elif checks.is_int(salt):
                self.salt = [int(salt), int(salt)]
            else:
                raise ValueError(f"The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a "
                                 f"single integer. Received: salt={salt}.")
        self.strong_hash = self.salt is not None

    def __call__(self, x, *args: Any, **kwargs: Any):
        return super().__call__(prepare_call(self, x), *args, **kwargs)

    def _bins(self, values: np.ndarray) -> np.ndarray:
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == self.mask_value
        salt = tuple(self.salt) if self.salt is not None else None
        out = hashes.hash_buckets(values, bins, salt)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        return out

    def call(self, inputs):
        if self.output_mode == "one_hot" and inputs.ndim and inputs.shape[-1] == 1:
            inputs = inputs[..., 0]
        if is_string_array(inputs):
            indices = jnp.asarray(self._bins(inputs).astype(np.int32))
        else:
            indices = host_call(lambda v: self._bins(v).astype(np.int32), inputs, np.int32)
        if self.output_mode == "int":
            return indices.astype(self.output_dtype) if self.output_dtype == "int32" else indices
        return encode(indices, self.output_mode, self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self.output_mode, self.num_bins)

    def rows_independent(self, training: bool) -> bool:
        one_sample = self.output_mode in ("multi_hot", "count") and self.input_shape is not None and len(
            self.input_shape) == 1
        return super().rows_independent(training) and not one_sample

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                  "output_mode": self.output_mode, "sparse": self.sparse}
        if self.output_mode == "int":
            config["dtype"] = self.output_dtype
        return config


class HashedCrossing(Layer):
    """Crosses two or more categorical features by hashing each combination into `num_bins` bins.

    The bins equal Keras's (`tf.sparse.cross_hashed`: strings enter by their Fingerprint64, integers by their
    value, chained with `FingerprintCat64`). Runs on the host (through a callback inside a compiled step).

    Args:
      num_bins: the number of bins.
      output_mode: "int" (default) or "one_hot".
      sparse: must be False (JAX arrays are dense).
      dtype: "int64" (default) or "int32" for "int" outputs; a float dtype for "one_hot".

    Call arguments:
      inputs: a list or tuple of at least two arrays of ints or strings, all of shape `()`, `(batch,)` or
        `(batch, 1)`.

    Output shape: the inputs' shape ("int"), with a trailing axis of `num_bins` for "one_hot" (replacing a
    trailing axis of 1).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> layer = ks.layers.HashedCrossing(num_bins=5)
      >>> layer((np.array(["A", "B", "A"]), np.array([101, 101, 102]))).tolist()
      [1, 4, 3]
    """

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        output_mode = _check_output_mode(output_mode, ("int", "one_hot"), "HashedCrossing")
        options = {"dtype": dtype}
        self.output_dtype = split_dtype(options, output_mode, "HashedCrossing")
        super().__init__(name=name, dtype=options.get("dtype"), **kwargs)
        if not checks.is_int(num_bins) or num_bins <= 0:
            raise ValueError(f"Argument `num_bins` of HashedCrossing must be a positive int, received {num_bins!r}.")
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = _check_sparse(sparse, "HashedCrossing", output_mode)

    def __call__(self, x, *args: Any, **kwargs: Any):
        if not isinstance(x, (list, tuple)):
            raise ValueError(f"`HashedCrossing` should be called on a list or tuple of inputs. Received: inputs={x}")
        if len(x) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. Received: inputs={x}")
        return super().__call__(prepare_call(self, x, several=True), *args, **kwargs)

    def _check_inputs(self, inputs) -> None:
        first = tuple(inputs[0].shape)
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            raise ValueError(f"All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
                             f"`(batch_size, 1)`. "
                             f"Received: inputs={inputs}")
        if not all(tuple(x.shape) == first for x in inputs[1:]):
            raise ValueError(f"All `HashedCrossing` inputs should have equal shape. Received: inputs={inputs}")
        for x in inputs:
            kind = np.dtype(x.dtype).kind if not is_string_array(x) else "U"
            if kind not in "iuUSO":
                raise ValueError(f"All `HashedCrossing` inputs should have an integer or string dtype. Received: "
                                 f"inputs={inputs}")

    def _cross(self, *columns: np.ndarray) -> np.ndarray:
        flat = [np.asarray(c).reshape(-1).tolist() for c in columns]
        out = [hashes.cross_hash(values, self.num_bins) for values in zip(*flat)]
        return np.asarray(out, np.int32).reshape(np.shape(columns[0]))

    def call(self, inputs):
        self._check_inputs(inputs)
        if any(is_traced(x) for x in inputs):
            if any(is_string_array(x) for x in inputs):
                raise ValueError("HashedCrossing received strings and traced values together; call it on NumPy data.")
            spec = jax.ShapeDtypeStruct(tuple(inputs[0].shape), jnp.int32)
            indices = jax.pure_callback(lambda *c: self._cross(*(np.asarray(v) for v in c)), spec, *inputs,
                                        vmap_method="sequential")
        else:
            indices = jnp.asarray(self._cross(*(np.asarray(x) for x in inputs)))
        if self.output_mode == "int":
            return indices
        return encode(indices, "one_hot", self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        return encoded_shape(first, "one_hot", self.num_bins)

    def get_config(self) -> dict[str, Any]:
        dtype = self.output_dtype if self.output_mode == "int" else self.dtype_policy.name
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name,
                "dtype": dtype}


for _cls in (Hashing, HashedCrossing):
    registry.register_builtin("layers", _cls)
