"""Activation functions, named and defined as in Keras 3.

Every activation takes a JAX array and returns one of the same shape. Most are thin aliases of
`jax.nn`; where a `jax.nn` default differs from Keras (`gelu` is tanh-approximated in JAX, exact in
Keras; `leaky_relu` uses slope 0.01 in JAX, 0.2 in Keras) the Keras default is used.

`get(identifier)` turns a name such as `"relu"` into the function, and `serialize(fn)` turns one of
these functions back into its name.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from kerasish import registry

Activation = Callable[[jax.Array], jax.Array]


def relu(x: jax.Array) -> jax.Array:
    """Rectified linear unit, `max(x, 0)`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape.

    Example:
      >>> relu(jnp.array([-1.0, 2.0])).tolist()
      [0.0, 2.0]
    """
    return jax.nn.relu(x)


def relu6(x: jax.Array) -> jax.Array:
    """ReLU capped at 6, `min(max(x, 0), 6)`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape.

    Example:
      >>> relu6(jnp.array([-1.0, 3.0, 9.0])).tolist()
      [0.0, 3.0, 6.0]
    """
    return jax.nn.relu6(x)


def leaky_relu(x: jax.Array, negative_slope: float = 0.2) -> jax.Array:
    """Leaky ReLU, `x if x >= 0 else negative_slope * x` (Keras's default slope 0.2).

    Args:
      x: an array of any shape.
      negative_slope: the slope for negative inputs.

    Returns:
      An array of the same shape.

    Example:
      >>> leaky_relu(jnp.array([-1.0, 2.0])).tolist()
      [-0.20000000298023224, 2.0]
    """
    return jax.nn.leaky_relu(x, negative_slope=negative_slope)


def sigmoid(x: jax.Array) -> jax.Array:
    """Logistic sigmoid, `1 / (1 + exp(-x))`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape, in `(0, 1)`.

    Example:
      >>> sigmoid(jnp.array([0.0])).tolist()
      [0.5]
    """
    return jax.nn.sigmoid(x)


def hard_sigmoid(x: jax.Array) -> jax.Array:
    """Piecewise-linear sigmoid, Keras 3's definition `relu6(x + 3) / 6`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape, in `[0, 1]`.

    Example:
      >>> hard_sigmoid(jnp.array([-4.0, 0.0, 4.0])).tolist()
      [0.0, 0.5, 1.0]
    """
    return jax.nn.relu6(x + 3.0) / 6.0


def hard_silu(x: jax.Array) -> jax.Array:
    """Hard SiLU (hard swish), `x * hard_sigmoid(x)`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape.

    Example:
      >>> hard_silu(jnp.array([-4.0, 4.0])).tolist()
      [-0.0, 4.0]
    """
    return x * hard_sigmoid(x)


def softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """Softmax along `axis`: `exp(x) / sum(exp(x), axis)`.

    Args:
      x: an array of any shape.
      axis: the axis that sums to one.

    Returns:
      An array of the same shape.

    Example:
      >>> softmax(jnp.array([0.0, 0.0])).tolist()
      [0.5, 0.5]
    """
    return jax.nn.softmax(x, axis=axis)


def log_softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """Logarithm of the softmax along `axis`, computed stably.

    Args:
      x: an array of any shape.
      axis: the axis the softmax normalizes over.

    Returns:
      An array of the same shape.

    Example:
      >>> round(float(log_softmax(jnp.array([0.0, 0.0]))[0]), 4)
      -0.6931
    """
    return jax.nn.log_softmax(x, axis=axis)


def tanh(x: jax.Array) -> jax.Array:
    """Hyperbolic tangent.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape, in `(-1, 1)`.

    Example:
      >>> tanh(jnp.array([0.0])).tolist()
      [0.0]
    """
    return jnp.tanh(x)


def gelu(x: jax.Array, approximate: bool = False) -> jax.Array:
    """Gaussian error linear unit, `x * Phi(x)`; exact by default as in Keras (JAX defaults to tanh).

    Args:
      x: an array of any shape.
      approximate: use the tanh approximation instead of the exact erf form.

    Returns:
      An array of the same shape.

    Example:
      >>> round(float(gelu(jnp.array(1.0))), 4)
      0.8413
    """
    return jax.nn.gelu(x, approximate=approximate)


def elu(x: jax.Array, alpha: float = 1.0) -> jax.Array:
    """Exponential linear unit, `x if x > 0 else alpha * (exp(x) - 1)`.

    Args:
      x: an array of any shape.
      alpha: the scale of the negative part.

    Returns:
      An array of the same shape.

    Example:
      >>> elu(jnp.array([0.0, 2.0])).tolist()
      [0.0, 2.0]
    """
    return jax.nn.elu(x, alpha=alpha)


def selu(x: jax.Array) -> jax.Array:
    """Scaled ELU with the self-normalizing constants (alpha ~ 1.6733, scale ~ 1.0507).

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape.

    Example:
      >>> round(float(selu(jnp.array(1.0))), 4)
      1.0507
    """
    return jax.nn.selu(x)


def softplus(x: jax.Array) -> jax.Array:
    """Softplus, `log(1 + exp(x))`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape, positive.

    Example:
      >>> round(float(softplus(jnp.array(0.0))), 4)
      0.6931
    """
    return jax.nn.softplus(x)


def softsign(x: jax.Array) -> jax.Array:
    """Softsign, `x / (1 + |x|)`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape, in `(-1, 1)`.

    Example:
      >>> softsign(jnp.array([1.0, -3.0])).tolist()
      [0.5, -0.75]
    """
    return jax.nn.soft_sign(x)


def silu(x: jax.Array) -> jax.Array:
    """SiLU (swish), `x * sigmoid(x)`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape.

    Example:
      >>> silu(jnp.array([0.0])).tolist()
      [0.0]
    """
    return jax.nn.silu(x)


def mish(x: jax.Array) -> jax.Array:
    """Mish, `x * tanh(softplus(x))`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape.

    Example:
      >>> round(float(mish(jnp.array(1.0))), 4)
      0.8651
    """
    return x * jnp.tanh(jax.nn.softplus(x))


def exponential(x: jax.Array) -> jax.Array:
    """Exponential, `exp(x)`.

    Args:
      x: an array of any shape.

    Returns:
      An array of the same shape.

    Example:
      >>> exponential(jnp.array([0.0])).tolist()
      [1.0]
    """
    return jnp.exp(x)


def linear(x: jax.Array) -> jax.Array:
    """The identity, `x` unchanged.

    Args:
      x: an array of any shape.

    Returns:
      `x`.

    Example:
      >>> linear(jnp.array([-1.0])).tolist()
      [-1.0]
    """
    return x


swish = silu
hard_swish = hard_silu

_CANONICAL: dict[str, Activation] = {
    fn.__name__: fn
    for fn in (
        relu,
        relu6,
        leaky_relu,
        sigmoid,
        hard_sigmoid,
        hard_silu,
        softmax,
        log_softmax,
        tanh,
        gelu,
        elu,
        selu,
        softplus,
        softsign,
        silu,
        mish,
        exponential,
        linear,
    )
}
_ALIASES: dict[str, Activation] = {"swish": silu, "hard_swish": hard_silu}
_BY_NAME: dict[str, Activation] = {**_CANONICAL, **_ALIASES}


def get(identifier: str | dict | Activation | None) -> Activation:
    """Resolves an activation name (or function) to the function.

    Args:
      identifier: `None` (the identity), a name such as `"relu"`, a `"function"` entry as `serialize` gives
        for a registered function, or any callable, which is returned unchanged.

    Returns:
      The activation function.

    Raises:
      ValueError: if `identifier` is a string (or a `"function"` entry) that names no activation.
      TypeError: if `identifier` is neither `None`, a string nor a callable.

    Example:
      >>> get("relu") is relu, get(None) is linear
      (True, True)
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown activation {identifier!r}. Expected one of {sorted(_BY_NAME)} or a callable.")
        return _BY_NAME[identifier]
    if isinstance(identifier, dict) and identifier.get("class_name") == "function":
        return _function_from_config(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        "Argument `identifier` must be None, an activation name or a callable, "
        f"received {identifier!r} of type {type(identifier).__name__}."
    )


def serialize(activation: Activation) -> str | None:
    """The registered name of one of this module's activations; for a function registered with
    `register_keras_serializable`, Keras's entry `{"module", "class_name": "function", "config": "package>name",
    "registered_name": "function"}` (what `get` takes back); else `None` (e.g. a user lambda).

    Args:
      activation: a callable.

    Returns:
      Its canonical name (`swish` gives `"silu"`), a registered function's entry, or `None`.

    Example:
      >>> serialize(relu), serialize(swish), serialize(lambda x: x)
      ('relu', 'silu', None)
    """
    for name, fn in _CANONICAL.items():
        if fn is activation:
            return name
    if registry.is_registered(activation):
        return {"module": "builtins", "class_name": "function", "config": registry.get_registered_name(activation),
                "registered_name": "function"}
    return None


def _function_from_config(config: dict) -> Activation:
    """The activation a `{"class_name": "function", "config": name}` entry names: a registered function (also in
    a `custom_object_scope`), else one of this module's."""
    name = config.get("config")
    fn = registry.get_registered_object(name) if isinstance(name, str) else None
    if fn is None and name in _BY_NAME:
        fn = _BY_NAME[name]
    if not callable(fn):
        raise ValueError(f"Unknown activation function {name!r}: register it with "
                         f"@kerasish.saving.register_keras_serializable() or pass it in `custom_objects`.")
    return fn
