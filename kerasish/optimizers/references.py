"""What an optimizer holds for the variables it trains, and how it reads and writes variables of any kind.

`Reference` stands for one trained variable inside the optimizer (its shape, dtype, name and path; its value
only while a step runs). `LearningRate` and `Iteration` are the optimizer's `learning_rate` and `iteration`
variables, which read (and the rate also writes) a training run's live state once an engine holds the optimizer
(`Optimizer.bind`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

import kerasish.optimizers.checks as checks
from kerasish import backend
from kerasish.optimizers.state import get_iterations
from kerasish.variables import Variable


def snake_case(name: str) -> str:
    """Keras's naming rule for objects: `AdamW` -> `adam_w`, `RMSprop` -> `rm_sprop`."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def read_value(x: Any) -> Any:
    """The array behind a variable of any kind (kerasish, flax NNX, or an object with `.value`), or `x`."""
    if isinstance(x, Variable):
        return x.value
    if isinstance(x, nnx.Variable):
        return x.get_value()
    if hasattr(x, "value") and not isinstance(x, (jax.Array, np.ndarray)):
        return x.value
    return x


def as_dtype(x: Any, dtype: Any) -> jax.Array:
    """`x` (an array, a number or a variable) as an array of `dtype`."""
    return jnp.asarray(read_value(x), dtype)


def check_writable(variable: Any) -> None:
    """Raises a TypeError for something `write_value` cannot set."""
    if not isinstance(variable, (Variable, nnx.Variable)) and not hasattr(variable, "assign"):
        raise TypeError(f"An optimizer can only update variables (kerasish or flax NNX variables, or objects with "
                        f"an `assign` method), received {type(variable).__name__}: {variable!r}.")


def write_value(variable: Any, value: Any) -> None:
    """Sets a variable of any kind: flax NNX's with `v[...] = value`, the others with `assign`."""
    check_writable(variable)
    if isinstance(variable, nnx.Variable):
        variable[...] = value
    else:
        variable.assign(value)


class Reference(Variable):
    """What the optimizer holds in place of a trained variable: its shape, dtype, name and path, and its value
    only while a step runs (bound). `update_step` receives these."""

    def __init__(self, shape: Sequence[int], dtype: Any, name: str, path: str, constraint: Any = None,
                 overwrite_with_gradient: bool = False) -> None:
        self._value = None
        self._shape, self._dtype = tuple(int(d) for d in shape), backend.standardize_dtype(dtype)
        self._array_dtype = jax.dtypes.canonicalize_dtype(np.dtype(self._dtype))
        self.name, self.path, self.trainable, self.autocast = name, path, True, True
        self.aggregation, self.synchronization, self.regularizer = "none", "auto", None
        self.constraint, self.overwrite_with_gradient = constraint, overwrite_with_gradient

    @classmethod
    def of(cls, variable: Any) -> Reference:
        """The reference standing for `variable` (any kind of variable or array)."""
        value = read_value(variable)
        name = getattr(variable, "name", None)
        name = name if isinstance(name, str) else "variable"
        path = getattr(variable, "path", None)
        path = path if isinstance(path, str) else name
        dtype = jax.dtypes.canonicalize_dtype(getattr(variable, "dtype", None) or np.asarray(value).dtype)
        return cls(np.shape(value), dtype, name, path, getattr(variable, "constraint", None),
                   bool(getattr(variable, "overwrite_with_gradient", False)))

    @property
    def value(self) -> jax.Array:
        if self._value is None:
            raise ValueError(f"Variable {self.path!r} is only readable by the optimizer while it runs a step.")
        return self._value

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape


class _FollowsRun(Variable):
    """A variable of the optimizer that reads a training run's live state once the optimizer is bound to one."""

    _holder: Callable[[], Any] | None = None

    def follow_run(self, holder: Callable[[], Any] | None) -> None:
        """Reads (and for the learning rate, writes) the live state of the training run `holder()` returns.

        Args:
          holder: a weak reference to the run's state holder (see `Optimizer.bind`), or None for none.
        """
        self._holder = holder

    def _live(self) -> Any:
        """The run's state holder; None without one, or while the variable is bound to a value of a step."""
        return None if self._holder is None or self._bound else self._holder()

    def _leaf(self) -> Any:
        return self.value


class Iteration(_FollowsRun):
    """The `iteration` variable. Once the optimizer is bound to a training run whose holder offers
    `optimizer_state()`, reading it reads that state's step count."""

    @property
    def value(self) -> jax.Array:
        holder = self._live()
        if holder is not None and hasattr(holder, "optimizer_state"):
            live = get_iterations(holder.optimizer_state())
            if live is not None:
                return live
        return self._value


class LearningRate(_FollowsRun):
    """The `learning_rate` variable. Once the optimizer is bound to the state of a training run
    (`Optimizer.bind`), reading it reads that state and assigning it writes there (no recompilation)."""

    @property
    def value(self) -> jax.Array:
        holder = self._live()
        live = None if holder is None else holder.learning_rate()
        return self._value if live is None else jnp.asarray(live, self._value.dtype)

    def _set(self, new: jax.Array) -> None:
        if not isinstance(new, jax.core.Tracer):
            checks.number("learning_rate", np.asarray(new), 0.0)
        holder = self._live()
        if holder is not None:
            holder.set_learning_rate(float(new))
        self._value = new


def takes_a_step(fn: Any) -> bool:
    """Whether a callable learning rate takes the step count (an optax schedule) rather than nothing (Keras)."""
    if not callable(fn) or isinstance(fn, Variable):
        return False
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in parameters)
