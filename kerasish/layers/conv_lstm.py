"""Convolutional LSTMs (Shi et al., 2015): ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, and their cell.

An LSTM whose gates are convolutions: each step convolves the input frame with `kernel` (the layer's
`strides`, `padding`, `dilation_rate`) and the previous state with `recurrent_kernel` ("same" padding,
stride 1), so the states keep the frames' spatial layout. The layers are `RNN(ConvLSTMCell(...))` with the
cell's arguments as their own, as in Keras 3; the weights (`kernel (*kernel_size, channels, 4 * filters)`,
`recurrent_kernel (*kernel_size, filters, 4 * filters)`, `bias (4 * filters,)`), gate order `i, f, c, o` and
maths are Keras's.
"""

from __future__ import annotations

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
from kerasish.layers.conv import conv_output_size, dimension_numbers
from kerasish.layers.rnn import RNN
from kerasish.layers.rnn_cells import DropoutRNNCell
from kerasish.shapes import Shape, format_shape

_CELL_ARGUMENTS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
                   "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                   "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                   "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                   "recurrent_dropout", "seed")


class ConvLSTMCell(DropoutRNNCell, Layer):
    """One step of a convolutional LSTM over frames `(batch, *spatial, channels)` (or channels first).

    Args:
      rank: the number of spatial axes (1, 2 or 3).
      filters: the number of output channels (a positive int).
      kernel_size, strides, padding ("valid" or "same"), data_format, dilation_rate: the input convolution's.
      activation: default "tanh". recurrent_activation: the gates', default "sigmoid".
      use_bias, kernel_initializer, recurrent_initializer, bias_initializer, unit_forget_bias: as LSTMCell.
      kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the training loss.
      kernel_constraint, recurrent_constraint, bias_constraint: projections after each optimizer update.
      dropout, recurrent_dropout: fractions dropped in training (one mask per gate and sequence).
      seed: an int for a reproducible dropout stream.

    Call: `h, [h, c] = cell(frame, states=[h, c], training=False)`; `h` and `c` have the output frame's shape.
    """

    dropout_mask_count = 4

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", recurrent_initializer: Any = "orthogonal",
                 bias_initializer: Any = "zeros", unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        if rank not in (1, 2, 3):
            raise ValueError(f"Argument `rank` of {cls} must be 1, 2 or 3, received {rank!r}.")
        self.rank = rank
        self.filters = checks.strictly_positive(filters, "filters", cls)
        self.kernel_size = checks.int_tuple(kernel_size, rank, "kernel_size", cls)
        self.strides = checks.int_tuple(strides, rank, "strides", cls)
        self.padding = checks.choice(padding, ("valid", "same"), "padding", cls)
        self.data_format = checks.data_format(data_format, cls)
        self.dilation_rate = checks.int_tuple(dilation_rate, rank, "dilation_rate", cls)
        self.activation = _activations.get(activation)
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.use_bias = checks.boolean(use_bias, "use_bias", cls)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.recurrent_initializer = _initializers.get(recurrent_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.unit_forget_bias = checks.boolean(unit_forget_bias, "unit_forget_bias", cls)
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
        self.rngs = nnx.Rngs(dropout=_random.key_from(seed))
        self.state_size = -1  # not an int per state: the states are frames (`get_initial_state` makes them)
        self._channel_axis = -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape: Shape) -> tuple:
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def _output_frame(self, shape: Shape) -> Shape:
        spatial = tuple(conv_output_size(d, k, s, r, self.padding) for d, k, s, r in zip(
            self._spatial(shape), self.kernel_size, self.strides, self.dilation_rate))
        if self.data_format == "channels_last":
            return (shape[0],) + spatial + (self.filters,)
        return (shape[0], self.filters) + spatial

    def build(self, input_shape: Shape) -> None:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        spatial = self._spatial(input_shape)
        if None in spatial:
            raise ValueError(f"ConvLSTM layers only support static input shapes for the spatial dimension. Received "
                             f"invalid input shape: input_shape={format_shape(input_shape)} (layer '{self.name}').")
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs should be defined. Found None. Full input shape "
                             f"received: input_shape={format_shape(input_shape)} (layer '{self.name}').")
        output = self._output_frame(input_shape)
        if any(d is not None and d <= 0 for d in self._spatial(output)):
            raise ValueError(f"Computed output size would be zero or negative: layer '{self.name}' cannot take frames "
                             f"of shape {format_shape(input_shape)} with kernel_size={self.kernel_size}, "
                             f"strides={self.strides} and padding='{self.padding}'.")
        self.spatial_dims, self.input_dim = spatial, channels
        self.add_weight(self.kernel_size + (channels, 4 * self.filters), self.kernel_initializer, name="kernel",
                        regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.add_weight(self.kernel_size + (self.filters, 4 * self.filters), self.recurrent_initializer,
                        name="recurrent_kernel", regularizer=self.recurrent_regularizer,
                        constraint=self.recurrent_constraint)
        if self.use_bias:
            self.add_weight((4 * self.filters,), self._bias_initializer(), name="bias",
                            regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        filters, init = self.filters, self.bias_initializer

        def forget_bias_one(key, shape, dtype=jnp.float32):
            keys = jax.random.split(key, 2)
            return jnp.concatenate([init(keys[0], (filters,), dtype), jnp.ones((filters,), dtype),
                                    init(keys[1], (2 * filters,), dtype)])
        forget_bias_one.exact_when_fused = getattr(init, "exact_when_fused", False)
        return forget_bias_one

    def compute_output_shape(self, input_shape: Shape) -> Any:
        frame = self._output_frame(input_shape)
        return [frame, [frame, frame]]

    def get_initial_state(self, batch_size: int | None = None) -> list:
        """Zero `h` and `c` frames of the output's shape."""
        frame_in = ((batch_size,) + self.spatial_dims + (self.input_dim,) if self.data_format == "channels_last"
                    else (batch_size, self.input_dim) + self.spatial_dims)
        frame = self._output_frame(frame_in)
        return [jnp.zeros(frame, self.compute_dtype), jnp.zeros(frame, self.compute_dtype)]

    def _conv(self, x, kernel, strides, padding, dilation):
        return jax.lax.conv_general_dilated(x, kernel, strides, padding.upper(), rhs_dilation=dilation,
                                            dimension_numbers=dimension_numbers(self.rank, self.data_format))

    def call(self, inputs, states, training: bool = False):
        h, c = states[0], states[1]
        input_masks = self.get_dropout_mask(inputs) if training and self.dropout else [None] * 4
        recurrent_masks = self.get_recurrent_dropout_mask(h) if training and self.recurrent_dropout else [None] * 4
        kernels = jnp.split(self.kernel[...], 4, axis=-1)
        recurrent_kernels = jnp.split(self.recurrent_kernel[...], 4, axis=-1)
        biases = jnp.split(self.bias[...], 4) if self.use_bias else [None] * 4
        bias_shape = [1] * (self.rank + 2)
        bias_shape[self._channel_axis] = self.filters
        gates = []
        for g in range(4):
            x = inputs if input_masks[g] is None else inputs * input_masks[g]
            z = self._conv(x, kernels[g], self.strides, self.padding, self.dilation_rate)
            if biases[g] is not None:
                z = z + biases[g].reshape(bias_shape)
            state = h if recurrent_masks[g] is None else h * recurrent_masks[g]
            gates.append(z + self._conv(state, recurrent_kernels[g], (1,) * self.rank, "same", (1,) * self.rank))
        z_i, z_f, z_c, z_o = gates
        c = self.recurrent_activation(z_f) * c + self.recurrent_activation(z_i) * self.activation(z_c)
        h = self.recurrent_activation(z_o) * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rank": self.rank, **_cell_config(self)}


def _cell_config(cell: ConvLSTMCell) -> dict[str, Any]:
    return {"filters": cell.filters, "kernel_size": cell.kernel_size, "strides": cell.strides,
            "padding": cell.padding, "data_format": cell.data_format, "dilation_rate": cell.dilation_rate,
            "activation": _activations.serialize(cell.activation),
            "recurrent_activation": _activations.serialize(cell.recurrent_activation), "use_bias": cell.use_bias,
            "kernel_initializer": _initializers.serialize(cell.kernel_initializer),
            "recurrent_initializer": _initializers.serialize(cell.recurrent_initializer),
            "bias_initializer": _initializers.serialize(cell.bias_initializer),
            "unit_forget_bias": cell.unit_forget_bias,
            "kernel_regularizer": _regularizers.serialize(cell.kernel_regularizer),
            "recurrent_regularizer": _regularizers.serialize(cell.recurrent_regularizer),
            "bias_regularizer": _regularizers.serialize(cell.bias_regularizer),
            "kernel_constraint": _constraints.serialize(cell.kernel_constraint),
            "recurrent_constraint": _constraints.serialize(cell.recurrent_constraint),
            "bias_constraint": _constraints.serialize(cell.bias_constraint), "dropout": cell.dropout,
            "recurrent_dropout": cell.recurrent_dropout, "seed": cell.seed}


class _ConvLSTM(RNN):
    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", recurrent_initializer: Any = "orthogonal",
                 bias_initializer: Any = "zeros", unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, **kwargs: Any) -> None:
        arguments = dict(locals())
        cell_arguments = {k: arguments[k] for k in _CELL_ARGUMENTS}
        cell = ConvLSTMCell(self.rank, **cell_arguments, name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, activity_regularizer=activity_regularizer,
                         **kwargs)

    def build(self, input_shape: Shape) -> None:
        checks.check_ndim(input_shape, self.rank + 3, self.name)
        super().build(input_shape)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self.rank + 3, self.name)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["cell"]
        return {**config, **_cell_config(self.cell),
                "activity_regularizer": _regularizers.serialize(self.activity_regularizer)}


# Keras's properties: `layer.filters`, `layer.kernel_size`, ... read the cell's.
for _name in _CELL_ARGUMENTS:
    setattr(_ConvLSTM, _name, property(lambda self, _name=_name: getattr(self.cell, _name)))


_LAYER_DOC = """A {rank}-D convolutional LSTM over sequences of frames: `RNN(ConvLSTMCell({rank}, ...))`.

    Args:
      filters: the number of output channels (a positive int).
      kernel_size: the convolution window, an int or a tuple of {rank} ints.
      strides: the input convolution's step (default 1); the recurrent one always has step 1.
      padding: "valid" (default) or "same", for the input convolution (the recurrent one is "same").
      data_format: "channels_last" (default; None means it) or "channels_first".
      dilation_rate: the input convolution's dilation (default 1).
      activation: default "tanh". recurrent_activation: the gates', default "sigmoid".
      use_bias, unit_forget_bias, kernel_initializer, recurrent_initializer, bias_initializer: as LSTM.
      kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer: penalties.
      kernel_constraint, recurrent_constraint, bias_constraint: projections after each optimizer update.
      dropout, recurrent_dropout: fractions dropped in training (one mask per gate and sequence).
      seed: an int for a reproducible dropout stream.
      return_sequences, return_state, go_backwards, stateful: as `RNN` (stateful must be False).

    Input shape: `(batch, time, {spatial}, channels)` (channels last).
    Output shape: `(batch, {out}, filters)`, or `(batch, time, {out}, filters)` with `return_sequences`.
    Weights: `kernel ({kernel}, channels, 4 * filters)`, `recurrent_kernel ({kernel}, filters, 4 * filters)`,
    `bias (4 * filters,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.ConvLSTM{rank}D(4, 3, padding="same")(jnp.ones({example})).shape
      {result}
"""


class ConvLSTM1D(_ConvLSTM):
    rank = 1
    __doc__ = _LAYER_DOC.format(rank=1, spatial="steps", out="new_steps", kernel="k", example="(2, 3, 5, 2)",
                                result="(2, 5, 4)")


class ConvLSTM2D(_ConvLSTM):
    rank = 2
    __doc__ = _LAYER_DOC.format(rank=2, spatial="rows, cols", out="new_rows, new_cols", kernel="kh, kw",
                                example="(2, 3, 5, 5, 2)", result="(2, 5, 5, 4)")


class ConvLSTM3D(_ConvLSTM):
    rank = 3
    __doc__ = _LAYER_DOC.format(rank=3, spatial="depth, rows, cols", out="new_depth, new_rows, new_cols",
                                kernel="kd, kh, kw", example="(1, 2, 3, 3, 3, 2)", result="(1, 3, 3, 3, 4)")
