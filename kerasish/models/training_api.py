"""`TrainingAPI`: what a `Model` subclass overrides to customise training, with Keras 3's JAX signatures and
defaults, and the stateless API a hand-written JAX loop uses.

Keras's JAX API, on kerasish's state:

- `trainable_variables` / `non_trainable_variables`: flat lists of Keras-style variables (`ModelVariable`
  handles on the model's NNX variables; see `kerasish.training.keras_state`), and `stateless_call(trainable,
  non_trainable, x, ...)` returning `(outputs, non_trainable)`; `split()` and `stateless_call(params, rest, x)` are
  the JAX-native form of the same over NNX's split state.
"""

from __future__ import annotations

from typing import Any

from kerasish.training.engine import split_model
from kerasish.training.keras_state import layout_of, stateless_call


class TrainingAPI:
    """The overridable training steps and the stateless API of `Model` (see the module docstring)."""

    # -- the stateless API ----------------------------------------------------------------------------

    @property
    def trainable_variables(self) -> list:
        """The trainable weights as Keras-style variables, in `trainable_weights` order (Keras's list for
        `stateless_call`, `optimizer.build` and `optimizer.stateless_apply`). `v.assign(value)` writes the model.

        Example:
          >>> import kerasish as ks
          >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, name="dense")])
          >>> [(v.path, v.shape) for v in model.trainable_variables]
          [('dense/kernel', (3, 2)), ('dense/bias', (2,))]
        """
        return layout_of(self).variables(self)[0]

    @property
    def non_trainable_variables(self) -> list:
        """Every other variable of the model as Keras-style variables: the non-trainable weights (frozen layers'
        weights, batch statistics) in `non_trainable_weights` order, then the rest of the model's state (RNG
        streams, seed generators), in a fixed order, so that `stateless_call` carries all of it."""
        return layout_of(self).variables(self)[1]

    def split(self):
        """`(graphdef, params, rest)`: the model as NNX's pure pytrees, for your own `jax.grad` loop (the JAX-native
        form of `trainable_variables` / `non_trainable_variables`).

        `params` holds the trainable weights, `rest` everything else (frozen weights, batch statistics, RNG
        streams). `stateless_call(params, rest, x)` runs the model purely on them, and `nnx.update(model, params)`
        writes trained weights back.

        Raises:
          ValueError: if the model is not built.

        Example:
          >>> import jax, jax.numpy as jnp
          >>> import kerasish as ks
          >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
          >>> _, params, rest = model.split()
          >>> loss = lambda p, x, y: jnp.mean((model.stateless_call(p, rest, x)[0] - y) ** 2)
          >>> grads = jax.grad(loss)(params, jnp.ones((4, 3)), jnp.zeros((4, 1)))
          >>> [g.shape for g in jax.tree.leaves(grads)]  # the Dense layer's bias and kernel
          [(1,), (3, 1)]
        """
        if not self.built:
            raise ValueError(f"Model '{self.name}' is not built: build it (e.g. `model.build((None, 64))`, an "
                             f"Input, or one call on data) before split().")
        graphdef, params, rest, _ = split_model(self)
        return graphdef, params, rest

    def stateless_call(self, trainable_variables: Any, non_trainable_variables: Any, *args: Any,
                       return_losses: bool = False, **kwargs: Any):
        """Runs the model on given values of its variables, without touching the model (Keras's `stateless_call`).

        Args:
          trainable_variables: values for `model.trainable_variables` (arrays or variables, same order), or the
            `params` state of `model.split()`.
          non_trainable_variables: values for `model.non_trainable_variables`, or the `rest` state of `split()`.
          *args, **kwargs: the call's arguments (`x`, `training=...`).
          return_losses: also return the values the layers gave `add_loss` during the call (activity penalties
            included), a list of arrays to add to your loss; weight penalties are not in it.

        Returns:
          `(outputs, non_trainable_variables)`: the new non-trainable values (batch statistics and RNG streams
          advance in training mode) as a list, or as a state when given `split()`'s; `(outputs,
          non_trainable_variables, losses)` with `return_losses=True`.

        Raises:
          ValueError: for lists without one value per variable.

        Example:
          >>> import jax.numpy as jnp
          >>> import kerasish as ks
          >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
          >>> kernel, bias = jnp.ones((3, 2)), jnp.zeros(2)
          >>> y, state = model.stateless_call([kernel, bias], model.non_trainable_variables, jnp.ones((1, 3)))
          >>> y.tolist(), state
          ([[3.0, 3.0]], [])
        """
        return stateless_call(self, trainable_variables, non_trainable_variables, args, kwargs, return_losses)
