"""`Lambda`: any function of the inputs as a layer."""

from __future__ import annotations

import inspect
from typing import Any

from kerasish.layers.base import Layer
from kerasish.shapes import standardize_shape


class Lambda(Layer):
    """Wraps a function without weights, e.g. `Lambda(lambda x: x ** 2)`, as a layer.

    The function receives the input (a list for several inputs), the `arguments` as keyword
    arguments, and `training=` when its signature names it. It must be written with `jax.numpy`
    (it runs inside the compiled training step) and hold no weights: write a `Layer` subclass with
    `add_weight` for that.

    The function itself is the config: `from_config(get_config())` works in the same process, but
    a saved model file (JSON) cannot hold code, so a model with a Lambda is rebuilt in code rather
    than loaded from a file.

    Args:
      function: a callable `x -> y`.
      output_shape: the output shape without the batch axis (a tuple), or a callable
        `input_shape -> output_shape`; None (default) infers it by tracing `function`.
      arguments: a dict of extra keyword arguments for `function`.

    Input shape: any accepted by `function`. Output shape: see `output_shape`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.Lambda(lambda x, power: x ** power, arguments={"power": 3})
      >>> layer(jnp.array([[2.0]])).tolist(), layer.compute_output_shape((None, 1))
      ([[8.0]], (None, 1))
    """

    def __init__(self, function: Any, output_shape: Any = None, arguments: dict | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Argument `function` of Lambda must be callable, received {function!r}.")
        if output_shape is not None and not callable(output_shape):
            output_shape = standardize_shape(output_shape, "output_shape")
        if arguments is not None and not (isinstance(arguments, dict) and all(isinstance(k, str) for k in arguments)):
            raise TypeError(f"Argument `arguments` of Lambda must be a dict of keyword arguments, received "
                            f"{arguments!r}.")
        self.function = function
        self.output_shape_spec = output_shape
        self.arguments = dict(arguments or {})
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):  # some builtins have no signature
            parameters = {}
        self._passes_training = "training" in parameters

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.output_shape_spec is None:
            return super().compute_output_shape(input_shape)
        if callable(self.output_shape_spec):
            return self.output_shape_spec(input_shape)
        return (None,) + self.output_shape_spec

    def rows_independent(self, training: bool) -> bool:
        return False  # arbitrary code: its rows may mix

    def call(self, x, training: bool = False):
        if self._passes_training:
            return self.function(x, training=training, **self.arguments)
        return self.function(x, **self.arguments)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "function": self.function, "output_shape": self.output_shape_spec,
                "arguments": dict(self.arguments)}
