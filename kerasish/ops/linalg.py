"""`keras.ops.linalg`: decompositions, inverses, solves and norms of (batches of) matrices.

Every op takes tensors of shape `(..., M, N)`: the last two axes are the matrix, any leading axes a batch.

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> a = jnp.array([[4.0, 2.0], [2.0, 3.0]])
  >>> ops.solve(a, jnp.array([[2.0], [1.0]])).tolist(), ops.norm(jnp.array([3.0, 4.0])).item()
  ([[0.5], [0.0]], 5.0)
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy as jsp

from kerasish.backend import result_type
from kerasish.ops.dispatch import axis_tuple, cast, is_traced, keras_op, tensor


def _matrix(x, op: str, square: bool = True):
    x = tensor(x)
    if x.ndim < 2:
        raise ValueError(f"Argument of {op} must be a matrix (rank >= 2, shape (..., M, N)), received shape {x.shape}.")
    if square and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"Argument of {op} must hold square matrices (..., M, M), received shape {x.shape}.")
    return x


@keras_op
def cholesky(x, upper=False):
    """The Cholesky factor of the symmetric positive-definite `x`: lower `L` with `L @ L.T == x`, or upper
    `U` with `U.T @ U == x` (`keras.ops.cholesky`).

    Raises:
      ValueError: for non-square input, or (outside jit) a matrix that is not positive definite.
    """
    x = _matrix(x, "cholesky")
    out = jnp.linalg.cholesky(x, upper=upper)
    if not is_traced(out) and bool(jnp.any(jnp.isnan(out))):
        raise ValueError("Cholesky decomposition failed: the input is not a positive-definite matrix.")
    return out


@keras_op
def cholesky_inverse(x, upper=False):
    """The inverse of the matrix whose Cholesky factor is `x` (lower, or upper with `upper=True`)
    (`keras.ops.cholesky_inverse`)."""
    x = _matrix(x, "cholesky_inverse")
    factor_inverse = jsp.linalg.solve_triangular(x, jnp.eye(x.shape[-1], dtype=x.dtype), lower=not upper)
    transpose = jnp.swapaxes(factor_inverse, -1, -2)
    return factor_inverse @ transpose if upper else transpose @ factor_inverse


@keras_op
def det(x):
    """The determinant of the square matrices `x`, shape `(...,)` (`keras.ops.det`)."""
    return jnp.linalg.det(_matrix(x, "det"))


@keras_op
def eig(x):
    """The eigenvalues `(..., M)` and eigenvectors `(..., M, M)` of general square matrices, complex
    (`keras.ops.eig`; CPU only in JAX)."""
    return jnp.linalg.eig(_matrix(x, "eig"))


@keras_op
def eigh(x):
    """The eigenvalues (ascending) and eigenvectors of symmetric / Hermitian matrices (`keras.ops.eigh`)."""
    return jnp.linalg.eigh(_matrix(x, "eigh"))


@keras_op
def inv(x):
    """The inverse of the square matrices `x` (`keras.ops.inv`).

    Example:
      >>> import jax.numpy as jnp
      >>> inv(jnp.array([[2.0, 0.0], [0.0, 4.0]])).tolist()
      [[0.5, 0.0], [0.0, 0.25]]
    """
    return jnp.linalg.inv(_matrix(x, "inv"))


@keras_op
def lu_factor(x):
    """The LU factorization with partial pivoting: `(lu, pivots)` as SciPy's `lu_factor` (`keras.ops.lu_factor`)."""
    x = _matrix(x, "lu_factor", square=False)
    factor = jsp.linalg.lu_factor
    for _ in range(x.ndim - 2):
        factor = jax.vmap(factor)
    return factor(x)


@keras_op
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 (Keras's argument name)
    """A vector or matrix norm of `x` (`keras.ops.norm`); integer inputs give float32.

    Args:
      x: a tensor.
      ord: the norm's order (None: 2-norm of vectors, Frobenius of matrices; also "fro", "nuc", inf, ...).
      axis: None (the whole tensor as a vector, or a 2-D tensor as a matrix), an int (vectors) or a pair
        (matrices).
      keepdims: keep the reduced axes with size 1.
    """
    x = tensor(x)
    return jnp.linalg.norm(cast(x, result_type(x.dtype, float)), ord=ord, axis=axis_tuple(axis), keepdims=keepdims)


@keras_op
def qr(x, mode="reduced"):
    """The QR decomposition `(q, r)` of `x` (`keras.ops.qr`); `mode` is "reduced" or "complete".

    Raises:
      ValueError: for another `mode`.
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"Argument `mode` of qr must be 'reduced' or 'complete', received {mode!r}.")
    return jnp.linalg.qr(_matrix(x, "qr", square=False), mode=mode)


@keras_op
def solve(a, b):
    """The solution `x` of `a @ x == b` for square `a` (`keras.ops.solve`)."""
    return jnp.linalg.solve(_matrix(a, "solve"), tensor(b))


@keras_op
def solve_triangular(a, b, lower=False):
    """The solution of `a @ x == b` for triangular `a` (upper unless `lower`) (`keras.ops.solve_triangular`)."""
    return jsp.linalg.solve_triangular(_matrix(a, "solve_triangular"), tensor(b), lower=lower)


@keras_op
def svd(x, full_matrices=True, compute_uv=True):
    """The singular value decomposition `(u, s, vh)` of `x`, or only `s` when `compute_uv` is False
    (`keras.ops.svd`)."""
    return jnp.linalg.svd(_matrix(x, "svd", square=False), full_matrices=full_matrices, compute_uv=compute_uv)


@keras_op
def lstsq(a, b, rcond=None):
    """The least-squares solution `x` of `a @ x ~= b` (`keras.ops.lstsq`): the solution only, not NumPy's tuple.

    Args:
      a: a matrix of shape `(M, N)`.
      b: a tensor of shape `(M,)` or `(M, K)`.
      rcond: singular values below `rcond` times the largest count as zero.

    Raises:
      ValueError: for `a` not 2-D, `b` not 1-D or 2-D, or different first axes.
    """
    a, b = tensor(a), tensor(b)
    if a.ndim != 2:
        raise ValueError(f"Argument `a` of lstsq must be a matrix (M, N), received shape {a.shape}.")
    if b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(f"Argument `b` of lstsq must have shape ({a.shape[0]},) or ({a.shape[0]}, K), received "
                         f"shape {b.shape}.")
    return jnp.linalg.lstsq(a, b, rcond=rcond)[0]


@keras_op
def matrix_rank(x, tol=None):
    """The rank of each matrix (singular values above `tol`), int32 (`keras.ops.matrix_rank`)."""
    return jnp.linalg.matrix_rank(_matrix(x, "matrix_rank", square=False), tol=tol).astype("int32")


@keras_op
def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse of each matrix, shape `(..., N, M)` (`keras.ops.pinv`)."""
    x = _matrix(x, "pinv", square=False)
    return jnp.linalg.pinv(x) if rcond is None else jnp.linalg.pinv(x, rtol=rcond)


def jvp(fun, primals, tangents, has_aux=False):
    """The Jacobian-vector product of `fun` at `primals` along `tangents`: `(outputs, tangent outputs)`
    (`keras.ops.jvp`; JAX's `jax.jvp`).

    Example:
      >>> import jax.numpy as jnp
      >>> out, tangent = jvp(lambda v: v ** 2, (jnp.array(3.0),), (jnp.array(1.0),))
      >>> float(out), float(tangent)
      (9.0, 6.0)
    """
    return jax.jvp(fun, primals, tangents, has_aux=has_aux)


__all__ = sorted(["jvp"] + [name for name, value in list(globals().items())
                            if callable(value) and hasattr(value, "elementwise")])
