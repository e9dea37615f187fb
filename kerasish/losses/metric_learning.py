"""The circle loss for metric learning (Sun et al., 2020): pulls embeddings of the same label together and
pushes others apart, each pair weighted by how far it is from its optimum. Keras's maths; the mean is over the
samples whose loss is positive (Keras masks the others out)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerasish import registry
from kerasish.losses.loss import Loss, LossFunctionWrapper, masks_values


def _pair_masks(labels: jax.Array, ref_labels: jax.Array, remove_diagonal: bool) -> tuple[jax.Array, jax.Array]:
    labels, ref_labels = labels.reshape(-1, 1), ref_labels.reshape(-1, 1)
    positive = labels == ref_labels.T
    negative = ~positive
    if remove_diagonal:
        positive = positive & ~jnp.eye(labels.size, ref_labels.size, dtype=bool)
    return positive, negative


def _circle_mask(y_true: Any, y_pred: Any, **kwargs: Any) -> jax.Array:
    return circle(y_true, y_pred, **kwargs) > 0


@masks_values(_circle_mask)
def circle(y_true: Any, y_pred: Any, ref_labels: Any = None, ref_embeddings: Any = None,
           remove_diagonal: bool = True, gamma: float = 80, margin: float = 0.4) -> jax.Array:
    """The circle loss of each embedding against the reference embeddings (the batch itself by default).

    Args:
      y_true: integer labels of shape `(N,)`.
      y_pred: L2-normalized embeddings of shape `(N, D)`.
      ref_labels: labels of the references, `(M,)` (default `y_true`).
      ref_embeddings: reference embeddings `(M, D)` (default `y_pred`).
      remove_diagonal: leave out each embedding's pair with itself.
      gamma: the scale of the similarities.
      margin: the relaxation margin.

    Returns:
      Per-sample losses of shape `(N,)`.

    Example:
      >>> e = jnp.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
      >>> circle(jnp.array([0, 0, 1]), e).round(3).tolist()
      [0.0, 0.0, 0.0]
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true).astype(jnp.int32)
    ref_embeddings = y_pred if ref_embeddings is None else jnp.asarray(ref_embeddings)
    ref_labels = y_true if ref_labels is None else jnp.asarray(ref_labels).astype(jnp.int32)
    distances = jnp.maximum(1 - y_pred @ ref_embeddings.T, 0.0)
    positive, negative = _pair_masks(y_true, ref_labels, remove_diagonal)
    pos_weights = jnp.maximum((margin + distances) * positive.astype(distances.dtype), 0.0)
    neg_weights = jnp.maximum((1 + margin - distances) * negative.astype(distances.dtype), 0.0)
    pos_terms = -gamma * pos_weights * (margin - distances)
    neg_terms = gamma * neg_weights * (1 - margin - distances)
    p_loss = jax.scipy.special.logsumexp(jnp.where(positive, pos_terms, -jnp.inf), axis=1)
    n_loss = jax.scipy.special.logsumexp(jnp.where(negative, neg_terms, -jnp.inf), axis=1)
    return jax.nn.softplus(p_loss + n_loss)


class Circle(LossFunctionWrapper):
    """`circle` as a `Loss` (labels `(N,)`, embeddings `(N, D)`); the mean is over the samples of positive loss.

    Args:
      gamma: the scale of the similarities.
      margin: the relaxation margin.
      remove_diagonal: leave out each embedding's pair with itself.
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Example:
      >>> e = jnp.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
      >>> round(float(Circle()(jnp.array([0, 0, 1]), e)), 3)
      19.2
    """

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction: str | None = "sum_over_batch_size", name: str = "circle", dtype: Any = None) -> None:
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "gamma": self.gamma, "margin": self.margin,
                "remove_diagonal": self.remove_diagonal}


for _obj in (Circle, circle):
    registry.register_builtin("losses", _obj)
