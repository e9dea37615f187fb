"""The optax-face state of a kerasish optimizer, and reading / setting its learning rate.

`Optimizer.init(params)` returns an `OptimizerState`: Keras's optimizer variables (the step count, the
learning rate, the per-weight slots such as momentums) grouped the JAX way, so that the state is a pytree of
arrays a compiled step takes and returns:

- `iteration`: Keras's `iteration` variable (int32, shape ()): the steps taken.
- `learning_rate`: the `learning_rate` variable (float32, shape ()); for an optimizer built with a schedule, a
  `ScheduledRate` holding the schedule's value for the next step (Keras has no variable then).
- `slots`: `{slot name: tree}`, each tree shaped like `params` (one array per weight: "momentum",
  "velocity", ...), so `optax.tree_map_params` finds them (the engine shards them like their weights).
- `others`: the remaining variables, in Keras's order.

`get_learning_rate` and `set_learning_rate` read and replace the rate in such a state (also found inside an
`optax.chain`, or an `optax.inject_hyperparams` state), without recompiling a step that takes the state as
an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import kerasish.optimizers.checks as checks

_INJECT_STATES = (optax.InjectStatefulHyperparamsState, optax.InjectHyperparamsState)


class ScheduledRate(NamedTuple):
    """The learning rate a schedule gives the next step (read-only: `set_learning_rate` refuses it)."""

    value: jax.Array  # float32, shape ()


class OptimizerState(NamedTuple):
    """A kerasish optimizer's state for the optax face (see the module docstring)."""

    iteration: jax.Array  # int32, shape ()
    learning_rate: jax.Array | ScheduledRate | None  # float32, shape (); None for a callable rate
    slots: dict[str, Any]  # slot name -> a tree shaped like the params
    others: tuple  # the other variables, in Keras's order


class LossScaleState(NamedTuple):
    """`LossScaleOptimizer`'s state: its own variables (iteration, learning rate, step counter, dynamic scale)
    and the wrapped optimizer's state."""

    own: tuple
    inner: Any


class StatePacking:
    """How an optimizer's values, one per variable in the order of its `variables`, go into an `OptimizerState`
    for parameters of one structure, and back. `Optimizer.state_packing` makes it for a built optimizer.

    Args:
      roles: one per variable: `("iteration",)`, `("learning_rate",)`, `("slot", slot name, index of its
        weight among the parameters' leaves)` or `("other",)`.
      slot_names: the state's slots, in order (for parameters without leaves, the slots a weight would get).
      treedef: the parameters' structure: each slot is a tree of it.
      scheduled_rate: for an optimizer whose learning rate is a schedule (it has no variable then), the rate at
        a step, held in the state as a `ScheduledRate`; else None.
      owner: the optimizer's class name, for messages.

    Example:
      >>> packing = StatePacking([("iteration",), ("learning_rate",), ("slot", "momentum", 0)], ["momentum"],
      ...                        jax.tree.structure({"w": 0}), None, "SGD")
      >>> state = packing.pack([jnp.int32(0), jnp.float32(0.1), jnp.zeros(2)])
      >>> sorted(state.slots["momentum"]), len(packing.unpack(state))
      (['w'], 3)
    """

    def __init__(self, roles: Sequence[tuple], slot_names: Sequence[str], treedef: Any,
                 scheduled_rate: Callable[[Any], jax.Array] | None, owner: str) -> None:
        self.roles, self.slot_names, self.treedef = list(roles), list(slot_names), treedef
        self.scheduled_rate, self.owner = scheduled_rate, owner

    def pack(self, values: Sequence[Any]) -> OptimizerState:
        """The state holding `values` (one per variable, in order)."""
        n = self.treedef.num_leaves
        slots = {name: [None] * n for name in self.slot_names}
        iteration, rate, others = None, None, []
        for role, value in zip(self.roles, values):
            if role[0] == "iteration":
                iteration = value
            elif role[0] == "learning_rate":
                rate = value
            elif role[0] == "slot":
                slots[role[1]][role[2]] = value
            else:
                others.append(value)
        if rate is None and self.scheduled_rate is not None:
            rate = ScheduledRate(self.scheduled_rate(iteration))
        return OptimizerState(iteration, rate, {k: self.treedef.unflatten(v) for k, v in slots.items()},
                              tuple(others))

    def unpack(self, state: Any) -> list:
        """The values `state` holds, one per variable, in order.

        Raises:
          ValueError: for a state that is not an `OptimizerState` (not made by this optimizer).
        """
        if not isinstance(state, OptimizerState):
            raise ValueError(f"{self.owner}.update received a state it did not make ({type(state).__name__}); pass "
                             f"the state returned by its `init` or `update`.")
        slots = {k: self.treedef.flatten_up_to(v) for k, v in state.slots.items()}
        others = iter(state.others)
        values = []
        for role in self.roles:
            if role[0] == "iteration":
                values.append(state.iteration)
            elif role[0] == "learning_rate":
                values.append(state.learning_rate)
            elif role[0] == "slot":
                values.append(slots[role[1]][role[2]])
            else:
                values.append(next(others))
        return values


class LossScalePacking:
    """`LossScaleOptimizer`'s packing: its own values as they are, then its wrapped optimizer's, packed by
    `inner` (a `StatePacking`), together a `LossScaleState`.

    Example:
      >>> inner = StatePacking([("iteration",)], [], jax.tree.structure(0), None, "SGD")
      >>> state = LossScalePacking(2, inner).pack([jnp.int32(0), jnp.float32(2.0), jnp.int32(5)])
      >>> int(state.inner.iteration), len(LossScalePacking(2, inner).unpack(state))
      (5, 3)
    """

    def __init__(self, own_count: int, inner: Any) -> None:
        self.own_count, self.inner = own_count, inner

    def pack(self, values: Sequence[Any]) -> LossScaleState:
        """The state holding `values` (the optimizer's own, then the wrapped optimizer's)."""
        return LossScaleState(tuple(values[:self.own_count]), self.inner.pack(values[self.own_count:]))

    def unpack(self, state: Any) -> list:
        """The values `state` holds, in the order of the optimizer's `variables`.

        Raises:
          ValueError: for a state that is not a `LossScaleState`.
        """
        if not isinstance(state, LossScaleState):
            raise ValueError(f"LossScaleOptimizer.update received a state it did not make ({type(state).__name__}); "
                             f"pass the state returned by its `init` or `update`.")
        return list(state.own) + self.inner.unpack(state.inner)


def _is_rate_node(x: Any) -> bool:
    return isinstance(x, (OptimizerState, *_INJECT_STATES))


def _find_rate_node(opt_state: Any) -> Any:
    for node in jax.tree.leaves(opt_state, is_leaf=_is_rate_node):
        if isinstance(node, OptimizerState) and node.learning_rate is not None:
            return node
        if isinstance(node, _INJECT_STATES) and "learning_rate" in node.hyperparams:
            return node
    return None


def _short_float(value: Any) -> float:
    """The shortest decimal that rounds to the stored float32 (0.01 rather than 0.009999999776482582)."""
    return float(str(np.asarray(value)[()]))


def get_learning_rate(opt_state: Any) -> float | None:
    """The learning rate the next step will use, held in an optimizer state; None when it holds none.

    Args:
      opt_state: a state from `Optimizer.init` / `Optimizer.update` (also inside an `optax.chain`), or an
        `optax.inject_hyperparams` state with a `learning_rate`.

    Returns:
      A Python float (the shortest decimal that rounds to the stored float32), or None (an optax
      transformation without an injected rate, or an optimizer whose rate is a zero-argument function).

    Example:
      >>> from kerasish.optimizers import Adam
      >>> get_learning_rate(Adam(0.01).init(jnp.zeros(2)))
      0.01
    """
    node = _find_rate_node(opt_state)
    if node is None:
        return None
    if isinstance(node, OptimizerState):
        rate = node.learning_rate
        return _short_float(rate.value if isinstance(rate, ScheduledRate) else rate)
    return _short_float(node.hyperparams["learning_rate"])


def set_learning_rate(opt_state: Any, value: Any) -> Any:
    """A new state whose learning rate is `value` (same dtype and shape: a jitted step taking the state as an
    argument does not recompile); `opt_state` itself is unchanged.

    Args:
      opt_state: a state from `Optimizer.init` / `Optimizer.update` (or an injected optax state).
      value: the new rate, a finite number `>= 0` (or a scalar array).

    Returns:
      The new state.

    Raises:
      ValueError: if the state holds no settable rate (none at all, or a schedule's), or for a `value` that
        is not a finite number `>= 0`.

    Example:
      >>> from kerasish.optimizers import SGD
      >>> get_learning_rate(set_learning_rate(SGD(0.1).init(jnp.zeros(2)), 0.5))
      0.5
    """
    if checks.as_number(value) is not None:
        checks.number("value", value, 0.0)
    node = _find_rate_node(opt_state)
    if node is None:
        raise ValueError("This optimizer state holds no learning rate: the optimizer must be a kerasish optimizer "
                         "with a float learning rate, or an optax transformation built with "
                         "optax.inject_hyperparams(...)(learning_rate=...).")
    if isinstance(node, OptimizerState):
        if isinstance(node.learning_rate, ScheduledRate):
            raise ValueError(f"This optimizer's learning rate is a schedule, hence not settable; received "
                             f"value={value!r}. Build the optimizer with a float learning rate to set it.")
        new_node = node._replace(learning_rate=jnp.asarray(value, node.learning_rate.dtype))
    else:
        if "learning_rate" in getattr(node, "hyperparams_states", {}):
            raise ValueError(f"This optimizer's learning rate is a schedule, hence not settable; received "
                             f"value={value!r}. Build the optimizer with a float learning rate to set it.")
        old = node.hyperparams["learning_rate"]
        new_node = node._replace(hyperparams={**node.hyperparams, "learning_rate": jnp.asarray(value, old.dtype)})
    return jax.tree.map(lambda x: new_node if x is node else x, opt_state, is_leaf=_is_rate_node)


def get_iterations(opt_state: Any) -> jax.Array | None:
    """The steps taken (Keras's `iteration` variable) held in a kerasish optimizer state; None if there is none.

    Example:
      >>> from kerasish.optimizers import SGD
      >>> int(get_iterations(SGD().init(jnp.zeros(2))))
      0
    """
    for node in jax.tree.leaves(opt_state, is_leaf=lambda x: isinstance(x, OptimizerState)):
        if isinstance(node, OptimizerState):
            return node.iteration
    return None
