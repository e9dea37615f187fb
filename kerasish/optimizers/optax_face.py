"""The optax face of `Optimizer`: `init(params)` / `update(grads, opt_state, params)`.

An optimizer built for a structure of parameters is cached (`_program`): a copy of the optimizer, built on
`Reference`s shaped like the parameters' leaves, holding no arrays. `init` returns its variables' initial values
packed into an `OptimizerState` (see `kerasish.optimizers.state`); `update` unpacks a state into that copy's
variables in Keras's order, runs the same `_step` as `apply` and `stateless_apply`, and packs the result, with
the updates `new_params - params` that optax's convention adds back.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish import backend
from kerasish.optimizers import schedules
from kerasish.optimizers.references import Iteration, LearningRate, Reference, read_value, takes_a_step
from kerasish.optimizers.state import OptimizerState, ScheduledRate
from kerasish.variables import Variable, bound_values


class OptaxFace:
    """The optax methods of `Optimizer` (see the module docstring)."""

    def __iter__(self):
        return iter((self.init, self.update))

    def init(self, params: Any) -> OptimizerState:
        """The optimizer state for `params` (a pytree of arrays): Keras's variables, built for them.

        Example:
          >>> from kerasish.optimizers import SGD
          >>> state = SGD(0.1, momentum=0.9).init({"w": jnp.zeros(2)})
          >>> sorted(state.slots), int(state.iteration)
          (['momentum'], 0)
        """
        program = self._program(params, fresh=True)
        values = program._initial_values
        program._initial_values = None
        return program._pack(values)

    def update(self, updates: Any, state: Any, params: Any = None, **extra_args: Any) -> tuple[Any, Any]:
        """Turns gradients into updates to add to `params` (`optax.apply_updates`), and the next state.

        Raises:
          ValueError: without `params` (Keras's maths reads the weights: weight decay, Lamb, Adafactor, Ftrl, the
            moving average), or for a state this optimizer did not make.
        """
        new_params, new_state = self.update_params(updates, state, params)
        leaves, treedef = jax.tree.flatten(params)
        new_updates = treedef.unflatten([n - p for n, p in zip(treedef.flatten_up_to(new_params), leaves)])
        return new_updates, new_state

    def update_params(self, grads: Any, opt_state: Any, params: Any) -> tuple[Any, Any]:
        """One step as a pure function: `(new_params, new_opt_state)`, the new weights as Keras computes them
        (`update` returns their difference from `params`, which optax's convention adds back, a rounding away).

        Raises:
          ValueError: without `params`, or for a state this optimizer did not make.

        Example:
          >>> from kerasish.optimizers import SGD
          >>> opt = SGD(0.5)
          >>> opt.update_params(jnp.ones(2), opt.init(jnp.zeros(2)), jnp.zeros(2))[0].tolist()
          [-0.5, -0.5]
        """
        if params is None:
            raise ValueError(f"{type(self).__name__}.update needs the parameters: call "
                             f"`optimizer.update(grads, opt_state, params)`.")
        program = self._program(params)
        leaves = jax.tree.leaves(params)
        grads = program._treedef.flatten_up_to(grads)
        new_leaves, new_values = program._step(program._unpack(opt_state), list(grads), leaves,
                                               list(range(len(leaves))))
        return program._treedef.unflatten(new_leaves), program._pack(new_values)

    def finalize_params(self, params: Any, opt_state: Any) -> Any:
        """Keras's `finalize_variable_values` for the optax face: with `use_ema`, the moving averages held in
        `opt_state` (shaped like `params`) to write into the model at the end of training; else `params`.

        Example:
          >>> from kerasish.optimizers import SGD
          >>> opt = SGD(1.0, use_ema=True, ema_momentum=0.5)
          >>> state = opt.update(jnp.ones(1), opt.init(jnp.zeros(1)), jnp.zeros(1))[1]
          >>> opt.finalize_params(jnp.zeros(1), state).tolist()  # the average starts at the first step's weights
          [-1.0]
        """
        if not getattr(self, "use_ema", False):
            return params
        self._program(params)._unpack(opt_state)  # checks that the state is this optimizer's
        return opt_state.slots["average"]

    def loss_scale(self, opt_state: Any = None) -> Any:
        """The factor the loss is multiplied by before taking gradients (`loss_scale_factor`, or
        `LossScaleOptimizer`'s dynamic scale held in `opt_state`); None when the loss is not scaled."""
        return self.loss_scale_factor

    def _program(self, params: Any, fresh: bool = False) -> OptaxFace:
        """A copy of this optimizer built for `params`' structure (cached), for the optax face."""
        leaves, treedef = jax.tree.flatten(params)
        key = (treedef, tuple((tuple(np.shape(x)), str(jnp.result_type(x))) for x in leaves))
        program = None if fresh else self._programs.get(key)
        if program is None:
            program = self._fresh_copy()
            paths = [_path_name(p) for p, _ in jax.tree_util.tree_flatten_with_path(params)[0]]
            references = [Reference(np.shape(x), jnp.result_type(x), path.split("/")[-1], path)
                          for path, x in zip(paths, leaves)]
            if getattr(self, "_exclude_from_weight_decay", None):
                raise ValueError("exclude_from_weight_decay(var_list=...) names variables by identity, which the "
                                 "optax face (init/update, fit) cannot see: use var_names=[...] (matched against "
                                 "the parameters' names) instead.")
            with bound_values(references, leaves):  # a slot may start from its weight (ScheduleFreeAdamW)
                program.build(references)
                program._initial_values = [v.value for v in program.variables]
            program._prepare_packing(treedef, bool(leaves))
            for variable in program.variables:  # the copy holds no arrays: each step binds its own
                variable._value = jax.ShapeDtypeStruct(variable.shape, variable.dtype)
            self._programs[key] = program
        return program

    def _fresh_copy(self) -> OptaxFace:
        """An unbuilt copy with the same configuration and new variables (the learning rate's current value)."""
        twin = copy.copy(self)
        vars(twin).update(built=False, _variables=[], _trainable_variables=[], _trainable_variables_indices={},
                          _references=[], _slots={}, _holder=None, _programs={})
        twin._iterations = twin._new_variable(0, "int32", "iteration", Iteration)
        if isinstance(self._learning_rate, Variable):
            twin._learning_rate = twin._new_variable(self._learning_rate.value, "float32", "learning_rate",
                                                     LearningRate)
        return twin

    def _prepare_packing(self, treedef: Any, any_weight: bool) -> None:
        """Records how `variables` map onto an `OptimizerState` for parameters of structure `treedef`."""
        self._treedef = treedef
        self._layout = self._records()
        self._slot_names = self._names_of_slots(any_weight)

    def _records(self) -> list[tuple]:
        records = []
        for variable in self._variables:
            if variable is self._iterations:
                records.append(("iteration",))
            elif variable is self._learning_rate:
                records.append(("learning_rate",))
            elif id(variable) in self._slots:
                records.append(("slot", *self._slots[id(variable)]))
            else:
                records.append(("other",))
        return records

    def _names_of_slots(self, any_weight: bool) -> list[str]:
        if any_weight:
            return list(dict.fromkeys(r[1] for r in self._layout if r[0] == "slot"))
        probe = self._fresh_copy()  # no weights (optax.tree_map_params's placeholder): which slots would exist
        reference = Reference((2, 2), "float32", "probe", "probe")
        with bound_values([reference], [jnp.zeros((2, 2), jnp.float32)]):
            probe.build([reference])
        return list(dict.fromkeys(r[1] for r in probe._records() if r[0] == "slot"))

    def _pack(self, values: list) -> OptimizerState:
        n = self._treedef.num_leaves
        slots = {name: [None] * n for name in self._slot_names}
        iteration, rate, others = None, None, []
        for record, value in zip(self._layout, values):
            if record[0] == "iteration":
                iteration = value
            elif record[0] == "learning_rate":
                rate = value
            elif record[0] == "slot":
                slots[record[1]][record[2]] = value
            else:
                others.append(value)
        if rate is None and (isinstance(self._learning_rate, schedules.LearningRateSchedule)
                             or takes_a_step(self._learning_rate)):
            rate = ScheduledRate(self._rate_at(iteration))
        return OptimizerState(iteration, rate, {k: self._treedef.unflatten(v) for k, v in slots.items()},
                              tuple(others))

    def _unpack(self, state: Any) -> list:
        if not isinstance(state, OptimizerState):
            raise ValueError(f"{type(self).__name__}.update received a state it did not make "
                             f"({type(state).__name__}); pass the state returned by its `init` or `update`.")
        slots = {k: self._treedef.flatten_up_to(v) for k, v in state.slots.items()}
        others = iter(state.others)
        values = []
        for record in self._layout:
            if record[0] == "iteration":
                values.append(state.iteration)
            elif record[0] == "learning_rate":
                values.append(state.learning_rate)
            elif record[0] == "slot":
                values.append(slots[record[1]][record[2]])
            else:
                values.append(next(others))
        return values

    def state_variables(self, opt_state: Any, params: Any) -> list[Variable]:
        """The optimizer variables held in an optax-face state, as named `Variable`s in Keras's order (what a
        `.keras` file stores), the per-weight entries in the order of `params`' leaves.

        Args:
          opt_state: a state from `init` / `update`.
          params: the parameters it was made for (arrays or shape-dtype structs).
        """
        program = self._program(params)
        result = []
        for variable, value in zip(program.variables, program._unpack(opt_state)):
            copy_ = Variable(value, dtype=variable.dtype, trainable=False, name=variable.name)
            copy_.path = variable.path
            result.append(copy_)
        return result

    def state_from_variables(self, values: Sequence[Any], params: Any) -> Any:
        """The optax-face state holding `values` (in `state_variables`' order), checked entry by entry.

        Raises:
          ValueError: for another number of values, or a value whose shape or dtype differs from its variable's, or
            that holds NaN or infinity (the entry is named).
        """
        program = self._program(params)
        expected = program.variables
        if len(values) != len(expected):
            raise ValueError(f"Optimizer {self.name!r} has {len(expected)} variables for these parameters, "
                             f"received {len(values)} values.")
        checked = []
        for variable, value in zip(expected, values):
            value = np.asarray(read_value(value))
            if value.shape != variable.shape or backend.standardize_dtype(value.dtype) != variable.dtype:
                raise ValueError(f"Optimizer variable {variable.path!r} has shape {variable.shape} and dtype "
                                 f"{variable.dtype}, received shape {value.shape} and dtype {value.dtype}.")
            if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
                raise ValueError(f"Optimizer variable {variable.path!r} holds NaN or infinity.")
            checked.append(jnp.asarray(value))
        return program._pack(checked)


def _path_name(path: tuple) -> str:
    parts = []
    for key in path:
        part = getattr(key, "key", getattr(key, "idx", getattr(key, "name", key)))
        parts.append(str(part))
    return "/".join(parts) or "variable"
