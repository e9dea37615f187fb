"""Products and matrix-shaped ops of `keras.ops.numpy`: matmul, dot, einsum, tensordot, outer, kron,
cross, trace, diagonal, tril / triu, correlate, trapezoid, ...

As in Keras, two int8 operands of `matmul` and `einsum` accumulate in int32 (the result is int32).

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> a = jnp.arange(6.0).reshape(2, 3)
  >>> ops.matmul(a, a.T).tolist(), ops.einsum("ij->j", a).tolist()
  ([[5.0, 14.0], [14.0, 50.0]], [3.0, 5.0, 7.0])
"""

from __future__ import annotations

import jax.numpy as jnp

from kerasish.ops.dispatch import canonical_axis, dtype_name, keras_op, tensor


@keras_op
def matmul(x1, x2):
    """The matrix product of `x1` and `x2`, batched over leading axes (`keras.ops.matmul`).

    Args:
      x1: a tensor of shape `(..., n, k)` (or `(k,)`).
      x2: a tensor of shape `(..., k, m)` (or `(k,)`).

    Returns:
      A tensor of shape `(..., n, m)`; int32 for two int8 operands.

    Example:
      >>> import jax.numpy as jnp
      >>> matmul(jnp.ones((2, 3)), jnp.ones((3, 4))).shape
      (2, 4)
    """
    x1, x2 = tensor(x1), tensor(x2)
    both_int8 = dtype_name(x1) == "int8" and dtype_name(x2) == "int8"
    return jnp.matmul(x1, x2, preferred_element_type="int32" if both_int8 else None)


@keras_op
def dot(x1, x2):
    """The dot product (`keras.ops.dot`): for 2-D tensors the matrix product, for N-D a sum over the last axis
    of `x1` and the second-to-last of `x2`.

    Example:
      >>> import jax.numpy as jnp
      >>> float(dot(jnp.array([1.0, 2.0]), jnp.array([3.0, 4.0])))
      11.0
    """
    return jnp.dot(tensor(x1), tensor(x2))


@keras_op
def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over `operands` as `subscripts` says (`keras.ops.einsum`).

    Example:
      >>> import jax.numpy as jnp
      >>> einsum("ij,j->i", jnp.ones((2, 3)), jnp.arange(3.0)).tolist()
      [3.0, 3.0]
    """
    operands = [tensor(x) for x in operands]
    if operands and all(dtype_name(x) == "int8" for x in operands):
        kwargs["preferred_element_type"] = "int32"
    return jnp.einsum(subscripts, *operands, **kwargs)


@keras_op
def tensordot(x1, x2, axes=2):
    """The sum of products over `axes` (an int N: the last N of `x1` with the first N of `x2`; or two lists
    of axes) (`keras.ops.tensordot`).

    Example:
      >>> import jax.numpy as jnp
      >>> tensordot(jnp.ones((2, 3)), jnp.ones((3, 4)), axes=1).shape
      (2, 4)
    """
    return jnp.tensordot(tensor(x1), tensor(x2), axes=axes)


@keras_op
def inner(x1, x2):
    """The inner product over the last axes (`keras.ops.inner`)."""
    return jnp.inner(tensor(x1), tensor(x2))


@keras_op
def outer(x1, x2):
    """The outer product of the flattened `x1` and `x2` (`keras.ops.outer`)."""
    return jnp.outer(tensor(x1), tensor(x2))


@keras_op
def vdot(x1, x2):
    """The dot product of the flattened tensors, the first conjugated (`keras.ops.vdot`)."""
    return jnp.vdot(tensor(x1), tensor(x2))


@keras_op
def kron(x1, x2):
    """The Kronecker product (`keras.ops.kron`)."""
    return jnp.kron(tensor(x1), tensor(x2))


@keras_op
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (or 2-vectors) along the given axes (`keras.ops.cross`); `axis`
    overrides all three."""
    return jnp.cross(tensor(x1), tensor(x2), axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


@keras_op
def trace(x, offset=0, axis1=0, axis2=1):
    """The sum along the `offset` diagonal of the plane `(axis1, axis2)` (`keras.ops.trace`)."""
    return jnp.trace(tensor(x), offset=offset, axis1=axis1, axis2=axis2)


@keras_op
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The `offset` diagonal of the plane `(axis1, axis2)`, as the last axis (`keras.ops.diagonal`).

    Raises:
      ValueError: when `axis1` and `axis2` are the same axis.

    Example:
      >>> import jax.numpy as jnp
      >>> diagonal(jnp.arange(4).reshape(2, 2)).tolist()
      [0, 3]
    """
    x = tensor(x)
    if canonical_axis(axis1, x.ndim, "axis1") == canonical_axis(axis2, x.ndim, "axis2"):
        raise ValueError(f"Arguments `axis1` and `axis2` of diagonal must be different axes, received axis1={axis1}, "
                         f"axis2={axis2}.")
    return jnp.diagonal(x, offset=offset, axis1=axis1, axis2=axis2)


@keras_op
def diag(x, k=0):
    """The `k`-th diagonal of a 2-D `x`, or a 2-D matrix with a 1-D `x` on its `k`-th diagonal (`keras.ops.diag`).

    Example:
      >>> import jax.numpy as jnp
      >>> diag(jnp.array([1, 2])).tolist()
      [[1, 0], [0, 2]]
    """
    return jnp.diag(tensor(x), k=k)


@keras_op
def diagflat(x, k=0):
    """A 2-D matrix with the flattened `x` on its `k`-th diagonal (`keras.ops.diagflat`)."""
    return jnp.diagflat(tensor(x), k=k)


@keras_op
def tril(x, k=0):
    """`x` with the elements above the `k`-th diagonal zeroed (last two axes) (`keras.ops.tril`)."""
    return jnp.tril(tensor(x), k=k)


@keras_op
def triu(x, k=0):
    """`x` with the elements below the `k`-th diagonal zeroed (last two axes) (`keras.ops.triu`)."""
    return jnp.triu(tensor(x), k=k)


@keras_op
def correlate(x1, x2, mode="valid"):
    """The cross-correlation of two 1-D tensors (`keras.ops.correlate`); `mode` is "valid", "same" or "full".

    Raises:
      ValueError: for another `mode`.
    """
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"Argument `mode` of correlate must be 'valid', 'same' or 'full', received {mode!r}.")
    return jnp.correlate(tensor(x1), tensor(x2), mode)


@keras_op
def corrcoef(x):
    """The Pearson correlation coefficients of the rows of `x` (`keras.ops.corrcoef`)."""
    return jnp.corrcoef(tensor(x))


@keras_op
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of `y` along `axis` by the trapezoidal rule, at points `x` or spaced by `dx`
    (`keras.ops.trapezoid`)."""
    return jnp.trapezoid(tensor(y), None if x is None else tensor(x), dx=tensor(dx), axis=axis)


@keras_op
def slogdet(x):
    """The sign and the log of the absolute determinant of the square matrices `x`, `(sign, logabsdet)`
    (`keras.ops.slogdet`): stable where `det` under- or overflows."""
    return tuple(jnp.linalg.slogdet(tensor(x)))


__all__ = sorted(name for name, value in list(globals().items())
                 if callable(value) and hasattr(value, "elementwise"))
