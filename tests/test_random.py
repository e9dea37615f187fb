"""`kerasish.random`: `fast_key` draws the same values as the key it wraps; Keras's random API (distributions, seeds,
SeedGenerator as model state) against Keras 3 and statistical checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

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


@pytest.mark.parametrize("make, mask_shape", [(lambda: ks.layers.Dropout(0.4, seed=3), (6, 5, 5, 7)),
                                              (lambda: ks.layers.SpatialDropout2D(0.4, seed=3), (6, 1, 1, 7))],
                         ids=["Dropout", "SpatialDropout2D"])
def test_dropout_masks_are_those_of_a_plain_jax_reference(make, mask_shape):
    """The masks of successive training calls, against plain jax.random: nnx.Dropout forks the layer's stream once
    (`fold_in(key(seed), 0)`), call i draws `bernoulli(fold_in(forked, i), 1 - rate)` of the mask's shape (one draw
    per sample and channel for the spatial variant), and kept entries are scaled by `1 / (1 - rate)`."""
    x = jnp.asarray(np.random.default_rng(0).uniform(1, 2, (6, 5, 5, 7)), jnp.float32)
    layer = make()
    forked = jax.random.fold_in(jax.random.key(3), 0)
    for i in range(2):
        keep = jax.random.bernoulli(jax.random.fold_in(forked, i), 0.6, mask_shape)
        np.testing.assert_array_equal(layer(x, training=True), jnp.where(keep, x / np.float32(0.6), 0.0))
    np.testing.assert_array_equal(layer(x), x)  # inference draws nothing


# -- Keras's random API ------------------------------------------------------------------------------------

keras = pytest.importorskip("keras")

DRAWS = {  # name -> (kerasish / Keras call given the module and a seed)
    "normal": lambda r, s, d=None: r.normal((40, 30), mean=1.0, stddev=2.0, dtype=d, seed=s),
    "uniform": lambda r, s, d=None: r.uniform((40, 30), minval=-1.0, maxval=3.0, dtype=d, seed=s),
    "truncated_normal": lambda r, s, d=None: r.truncated_normal((40, 30), mean=-1.0, stddev=0.5, dtype=d, seed=s),
    "gamma": lambda r, s, d=None: r.gamma((40, 30), alpha=2.5, dtype=d, seed=s),
    "binomial": lambda r, s, d=None: r.binomial((40, 30), counts=10, probabilities=0.3, dtype=d, seed=s),
    "beta": lambda r, s, d=None: r.beta((40, 30), alpha=2.0, beta=5.0, dtype=d, seed=s),
}


@pytest.mark.parametrize("name", DRAWS)
def test_draws_have_keras_shapes_and_dtypes(name):
    for dtype in (None, "float32", "bfloat16", "float16"):  # traced only: the samplers compile slowly
        ours = jax.eval_shape(lambda d=dtype: DRAWS[name](ks_random, 3, d))
        theirs = jax.eval_shape(lambda d=dtype: DRAWS[name](keras.random, 3, d))
        assert ours.shape == theirs.shape and str(ours.dtype) == str(theirs.dtype), (dtype, ours.dtype, theirs.dtype)


def test_integer_draws_have_keras_shapes_and_dtypes():
    logits = jnp.log(jnp.array([[0.2, 0.8], [0.5, 0.5]]))
    for draw in [lambda r, d=d: r.randint((5, 2), 0, 7, dtype=d, seed=1) for d in ("int32", "uint8", "int16")] + [
            lambda r, d=d: r.categorical(logits, 7, d, seed=1) for d in ("int32", "int8")]:
        ours = jax.eval_shape(lambda f=draw: f(ks_random))
        theirs = jax.eval_shape(lambda f=draw: f(keras.random))
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype


def test_int_seeds_draw_the_same_values_as_keras():
    """Both use `[seed, 0]` as threefry key data, so fixed-seed programs port with their numbers."""
    for draw in (lambda r: r.normal((3, 4), seed=7), lambda r: r.uniform((5,), 2.0, 3.0, seed=11),
                 lambda r: r.randint((6,), 0, 100, seed=3), lambda r: r.truncated_normal((4,), seed=5)):
        np.testing.assert_allclose(draw(ks_random), draw(keras.random), rtol=1e-6)


@pytest.mark.parametrize("name, mean, std", [
    ("normal", 1.0, 2.0), ("uniform", 1.0, 4 / np.sqrt(12)), ("gamma", 2.5, np.sqrt(2.5)),
    ("binomial", 3.0, np.sqrt(10 * 0.3 * 0.7)), ("beta", 2 / 7, np.sqrt(10 / (49 * 8))),
])
def test_distribution_moments(name, mean, std):
    sample = np.asarray(DRAWS[name](ks_random, 0), np.float64)  # 1,200 draws: the mean within ~4 standard errors
    assert abs(sample.mean() - mean) < 4 * std / np.sqrt(sample.size), (sample.mean(), mean)
    assert abs(sample.std() - std) < 0.1 * std, (sample.std(), std)


def test_distribution_supports():
    uniform = np.asarray(DRAWS["uniform"](ks_random, 1))
    assert uniform.min() >= -1.0 and uniform.max() < 3.0
    truncated = np.asarray(DRAWS["truncated_normal"](ks_random, 1))
    assert truncated.min() >= -2.0 and truncated.max() <= 0.0  # mean -1, two standard deviations of 0.5
    ints = np.asarray(ks_random.randint((3000,), 2, 6, seed=2))
    assert set(np.unique(ints)) == {2, 3, 4, 5} and abs(np.bincount(ints)[2:] / 3000 - 0.25).max() < 0.04
    assert np.asarray(DRAWS["beta"](ks_random, 1)).min() > 0 and np.asarray(DRAWS["gamma"](ks_random, 1)).min() > 0


def test_categorical_follows_the_probabilities():
    probabilities = np.array([[0.1, 0.6, 0.3], [0.8, 0.1, 0.1]])
    draws = np.asarray(ks_random.categorical(jnp.log(probabilities), 4000, seed=3))
    for row, p in zip(draws, probabilities):
        assert abs(np.bincount(row, minlength=3) / 4000 - p).max() < 0.03


def test_dropout_drops_at_the_rate_and_rescales():
    x = jnp.ones((200, 50))
    out = np.asarray(ks_random.dropout(x, 0.3, seed=4))
    assert abs((out == 0).mean() - 0.3) < 0.02 and np.allclose(out[out != 0], 1 / 0.7)
    rows = np.asarray(ks_random.dropout(x, 0.5, noise_shape=(None, 1), seed=4))
    assert all(len(set(row)) == 1 for row in rows)  # one draw per row, broadcast along it
    np.testing.assert_array_equal(ks_random.dropout(x, 0.0, seed=1), x)
    np.testing.assert_array_equal(ks_random.dropout(x, 1.0, seed=1), jnp.zeros_like(x))


def test_shuffle_moves_whole_slices():
    x = jnp.arange(60).reshape(20, 3)
    rows = np.asarray(ks_random.shuffle(x, seed=5))
    assert sorted(map(tuple, rows)) == sorted(map(tuple, np.asarray(x))) and not np.array_equal(rows, x)
    columns = np.asarray(ks_random.shuffle(x.T, axis=1, seed=5))
    np.testing.assert_array_equal(columns, rows.T)


def test_seeds_int_generator_and_global():
    np.testing.assert_array_equal(ks_random.normal((3,), seed=9), ks_random.normal((3,), seed=9))
    assert not np.array_equal(ks_random.normal((3,), seed=9), ks_random.normal((3,), seed=10))
    generator = ks_random.SeedGenerator(9)
    first, second = ks_random.normal((3,), seed=generator), ks_random.normal((3,), seed=generator)
    assert not np.array_equal(first, second) and generator.state[...].tolist() == [9, 2]
    np.testing.assert_array_equal(first, ks_random.normal((3,), seed=9))  # the generator's first key is [9, 0]
    ks.utils.set_random_seed(12)
    a = [ks_random.normal((2,)), ks_random.uniform((2,)), ks_random.SeedGenerator().state[...]]
    ks.utils.set_random_seed(12)
    b = [ks_random.normal((2,)), ks_random.uniform((2,)), ks_random.SeedGenerator().state[...]]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], ks_random.normal((2,)))


def test_seed_generator_config_and_names():
    generator = ks_random.SeedGenerator(5, name="noise_seed")
    assert generator.get_config() == {"seed": 5, "name": "noise_seed"}
    clone = ks_random.SeedGenerator.from_config(generator.get_config())
    np.testing.assert_array_equal(ks_random.normal((2,), seed=clone), ks_random.normal((2,), seed=generator))
    generator.next(ordered=False)
    assert generator.state[...].tolist() == [(5 + 1) * 5387 % 933199, (1 + 1) * 5387 % 933199]


def test_generator_state_advances_under_jit():
    generator = ks_random.SeedGenerator(1)
    graphdef, state = nnx.split(generator)

    @jax.jit
    def draw(state):
        gen = nnx.merge(graphdef, state)
        values = ks_random.normal((2,), seed=gen)
        return values, nnx.state(gen)

    first, state = draw(state)
    second, state = draw(state)
    assert not np.array_equal(first, second) and state["state"][...].tolist() == [1, 2]
    np.testing.assert_array_equal(first, ks_random.normal((2,), seed=1))


class NoiseLayer(ks.layers.Layer):
    """Outputs Gaussian noise of the input's shape, drawn from its own SeedGenerator."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = ks_random.SeedGenerator(seed)

    def call(self, x):
        return x * 0.0 + ks_random.normal(x.shape, seed=self.seed_generator)


def _noise_fit(seed):
    model = ks.Sequential([ks.Input((3,)), NoiseLayer(seed)])
    model.compile(optimizer=ks.optimizers.SGD(0.1), loss="mse")  # no weights: the noise alone makes the loss
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 3), "float32")
    return model, model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]


def test_a_layer_draws_new_noise_at_each_compiled_step():
    model, losses = _noise_fit(21)
    reference = ks_random.SeedGenerator(21)  # the same stream, drawn eagerly: the loss of step k is mean(noise_k ** 2)
    expected = [float(jnp.mean(ks_random.normal((4, 3), seed=reference) ** 2)) for _ in range(2)]
    np.testing.assert_allclose(losses, expected, rtol=1e-6)
    assert losses[0] != losses[1]
    layer = model.layers[0]
    assert layer.seed_generator.state[...].tolist() == [21, 2]  # advanced once per step, written back
    assert all(not isinstance(w, ks_random.SeedState) for w in layer.weights)


def test_a_layer_stream_repeats_after_set_random_seed():
    ks.utils.set_random_seed(8)
    first = _noise_fit(None)[1]
    ks.utils.set_random_seed(8)
    assert _noise_fit(None)[1] == first


@pytest.mark.parametrize("call, error, message", [
    (lambda: jax.jit(lambda: ks_random.normal((2,)))(), ValueError,
     "A random op was called with seed=None inside a compiled function"),
    (lambda: ks_random.normal((2,), seed="7"), ValueError, "Argument `seed` must be None, an int or a SeedGenerator"),
    (lambda: ks_random.SeedGenerator(1.5), ValueError, "Argument `seed` of SeedGenerator must be an int or None"),
    (lambda: ks_random.SeedGenerator(1, device="cpu"), ValueError, "SeedGenerator got unrecognized keyword arguments"),
    (lambda: ks_random.uniform((2,), dtype="int32"), ValueError,
     "Argument `dtype` of kerasish.random.uniform must be a floating point dtype, received 'int32'"),
    (lambda: ks_random.normal((2,), dtype="int8"), ValueError, "kerasish.random.normal must be a floating point"),
    (lambda: ks_random.randint((2,), 0, 3, dtype="float32"), ValueError,
     "Argument `dtype` of kerasish.random.randint must be an integer dtype"),
    (lambda: ks_random.categorical(jnp.ones(3), 2), ValueError, r"must be 2-D \(batch, classes\)"),
    (lambda: ks_random.dropout(jnp.ones(3), 1.5), ValueError, r"Argument `rate` of kerasish.random.dropout must be in"),
    (lambda: ks_random.normal((2, -1)), ValueError, "Argument `shape` of kerasish.random.normal must be a tuple"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
