"""Layer wrappers: Wrapper (the base), TimeDistributed, Bidirectional.

`Bidirectional` follows Keras 3: it rebuilds two fresh copies of the recurrent layer from its config,
a forward one (named `forward_<name>`) and a backward one (`backward_<name>`, `go_backwards=True`),
runs both on the same sequence and merges their outputs. Its weights are the forward layer's then
the backward layer's, so `set_weights(keras_bidirectional.get_weights())` loads a Keras twin as is.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

import kerasish.layers.checks as checks
from kerasish import registry
from kerasish.layers.base import Layer
from kerasish.layers.serialization import deserialize, registered_name
from kerasish.shapes import Shape, format_shape, mask_leaves

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _serialize(layer: Layer) -> dict[str, Any]:
    return {"class_name": registered_name(type(layer)), "config": layer.get_config()}


def _deserialize(spec: Any, argument: str) -> Layer:
    if isinstance(spec, Layer):
        return spec
    if not isinstance(spec, dict) or "class_name" not in spec or not isinstance(spec.get("config"), dict):
        raise ValueError(f"Argument `{argument}` of Bidirectional must be a layer or a {{'class_name', 'config'}} "
                         f"dict, received {spec!r}.")
    return deserialize({"class_name": spec["class_name"], "config": spec["config"]})


def _removeprefix(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Runs a recurrent layer over a sequence forwards and backwards and merges the two outputs.

    As in Keras, the wrapped `layer` itself is not used: two new layers are made from
    `layer.get_config()`, `forward_layer` (named `forward_<name>`) and `backward_layer` (named
    `backward_<name>`, with `go_backwards=True`), so each has its own weights. With
    `return_sequences=True` the backward layer's outputs, which come in reversed time order, are
    flipped back before merging, so step `t` of both halves refers to input step `t`.

    Args:
      layer: a recurrent layer (`SimpleRNN`, `LSTM`, `GRU`, or any layer with the same config
        arguments `go_backwards`, `return_sequences`, `return_state`, `stateful`).
      merge_mode: how the two outputs combine: "concat" (default, on the last axis), "sum", "mul",
        "ave", or None (a list `[forward_output, backward_output]`).
      backward_layer: an optional layer used as is for the backward direction; its `go_backwards`
        must differ from `layer`'s, and `return_sequences`, `return_state`, `stateful` must match.

    Input shape: `(batch, time, features)`. Output shape: the wrapped layer's, with the last axis
    doubled for "concat". With `return_state=True` the output is a list: the merged output (two
    outputs for `merge_mode=None`), then the forward layer's states, then the backward layer's.
    Weights: `forward_layer.weights` then `backward_layer.weights` (Keras's order).

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.Bidirectional(ks.layers.LSTM(4, return_sequences=True))
      >>> layer(jnp.ones((2, 5, 3))).shape
      (2, 5, 8)
      >>> [w.shape for w in layer.get_weights()][:3]
      [(3, 16), (4, 16), (16,)]
    """

    def __init__(self, layer: Any, merge_mode: str | None = "concat", backward_layer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        layer = _deserialize(layer, "layer")
        if backward_layer is not None:
            backward_layer = _deserialize(backward_layer, "backward_layer")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Argument `merge_mode` of Bidirectional must be one of 'concat', 'sum', 'mul', 'ave' "
                             f"or None, received {merge_mode!r}.")
        for attribute in ("go_backwards", "return_sequences", "return_state"):
            if not hasattr(layer, attribute):
                raise ValueError(f"Argument `layer` of Bidirectional must be a recurrent layer (with `{attribute}`), "
                                 f"received {type(layer).__name__} '{layer.name}'.")
        config = layer.get_config()
        self.forward_layer = type(layer).from_config(
            {**config, "name": "forward_" + _removeprefix(layer.name, "forward_")})
        self._custom_backward = backward_layer is not None
        if backward_layer is None:
            backward_layer = type(layer).from_config(
                {**config, "go_backwards": True, "name": "backward_" + _removeprefix(layer.name, "backward_")})
        self.backward_layer = backward_layer
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(f"Forward layer and backward layer of Bidirectional should have different "
                             f"`go_backwards` values, received forward_layer.go_backwards={forward.go_backwards}, "
                             f"backward_layer.go_backwards={backward.go_backwards}.")
        for attribute in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, attribute, False) != getattr(backward, attribute, False):
                raise ValueError(f"Forward layer and backward layer of Bidirectional are expected to have the same "
                                 f"value for `{attribute}`, received {getattr(forward, attribute, False)} for the "
                                 f"forward layer and {getattr(backward, attribute, False)} for the backward layer.")
        for direction in (forward, backward):  # as in Keras: masked steps of returned sequences are zeros
            if getattr(direction, "zero_output_for_mask", None) is not None:
                direction.zero_output_for_mask = bool(direction.return_sequences)
        self.merge_mode = merge_mode
        self.return_sequences = bool(forward.return_sequences)
        self.return_state = bool(forward.return_state)

    def build(self, input_shape: Shape) -> None:
        self.forward_layer.build_for(input_shape)
        self.backward_layer.build_for(input_shape)

    def check_input_shape(self, shape: Shape) -> None:
        self.forward_layer.check_input_shape(shape)
        self.backward_layer.check_input_shape(shape)

    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        """The input's mask for sequence outputs (one per output with `merge_mode=None`), else None (Keras's)."""
        mask = mask_leaves(mask)[0]
        if self.return_sequences:
            output_mask = [mask, mask] if self.merge_mode is None else mask
        else:
            output_mask = [None, None] if self.merge_mode is None else None
        if self.return_state:
            states = [None] * (2 * getattr(self.forward_layer, "state_count", 1))
            return (output_mask if self.merge_mode is None else [output_mask]) + states
        return output_mask

    def call(self, x, initial_state: Any = None, mask: Any = None, training: bool = False):
        """Runs both directions on `x`; `initial_state` lists the forward layer's states then the backward
        layer's (`[h_f, c_f, h_b, c_b]` for LSTM), `mask` `(batch, time)` goes to both, as in Keras."""
        forward_state = backward_state = None
        if initial_state is not None:
            if not isinstance(initial_state, (list, tuple)) or len(initial_state) % 2:
                raise ValueError(f"Argument `initial_state` of layer '{self.name}' must be a list of the forward "
                                 f"layer's states then the backward layer's (an even count), received "
                                 f"{type(initial_state).__name__}" + (f" of length {len(initial_state)}" if
                                                                      isinstance(initial_state, (list, tuple)) else "")
                                 + ".")
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        with_state = lambda state: {} if state is None else {"initial_state": state}
        y = self.forward_layer(x, training=training, mask=mask, **with_state(forward_state))
        y_rev = self.backward_layer(x, training=training, mask=mask, **with_state(backward_state))
        states: list = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = jnp.flip(y_rev, axis=1)
        if self.merge_mode == "concat":
            output = jnp.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "layer": _serialize(self.forward_layer), "merge_mode": self.merge_mode}
        if self._custom_backward:
            config["backward_layer"] = _serialize(self.backward_layer)
        return config


class Wrapper(Layer):
    """Base class of layers that hold one other layer, `layer`, and augment it (Keras's `Wrapper`).

    The held layer is a sublayer: its weights are the wrapper's. `get_config` records it as
    `{"class_name", "config"}`, and `from_config` rebuilds it through `kerasish.registry`.

    Args:
      layer: the layer to wrap (a kerasish Layer, or a `{"class_name", "config"}` dict).
    """

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        if not isinstance(layer, (Layer, dict)):
            raise ValueError(f"Layer {layer!r} supplied to Wrapper isn't a supported layer type. Please ensure wrapped "
                             f"layer is a valid Keras layer (a kerasish Layer, or a {{'class_name', 'config'}} dict).")
        if not isinstance(layer, Layer):
            layer = deserialize(layer, what=f"Argument `layer` of {type(self).__name__}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any) -> None:
        if not self.layer.built:
            self.layer.build_for(input_shape)

    def get_config(self) -> dict[str, Any]:
        # Keras names an unregistered custom layer by its class name (loading it then needs custom_objects).
        return {**super().get_config(), "layer": {"class_name": registry.get_registered_name(type(self.layer)),
                                                  "config": self.layer.get_config()}}


class TimeDistributed(Wrapper):
    """Applies `layer` to every time step of its input: `(batch, time, ...)` -> `(batch, time, ...)`.

    Each step `x[:, t]` goes through the same layer (the same weights). A layer whose rows are independent
    (`Dense`, `Conv2D`, `Dropout`, ...) runs once on all `batch * time` steps folded into the batch axis; any
    other (`BatchNormalization` in training) runs step after step, as Keras runs it.

    Args:
      layer: the layer to apply at each step.

    Call arguments:
      mask: `(batch, time, ...)` booleans; the wrapped layer gets each step's mask when its `call` takes one.
      training: passed on to the wrapped layer.

    Input shape: `(batch, time, *step_shape)`. Output shape: `(batch, time, *layer_output_shape[1:])`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.TimeDistributed(ks.layers.Dense(8))
      >>> layer(jnp.ones((2, 10, 3))).shape, layer.layer.kernel.shape
      ((2, 10, 8), (3, 8))
    """

    supports_masking = True

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        if not isinstance(layer, (Layer, dict)):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance (a "
                             f"kerasish Layer). Received: {layer!r}")
        super().__init__(layer, **kwargs)

    def _step_shape(self, input_shape: Any) -> Shape:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3 or not all(
                d is None or checks.is_int(d) for d in input_shape):
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                             f"received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape: Shape) -> None:
        self.layer.build_for(self._step_shape(input_shape))

    def check_input_shape(self, shape: Shape) -> None:
        self.layer.check_input_shape(self._step_shape(shape))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        step = self.layer.compute_output_shape(self._step_shape(input_shape))
        return (input_shape[0], input_shape[1], *step[1:])

    def rows_independent(self, training: bool) -> bool:
        return super().rows_independent(training) and self.layer.rows_independent(training)

    def call(self, x, training: bool = False, mask=None):
        batch, time = x.shape[0], x.shape[1]
        if mask is not None:
            mask = jnp.asarray(mask)
            if mask.ndim < 2 or mask.shape[:2] != (batch, time):
                raise ValueError(f"The `mask` passed to the `TimeDistributed` layer has a shape "
                                 f"{format_shape(mask.shape)} that is incompatible with the input shape: it must start "
                                 f"with the input's (batch, timesteps) = {format_shape((batch, time))} (layer "
                                 f"'{self.name}').")
        if self.layer.rows_independent(training):
            folded_mask = None if mask is None else mask.reshape((batch * time,) + mask.shape[2:])
            y = self.layer(x.reshape((batch * time,) + x.shape[2:]), training=training, mask=folded_mask)
            return y.reshape((batch, time) + y.shape[1:])
        steps = [self.layer(x[:, t], training=training, mask=None if mask is None else mask[:, t])
                 for t in range(time)]
        return jnp.stack(steps, axis=1)
