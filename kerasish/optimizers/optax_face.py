"""The optax face of `Optimizer`: `init(params)` / `update(grads, opt_state, params)`.

An optimizer built for a structure of parameters is cached (`_program`): a copy of the optimizer
(`unbuilt_copy`), built on `Reference`s shaped like the parameters' leaves, holding no arrays, with its
`state_packing`. `init` returns the copy's initial values packed into an `OptimizerState` (see
`kerasish.optimizers.state`); `update` unpacks a state into values in Keras's order, runs the same
`stateless_step` as `apply` and `stateless_apply`, and packs the result, with the updates `new_params - params`
that optax's convention adds back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import kerasish.optimizers.schedules as schedules
from kerasish import backend
from kerasish.optimizers.references import Iteration, LearningRate, Reference, read_value, takes_a_step
from kerasish.optimizers.state import OptimizerState, StatePacking
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
        _, packing, values = self._build_program(params)
        return packing.pack(values)

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
        program, packing = self._program(params)
        leaves, treedef = jax.tree.flatten(params)
        grads = treedef.flatten_up_to(grads)
        new_leaves, new_values = program.stateless_step(packing.unpack(opt_state), list(grads), leaves,
                                                        list(range(len(leaves))))
        return treedef.unflatten(new_leaves), packing.pack(new_values)

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
        _, packing = self._program(params)
        packing.unpack(opt_state)  # checks that the state is this optimizer's
        return opt_state.slots["average"]

    def loss_scale(self, opt_state: Any = None) -> Any:
        """The factor the loss is multiplied by before taking gradients (`loss_scale_factor`, or
        `LossScaleOptimizer`'s dynamic scale held in `opt_state`); None when the loss is not scaled."""
        return self.loss_scale_factor

    def _program(self, params: Any) -> tuple[OptaxFace, Any]:
        """A copy of this optimizer built for `params`' structure, and its state packing (cached)."""
        found = self._programs.get(_structure(params))
        if found is None:
            program, packing, _ = self._build_program(params)
            return program, packing
        return found

    def _build_program(self, params: Any) -> tuple[OptaxFace, Any, list]:
        """`_program`'s copy and packing, made anew and cached, and the copy's initial values (which the cached
        copy does not keep: each step binds its own)."""
        leaves, treedef = jax.tree.flatten(params)
        key = _structure(params)
        program = self.unbuilt_copy()
        paths = [_path_name(p) for p, _ in jax.tree_util.tree_flatten_with_path(params)[0]]
        references = [Reference(np.shape(x), jnp.result_type(x), path.split("/")[-1], path)
                      for path, x in zip(paths, leaves)]
        if getattr(self, "_exclude_from_weight_decay", None):
            raise ValueError("exclude_from_weight_decay(var_list=...) names variables by identity, which the "
                             "optax face (init/update, fit) cannot see: use var_names=[...] (matched against "
                             "the parameters' names) instead.")
        with bound_values(references, leaves):  # a slot may start from its weight (ScheduleFreeAdamW)
            program.build(references)
            values = [v.value for v in program.variables]
        packing = program.state_packing(treedef, bool(leaves))
        for variable in program.variables:  # the copy holds no arrays: each step binds its own
            variable.replace_value(jax.ShapeDtypeStruct(variable.shape, variable.dtype))
        self._programs[key] = (program, packing)
        return program, packing, values

    def unbuilt_copy(self) -> OptaxFace:
        """A copy with the same configuration, not built: new `iteration` and `learning_rate` variables (the rate's
        current value; a schedule is shared), no slots, bound to no training run, no cached programs.

        The optax face builds one per structure of parameters; a wrapper (`LossScaleOptimizer`) copies its
        wrapped optimizer with it.

        Example:
          >>> from kerasish.optimizers import SGD
          >>> opt = SGD(0.5, momentum=0.9)
          >>> opt.build([jnp.zeros(2)])
          >>> twin = opt.unbuilt_copy()
          >>> twin.built, [v.name for v in twin.variables], float(twin.learning_rate), twin.momentum
          (False, ['iteration', 'learning_rate'], 0.5, 0.9)
        """
        iteration = self._make_variable(0, "int32", "iteration", Iteration)
        rate = self._learning_rate
        if isinstance(rate, Variable):
            rate = self._make_variable(rate.value, "float32", "learning_rate", LearningRate)
        state = self.__getstate__()  # the configuration; no training run, no cached programs
        state.update(built=False, _variables=[v for v in (iteration, rate) if isinstance(v, Variable)],
                     _trainable_variables=[], _trainable_variables_indices={}, _references=[], _slots={},
                     _iterations=iteration, _learning_rate=rate)
        twin = object.__new__(type(self))
        twin.__setstate__(state)
        return twin

    def state_packing(self, treedef: Any, any_weight: bool) -> StatePacking:
        """How the values of `variables`, built for parameters of structure `treedef`, go into this optimizer's
        optax-face state and back (`init`, `update`, `state_variables` use it).

        Args:
          treedef: the parameters' structure (`jax.tree.structure(params)`).
          any_weight: whether the parameters have a leaf. Without one the state still has the slots a weight
            would get (as `optax.tree_map_params`'s placeholders expect): a copy built on a probe weight names them.
        """
        roles = self._roles()
        if any_weight:
            slot_names = list(dict.fromkeys(r[1] for r in roles if r[0] == "slot"))
        else:
            probe = self.unbuilt_copy()
            reference = Reference((2, 2), "float32", "probe", "probe")
            with bound_values([reference], [jnp.zeros((2, 2), jnp.float32)]):
                probe.build([reference])
            slot_names = probe.state_packing(treedef, any_weight=True).slot_names
        rate = self._learning_rate
        scheduled = isinstance(rate, schedules.LearningRateSchedule) or takes_a_step(rate)
        return StatePacking(roles, slot_names, treedef, self._rate_at if scheduled else None, type(self).__name__)

    def _roles(self) -> list[tuple]:
        """What each of `variables` is in the optax-face state (see `StatePacking`)."""
        roles = []
        for variable in self._variables:
            if variable is self._iterations:
                roles.append(("iteration",))
            elif variable is self._learning_rate:
                roles.append(("learning_rate",))
            elif id(variable) in self._slots:
                roles.append(("slot", *self._slots[id(variable)]))
            else:
                roles.append(("other",))
        return roles

    def state_variables(self, opt_state: Any, params: Any) -> list[Variable]:
        """The optimizer variables held in an optax-face state, as named `Variable`s in Keras's order (what a
        `.keras` file stores), the per-weight entries in the order of `params`' leaves.

        Args:
          opt_state: a state from `init` / `update`.
          params: the parameters it was made for (arrays or shape-dtype structs).
        """
        program, packing = self._program(params)
        result = []
        for variable, value in zip(program.variables, packing.unpack(opt_state)):
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
        program, packing = self._program(params)
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
        return packing.pack(checked)


def _structure(params: Any) -> tuple:
    """What a cached program is built for: the parameters' tree structure, and each leaf's shape and dtype."""
    leaves, treedef = jax.tree.flatten(params)
    return treedef, tuple((tuple(np.shape(x)), str(jnp.result_type(x))) for x in leaves)


def _path_name(path: tuple) -> str:
    parts = []
    for key in path:
        part = getattr(key, "key", getattr(key, "idx", getattr(key, "name", key)))
        parts.append(str(part))
    return "/".join(parts) or "variable"
