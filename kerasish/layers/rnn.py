"""The generic recurrent layer `RNN(cell)` and `StackedRNNCells`, as in Keras 3.

`RNN` runs any cell over the time axis of `(batch, time, features)` with `jax.lax.scan`: kerasish's
`SimpleRNNCell` / `LSTMCell` / `GRUCell`, a list of cells (stacked), or a cell written the Keras way -- a
Layer with a `state_size` attribute (an int, or a list with one entry per state) and
`call(inputs, states) -> (output, new_states)`. The masking rules are those of Keras's JAX backend: at a
masked step every state keeps its value and the step outputs the first state (zeros with
`zero_output_for_mask=True`).
"""

from __future__ import annotations

import inspect
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

import kerasish.layers.checks as checks
from kerasish import registry
from kerasish.layers.base import Layer
from kerasish.layers.rnn_cells import DropoutRNNCell, dropout_mask_scope
from kerasish.layers.serialization import deserialize
from kerasish.shapes import Shape, format_shape, mask_leaves


def _spec(layer: Layer) -> dict[str, Any]:
    """`{"class_name", "config"}` of a cell; an unregistered custom cell under its class name, as Keras writes it
    (loading it back then needs `custom_objects`)."""
    return {"class_name": registry.get_registered_name(type(layer)), "config": layer.get_config()}


def _check_cell(cell: Any, owner: str) -> None:
    if not isinstance(cell, Layer):
        raise TypeError(f"A cell of {owner} must be a kerasish Layer with `call(inputs, states)` and `state_size`, "
                        f"received {cell!r}.")
    if getattr(cell, "state_size", None) is None:
        raise ValueError(f"The RNN cell should have a `state_size` attribute (single integer or list of integers, "
                         f"one integer per RNN state). Received: cell={cell!r} of {owner}.")


def _call_cell(cell: Layer, inputs, states: list, training: bool):
    """`cell(inputs, states)` with `states` passed under the name of `call`'s second parameter (Keras passes it
    by position; a kerasish layer's second positional argument is `training`)."""
    parameters = list(inspect.signature(cell.call).parameters)
    if len(parameters) < 2:
        raise TypeError(f"The `call` of cell '{cell.name}' must take `(inputs, states)`, its parameters are "
                        f"{parameters}.")
    return cell(inputs, training=training, **{parameters[1]: states})


def _build_cell(cell: Layer, step_shape: Shape) -> None:
    """Builds `cell` for steps of `step_shape` `(batch, features)`, as Keras's RNN does (`cell.build`, then
    built): `build_for` would also trace `call` for the output shape, which needs the states."""
    if not cell.built:
        step_shape = (None,) + tuple(step_shape[1:])
        cell.build(step_shape)
        cell.input_shape = step_shape
        cell.built = True


def _output_size(cell: Layer) -> Any:
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state = cell.state_size
    return state[0] if isinstance(state, (list, tuple)) else state


def _zeros(batch: int, size: Any, dtype) -> jax.Array:
    shape = (size,) if checks.is_int(size) else tuple(size)
    return jnp.zeros((batch,) + shape, dtype)


def initial_state_of(cell: Layer, batch: int, dtype) -> list:
    """The cell's `get_initial_state(batch_size)` when it has one, else zeros per entry of `state_size`; a list."""
    fn = getattr(cell, "get_initial_state", None)
    if fn is not None:
        states = fn(batch_size=batch)
    else:
        sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
        states = [_zeros(batch, size, dtype) for size in sizes]
    return list(states) if isinstance(states, (list, tuple)) else [states]


class StackedRNNCells(Layer):
    """Several cells run one after the other at each step: cell `i + 1` takes cell `i`'s output.

    `RNN([cell_1, cell_2])` makes one. The states are one entry per cell (each a cell's own list of states).

    Args:
      cells: a list of cells (kerasish Layers with `state_size` and `call(inputs, states)`).

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> cells = ks.layers.StackedRNNCells([ks.layers.SimpleRNNCell(4), ks.layers.LSTMCell(3)])
      >>> ks.layers.RNN(cells)(jnp.ones((2, 5, 2))).shape, cells.state_size
      ((2, 3), [4, [3, 3]])
    """

    def __init__(self, cells: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError(f"Argument `cells` of StackedRNNCells must be a non-empty list of cells, received "
                             f"{cells!r}.")
        cells = [c if isinstance(c, Layer) else deserialize(c, what="Argument `cells` of StackedRNNCells")
                 for c in cells]
        for cell in cells:
            _check_cell(cell, "StackedRNNCells")
        self.cells = nnx.List(cells)

    @property
    def state_size(self) -> list:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> Any:
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size: int | None = None) -> list:
        """Each cell's initial states (a list per cell, or the cell's single state)."""
        out = []
        for cell in self.cells:
            states = initial_state_of(cell, batch_size, cell.compute_dtype)
            out.append(states if isinstance(cell.state_size, (list, tuple)) else states[0])
        return out

    def build(self, input_shape: Shape) -> None:
        for cell in self.cells:
            _build_cell(cell, input_shape)
            size = _output_size(cell)
            input_shape = (input_shape[0],) + ((size,) if checks.is_int(size) else tuple(size))

    def compute_output_shape(self, input_shape: Shape) -> Any:
        size = self.output_size
        return (input_shape[0],) + ((size,) if checks.is_int(size) else tuple(size))

    def call(self, inputs, states, training: bool = False):
        new_states = []
        for cell, state in zip(self.cells, states):
            nested = isinstance(state, (list, tuple))
            inputs, state = _call_cell(cell, inputs, list(state) if nested else [state], training)
            if not isinstance(state, (list, tuple)):
                state = [state]
            new_states.append(list(state) if nested else state[0])
        return inputs, new_states

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cells": [_spec(c) for c in self.cells]}


class RNN(Layer):
    """Runs a recurrent cell over the time axis: `RNN(LSTMCell(32))` is an LSTM layer.

    Args:
      cell: a cell (a Layer with `state_size` and `call(inputs, states) -> (output, new_states)`), or a list
        of cells (run as `StackedRNNCells`).
      return_sequences: return every step's output `(batch, time, output_size)` instead of the last one.
      return_state: also return the final states: a list `[output, *states]`.
      go_backwards: read the sequence from its end (the returned sequence then runs backwards, as Keras's).
      stateful: must be False (kerasish does not carry state across batches).
      unroll: unroll the scan (faster for short sequences, longer to compile).
      zero_output_for_mask: output zeros at masked steps instead of the current first state.

    Call arguments:
      sequences: `(batch, time, features)`.
      initial_state: the states to start from, in the structure of `get_initial_state` (default: the
        cell's, zeros for kerasish's cells).
      mask: `(batch, time)` booleans, False at padded steps (the layer before hands it on).
      training: apply the cells' dropout.

    Output shape: `(batch, output_size)`, or `(batch, time, output_size)` with `return_sequences`.
    Weights: the cell's.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.RNN(ks.layers.GRUCell(4), return_sequences=True, return_state=True)
      >>> output, h = layer(jnp.ones((2, 5, 3)))
      >>> output.shape, h.shape
      ((2, 5, 4), (2, 4))
    """

    supports_masking = True

    def __init__(self, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not isinstance(cell, Layer):
            cell = deserialize(cell, what="Argument `cell` of RNN")
        _check_cell(cell, "RNN")
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.cell = cell
        self.return_sequences = checks.boolean(return_sequences, "return_sequences", cls)
        self.return_state = checks.boolean(return_state, "return_state", cls)
        self.go_backwards = checks.boolean(go_backwards, "go_backwards", cls)
        if checks.boolean(stateful, "stateful", cls):
            raise ValueError(f"Argument `stateful` of {cls} must be False, received True: kerasish does not carry "
                             f"recurrent state across batches.")
        self.stateful = False
        self.unroll = checks.boolean(unroll, "unroll", cls)
        self.zero_output_for_mask = checks.boolean(zero_output_for_mask, "zero_output_for_mask", cls)

    @property
    def state_size(self) -> list:
        size = self.cell.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 3:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected ndim >= 3 "
                             f"(batch, time, features), found ndim={len(input_shape)}. Full shape received: "
                             f"{format_shape(input_shape)}.")
        _build_cell(self.cell, (input_shape[0],) + tuple(input_shape[2:]))

    def check_input_shape(self, shape: Shape) -> None:
        if len(shape) < 3:
            checks.check_ndim(shape, 3, self.name)

    def compute_output_shape(self, input_shape: Shape) -> Any:
        """From the cell's `output_size` and `state_size`, without building (as Keras's RNN): `(batch, output_size)`,
        `(batch, time, output_size)` with `return_sequences`, then each state's shape with `return_state`."""
        if len(input_shape) < 3:
            checks.check_ndim(input_shape, 3, self.name)
        batch, time = input_shape[0], input_shape[1]
        size = _output_size(self.cell)
        if not (checks.is_int(size) and size > 0):  # a cell with frames for states (ConvLSTM): trace the call
            return super().compute_output_shape(input_shape)
        output = (batch, time, size) if self.return_sequences else (batch, size)
        if not self.return_state:
            return output
        # Keras's reading of `state_size`: an int is one state `(batch, size)`, a list one state per entry.
        states = [[(batch, t) for t in size] if isinstance(size, (list, tuple)) else (batch, size)
                  for size in self.state_size]
        return [output, *states]

    def get_initial_state(self, batch_size: int) -> list:
        """The states a call starts from without `initial_state`: the cell's (zeros for kerasish's cells)."""
        return initial_state_of(self.cell, batch_size, self.cell.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        """The input's mask for a sequence output, None for the last output and for the states (Keras's rule)."""
        previous_mask = mask
        mask = mask_leaves(previous_mask)[0] if previous_mask is not None else None
        output_mask = mask if self.return_sequences else None
        return [output_mask] + [None] * len(self.state_size) if self.return_state else output_mask

    def _initial_states(self, initial_state: Any, batch: int, dtype) -> list:
        default = self.get_initial_state(batch)
        if initial_state is None:
            return jax.tree.map(lambda s: jnp.asarray(s, dtype), default)
        given = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        leaves, expected = jax.tree.leaves(given), jax.tree.leaves(default)
        shapes = [tuple(jnp.shape(s)) for s in leaves]
        if len(leaves) != len(expected) or any(s != e.shape for s, e in zip(shapes, expected)):
            raise ValueError(f"Argument `initial_state` of layer '{self.name}' must hold {len(expected)} array(s) of "
                             f"shape(s) {', '.join(format_shape(e.shape) for e in expected)}, received "
                             f"{len(leaves)} of shape(s) {', '.join(format_shape(s) for s in shapes)}.")
        return jax.tree.unflatten(jax.tree.structure(default), [jnp.asarray(s, dtype) for s in leaves])

    def _draw_dropout_masks(self, cell: Layer, step_input, states: list) -> None:
        """Draws each dropout cell's masks once, before the scan (as Keras's `_maybe_config_dropout_masks`)."""
        if isinstance(cell, DropoutRNNCell):
            cell.get_dropout_mask(step_input)
            cell.get_recurrent_dropout_mask(jax.tree.leaves(states)[0])
        if isinstance(cell, StackedRNNCells):
            for inner, state in zip(cell.cells, states):
                inner_states = list(state) if isinstance(state, (list, tuple)) else [state]
                self._draw_dropout_masks(inner, step_input, inner_states)
                size = _output_size(inner)
                step_input = _zeros(step_input.shape[0], size, step_input.dtype)

    def call(self, sequences, initial_state: Any = None, mask: Any = None, training: bool = False):
        x = sequences if jnp.issubdtype(sequences.dtype, jnp.floating) else sequences.astype(self.dtype)
        x = x.astype(self.cell.compute_dtype) if x.dtype != self.cell.compute_dtype else x
        batch = x.shape[0]
        states = self._initial_states(initial_state, batch, self.cell.compute_dtype)
        structure = jax.tree.structure(states)
        if mask is not None:
            mask = checks.mask_array(mask, x.shape[:2], self.name)

        def run_cell(x_t, states):
            output, new_states = _call_cell(self.cell, x_t, states, training)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            return output, jax.tree.unflatten(structure, jax.tree.leaves(new_states))

        def step(states, inputs):
            if mask is None:
                output, new_states = run_cell(inputs, states)
                return new_states, output
            x_t, keep = inputs
            output, new_states = run_cell(x_t, states)
            expand = lambda a: keep.reshape(keep.shape + (1,) * (a.ndim - 1))
            if self.zero_output_for_mask:
                output = jnp.where(expand(output), output, jnp.zeros_like(output))
            else:  # Keras's JAX backend repeats the first state (the last cell's, for stacked cells)
                first = states[-1][0] if isinstance(states[0], (list, tuple)) else states[0]
                output = jnp.where(expand(output), output, first)
            new_states = jax.tree.map(lambda old, new: jnp.where(expand(new), new, old), states, new_states)
            return new_states, output

        steps = jnp.swapaxes(x, 0, 1)
        if mask is not None:
            steps = (steps, jnp.swapaxes(mask, 0, 1))
        with dropout_mask_scope():
            self._draw_dropout_masks(self.cell, x[:, 0], states)
            states, outputs = jax.lax.scan(step, states, steps, reverse=self.go_backwards,
                                           unroll=self.unroll or 1)
        if self.go_backwards:
            outputs = jnp.flip(outputs, axis=0)
        output = jnp.swapaxes(outputs, 0, 1) if self.return_sequences else outputs[-1]
        if self.return_state:
            return [output, *states]
        return output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cell": _spec(self.cell), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}

