"""Layers that merge a list of inputs: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate.

Used with the functional API: `ks.layers.Add()([x1, x2])`. The elementwise ones broadcast as Keras
does: the sample shapes (batch axis excluded) are aligned on the right and sizes of 1 stretch, so
`(batch, 3)` plus `(batch, 4, 3)` gives `(batch, 4, 3)`.
"""

from __future__ import annotations

import functools
from typing import Any

import jax.numpy as jnp

import kerasish.layers.checks as checks
from kerasish.layers.base import Layer
from kerasish.shapes import format_shape, is_shape, mask_leaves


def _broadcast_sample_shapes(shapes: list[tuple], layer_name: str) -> tuple:
    """The broadcast of the shapes without their batch axis (Keras's rule), or a ValueError."""
    samples = [tuple(s[1:]) for s in shapes]
    rank = max(len(s) for s in samples)
    out: list[int | None] = []
    for axis in range(-rank, 0):
        sizes = {s[axis] for s in samples if len(s) >= -axis} - {1}
        known = sizes - {None}
        if len(known) > 1:
            raise ValueError(f"Layer '{layer_name}' received inputs with incompatible shapes "
                             f"{', '.join(format_shape(s) for s in shapes)}: on axis {axis} the sizes "
                             f"{sorted(known)} neither match nor are 1.")
        out.append(None if None in sizes else (known.pop() if known else 1))
    return tuple(out)


class _Merge(Layer):
    """An elementwise reduction of two or more inputs of broadcast-compatible shapes."""

    exact_inputs: int | None = None  # Subtract takes exactly 2

    def _check_shapes(self, shapes: Any) -> list[tuple]:
        cls = type(self).__name__
        if is_shape(shapes) or not isinstance(shapes, (list, tuple)):
            received = format_shape(tuple(shapes)) if is_shape(shapes) else repr(shapes)
            raise ValueError(f"Layer '{self.name}' ({cls}) must be called on a list of inputs, received a single "
                             f"input of shape {received}.")
        count = len(shapes)
        if (self.exact_inputs is not None and count != self.exact_inputs) or count < 2:
            expected = f"exactly {self.exact_inputs}" if self.exact_inputs else "at least 2"
            raise ValueError(f"Layer '{self.name}' ({cls}) must be called on {expected} inputs, received {count}.")
        return [tuple(s) for s in shapes]

    def build(self, input_shape: Any) -> None:
        _broadcast_sample_shapes(self._check_shapes(input_shape), self.name)

    def check_input_shape(self, shape: Any) -> None:
        _broadcast_sample_shapes(self._check_shapes(shape), self.name)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shapes = self._check_shapes(input_shape)
        return (shapes[0][0],) + _broadcast_sample_shapes(shapes, self.name)

    def _merge(self, inputs: list):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        """With a mask on every input, their OR (Keras's rule for Add, Average, ...); otherwise None."""
        masks = mask_leaves(mask)
        if mask is None or any(m is None for m in masks):
            return None
        return functools.reduce(jnp.logical_or, masks)

    def call(self, inputs):
        rank = max(x.ndim for x in inputs)
        # Keras inserts the missing axes right after the batch axis, i.e. aligns sample shapes on the right.
        inputs = [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in inputs]
        return self._merge(list(inputs))


class Add(_Merge):
    """The sum of its inputs: `Add()([a, b, c]) == a + b + c`.

    Input shape: a list of at least 2 broadcast-compatible shapes. Output shape: their broadcast.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Add()([jnp.ones((2, 3)), jnp.ones((2, 3))]).tolist()
      [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """

    def _merge(self, inputs):
        return functools.reduce(jnp.add, inputs)


class Subtract(_Merge):
    """The difference of exactly two inputs: `Subtract()([a, b]) == a - b`.

    Input shape: a list of 2 broadcast-compatible shapes. Output shape: their broadcast.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Subtract()([jnp.full((1, 2), 3.0), jnp.ones((1, 2))]).tolist()
      [[2.0, 2.0]]
    """

    exact_inputs = 2

    def _merge(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """The elementwise product of its inputs.

    Input shape: a list of at least 2 broadcast-compatible shapes. Output shape: their broadcast.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Multiply()([jnp.full((1, 2), 3.0), jnp.full((1, 2), 2.0)]).tolist()
      [[6.0, 6.0]]
    """

    def _merge(self, inputs):
        return functools.reduce(jnp.multiply, inputs)


class Average(_Merge):
    """The elementwise mean of its inputs.

    Input shape: a list of at least 2 broadcast-compatible shapes. Output shape: their broadcast.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Average()([jnp.zeros((1, 2)), jnp.ones((1, 2))]).tolist()
      [[0.5, 0.5]]
    """

    def _merge(self, inputs):
        return functools.reduce(jnp.add, inputs) / len(inputs)


class Maximum(_Merge):
    """The elementwise maximum of its inputs.

    Input shape: a list of at least 2 broadcast-compatible shapes. Output shape: their broadcast.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Maximum()([jnp.array([[1.0, 5.0]]), jnp.array([[3.0, 2.0]])]).tolist()
      [[3.0, 5.0]]
    """

    def _merge(self, inputs):
        return functools.reduce(jnp.maximum, inputs)


class Minimum(_Merge):
    """The elementwise minimum of its inputs.

    Input shape: a list of at least 2 broadcast-compatible shapes. Output shape: their broadcast.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Minimum()([jnp.array([[1.0, 5.0]]), jnp.array([[3.0, 2.0]])]).tolist()
      [[1.0, 2.0]]
    """

    def _merge(self, inputs):
        return functools.reduce(jnp.minimum, inputs)


class Concatenate(Layer):
    """Joins its inputs along `axis`; every other axis must match.

    Args:
      axis: the axis to join along (default -1; not the batch axis 0).

    Input shape: a list of at least 2 shapes of the same rank, equal except on `axis`.
    Output shape: the same, with the sizes on `axis` summed.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Concatenate()([jnp.ones((2, 3)), jnp.zeros((2, 4))]).shape
      (2, 7)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not checks.is_int(axis):
            raise TypeError(f"Argument `axis` of Concatenate must be an int, received {axis!r}.")
        self.axis = int(axis)

    def _check_shapes(self, shapes: Any) -> tuple[list[tuple], int]:
        if is_shape(shapes) or not isinstance(shapes, (list, tuple)) or len(shapes) < 2:
            count = "a single input" if is_shape(shapes) else f"{len(shapes)} inputs"
            raise ValueError(f"Layer '{self.name}' (Concatenate) must be called on a list of at least 2 inputs, "
                             f"received {count}.")
        shapes = [tuple(s) for s in shapes]
        rank = len(shapes[0])
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(f"Layer '{self.name}' cannot concatenate on axis {self.axis} inputs of rank {rank}: "
                             f"the axis must be in [1, {rank}) or [-{rank - 1}, -1].")
        axis = self.axis % rank
        for i in range(1, rank):
            if i == axis:
                continue
            known = {s[i] for s in shapes if len(s) == rank and s[i] is not None}
            if any(len(s) != rank for s in shapes) or len(known) > 1:
                raise ValueError(f"Layer '{self.name}' (Concatenate) needs inputs with matching shapes except on "
                                 f"axis {self.axis}, received shapes {', '.join(format_shape(s) for s in shapes)}.")
        return shapes, axis

    def build(self, input_shape: Any) -> None:
        self._check_shapes(input_shape)

    def check_input_shape(self, shape: Any) -> None:
        self._check_shapes(shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shapes, axis = self._check_shapes(input_shape)
        out = []
        for i in range(len(shapes[0])):
            sizes = [s[i] for s in shapes]
            if i == axis:
                out.append(None if None in sizes else sum(sizes))
            else:
                out.append(next((d for d in sizes if d is not None), None))
        out[0] = shapes[0][0]
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        """With a mask on some input, the masks concatenated like the inputs (an unmasked input counts as
        all True) and reduced over the last axis with `any`, as in Keras; otherwise None."""
        masks = mask_leaves(mask)
        if mask is None or all(m is None for m in masks):
            return None
        full = [jnp.ones(x.shape, bool) if m is None else
                (jnp.broadcast_to(m[..., None], x.shape) if m.ndim < x.ndim else m) for x, m in zip(inputs, masks)]
        return jnp.any(jnp.concatenate(full, axis=self.axis), axis=-1)

    def call(self, inputs):
        return jnp.concatenate(list(inputs), axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


# -- the functional forms Keras guides use: `layers.concatenate([a, b])` is `layers.Concatenate()([a, b])` ----------

def add(inputs: list, **kwargs: Any):
    """`Add(**kwargs)(inputs)`: the sum of the inputs.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.add([jnp.ones((1, 2)), jnp.ones((1, 2))]).tolist()
      [[2.0, 2.0]]
    """
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs: Any):
    """`Subtract(**kwargs)(inputs)`: the first input minus the second."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs: Any):
    """`Multiply(**kwargs)(inputs)`: the elementwise product of the inputs."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs: Any):
    """`Average(**kwargs)(inputs)`: the elementwise mean of the inputs."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs: Any):
    """`Maximum(**kwargs)(inputs)`: the elementwise maximum of the inputs."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs: Any):
    """`Minimum(**kwargs)(inputs)`: the elementwise minimum of the inputs."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any):
    """`Concatenate(axis=axis, **kwargs)(inputs)`: the inputs joined along `axis`.

    Example:
      >>> import kerasish as ks
      >>> ks.layers.concatenate([ks.Input((3,)), ks.Input((4,))]).shape
      (None, 7)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)
