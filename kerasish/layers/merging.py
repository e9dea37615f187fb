"""Layers that merge a list of inputs: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

Used with the functional API: `ks.layers.Add()([x1, x2])`. The elementwise ones broadcast as Keras
does: the sample shapes (batch axis excluded) are aligned on the right and sizes of 1 stretch, so
`(batch, 3)` plus `(batch, 4, 3)` gives `(batch, 4, 3)`.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
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


def _check_mask_list(inputs: Any, mask: Any) -> None:
    """Keras's checks of `compute_mask(inputs, mask)` for merging layers: both lists, of the same length."""
    if mask is None:
        return
    if not isinstance(mask, (list, tuple)):
        raise ValueError(f"`mask` should be a list (one mask or None per input). Received: mask of shape "
                         f"{jnp.shape(mask)}")
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(f"`inputs` should be a list. Received: inputs={inputs!r}")
    if len(mask) != len(inputs):
        raise ValueError(f"The lists `inputs` and `mask` should have the same length. Received: {len(inputs)} inputs "
                         f"and {len(mask)} masks")


class _Merge(Layer):
    """An elementwise reduction of two or more inputs of broadcast-compatible shapes."""

    supports_masking = True  # as Keras: the output's mask is computed from the inputs' (`compute_mask`)

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
            raise ValueError(f"A `{cls}` layer should be called on exactly {self.exact_inputs} inputs: layer "
                             f"'{self.name}' received {count}." if self.exact_inputs else
                             f"Layer '{self.name}' ({cls}) must be called on {expected} inputs, received {count}.")
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
        _check_mask_list(inputs, mask)
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

    supports_masking = True

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
                raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the "
                                 f"concatenation axis: layer '{self.name}' (axis={self.axis}) received shapes "
                                 f"{', '.join(format_shape(s) for s in shapes)}.")
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
        _check_mask_list(inputs, mask)
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


def _batch_dot_axes(axes: Any, ranks: tuple[int, int]) -> tuple[int, int]:
    pair = (axes, axes) if checks.is_int(axes) else tuple(axes)
    return tuple(a % r if a < 0 else a for a, r in zip(pair, ranks))


class Dot(Layer):
    """The dot product of two batches of samples along `axes`: `Dot(axes=1)([a, b])` for `(batch, n)` inputs
    gives `(batch, 1)`, each row `sum(a * b)`.

    The contracted axis of the first input meets the one of the second; the output has the first input's
    other axes (batch first), then the second's (batch excepted), as Keras's `batch_dot`; a result of rank 1
    is given a trailing axis of 1.

    Args:
      axes: an int (the same axis of both inputs) or a pair `(axis_of_first, axis_of_second)`; never the
        batch axis 0. Negative values count from the end of each input.
      normalize: L2-normalize both inputs along their axis first, so the product is the cosine similarity.

    Input shape: a list of 2 shapes whose sizes on `axes` agree. Output shape: see above.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Dot(axes=(1, 2))([jnp.ones((2, 5)), jnp.ones((2, 3, 5))]).shape
      (2, 3)
      >>> ks.layers.Dot(axes=1)([jnp.array([[1.0, 2.0]]), jnp.array([[3.0, 4.0]])]).tolist()
      [[11.0]]
    """

    supports_masking = True

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not checks.is_int(axes):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Argument `axes` of Dot must be an int or a list of 2 ints, received {axes!r}.")
            if len(axes) != 2 or not all(checks.is_int(a) for a in axes):
                raise ValueError(f"Argument `axes` of Dot must be an int or a list of 2 ints, received {axes!r}.")
        self.axes = int(axes) if checks.is_int(axes) else type(axes)(int(a) for a in axes)
        self.normalize = checks.boolean(normalize, "normalize", "Dot")

    def _checked(self, shapes: Any) -> tuple[tuple, tuple, tuple[int, int]]:
        if is_shape(shapes) or not isinstance(shapes, (list, tuple)) or len(shapes) != 2:
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs, received input_shape={shapes}.")
        first, second = (tuple(s) for s in shapes)
        if len(first) < 2 or len(second) < 2:
            raise ValueError(f"Layer '{self.name}' (Dot) needs inputs of rank >= 2 (batch first), received shapes "
                             f"{format_shape(first)} and {format_shape(second)}.")
        axes = _batch_dot_axes(self.axes, (len(first), len(second)))
        if 0 in axes or axes[0] >= len(first) or axes[1] >= len(second):
            raise ValueError(f"Layer '{self.name}' (Dot) cannot contract axes={self.axes} of inputs of shapes "
                             f"{format_shape(first)} and {format_shape(second)}: each axis must be a non-batch axis "
                             f"of its input.")
        d1, d2 = first[axes[0]], second[axes[1]]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Incompatible input shapes for layer '{self.name}' (Dot): axis values {d1} (at axis "
                             f"{axes[0]}) != {d2} (at axis {axes[1]}). Full input shapes: {format_shape(first)}, "
                             f"{format_shape(second)}.")
        return first, second, axes

    def build(self, input_shape: Any) -> None:
        self._checked(input_shape)

    def check_input_shape(self, shape: Any) -> None:
        self._checked(shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        first, second, axes = self._checked(input_shape)
        out = [d for i, d in enumerate(first) if i != axes[0]] + [d for i, d in enumerate(second)
                                                                  if i not in (0, axes[1])]
        return tuple(out + [1] if len(out) == 1 else out)

    def compute_mask(self, inputs, mask=None):
        return None

    def call(self, inputs):
        x, y = inputs
        axes = _batch_dot_axes(self.axes, (x.ndim, y.ndim))
        if self.normalize:  # Keras's ops.normalize: x * min(rsqrt(sum(x**2)), 1 / epsilon)
            x, y = (v * jnp.minimum(jax.lax.rsqrt(jnp.sum(jnp.square(v), axis=a, keepdims=True)), 1e7)
                    for v, a in ((x, axes[0]), (y, axes[1])))
        letters = "abcdefghijklmnopqrstuvwxy"
        x_axes = ["z"] + list(letters[:x.ndim - 1])
        y_axes = ["z"] + list(letters[x.ndim - 1:x.ndim + y.ndim - 2])
        y_axes[axes[1]] = x_axes[axes[0]]
        out_axes = [a for i, a in enumerate(x_axes) if i != axes[0]] + [a for i, a in enumerate(y_axes)
                                                                        if i not in (0, axes[1])]
        out = jnp.einsum(f"{''.join(x_axes)},{''.join(y_axes)}->{''.join(out_axes)}", x, y)
        return out[:, None] if out.ndim == 1 else out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


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


def dot(inputs: list, axes: Any = -1, **kwargs: Any):
    """`Dot(axes=axes, **kwargs)(inputs)`: the dot product of two inputs along `axes`."""
    return Dot(axes=axes, **kwargs)(inputs)

