"""Per-coordinate adaptive rates: RMSprop, Adagrad, Adadelta, Adafactor and Ftrl, as Keras 3 computes them."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.optimizers.checks as checks
from kerasish import initializers, registry
from kerasish.optimizers.base import Optimizer
from kerasish.optimizers.references import as_dtype


class RMSprop(Optimizer):
    """RMSprop: `v = rho * v + (1 - rho) * g**2`, step `lr * g / sqrt(v + epsilon)` (centered: `sqrt(v -
    mean_g**2 + epsilon)`), accumulated into `mom = momentum * mom + step` when `momentum > 0`.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      rho: the decay of the squared-gradient average, in [0, 1].
      momentum: in [0, 1].
      epsilon: `>= 0`.
      centered: divide by the gradient's estimated variance instead of its second moment.
      **kwargs: the base arguments (`weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm`, `use_ema`,
        `ema_momentum`, `ema_overwrite_frequency`, `loss_scale_factor`, `gradient_accumulation_steps`, `name`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> from kerasish.variables import Variable
      >>> w = Variable(10.0)
      >>> _ = RMSprop(learning_rate=0.1).apply_gradients([(w.value, w)])
      >>> round(float(w), 5)
      9.68377
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = checks.number("rho", rho, 0.0, 1.0, owner="RMSprop")
        self.momentum = checks.number("momentum", momentum, 0.0, 1.0, owner="RMSprop")
        self.epsilon = checks.number("epsilon", epsilon, 0.0, owner="RMSprop")
        self.centered = checks.boolean("centered", centered, "RMSprop")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = self.add_optimizer_variables(var_list, "momentum") if self.momentum > 0 else []
        self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient") if self.centered else []

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype)
        index, rho = self._get_variable_index(variable), self.rho
        velocity = self._velocities[index]
        self.assign(velocity, rho * velocity.value + (1 - rho) * jnp.square(gradient))
        if self.centered:
            average = self._average_gradients[index]
            self.assign(average, rho * average.value + (1 - rho) * gradient)
            denominator = velocity.value - jnp.square(average.value) + self.epsilon
        else:
            denominator = velocity.value + self.epsilon
        increment = (lr * gradient) / jnp.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[index]
            self.assign(momentum, self.momentum * momentum.value + increment)
            self.assign_sub(variable, momentum.value)
        else:
            self.assign_sub(variable, increment)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}


class Adagrad(Optimizer):
    """Adagrad: `acc += g**2`, `w -= lr * g / sqrt(acc + epsilon)`.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      initial_accumulator_value: the accumulators' starting value, `>= 0`.
      epsilon: `>= 0`.
      **kwargs: the base arguments (see `RMSprop`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> Adagrad().get_config()["initial_accumulator_value"]
      0.1
    """

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = checks.number("initial_accumulator_value", initial_accumulator_value, 0.0,
                                                       owner="Adagrad")
        self.epsilon = checks.number("epsilon", epsilon, 0.0, owner="Adagrad")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=initializers.Constant(self.initial_accumulator_value))

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        self.assign_add(accumulator, jnp.square(gradient))
        self.assign_sub(variable, (lr * gradient) / jnp.sqrt(accumulator.value + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta: the step `-sqrt(acc_dx + eps) / sqrt(acc_g + eps) * g`, from running averages of the squared
    gradients (`acc_g`) and squared steps (`acc_dx`), times the learning rate.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      rho: the averages' decay, in [0, 1].
      epsilon: `>= 0`.
      **kwargs: the base arguments (see `RMSprop`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> Adadelta().get_config()["rho"]
      0.95
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = checks.number("rho", rho, 0.0, 1.0, owner="Adadelta")
        self.epsilon = checks.number("epsilon", epsilon, 0.0, owner="Adadelta")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype)
        index, rho = self._get_variable_index(variable), self.rho
        grads, deltas = self._accumulated_grads[index], self._accumulated_delta_vars[index]
        root = lambda x: jnp.sqrt(x + self.epsilon)
        self.assign(grads, rho * grads.value + (1 - rho) * jnp.square(gradient))
        delta = -(root(deltas.value) * gradient) / root(grads.value)
        self.assign(deltas, rho * deltas.value + (1 - rho) * jnp.square(delta))
        self.assign_add(variable, lr * delta)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


def _rms(x: jax.Array) -> jax.Array:
    return jnp.sqrt(jnp.mean(jnp.square(x)))


class Adafactor(Optimizer):
    """Adafactor: the second moment of a matrix kept as row and column averages (`r`, `c`), steps scaled by the
    weight's RMS and clipped to RMS `clip_threshold`; with `relative_step` the rate is at most `1 / sqrt(t)`.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      beta_2_decay: the second moment's decay is `1 - t**beta_2_decay`; a finite number.
      epsilon_1: added to the squared gradients, `>= 0`.
      epsilon_2: the smallest weight RMS the step is scaled by, `>= 0`.
      clip_threshold: the largest RMS of the normalized step, `> 0`.
      relative_step: with a float learning rate, cap it at `1 / sqrt(t)`.
      **kwargs: the base arguments (see `RMSprop`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> Adafactor().get_config()["beta_2_decay"]
      -0.8
    """

    def __init__(self, learning_rate: Any = 0.001, beta_2_decay: float = -0.8, epsilon_1: float = 1e-30,
                 epsilon_2: float = 1e-3, clip_threshold: float = 1.0, relative_step: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay = checks.number("beta_2_decay", beta_2_decay, owner="Adafactor")
        self.epsilon_1 = checks.number("epsilon_1", epsilon_1, 0.0, owner="Adafactor")
        self.epsilon_2 = checks.number("epsilon_2", epsilon_2, 0.0, owner="Adafactor")
        self.clip_threshold = checks.number("clip_threshold", clip_threshold, 0.0, low_open=True, owner="Adafactor")
        self.relative_step = checks.boolean("relative_step", relative_step, "Adafactor")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for var in var_list:  # per weight: r, c, then the velocity (Keras's order and names)
            if self._overwrite_variable_with_gradient(var):
                self._r.append(None), self._c.append(None), self._v.append(None)
                continue
            shape = tuple(var.shape)
            if len(shape) < 2:  # Keras keeps two unused int32 scalars for a vector
                r_shape, c_shape, dtype = (), (), "int32"
            else:
                r_shape, c_shape, dtype = shape[:-1], shape[:-2] + shape[-1:], None
            self._r.append(self._add_slot(var, "r", shape=r_shape, name=var.name, dtype=dtype))
            self._c.append(self._add_slot(var, "c", shape=c_shape, name=var.name, dtype=dtype))
            self._v.append(self.add_variable_from_reference(var, "velocity"))

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient, t = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype), self._step_number(dtype)
        if self.relative_step and not callable(self._learning_rate):
            lr = jnp.minimum(lr, 1 / jnp.sqrt(t))
        index = self._get_variable_index(variable)
        r, c, v = self._r[index], self._c[index], self._v[index]
        rho_t = jnp.minimum(lr, 1 / jnp.sqrt(t))
        alpha_t = jnp.maximum(jnp.asarray(self.epsilon_2, dtype), _rms(variable.value)) * rho_t
        squares = jnp.square(gradient) + self.epsilon_1
        beta_2_t = 1 - jnp.power(t, self.beta_2_decay)
        if variable.value.ndim >= 2:
            self.assign(r, beta_2_t * r.value + (1 - beta_2_t) * jnp.mean(squares, axis=-1))
            self.assign(c, beta_2_t * c.value + (1 - beta_2_t) * jnp.mean(squares, axis=-2))
            rows = r.value / jnp.mean(r.value, axis=-1, keepdims=True)
            self.assign(v, rows[..., None] * c.value[..., None, :])
        else:
            self.assign(v, beta_2_t * v.value + (1 - beta_2_t) * squares)
        u = gradient / jnp.sqrt(v.value)
        u_hat = u / jnp.maximum(jnp.asarray(1.0, dtype), _rms(u) / self.clip_threshold)
        self.assign_sub(variable, alpha_t * u_hat)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step}


class Ftrl(Optimizer):
    """FTRL-Proximal ("Follow The Regularized Leader"), with L1, L2 and L2-shrinkage regularization, as Keras 3
    computes it: the weight is solved from the `linear` and `accumulator` slots at each step.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      learning_rate_power: `<= 0` (-0.5: the square root of the accumulated squared gradients).
      initial_accumulator_value: `>= 0`.
      l1_regularization_strength: `>= 0`.
      l2_regularization_strength: `>= 0`.
      l2_shrinkage_regularization_strength: `>= 0`.
      beta: `>= 0`, added to the L2 strength as `beta / (2 * lr)`.
      **kwargs: the base arguments (see `RMSprop`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> Ftrl().get_config()["learning_rate_power"]
      -0.5
    """

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, l2_shrinkage_regularization_strength: float = 0.0,
                 beta: float = 0.0, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        keras_signs = {"initial_accumulator_value": (initial_accumulator_value, "positive"),
                       "learning_rate_power": (learning_rate_power, "negative"),
                       "l1_regularization_strength": (l1_regularization_strength, "positive"),
                       "l2_regularization_strength": (l2_regularization_strength, "positive"),
                       "l2_shrinkage_regularization_strength": (l2_shrinkage_regularization_strength, "positive")}
        for name, (value, sign) in keras_signs.items():
            x = checks.as_number(value)
            checks.keras_range(x is not None and (x > 0 if sign == "negative" else x < 0),
                               f"`{name}` needs to be {sign} or zero. Received: {name}={value}.")
        self.learning_rate_power = checks.number("learning_rate_power", learning_rate_power, high=0.0, owner="Ftrl")
        self.initial_accumulator_value = checks.number("initial_accumulator_value", initial_accumulator_value, 0.0,
                                                       owner="Ftrl")
        self.l1_regularization_strength = checks.number("l1_regularization_strength", l1_regularization_strength,
                                                        0.0, owner="Ftrl")
        self.l2_regularization_strength = checks.number("l2_regularization_strength", l2_regularization_strength,
                                                        0.0, owner="Ftrl")
        self.l2_shrinkage_regularization_strength = checks.number(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, 0.0, owner="Ftrl")
        self.beta = checks.number("beta", beta, 0.0, owner="Ftrl")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"],
            initializer=[initializers.Constant(self.initial_accumulator_value), "zeros"])

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype)
        index = self._get_variable_index(variable)
        accumulator, linear = self._accumulators[index], self._linears[index]
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        w = variable.value
        shrunk = gradient + 2 * self.l2_shrinkage_regularization_strength * w
        new_accumulator = accumulator.value + jnp.square(gradient)
        growth = (jnp.power(new_accumulator, power) - jnp.power(accumulator.value, power)) / lr
        self.assign_add(linear, shrunk - growth * w)
        quadratic = jnp.power(new_accumulator, power) / lr + 2 * l2
        l1 = self.l1_regularization_strength
        self.assign(variable, (jnp.clip(linear.value, -l1, l1) - linear.value) / quadratic)
        self.assign(accumulator, new_accumulator)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


for _cls in (RMSprop, Adagrad, Adadelta, Adafactor, Ftrl):
    registry.register_builtin("optimizers", _cls)
