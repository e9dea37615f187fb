"""Attention without projections: Attention (dot-product, Luong-style) and AdditiveAttention (Bahdanau-style).

Both take `[query, value]` or `[query, value, key]` (key defaults to value), score every query step
against every key step, take the softmax over the key steps and return the scores' weighted sum of the
values, as Keras 3's layers of those names (`keras/src/layers/attention/`): the same weights (`scale`,
`concat_score_weight`), the same masking (masked key steps get `score - 1e9`; masked query steps output
zeros), the same dropout of the attention weights in training.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

import kerasish.layers.checks as checks
from kerasish import random as _random
from kerasish.layers.base import Layer
from kerasish.shapes import format_shape, is_shape, mask_leaves


class Attention(Layer):
    """Dot-product attention: `softmax(query @ key.T) @ value`, per sample.

    Args:
      use_scale: learn a scalar `scale` multiplying the scores (default False).
      score_mode: `"dot"` (default: `query @ key.T`) or `"concat"`
        (`concat_score_weight * sum(tanh(query + key))` over the features).
      dropout: the fraction of attention weights dropped in training, in [0, 1).
      seed: an int for a reproducible dropout stream independent of the global seed.

    Call arguments:
      inputs: a list `[query, value]` or `[query, value, key]`: query `(batch, Tq, dim)`, value
        `(batch, Tv, dim_v)`, key `(batch, Tv, dim)`.
      mask: `[query_mask, value_mask]` booleans `(batch, Tq)` / `(batch, Tv)` (either may be None), as the
        layers before hand them on: padded value steps get no attention, padded query steps output zeros.
      training: apply dropout.
      return_attention_scores: also return the attention weights `(batch, Tq, Tv)`: a tuple.
      use_causal_mask: query step `i` attends to key steps `j <= i` only.

    Output shape: `(batch, Tq, dim_v)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Attention()([jnp.ones((2, 4, 3)), jnp.ones((2, 5, 3))]).shape
      (2, 4, 3)
    """

    supports_masking = True

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.use_scale = checks.boolean(use_scale, "use_scale", cls)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of {{'dot', 'concat'}}. Received: "
                             f"score_mode={score_mode!r} (layer {cls}).")
        self.score_mode = score_mode
        self.dropout = checks.number(dropout, "dropout", cls, 0.0, 1.0, include_high=False)
        if seed is not None and (not checks.is_int(seed) or seed < 0):
            raise ValueError(f"Argument `seed` of {cls} must be None or an int >= 0, received {seed!r}.")
        self.seed = seed
        if self.dropout > 0:
            self.rngs = nnx.Rngs(dropout=_random.key_from(seed))

    def _shapes(self, input_shape: Any) -> tuple:
        cls = type(self).__name__
        if is_shape(input_shape) or not isinstance(input_shape, (list, tuple)):
            raise ValueError(f"{cls} layer must be called on a list of inputs, namely [query, value] or "
                             f"[query, value, key]. Received an input of shape {input_shape}.")
        if not 2 <= len(input_shape) <= 3:
            raise ValueError(f"{cls} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                             f"[query, value, key]. Received length: {len(input_shape)}.")
        query, value = tuple(input_shape[0]), tuple(input_shape[1])
        key = tuple(input_shape[2]) if len(input_shape) == 3 else value
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            raise ValueError(f"Layer '{self.name}' ({cls}) needs query and key with the same last axis, received "
                             f"query {format_shape(query)} and key {format_shape(key)}.")
        if value[-2] is not None and key[-2] is not None and value[-2] != key[-2]:
            raise ValueError(f"Layer '{self.name}' ({cls}) needs value and key with the same number of steps, "
                             f"received value {format_shape(value)} and key {format_shape(key)}.")
        return query, value, key

    def build(self, input_shape: Any) -> None:
        self._shapes(input_shape)
        if self.use_scale:
            self.add_weight((), "ones", name="scale")
        if self.score_mode == "concat":
            self.add_weight((), "ones", name="concat_score_weight")

    def check_input_shape(self, shape: Any) -> None:
        self._shapes(shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        query, value, _ = self._shapes(input_shape)
        return (*query[:-1], value[-1])

    def compute_mask(self, inputs, mask=None):
        """The query's mask goes on with the output, as in Keras."""
        return None if mask is None else mask_leaves(mask)[0]

    def _scores(self, query, key):
        """`(batch, Tq, Tv)` scores of every query step against every key step."""
        if self.score_mode == "dot":
            scores = query @ jnp.swapaxes(key, -2, -1)
            return scores * self.scale[...] if self.use_scale else scores
        summed = query[..., :, None, :] + key[..., None, :, :]
        if self.use_scale:
            summed = self.scale[...] * summed
        return self.concat_score_weight[...] * jnp.sum(jnp.tanh(summed), axis=-1)

    def call(self, inputs, mask=None, training: bool = False, return_attention_scores: bool = False,
             use_causal_mask: bool = False):
        cls = type(self).__name__
        if mask is not None and not isinstance(mask, (list, tuple)):
            raise ValueError(f"{cls} layer mask must be a list, namely [query_mask, value_mask]. Received: mask of "
                             f"shape {jnp.shape(mask)} (layer '{self.name}').")
        if mask is not None and not 2 <= len(mask) <= 3:
            raise ValueError(f"{cls} layer accepts mask list of length 2 or 3. Received a list of length {len(mask)} "
                             f"(layer '{self.name}').")
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query, value, key = (jnp.asarray(t).astype(self.compute_dtype) for t in (query, value, key))
        masks = (mask_leaves(mask) if mask is not None else []) + [None, None]
        query_mask, value_mask = masks[0], masks[1]
        scores = self._scores(query, key)
        keep = None
        if value_mask is not None:
            keep = checks.mask_array(value_mask, value.shape[:2], self.name, argument="mask[1]",
                                     axes="(batch, Tv)")[:, None, :]
        if checks.boolean(use_causal_mask, "use_causal_mask", type(self).__name__):
            causal = jnp.tril(jnp.ones(scores.shape[-2:], bool))[None]
            keep = causal if keep is None else keep & causal
        if keep is not None:
            large = 65504.0 if scores.dtype == jnp.float16 else 1.0e9
            scores = jnp.where(keep, scores, scores - large)
        weights = jax.nn.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            kept = jax.random.bernoulli(_random.fast_key(self.rngs.dropout()), 1.0 - self.dropout, weights.shape)
            weights = jnp.where(kept, weights / (1.0 - self.dropout), 0.0)
        output = weights @ value
        if query_mask is not None:
            query_mask = checks.mask_array(query_mask, query.shape[:2], self.name, argument="mask[0]",
                                           axes="(batch, Tq)")
            output = jnp.where(query_mask[..., None], output, 0.0)
        return (output, weights) if return_attention_scores else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau et al., 2015): scores `sum(scale * tanh(query + key))` over the features.

    Args:
      use_scale: learn a vector `scale` `(dim,)` weighting the features of the scores (default True).
      dropout: the fraction of attention weights dropped in training, in [0, 1).
      seed: an int for a reproducible dropout stream independent of the global seed.

    Call arguments and shapes: as `Attention`.
    Weights: `scale` of shape `(dim,)` (glorot uniform) when `use_scale`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.AdditiveAttention()
      >>> layer([jnp.ones((2, 4, 3)), jnp.ones((2, 5, 3))]).shape, layer.scale.shape
      ((2, 4, 3), (3,))
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs: Any) -> None:
        kwargs.pop("score_mode", None)  # not an argument of AdditiveAttention
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape: Any) -> None:
        query, _, _ = self._shapes(input_shape)
        if self.use_scale:
            if query[-1] is None:
                raise ValueError(f"Layer '{self.name}' (AdditiveAttention) needs a known query feature size, "
                                 f"received query {format_shape(query)}.")
            self.add_weight((query[-1],), "glorot_uniform", name="scale")

    def _scores(self, query, key):
        scale = self.scale[...] if self.use_scale else 1.0
        return jnp.sum(scale * jnp.tanh(query[..., :, None, :] + key[..., None, :, :]), axis=-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["score_mode"]
        return config

