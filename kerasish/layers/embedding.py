"""`Embedding`: integer ids -> rows of a trainable table."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

import kerasish.layers.checks as checks
from kerasish import initializers as _initializers
from kerasish import regularizers as _regularizers
from kerasish.layers.base import Layer
from kerasish.shapes import Shape


def _embeddings_initializer(identifier: Any):
    # Keras's default name "uniform" (and "normal") are aliases kerasish.initializers does not know.
    aliases = {"uniform": _initializers.RandomUniform, "normal": _initializers.RandomNormal}
    if isinstance(identifier, str) and identifier in aliases:
        return aliases[identifier]()
    return _initializers.get(identifier)


class Embedding(Layer):
    """Maps integer ids in `[0, input_dim)` to dense vectors: `embeddings[ids]`.

    The lookup is `jnp.take(embeddings, ids, axis=0)`, as in `flax.nnx.Embed` and Keras's JAX
    backend; the table is made with `add_weight` so `get_weights()` returns Keras's single
    `embeddings` array. Float inputs are cast to int32. As in Keras on JAX, an id `>= input_dim` gives a
    row of NaN (JAX's out-of-bounds gather) and a negative id counts from the end of the table.

    Args:
      input_dim: the vocabulary size (a positive int): ids run from 0 to `input_dim - 1`.
      output_dim: the size of each vector (a positive int).
      embeddings_initializer: initializer of the table (default "uniform": `RandomUniform(-0.05, 0.05)`).
      embeddings_regularizer: a penalty on the table added to the training loss.
      mask_zero: treat id 0 as padding: the output carries the mask `ids != 0`, which Sequential and
        functional models hand on to the next layers (an RNN then skips the padded steps). The
        vocabulary still counts id 0: `input_dim` is the largest id + 1.

    Input shape: `(batch, ...)` of integers, e.g. `(batch, sequence_length)`.
    Output shape: `(batch, ..., output_dim)`.
    Weights: `embeddings` of shape `(input_dim, output_dim)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((5,), dtype="int32"), ks.layers.Embedding(100, 8)])
      >>> model.output_shape, model(jnp.zeros((2, 5), jnp.int32)).shape
      ((None, 5, 8), (2, 5, 8))
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, mask_zero: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.input_dim = checks.positive_int(input_dim, "input_dim", "Embedding")
        self.output_dim = checks.positive_int(output_dim, "output_dim", "Embedding")
        self.embeddings_initializer = _embeddings_initializer(embeddings_initializer)
        self.embeddings_regularizer = _regularizers.get(embeddings_regularizer)
        self.mask_zero = checks.boolean(mask_zero, "mask_zero", "Embedding")

    def build(self, input_shape: Shape) -> None:
        self.add_weight((self.input_dim, self.output_dim), self.embeddings_initializer, name="embeddings",
                        regularizer=self.embeddings_regularizer)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape) + (self.output_dim,)

    def _input_dtype(self):
        return jnp.dtype(jnp.int32)

    def call(self, x):
        if not jnp.issubdtype(x.dtype, jnp.integer):
            x = x.astype(jnp.int32)
        return jnp.take(self.embeddings[...], x, axis=0)

    def compute_mask(self, inputs, mask=None):
        """`ids != 0` with `mask_zero=True` (shape `(batch, ...)`, the ids' shape), else None."""
        return jnp.not_equal(inputs, 0) if self.mask_zero else None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": _initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": _regularizers.serialize(self.embeddings_regularizer),
                "mask_zero": self.mask_zero}
