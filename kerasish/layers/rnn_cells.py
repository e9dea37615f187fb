"""Recurrent cells: SimpleRNNCell, LSTMCell, GRUCell, and the DropoutRNNCell mixin, as in Keras 3.

A cell computes one time step: `output, new_states = cell(x_t, states=states, training=...)`, with
`states` a list (`[h]`, or `[h, c]` for LSTMCell) of `(batch, units)` arrays. `RNN(cell)` (rnn.py) runs a
cell over a sequence with `jax.lax.scan`; a cell written Keras's way (a Layer with `state_size` and
`call(inputs, states)`) runs there too.

Weights, their layout and the maths are Keras's cells' (`keras/src/layers/rnn/`), so the weights of
`keras.layers.RNN(keras.layers.LSTMCell(n))` load as they are; `LSTM` / `GRU` / `SimpleRNN`
(recurrent.py) compute the same steps with their own fused scan.

Dropout follows Keras's `DropoutRNNCell`: one mask per sequence, not per step. `RNN` draws every cell's
masks before its scan (random draws change the layer's random state, which cannot happen inside the
scan's trace) and the cell's `get_dropout_mask` returns them at each step.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

import kerasish.layers.checks as checks
from kerasish import activations as _activations
from kerasish import constraints as _constraints
from kerasish import initializers as _initializers
from kerasish import random as _random
from kerasish import regularizers as _regularizers
from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape

#: The dropout masks of the running `RNN` call, `{(id(cell), kind): mask}`; None outside an RNN call.
_MASKS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("kerasish_rnn_dropout_masks", default=None)


@contextlib.contextmanager
def dropout_mask_scope() -> Iterator[dict]:
    """Within the block, each cell's dropout masks are drawn once and then reused (one mask per sequence)."""
    token = _MASKS.set({})
    try:
        yield _MASKS.get()
    finally:
        _MASKS.reset(token)


class DropoutRNNCell:
    """Mixin for cells with `dropout` / `recurrent_dropout`: `get_dropout_mask(step_input)` and
    `get_recurrent_dropout_mask(state)` give masks of the argument's shape (kept values scaled by
    `1 / (1 - rate)`), the same for every step of one RNN call (Keras's `DropoutRNNCell`).

    A cell using it has `dropout`, `recurrent_dropout` and an `nnx.Rngs` stream `rngs` (key `dropout`),
    and optionally `dropout_mask_count` (one mask per gate: a list of masks instead of one).
    """

    dropout_mask_count: int | None = None

    def _create_dropout_mask(self, step_input, rate: float):
        ones = jnp.ones_like(step_input)

        def draw():
            keep = jax.random.bernoulli(_random.fast_key(self.rngs.dropout()), 1.0 - rate, ones.shape)
            return jnp.where(keep, ones / (1.0 - rate), jnp.zeros_like(ones))
        return draw() if self.dropout_mask_count is None else [draw() for _ in range(self.dropout_mask_count)]

    def _mask(self, kind: str, step_input, rate: float):
        if rate <= 0:
            return None
        cache = _MASKS.get()
        key = (id(self), kind)
        if cache is not None and key in cache:
            return cache[key]
        mask = self._create_dropout_mask(step_input, rate)
        if cache is not None:
            cache[key] = mask
        return mask

    def get_dropout_mask(self, step_input):
        """The input dropout mask(s) for steps like `step_input` `(batch, features)`, or None (no dropout)."""
        return self._mask("input", step_input, self.dropout)

    def get_recurrent_dropout_mask(self, step_input):
        """The recurrent dropout mask(s) for states like `step_input` `(batch, units)`, or None."""
        return self._mask("recurrent", step_input, self.recurrent_dropout)

    def reset_dropout_mask(self) -> None:
        """Forgets the cached input mask (the next RNN call draws a new one)."""
        cache = _MASKS.get()
        if cache is not None:
            cache.pop((id(self), "input"), None)

    def reset_recurrent_dropout_mask(self) -> None:
        cache = _MASKS.get()
        if cache is not None:
            cache.pop((id(self), "recurrent"), None)


class _Cell(DropoutRNNCell, Layer):
    """Arguments and weights shared by the three cells."""

    gates = 1

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", recurrent_initializer: Any = "orthogonal",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.units = checks.positive_int(units, "units", cls)
        self.activation = _activations.get(activation)
        self.use_bias = checks.boolean(use_bias, "use_bias", cls)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.recurrent_initializer = _initializers.get(recurrent_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = _regularizers.get(recurrent_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.kernel_constraint = _constraints.get(kernel_constraint)
        self.recurrent_constraint = _constraints.get(recurrent_constraint)
        self.bias_constraint = _constraints.get(bias_constraint)
        self.dropout = checks.number(dropout, "dropout", cls, 0.0, 1.0, include_high=False)
        self.recurrent_dropout = checks.number(recurrent_dropout, "recurrent_dropout", cls, 0.0, 1.0,
                                               include_high=False)
        if seed is not None and (not checks.is_int(seed) or seed < 0):
            raise ValueError(f"Argument `seed` of {cls} must be None or an int >= 0, received {seed!r}.")
        self.seed = seed
        self.rngs = nnx.Rngs(dropout=_random.key_from(seed))  # Keras's cells always hold a seed generator
        self.output_size = self.units
        # Keras's "implementation 1" (recurrent dropout): one mask per gate; otherwise one shared mask.
        self.dropout_mask_count = self.gates if self.gates > 1 and self.recurrent_dropout else None

    def _bias_initializer(self):
        return self.bias_initializer

    def _bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    def build(self, input_shape: Shape) -> None:
        if input_shape[-1] is None:
            raise ValueError(f"Layer '{self.name}' needs a known feature axis, received input_shape "
                             f"{format_shape(input_shape)}.")
        width = self.gates * self.units
        self.add_weight((input_shape[-1], width), self.kernel_initializer, name="kernel",
                        regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.add_weight((self.units, width), self.recurrent_initializer, name="recurrent_kernel",
                        regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        if self.use_bias:
            self.add_weight(self._bias_shape(), self._bias_initializer(), name="bias",
                            regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_axis_size(shape, -1, self.kernel.shape[0], self.name)

    def compute_output_shape(self, input_shape: Shape) -> Any:
        return [(input_shape[0], self.units), [(input_shape[0], self.units)] * len(self._state_sizes())]

    def _state_sizes(self) -> list[int]:
        return [self.units]

    def get_initial_state(self, batch_size: int | None = None) -> list:
        """Zero states: `[(batch_size, units)]` (two of them for LSTMCell)."""
        return [jnp.zeros((batch_size, size), self.compute_dtype) for size in self._state_sizes()]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "activation": _activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": _initializers.serialize(self.recurrent_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": _regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": _constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": _constraints.serialize(self.recurrent_constraint),
                "bias_constraint": _constraints.serialize(self.bias_constraint), "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}


def _first(states):
    return states[0] if isinstance(states, (list, tuple)) else states


def _per_gate(mask, gates: int) -> list:
    """One mask (or None) per gate, from None, one mask shared by the gates, or a list of masks."""
    if mask is None or not isinstance(mask, (list, tuple)):
        return [mask] * gates
    return list(mask)


def _gated_product(x, kernel, masks: list, units: int):
    """`x @ kernel`, with each gate's block of `kernel` seeing `x` under its own mask (or none)."""
    if all(m is None for m in masks):
        return x @ kernel
    if all(m is masks[0] for m in masks):
        return (x * masks[0]) @ kernel
    return jnp.concatenate([(x if m is None else x * m) @ kernel[:, g * units:(g + 1) * units]
                            for g, m in enumerate(masks)], axis=-1)


class SimpleRNNCell(_Cell):
    """One step of a fully connected RNN: `h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)`.

    Args:
      units: the size of the state and of the output (a positive int).
      activation: default "tanh".
      use_bias: whether to add a bias (default True).
      kernel_initializer, recurrent_initializer, bias_initializer: default "glorot_uniform", "orthogonal",
        "zeros".
      kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the training loss.
      kernel_constraint, recurrent_constraint, bias_constraint: projections after each optimizer update.
      dropout: the fraction of input features dropped in training (one mask per sequence), in [0, 1).
      recurrent_dropout: likewise, for the state fed back.
      seed: an int for a reproducible dropout stream independent of the global seed.

    Call: `output, [h] = cell(x_t, states=[h_prev], training=False)`, `x_t` `(batch, features)`.
    Weights: `kernel (features, units)`, `recurrent_kernel (units, units)`, `bias (units,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> cell = ks.layers.SimpleRNNCell(4)
      >>> output, states = cell(jnp.ones((2, 3)), states=cell.get_initial_state(2))
      >>> output.shape, len(states)
      ((2, 4), 1)
    """

    state_size = property(lambda self: self.units)

    def call(self, sequence, states, training: bool = False):
        previous = _first(states)
        input_mask = self.get_dropout_mask(sequence)
        recurrent_mask = self.get_recurrent_dropout_mask(previous)
        if training and input_mask is not None:
            sequence = sequence * input_mask
        h = sequence @ self.kernel[...]
        if self.use_bias:
            h = h + self.bias[...]
        if training and recurrent_mask is not None:
            previous = previous * recurrent_mask
        output = self.activation(h + previous @ self.recurrent_kernel[...])
        return output, [output] if isinstance(states, (list, tuple)) else output


class LSTMCell(_Cell):
    """One LSTM step, Keras's gate order `i, f, c, o`: `c = f * c_prev + i * activation(z_c)`,
    `h = o * activation(c)`, with `z = x @ kernel + h_prev @ recurrent_kernel + bias` split in four.

    Args:
      units: the size of the state and of the output (a positive int).
      activation: default "tanh".
      recurrent_activation: the gates' activation (default "sigmoid").
      use_bias: whether to add a bias (default True).
      kernel_initializer, recurrent_initializer, bias_initializer: default "glorot_uniform", "orthogonal",
        "zeros".
      unit_forget_bias: start the forget gate's bias at 1 (default True).
      kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the training loss.
      kernel_constraint, recurrent_constraint, bias_constraint: projections after each optimizer update.
      dropout: the fraction of input features dropped in training (one mask per gate and sequence).
      recurrent_dropout: likewise, for the state fed back.
      seed: an int for a reproducible dropout stream independent of the global seed.

    Call: `h, [h, c] = cell(x_t, states=[h_prev, c_prev], training=False)`.
    Weights: `kernel (features, 4 * units)`, `recurrent_kernel (units, 4 * units)`, `bias (4 * units,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> cell = ks.layers.LSTMCell(4)
      >>> h, (h2, c) = cell(jnp.ones((2, 3)), states=cell.get_initial_state(2))
      >>> h.shape, c.shape, cell.state_size
      ((2, 4), (2, 4), [4, 4])
    """

    gates = 4

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, **kwargs: Any) -> None:
        kwargs.pop("implementation", None)  # Keras's choice of fused or per-gate products: the same values
        super().__init__(units, activation, use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer, **kwargs)
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.unit_forget_bias = checks.boolean(unit_forget_bias, "unit_forget_bias", "LSTMCell")

    state_size = property(lambda self: [self.units, self.units])

    def _state_sizes(self) -> list[int]:
        return [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, init = self.units, self.bias_initializer

        def forget_bias_one(key, shape, dtype=jnp.float32):
            keys = jax.random.split(key, 2)
            return jnp.concatenate([init(keys[0], (units,), dtype), jnp.ones((units,), dtype),
                                    init(keys[1], (2 * units,), dtype)])
        forget_bias_one.exact_when_fused = getattr(init, "exact_when_fused", False)
        return forget_bias_one

    def call(self, inputs, states, training: bool = False):
        h, c = states[0], states[1]
        input_masks = _per_gate(self.get_dropout_mask(inputs) if training else None, 4)
        recurrent_masks = _per_gate(self.get_recurrent_dropout_mask(h) if training else None, 4)
        z = _gated_product(inputs, self.kernel[...], input_masks, self.units)
        if self.use_bias:
            z = z + self.bias[...]
        z = z + _gated_product(h, self.recurrent_kernel[...], recurrent_masks, self.units)
        z_i, z_f, z_c, z_o = jnp.split(z, 4, axis=-1)
        c = self.recurrent_activation(z_f) * c + self.recurrent_activation(z_i) * self.activation(z_c)
        h = self.recurrent_activation(z_o) * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": _activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """One GRU step, Keras's gate order `z, r, h`: `h = z * h_prev + (1 - z) * activation(x_h + r * (h_prev @ R_h
    + b_h))` with `reset_after=True` (Keras's default; else `(r * h_prev) @ R_h`).

    Args:
      units: the size of the state and of the output (a positive int).
      activation: default "tanh".
      recurrent_activation: the gates' activation (default "sigmoid").
      use_bias: whether to add a bias (default True).
      kernel_initializer, recurrent_initializer, bias_initializer: default "glorot_uniform", "orthogonal",
        "zeros".
      kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the training loss.
      kernel_constraint, recurrent_constraint, bias_constraint: projections after each optimizer update.
      dropout: the fraction of input features dropped in training (one mask per gate and sequence).
      recurrent_dropout: likewise, for the state fed back.
      reset_after: apply the reset gate after the recurrent product (default True); the bias is then
        `(2, 3 * units)`: input bias, recurrent bias.
      seed: an int for a reproducible dropout stream independent of the global seed.

    Call: `h, [h] = cell(x_t, states=[h_prev], training=False)`.
    Weights: `kernel (features, 3 * units)`, `recurrent_kernel (units, 3 * units)`, `bias (2, 3 * units)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> cell = ks.layers.GRUCell(4)
      >>> h, _ = cell(jnp.ones((2, 3)), states=cell.get_initial_state(2))
      >>> h.shape, cell.bias.shape
      ((2, 4), (2, 12))
    """

    gates = 3

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 reset_after: bool = True, **kwargs: Any) -> None:
        kwargs.pop("implementation", None)
        super().__init__(units, activation, use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer, **kwargs)
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.reset_after = checks.boolean(reset_after, "reset_after", "GRUCell")

    state_size = property(lambda self: self.units)

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training: bool = False):
        h = _first(states)
        u = self.units
        kernel, recurrent = self.kernel[...], self.recurrent_kernel[...]
        input_bias = recurrent_bias = None
        if self.use_bias:
            bias = self.bias[...]
            input_bias, recurrent_bias = (bias[0], bias[1]) if self.reset_after else (bias, None)
        input_masks = _per_gate(self.get_dropout_mask(inputs) if training else None, 3)
        masked = [h if m is None else h * m
                  for m in _per_gate(self.get_recurrent_dropout_mask(h) if training else None, 3)]
        x = _gated_product(inputs, kernel, input_masks, u)
        if input_bias is not None:
            x = x + input_bias
        x_z, x_r, x_h = jnp.split(x, 3, axis=-1)
        rec_z = masked[0] @ recurrent[:, :u]
        rec_r = masked[1] @ recurrent[:, u:2 * u]
        if recurrent_bias is not None:
            rec_z, rec_r = rec_z + recurrent_bias[:u], rec_r + recurrent_bias[u:2 * u]
        z = self.recurrent_activation(x_z + rec_z)
        r = self.recurrent_activation(x_r + rec_r)
        if self.reset_after:
            rec_h = masked[2] @ recurrent[:, 2 * u:]
            if recurrent_bias is not None:
                rec_h = rec_h + recurrent_bias[2 * u:]
            rec_h = r * rec_h
        else:
            rec_h = (r * masked[2]) @ recurrent[:, 2 * u:]
        h = z * h + (1 - z) * self.activation(x_h + rec_h)
        return h, [h] if isinstance(states, (list, tuple)) else h

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": _activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}
