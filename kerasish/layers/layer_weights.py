"""The variables `Layer.add_weight` creates: `Trainable` (an `nnx.Param`) and `NonTrainable`, with Keras's methods.

Keras code reads and writes a layer's weights as Keras variables: `w.assign(value)`, `w.assign_add(delta)`,
`w.assign_sub(delta)`, `w.numpy()`. These are NNX variables (so `nnx.split` / `nnx.merge` and `jax.grad` see a
layer as a pytree) that also answer those methods; an assignment inside a compiled step (a `ComputeSum` layer's
running total) is part of the new model state the step returns.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
from flax import nnx


class _KerasVariableMethods:
    """Keras's variable methods on a layer weight: `assign`, `assign_add`, `assign_sub` (in place, also inside a
    compiled step, where the new value comes back out with the model state) and `numpy()`.

    Example:
      >>> w = NonTrainable(jnp.zeros(2))
      >>> _ = w.assign_add(jnp.ones(2))
      >>> w.numpy().tolist()
      [1.0, 1.0]
    """

    def assign(self, value: Any) -> Any:
        self[...] = jnp.asarray(value, self.dtype).reshape(self.shape)
        return self

    def assign_add(self, value: Any) -> Any:
        return self.assign(self[...] + jnp.asarray(value, self.dtype))

    def assign_sub(self, value: Any) -> Any:
        return self.assign(self[...] - jnp.asarray(value, self.dtype))

    def numpy(self) -> np.ndarray:
        return np.asarray(self[...])


class Trainable(_KerasVariableMethods, nnx.Param):
    """A weight the optimizer updates (`add_weight(..., trainable=True)`): an `nnx.Param` with Keras's methods."""


class NonTrainable(_KerasVariableMethods, nnx.Variable):
    """A weight the optimizer never updates (`add_weight(..., trainable=False)`)."""
