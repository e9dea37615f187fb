"""Weight constraints applied to a model: each constrained weight replaced by its projection after an update.

A layer records a weight's constraint when the weight is made (`add_weight(..., constraint=...)`: a layer's
`kernel_constraint`, `bias_constraint`, ...) and lists them in `layer.weight_constraints`. Keras's optimizers
project every constrained variable they update right after updating it; `apply` does the same on a whole model,
in place (`variable[...] = ...`), so it works on a live model as on one merged from its state inside a compiled
step (`nnx.merge`, then `nnx.split` again). Weights of frozen layers and non-trainable weights are left alone: no
optimizer updates them.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
from flax import nnx


def constrained(model: Any) -> list[tuple[nnx.Variable, Any]]:
    """`(weight, constraint)` for every constrained trainable weight of `model` and its sublayers."""
    found = []
    for _, node in nnx.iter_graph(model):
        own = getattr(node, "weight_constraints", None)
        if not own or not isinstance(own, list):
            continue
        trainable = {id(v) for v in node.trainable_weights}
        found.extend((variable, c) for variable, c in own if id(variable) in trainable)
    return found


def apply(model: Any) -> int:
    """Projects every constrained trainable weight of `model` in place; returns how many were projected.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.Dense(2, kernel_initializer="ones", kernel_constraint="non_neg")
      >>> _ = layer(jnp.ones((1, 3)))
      >>> layer.kernel[...] = -layer.kernel[...]
      >>> apply(layer), float(layer.kernel[...].min())
      (1, 0.0)
    """
    pairs = constrained(model)
    for variable, constraint in pairs:
        variable[...] = jnp.asarray(constraint(variable[...]), variable.dtype)
    return len(pairs)
