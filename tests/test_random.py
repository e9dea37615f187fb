"""`kerasish.random.fast_key`: the same random values as the key it wraps (it only compiles faster)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from kerasish import initializers
from kerasish import random as ks_random

SHAPES = [(128, 10), (784, 10), (3, 3, 32, 64), (7, 13, 3), (2, 1), (5,), ()]


@pytest.fixture(scope="module")
def key():
    return jax.random.fold_in(jax.random.key(3), 11)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_draws_equal_those_of_the_plain_key(key, shape):
    fast = ks_random.fast_key(key)
    assert str(jax.random.key_impl(fast)) != str(jax.random.key_impl(key))  # it is the flat variant on CPU
    for draw in (lambda k: jax.random.bits(k, shape), lambda k: jax.random.uniform(k, shape),
                 lambda k: jax.random.normal(k, shape), lambda k: jax.random.truncated_normal(k, -2, 2, shape),
                 lambda k: jax.random.bernoulli(k, 0.3, shape)):
        np.testing.assert_array_equal(jax.jit(draw)(fast), draw(key))


@pytest.mark.parametrize("dtype", [jnp.uint8, jnp.uint16, jnp.bfloat16, jnp.float16])
def test_other_widths_equal_too(key, dtype):
    draw = (lambda k: jax.random.bits(k, (9, 5), dtype)) if jnp.issubdtype(dtype, jnp.integer) \
        else (lambda k: jax.random.uniform(k, (9, 5), dtype))
    np.testing.assert_array_equal(draw(ks_random.fast_key(key)), draw(key))


def test_split_and_fold_in_follow_the_plain_key(key):
    fast = ks_random.fast_key(key)
    np.testing.assert_array_equal(jax.random.key_data(jax.random.split(fast, 3)),
                                  jax.random.key_data(jax.random.split(key, 3)))
    np.testing.assert_array_equal(jax.random.normal(jax.random.fold_in(fast, 5), (4, 6)),
                                  jax.random.normal(jax.random.fold_in(key, 5), (4, 6)))


def test_other_keys_are_returned_as_they_are():
    raw = jax.random.PRNGKey(0)  # legacy uint32 data
    assert ks_random.fast_key(raw) is raw
    rbg = jax.random.key(0, impl="rbg")
    assert ks_random.fast_key(rbg) is rbg


@pytest.mark.parametrize("init", [initializers.GlorotUniform(), initializers.HeNormal(), initializers.LecunUniform(),
                                  initializers.RandomNormal(0.5, 2.0), initializers.Orthogonal(),
                                  initializers.TruncatedNormal()], ids=repr)
def test_built_weights_are_the_initializers_own_draws(init):
    """A layer's kernel, drawn in the one build program with a fast key, equals the initializer called
    eagerly with the plain key of the same draw (`kerasish.random.key_of`)."""
    ks.utils.set_random_seed(4)
    layer = ks.layers.Dense(10, kernel_initializer=init)
    layer.build((None, 6))
    ks.utils.set_random_seed(4)
    seed, n = ks_random.next_draw()
    np.testing.assert_array_equal(layer.kernel[...], init(ks_random.key_of(seed, n), (6, 10), jnp.float32))


@pytest.mark.parametrize("make, shape", [(lambda: ks.layers.Dropout(0.4, seed=3), (6, 5, 5, 7)),
                                         (lambda: ks.layers.SpatialDropout2D(0.4, seed=3), (6, 5, 5, 7))],
                         ids=["Dropout", "SpatialDropout2D"])
def test_dropout_masks_are_those_of_flax_own_draw(make, shape):
    """kerasish's dropout layers hand nnx.Dropout a fast key: the masks of two training calls equal those
    nnx.Dropout draws from the same stream by itself."""
    x = jnp.ones(shape)
    ours, theirs = make(), make()
    for _ in range(2):
        np.testing.assert_array_equal(ours(x, training=True), theirs.dropout(x, deterministic=False))
    np.testing.assert_array_equal(ours(x), x)  # inference draws nothing
