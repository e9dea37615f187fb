"""`Optimizer`: Keras 3's optimizer (variables, `apply`, `stateless_apply`, config) with an optax face.

One object, three ways in, one computation:

- **Keras's stateful API** — `optimizer.apply_gradients(zip(grads, variables))` / `apply(grads, variables)`
  update the variables in place (kerasish `Variable`s, flax `nnx.Variable`s such as a layer's `nnx.Param`, or
  anything with `.assign`); `build(variables)` creates the optimizer's own variables (`optimizer.variables`:
  `iteration`, `learning_rate`, then the per-weight slots, in Keras's order and with Keras's names).
- **Keras's stateless API** — `stateless_apply(optimizer_variables, grads, trainable_variables)` returns
  `(new_trainable_variables, new_optimizer_variables)`: a pure function of lists of arrays, for a hand-written
  JAX loop under `jax.jit`.
- **the optax face** — `init(params)` / `update(grads, opt_state, params)`, so an optimizer goes wherever an
  `optax.GradientTransformation` goes (the training engine, `optax.chain`); the state is an
  `OptimizerState` (see `kerasish.optimizers.state`) holding the same variables.

A subclass writes Keras's two methods: `build(var_list)` (calling `super().build(var_list)`, then
`add_optimizer_variables` / `add_variable_from_reference`) and `update_step(gradient, variable,
learning_rate)` (with `self.assign`, `assign_add`, `assign_sub`). Each way in runs that code on variables
bound to the arrays of the moment (`kerasish.variables.bound_values`): traced inside a compiled step, concrete
when eager. Around it this class does what Keras's JAX backend does: gradient accumulation, clipping, weight
decay, the step, constraints, the moving average of the weights, the step count.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import kerasish.optimizers.checks as checks
import kerasish.optimizers.schedules as schedules
from kerasish import backend
from kerasish.optimizers.apply import ApplyGradients
from kerasish.optimizers.optax_face import OptaxFace
from kerasish.optimizers.references import Iteration, LearningRate, Reference, read_value, snake_case, takes_a_step
from kerasish.variables import Variable


class Optimizer(ApplyGradients, OptaxFace):
    """Keras 3's optimizer base class (see the module docstring for the three ways to use it).

    Args:
      learning_rate: a finite float `>= 0`, a `kerasish.optimizers.schedules.LearningRateSchedule`, or a
        callable: with no argument (Keras's convention) or taking the step count (an optax schedule).
      weight_decay: None, or Keras's decoupled weight decay `w -= lr * weight_decay * w` before each step.
      clipnorm: None, or the largest L2 norm of each gradient array.
      clipvalue: None, or the largest absolute value of a gradient element.
      global_clipnorm: None, or the largest L2 norm of all gradients together.
      use_ema: keep an exponential moving average of the weights (`finalize_variable_values` writes it in).
      ema_momentum: the average's momentum, in [0, 1].
      ema_overwrite_frequency: None, or write the average into the weights every this many steps.
      loss_scale_factor: None, or a constant the loss is multiplied by (`scale_loss`) and the gradients
        divided by.
      gradient_accumulation_steps: None, or update every this many steps (>= 2) with the mean gradient.
      name: the optimizer's name (`"adam"`, `"adam_1"`, ... by default, as Keras names them).

    Raises:
      ValueError: for an argument out of its range (the message names it, the value and the range), an
        unknown argument, or more than one of the three clipping arguments.

    Example:
      >>> from kerasish.optimizers import SGD
      >>> w = Variable([1.0, 2.0])
      >>> opt = SGD(learning_rate=0.5)
      >>> _ = opt.apply_gradients([(jnp.array([1.0, 1.0]), w)])
      >>> w.numpy().tolist(), [v.name for v in opt.variables]
      ([0.5, 1.5], ['iteration', 'learning_rate'])
    """

    def __init__(self, learning_rate: Any, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None, gradient_accumulation_steps: int | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        owner = type(self).__name__
        if "decay" in kwargs:
            raise ValueError(f"Argument `decay` of {owner} is no longer supported (Keras 3 ignores it): give a "
                             f"kerasish.optimizers.schedules.LearningRateSchedule as `learning_rate` instead.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized by {owner}: {kwargs}")
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"Argument `name` of {owner} must be a non-empty string, received name={name!r}.")
        self.weight_decay = checks.optional_number("weight_decay", weight_decay, 0.0, owner=owner)
        self.clipnorm = checks.optional_number("clipnorm", clipnorm, 0.0, low_open=True, owner=owner)
        self.clipvalue = checks.optional_number("clipvalue", clipvalue, 0.0, low_open=True, owner=owner)
        self.global_clipnorm = checks.optional_number("global_clipnorm", global_clipnorm, 0.0, low_open=True,
                                                      owner=owner)
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(v is not None for v in clips.values()) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             f"{', '.join(f'{k}={v}' for k, v in clips.items())}")
        self.use_ema = checks.boolean("use_ema", use_ema, owner)
        self.ema_momentum = ema_momentum
        checks.number("ema_momentum", ema_momentum, 0.0, 1.0, owner=owner)
        self.ema_overwrite_frequency = checks.integer("ema_overwrite_frequency", ema_overwrite_frequency, 1, owner,
                                                      allow_none=True)
        self.loss_scale_factor = checks.optional_number("loss_scale_factor", loss_scale_factor, 0.0, low_open=True,
                                                        owner=owner)
        self.gradient_accumulation_steps = checks.integer("gradient_accumulation_steps", gradient_accumulation_steps,
                                                          2, owner, allow_none=True)
        self.name = name or backend.unique_name(snake_case(owner))
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list[Any] = []
        self._trainable_variables_indices: dict[int, int] = {}
        self._references: list[Reference] = []
        self._slots: dict[int, tuple[str, int]] = {}  # id(variable) -> (slot name, index of its weight)
        self._holder: Callable[[], Any] | None = None
        self._programs: dict[Any, Optimizer] = {}  # the optax face: one built copy per parameter structure
        self._iterations = self._new_variable(0, "int32", "iteration", Iteration)
        self._learning_rate = self._as_learning_rate(learning_rate)

    # -- variables --------------------------------------------------------------------------------

    def _make_variable(self, value: Any, dtype: Any, name: str, cls: type[Variable] = Variable) -> Variable:
        """A variable of this optimizer (path `<optimizer name>/<name>`), not yet among its `variables`."""
        variable = cls(value, dtype=dtype, trainable=False, name=name)
        variable.path = f"{self.name}/{name}"
        return variable

    def _new_variable(self, value: Any, dtype: Any, name: str, cls: type[Variable] = Variable) -> Variable:
        variable = self._make_variable(value, dtype, name, cls)
        self._variables.append(variable)
        return variable

    def _as_learning_rate(self, learning_rate: Any) -> Any:
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            return learning_rate
        checks.number("learning_rate", read_value(learning_rate), 0.0, owner=type(self).__name__)
        rate = self._new_variable(np.float32(read_value(learning_rate)), "float32", "learning_rate", LearningRate)
        rate.follow_run(self._holder)
        return rate

    @property
    def variables(self) -> list[Variable]:
        """The optimizer's variables in Keras's order: `iteration`, `learning_rate` (absent with a schedule), then
        what `build` created (moving averages, gradient accumulators, the optimizer's slots)."""
        return self._variables[:]

    @property
    def iterations(self) -> Any:
        """The optimizer steps taken (Keras's `iterations`; with gradient accumulation, the number of updates);
        live during `fit` when the engine offers its state."""
        if self.gradient_accumulation_steps:
            return read_value(self._iterations) // self.gradient_accumulation_steps
        return self._iterations

    def build(self, var_list: Sequence[Any]) -> None:
        """Creates the optimizer's variables for the trained variables `var_list` (their shapes, dtypes and names).

        A subclass calls `super().build(var_list)` first, then creates its slots with `add_optimizer_variables`.
        """
        var_list = list(var_list)
        self._trainable_variables = var_list[:]
        self._references = [v if isinstance(v, Reference) else Reference.of(v) for v in var_list]
        for i, (variable, reference) in enumerate(zip(var_list, self._references)):
            self._trainable_variables_indices[id(variable)] = i
            self._trainable_variables_indices[id(reference)] = i
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(var_list, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = [self.add_variable_from_reference(v, "gradient_accumulator")
                                           for v in var_list]
        self.built = True

    def add_variable(self, shape: Sequence[int], initializer: Any = "zeros", dtype: Any = None,
                     aggregation: str = "none", layout: Any = None, name: str | None = None) -> Variable:
        """Creates one optimizer variable (Keras's `add_variable`); it joins `variables`."""
        variable = Variable(initializer, shape=tuple(shape), dtype=dtype or backend.floatx(), trainable=False,
                            aggregation=aggregation, name=name)
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable: Any, name: str | None = None,
                                    initializer: Any = "zeros") -> Variable:
        """Creates a variable shaped like a trained variable, named `<its path with _>_<name>` (Keras's rule)."""
        return self._add_slot(reference_variable, name or "var", initializer)

    def _add_slot(self, reference: Any, slot: str, initializer: Any = "zeros", shape: Sequence[int] | None = None,
                  name: str | None = None, dtype: Any = None) -> Variable:
        """A variable belonging to one trained variable (`slot` groups them in the optax-face state)."""
        path = getattr(reference, "path", None) or getattr(reference, "name", "variable")
        variable = self.add_variable(reference.shape if shape is None else shape, initializer,
                                     dtype or getattr(reference, "dtype", None),
                                     name=name or f"{str(path).replace('/', '_').replace(':', '_')}_{slot}")
        index = self._trainable_variables_indices.get(id(reference))
        if index is not None:
            self._slots[id(variable)] = (slot, index)
        return variable

    def add_optimizer_variables(self, trainable_variables: Sequence[Any], name: str | Sequence[str],
                                initializer: Any = "zeros") -> Any:
        """One variable per trained variable and per name (interleaved: `a_momentum, a_velocity, b_momentum, ...`,
        Keras's order); None for a variable that is overwritten with its gradient. Returns a list, or a tuple of
        lists for several names."""
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        if len(inits) != len(names):
            raise ValueError(f"The number of provided names must match the number of provided initializers. "
                             f"Received name={name!r}, initializer={initializer!r}")
        made: tuple[list, ...] = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, (slot, init) in enumerate(zip(names, inits)):
                skip = self._overwrite_variable_with_gradient(variable)
                made[i].append(None if skip else self.add_variable_from_reference(variable, slot, init))
        return made[0] if isinstance(name, str) else made

    def _overwrite_variable_with_gradient(self, variable: Any) -> bool:
        return bool(getattr(variable, "overwrite_with_gradient", False))

    def _var_key(self, variable: Any) -> int:
        return id(variable)

    def _get_variable_index(self, variable: Any) -> int:
        return self._trainable_variables_indices[self._var_key(variable)]

    def _check_variables_are_known(self, variables: Sequence[Any]) -> None:
        for v in variables:
            if self._var_key(v) not in self._trainable_variables_indices:
                raise ValueError(f"Unknown variable: {v}. This optimizer can only be called for the variables it "
                                 f"was originally built with. When working with a new set of variables, you should "
                                 f"recreate a new optimizer instance.")

    def assign(self, variable: Variable, value: Any) -> None:
        """`variable.assign(value)` (Keras's hook for subclasses' `update_step`)."""
        variable.assign(value)

    def assign_add(self, variable: Variable, value: Any) -> None:
        variable.assign_add(value)

    def assign_sub(self, variable: Variable, value: Any) -> None:
        variable.assign_sub(value)

    def _step_number(self, dtype: Any) -> jax.Array:
        """The number of the update being made, from 1 (`iterations + 1`), as `dtype`."""
        return (jnp.asarray(read_value(self.iterations)) + 1).astype(dtype)

    def update_step(self, gradient: jax.Array, variable: Variable, learning_rate: jax.Array) -> None:
        """Updates `variable` (and this optimizer's slots for it) from its gradient: the optimizer's rule."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update_step(gradient, variable, "
                                  f"learning_rate)`.")

    # -- the learning rate --------------------------------------------------------------------------

    @property
    def learning_rate(self) -> Any:
        """The learning rate of the next step: the `learning_rate` variable (`float(...)`, `.numpy()`,
        comparisons, `.assign(0.1)`), or a schedule's value at the current step. Live during `fit`."""
        rate = self._learning_rate
        if isinstance(rate, Variable):
            return rate
        holder = self._live_holder()
        live = None if holder is None else holder.learning_rate()
        if live is not None:
            return jnp.asarray(live, jnp.float32)
        return self._rate_at(read_value(self._iterations))

    @learning_rate.setter
    def learning_rate(self, learning_rate: Any) -> None:
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            if self._live_holder() is not None:
                raise ValueError(f"The learning rate of {self.name!r} cannot become a schedule once a model trains "
                                 f"with it (the compiled step holds a float rate); compile again with the schedule.")
            if isinstance(self._learning_rate, Variable):
                self._variables = [v for v in self._variables if v is not self._learning_rate]
            self._learning_rate = learning_rate
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                            "constructor argument, hence its learning rate is not settable. If you need the learning "
                            "rate to be settable, you should instantiate the optimizer with a float `learning_rate` "
                            "argument.")
        if not isinstance(self._learning_rate, Variable):
            raise ValueError(f"This optimizer's learning rate is a schedule, hence not settable; received "
                             f"value={learning_rate!r}. Build the optimizer with a float learning rate to set it.")
        checks.number("learning_rate", read_value(learning_rate), 0.0, owner=type(self).__name__)
        self._learning_rate.assign(read_value(learning_rate))

    def _rate_at(self, step: Any) -> jax.Array:
        """The learning rate at step `step` (the `learning_rate` variable's value, or the schedule's)."""
        rate = self._learning_rate
        if isinstance(rate, Variable):
            return rate.value
        if isinstance(rate, schedules.LearningRateSchedule) or takes_a_step(rate):
            return jnp.asarray(rate(step), jnp.float32)
        return jnp.asarray(read_value(rate()), jnp.float32)

    def _current_learning_rate(self) -> jax.Array:
        return self._rate_at(self._iterations.value)

    def bind(self, holder: Any) -> None:
        """Makes `learning_rate` (and `iterations`) read and write a training run's live state.

        Called by the training engine: `holder.learning_rate()` returns the rate of the next step and
        `holder.set_learning_rate(value)` sets it; an optional `holder.optimizer_state()` returns the live
        optimizer state (for `iterations`). Held by a weak reference.
        """
        self._holder = weakref.ref(holder)
        self._iterations.follow_run(self._holder)
        if isinstance(self._learning_rate, LearningRate):
            self._learning_rate.follow_run(self._holder)

    def _live_holder(self) -> Any:
        return None if self._holder is None else self._holder()

    # -- weights and config ---------------------------------------------------------------------------

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Sets the values of `variables` (in order).

        Raises:
          ValueError: if the optimizer is not built, or a shape does not match.
        """
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. Please "
                             "call `optimizer.build(trainable_variables)` to create the optimizer weights before "
                             "calling `set_weights()`.")
        for variable, weight in zip(self._variables, weights):
            if tuple(np.shape(read_value(weight))) != variable.shape:
                raise ValueError(f"Optimizer variable {variable.path!r} has shape {variable.shape} not compatible "
                                 f"with provided weight shape {tuple(np.shape(read_value(weight)))}.")
            variable.assign(read_value(weight))

    def save_own_variables(self, store: dict) -> None:
        """Stores each variable's value under its index (`"0"`, `"1"`, ...), as a `.keras` file does."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store: dict) -> None:
        """Sets the variables from `save_own_variables`'s store.

        Raises:
          ValueError: if the store holds another number of variables (Keras warns and skips).
        """
        if len(store.keys()) != len(self.variables):
            raise ValueError(f"Optimizer {self.name!r} has {len(self.variables)} variables whereas the saved "
                             f"optimizer has {len(store.keys())} variables"
                             f"{' (build it on the model variables first)' if not self.built else ''}.")
        for i, variable in enumerate(self.variables):
            variable.assign(store[str(i)])

    def get_config(self) -> dict[str, Any]:
        """Keras's config: `name`, `learning_rate` (a float, or a schedule's serialized dict; a callable as it is),
        and the base arguments; subclasses add their own."""
        rate = self._learning_rate
        if isinstance(rate, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(rate)
        elif isinstance(rate, Variable):
            learning_rate = float(np.float32(rate.numpy()))
        else:
            learning_rate = rate
        return {"name": self.name, "learning_rate": learning_rate, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency, "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
        """An optimizer from `get_config()`'s dict (a serialized schedule is rebuilt)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(vars(self))
        state["_holder"], state["_programs"] = None, {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"
