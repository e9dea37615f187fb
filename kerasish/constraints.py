"""Weight constraints: projections applied to a weight after each optimizer update, as in Keras 3.

`Dense(64, kernel_constraint=MaxNorm(2.0))` keeps the norm of each column of the kernel at most 2: after
every training step the new kernel `w` is replaced by `constraint(w)`. A constraint is a callable
`weight -> weight of the same shape`; the layer records it with `add_weight(..., constraint=...)`, and
`Layer.apply_weight_constraints()` applies every constraint of a model in place.

The maths is Keras's (`keras/src/constraints/constraints.py`): norms are Euclidean over `axis`, kept with
`keepdims`, and divided with `backend.epsilon()` added, so a zero column stays zero.
"""

from __future__ import annotations

import inspect
from typing import Any

import jax.numpy as jnp
import numpy as np

from kerasish import backend, registry


def _check_axis(axis: Any, cls: str) -> int | tuple[int, ...] | list[int]:
    is_int = lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, bool)
    if is_int(axis):
        return int(axis)
    if isinstance(axis, (tuple, list)) and axis and all(is_int(a) for a in axis):
        return type(axis)(int(a) for a in axis)
    raise ValueError(f"Argument `axis` of {cls} must be an int or a non-empty list of ints, received {axis!r}.")


def _check_number(value: Any, argument: str, cls: str, low: float = 0.0, high: float | None = None) -> Any:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"Argument `{argument}` of {cls} must be a number {bounds}, received {value!r}.")
    return value


def _norms(w, axis):
    axis = tuple(axis) if isinstance(axis, list) else axis
    return jnp.sqrt(jnp.sum(jnp.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class of weight constraints: `__call__(w)` returns the projected weight (the identity here).

    Subclass it and override `__call__` for a constraint of your own; `get_config` returns the
    constructor arguments (JSON values) that `from_config` rebuilds it from.

    Example:
      >>> import jax.numpy as jnp
      >>> class Clip(Constraint):
      ...     def __call__(self, w):
      ...         return jnp.clip(w, -1.0, 1.0)
      >>> Clip()(jnp.array([-3.0, 0.5])).tolist()
      [-1.0, 0.5]
    """

    def __call__(self, w):
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class MaxNorm(Constraint):
    """Rescales each weight vector along `axis` whose norm exceeds `max_value` to norm `max_value`.

    `w * clip(norm, 0, max_value) / (epsilon + norm)`, with `norm` the Euclidean norm over `axis`.

    Args:
      max_value: the largest norm allowed (a number >= 0, default 2).
      axis: the axis (or list of axes) the norm runs over (default 0). For a `Dense` kernel
        `(input_dim, units)`, axis 0 bounds the incoming weights of each unit; for a `Conv2D` kernel
        `(rows, cols, channels, filters)`, `[0, 1, 2]` bounds each filter.

    Example:
      >>> import jax.numpy as jnp
      >>> import numpy as np
      >>> np.asarray(MaxNorm(2.0)(jnp.array([[3.0, 0.0], [4.0, 1.0]])), dtype=float).round(3).tolist()
      [[1.2, 0.0], [1.6, 1.0]]
    """

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value = _check_number(max_value, "max_value", "MaxNorm")
        self.axis = _check_axis(axis, "MaxNorm")

    def __call__(self, w):
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        desired = jnp.clip(norms, 0, self.max_value)
        return w.astype(norms.dtype) * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to 0: `maximum(w, 0)`.

    Example:
      >>> import jax.numpy as jnp
      >>> NonNeg()(jnp.array([-1.0, 2.0])).tolist()
      [0.0, 2.0]
    """

    def __call__(self, w):
        return jnp.maximum(jnp.asarray(w), 0)


class UnitNorm(Constraint):
    """Rescales each weight vector along `axis` to norm 1: `w / (epsilon + norm)`.

    Args:
      axis: the axis (or list of axes) the norm runs over (default 0); see `MaxNorm`.

    Example:
      >>> import jax.numpy as jnp
      >>> import numpy as np
      >>> np.asarray(UnitNorm()(jnp.array([[3.0], [4.0]])), dtype=float).round(3).tolist()
      [[0.6], [0.8]]
    """

    def __init__(self, axis: Any = 0) -> None:
        self.axis = _check_axis(axis, "UnitNorm")

    def __call__(self, w):
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        return w.astype(norms.dtype) / (backend.epsilon() + norms)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the norm of each weight vector along `axis` towards `[min_value, max_value]`.

    The new norm is `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`: `rate=1` enforces the
    bounds at once, a smaller rate moves the weights towards them step by step.

    Args:
      min_value: the smallest norm (a number >= 0, default 0).
      max_value: the largest norm (a number >= `min_value`, default 1).
      rate: how strictly to enforce the bounds, in [0, 1] (default 1).
      axis: the axis (or list of axes) the norm runs over (default 0); see `MaxNorm`.

    Raises:
      ValueError: for a negative bound, `min_value > max_value`, or a rate outside [0, 1].

    Example:
      >>> import jax.numpy as jnp
      >>> import numpy as np
      >>> np.asarray(MinMaxNorm(1.0, 2.0)(jnp.array([[0.3], [0.4]])), dtype=float).round(3).tolist()
      [[0.6], [0.8]]
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0) -> None:
        self.min_value = _check_number(min_value, "min_value", "MinMaxNorm")
        self.max_value = _check_number(max_value, "max_value", "MinMaxNorm")
        if self.min_value > self.max_value:
            raise ValueError(f"Argument `min_value` of MinMaxNorm must not exceed `max_value`, received "
                             f"min_value={min_value!r}, max_value={max_value!r}.")
        self.rate = _check_number(rate, "rate", "MinMaxNorm", 0.0, 1.0)
        self.axis = _check_axis(axis, "MinMaxNorm")

    def __call__(self, w):
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        desired = self.rate * jnp.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w.astype(norms.dtype) * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


# Keras's lower-case aliases (`keras.constraints.max_norm` is the class MaxNorm).
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_SNAKE = {"constraint": Constraint, "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
          "min_max_norm": MinMaxNorm}
for _name, _cls in _SNAKE.items():
    registry.register_builtin("constraints", _cls)
    registry.register_builtin("constraints", _cls, name=_name)


def serialize(constraint: Any) -> dict[str, Any] | str | None:
    """A JSON form of `constraint` that `deserialize` turns back into it.

    Returns:
      None for None; `{"class_name": ..., "config": {...}}` for a `Constraint` (the class name as
      registered with `register_serializable` for a custom one); the registered name for a function.

    Example:
      >>> serialize(MaxNorm(3.0))
      {'class_name': 'MaxNorm', 'config': {'max_value': 3.0, 'axis': 0}}
    """
    if constraint is None:
        return None
    if isinstance(constraint, Constraint):
        return {"class_name": registry.get_registered_name(type(constraint)), "config": constraint.get_config()}
    if callable(constraint):
        return registry.get_registered_name(constraint)
    raise ValueError(f"Could not serialize constraint {constraint!r}: it is neither a Constraint nor a callable.")


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The constraint `serialize` described: `{"class_name", "config"}` (Keras's extra `module` /
    `registered_name` keys are accepted), or a name.

    Raises:
      ValueError: for a name that is neither a built-in nor registered, or a malformed dict.

    Example:
      >>> deserialize({"class_name": "UnitNorm", "config": {"axis": 1}})
      UnitNorm(axis=1)
    """
    if isinstance(config, str):
        found = registry.lookup("constraints", config, custom_objects, what="The constraint identifier")
        return found() if inspect.isclass(found) else found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret constraint identifier: {config!r}. Expected a name, a dict "
                         f"{{'class_name': ..., 'config': {{...}}}}, a Constraint or a callable.")
    name = config.get("registered_name") or config["class_name"]
    found = registry.lookup("constraints", name, custom_objects, what="The constraint config")
    if not inspect.isclass(found):
        return found
    arguments = config.get("config") or {}
    return found.from_config(arguments) if hasattr(found, "from_config") else found(**arguments)


def get(identifier: Any) -> Any:
    """Resolves a constraint identifier: None, a name (`"max_norm"`, `"NonNeg"`: Keras's defaults), a dict
    as `serialize` returns, a `Constraint` class or instance, or any callable `w -> w`.

    Raises:
      ValueError: for an unknown name or anything that is not callable (Keras's error).

    Example:
      >>> get("unit_norm"), get(None)
      (UnitNorm(axis=0), None)
    """
    if identifier is None:
        return None
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}. Expected None, a name such as "
                     f"'max_norm', a config dict, a Constraint or a callable weight -> weight.")
