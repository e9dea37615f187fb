"""The Adam family: Adam, AdamW, Adamax, Nadam, Lamb and ScheduleFreeAdamW (moments of the gradient per weight).

Keras puts epsilon outside the square root of the raw second moment and folds the bias corrections into the
step size: Adam's step is `lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)`, which differs
from `optax.adam` (epsilon added to the bias-corrected `sqrt(v_hat)`) by more than rounding when epsilon is not
tiny; so the rules are written here, checked against Keras in the tests.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.optimizers.checks as checks
from kerasish import registry
from kerasish.optimizers.base import Optimizer
from kerasish.optimizers.references import as_dtype, read_value


def _moments(self: Optimizer, gradient: jax.Array, m, v, beta_1: float, beta_2: float) -> None:
    """`m += (g - m) * (1 - beta_1)`, `v += (g**2 - v) * (1 - beta_2)` (Keras's way of writing the averages)."""
    self.assign_add(m, (gradient - m.value) * (1 - beta_1))
    self.assign_add(v, (jnp.square(gradient) - v.value) * (1 - beta_2))


class Adam(Optimizer):
    """Adam, as Keras 3 computes it (see the module docstring).

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      beta_1: the decay of the first moment, in [0, 1).
      beta_2: the decay of the second moment, in [0, 1).
      epsilon: added to `sqrt(v)`, `>= 0`.
      amsgrad: use the running maximum of `v` (AMSGrad).
      **kwargs: the base arguments (`weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm`, `use_ema`,
        `ema_momentum`, `ema_overwrite_frequency`, `loss_scale_factor`, `gradient_accumulation_steps`, `name`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> from kerasish.variables import Variable
      >>> w = Variable([1.0, 2.0])
      >>> _ = Adam(learning_rate=0.5).apply_gradients([(jnp.array([1.0, 6.0]), w)])
      >>> w.numpy().round(4).tolist()
      [0.5, 1.5]
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        owner = type(self).__name__
        self.beta_1 = checks.number("beta_1", beta_1, 0.0, 1.0, high_open=True, owner=owner)
        self.beta_2 = checks.number("beta_2", beta_2, 0.0, 1.0, high_open=True, owner=owner)
        self.epsilon = checks.number("epsilon", epsilon, 0.0, owner=owner)
        self.amsgrad = checks.boolean("amsgrad", amsgrad, owner)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient, t = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype), self._step_number(dtype)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        alpha = lr * jnp.sqrt(1 - jnp.power(jnp.asarray(self.beta_2, dtype), t)) / (
            1 - jnp.power(jnp.asarray(self.beta_1, dtype), t))
        _moments(self, gradient, m, v, self.beta_1, self.beta_2)
        second = v.value
        if self.amsgrad:
            v_hat = self._velocity_hats[index]
            self.assign(v_hat, jnp.maximum(v_hat.value, second))
            second = v_hat.value
        self.assign_sub(variable, (m.value * alpha) / (jnp.sqrt(second) + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (`w -= lr * weight_decay * w` before each step), Keras 3's AdamW.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      weight_decay: the decay factor, a finite number `>= 0` (not None).
      beta_1: in [0, 1).
      beta_2: in [0, 1).
      epsilon: `>= 0`.
      amsgrad: use AMSGrad.
      **kwargs: the other base arguments (see `Adam`).

    Raises:
      ValueError: for an argument out of its range, or `weight_decay=None`.

    Example:
      >>> AdamW().get_config()["weight_decay"]
      0.004
    """

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         weight_decay=weight_decay, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm): `u = max(beta_2 * u, |g|)`, `w -= lr * m / ((1 - beta_1**t) *
    (u + epsilon))`.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      beta_1: in [0, 1).
      beta_2: in [0, 1].
      epsilon: `>= 0`.
      **kwargs: the base arguments (see `Adam`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> Adamax().get_config()["beta_2"]
      0.999
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = checks.number("beta_1", beta_1, 0.0, 1.0, high_open=True, owner="Adamax")
        self.beta_2 = checks.number("beta_2", beta_2, 0.0, 1.0, owner="Adamax")
        self.epsilon = checks.number("epsilon", epsilon, 0.0, owner="Adamax")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient, t = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype), self._step_number(dtype)
        index = self._get_variable_index(variable)
        m, u = self._m[index], self._u[index]
        self.assign_add(m, (gradient - m.value) * (1 - self.beta_1))
        self.assign(u, jnp.maximum(self.beta_2 * u.value, jnp.abs(gradient)))
        correction = 1 - jnp.power(jnp.asarray(self.beta_1, dtype), t)
        self.assign_sub(variable, (lr * m.value) / (correction * (u.value + self.epsilon)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Nadam (Adam with Nesterov momentum), with Keras's momentum schedule `u_t = beta_1 * (1 - 0.5 *
    0.96**t)` and its running product (the optimizer variable after the slots).

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      beta_1: in [0, 1).
      beta_2: in [0, 1).
      epsilon: `>= 0`.
      **kwargs: the base arguments (see `Adam`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> Nadam().get_config()["epsilon"]
      1e-07
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = checks.number("beta_1", beta_1, 0.0, 1.0, high_open=True, owner="Nadam")
        self.beta_2 = checks.number("beta_2", beta_2, 0.0, 1.0, high_open=True, owner="Nadam")
        self.epsilon = checks.number("epsilon", epsilon, 0.0, owner="Nadam")

    def build(self, var_list):
        if self.built:
            return
        dtype = var_list[0].dtype if var_list else "float32"
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype, name="variable")

    def _momentum_at(self, step: jax.Array) -> jax.Array:
        return self.beta_1 * (1.0 - 0.5 * jnp.power(jnp.asarray(0.96, step.dtype), step))

    def _backend_update_step(self, grads, trainable_variables, learning_rate) -> None:
        product = self._u_product
        self.assign(product, product.value * self._momentum_at(self._step_number(product.value.dtype)))
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient, t = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype), self._step_number(dtype)
        u_t, u_next = self._momentum_at(t), self._momentum_at(t + 1)
        product = self._u_product.value.astype(dtype)
        product_next = product * u_next
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        _moments(self, gradient, m, v, self.beta_1, self.beta_2)
        m_hat = u_next * m.value / (1 - product_next) + (1 - u_t) * gradient / (1 - product)
        v_hat = v.value / (1 - jnp.power(jnp.asarray(self.beta_2, dtype), t))
        self.assign_sub(variable, (m_hat * lr) / (jnp.sqrt(v_hat) + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Lamb(Optimizer):
    """LAMB: Adam's bias-corrected direction `r = m_hat / (sqrt(v_hat) + epsilon)`, scaled per weight by the
    trust ratio `||w|| / ||r||` (1 when either norm is 0).

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      beta_1: in [0, 1).
      beta_2: in [0, 1).
      epsilon: `>= 0`.
      **kwargs: the base arguments (see `Adam`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> Lamb(beta_1=0.8).get_config()["beta_1"]
      0.8
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = checks.number("beta_1", beta_1, 0.0, 1.0, high_open=True, owner="Lamb")
        self.beta_2 = checks.number("beta_2", beta_2, 0.0, 1.0, high_open=True, owner="Lamb")
        self.epsilon = checks.number("epsilon", epsilon, 0.0, owner="Lamb")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient, t = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype), self._step_number(dtype)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        _moments(self, gradient, m, v, self.beta_1, self.beta_2)
        m_hat = m.value / (1.0 - jnp.power(jnp.asarray(self.beta_1, dtype), t))
        v_root = jnp.sqrt(v.value / (1.0 - jnp.power(jnp.asarray(self.beta_2, dtype), t))) + self.epsilon
        direction = m_hat / v_root
        w_norm = jnp.sqrt(jnp.sum(jnp.square(variable.value)))
        r_norm = jnp.sqrt(jnp.sum(jnp.square(direction)))
        ratio = jnp.where((w_norm > 0) & (r_norm > 0), w_norm / jnp.where(r_norm > 0, r_norm, 1.0), 1.0)
        self.assign_sub(variable, ratio * lr * direction)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW (Defazio et al., 2024): the weights are an interpolation `y` between the sequence the
    gradient steps move (`momentum`, started at the weights) and its running average `x`, so no decay schedule
    is needed; Adam's second moment scales the steps, and the rate warms up linearly over `warmup_steps`.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.0025.
      beta_1: the interpolation between the momentum sequence and the average, in (0, 1].
      beta_2: the decay of the second moment, in [0, 1).
      epsilon: `>= 0`.
      warmup_steps: steps of linear warmup, an integer `>= 0`.
      **kwargs: the base arguments (see `Adam`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> ScheduleFreeAdamW().get_config()["epsilon"]
      1e-08
    """

    def __init__(self, learning_rate: Any = 0.0025, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, warmup_steps: int = 0, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = checks.number("beta_1", beta_1, 0.0, 1.0, low_open=True, owner="ScheduleFreeAdamW")
        self.beta_2 = checks.number("beta_2", beta_2, 0.0, 1.0, high_open=True, owner="ScheduleFreeAdamW")
        self.epsilon = checks.number("epsilon", epsilon, 0.0, owner="ScheduleFreeAdamW")
        self.warmup_steps = checks.integer("warmup_steps", warmup_steps, 0, "ScheduleFreeAdamW")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        for momentum, var in zip(self._momentums, var_list):  # the gradient steps start from the weights
            if momentum is not None:
                self.assign(momentum, read_value(var))

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient, t = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype), self._step_number(dtype)
        beta_1, beta_2 = jnp.asarray(self.beta_1, dtype), jnp.asarray(self.beta_2, dtype)
        if self.warmup_steps > 0:
            lr = lr * jnp.minimum(t / self.warmup_steps, 1.0)
        index = self._get_variable_index(variable)
        z, v = self._momentums[index], self._velocities[index]
        z_before = z.value
        self.assign_add(v, (jnp.square(gradient) - v.value) * (1 - beta_2))
        denominator = jnp.sqrt(v.value / (1 - jnp.power(beta_2, t))) + jnp.asarray(self.epsilon, dtype)
        self.assign_sub(z, (lr * gradient) / denominator)
        weight = 1.0 / t
        x_before = (variable.value - (1 - beta_1) * z_before) / beta_1  # the average, recovered from y
        x = (1 - weight) * x_before + weight * z.value
        self.assign(variable, (1 - beta_1) * z.value + beta_1 * x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "warmup_steps": self.warmup_steps}


for _cls in (Adam, AdamW, Adamax, Nadam, Lamb, ScheduleFreeAdamW):
    registry.register_builtin("optimizers", _cls)
