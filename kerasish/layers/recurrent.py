"""Recurrent layers: SimpleRNN, LSTM, GRU, each a `jax.lax.scan` over the time axis.

The weights are Keras's, in Keras's layout, so `set_weights(keras_layer.get_weights())` works:
`kernel (features, gates * units)`, `recurrent_kernel (units, gates * units)` and `bias`, with the
gates side by side in Keras's order -- LSTM `i, f, c, o`; GRU `z, r, h` (bias `(2, 3 * units)` with
`reset_after=True`: input bias, recurrent bias). flax's `nnx.LSTMCell` / `nnx.GRUCell` keep one
`Linear` per gate (eight for an LSTM), which neither loads Keras weights nor fuses the gates into
one matmul, so the cells are written here; each step computes `x_t @ kernel + h @ recurrent_kernel`
(gates side by side), as Keras's cells do.

Dropout follows Keras 3: one mask per sequence (not per step) on the inputs (`dropout`) and on the
state fed back (`recurrent_dropout`); with `recurrent_dropout` > 0 each gate draws its own masks,
as Keras's "implementation 1" does.

Masks follow Keras 3 too: at a masked step (`mask` `(batch, time)` False, e.g. after
`Embedding(mask_zero=True)`) every state keeps its value and the step's output repeats the kept `h`
(zeros with `zero_output_for_mask=True`); `initial_state=` replaces the zero state.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

import kerasish.layers.checks as checks
from kerasish import activations as _activations
from kerasish import constraints as _constraints
from kerasish import initializers as _initializers
from kerasish import random as _random
from kerasish import regularizers as _regularizers
from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape, mask_leaves


def _project(h, kernel, masks, gates: int):
    """`h @ kernel`; with `masks` (gates, batch, units), each gate's block sees `h` under its own mask."""
    if masks is None:
        return h @ kernel
    blocks = kernel.reshape(kernel.shape[0], gates, -1)
    return jnp.einsum("gbu,ugv->bgv", h[None] * masks, blocks).reshape(h.shape[0], -1)


class _RNN(Layer):
    """Shared by SimpleRNN, LSTM and GRU: arguments, weights, masks, the scan and the outputs."""

    gates = 1
    state_count = 1  # LSTM carries (h, c)
    supports_masking = True

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True, *,
                 kernel_initializer: Any = "glorot_uniform", recurrent_initializer: Any = "orthogonal",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed: int | None = None, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any) -> None:
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
        self.return_sequences = checks.boolean(return_sequences, "return_sequences", cls)
        self.return_state = checks.boolean(return_state, "return_state", cls)
        self.go_backwards = checks.boolean(go_backwards, "go_backwards", cls)
        if checks.boolean(stateful, "stateful", cls):
            raise ValueError(f"Argument `stateful` of {cls} must be False, received True: kerasish does not carry "
                             f"recurrent state across batches.")
        self.stateful = False
        self.unroll = checks.boolean(unroll, "unroll", cls)
        self.zero_output_for_mask = checks.boolean(zero_output_for_mask, "zero_output_for_mask", cls)
        if self.dropout or self.recurrent_dropout:
            self.rngs = nnx.Rngs(dropout=_random.key_from(seed))

    # -- weights and shapes ---------------------------------------------------------------------

    def _bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape: Shape) -> None:
        checks.check_ndim(input_shape, 3, self.name)
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
        checks.check_ndim(shape, 3, self.name)
        checks.check_axis_size(shape, -1, self.kernel.shape[0], self.name)

    def compute_output_shape(self, input_shape: Shape) -> Any:
        checks.check_ndim(input_shape, 3, self.name)
        batch = input_shape[0]
        output = (batch, input_shape[1], self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [output] + [(batch, self.units)] * self.state_count
        return output

    # -- computation ----------------------------------------------------------------------------

    def _masks(self, rate: float, count: int, shape: tuple) -> jax.Array | None:
        """`count` dropout masks of `shape` (kept values scaled by `1 / (1 - rate)`), or None."""
        if rate == 0.0:
            return None
        keep = jax.random.bernoulli(_random.fast_key(self.rngs.dropout()), 1.0 - rate, (count,) + shape)
        return keep.astype(self.compute_dtype) / (1.0 - rate)

    def _input_projection(self, x_t, masks):
        """`x_t @ kernel` for one step, `(batch, features)` -> `(batch, gates * units)`, under the input dropout
        `masks`. A 2-D product: written `(batch, 1, features) @ kernel`, it made the LSTM benchmark's epoch 14%
        slower on XLA:CPU."""
        kernel = self.kernel[...]
        if masks is None:
            return x_t @ kernel
        if masks.shape[0] == 1:
            return (x_t * masks[0]) @ kernel
        blocks = kernel.reshape(kernel.shape[0], self.gates, -1)
        return jnp.einsum("gbf,fgu->bgu", x_t[None] * masks, blocks).reshape(x_t.shape[0], -1)

    def _step(self, carry: tuple, xw_t, recurrent_masks) -> tuple[tuple, jax.Array]:
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        """The input's mask for the sequence output (`return_sequences=True`), None for the last output and
        for the states (Keras's rule)."""
        mask = mask_leaves(mask)[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask] + [None] * self.state_count if self.return_state else output_mask

    def _initial_carry(self, initial_state: Any, batch: int, dtype) -> tuple:
        """The carry the scan starts from: zeros, or `initial_state` checked against `(batch, units)`."""
        if initial_state is None:
            return (jnp.zeros((batch, self.units), dtype),) * self.state_count
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        expected = (batch, self.units)
        names = "[h, c]" if self.state_count == 2 else "[h]"
        shapes = [tuple(np.shape(s)) for s in states]
        if len(states) != self.state_count or any(shape != expected for shape in shapes):
            raise ValueError(f"Argument `initial_state` of layer '{self.name}' must be {self.state_count} "
                             f"array(s) {names} of shape (batch, units) = {format_shape(expected)}, received "
                             f"{len(states)} of shape(s) {', '.join(format_shape(s) for s in shapes)}.")
        return tuple(jnp.asarray(s).astype(dtype) for s in states)

    def call(self, x, initial_state: Any = None, mask: Any = None, training: bool = False):
        """Runs the layer over `x` `(batch, time, features)`.

        Args:
          initial_state: the state to start from (default zeros): one array `(batch, units)`, or a list
            `[h]` (`[h, c]` for LSTM).
          mask: `(batch, time)` booleans, False at padded steps: there the state is kept as it was and,
            with `return_sequences`, the output repeats the previous step's (Keras's rule).
          training: apply dropout.
        """
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.dtype)
        batch = x.shape[0]
        if mask is not None:
            mask = checks.mask_array(mask, x.shape[:2], self.name)
        per_gate = self.recurrent_dropout > 0 and self.gates > 1  # Keras's "implementation 1"
        input_masks = self._masks(self.dropout, self.gates if per_gate else 1, (batch, x.shape[-1])) \
            if training else None
        recurrent_masks = self._masks(self.recurrent_dropout, self.gates, (batch, self.units)) if training else None
        # Each step projects its own inputs (as Keras's cells do): on XLA:CPU that runs the forward pass
        # 2x faster than one projection of every step before the scan (benchmarks/lstm_projection.py).
        project = lambda x_t: self._input_projection(x_t, input_masks)
        steps = jnp.swapaxes(x, 0, 1)  # time major for the scan
        carry = self._initial_carry(initial_state, batch, jax.eval_shape(project, steps[0]).dtype)
        if mask is None:
            step = lambda c, x_t: self._step(c, project(x_t), recurrent_masks)
        else:
            steps = (steps, jnp.swapaxes(mask, 0, 1)[:, :, None])

            def step(c, inputs):  # a masked step keeps the state; its output is the kept h (or zeros)
                new, _ = self._step(c, project(inputs[0]), recurrent_masks)
                new = tuple(jnp.where(inputs[1], n, old) for n, old in zip(new, c))
                return new, jnp.where(inputs[1], new[0], 0.0) if self.zero_output_for_mask else new[0]
        if self.go_backwards:
            steps = jax.tree.map(lambda a: a[::-1], steps)
        if self.return_sequences:
            carry, outputs = jax.lax.scan(step, carry, steps, unroll=self.unroll or 1)
            output = jnp.swapaxes(outputs, 0, 1)
        else:  # the last output is the final h: stacking every step's output cost the LSTM benchmark 4-10%
            carry = jax.lax.scan(lambda c, s: (step(c, s)[0], None), carry, steps, unroll=self.unroll or 1)[0]
            output = carry[0]
            if mask is not None and self.zero_output_for_mask:
                output = jnp.where(steps[1][-1], output, 0.0)
        if self.return_state:
            return [output, *carry]
        return output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "activation": _activations.serialize(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": _initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": _initializers.serialize(self.recurrent_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": _regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": _regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": _constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": _constraints.serialize(self.recurrent_constraint),
                "bias_constraint": _constraints.serialize(self.bias_constraint), "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask}


class SimpleRNN(_RNN):
    """A fully connected recurrent layer: `h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)`.

    Args:
      units: the size of the state and of the output (a positive int).
      activation: default "tanh".
      use_bias: whether to add a bias (default True).
      kernel_initializer: initializer of `kernel` (default "glorot_uniform").
      recurrent_initializer: initializer of `recurrent_kernel` (default "orthogonal").
      bias_initializer: initializer of `bias` (default "zeros").
      kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the training loss.
      kernel_constraint, recurrent_constraint, bias_constraint: projections of the weights after each
        optimizer update (`kerasish.constraints`).
      dropout: the fraction of input features dropped in training, one mask per sequence, in [0, 1).
      recurrent_dropout: likewise, for the state fed back into each step.
      seed: an int for a reproducible dropout stream independent of the global seed.
      return_sequences: return the output of every step `(batch, time, units)` instead of the last
        `(batch, units)`.
      return_state: also return the final state(s): a list `[output, h]` (LSTM: `[output, h, c]`).
      go_backwards: read the sequence from its end; with `return_sequences`, the outputs come in
        that (reversed) order, as in Keras.
      stateful: must be False (kerasish does not carry state across batches).
      unroll: unroll the scan (faster for short sequences, longer to compile).
      zero_output_for_mask: with a mask, output zeros at masked steps instead of repeating the previous
        output (Bidirectional sets it to `return_sequences`, as Keras does).

    Input shape: `(batch, time, features)`. Output shape: `(batch, units)`, or `(batch, time, units)`
    with `return_sequences=True`.
    Weights: `kernel (features, units)`, `recurrent_kernel (units, units)`, `bias (units,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.SimpleRNN(4, return_sequences=True)(jnp.ones((2, 5, 3))).shape
      (2, 5, 4)
    """

    gates = 1

    def _step(self, carry, xw_t, recurrent_masks):
        (h,) = carry
        z = xw_t + self.bias[...] if self.use_bias else xw_t
        h = self.activation(z + _project(h, self.recurrent_kernel[...], recurrent_masks, 1))
        return (h,), h


class LSTM(_RNN):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), Keras's gate order `i, f, c, o`.

    With `z = x_t @ kernel + h @ recurrent_kernel + bias` split in four:
    `i, f, o = recurrent_activation(z_i, z_f, z_o)`, `c = f * c + i * activation(z_c)`,
    `h = o * activation(c)`.

    Args:
      units: the size of the state and of the output (a positive int).
      activation: default "tanh".
      recurrent_activation: the gates' activation (default "sigmoid").
      use_bias: whether to add a bias (default True).
      unit_forget_bias: start the forget gate's bias at 1, as Keras does (default True).
      kernel_initializer: initializer of `kernel` (default "glorot_uniform").
      recurrent_initializer: initializer of `recurrent_kernel` (default "orthogonal").
      bias_initializer: initializer of `bias` (default "zeros").
      kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the training loss.
      kernel_constraint, recurrent_constraint, bias_constraint: projections of the weights after each
        optimizer update (`kerasish.constraints`).
      dropout: the fraction of input features dropped in training, one mask per sequence, in [0, 1).
      recurrent_dropout: likewise, for the state fed back into each step.
      seed: an int for a reproducible dropout stream independent of the global seed.
      return_sequences: return the output of every step `(batch, time, units)` instead of the last
        `(batch, units)`.
      return_state: also return the final state(s): a list `[output, h]` (LSTM: `[output, h, c]`).
      go_backwards: read the sequence from its end; with `return_sequences`, the outputs come in
        that (reversed) order, as in Keras.
      stateful: must be False (kerasish does not carry state across batches).
      unroll: unroll the scan (faster for short sequences, longer to compile).
      zero_output_for_mask: with a mask, output zeros at masked steps instead of repeating the previous
        output (Bidirectional sets it to `return_sequences`, as Keras does).

    Input shape: `(batch, time, features)`. Output shape: `(batch, units)`, or `(batch, time, units)`
    with `return_sequences=True`.
    Weights: `kernel (features, 4 * units)`, `recurrent_kernel (units, 4 * units)`, `bias (4 * units,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> output, h, c = ks.layers.LSTM(4, return_state=True)(jnp.ones((2, 5, 3)))
      >>> output.shape, c.shape
      ((2, 4), (2, 4))
    """

    gates = 4
    state_count = 2

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, *, unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation, use_bias, **kwargs)
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.unit_forget_bias = checks.boolean(unit_forget_bias, "unit_forget_bias", "LSTM")

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, init = self.units, self.bias_initializer

        def forget_bias_one(key, shape, dtype=jnp.float32):
            keys = jax.random.split(key, 2)
            return jnp.concatenate([init(keys[0], (units,), dtype), jnp.ones((units,), dtype),
                                    init(keys[1], (2 * units,), dtype)])
        forget_bias_one.exact_when_fused = getattr(init, "exact_when_fused", False)  # see initializers._Base
        return forget_bias_one

    def _step(self, carry, xw_t, recurrent_masks):
        h, c = carry
        z = xw_t + _project(h, self.recurrent_kernel[...], recurrent_masks, 4)
        if self.use_bias:
            z = z + self.bias[...]
        z_i, z_f, z_c, z_o = jnp.split(z, 4, axis=-1)
        c = self.recurrent_activation(z_f) * c + self.recurrent_activation(z_i) * self.activation(z_c)
        h = self.recurrent_activation(z_o) * self.activation(c)
        return (h, c), h

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": _activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRU(_RNN):
    """Gated recurrent unit (Cho et al., 2014), Keras's gate order `z, r, h`.

    `z, r = recurrent_activation(...)`, `hh = activation(x_h + r * (h @ R_h + b_h))` (with
    `reset_after=True`, Keras's default; else `(r * h) @ R_h`), `h = z * h + (1 - z) * hh`.

    Args:
      units: the size of the state and of the output (a positive int).
      activation: default "tanh".
      recurrent_activation: the gates' activation (default "sigmoid").
      use_bias: whether to add a bias (default True).
      reset_after: apply the reset gate after the recurrent matmul (default True, Keras's and
        cuDNN's convention); the bias then has shape `(2, 3 * units)`: input bias, recurrent bias.
      kernel_initializer: initializer of `kernel` (default "glorot_uniform").
      recurrent_initializer: initializer of `recurrent_kernel` (default "orthogonal").
      bias_initializer: initializer of `bias` (default "zeros").
      kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the training loss.
      kernel_constraint, recurrent_constraint, bias_constraint: projections of the weights after each
        optimizer update (`kerasish.constraints`).
      dropout: the fraction of input features dropped in training, one mask per sequence, in [0, 1).
      recurrent_dropout: likewise, for the state fed back into each step.
      seed: an int for a reproducible dropout stream independent of the global seed.
      return_sequences: return the output of every step `(batch, time, units)` instead of the last
        `(batch, units)`.
      return_state: also return the final state(s): a list `[output, h]` (LSTM: `[output, h, c]`).
      go_backwards: read the sequence from its end; with `return_sequences`, the outputs come in
        that (reversed) order, as in Keras.
      stateful: must be False (kerasish does not carry state across batches).
      unroll: unroll the scan (faster for short sequences, longer to compile).
      zero_output_for_mask: with a mask, output zeros at masked steps instead of repeating the previous
        output (Bidirectional sets it to `return_sequences`, as Keras does).

    Input shape: `(batch, time, features)`. Output shape: `(batch, units)`, or `(batch, time, units)`
    with `return_sequences=True`.
    Weights: `kernel (features, 3 * units)`, `recurrent_kernel (units, 3 * units)`, `bias (2, 3 * units)`
    (`(3 * units,)` with `reset_after=False`).

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.GRU(4, go_backwards=True)
      >>> layer(jnp.ones((2, 5, 3))).shape, layer.bias.shape
      ((2, 4), (2, 12))
    """

    gates = 3

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, *, reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation, use_bias, **kwargs)
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.reset_after = checks.boolean(reset_after, "reset_after", "GRU")

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_projection(self, x, masks):
        xw = super()._input_projection(x, masks)
        if self.use_bias:
            xw = xw + (self.bias[...][0] if self.reset_after else self.bias[...])
        return xw

    def _step(self, carry, xw_t, recurrent_masks):
        (h,) = carry
        u = self.units
        kernel = self.recurrent_kernel[...]
        x_z, x_r, x_h = jnp.split(xw_t, 3, axis=-1)
        if self.reset_after:
            inner = _project(h, kernel, recurrent_masks, 3)
            if self.use_bias:
                inner = inner + self.bias[...][1]
            rec_z, rec_r, rec_h = jnp.split(inner, 3, axis=-1)
            z = self.recurrent_activation(x_z + rec_z)
            r = self.recurrent_activation(x_r + rec_r)
            rec_h = r * rec_h
        else:
            masks_zr = None if recurrent_masks is None else recurrent_masks[:2]
            rec_z, rec_r = jnp.split(_project(h, kernel[:, :2 * u], masks_zr, 2), 2, axis=-1)
            z = self.recurrent_activation(x_z + rec_z)
            r = self.recurrent_activation(x_r + rec_r)
            h_h = h if recurrent_masks is None else h * recurrent_masks[2]
            rec_h = (r * h_h) @ kernel[:, 2 * u:]
        h = z * h + (1 - z) * self.activation(x_h + rec_h)
        return (h,), h

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": _activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}
