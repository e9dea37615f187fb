"""SGD (with momentum and Nesterov) and Lion: optimizers whose slot is one momentum per weight."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.optimizers.checks as checks
from kerasish import registry
from kerasish.optimizers.base import Optimizer
from kerasish.optimizers.references import as_dtype


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum, as Keras 3 computes it.

    Without momentum `w -= lr * g`; with it the velocity `m = momentum * m - lr * g` (the learning rate is
    inside the velocity, so changing it mid-training matches Keras) and `w += m`, or with Nesterov
    `w += momentum * m - lr * g`.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable (see `Optimizer`). Defaults to 0.01.
      momentum: in [0, 1]; 0 keeps no velocity.
      nesterov: use Nesterov momentum.
      **kwargs: the base arguments (`weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm`, `use_ema`,
        `ema_momentum`, `ema_overwrite_frequency`, `loss_scale_factor`, `gradient_accumulation_steps`, `name`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> from kerasish.variables import Variable
      >>> w = Variable([1.0])
      >>> opt = SGD(0.1, momentum=0.9)
      >>> for _ in range(2):
      ...     _ = opt.apply_gradients([(jnp.ones(1), w)])
      >>> round(float(w[0]), 6)  # 1 - 0.1 - (0.9 * 0.1 + 0.1)
      0.71
    """

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        x = checks.as_number(momentum)
        checks.keras_range(x is not None and (x < 0 or x > 1),
                           f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        self.momentum = checks.number("momentum", momentum, 0.0, 1.0, owner="SGD")
        self.nesterov = checks.boolean("nesterov", nesterov, "SGD")

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum") if self.momentum != 0 else []

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype)
        if self.momentum == 0:
            self.assign_sub(variable, gradient * lr)
            return
        velocity = self.momentums[self._get_variable_index(variable)]
        momentum = jnp.asarray(self.momentum, dtype)
        self.assign(velocity, velocity.value * momentum - gradient * lr)
        step = velocity.value * momentum - gradient * lr if self.nesterov else velocity.value
        self.assign_add(variable, step)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Lion(Optimizer):
    """Lion (EvoLved Sign Momentum): `w -= lr * sign(beta_1 * m + (1 - beta_1) * g)`, then
    `m = beta_2 * m + (1 - beta_2) * g`.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      beta_1: the mix of momentum and gradient in the step's sign, in (0, 1].
      beta_2: the momentum's decay, in [0, 1].
      **kwargs: the base arguments (see `SGD`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> from kerasish.variables import Variable
      >>> w = Variable([1.0, 1.0])
      >>> _ = Lion(0.1).apply_gradients([(jnp.array([3.0, -0.5]), w)])
      >>> w.numpy().tolist()
      [0.8999999761581421, 1.100000023841858]
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        x = checks.as_number(beta_1)
        checks.keras_range(x is not None and (x <= 0 or x > 1),
                           f"Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to "
                           f"SignSGD. Received: beta_1={beta_1}.")
        self.beta_1 = checks.number("beta_1", beta_1, 0.0, 1.0, low_open=True, owner="Lion")
        self.beta_2 = checks.number("beta_2", beta_2, 0.0, 1.0, owner="Lion")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        dtype = variable.value.dtype
        lr, gradient = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype)
        beta_1, beta_2 = jnp.asarray(self.beta_1, dtype), jnp.asarray(self.beta_2, dtype)
        m = self._momentums[self._get_variable_index(variable)]
        self.assign_sub(variable, lr * jnp.sign(m.value * beta_1 + gradient * (1.0 - beta_1)))
        self.assign(m, m.value * beta_2 + gradient * (1.0 - beta_2))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


for _cls in (SGD, Lion):
    registry.register_builtin("optimizers", _cls)
