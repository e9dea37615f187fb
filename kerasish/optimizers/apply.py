"""Applying gradients the Keras 3 way: `apply`, `apply_gradients`, `stateless_apply` and the stages of a step.

`ApplyGradients` is the part of `Optimizer` that turns gradients into new variable values. Every way in runs
`stateless_step`: the optimizer's variables and its `Reference`s are bound to the arrays of the moment (traced inside a
compiled step, concrete when eager), Keras's `apply` runs on them, and their values are read back. Around the
subclass's `update_step` it does what Keras's JAX backend does, in its order: drop missing gradients, overwrite
`overwrite_with_gradient` variables, unscale by `loss_scale_factor`, accumulate (run the step, keep its results
only on an update step), clip, decay the weights, step, apply constraints, update the moving average of the
weights (and overwrite the weights with it every `ema_overwrite_frequency` steps), count the step.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import optax

from kerasish.optimizers.references import check_writable, read_value, write_value
from kerasish.variables import Variable, bound_values


class ApplyGradients:
    """The gradient-applying methods of `Optimizer` (see the module docstring)."""

    def apply_gradients(self, grads_and_vars: Any) -> Variable:
        """Applies `(gradient, variable)` pairs in place (builds the optimizer on first use). Returns
        `iterations` (as Keras does, for tf.keras's callers)."""
        pairs = list(grads_and_vars)
        grads, variables = ([p[0] for p in pairs], [p[1] for p in pairs]) if pairs else ([], [])
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Any] | None = None) -> None:
        """Updates the variables in place from their gradients (Keras's `apply`).

        Args:
          grads: one gradient (or None) per variable.
          trainable_variables: the variables; on the first call it builds the optimizer. None: the variables
            the optimizer was built with, in order.

        Raises:
          ValueError: if no gradient is given for any variable, for variables the optimizer was not built with,
            or for `grads` of the wrong length.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on a "
                                 "list of variables. Call `optimizer.build(trainable_variables)` first. ")
            if len(grads) != len(self._references):
                raise ValueError(f"When passing `grads` as a list of gradient tensors, the gradients must match "
                                 f"`optimizer.variables` one-to-one. Received a list of {len(grads)} gradients, but "
                                 f"the optimizer is tracking {len(self._references)} trainable variables.")
            indices = list(range(len(grads)))
        else:
            trainable_variables = list(trainable_variables)
            for variable in trainable_variables:
                check_writable(variable)
            if not self.built:
                self.build(trainable_variables)
            self._check_variables_are_known(trainable_variables)
            indices = [self._get_variable_index(v) for v in trainable_variables]
        trained = [read_value(v) for v in self._trainable_variables]
        grads = [None if g is None else read_value(g) for g in grads]
        new_trained, new_state = self.stateless_step([read_value(v) for v in self.variables], grads, trained,
                                                      indices)
        for variable, value in zip(self.variables, new_state):
            variable.replace_value(value)  # not `assign`: the learning rate would write it back into a live run
        for variable, old, new in zip(self._trainable_variables, trained, new_trained):
            if new is not old:
                write_value(variable, new)

    def stateless_apply(self, optimizer_variables: Sequence[Any], grads: Sequence[Any],
                        trainable_variables: Sequence[Any]) -> tuple[list[jax.Array], list[jax.Array]]:
        """The pure `apply`: `(new_trainable_variables, new_optimizer_variables)` from the current values.

        Args:
          optimizer_variables: the values of `optimizer.variables` (arrays, or the variables themselves).
          grads: one gradient per trainable variable (None to leave one unchanged).
          trainable_variables: the values of the variables the optimizer was built with, in order.

        Returns:
          Two lists of arrays. Nothing is modified, so it runs under `jax.jit`.

        Raises:
          ValueError: if the optimizer is not built, or for lists of the wrong lengths.
        """
        if not self.built:
            raise ValueError(f"To call `stateless_apply`, {type(self).__name__} must be built (i.e. its variables "
                             f"must have been created). You can build it via `optimizer.build(trainable_variables)`.")
        if len(optimizer_variables) != len(self.variables):
            raise ValueError(f"Argument `optimizer_variables` must be a list of tensors corresponding 1:1 to "
                             f"{type(self).__name__}().variables. Received list with length "
                             f"{len(optimizer_variables)}, but expected {len(self.variables)} variables.")
        if len(trainable_variables) != len(self._references):
            raise ValueError(f"Argument `trainable_variables` must be a list of tensors corresponding 1:1 to the "
                             f"trainable variables list that the optimizer was built with. Received "
                             f"len(trainable_variables) == {len(trainable_variables)} whereas the optimizer was "
                             f"built with {len(self._references)} variables.")
        if len(grads) != len(self._references):
            raise ValueError(f"Argument `grads` must hold one gradient per trainable variable ("
                             f"{len(self._references)}), received {len(grads)}.")
        return self.stateless_step([read_value(v) for v in optimizer_variables],
                                   [None if g is None else read_value(g) for g in grads],
                                   [read_value(v) for v in trainable_variables], list(range(len(self._references))))

    def stateless_step(self, state: list, grads: list, trained: list, indices: list[int]) -> tuple[list, list]:
        """One `apply` as a pure function of arrays, unchecked: what `apply`, `stateless_apply` and the optax face
        all run (a subclass that steps differently, such as `LossScaleOptimizer`, overrides it).

        Args:
          state: one value per variable of `variables`, in order (traced inside a compiled step).
          grads: the gradients (None for none) of the trained variables at `indices`.
          trained: one value per variable the optimizer was built with, in order.
          indices: the positions of `grads`' variables among those.

        Returns:
          `(new trained values, new state)`, lists in the orders of `trained` and `state`; nothing is modified.

        Example:
          >>> from kerasish.optimizers import SGD
          >>> opt = SGD(0.5)
          >>> opt.build([jnp.zeros(2)])
          >>> new_trained, new_state = opt.stateless_step([jnp.int32(0), jnp.float32(0.5)], [jnp.ones(2)],
          ...                                             [jnp.zeros(2)], [0])
          >>> new_trained[0].tolist(), int(new_state[0])
          ([-0.5, -0.5], 1)
        """
        with bound_values(self._references, trained), bound_values(self.variables, state):
            self._apply_bound(grads, [self._references[i] for i in indices])
            return [r.value for r in self._references], [v.value for v in self.variables]

    def _apply_bound(self, grads: list, references: list) -> None:
        if not grads:  # a model without trainable weights: a no-op, as Keras's `apply` of no gradients
            return
        grads, references = self._filter_empty_gradients(grads, references)
        grads, references = self._overwrite_variables_directly_with_gradients(grads, references)
        if grads:
            if self.loss_scale_factor is not None:
                grads = [g / self.loss_scale_factor for g in grads]
            self._backend_apply_gradients(grads, references)
            for reference in references:
                if reference.constraint is not None:
                    reference.assign(reference.constraint(reference.value))
        self._iterations.assign_add(1)

    def _filter_empty_gradients(self, grads: list, variables: list) -> tuple[list, list]:
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        missing = [v.path for g, v in zip(grads, variables) if g is None]
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. If using "
                          f"`model.compile()`, did you forget to provide a `loss` argument?", stacklevel=4)
        return [g for g, _ in kept], [v for _, v in kept]

    def _overwrite_variables_directly_with_gradients(self, grads: list, variables: list) -> tuple[list, list]:
        """Variables marked `overwrite_with_gradient` take their gradient as their value (Keras's float8 scales;
        with accumulation, the maximum gradient over the accumulated steps)."""
        if not any(self._overwrite_variable_with_gradient(v) for v in variables):
            return grads, variables
        kept_grads, kept = [], []
        for g, v in zip(grads, variables):
            if not self._overwrite_variable_with_gradient(v):
                kept_grads.append(g)
                kept.append(v)
            elif self.gradient_accumulation_steps:
                update = (self._iterations.value + 1) % self.gradient_accumulation_steps == 0
                accumulator = self._accumulated_gradients[self._get_variable_index(v)]
                largest = jnp.maximum(g, accumulator.value)
                v.assign(jnp.where(update, largest, v.value))
                accumulator.assign(jnp.where(update, jnp.zeros_like(g), largest))
            else:
                v.assign(g)
        return kept_grads, kept

    def _backend_apply_gradients(self, grads: list, variables: list) -> None:
        """Accumulation (JAX's way: run the step, keep its results only on an update step), clipping, weight
        decay, the step, then the moving average of the weights."""
        steps = self.gradient_accumulation_steps
        if steps:
            update = (self._iterations.value + 1) % steps == 0
            accumulators = [self._accumulated_gradients[self._get_variable_index(v)] for v in variables]
            before = [v.value for v in variables], [v.value for v in self.variables]
            accumulated = [jnp.where(update, jnp.zeros_like(a.value), g + a.value) for g, a in zip(grads, accumulators)]
            grads = [jnp.where(update, (g + a.value) / steps, g) for g, a in zip(grads, accumulators)]
            self._clipped_decayed_step(grads, variables)
            for v, old in zip(variables, before[0]):
                v.replace_value(jnp.where(update, v.value, old))
            for v, old in zip(self.variables, before[1]):
                v.replace_value(jnp.where(update, v.value, old))
            for accumulator, value in zip(accumulators, accumulated):
                accumulator.assign(value)
        else:
            self._clipped_decayed_step(grads, variables)
        if self.use_ema:
            self._update_model_variables_moving_average(self._references)
            if self.ema_overwrite_frequency is not None:
                overwrite = (read_value(self.iterations) + 1) % self.ema_overwrite_frequency == 0
                for v, average in zip(self._references, self._model_variables_moving_average):
                    if average is not None:
                        v.assign(jnp.where(overwrite, average.value, v.value))

    def _clipped_decayed_step(self, grads: list, variables: list) -> None:
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(variables)
        self._backend_update_step(grads, variables, self._current_learning_rate())

    def _backend_update_step(self, grads: list, variables: list, learning_rate: jax.Array) -> None:
        for grad, variable in zip(grads, variables):
            self.update_step(grad, variable, learning_rate)

    def _clip_gradients(self, grads: list) -> list:
        """Keras's clipping: each array to L2 norm `clipnorm`, all together to `global_clipnorm`, or each element
        to `[-clipvalue, clipvalue]`."""
        grads = [None if g is None else jnp.asarray(read_value(g)) for g in grads]
        if self.clipnorm:
            return [None if g is None else _clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm:
            norm = optax.tree.norm([g for g in grads if g is not None])
            # Finite norms: min(1, clip / norm); an inf or NaN norm makes every gradient NaN (as in Keras).
            scale = self.global_clipnorm * jnp.minimum(1.0 / norm, 1.0 / self.global_clipnorm) + (norm - norm)
            return [None if g is None else g * scale.astype(g.dtype) for g in grads]
        if self.clipvalue:
            return [None if g is None else jnp.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list: Sequence[Any] | None = None,
                                  var_names: Sequence[str] | None = None) -> None:
        """Exempts variables from weight decay: those in `var_list`, and those whose name contains one of
        `var_names` (e.g. `["bias"]`). Call it before the optimizer is built.

        Raises:
          ValueError: if the optimizer is already built.
        """
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_from_weight_decay = {id(v) for v in var_list or ()}
        self._exclude_from_weight_decay_names = list(var_names or ())
        self._exclude_from_weight_decay_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable: Any) -> bool:
        index = self._trainable_variables_indices.get(id(variable))
        excluded = getattr(self, "_exclude_from_weight_decay", set())
        if id(variable) in excluded or (index is not None and index < len(self._trainable_variables)
                                        and id(self._trainable_variables[index]) in excluded):
            return False
        pattern = getattr(self, "_exclude_from_weight_decay_pattern", None)
        return pattern is None or re.search(pattern, variable.name) is None

    def _apply_weight_decay(self, variables: list) -> None:
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                rate = self._current_learning_rate().astype(variable.value.dtype)
                variable.assign(variable.value - variable.value * self.weight_decay * rate)

    def _update_model_variables_moving_average(self, variables: list) -> None:
        """`average = m * average + (1 - m) * w`, with `m = 0` at the first step (the average starts at `w`)."""
        started = read_value(self.iterations) != 0
        for variable, average in zip(variables, self._model_variables_moving_average):
            if average is not None:
                momentum = started.astype(variable.value.dtype) * self.ema_momentum
                average.assign(momentum * average.value + (1 - momentum) * variable.value)

    def finalize_variable_values(self, var_list: Sequence[Any]) -> None:
        """Writes the moving averages into the weights (with `use_ema`; Keras's `fit` does it at the end)."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    def _overwrite_model_variables_with_average_value(self, var_list: Sequence[Any]) -> None:
        if len(var_list) != len(self._model_variables_moving_average):
            raise ValueError(f"The length of model variables ({len(var_list)}) to override does not match the length "
                             f"of model variables stored in the optimizer "
                             f"({len(self._model_variables_moving_average)}). Please check if the optimizer was "
                             f"called on your model.")
        for variable, average in zip(var_list, self._model_variables_moving_average):
            if average is not None:
                write_value(variable, average.value)

    def scale_loss(self, loss: Any) -> Any:
        """The loss times `loss_scale_factor` (unchanged without one): what gradients should be taken of."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss


def _clip_by_norm(g: jax.Array, clipnorm: float) -> jax.Array:
    """`g * clipnorm / max(||g||, clipnorm)`, with a zero array left as it is (no 0/0)."""
    squares = jnp.sum(jnp.square(g), keepdims=True)
    positive = squares > 0
    norm = jnp.where(positive, jnp.sqrt(jnp.where(positive, squares, jnp.ones_like(squares))), squares)
    return (g * clipnorm) / jnp.maximum(norm, clipnorm)
