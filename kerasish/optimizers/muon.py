"""Muon: momentum orthogonalized by Newton-Schulz iterations for 2-D weights, AdamW for the others."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

import kerasish.optimizers.checks as checks
from kerasish import registry
from kerasish.optimizers.base import Optimizer
from kerasish.optimizers.references import as_dtype


def _swap_last_axes(x: jax.Array) -> jax.Array:
    return jnp.swapaxes(x, -1, -2)


class Muon(Optimizer):
    """Muon, as Keras 3 computes it.

    A 2-D weight whose path matches neither "embedding" (with `exclude_embeddings`) nor a pattern of
    `exclude_layers` takes the Muon step: the momentum `m = momentum * m + g`, the direction `g + momentum * m`
    (Nesterov) or `m`, orthogonalized by `ns_steps` quintic Newton-Schulz iterations (coefficients `muon_a`,
    `muon_b`, `muon_c`) and scaled by `sqrt(max(rows, cols)) * rms_rate`. Every other weight takes an AdamW
    step at `learning_rate * adam_lr_ratio` with `adam_beta_1`, `adam_beta_2`, `epsilon`. Weight decay is
    `weight_decay` for Muon weights and `adam_weight_decay` for the others.

    Args:
      learning_rate: a float `>= 0`, a schedule or a callable. Defaults to 0.001.
      adam_beta_1: in [0, 1).
      adam_beta_2: in [0, 1).
      adam_weight_decay: None or `>= 0`.
      epsilon: `>= 0`.
      weight_decay: None or `>= 0` (0.004 by default).
      exclude_layers: regular expressions; weights whose path matches one take the AdamW step.
      exclude_embeddings: embeddings take the AdamW step.
      muon_a: Newton-Schulz coefficient a.
      muon_b: Newton-Schulz coefficient b.
      muon_c: Newton-Schulz coefficient c.
      adam_lr_ratio: the AdamW step's learning-rate factor, `>= 0`.
      momentum: in [0, 1].
      ns_steps: Newton-Schulz iterations, an integer `>= 0`.
      nesterov: use Nesterov momentum.
      rms_rate: None (no scaling) or `>= 0`.
      **kwargs: the other base arguments (`clipnorm`, `clipvalue`, `global_clipnorm`, `use_ema`, `ema_momentum`,
        `ema_overwrite_frequency`, `loss_scale_factor`, `gradient_accumulation_steps`, `name`).

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> Muon(exclude_layers=["head"]).get_config()["ns_steps"]
      5
    """

    def __init__(self, learning_rate: Any = 0.001, adam_beta_1: float = 0.9, adam_beta_2: float = 0.999,
                 adam_weight_decay: float | None = 0.004, epsilon: float = 1e-7, weight_decay: float | None = 0.004,
                 exclude_layers: Sequence[str] | None = None, exclude_embeddings: bool = True,
                 muon_a: float = 3.4445, muon_b: float = -4.7750, muon_c: float = 2.0315, adam_lr_ratio: float = 1,
                 momentum: float = 0.95, ns_steps: int = 5, nesterov: bool = True, rms_rate: float | None = 0.2,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.adam_beta_1 = checks.number("adam_beta_1", adam_beta_1, 0.0, 1.0, high_open=True, owner="Muon")
        self.adam_beta_2 = checks.number("adam_beta_2", adam_beta_2, 0.0, 1.0, high_open=True, owner="Muon")
        self.epsilon = checks.number("epsilon", epsilon, 0.0, owner="Muon")
        for name, value in (("muon_a", muon_a), ("muon_b", muon_b), ("muon_c", muon_c)):
            checks.number(name, value, owner="Muon")
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        checks.number("adam_lr_ratio", adam_lr_ratio, 0.0, owner="Muon")
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = checks.number("momentum", momentum, 0.0, 1.0, owner="Muon")
        self.ns_steps = checks.integer("ns_steps", ns_steps, 0, "Muon")
        self.nesterov = checks.boolean("nesterov", nesterov, "Muon")
        self.exclude_embeddings = checks.boolean("exclude_embeddings", exclude_embeddings, "Muon")
        if exclude_layers is not None and (isinstance(exclude_layers, str)
                                           or not all(isinstance(k, str) for k in exclude_layers)):
            raise ValueError(f"Argument `exclude_layers` of Muon must be a list of strings (regular expressions), "
                             f"received exclude_layers={exclude_layers!r}.")
        self.exclude_layers = list(exclude_layers or [])
        self.adam_weight_decay = checks.optional_number("adam_weight_decay", adam_weight_decay, 0.0, owner="Muon")
        self.rms_rate = checks.optional_number("rms_rate", rms_rate, 0.0, owner="Muon")

    def _should_use_adamw(self, variable) -> bool:
        if len(variable.shape) != 2:
            return True
        path = str(getattr(variable, "path", variable.name))
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.momentums = [None] * len(var_list)
        self.adam_velocities = [None] * len(var_list)
        for var in var_list:  # per weight: its momentum, then (AdamW weights) its velocity
            if self._overwrite_variable_with_gradient(var):
                continue
            index = self._get_variable_index(var)
            self.momentums[index] = self.add_variable_from_reference(var, "momentum")
            if self._should_use_adamw(var):
                self.adam_velocities[index] = self.add_variable_from_reference(var, "velocity")

    def update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array) -> None:
        index = self._get_variable_index(variable)
        m, v = self.momentums[index], self.adam_velocities[index]
        if v is not None:
            self._adamw_update_step(gradient, variable, learning_rate * self.adam_lr_ratio, m, v)
        else:
            self._muon_update_step(gradient, variable, learning_rate, m)

    def _muon_update_step(self, gradient: jax.Array, variable, lr: jax.Array, m) -> None:
        self.assign_add(m, gradient + m.value * (self.momentum - 1))
        direction = gradient + self.momentum * m.value if self.nesterov else m.value
        self.assign_sub(variable, self.lr_adjust(lr * self.zeropower_via_newtonschulz5(direction, self.ns_steps)))

    def _adamw_update_step(self, gradient: jax.Array, variable, learning_rate: jax.Array, m, v) -> None:
        dtype = variable.value.dtype
        lr, gradient, t = as_dtype(learning_rate, dtype), as_dtype(gradient, dtype), self._step_number(dtype)
        alpha = lr * jnp.sqrt(1 - jnp.power(jnp.asarray(self.adam_beta_2, dtype), t)) / (
            1 - jnp.power(jnp.asarray(self.adam_beta_1, dtype), t))
        self.assign_add(m, (gradient - m.value) * (1 - self.adam_beta_1))
        self.assign_add(v, (jnp.square(gradient) - v.value) * (1 - self.adam_beta_2))
        self.assign_sub(variable, (m.value * alpha) / (jnp.sqrt(v.value) + self.epsilon))

    def lr_adjust(self, x: jax.Array) -> jax.Array:
        """Scales a 2-D step by `sqrt(max(rows, cols)) * rms_rate` (unchanged with `rms_rate=None`)."""
        if self.rms_rate is None:
            return x
        return x * jnp.sqrt(jnp.maximum(x.shape[0], x.shape[1])) * self.rms_rate

    def zeropower_via_newtonschulz5(self, x: jax.Array, steps: int) -> jax.Array:
        """An approximate orthogonalization of `x` (at least 2-D) by quintic Newton-Schulz iterations.

        Raises:
          ValueError: for an input of fewer than 2 dimensions.
        """
        if x.ndim < 2:
            raise ValueError(f"Expected gradient or momentum to have at least 2 dimensions. Received: "
                             f"shape={tuple(x.shape)}")
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = _swap_last_axes(x)
        x = x / (jnp.linalg.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
        for _ in range(steps):
            gram = x @ _swap_last_axes(x)
            x = a * x + (b * gram + c * gram @ gram) @ x
        return _swap_last_axes(x) if tall else x

    def _apply_weight_decay(self, variables) -> None:
        for variable in variables:
            if not self._use_weight_decay(variable):
                continue
            decay = self.adam_weight_decay if self._should_use_adamw(variable) else self.weight_decay
            if decay is None:
                continue
            rate = self._current_learning_rate().astype(variable.value.dtype)
            variable.assign(variable.value - variable.value * decay * rate)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon, "exclude_layers": self.exclude_layers, "muon_a": self.muon_a,
                "muon_b": self.muon_b, "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio,
                "momentum": self.momentum, "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings, "adam_weight_decay": self.adam_weight_decay,
                "rms_rate": self.rms_rate}


registry.register_builtin("optimizers", Muon)
