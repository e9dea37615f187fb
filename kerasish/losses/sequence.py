"""Connectionist temporal classification (CTC): the loss of label sequences against per-step class scores,
on `optax.ctc_loss` (the algorithm Keras's JAX backend ports), with Keras's conventions: class 0 is the blank
and pads the labels, every output step counts."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax

from kerasish import registry
from kerasish.losses.loss import Loss, LossFunctionWrapper


def ctc(y_true: Any, y_pred: Any) -> jax.Array:
    """The CTC loss of each sequence.

    Args:
      y_true: integer labels of shape `(batch, max_label_length)`, padded with 0 (the blank).
      y_pred: logits of shape `(batch, steps, classes)` (a softmax is applied inside).

    Returns:
      Per-sequence losses of shape `(batch,)`.

    Raises:
      ValueError: for labels that are not of rank 2 or logits that are not of rank 3.

    Example:
      >>> round(float(ctc(jnp.array([[1]]), jnp.zeros((1, 2, 2)))[0]), 4)
      0.2877
    """
    y_true, y_pred = jnp.asarray(y_true), jnp.asarray(y_pred)
    if y_true.ndim != 2:
        raise ValueError(f"Argument `y_true` of ctc must be integer labels of shape (batch_size, max_length), "
                         f"received y_true.shape={y_true.shape}.")
    if y_pred.ndim != 3:
        raise ValueError(f"Argument `y_pred` of ctc must be logits of shape (batch_size, max_length, num_classes), "
                         f"received y_pred.shape={y_pred.shape}.")
    labels = y_true.astype(jnp.int32)
    y_pred = y_pred.astype(jnp.promote_types(y_pred.dtype, jnp.float32))
    label_lengths = jnp.sum(labels != 0, axis=-1)
    label_paddings = (jnp.arange(labels.shape[1])[None, :] >= label_lengths[:, None]).astype(y_pred.dtype)
    logit_paddings = jnp.zeros(y_pred.shape[:2], y_pred.dtype)
    return optax.ctc_loss(y_pred, logit_paddings, labels, label_paddings, blank_id=0)


class CTC(LossFunctionWrapper):
    """`ctc` as a `Loss`.

    Args:
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Example:
      >>> round(float(CTC()(jnp.array([[1]]), jnp.zeros((1, 2, 2)))), 4)
      0.2877
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "ctc", dtype: Any = None) -> None:
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


for _obj in (CTC, ctc):
    registry.register_builtin("losses", _obj)
