"""The core layers: Input, Dense, Activation, Dropout, Flatten, Reshape."""

from __future__ import annotations

import math
import warnings
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
from kerasish.shapes import Shape, format_shape, standardize_shape, standardized_rank


class InputLayer(Layer):
    """Declares the shape and dtype of a model's input, as `keras.layers.InputLayer`.

    Args:
      shape: the shape of one sample, without the batch axis, e.g. `(64,)` or `(28, 28, 1)` (None for a
        size that varies).
      batch_size: an optional fixed batch size.
      dtype: the input dtype (float32 by default; an integer dtype for token ids).
      sparse: must be False or None: kerasish's arrays are dense.
      ragged: must be False or None (Keras has ragged tensors on TensorFlow only).
      batch_shape: the shape with the batch axis, instead of `shape` and `batch_size`.
      input_tensor: an existing symbolic tensor to use as this input (its shape and dtype are the input's).
      optional: whether the input may be None when the model is called.
      name: the layer name.

    Raises:
      ValueError: in Keras's words, for `shape` with `batch_shape`, `batch_size` with `batch_shape`, neither
        `shape` nor `batch_shape`, `sparse=True` / `ragged=True`, or an `input_tensor` that is not symbolic or
        disagrees with the other arguments.
    """

    def __init__(self, shape: Any = None, batch_size: int | None = None, dtype: Any = None, sparse: bool | None = None,
                 ragged: bool | None = None, batch_shape: Any = None, input_tensor: Any = None, optional: bool = False,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name)
        if "input_shape" in kwargs:  # Keras 2's names
            warnings.warn("Argument `input_shape` is deprecated. Use `shape` instead.", UserWarning, stacklevel=2)
            shape = kwargs.pop("input_shape")
        batch_shape = kwargs.pop("batch_input_shape", batch_shape)
        if kwargs:
            raise TypeError(f"InputLayer got unexpected keyword argument(s) {sorted(kwargs)}; it accepts shape, "
                            f"batch_size, dtype, sparse, ragged, batch_shape, input_tensor, optional and name.")
        if input_tensor is not None:
            batch_shape, dtype = _check_input_tensor(input_tensor, shape, batch_size, batch_shape, dtype, sparse)
        else:
            if shape is not None and batch_shape is not None:
                raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
            if batch_size is not None and batch_shape is not None:
                raise ValueError("You cannot pass both `batch_size` and `batch_shape` at the same time.")
            if shape is None and batch_shape is None:
                raise ValueError("You must pass a `shape` argument.")
            if shape is not None:
                batch_shape = (batch_size,) + standardize_shape(shape, "shape")
        self.batch_shape = standardize_shape(batch_shape, "batch_shape")
        if not self.batch_shape:
            raise ValueError(f"Argument `batch_shape` of InputLayer must start with the batch axis, received "
                             f"{batch_shape!r}.")
        for flag, value in (("sparse", sparse), ("ragged", ragged)):
            if value:
                raise ValueError(f"`{flag}=True` is not supported with the jax backend in kerasish (its arrays are "
                                 f"dense), received {flag}={value!r}.")
        self.sparse, self.ragged = False, False
        self.optional = bool(optional)
        self.sample_shape = self.batch_shape[1:]
        self.batch_size = self.batch_shape[0]
        self.input_dtype = jnp.dtype(dtype if dtype is not None else "float32")
        self.dtype = self.input_dtype  # Keras's InputLayer.dtype is the input's dtype
        self.input_shape = self.batch_shape
        self.output_shape = self.input_shape
        self.built = True
        if input_tensor is not None:
            Node(self, None, input_tensor)  # the tensor now comes from this Input, as in Keras
        else:
            self.symbolic_input()  # `layer.output`, as Keras's InputLayer makes its tensor at once

    def symbolic_input(self) -> SymbolicTensor:
        """A new symbolic tensor of this input's batch shape and dtype, recorded as made by this layer."""
        tensor = SymbolicTensor(self.batch_shape, self.input_dtype)
        Node(self, None, tensor)
        return tensor

    def standardize_rank(self, x: Any) -> Any:
        """`x` with Keras's rank standardisation of model inputs (a trailing axis of 1 squeezed or added, see
        `shapes.standardized_rank`); None (an optional input left out) as it is.

        Raises:
          ValueError: in Keras's words, for a rank that differs otherwise.
        """
        if x is None or not hasattr(x, "shape"):
            return x
        shape = standardized_rank(tuple(x.shape), self.batch_shape)
        if shape is None:
            raise ValueError(f"Invalid input shape for input with name '{self.name}'. Expected shape "
                             f"{self.batch_shape}, but input has incompatible shape {tuple(x.shape)}")
        return x if shape == tuple(x.shape) else jnp.reshape(x, shape)

    def check_input_shape(self, shape: Shape) -> None:
        expected = self.sample_shape
        shape = standardized_rank(shape, self.batch_shape) or shape  # what `standardize_rank` makes of it
        if len(shape) != len(expected) + 1 or any(e is not None and s is not None and e != s
                                                    for e, s in zip(expected, shape[1:])):
            raise ValueError(f"Input of layer '{self.name}' is incompatible with the layer: expected shape="
                             f"{format_shape((None,) + expected)}, found shape={format_shape(shape)}")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def _input_dtype(self):
        return self.input_dtype

    def call(self, x=None):
        return x  # Keras's InputLayer.call() takes nothing and returns None

    def get_config(self) -> dict[str, Any]:
        return {"batch_shape": self.batch_shape, "dtype": self.input_dtype.name, "sparse": self.sparse,
                "ragged": self.ragged, "name": self.name, "optional": self.optional}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputLayer:
        return cls(**config)  # older kerasish files hold `shape` and `batch_size`: both are arguments


def _check_input_tensor(tensor: Any, shape: Any, batch_size: Any, batch_shape: Any, dtype: Any, sparse: Any):
    """`(batch_shape, dtype)` of `input_tensor`, after Keras's checks against the other arguments."""
    if not isinstance(tensor, SymbolicTensor):
        raise ValueError(f"Argument `input_tensor` must be a KerasTensor. Received invalid type: input_tensor={tensor} "
                         f"(of type {type(tensor)})")
    incompatible = "When providing the `input_tensor` argument, you cannot provide an incompatible `{}` argument."
    if batch_size is not None and (not tensor.shape or tensor.shape[0] != batch_size):
        raise ValueError(incompatible.format("batch_size"))
    if shape is not None and tuple(shape) != tuple(tensor.shape[1:]):
        raise ValueError(incompatible.format("shape"))
    if batch_shape is not None and tuple(batch_shape) != tuple(tensor.shape):
        raise ValueError(incompatible.format("batch_shape"))
    if dtype is not None and jnp.dtype(dtype) != tensor.dtype:
        raise ValueError(incompatible.format("dtype"))
    if sparse:
        raise ValueError(incompatible.format("sparse"))
    return tensor.shape, tensor.dtype


def Input(shape: Any = None, batch_size: int | None = None, dtype: Any = None, sparse: bool | None = None,
          ragged: bool | None = None, batch_shape: Any = None, name: str | None = None, tensor: Any = None,
          optional: bool = False) -> SymbolicTensor:
    """The input of a model: `ks.Sequential([ks.Input((64,)), ...])`, or `x = ks.Input((64,))` to start
    a functional model (Keras 3's `keras.Input`).

    Args:
      shape: the shape of one sample, without the batch axis (None for a size that varies).
      batch_size: an optional fixed batch size.
      dtype: the dtype of the input (float32 by default; an integer dtype for token ids).
      sparse: must be False or None (kerasish's arrays are dense).
      ragged: must be False or None.
      batch_shape: the shape with the batch axis, instead of `shape` and `batch_size`.
      name: the name of its `InputLayer`.
      tensor: an existing symbolic tensor to wrap as this input.
      optional: whether the input may be None when the model is called.

    Returns:
      A `SymbolicTensor` made by an `InputLayer`: call layers on it, then `ks.Model(inputs, outputs)`.

    Raises:
      ValueError: as `InputLayer`.

    Example:
      >>> import kerasish as ks
      >>> ks.Input((64,)).shape, ks.Input(batch_shape=(8, 3), dtype="int32").shape
      ((None, 64), (8, 3))
    """
    layer = InputLayer(shape, batch_size=batch_size, dtype=dtype, sparse=sparse, ragged=ragged,
                       batch_shape=batch_shape, input_tensor=tensor, optional=optional, name=name)
    return tensor if tensor is not None else layer.output


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
