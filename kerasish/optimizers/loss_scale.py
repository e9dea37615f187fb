"""`LossScaleOptimizer`: dynamic loss scaling around another optimizer (Keras 3's), for float16 training.

The loss is multiplied by a scale (`scale_loss`) before gradients are taken, so small float16 gradients do not
underflow; the gradients are divided by it again before the wrapped optimizer uses them. A step whose
gradients hold inf or NaN is skipped and halves the scale; after `dynamic_growth_steps` finite steps in a row
the scale doubles.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.optimizers.checks as checks
from kerasish import initializers, registry
from kerasish.optimizers.base import Optimizer
from kerasish.optimizers.state import LossScalePacking, LossScaleState

# What Keras 3 accepted from older configs (its own base arguments at their defaults); anything else is refused.
_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                  "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Wraps `inner_optimizer` with dynamic loss scaling (see the module docstring).

    Its variables are its own (`iteration`, `learning_rate`, `step_counter`, `dynamic_scale`) followed by the
    wrapped optimizer's; `learning_rate` and `iterations` are the wrapped optimizer's.

    Args:
      inner_optimizer: the `Optimizer` to wrap (its own `loss_scale_factor` is switched off).
      initial_scale: the starting scale, a finite number `> 0`.
      dynamic_growth_steps: finite steps before the scale doubles, an integer `>= 1`.
      name: the optimizer's name.

    Raises:
      TypeError: if `inner_optimizer` is not a kerasish `Optimizer`.
      ValueError: for an argument out of its range, or base arguments (set them on the wrapped optimizer).

    Example:
      >>> from kerasish.optimizers import SGD
      >>> from kerasish.variables import Variable
      >>> w = Variable([1.0])
      >>> opt = LossScaleOptimizer(SGD(0.5), initial_scale=4.0)
      >>> _ = opt.apply_gradients([(jnp.array([8.0]), w)])  # the gradient of a loss scaled by 4
      >>> float(w[0]), float(opt.scale_loss(1.0))
      (0.0, 4.0)
    """

    def __init__(self, inner_optimizer: Optimizer, initial_scale: float = 2.0**15, dynamic_growth_steps: int = 2000,
                 name: str | None = None, **kwargs: Any) -> None:
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                             "`loss_scale_factor` directly on the `inner_optimizer`.")
        for argument, default in _BASE_DEFAULTS.items():
            if argument in kwargs and kwargs.pop(argument) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{argument}`. Instead, set `{argument}` on the "
                                 f"`inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(f"Argument `inner_optimizer` of LossScaleOptimizer must be a kerasish optimizer, received "
                            f"{inner_optimizer!r}.")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        checks.number("initial_scale", initial_scale, 0.0, low_open=True, owner="LossScaleOptimizer")
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = checks.integer("dynamic_growth_steps", dynamic_growth_steps, 1,
                                                   "LossScaleOptimizer")
        self.inner_optimizer.loss_scale_factor = None  # the gradients are unscaled here, once

    def build(self, var_list):
        self.step_counter = self.add_variable((), initializer=initializers.Zeros(), dtype="int32",
                                              name="step_counter")
        self.dynamic_scale = self.add_variable((), initializer=initializers.Constant(self.initial_scale),
                                               dtype="float32", name="dynamic_scale")
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self):
        return self._variables + self.inner_optimizer.variables

    @property
    def learning_rate(self) -> Any:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate: Any) -> None:
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self) -> Any:
        return self.inner_optimizer.iterations

    def bind(self, holder: Any) -> None:
        super().bind(holder)
        self.inner_optimizer.bind(holder)

    def scale_loss(self, loss: Any) -> Any:
        """The loss times the current scale (the initial one before the optimizer is built)."""
        return loss * (self.dynamic_scale.value if self.built else self.initial_scale)

    def loss_scale(self, opt_state: Any = None) -> Any:
        """The scale held in `opt_state` (an optax-face state), or the current one."""
        if isinstance(opt_state, LossScaleState):
            return opt_state.own[-1]
        return self.dynamic_scale.value if self.built else jnp.float32(self.initial_scale)

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def finalize_params(self, params: Any, opt_state: Any) -> Any:
        _, packing = self._program(params)
        packing.unpack(opt_state)  # checks that the state is this optimizer's
        return self.inner_optimizer.finalize_params(params, opt_state.inner)

    def check_finite(self, grads) -> jax.Array:
        """Whether every gradient is finite."""
        finite = [jnp.all(jnp.isfinite(g)) for g in grads if g is not None]
        return jnp.all(jnp.stack(finite)) if finite else jnp.asarray(True)

    def stateless_step(self, state: list, grads: list, trained: list, indices: list[int]) -> tuple[list, list]:
        """The wrapped optimizer's step on unscaled gradients when they are all finite; else the same values, the
        step skipped, and the scale halved (see `Optimizer.stateless_step` for the arguments)."""
        own_count = len(self._variables)
        own, inner = list(state[:own_count]), list(state[own_count:])
        position = {id(v): i for i, v in enumerate(self._variables)}
        counter_at, scale_at = position[id(self.step_counter)], position[id(self.dynamic_scale)]
        counter, scale = own[counter_at], own[scale_at]

        def with_own(new_counter, new_scale):
            values = list(own)
            values[counter_at], values[scale_at] = new_counter.astype(counter.dtype), new_scale.astype(scale.dtype)
            return values

        def finite_step():
            grow = counter == self.dynamic_growth_steps - 1
            references = [self._references[i] for i in indices]
            unscaled = [g if g is None or self._overwrite_variable_with_gradient(r) else g / scale
                        for g, r in zip(grads, references)]
            new_trained, new_inner = self.inner_optimizer.stateless_step(inner, unscaled, trained, indices)
            return new_trained, with_own(jnp.where(grow, 0, counter + 1), jnp.where(grow, scale * 2, scale)) + new_inner

        def skipped_step():
            return list(trained), with_own(jnp.zeros_like(counter), scale * 0.5) + inner

        return jax.lax.cond(self.check_finite(grads), finite_step, skipped_step)

    # -- the optax face ---------------------------------------------------------------------------

    def unbuilt_copy(self) -> LossScaleOptimizer:
        twin = super().unbuilt_copy()
        twin.inner_optimizer = self.inner_optimizer.unbuilt_copy()
        return twin

    def state_packing(self, treedef: Any, any_weight: bool) -> LossScalePacking:
        """Its own values as they are, then the wrapped optimizer's packed by its own packing."""
        return LossScalePacking(len(self._variables), self.inner_optimizer.state_packing(treedef, any_weight))

    def get_config(self) -> dict[str, Any]:
        from kerasish.optimizers.serialization import serialize
        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> LossScaleOptimizer:
        from kerasish.optimizers.serialization import deserialize
        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)


registry.register_builtin("optimizers", LossScaleOptimizer)
