"""Learning-rate schedules (`keras.optimizers.schedules`): the rate as a function of the optimizer's step.

An optimizer given a schedule as its `learning_rate` calls it with its step count (`optimizer.iterations`,
before the step: 0 for the first) at every step, inside the compiled step. Each schedule is Keras 3's, with
its arguments, defaults, config and maths, computed in float32; optax's schedules differ at the edges
(negative steps, `decay_rate=0`), so these are written out in `jax.numpy`.

A schedule of your own subclasses `LearningRateSchedule`, implements `__call__(step)` with `jax.numpy` (or
`kerasish.ops`) and `get_config()`, and is registered with `kerasish.saving.register_serializable()` to be
saved with a model.

Example:
  >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
  >>> round(float(schedule(10)), 6), round(float(schedule(20)), 6)
  (0.05, 0.025)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

import kerasish.optimizers.checks as checks
from kerasish import registry

_FAMILY = "schedules"
_KERAS_MODULE = "keras.optimizers.schedules"


def _value(x: Any) -> Any:
    """A variable's value (schedules accept Keras variables as steps and as arguments), or `x`."""
    return getattr(x, "value", x)


def _float(x: Any) -> jax.Array:
    return jnp.asarray(_value(x), jnp.float32)


def _check_steps(name: str, value: Any, owner: str) -> None:
    checks.number(name, _value(value), 0.0, low_open=True, owner=owner)


def _check_rate(name: str, value: Any, owner: str) -> None:
    checks.number(name, _value(value), 0.0, owner=owner)


class LearningRateSchedule:
    """The base class of schedules: `__call__(step) -> learning rate` and `get_config()`.

    Example:
      >>> class Halving(LearningRateSchedule):
      ...     def __init__(self, initial):
      ...         self.initial = initial
      ...     def __call__(self, step):
      ...         return self.initial * 0.5 ** (step // 10)
      ...     def get_config(self):
      ...         return {"initial": self.initial}
      >>> float(Halving(1.0)(25)), Halving.from_config({"initial": 2.0}).initial
      (0.25, 2.0)
    """

    def __call__(self, step: Any) -> jax.Array:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  f"`__call__(self, step)`.")

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in "
                                  f"order to be serializable.")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """The schedule `get_config()` describes."""
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (the exponent floored with `staircase`).

    Args:
      initial_learning_rate: the rate at step 0, a finite number `>= 0`.
      decay_steps: steps per factor of `decay_rate`, `> 0`.
      decay_rate: the factor, a finite number `>= 0`.
      staircase: decay in whole steps of `decay_steps`.
      name: the schedule's name.

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> round(float(ExponentialDecay(1.0, 4, 0.5, staircase=True)(7)), 6)
      0.5
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "ExponentialDecay") -> None:
        _check_rate("initial_learning_rate", initial_learning_rate, "ExponentialDecay")
        _check_steps("decay_steps", decay_steps, "ExponentialDecay")
        _check_rate("decay_rate", decay_rate, "ExponentialDecay")
        self.initial_learning_rate, self.decay_steps, self.decay_rate = initial_learning_rate, decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step: Any) -> jax.Array:
        p = _float(step) / _float(self.decay_steps)
        if self.staircase:
            p = jnp.floor(p)
        return _float(self.initial_learning_rate) * jnp.power(_float(self.decay_rate), p)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` up to and including `boundaries[0]`, `values[1]` up to `boundaries[1]`, ..., then `values[-1]`.

    Args:
      boundaries: increasing step numbers, one fewer than `values`.
      values: the rates, finite numbers.
      name: the schedule's name.

    Raises:
      ValueError: if `len(boundaries) != len(values) - 1`, or the boundaries do not increase, or a value is not
        a finite number.

    Example:
      >>> schedule = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
      >>> [round(float(schedule(s)), 6) for s in (10, 11, 21)]
      [1.0, 0.5, 0.1]
    """

    def __init__(self, boundaries: Sequence[Any], values: Sequence[Any], name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                             f"{len(values)}.")
        numbers = [checks.number("boundaries", _value(b), owner="PiecewiseConstantDecay") for b in boundaries]
        if any(b >= c for b, c in zip(numbers, numbers[1:])):
            raise ValueError(f"Argument `boundaries` of PiecewiseConstantDecay must increase strictly, received "
                             f"boundaries={boundaries}.")
        for v in values:
            checks.number("values", _value(v), owner="PiecewiseConstantDecay")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step: Any) -> jax.Array:
        step = jnp.asarray(_value(step))
        boundaries = [jnp.asarray(_value(b)).astype(step.dtype) for b in self.boundaries]
        values = [_float(v) for v in self.values]
        # Each value where the step lies in its range (b_{i-1}, b_i], summed: one value per step.
        result = (step <= boundaries[0]) * values[0] + (step > boundaries[-1]) * values[-1]
        for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
            result = result + ((step > low) & (step <= high)) * value
        return jnp.asarray(result, jnp.float32)

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - step / decay_steps) ** power + end`, the step held at `decay_steps` (or, with
    `cycle`, `decay_steps` stretched to the next multiple above the step).

    Args:
      initial_learning_rate: the rate at step 0, a finite number `>= 0`.
      decay_steps: steps to reach `end_learning_rate`, `> 0`.
      end_learning_rate: the final rate, a finite number `>= 0`.
      power: the polynomial's power, a finite number.
      cycle: restart the decay beyond `decay_steps`.
      name: the schedule's name.

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> round(float(PolynomialDecay(1.0, 10, end_learning_rate=0.0)(5)), 6)
      0.5
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False, name: str = "PolynomialDecay") -> None:
        _check_rate("initial_learning_rate", initial_learning_rate, "PolynomialDecay")
        _check_steps("decay_steps", decay_steps, "PolynomialDecay")
        _check_rate("end_learning_rate", end_learning_rate, "PolynomialDecay")
        checks.number("power", _value(power), owner="PolynomialDecay")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step: Any) -> jax.Array:
        step, decay_steps = _float(step), _float(self.decay_steps)
        if self.cycle:
            multiplier = jnp.where(step == 0, 1.0, jnp.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = jnp.minimum(step, decay_steps)
        initial, end = _float(self.initial_learning_rate), _float(self.end_learning_rate)
        return (initial - end) * jnp.power(1 - step / decay_steps, _float(self.power)) + end

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (the ratio floored with `staircase`).

    Args:
      initial_learning_rate: the rate at step 0, a finite number `>= 0`.
      decay_steps: `> 0`.
      decay_rate: a finite number `>= 0`.
      staircase: decay in whole steps of `decay_steps`.
      name: the schedule's name.

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> round(float(InverseTimeDecay(1.0, 1, 0.5)(2)), 6)
      0.5
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "InverseTimeDecay") -> None:
        _check_rate("initial_learning_rate", initial_learning_rate, "InverseTimeDecay")
        _check_steps("decay_steps", decay_steps, "InverseTimeDecay")
        _check_rate("decay_rate", decay_rate, "InverseTimeDecay")
        self.initial_learning_rate, self.decay_steps, self.decay_rate = initial_learning_rate, decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step: Any) -> jax.Array:
        p = _float(step) / _float(self.decay_steps)
        if self.staircase:
            p = jnp.floor(p)
        return _float(self.initial_learning_rate) / (1.0 + _float(self.decay_rate) * p)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


def _cosine(fraction: jax.Array, alpha: jax.Array) -> jax.Array:
    """`(1 - alpha) * (1 + cos(pi * fraction)) / 2 + alpha`."""
    return (1 - alpha) * (0.5 * (1.0 + jnp.cos(jnp.float32(math.pi) * fraction))) + alpha


class CosineDecay(LearningRateSchedule):
    """A cosine from the rate down to `alpha` times it over `decay_steps`, after an optional linear warmup
    from `initial_learning_rate` to `warmup_target` over `warmup_steps`.

    Args:
      initial_learning_rate: the rate at step 0, a finite number `>= 0`.
      decay_steps: the length of the cosine, `> 0`.
      alpha: the final rate as a fraction of the rate the cosine starts from, a finite number.
      name: the schedule's name.
      warmup_target: None (no warmup), or the rate the warmup reaches, a finite number `>= 0`.
      warmup_steps: the length of the warmup, a finite number `>= 0`.

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> schedule = CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=10)
      >>> [round(float(schedule(s)), 6) for s in (5, 10, 15, 20)]
      [0.5, 1.0, 0.5, 0.0]
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0, name: str = "CosineDecay",
                 warmup_target: float | None = None, warmup_steps: int = 0) -> None:
        _check_rate("initial_learning_rate", initial_learning_rate, "CosineDecay")
        _check_steps("decay_steps", decay_steps, "CosineDecay")
        checks.number("alpha", _value(alpha), owner="CosineDecay")
        if warmup_target is not None:
            _check_rate("warmup_target", warmup_target, "CosineDecay")
        checks.number("warmup_steps", _value(warmup_steps), 0.0, owner="CosineDecay")
        self.initial_learning_rate, self.decay_steps, self.alpha, self.name = (initial_learning_rate, decay_steps,
                                                                               alpha, name)
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def __call__(self, step: Any) -> jax.Array:
        initial, decay_steps, alpha = _float(self.initial_learning_rate), _float(self.decay_steps), _float(self.alpha)
        step = _float(step)
        if self.warmup_target is None:
            return initial * _cosine(jnp.minimum(step, decay_steps) / decay_steps, alpha)
        target, warmup_steps = _float(self.warmup_target), _float(self.warmup_steps)
        step = jnp.minimum(step, decay_steps + warmup_steps)
        return jax.lax.cond(step < warmup_steps,
                            lambda: (target - initial) * (step / warmup_steps) + initial,
                            lambda: target * _cosine((step - warmup_steps) / decay_steps, alpha))

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): a cosine over `first_decay_steps`, then again over
    `t_mul` times as many steps, each restart from `m_mul` times the previous peak.

    Args:
      initial_learning_rate: the first peak, a finite number `>= 0`.
      first_decay_steps: the first period, `> 0`.
      t_mul: the factor between successive periods, a finite number `> 0`.
      m_mul: the factor between successive peaks, a finite number `>= 0`.
      alpha: the lowest rate as a fraction of the peak, a finite number.
      name: the schedule's name.

    Raises:
      ValueError: for an argument out of its range.

    Example:
      >>> schedule = CosineDecayRestarts(1.0, 10, t_mul=1.0)
      >>> [round(float(schedule(s)), 6) for s in (0, 5, 10)]
      [1.0, 0.5, 1.0]
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: int, t_mul: float = 2.0, m_mul: float = 1.0,
                 alpha: float = 0.0, name: str = "SGDRDecay") -> None:
        _check_rate("initial_learning_rate", initial_learning_rate, "CosineDecayRestarts")
        _check_steps("first_decay_steps", first_decay_steps, "CosineDecayRestarts")
        checks.number("t_mul", _value(t_mul), 0.0, low_open=True, owner="CosineDecayRestarts")
        checks.number("m_mul", _value(m_mul), 0.0, owner="CosineDecayRestarts")
        checks.number("alpha", _value(alpha), owner="CosineDecayRestarts")
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, first_decay_steps
        self._t_mul, self._m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step: Any) -> jax.Array:
        fraction = _float(step) / _float(self.first_decay_steps)
        t_mul, m_mul, alpha = _float(self._t_mul), _float(self._m_mul), _float(self.alpha)

        def same_periods():
            restarts = jnp.floor(fraction)
            return restarts, fraction - restarts

        def growing_periods():  # periods 1, t, t**2, ...: the restart index from the geometric sum
            restarts = jnp.floor(jnp.log(1.0 - fraction * (1.0 - t_mul)) / jnp.log(t_mul))
            done = (1.0 - jnp.power(t_mul, restarts)) / (1.0 - t_mul)
            return restarts, (fraction - done) / jnp.power(t_mul, restarts)

        restarts, fraction = jax.lax.cond(t_mul == 1.0, same_periods, growing_periods)
        peak = jnp.power(m_mul, restarts)
        return _float(self.initial_learning_rate) * ((1 - alpha) * (0.5 * peak * (
            1.0 + jnp.cos(jnp.float32(math.pi) * fraction))) + alpha)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


for _cls in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
             CosineDecayRestarts):
    registry.register_builtin(_FAMILY, _cls)


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """Keras's serialized form: `{"module", "class_name", "config", "registered_name"}`.

    Raises:
      TypeError: for something that is not a `LearningRateSchedule`.

    Example:
      >>> serialize(ExponentialDecay(0.1, 10, 0.9))["class_name"]
      'ExponentialDecay'
    """
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError(f"Argument `learning_rate_schedule` of serialize must be a LearningRateSchedule, received "
                        f"{learning_rate_schedule!r}.")
    cls = type(learning_rate_schedule)
    builtin = registry.builtin_name(_FAMILY, cls) is not None
    return {"module": _KERAS_MODULE if builtin else cls.__module__, "class_name": cls.__name__,
            "config": learning_rate_schedule.get_config(),
            "registered_name": registry.get_registered_name(cls) if registry.is_registered(cls) else None}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> LearningRateSchedule:
    """The schedule a `serialize` dict describes (a built-in, or a class registered with
    `register_serializable` or given in `custom_objects`); nothing in the dict is run as code.

    Raises:
      ValueError: for a dict without `class_name` / `config`, or naming an unknown or non-schedule class.

    Example:
      >>> deserialize(serialize(CosineDecay(0.1, 100))).decay_steps
      100
    """
    if not isinstance(config, dict) or "class_name" not in config or not isinstance(config.get("config"), dict):
        raise ValueError(f"A serialized learning rate schedule is a dict with `class_name` and `config`, received "
                         f"{config!r}.")
    name = config.get("registered_name") or config["class_name"]
    cls = registry.lookup(_FAMILY, name, custom_objects, what="A serialized learning rate schedule")
    if not (isinstance(cls, type) and issubclass(cls, LearningRateSchedule)):
        raise ValueError(f"A serialized learning rate schedule names {name!r}, which is not a LearningRateSchedule.")
    return cls.from_config(dict(config["config"]))
