"""CategoryEncoding, and the integer-to-vector encodings every categorical layer shares.

`encode(indices, output_mode, depth)` is Keras's `encode_categorical_inputs` on its JAX backend: "one_hot"
(a vector per index), "multi_hot" (per sample: 1 where an index occurs), "count" (per sample: how often,
optionally weighted). Indices outside `[0, depth)` contribute nothing, which the lookup layers use for
masked tokens. It runs eagerly and inside compiled steps.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import kerasish.layers.checks as checks
from kerasish import registry
from kerasish.layers.base import Layer
from kerasish.layers.feature_preprocessing.host import is_traced, prepare_call
from kerasish.shapes import Shape, format_shape

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def encode(indices, output_mode: str, depth: int, dtype: Any = "float32", count_weights=None):
    """Encodes integer `indices` as Keras's `encode_categorical_inputs`.

    Args:
      indices: an int array (a scalar counts as one sample of one index).
      output_mode: "int" (a cast), "one_hot" (a trailing axis of size 1 is replaced by the encoding),
        "multi_hot" or "count" (reduced over axis 1 of a batch, axis 0 of a single sample).
      depth: the encoding's size.
      dtype: the output dtype ("count" with `count_weights`: the weights' dtype).
      count_weights: for "count", a weight per index, `indices`' shape.

    Returns:
      "one_hot": `indices.shape + (depth,)`; "multi_hot" / "count": `(depth,)` for a rank-1 input, else the
      shape without axis 1, plus `(depth,)`.
    """
    indices = jnp.asarray(indices)
    if output_mode == "int":
        return indices.astype(dtype)
    if indices.ndim == 0:
        indices = indices[None]
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
        return jax.nn.one_hot(indices.astype(jnp.int32), depth, dtype=dtype)
    reduce_axis = 1 if indices.ndim > 1 else 0
    if output_mode == "multi_hot":
        return jnp.max(jax.nn.one_hot(indices.astype(jnp.int32), depth, dtype=dtype), axis=reduce_axis)
    if count_weights is not None:
        dtype = count_weights.dtype
    one_hot = jax.nn.one_hot(indices.astype(jnp.int32), depth, dtype=dtype)
    if count_weights is not None:
        one_hot = one_hot * count_weights[..., None]
    return jnp.sum(one_hot, axis=reduce_axis)


def encoded_shape(input_shape: Shape, output_mode: str, depth: int | None) -> Shape:
    """The shape `encode` gives an input of `input_shape` (Keras's `compute_output_shape` of the lookups)."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    if len(input_shape) == 1:
        return (depth,)
    return (input_shape[0],) + input_shape[2:] + (depth,)


def check_index_range(indices: Any, depth: int, layer: str) -> None:
    """Raises ValueError when a concrete `indices` array holds a value outside `[0, depth)` (Keras 3 would give
    it an all-zero encoding silently). Traced values cannot be checked and pass."""
    if is_traced(indices):
        return
    values = np.asarray(indices)
    if values.size and (values.min() < 0 or values.max() >= depth):
        bad = values[(values < 0) | (values >= depth)]
        raise ValueError(f"Layer '{layer}' encodes integers in [0, {depth}) (num_tokens={depth}), received "
                         f"{sorted(set(bad.tolist()))[:10]}: an out-of-range value would encode as all zeros.")


class CategoryEncoding(Layer):
    """Encodes integer categories as one-hot, multi-hot or count vectors of size `num_tokens`.

    Works eagerly and inside a model's compiled step (it is plain `jax.numpy`).

    Args:
      num_tokens: the number of categories; inputs are ints in `[0, num_tokens)`.
      output_mode: "multi_hot" (default; "binary" is an alias), "one_hot" or "count".
      sparse: must be False: JAX arrays are dense.
      dtype: the output dtype: float32 by default, or an integer dtype such as "int32".

    Call arguments:
      inputs: ints of shape `(batch,)` (one sample for "multi_hot" / "count") or `(batch, k)`.
      count_weights: for "count", a weight for each input value (same shape as `inputs`).

    Input shape: `(batch,)` or `(batch, k)`. Output shape: `(batch, k, num_tokens)` for "one_hot" (`(batch,
    num_tokens)` when `k` is 1 or absent); `(batch, num_tokens)` for "multi_hot" / "count" (`(num_tokens,)`
    for a rank-1 input). Float32.

    Raises:
      ValueError: for a value outside `[0, num_tokens)` in a concrete input (Keras would encode it as zeros).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.CategoryEncoding(4, output_mode="multi_hot")(np.array([[0, 1], [3, 3]])).tolist()
      [[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False,
                 **kwargs: Any) -> None:
        dtype = kwargs.get("dtype")
        name = None if dtype is None else str(getattr(dtype, "name", dtype))
        self.output_dtype = name if name is not None and jnp.issubdtype(jnp.dtype(name), jnp.integer) else None
        if self.output_dtype is not None:  # Keras encodes in the layer's dtype, an integer one included
            kwargs.pop("dtype")
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}. Argument `output_mode` of CategoryEncoding "
                             f"must be one of ['count', 'one_hot', 'multi_hot'] ('binary' = 'multi_hot').")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if not checks.is_int(num_tokens) or num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if checks.boolean(sparse, "sparse", "CategoryEncoding"):
            raise ValueError("Argument `sparse=True` of CategoryEncoding needs sparse tensors (TensorFlow); JAX arrays "
                             "are dense: use sparse=False.")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def __call__(self, x, *args: Any, **kwargs: Any):
        return super().__call__(prepare_call(self, x), *args, **kwargs)

    def check_input_shape(self, shape: Shape) -> None:
        if len(shape) > 2 and self.output_mode != "one_hot":
            raise ValueError(f"Layer '{self.name}' with output_mode={self.output_mode!r} takes inputs of rank 1 or 2, "
                             f"received input with shape {format_shape(shape)}.")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def _encode(self, inputs, count_weights=None):
        return encode(inputs, self.output_mode, self.num_tokens, self.output_dtype or self.compute_dtype,
                      count_weights)

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"`count_weights` is not used when `output_mode` is not `'count'`. Received "
                                 f"`count_weights={count_weights}`.")
            count_weights = jnp.asarray(count_weights, self.compute_dtype)
        check_index_range(inputs, self.num_tokens, self.name)
        return self._encode(inputs, count_weights)

    def rows_independent(self, training: bool) -> bool:
        # A rank-1 input is one sample in "multi_hot" / "count" mode: the encoding sums over the batch axis.
        one_sample = self.output_mode != "one_hot" and self.input_shape is not None and len(self.input_shape) == 1
        return super().rows_independent(training) and not one_sample

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode,
                  "sparse": self.sparse}
        if self.output_dtype is not None:
            config["dtype"] = self.output_dtype
        return config


registry.register_builtin("layers", CategoryEncoding)
