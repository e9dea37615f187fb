"""Max pooling over non-overlapping windows (the default strides) by reshaping: the values and the
derivatives of `lax.reduce_window` / `select_and_scatter` (flax's `nnx.max_pool`), bit for bit."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import kerasish as ks
from kerasish.layers.pooling import max_pool_disjoint

CASES = [((3, 11, 11, 4), (2, 2), "valid"), ((3, 11, 11, 4), (2, 2), "same"), ((2, 13, 10, 3), (3, 2), "same"),
         ((4, 9, 3), (2,), "valid")]


def _layer(window, padding):
    return (ks.layers.MaxPooling2D if len(window) == 2 else ks.layers.MaxPooling1D)(window, padding=padding)


@pytest.mark.parametrize("shape, window, padding", CASES, ids=str)
def test_values_and_derivatives_equal_reduce_window(shape, window, padding):
    distinct = jax.random.normal(jax.random.key(len(shape) + window[0]), shape)
    tied = jnp.round(jnp.maximum(distinct, 0) * 2) / 2  # after a ReLU, rounded: maxima held twice or more
    layer = _layer(window, padding)
    layer(distinct)  # built by a first call
    reference = lambda v: nnx.max_pool(v, window, strides=window, padding=padding.upper())

    @jax.jit
    def both(x, g, tangent):
        results = []
        for pool in (layer, reference):
            out, pullback = jax.vjp(pool, x)
            results.append((out, pullback(g)[0], jax.jvp(pool, (x,), (tangent,))[1]))
        return results

    g = jax.random.normal(jax.random.key(9), layer(distinct).shape)
    tangent = jax.random.normal(jax.random.key(4), shape)
    for x in (distinct, tied):
        (out, grad, forward), (expected, expected_grad, expected_forward) = both(x, g, tangent)
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_array_equal(grad, expected_grad)
        if x is distinct:
            np.testing.assert_array_equal(forward, expected_forward)
        else:  # JAX's own forward rule breaks ties differently from its reverse one; ours agrees with reverse
            np.testing.assert_allclose(jnp.vdot(forward, g), jnp.vdot(tangent, grad), rtol=1e-5)


def test_second_derivatives_and_vmap_work():
    x = jax.random.normal(jax.random.key(0), (1, 4, 4, 2))
    pool = lambda v: max_pool_disjoint(v, (2, 2), ((0, 0), (0, 0)))
    hessian = jax.jit(jax.hessian(lambda v: (pool(v) ** 2).sum()))(x)
    assert hessian.shape == x.shape * 2
    np.testing.assert_array_equal(jax.vmap(pool)(x[:, None])[:, 0], pool(x))


def test_overlapping_windows_still_use_reduce_window():
    x = jax.random.normal(jax.random.key(1), (2, 7, 7, 3))
    layer = ks.layers.MaxPooling2D(3, strides=2)
    layer(x)
    np.testing.assert_array_equal(layer(x), nnx.max_pool(x, (3, 3), strides=(2, 2), padding="VALID"))
