"""kerasish.initializers: shapes, dtypes, statistics, and the std/limits of keras.initializers' formulas."""

import math

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import initializers

KEY = jax.random.key(0)
TRUNC = 0.87962566103423978  # stddev of a unit normal truncated to [-2, 2]


def keras_fans(shape):
    from keras.src.initializers.random_initializers import compute_fans

    return compute_fans(shape)


# (our class, its Keras counterpart, scale, mode, distribution)
SCALING = [
    (initializers.GlorotUniform, keras.initializers.GlorotUniform, 1.0, "fan_avg", "uniform"),
    (initializers.GlorotNormal, keras.initializers.GlorotNormal, 1.0, "fan_avg", "truncated_normal"),
    (initializers.HeUniform, keras.initializers.HeUniform, 2.0, "fan_in", "uniform"),
    (initializers.HeNormal, keras.initializers.HeNormal, 2.0, "fan_in", "truncated_normal"),
    (initializers.LecunUniform, keras.initializers.LecunUniform, 1.0, "fan_in", "uniform"),
    (initializers.LecunNormal, keras.initializers.LecunNormal, 1.0, "fan_in", "truncated_normal"),
]


def expected_std(shape, scale, mode):
    """Keras's VarianceScaling: the std of the drawn values (truncation correction cancels out)."""
    fan_in, fan_out = keras_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    return math.sqrt(scale / max(1.0, n))


@pytest.mark.parametrize("ours, theirs, scale, mode, distribution", SCALING)
@pytest.mark.parametrize("shape", [(200, 300), (3, 3, 20, 40)])
def test_variance_scaling_matches_keras_formula(ours, theirs, scale, mode, distribution, shape):
    keras_init = theirs()
    assert (keras_init.scale, keras_init.mode, keras_init.distribution) == (scale, mode, distribution)
    w = np.asarray(ours()(KEY, shape))
    std = expected_std(shape, scale, mode)
    assert w.shape == shape and w.dtype == np.float32
    assert abs(w.std() / std - 1) < 0.03
    if distribution == "uniform":
        assert np.abs(w).max() <= math.sqrt(3) * std
    else:  # truncated at 2 stddev of the normal before truncation
        assert np.abs(w).max() <= 2 * std / TRUNC
    keras_w = np.asarray(theirs(seed=0)(shape))  # the oracle draws with the same spread
    assert abs(w.std() / keras_w.std() - 1) < 0.05


@pytest.mark.parametrize(
    "shape, mode, distribution",
    [
        (shape, mode, "uniform")
        for shape in [(), (7,), (200, 300), (3, 3, 20, 40)]
        for mode in ["fan_in", "fan_out", "fan_avg"]
    ]
    + [
        ((3, 3, 20, 40), "fan_avg", "untruncated_normal"),
        ((7,), "fan_out", "truncated_normal"),
        ((3, 3, 20, 40), "fan_in", "truncated_normal"),
    ],
)
def test_variance_scaling_fans_match_keras_for_every_rank(shape, mode, distribution):
    """Same key, same distribution: our draw is JAX's standard draw times Keras's scale, for every rank."""
    w = initializers.VarianceScaling(3.0, mode, distribution)(KEY, shape)
    std = expected_std(shape, 3.0, mode)
    if distribution == "uniform":
        reference = jax.random.uniform(KEY, shape, jnp.float32, -1.0, 1.0) * math.sqrt(3) * std
    elif distribution == "untruncated_normal":
        reference = jax.random.normal(KEY, shape) * std
    else:
        reference = jax.random.truncated_normal(KEY, -2.0, 2.0, shape) * std / TRUNC
    np.testing.assert_allclose(w, reference, rtol=1e-5, atol=1e-7)


def test_glorot_normal_std_on_a_dense_kernel():
    w = initializers.GlorotNormal()(KEY, (200, 300))
    assert abs(float(w.std()) / math.sqrt(2 / 500) - 1) < 0.03


def test_zeros_ones_constant_exact():
    np.testing.assert_array_equal(initializers.Zeros()(KEY, (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.Ones()(KEY, (4,), jnp.bfloat16), np.ones(4))
    assert initializers.Ones()(KEY, (4,), jnp.bfloat16).dtype == jnp.bfloat16
    np.testing.assert_array_equal(initializers.Constant(2.5)(KEY, (3,)), [2.5, 2.5, 2.5])


@pytest.mark.parametrize(
    "init, mean, std",
    [
        (initializers.RandomNormal(), 0.0, 0.05),
        (initializers.RandomNormal(mean=1.0, stddev=0.2), 1.0, 0.2),
        (initializers.RandomUniform(), 0.0, 0.1 / math.sqrt(12)),
        (initializers.RandomUniform(2.0, 4.0), 3.0, 2 / math.sqrt(12)),
        (initializers.TruncatedNormal(), 0.0, 0.05 * TRUNC),
    ],
)
def test_random_statistics(init, mean, std):
    w = np.asarray(init(KEY, (200, 300)))
    assert abs(w.mean() - mean) < 0.01 * max(std, 1.0)
    assert abs(w.std() / std - 1) < 0.03


def test_truncated_normal_is_cut_at_two_stddev():
    w = initializers.TruncatedNormal(mean=1.0, stddev=0.1)(KEY, (10000,))
    assert float(jnp.abs(w - 1.0).max()) <= 0.2 + 1e-6


def test_random_uniform_bounds():
    w = initializers.RandomUniform(-0.5, 0.25)(KEY, (10000,))
    assert float(w.min()) >= -0.5 and float(w.max()) < 0.25


def test_orthogonal_and_identity():
    w = initializers.Orthogonal(gain=2.0)(KEY, (3, 3, 4, 8))
    flat = w.reshape(-1, 8)
    np.testing.assert_allclose(flat.T @ flat, 4.0 * np.eye(8), atol=1e-4)
    wide = initializers.Orthogonal()(KEY, (4, 10))
    np.testing.assert_allclose(wide @ wide.T, np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(initializers.Identity(3.0)(KEY, (2, 3)), 3.0 * np.eye(2, 3))


def test_dtype_and_jit():
    w = jax.jit(initializers.HeNormal(), static_argnums=(1, 2))(KEY, (4, 5), jnp.bfloat16)
    assert w.dtype == jnp.bfloat16 and w.shape == (4, 5)


def test_config_round_trip():
    for init in [
        initializers.VarianceScaling(2.0, "fan_out", "uniform"),
        initializers.Constant(3.0),
        initializers.RandomNormal(1.0, 0.1),
        initializers.GlorotUniform(),
        initializers.Orthogonal(0.5),
    ]:
        assert type(init)(**init.get_config()) == init
        assert initializers.get(initializers.serialize(init)) == init
    assert initializers.serialize(initializers.HeNormal()) == "he_normal"
    assert initializers.serialize(jax.nn.initializers.zeros) is None


@pytest.mark.parametrize(
    "name",
    [
        "glorot_uniform",
        "GlorotUniform",
        "he_normal",
        "zeros",
        "ones",
        "random_normal",
        "truncated_normal",
        "orthogonal",
        "identity",
        "lecun_normal",
        "variance_scaling",
    ],
)
def test_get_by_name(name):
    init = initializers.get(name)
    assert init(KEY, (3, 3)).shape == (3, 3)


def test_get_passes_jax_initializers_through():
    jax_init = jax.nn.initializers.lecun_normal()
    assert initializers.get(jax_init) is jax_init


def test_variance_scaling_normal_alias():
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"


def test_errors():
    with pytest.raises(ValueError, match=r"Unknown initializer 'glorot'.*'Constant'"):
        initializers.get("glorot")
    with pytest.raises(TypeError, match="received 1.5 of type float"):
        initializers.get(1.5)
    with pytest.raises(ValueError, match=r"Argument `scale` must be a positive float, received scale=0"):
        initializers.VarianceScaling(scale=0)
    with pytest.raises(
        ValueError,
        match=r"Argument `mode` must be one of \['fan_avg', 'fan_in', 'fan_out'\], "
        "received mode='fan'",
    ):
        initializers.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match="Argument `distribution` must be one of .* received distribution='gauss'"):
        initializers.VarianceScaling(distribution="gauss")
    with pytest.raises(ValueError, match=r"rank >= 2, received shape=\(3,\)"):
        initializers.Orthogonal()(KEY, (3,))
    with pytest.raises(ValueError, match=r"rank 2, received shape=\(2, 2, 2\)"):
        initializers.Identity()(KEY, (2, 2, 2))
