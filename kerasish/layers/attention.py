"""Attention layers: MultiHeadAttention, with Keras 3's weights, layout and math.

Keras computes each projection with an `EinsumDense` sublayer; here the same einsums run on weights
the layer owns, created in Keras's order (`query`, `key`, `value`, `attention_output`, kernel then
bias each), so `set_weights(keras_layer.get_weights())` loads a Keras twin as is.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

import kerasish.layers.checks as checks
from kerasish import constraints as _constraints
from kerasish import initializers as _initializers
from kerasish import random as _random
from kerasish import regularizers as _regularizers
from kerasish.layers.base import Layer
from kerasish.shapes import format_shape, is_shape, mask_leaves


def _output_dims(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if checks.is_int(value) and value > 0:
        return (int(value),)
    if isinstance(value, (tuple, list)) and value and all(checks.is_int(d) and d > 0 for d in value):
        return tuple(int(d) for d in value)
    raise ValueError(f"Argument `output_shape` of MultiHeadAttention must be None, a positive int or a tuple of "
                     f"positive ints, received {value!r}.")


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), as `keras.layers.MultiHeadAttention`.

    Each head projects the query, key and value, attends with
    `softmax(q @ k.T / sqrt(key_dim)) @ v`, and a last projection merges the heads:
    `output = concat(heads) @ W_o + b_o`.

    Called as Keras 3's: `layer(query, value)`, `layer(query, value, key)` or by name
    (`layer(query=q, value=v, key=k, attention_mask=m)`); self-attention is `layer(x, x)`. The call takes
    Keras's `attention_mask=`, `use_causal_mask=` and `return_attention_scores=`; the masks of the query, value
    and key come as `query_mask=`, `value_mask=`, `key_mask=`, which Sequential and functional models fill in
    from the layers before (`Embedding(mask_zero=True)`).

    Args:
      num_heads: the number of attention heads (a positive int).
      key_dim: the size of each head for query and key.
      value_dim: the size of each head for value (default `key_dim`).
      dropout: the fraction of attention probabilities dropped in training, in [0, 1).
      use_bias: whether the projections add a bias (default True).
      output_shape: the size of the output's last axis (an int or a tuple for several axes);
        default the query's feature size.
      kernel_initializer: initializer of the four kernels (default "glorot_uniform").
      bias_initializer: initializer of the four biases (default "zeros").
      kernel_regularizer, bias_regularizer: penalties added to the training loss.
      kernel_constraint, bias_constraint: projections of the kernels / biases after each optimizer update.
      seed: an int for a reproducible dropout stream independent of the global seed.

    Input shapes: query `(batch, target, query_features)`, value `(batch, source, value_features)`,
    key `(batch, source, key_features)`. Output shape: `(batch, target, *output_shape)`.
    Weights (Keras's order): `query_kernel (query_features, num_heads, key_dim)`, `query_bias
    (num_heads, key_dim)`, `key_kernel (key_features, num_heads, key_dim)`, `key_bias`,
    `value_kernel (value_features, num_heads, value_dim)`, `value_bias (num_heads, value_dim)`,
    `output_kernel (num_heads, value_dim, *output_shape)`, `output_bias (*output_shape,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.MultiHeadAttention(num_heads=2, key_dim=4)
      >>> layer(jnp.ones((2, 5, 8)), jnp.ones((2, 3, 6))).shape
      (2, 5, 8)
      >>> [w.shape for w in layer.get_weights()][-2:]
      [(2, 4, 8), (8,)]
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None, dropout: float = 0.0,
                 use_bias: bool = True, output_shape: Any = None, *, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = "MultiHeadAttention"
        self.num_heads = checks.positive_int(num_heads, "num_heads", cls)
        self.key_dim = checks.positive_int(key_dim, "key_dim", cls)
        self.value_dim = self.key_dim if value_dim is None else checks.positive_int(value_dim, "value_dim", cls)
        self.dropout = checks.number(dropout, "dropout", cls, 0.0, 1.0, include_high=False)
        self.use_bias = checks.boolean(use_bias, "use_bias", cls)
        self.output_dims = _output_dims(output_shape)  # `output_shape` is the built output's shape on Layer
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.kernel_constraint = _constraints.get(kernel_constraint)
        self.bias_constraint = _constraints.get(bias_constraint)
        if seed is not None and (not checks.is_int(seed) or seed < 0):
            raise ValueError(f"Argument `seed` of {cls} must be None or an int >= 0, received {seed!r}.")
        self.seed = seed
        if self.dropout:
            self.rngs = nnx.Rngs(dropout=_random.key_from(seed))

    # -- shapes -------------------------------------------------------------------------------

    def _check_shapes(self, query: Any, value: Any, key: Any) -> None:
        for role, shape in (("query", query), ("value", value), ("key", key)):
            if is_shape(shape) and (len(shape) != 3 or shape[-1] is None):
                raise ValueError(f"Layer '{self.name}' expects a {role} of shape (batch, sequence, features) with "
                                 f"known features, received {format_shape(shape)}.")
            if not is_shape(shape):
                raise ValueError(f"Layer '{self.name}' (MultiHeadAttention) takes the query, value and key as "
                                 f"separate arguments, as Keras 3: layer(query, value) or layer(query, value, key); "
                                 f"received a {role} of shapes {shape}.")
        if value[1] is not None and key[1] is not None and value[1] != key[1]:
            raise ValueError(f"Layer '{self.name}': key and value must have the same sequence length, received "
                             f"value {format_shape(value)} and key {format_shape(key)}.")

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        """Creates the four projections for a query, value and key of these shapes (key: the value's)."""
        if value_shape is None and not is_shape(query_shape) and isinstance(query_shape, (list, tuple)) and len(
                query_shape) in (2, 3):  # `[query, value(, key)]`: the build entry of older kerasish model files
            query_shape, value_shape, key_shape = (list(query_shape) + [None])[:3]
        if value_shape is None:
            raise ValueError(f"Layer '{self.name}' (MultiHeadAttention) needs the value's shape too: "
                             f"build(query_shape, value_shape), or call it as layer(query, value); received only "
                             f"{query_shape}.")
        key_shape = value_shape if key_shape is None else key_shape
        self._check_shapes(query_shape, value_shape, key_shape)
        heads = self.num_heads
        output = self.output_dims or (query_shape[-1],)

        def add(name, shape, bias_shape):
            self.add_weight(shape, self.kernel_initializer, name=f"{name}_kernel", regularizer=self.kernel_regularizer,
                            constraint=self.kernel_constraint)
            if self.use_bias:
                self.add_weight(bias_shape, self.bias_initializer, name=f"{name}_bias",
                                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

        add("query", (query_shape[-1], heads, self.key_dim), (heads, self.key_dim))
        add("key", (key_shape[-1], heads, self.key_dim), (heads, self.key_dim))
        add("value", (value_shape[-1], heads, self.value_dim), (heads, self.value_dim))
        add("output", (heads, self.value_dim) + tuple(output), tuple(output))

    def check_input_shape(self, shape: Any) -> None:
        if not is_shape(shape):
            self._check_shapes(shape, shape, shape)  # a list: refused with the message of Keras 3's signature
        checks.check_axis_size(shape, -1, self.query_kernel.shape[0], self.name)

    # -- computation --------------------------------------------------------------------------

    def _project(self, x, name: str):
        out = jnp.einsum("abc,cde->abde", x, getattr(self, f"{name}_kernel")[...])
        return out + getattr(self, f"{name}_bias")[...] if self.use_bias else out

    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        """The query's mask goes on with the output (the scores, if returned, carry none), as in Keras."""
        query_mask = mask_leaves(mask)[0]
        return query_mask  # with `return_attention_scores`, the container gives it to the output only

    def _attention_mask(self, query, value, mask, attention_mask, use_causal_mask: bool):
        """`(batch or 1, target, source)` booleans, True where a query step may attend to a value step, or
        None: the AND of the query's and value's (and key's) masks, `attention_mask` and the causal mask."""
        batch, target, source = query.shape[0], query.shape[1], value.shape[1]
        masks = mask_leaves(mask) + [None] * 3
        combined = None

        def both(a, b):
            return b if a is None else a & b
        for role, m, axis, size in (("query", masks[0], -1, target), ("value", masks[1], -2, source),
                                    ("key", masks[2], -2, source)):
            if m is not None:
                m = checks.mask_array(m, (batch, size), self.name, f"{role}_mask", axes=f"(batch, {role} steps)")
                combined = both(combined, jnp.expand_dims(m, axis))
        if use_causal_mask:
            combined = both(combined, jnp.tril(jnp.ones((target, source), bool))[None])
        if attention_mask is not None:
            shape = tuple(np.shape(attention_mask))
            ok = len(shape) in (2, 3, 4) and shape[-2:] == (target, source) and (
                len(shape) == 2 or shape[0] in (1, batch)) and (len(shape) < 4 or shape[1] in (1, self.num_heads))
            if not ok:
                raise ValueError(f"Argument `attention_mask` of layer '{self.name}' must have shape (batch, target, "
                                 f"source) = {format_shape((batch, target, source))} (or (batch, num_heads, target, "
                                 f"source), 1 for a broadcast axis), received a mask of shape {format_shape(shape)}.")
            attention_mask = jnp.asarray(attention_mask).astype(bool)
            combined = both(combined, attention_mask[None] if attention_mask.ndim == 2 else attention_mask)
        return combined

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores: bool = False, training: bool = False, use_causal_mask: bool = False):
        """Attends from `query` to `value`, keyed by `key` (default the value), as Keras 3's call.

        Args:
          query: `(batch, target, query_features)`.
          value: `(batch, source, value_features)`.
          key: `(batch, source, key_features)`, or None for the value.
          query_mask, value_mask, key_mask: `(batch, steps)` booleans, True at real steps (filled in from the
            masks of the layers before in Sequential and functional models, e.g. `Embedding(mask_zero=True)`):
            padded value steps get no attention, padded query steps attend to nothing.
          attention_mask: booleans `(batch, target, source)` (or `(batch, num_heads, target, source)`),
            True where query step `t` may attend to value step `s`; combined with the masks above.
          return_attention_scores: also return the attention probabilities `(batch, num_heads, target,
            source)`: the output is then a tuple `(output, scores)`.
          training: apply dropout to the attention probabilities.
          use_causal_mask: query step `t` attends only to value steps `s <= t` (a decoder's self-attention).
        """
        key = value if key is None else key
        self._check_shapes(*(tuple(jnp.shape(t)) for t in (query, value, key)))
        for role, t in (("value", value), ("key", key)):
            checks.check_axis_size(tuple(jnp.shape(t)), -1, getattr(self, f"{role}_kernel").shape[0], self.name)
        query, value, key = (jnp.asarray(t).astype(self.compute_dtype) for t in (query, value, key))
        keep = self._attention_mask(query, value, [query_mask, value_mask, key_mask], attention_mask,
                                    checks.boolean(use_causal_mask, "use_causal_mask", "MultiHeadAttention"))
        q = self._project(query, "query") * jnp.asarray(1.0 / math.sqrt(float(self.key_dim)), self.compute_dtype)
        k = self._project(key, "key")
        v = self._project(value, "value")
        scores = jnp.einsum("aecd,abcd->acbe", k, q)  # (batch, heads, target, source)
        if keep is not None:
            keep = keep if keep.ndim == 4 else keep[:, None]
            scores = jnp.where(keep, scores, jnp.asarray(-0.7 * jnp.finfo(scores.dtype).max, scores.dtype))
        probs = jax.nn.softmax(scores, axis=-1)
        # Keras computes this one of two ways: with dropout or returned scores, a row with nothing to attend to
        # gets zero probabilities; otherwise (jax.nn.dot_product_attention) it gets uniform ones.
        if keep is not None and (self.dropout or return_attention_scores):
            probs = jnp.where(keep, probs, 0.0)
        scores_out = probs
        if training and self.dropout:
            kept = jax.random.bernoulli(_random.fast_key(self.rngs.dropout()), 1.0 - self.dropout, probs.shape)
            probs = jnp.where(kept, probs / (1.0 - self.dropout), 0.0)
        attended = jnp.einsum("acbe,aecd->abcd", probs, v)  # (batch, target, heads, value_dim)
        kernel = self.output_kernel[...]
        out = jnp.einsum("abcd,cde->abe", attended, kernel.reshape(kernel.shape[0], kernel.shape[1], -1))
        out = out.reshape(out.shape[:2] + kernel.shape[2:])
        out = out + self.output_bias[...] if self.use_bias else out
        return (out, scores_out) if return_attention_scores else out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": None if self.output_dims is None else list(self.output_dims),
                "kernel_initializer": _initializers.serialize(self.kernel_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": _regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": _constraints.serialize(self.kernel_constraint),
                "bias_constraint": _constraints.serialize(self.bias_constraint), "seed": self.seed}
