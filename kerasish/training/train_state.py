"""`TrainState`: the state a compiled model trains: its weights' live copy during `fit`, the optimizer state kept
across calls, and the doors through which the model, callbacks and the optimizer read and change it.

During `fit` the live state (`state`) is one pytree::

    {"params": trainable weights, "rest": every other variable, "opt": optimizer state,
     "metrics": metric accumulators [, "loss_scale": dynamic loss scale (mixed_float16)]}

Every train dispatch takes it over (donates its buffers) and returns the next one, so the model cannot hold
the same arrays: it receives copies when someone needs them (`write_back`: at epoch end for callbacks that
read weights, when a callback touches `self.model` mid-epoch, and in `fit`'s `finally`), and a weight a
callback sets is taken into the live state before the next dispatch (`pull_weights`).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish import mixed_precision as _mixed_precision
from kerasish import optimizers as _optimizers
from kerasish.training.engine import Engine
from kerasish.training.keras_state import OptimizerLayout, layout_of


class TrainState:
    """The optimizer state of a compiled model and, while a loop runs, its live train state.

    Args:
      engine: the compiled steps this state feeds (its model, optimizer, placement and weight filter).

    Attributes:
      state: the live train state while `fit` (or `evaluate` inside it) runs, else None.
      opt_state: the optimizer state between calls (kept across `fit` calls, as Keras keeps it).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.model, self.placement, self.keep = engine.model, engine.placement, engine.keep
        params, rest = engine.split.states()
        params, _ = self.placement.place_weights(self.model, params, rest)
        optimizer = engine.optimizer
        # one program (eagerly: one per shape and op)
        self.opt_state = self.placement.place_opt_state(optimizer, jax.jit(optimizer.init)(params))
        self.loss_scale = _mixed_precision.init_loss_scale() if engine.loss_scaling else None
        optimizer.bind(self)
        # other optimizers a model with its own train_step holds (a GAN's two): their variables' values
        custom = engine.custom if "train" in engine.custom_kinds else None
        self.other_optimizers = custom.init_optimizers() if custom is not None and custom.others else None
        self.state: dict[str, Any] | None = None
        #: Whether the model was given the live weights since the live state last took the model's: a callback
        #: may have set weights, which `pull_weights` then takes in before the next step.
        self.handed_out = False
        self._written: list = []  # the arrays `write_back` last gave the model
        self._written_from: tuple | None = None  # the live (params, rest, opt) they were copied from
        self._optimizer_layout: Any = False  # `optimizer_layout()`, made on first use

    # -- between the model and the live state ---------------------------------------------------

    def pull_state(self, copy: bool = False) -> dict[str, Any]:
        """The train state, read from the model's current weights (and the kept optimizer state). `copy`: fresh
        buffers, for a train dispatch to take over while the model and the engine keep theirs."""
        params, rest = self.placement.place_state(*self.engine.split.states())
        opt, others = self.opt_state, self.other_optimizers
        if copy:  # a new fit: what an earlier one wrote back says nothing about this one's live state
            self._written, self._written_from = [], None
            (params, rest, opt), metrics = self.engine.fresh_copy((params, rest, opt))
            others = None if others is None else self.placement.copy(others)
        else:
            metrics = self.engine.init_metrics()
        state = {"params": params, "rest": rest, "opt": opt, "metrics": metrics}
        if self.loss_scale is not None:
            state["loss_scale"] = self.loss_scale
        if others is not None:
            state["optimizers"] = others
        return state

    def push_state(self, state: dict[str, Any]) -> None:
        """Writes weights and non-trainable state into the model; keeps the optimizer state, and shows it in the
        optimizer's `variables`. The arrays are handed over: `state` must not go to a train dispatch after this
        (see `write_back`)."""
        self.engine.split.write(state["params"], state["rest"])
        self.opt_state = state["opt"]
        if self.loss_scale is not None:
            self.loss_scale = state["loss_scale"]
        if self.other_optimizers is not None:
            self.other_optimizers = state["optimizers"]
            self.engine.custom.write_optimizers(self.other_optimizers)
        self.write_optimizer()

    def optimizer_layout(self) -> OptimizerLayout | None:
        """How the optimizer's `variables` (built on `model.trainable_variables`, as Keras's `fit` builds it) map
        to the optimizer state; None for an optax transformation, or an optimizer built on other variables."""
        if not self.engine.matches(self.model):
            return None  # the model's trainable weights changed since the state was made: they no longer match
        if self._optimizer_layout is False:
            optimizer, layout = self.engine.optimizer, None
            if self.engine.keras_optimizer:
                if not optimizer.built:
                    optimizer.build(self.model.trainable_variables)
                params = self.engine.split.states()[0]
                try:
                    layout = OptimizerLayout(optimizer, layout_of(self.model), params)
                    shapes = [np.shape(v) for v in layout.to_list(self.opt_state)]
                except ValueError:  # built on other variables (by the user, or before a layer was frozen)
                    layout, shapes = None, []
                if layout is not None and shapes != [tuple(v.shape) for v in optimizer.variables]:
                    layout = None
            self._optimizer_layout = layout
        return self._optimizer_layout

    def write_optimizer(self) -> None:
        """Gives the optimizer's `variables` the values of the optimizer state (Keras has one set of variables: after
        `fit`, `optimizer.variables` and the moving averages of `use_ema` are the ones trained)."""
        layout = self.optimizer_layout()
        if layout is not None:
            for variable, value in zip(self.engine.optimizer.variables, layout.to_list(self.opt_state)):
                variable.replace_value(value)

    def write_back(self) -> None:
        """Mid-fit: gives the model (and the kept optimizer state) a copy of the live state, so a callback can read or
        save the current weights while the next dispatch takes over the live buffers. Nothing is copied when the
        model holds the live values already."""
        if self.state is None:
            return
        self.handed_out = True
        if self._written_from is not None and not self._are_written(*self.engine.split.states()):
            # a callback set weights since the last write-back (and a later hook looks at the model again): they
            # are the current weights, so the live state takes them before anything is copied back over them
            self._take_model_weights()
        live = (self.state["params"], self.state["rest"], self.state["opt"])
        if self._written_from is not None and all(a is b for a, b in zip(live, self._written_from)) \
                and self._are_written(*self.engine.split.states()):
            return  # no dispatch, new learning rate or set_weights since the last write-back: nothing to copy
        (params, rest, opt), _ = self.engine.fresh_copy(live)
        copied = {**self.state, "params": params, "rest": rest, "opt": opt}
        if "optimizers" in self.state:
            copied["optimizers"] = self.placement.copy(self.state["optimizers"])
        self.push_state(copied)
        self._written, self._written_from = jax.tree.leaves((params, rest)), live

    def pull_weights(self) -> None:
        """Replaces the live state's weights with copies of the model's (after a callback may have set them)."""
        if self.state is None:
            return
        self.handed_out = False
        self._take_model_weights()

    def _take_model_weights(self) -> None:
        held = self.engine.split.states()
        if self._are_written(*held):
            return  # the live state has those values already
        params, rest = self.placement.copy(self.placement.place_state(*held))
        self.state = {**self.state, "params": params, "rest": rest}
        self._written = jax.tree.leaves(held)  # what the model holds is the live state's values now

    def _are_written(self, params, rest) -> bool:
        """Whether the model's `params` and `rest` are still the arrays `write_back` last gave it (no callback set
        others)."""
        held = jax.tree.leaves((params, rest))
        return len(held) == len(self._written) and all(a is b for a, b in zip(held, self._written))

    def state_lost(self) -> bool:
        """Whether a dispatch failed after taking over the live state's buffers (an error inside XLA): the state
        cannot be written back, and the model keeps the weights it last received (`write_back`, or those of
        before the fit)."""
        return any(getattr(leaf, "is_deleted", lambda: False)() for leaf in jax.tree.leaves(self.state))

    # -- the optimizer's state ------------------------------------------------------------------

    def restore_opt_state(self, leaves: list) -> None:
        """Puts saved optimizer arrays (in `jax.tree.leaves` order) into this optimizer state.

        Raises:
          ValueError: when their count or a shape differs from this optimizer's state.
        """
        own, treedef = jax.tree.flatten(self.opt_state)
        if len(own) != len(leaves) or any(np.shape(a) != np.shape(b) for a, b in zip(own, leaves)):
            raise ValueError(f"The saved optimizer state ({len(leaves)} arrays) does not fit this model's optimizer "
                             f"({len(own)} arrays); compile again to start a fresh optimizer.")
        self.opt_state = self.placement.place_opt(
            jax.tree.unflatten(treedef, [jnp.asarray(b, a.dtype) for a, b in zip(own, leaves)]))

    def optimizer_state(self) -> Any:
        """The optimizer state of the next step: the live one during `fit`, else the kept one (what
        `optimizer.iterations` and `optimizer.variables` read through the optimizer's binding)."""
        return self.opt_state if self.state is None else self.state["opt"]

    def opt_state_leaves(self) -> list:
        """The optimizer state's arrays, in `jax.tree.leaves` order (what a model file stores)."""
        return jax.tree.leaves(self.optimizer_state())

    def set_learning_rate(self, value: float) -> None:
        """Sets the learning rate of the next step: in the live state during `fit`, else in the kept
        optimizer state. The rate is an input of the compiled step, so nothing recompiles."""
        if self.state is not None:
            self.state = {**self.state, "opt": self.placement.place_opt(
                _optimizers.set_learning_rate(self.state["opt"], value))}
        else:
            self.opt_state = self.placement.place_opt(_optimizers.set_learning_rate(self.opt_state, value))

    def learning_rate(self) -> float | None:
        """The learning rate of the next step (None for an optax transformation without one)."""
        return _optimizers.get_learning_rate(self.opt_state if self.state is None else self.state["opt"])
