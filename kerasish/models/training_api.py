"""`TrainingAPI`: what a `Model` subclass overrides to customise training, with Keras 3's JAX signatures and
defaults, and the stateless API a hand-written JAX loop uses.

Keras's JAX API, on kerasish's state:

- `trainable_variables` / `non_trainable_variables`: flat lists of Keras-style variables (`ModelVariable`
  handles on the model's NNX variables; see `kerasish.training.keras_state`), and `stateless_call(trainable,
  non_trainable, x, ...)` returning `(outputs, non_trainable)`; `split()` and `stateless_call(params, rest, x)` are
  the JAX-native form of the same over NNX's split state.
- The steps a subclass overrides: `train_step(state, data)`, `test_step(state, data)`, `predict_step(state, data)`,
  and the pieces Keras's default steps call: `compute_loss_and_updates`, `stateless_compute_loss`, `compute_loss`,
  `compute_metrics`, `metrics` (the loss tracker, the compiled metrics, the metrics the model holds). `fit` runs
  them inside its compiled dispatches (`kerasish.training.custom_step`); a model that overrides none of them trains
  with the engine's own fused step, which computes the same.
"""

from __future__ import annotations

import inspect
from typing import Any

import jax

from kerasish import optimizers as _optimizers
from kerasish.data.packing import unpack_x_y_sample_weight
from kerasish.layers import added_losses as _added_losses
from kerasish.training import custom_step as _custom_step
from kerasish.training.engine import split_model
from kerasish.training.keras_state import layout_of, stateless_call
from kerasish.variables import bound_values


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

    # -- metrics --------------------------------------------------------------------------------------

    @property
    def metrics(self) -> list:
        """Keras's `model.metrics`: the loss tracker (`Mean(name="loss")`) and the compiled metrics (one
        `compile_metrics` metric, once `fit` / `evaluate` resolved them from the data), then the metrics the model
        holds as attributes. A subclass that tracks its own (`Mean` trackers) lists them here; `fit` resets them at
        each epoch and carries their variables as `metrics_variables`."""
        return self._training.keras_metrics(self)

    @property
    def metrics_variables(self) -> list:
        """The variables of `metrics`, in order (the fourth list of `train_step`'s state)."""
        return [variable for metric in self.metrics for variable in metric.variables]

    @property
    def metrics_names(self) -> list[str]:
        """The names of `metrics`."""
        return [metric.name for metric in self.metrics]

    def reset_metrics(self) -> None:
        """Resets every metric of `metrics`."""
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict[str, Any]:
        """`{name: result}` of `metrics` (a metric whose result is a dict gives its entries)."""
        out: dict[str, Any] = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                out.update(value)
            else:
                out[metric.name] = value
        return out

    def custom_step_kinds(self) -> frozenset[str]:
        """Which steps ("train", "test", "predict") run this model's own code: those whose method (or a piece the
        default step calls: `compute_loss`, `compute_metrics`, `metrics`, ...) a subclass overrides."""
        return _custom_step.overridden_kinds(self, TrainingAPI)

    # -- the pieces of Keras's default steps -------------------------------------------------------------

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None,
                     training: bool = True) -> Any:
        """The total loss (Keras's `compute_loss`): the compiled loss of `(y, y_pred)`, plus what the layers gave
        `add_loss` in the forward pass and the weight penalties. Override it for a custom loss; `fit` calls it
        inside its compiled step (through `stateless_compute_loss`)."""
        del x, training  # as in Keras, the default uses neither
        return self._training.compiled_loss(self, y, y_pred, sample_weight, _custom_step.weight_penalty(self))

    def stateless_compute_loss(self, trainable_variables: Any, non_trainable_variables: Any, metrics_variables: Any,
                               x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None,
                               training: bool = True):
        """`compute_loss` as a pure function of the variables' values (Keras's): weight penalties computed on
        `trainable_variables`, metrics updated in `compute_loss` updating `metrics_variables`.

        Returns:
          `(loss, (trainable_variables, non_trainable_variables, metrics_variables))`.

        Raises:
          ValueError: for `metrics_variables` without one value per variable of `metrics_variables`.
        """
        variables = self.metrics_variables
        if len(metrics_variables) != len(variables):
            raise ValueError(f"Argument `metrics_variables` must be a list of tensors corresponding 1:1 to "
                             f"{type(self).__name__}().metrics_variables. Received list with length "
                             f"{len(metrics_variables)}, but expected {len(variables)} variables.")
        with _custom_step.step_values(self, trainable_variables, non_trainable_variables, variables,
                                      metrics_variables):
            if "training" in inspect.signature(self.compute_loss).parameters:
                loss = self.compute_loss(x, y, y_pred, sample_weight, training=training)
            else:  # a compute_loss written before Keras 3.3
                loss = self.compute_loss(x, y, y_pred, sample_weight)
            metrics_variables = [variable.value for variable in variables]
        return loss, (trainable_variables, non_trainable_variables, metrics_variables)

    def compute_loss_and_updates(self, trainable_variables: Any, non_trainable_variables: Any,
                                 metrics_variables: Any, x: Any, y: Any, sample_weight: Any, training: bool = False,
                                 optimizer_variables: Any = None):
        """The forward pass and the loss as one pure function, for `jax.value_and_grad` (Keras's).

        Returns:
          `(loss, (unscaled_loss, y_pred, non_trainable_variables, metrics_variables))`; in training, `loss` is
          scaled by the optimizer (`optimizer.scale_loss`: a LossScaleOptimizer's scale) whose variables are
          `optimizer_variables`.
        """
        y_pred, non_trainable_variables, losses = self.stateless_call(
            trainable_variables, non_trainable_variables, x, return_losses=True, training=training)
        with _added_losses.standing_in(self, losses):  # what `self.losses` reads in compute_loss
            loss, (trainable_variables, non_trainable_variables, metrics_variables) = self.stateless_compute_loss(
                trainable_variables, non_trainable_variables, metrics_variables, x=x, y=y, y_pred=y_pred,
                sample_weight=sample_weight, training=training)
        unscaled_loss = loss
        optimizer = self.optimizer
        if training and isinstance(optimizer, _optimizers.Optimizer) and optimizer_variables is not None:
            with bound_values(optimizer.variables, optimizer_variables):
                loss = optimizer.scale_loss(loss)
        return loss, (unscaled_loss, y_pred, non_trainable_variables, metrics_variables)

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict[str, Any]:
        """Updates the compiled metrics and returns `get_metrics_result()` (Keras's). Override it to update metrics
        of your own; `fit` calls it with the metrics' variables bound to the step's values."""
        del x
        if self._training.compile_metrics is not None:
            self._training.compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _update_metrics_variables(self, metrics_variables: Any, unscaled_loss: Any, x: Any, y: Any, y_pred: Any,
                                  sample_weight: Any) -> tuple[dict, list]:
        variables = self.metrics_variables
        with bound_values(variables, list(metrics_variables)):
            tracker = self._training.loss_tracker
            if tracker is not None and any(tracker is metric for metric in self.metrics):
                batch = next(leaf for leaf in jax.tree.leaves(x) if leaf is not None).shape[0]
                tracker.update_state(unscaled_loss, sample_weight=batch)
            logs = self.compute_metrics(x, y, y_pred, sample_weight)
            return logs, [variable.value for variable in variables]

    # -- the steps -----------------------------------------------------------------------------------------

    def train_step(self, state: tuple, data: Any) -> tuple[dict, tuple]:
        """One training step, a pure function (Keras 3's JAX `train_step`), run by `fit` inside its compiled
        dispatches. Override it for custom training logic.

        Args:
          state: `(trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)`, lists
            of arrays in the orders of `model.trainable_variables`, `model.non_trainable_variables`,
            `model.optimizer.variables` and `model.metrics_variables`.
          data: the batch as the data gives it: `x`, `(x, y)` or `(x, y, sample_weight)`
            (`kerasish.utils.unpack_x_y_sample_weight` splits it).

        Returns:
          `(logs, state)`: a dict of values to log (what `on_train_batch_end` receives) and the new state.
        """
        trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (_, aux), grads = grad_fn(trainable_variables, non_trainable_variables, metrics_variables, x, y,
                                  sample_weight, training=True, optimizer_variables=optimizer_variables)
        unscaled_loss, y_pred, non_trainable_variables, metrics_variables = aux
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(optimizer_variables, grads,
                                                                                  trainable_variables)
        logs, metrics_variables = self._update_metrics_variables(metrics_variables, unscaled_loss, x, y, y_pred,
                                                                 sample_weight)
        return logs, (trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)

    def test_step(self, state: tuple, data: Any) -> tuple[dict, tuple]:
        """One evaluation step, a pure function (Keras 3's JAX `test_step`).

        Args:
          state: `(trainable_variables, non_trainable_variables, metrics_variables)`.
          data: the batch, as for `train_step`.

        Returns:
          `(logs, state)`.
        """
        trainable_variables, non_trainable_variables, metrics_variables = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        _, aux = self.compute_loss_and_updates(trainable_variables, non_trainable_variables, metrics_variables, x, y,
                                               sample_weight, training=False)
        unscaled_loss, y_pred, non_trainable_variables, metrics_variables = aux
        logs, metrics_variables = self._update_metrics_variables(metrics_variables, unscaled_loss, x, y, y_pred,
                                                                 sample_weight)
        return logs, (trainable_variables, non_trainable_variables, metrics_variables)

    def predict_step(self, state: tuple, data: Any) -> tuple[Any, list]:
        """One prediction step, a pure function (Keras 3's JAX `predict_step`).

        Args:
          state: `(trainable_variables, non_trainable_variables)`.
          data: the batch's inputs (`x`, or a tuple whose first entry is `x`).

        Returns:
          `(outputs, non_trainable_variables)`.
        """
        trainable_variables, non_trainable_variables = state
        x, _, _ = unpack_x_y_sample_weight(data)
        return self.stateless_call(trainable_variables, non_trainable_variables, x, training=False)
