"""The core layers: Input, Dense, Activation, Dropout, Flatten, Reshape."""

from __future__ import annotations

import math
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
from kerasish.layers.symbolic import Node, SymbolicTensor
from kerasish.shapes import Shape, format_shape, standardize_shape


class InputLayer(Layer):
    """Declares the shape (without the batch axis) and dtype of a model's input.

    Args:
      shape: the shape of one sample, e.g. `(64,)` or `(28, 28, 1)`.
      dtype: the input dtype (float32 by default; an integer dtype for token ids).
      batch_size: an optional fixed batch size.
      name: the layer name.
    """

    def __init__(self, shape: Any, dtype: Any = "float32", batch_size: int | None = None,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.sample_shape = standardize_shape(shape, "shape")
        self.batch_size = batch_size
        self.input_dtype = jnp.dtype(dtype)
        self.input_shape = (batch_size,) + self.sample_shape
        self.output_shape = self.input_shape
        self.built = True

    def check_input_shape(self, shape: Shape) -> None:
        expected = self.sample_shape
        if len(shape) != len(expected) + 1 or any(e is not None and s is not None and e != s
                                                    for e, s in zip(expected, shape[1:])):
            raise ValueError(f"Input of layer '{self.name}' is incompatible: expected shape "
                             f"{format_shape((None,) + expected)}, received input with shape "
                             f"{format_shape(shape)}.")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def _input_dtype(self):
        return self.input_dtype

    def call(self, x):
        return x

    def get_config(self) -> dict[str, Any]:
        return {"shape": self.sample_shape, "dtype": self.input_dtype.name, "batch_size": self.batch_size,
                "name": self.name}


def Input(shape: Any, dtype: Any = "float32", batch_size: int | None = None,
          name: str | None = None) -> SymbolicTensor:
    """The input of a model: `ks.Sequential([ks.Input((64,)), ...])`, or `x = ks.Input((64,))` to start
    a functional model.

    Args:
      shape: the shape of one sample, without the batch axis.
      dtype: the dtype of the input (an integer dtype for token ids).
      batch_size: an optional fixed batch size.
      name: the name of its `InputLayer`.

    Returns:
      A `SymbolicTensor` made by an `InputLayer`: call layers on it, then `ks.Model(inputs, outputs)`.

    Example:
      >>> import kerasish as ks
      >>> ks.Input((64,)).shape
      (None, 64)
    """
    layer = InputLayer(shape, dtype=dtype, batch_size=batch_size, name=name)
    output = SymbolicTensor((None,) + layer.sample_shape, layer.input_dtype)
    Node(layer, None, output)
    return output


class Dense(Layer):
    """A fully connected layer: `activation(x @ kernel + bias)`.

    The math is one matmul, so it is written here rather than wrapping `nnx.Linear`: the weights
    are then created by `add_weight` in Keras's order and names (`kernel`, then `bias`), which is what
    lets `get_weights()` / `set_weights()` exchange weights with Keras.

    Args:
      units: the size of the last axis of the output (a positive int).
      activation: a name (`"relu"`, `"softmax"`, ...), a callable, or None for linear.
      use_bias: whether to add a bias.
      kernel_initializer: a name or a callable `(key, shape, dtype) -> array`.
      bias_initializer: likewise, for the bias.
      kernel_regularizer: a penalty on the kernel added to the training loss (a name such as
        `"l2"`, a `kerasish.regularizers` object, or a callable `kernel -> scalar`).
      bias_regularizer: likewise, for the bias.
      kernel_constraint: a projection of the kernel applied after each optimizer update (a name such as
        `"max_norm"`, a `kerasish.constraints` object, or a callable `kernel -> kernel`).
      bias_constraint: likewise, for the bias.

    Input shape: `(batch, ..., input_dim)`. Output shape: `(batch, ..., units)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Dense(3, activation="relu")(jnp.ones((2, 5))).shape
      (2, 3)
    """

    supports_masking = True  # hands the mask on unchanged, as in Keras

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = checks.positive_int(units, "units", "Dense")
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.kernel_constraint = _constraints.get(kernel_constraint)
        self.bias_constraint = _constraints.get(bias_constraint)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"Layer '{self.name}' needs inputs of shape (batch, ..., features) with a known "
                             f"last axis, received input_shape {format_shape(input_shape)}.")
        self.add_weight((input_shape[-1], self.units), self.kernel_initializer, name="kernel",
                        regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.add_weight((self.units,), self.bias_initializer, name="bias", regularizer=self.bias_regularizer,
                            constraint=self.bias_constraint)

    def check_input_shape(self, shape: Shape) -> None:
        expected = self.kernel.shape[0]
        if len(shape) < 2 or shape[-1] != expected:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected axis -1 "
                             f"of input shape to have value {expected}, but received input with shape "
                             f"{format_shape(shape)}.")

    def call(self, x):
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.kernel.dtype)
        y = x @ self.kernel[...]
        if self.use_bias:
            y = y + self.bias[...]
        return self.activation(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units,
                "activation": _activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": _initializers.serialize(self.kernel_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": _constraints.serialize(self.kernel_constraint),
                "bias_constraint": _constraints.serialize(self.bias_constraint)}


class Activation(Layer):
    """Applies an activation function: `ks.layers.Activation("relu")`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Activation("relu")(jnp.array([[-1.0, 2.0]])).tolist()
      [[0.0, 2.0]]
    """

    supports_masking = True  # hands the mask on unchanged, as in Keras

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)

    def call(self, x):
        return self.activation(x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": _activations.serialize(self.activation)}


class Dropout(Layer):
    """Sets a fraction `rate` of the inputs to 0 in training, scaling the rest by `1 / (1 - rate)`.

    In inference (`training=False`, as in `evaluate` and `predict`) it is the identity. The masks
    come from an `nnx.Rngs` stream seeded from `seed` or from `kerasish.utils.set_random_seed`, and
    the math is `flax.nnx.Dropout`'s.

    Args:
      rate: the fraction of inputs to drop, in [0, 1).
      noise_shape: the shape of the mask, broadcast to the input (e.g. `(None, 1, features)`).
      seed: an int for a reproducible mask stream independent of the global seed.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.Dropout(0.5, seed=0)
      >>> bool((layer(jnp.ones((1, 4)), training=False) == 1).all())
      True
    """

    supports_masking = True  # hands the mask on unchanged, as in Keras

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = checks.dropout_rate(rate, "Dropout")
        self.noise_shape = checks.noise_shape(noise_shape, "Dropout")
        self.seed = seed
        self.rngs = nnx.Rngs(dropout=_random.key_from(seed))
        self.dropout = nnx.Dropout(self.rate, rngs=self.rngs)

    def call(self, x, training: bool = False):
        if not training or self.rate == 0.0:
            return x
        if self.noise_shape is None:
            return self.dropout(x, deterministic=False, rngs=_random.fast_key(self.dropout.rngs()))
        shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        keep = jax.random.bernoulli(_random.fast_key(self.rngs.dropout()), 1.0 - self.rate, shape)
        return jnp.where(keep, x / (1.0 - self.rate), jnp.zeros_like(x))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class Flatten(Layer):
    """Flattens every axis but the batch axis: `(batch, 4, 4, 2)` -> `(batch, 32)`.

    Args:
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`: channels-first inputs
        are moved to channels last before flattening, as Keras does, so the order of the flat features
        matches a channels-last model's.

    Input shape: `(batch, ...)`. Output shape: `(batch, product of the other sizes)` (`(batch, 1)` for
    `(batch,)`).

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Flatten()(jnp.ones((2, 4, 4, 2))).shape
      (2, 32)
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = checks.data_format(data_format, "Flatten")

    def call(self, x):
        if self.data_format == "channels_first" and x.ndim > 2:
            x = jnp.moveaxis(x, 1, -1)
        return x.reshape((x.shape[0], -1))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class Identity(Layer):
    """Returns its input unchanged (a placeholder), the mask handed on.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Identity()([jnp.ones((1, 2)), jnp.zeros((1, 3))])[1].shape
      (1, 3)
    """

    supports_masking = True

    def call(self, x):
        return x

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one axis may be -1).

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Reshape((2, -1))(jnp.ones((3, 8))).shape
      (3, 2, 4)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(target_shape, (tuple, list)) or not all(
                isinstance(d, int) and (d > 0 or d == -1) for d in target_shape) or list(target_shape).count(-1) > 1:
            raise ValueError(f"Argument `target_shape` of Reshape must be a tuple of positive ints with at most "
                             f"one -1, received {target_shape!r}.")
        self.target_shape = tuple(target_shape)

    def check_input_shape(self, shape: Shape) -> None:
        size = math.prod(d for d in shape[1:] if d is not None)
        known = math.prod(d for d in self.target_shape if d != -1)
        if None not in shape[1:] and (size % known if -1 in self.target_shape else size != known):
            raise ValueError(f"Layer '{self.name}' cannot reshape inputs of shape {format_shape(shape)} "
                             f"to target_shape {self.target_shape}: {size} values per sample.")

    def call(self, x):
        return x.reshape((x.shape[0],) + self.target_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}
