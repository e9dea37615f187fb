"""Activation functions of `keras.ops.nn`: relu, gelu, silu / swish, sigmoid, softmax, log_softmax, ...

Each is `jax.nn`'s function (Keras's JAX backend uses the same), applied to `convert_to_tensor(x)`.
`softmax` and `log_softmax` also take a tuple of axes, normalizing over all of them together.

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> ops.relu(jnp.array([-1.0, 2.0])).tolist(), ops.leaky_relu(jnp.array([-1.0]), 0.5).tolist()
  ([0.0, 2.0], [-0.5])
  >>> ops.softmax(jnp.zeros((1, 2, 2)), axis=(1, 2)).tolist()
  [[[0.25, 0.25], [0.25, 0.25]]]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import jax
import jax.numpy as jnp

from kerasish.ops.dispatch import alias, keras_op, tensor


def _activation(name: str, fn: Callable, what: str) -> Callable:
    def op(x):
        return fn(tensor(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"The {what} activation, element-wise (`keras.ops.{name}`).\n\n"
                  f"Args:\n  x: a float tensor.\n\nReturns:\n  A tensor of `x`'s shape and dtype.\n")
    return keras_op(op, elementwise=True)


relu = _activation("relu", jax.nn.relu, "rectified linear, `max(x, 0)`,")
relu6 = _activation("relu6", jax.nn.relu6, "rectified linear capped at 6, `min(max(x, 0), 6)`,")
sigmoid = _activation("sigmoid", jax.nn.sigmoid, "logistic sigmoid, `1 / (1 + exp(-x))`,")
sparse_sigmoid = _activation("sparse_sigmoid", jax.nn.sparse_sigmoid, "sparse sigmoid (a clipped linear ramp)")
softplus = _activation("softplus", jax.nn.softplus, "softplus, `log(1 + exp(x))`,")
softsign = _activation("softsign", jax.nn.soft_sign, "softsign, `x / (1 + |x|)`,")
sparse_plus = _activation("sparse_plus", jax.nn.sparse_plus, "sparse plus (a smooth ReLU with a quadratic knee)")
silu = _activation("silu", jax.nn.silu, "SiLU (swish), `x * sigmoid(x)`,")
swish = alias(silu, "swish")
log_sigmoid = _activation("log_sigmoid", jax.nn.log_sigmoid, "log-sigmoid, `-softplus(-x)`,")
hard_sigmoid = _activation("hard_sigmoid", jax.nn.hard_sigmoid, "hard sigmoid, `relu6(x + 3) / 6`,")
hard_silu = _activation("hard_silu", jax.nn.hard_silu, "hard SiLU, `x * hard_sigmoid(x)`,")
hard_swish = alias(hard_silu, "hard_swish")
selu = _activation("selu", jax.nn.selu, "scaled exponential linear (SELU)")
hard_tanh = _activation("hard_tanh", jax.nn.hard_tanh, "hard tanh, `clip(x, -1, 1)`,")


@keras_op(elementwise=True)
def tanh_shrink(x):
    """`x - tanh(x)`, element-wise (`keras.ops.tanh_shrink`)."""
    x = tensor(x)
    return x - jnp.tanh(x)


@keras_op(elementwise=True)
def leaky_relu(x, negative_slope=0.2):
    """`x` for positive values, `negative_slope * x` otherwise (`keras.ops.leaky_relu`)."""
    return jax.nn.leaky_relu(tensor(x), negative_slope=negative_slope)


@keras_op(elementwise=True)
def elu(x, alpha=1.0):
    """The exponential linear unit: `x` for positive values, `alpha * (exp(x) - 1)` otherwise (`keras.ops.elu`)."""
    return jax.nn.elu(tensor(x), alpha=alpha)


@keras_op(elementwise=True)
def celu(x, alpha=1.0):
    """The continuously differentiable ELU: `max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))` (`keras.ops.celu`)."""
    return jax.nn.celu(tensor(x), alpha=alpha)


@keras_op(elementwise=True)
def gelu(x, approximate=True):
    """The Gaussian error linear unit, `x * P(X <= x)` for a standard normal X (`keras.ops.gelu`).

    Args:
      x: a float tensor.
      approximate: use the tanh approximation (True, Keras's default for the op) or the exact erf form.

    Example:
      >>> import jax.numpy as jnp
      >>> float(gelu(jnp.array(0.0)))
      0.0
    """
    return jax.nn.gelu(tensor(x), approximate)


@keras_op(elementwise=True)
def squareplus(x, b=4):
    """`(x + sqrt(x**2 + b)) / 2`, a smooth ReLU (`keras.ops.squareplus`)."""
    return jax.nn.squareplus(tensor(x), b=b)


@keras_op(elementwise=True)
def soft_shrink(x, threshold=0.5):
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, 0 between (`keras.ops.soft_shrink`)."""
    x = tensor(x)
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, 0.0))


@keras_op(elementwise=True)
def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, 0 elsewhere (`keras.ops.hard_shrink`)."""
    x = tensor(x)
    return jnp.where(jnp.abs(x) > threshold, x, 0.0)


@keras_op(elementwise=True)
def threshold(x, threshold, default_value):  # noqa: A002 (Keras's argument name)
    """`x` where `x > threshold`, `default_value` elsewhere (`keras.ops.threshold`)."""
    x = tensor(x)
    return jnp.where(x > threshold, x, default_value)


@keras_op
def glu(x, axis=-1):
    """The gated linear unit: `a * sigmoid(b)` for the two halves `a, b` of `x` along `axis` (`keras.ops.glu`).

    Raises:
      ValueError: when the size of `axis` is odd.
    """
    x = tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(f"Argument `x` of glu must have an even size along axis {axis}, received shape {x.shape}.")
    return jax.nn.glu(x, axis=axis)


def _over_axes(fn: Callable, x, axis):
    """`fn(x, axis=-1)` applied over several axes at once: those axes are moved last and flattened."""
    keep = [a for a in range(x.ndim) if a not in {b % x.ndim for b in axis}]
    order = keep + [a % x.ndim for a in axis]
    moved = jnp.transpose(x, order)
    flat = jnp.reshape(moved, moved.shape[:len(keep)] + (-1,))
    out = jnp.reshape(fn(flat, axis=-1), moved.shape)
    return jnp.transpose(out, sorted(range(len(order)), key=order.__getitem__))


def _warn_single_class(x, axis, op: str) -> None:
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(f"{op} over axis {axis} of a tensor of shape {x.shape}: the axis has size 1, so the result is "
                      f"always {'1' if op == 'softmax' else '0'}. Did you mean sigmoid?", stacklevel=3)


@keras_op
def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` over `axis` (an int or a tuple of ints) (`keras.ops.softmax`).

    Warns (UserWarning, as Keras) when `axis` has size 1: the result is always 1.

    Example:
      >>> import jax.numpy as jnp
      >>> softmax(jnp.array([0.0, 0.0])).tolist()
      [0.5, 0.5]
    """
    x = tensor(x)
    _warn_single_class(x, axis, "softmax")
    if isinstance(axis, (tuple, list)):
        return _over_axes(jax.nn.softmax, x, axis)
    return jax.nn.softmax(x, axis=axis)


@keras_op
def log_softmax(x, axis=-1):
    """`log(softmax(x))` over `axis`, computed stably (`keras.ops.log_softmax`)."""
    x = tensor(x)
    if isinstance(axis, (tuple, list)):
        return _over_axes(jax.nn.log_softmax, x, axis)
    return jax.nn.log_softmax(x, axis=axis)


@keras_op
def sparsemax(x, axis=-1):
    """The sparsemax of `x` over `axis`: the Euclidean projection onto the probability simplex, which gives
    exact zeros (`keras.ops.sparsemax`): `max(x - tau, 0)` with `tau` making the outputs sum to 1.

    Keras 3.15's JAX backend computes `tau` from the sum of the running sums over the support instead of
    the running sum at its end, which gives outputs that do not sum to 1 whenever two or more entries are
    positive (`[1.0, 0.8]` gives `[0.1, 0.0]`); kerasish computes the definition (`[0.6, 0.4]`), which
    agrees with Keras whenever a single entry is positive.

    Example:
      >>> import jax.numpy as jnp
      >>> sparsemax(jnp.array([2.0, 0.0])).tolist(), [round(v, 4) for v in sparsemax(jnp.array([1.0, 0.8])).tolist()]
      ([1.0, 0.0], [0.6, 0.4])
    """
    logits = tensor(x)
    ordered = -jnp.sort(-logits, axis=axis)
    running = jnp.cumsum(ordered, axis=axis)
    shape = [1] * logits.ndim
    shape[axis] = -1
    rank = jnp.reshape(jnp.arange(1, logits.shape[axis] + 1), shape)
    support = ordered - (running - 1) / rank > 0
    count = jnp.sum(support, axis=axis, keepdims=True)  # the support's size k (at least 1)
    tau = (jnp.take_along_axis(running, count - 1, axis=axis) - 1) / count
    return jnp.maximum(logits - tau, 0.0)


__all__ = sorted(name for name, value in list(globals().items())
                 if callable(value) and hasattr(value, "elementwise"))
