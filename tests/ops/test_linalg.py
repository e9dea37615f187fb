"""`kerasish.ops.linalg` against Keras 3 on random well-conditioned matrices."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from kerasish import ops
from tests.ops.oracle import compare, sample

A = sample((3, 3), "float32", seed=1)
SPD = (A @ A.T + 3 * np.eye(3)).astype("float32")
BATCH = np.stack([SPD, SPD + np.eye(3, dtype="float32")])
B = sample((3, 2), "float32", seed=2)
L = np.linalg.cholesky(SPD).astype("float32")


@pytest.mark.parametrize("name, args, kwargs", [
    ("cholesky", (SPD,), {}), ("cholesky", (BATCH,), {"upper": True}), ("cholesky_inverse", (L,), {}),
    ("cholesky_inverse", (L.T.copy(),), {"upper": True}), ("det", (A,), {}), ("det", (BATCH,), {}), ("inv", (SPD,), {}),
    ("inv", (BATCH,), {}), ("eigh", (SPD,), {}), ("lu_factor", (A,), {}), ("lu_factor", (BATCH,), {}),
    ("norm", (A,), {}), ("norm", (A,), {"ord": 1}), ("norm", (A,), {"ord": "fro", "axis": (0, 1)}),
    ("norm", (A,), {"axis": 1, "keepdims": True}), ("norm", (A,), {"ord": np.inf, "axis": 0}),
    ("norm", (np.array([3, 4], "int32"),), {}), ("qr", (sample((4, 3)),), {}),
    ("qr", (sample((4, 3)),), {"mode": "complete"}),
    ("solve", (SPD, B), {}), ("solve", (BATCH, np.stack([B, B])), {}), ("solve_triangular", (L, B), {"lower": True}),
    ("solve_triangular", (L.T.copy(), B), {}), ("svd", (sample((4, 3)),), {"compute_uv": False}),
    ("lstsq", (sample((5, 3)), sample((5,), seed=3)), {}), ("lstsq", (sample((5, 3)), sample((5, 2), seed=3)), {}),
    ("matrix_rank", (np.array([[1.0, 2.0], [2.0, 4.0]], "float32"),), {}), ("matrix_rank", (BATCH,), {}),
    ("pinv", (sample((4, 3)),), {}), ("pinv", (sample((4, 3)),), {"rcond": 0.5}),
])
def test_linalg_ops_match_keras(name, args, kwargs):
    compare(name, *args, **kwargs, rtol=1e-4, atol=1e-4)


def test_decompositions_reconstruct_like_keras():
    x = sample((4, 3), seed=4)
    u, s, vh = ops.svd(x, full_matrices=False)
    np.testing.assert_allclose((u * s) @ vh, x, atol=1e-5)
    values, vectors = ops.eig(np.diag(np.array([1.0, 3.0], "float32")))
    np.testing.assert_allclose(np.sort(np.real(values)), [1.0, 3.0])


def test_jvp_matches_keras():
    import keras

    ours = ops.jvp(lambda v: jnp.sin(v) * 2, (jnp.array(0.5),), (jnp.array(1.0),))
    theirs = keras.ops.jvp(lambda v: jnp.sin(v) * 2, (jnp.array(0.5),), (jnp.array(1.0),))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.inv(jnp.ones(3)), ValueError, r"Argument of inv must be a matrix \(rank >= 2"),
    (lambda: ops.det(jnp.ones((2, 3))), ValueError, r"Argument of det must hold square matrices \(\.\.\., M, M\)"),
    (lambda: ops.cholesky(-jnp.eye(2)), ValueError, "Cholesky decomposition failed: the input is not a positive"),
    (lambda: ops.qr(jnp.eye(2), mode="r"), ValueError, "Argument `mode` of qr must be 'reduced' or 'complete'"),
    (lambda: ops.lstsq(jnp.ones(3), jnp.ones(3)), ValueError, r"Argument `a` of lstsq must be a matrix \(M, N\)"),
    (lambda: ops.lstsq(jnp.ones((3, 2)), jnp.ones(2)), ValueError, r"Argument `b` of lstsq must have shape \(3,\)"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_cholesky_runs_compiled():
    np.testing.assert_allclose(jax.jit(ops.cholesky)(SPD), np.linalg.cholesky(SPD), rtol=1e-5)
