"""Weight penalties added to the training loss: `Dense(64, kernel_regularizer="l2")`.

A regularizer is a callable `weight -> scalar`; the layer adds it to its `regularization_loss()`,
and `fit` adds every layer's to the loss it differentiates and reports.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np


class Regularizer:
    """Base class: `__call__(weight) -> scalar penalty`, and `get_config()`."""

    def __call__(self, x):
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}


def _check_factor(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"Argument `{name}` must be a float >= 0, received {value!r}.")
    return float(value)


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x**2)`.

    Example:
      >>> import jax.numpy as jnp
      >>> float(L1L2(l1=0.5, l2=0.25)(jnp.array([1.0, -2.0])))
      2.75
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check_factor("l1", l1)
        self.l2 = _check_factor("l2", l2)

    def __call__(self, x):
        penalty = jnp.zeros((), x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * jnp.sum(jnp.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * jnp.sum(jnp.square(x))
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """`l1 * sum(|x|)`, Keras's default factor 0.01.

    Its config holds the factor as the float32 number the penalty uses, as Keras 3's L1 (which keeps the factor
    as a float32 tensor) writes it; L2 and L1L2 keep the Python float.

    Example:
      >>> L1(0.005).get_config()
      {'l1': 0.004999999888241291}
    """

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict[str, Any]:
        return {"l1": float(np.float32(self.l1))}


class L2(L1L2):
    """`l2 * sum(x**2)`, Keras's default factor 0.01.

    Example:
      >>> import jax.numpy as jnp
      >>> round(float(L2(0.1)(jnp.array([1.0, 2.0]))), 6)
      0.5
    """

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}

# Keras's lower-case names of the same classes: `keras.regularizers.l2(1e-3)`.
l1, l2, l1_l2 = L1, L2, L1L2


def get(identifier: Any) -> Regularizer | None:
    """None -> None; `"l1"`, `"l2"`, `"l1_l2"` -> Keras-default instance; a callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, dict) and set(identifier) == {"class_name", "config"}:  # what `serialize` gives
        if identifier["class_name"] not in _BY_NAME:
            raise ValueError(f"Unknown regularizer class {identifier['class_name']!r}; accepted: {sorted(_BY_NAME)}.")
        return _BY_NAME[identifier["class_name"]](**identifier["config"])
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown regularizer {identifier!r}; accepted names: {sorted(_BY_NAME)}.")
        return _BY_NAME[identifier]()
    if callable(identifier):
        return identifier
    raise TypeError(f"A regularizer must be a name, a callable or None, received {identifier!r}.")


def serialize(regularizer: Any) -> dict[str, Any] | None:
    if regularizer is None:
        return None
    if isinstance(regularizer, Regularizer):
        return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    return {"class_name": "callable", "config": {"repr": repr(regularizer)}}
