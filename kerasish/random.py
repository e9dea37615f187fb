"""The global seed, and Keras's random API on it (`keras.random`).

The global seed is the one place that every weight initializer, dropout stream and shuffle draws from:
`kerasish.utils.set_random_seed(seed)` resets it, so the same seed gives the same initial weights, the
same dropout masks and the same data order, hence the same `History`.

Keras's random ops (`normal`, `uniform`, `truncated_normal`, `randint`, `categorical`, `dropout`,
`shuffle`, `gamma`, `binomial`, `beta`) take `seed=None` (the global seed, outside compiled functions),
an int (the same values at each call) or a `SeedGenerator` (a stream kept as model state, which works
inside the compiled training step).
"""

from __future__ import annotations

import math
import random as _py_random
from typing import Any

import jax
import jax.extend.random as _jax_random
import jax.numpy as jnp
import numpy as np
from flax import nnx

_DEFAULT_SEED = 0


class _GlobalSeed:
    """A counter over one root key: the n-th draw is `fold_in(root, n)` (cheap and reproducible)."""

    def __init__(self, seed: int) -> None:
        self.reset(seed)

    def reset(self, seed: int) -> None:
        self.seed = int(seed)
        self._root = None  # made lazily: creating a key at import time would start the JAX backend
        self._count = 0

    def next_key(self) -> jax.Array:
        if self._root is None:
            self._root = jax.random.key(self.seed)
        key = jax.random.fold_in(self._root, self._count)
        self._count += 1
        return key

    def next_draw(self) -> tuple[int, int]:
        """`(seed, n)` of the next key, without making it: `key_of(seed, n)` is what `next_key` returns."""
        draw = (self.seed, self._count)
        self._count += 1
        return draw

    def next_int(self) -> int:
        """A fresh 31-bit integer seed (for NumPy generators, e.g. the shuffle of one `fit`)."""
        self._count += 1
        return int(np.random.SeedSequence([self.seed, self._count]).generate_state(1)[0] & 0x7FFFFFFF)


_global = _GlobalSeed(_DEFAULT_SEED)


def set_random_seed(seed: int) -> None:
    """Seeds every source of randomness kerasish uses, plus Python's and NumPy's global generators.

    Args:
      seed: a non-negative integer.

    Raises:
      TypeError: if `seed` is not an integer.
      ValueError: if `seed` is negative.

    Example:
      >>> import kerasish as ks
      >>> ks.utils.set_random_seed(42)
      >>> a = ks.layers.Dense(2); a.build((None, 3))
      >>> ks.utils.set_random_seed(42)
      >>> b = ks.layers.Dense(2); b.build((None, 3))
      >>> bool((a.get_weights()[0] == b.get_weights()[0]).all())
      True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"Argument `seed` must be an int, received {seed!r} of type {type(seed).__name__}.")
    if seed < 0:
        raise ValueError(f"Argument `seed` must be >= 0, received {seed}.")
    _global.reset(int(seed))
    _py_random.seed(int(seed))
    np.random.seed(int(seed) % (2**32))


def next_key() -> jax.Array:
    """The next key of the global seed (a new, independent stream each call)."""
    return _global.next_key()


def next_draw() -> tuple[int, int]:
    """`(seed, n)` of the next key of the global seed, for code that makes the key inside a compiled
    program (`key_of(seed, n)` there equals what `next_key()` would have returned here)."""
    return _global.next_draw()


def key_of(seed: int, n) -> jax.Array:
    """The n-th key of `seed`: `fold_in(key(seed), n)` (works traced, with `n` an array)."""
    return jax.random.fold_in(jax.random.key(seed), n)


def next_int() -> int:
    """The next integer seed of the global seed, for NumPy generators."""
    return _global.next_int()


def key_from(seed: int | None) -> jax.Array:
    """`jax.random.key(seed)` for an explicit layer seed, else the next key of the global seed."""
    return next_key() if seed is None else jax.random.key(int(seed))


# -- the same bits, compiled faster on XLA:CPU ---------------------------------------------------------

_THREEFRY = _jax_random.threefry_prng_impl


def _flat_random_bits(key_data: jax.Array, bit_width: int, shape: tuple[int, ...]) -> jax.Array:
    return _THREEFRY.random_bits(key_data, bit_width, (math.prod(shape),)).reshape(shape)


#: threefry2x32 whose bits for a shape are drawn as one flat run and reshaped. Threefry numbers each
#: element by its row-major index, so the values are those of threefry2x32 bit for bit; XLA:CPU only
#: compiles the flat form faster: 0.2-0.3 s where shapes such as (128, 10), (784, 10) or (3, 3, 32, 64)
#: take 0.8-1.2 s on the 2-core machine (tests/test_random.py checks the equality).
_FLAT_THREEFRY = _jax_random.define_prng_impl(
    key_shape=_THREEFRY.key_shape, seed=_THREEFRY.seed, split=_THREEFRY.split, fold_in=_THREEFRY.fold_in,
    random_bits=_flat_random_bits, name="kerasish_flat_threefry2x32", tag="kfry")


def fast_key(key: jax.Array) -> jax.Array:
    """`key` as a key whose draws have the same values and compile faster on XLA:CPU.

    For a typed threefry2x32 key on the CPU backend, the same key data under `_FLAT_THREEFRY`; any
    other key (raw uint32 data, another implementation, another backend, where the shaped form lets
    XLA partition the draw) is returned as it is. Use it where kerasish draws: initial weights, dropout
    masks, noise.
    """
    if (jax.default_backend() != "cpu" or not jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key)
            or str(jax.random.key_impl(key)) != "threefry2x32"):
        return key
    return jax.random.wrap_key_data(jax.random.key_data(key), impl=_FLAT_THREEFRY)


# -- Keras's random API: keras.random.normal, uniform, ..., SeedGenerator --------------------------------------

_PYTHON_DTYPES = {float: "float32", int: "int32", bool: "bool"}
_generator_names: dict[str, int] = {}


def _dtype_name(dtype: Any, default: str) -> str:
    """A dtype's Keras name (`float` is float32 and `int` int32, as in Keras); `default` for None. This module
    sits under kerasish.backend (which imports kerasish.variables, which draws from here), so it names dtypes
    itself."""
    if dtype is None:
        return default
    try:
        return _PYTHON_DTYPES.get(dtype) or jnp.dtype(dtype).name
    except TypeError:
        raise ValueError(f"Invalid dtype: {dtype!r}.") from None


def _generator_name() -> str:
    count = _generator_names.get("seed_generator", 0)
    _generator_names["seed_generator"] = count + 1
    return "seed_generator" if count == 0 else f"seed_generator_{count}"

class SeedState(nnx.RngState):
    """The state of a `SeedGenerator`: uint32 `[seed, counter]`, as Keras keeps it.

    An `nnx.RngState` (like the counters of `nnx.Rngs`): non-trainable model state that `nnx.split` puts with
    the other non-trainable state, which the compiled training step carries from one step to the next; it is
    not one of a layer's `weights`, as in Keras.
    """


class SeedGenerator(nnx.Module):
    """A stream of seeds for the random ops, kept as model state (`keras.random.SeedGenerator`).

    Random ops given `seed=SeedGenerator` draw with its current state and advance it, so successive calls
    give different values. A layer that holds one (`self.seed_generator = SeedGenerator(1337)` in `__init__`)
    carries its state in the model's non-trainable state: inside `fit`'s compiled step each step draws new
    values, and the state is saved and restored with the model.

    Args:
      seed: an int, or None for a seed drawn from the global seed (`kerasish.utils.set_random_seed` makes it
        reproducible).
      name: a name (`seed_generator`, `seed_generator_1`, ... by default).

    Raises:
      ValueError: for a `seed` that is not an int, or an unknown keyword argument.

    Example:
      >>> generator = SeedGenerator(42)
      >>> a = normal((2,), seed=generator)
      >>> b = normal((2,), seed=generator)
      >>> bool((a != b).all()), bool((normal((2,), seed=SeedGenerator(42)) == a).all())
      (True, True)
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        kwargs.pop("backend", None)  # Keras's option to use another backend's ops: kerasish has one
        if kwargs:
            raise ValueError(f"SeedGenerator got unrecognized keyword arguments {sorted(kwargs)}; it takes seed and "
                             f"name.")
        self.name = name or _generator_name()
        self.initial_seed = seed
        if seed is None:
            seed = _global.next_int()
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` of SeedGenerator must be an int or None, received {seed!r}.")
        self.state = SeedState(jnp.asarray([int(seed) & 0xFFFFFFFF, 0], jnp.uint32))

    def next(self, ordered: bool = True) -> jax.Array:
        """The current state (a uint32 `[seed, counter]` array, used as a key's data), then advances it.

        With `ordered=False` the state jumps pseudo-randomly instead of counting (Keras's option).
        """
        value = self.state[...]
        if ordered:
            self.state[...] = value + jnp.asarray([0, 1], jnp.uint32)
        else:
            self.state[...] = (value + 1) * 5387 % 933199
        return value

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        return cls(**config)


def _in_trace() -> bool:
    return isinstance(jnp.zeros(()), jax.core.Tracer)


def draw_key(seed: Any) -> jax.Array:
    """The key a random op draws with for its `seed` argument.

    An int gives the same key every time (`[seed, 0]` as threefry key data, as in Keras); a `SeedGenerator`
    gives its current state and advances it; None gives the next key of the global seed, which only works
    outside compiled functions. A JAX key (typed, or uint32 key data) is used as it is.

    Raises:
      ValueError: for `seed=None` inside a compiled function (the global counter would be traced once and
        the values frozen), or a seed of another type.
    """
    if isinstance(seed, SeedGenerator):
        return fast_key(jax.random.wrap_key_data(seed.next()))
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return fast_key(jax.random.wrap_key_data(jnp.asarray([int(seed) & 0xFFFFFFFF, 0], jnp.uint32)))
    if isinstance(seed, jax.Array):
        if jax.dtypes.issubdtype(seed.dtype, jax.dtypes.prng_key):
            return seed
        return fast_key(jax.random.wrap_key_data(seed.astype(jnp.uint32)))
    if seed is None:
        if _in_trace():
            raise ValueError(
                "A random op was called with seed=None inside a compiled function (jit, or a model's training "
                "step): the global seed cannot advance there, so every step would draw the same values. Create a "
                "SeedGenerator in the layer's __init__ (self.seed_generator = kerasish.random.SeedGenerator(1337)) "
                "and pass it: kerasish.random.normal(shape, seed=self.seed_generator).")
        return fast_key(next_key())
    raise ValueError(f"Argument `seed` must be None, an int or a SeedGenerator, received {seed!r} of type "
                     f"{type(seed).__name__}.")


def _float_dtype(dtype: Any, op: str) -> str:
    name = _dtype_name(dtype, "float32")
    if not name.startswith(("float", "bfloat")):
        raise ValueError(f"Argument `dtype` of kerasish.random.{op} must be a floating point dtype, received {name!r}.")
    return name


def _shape(shape: Any, op: str) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        return (int(shape),)
    if not isinstance(shape, (tuple, list)) or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                                                         and d >= 0 for d in shape):
        raise ValueError(f"Argument `shape` of kerasish.random.{op} must be a tuple of non-negative ints, received "
                         f"{shape!r}.")
    return tuple(int(d) for d in shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of the normal distribution N(`mean`, `stddev`**2) (`keras.random.normal`).

    Args:
      shape: the output shape.
      mean, stddev: the distribution's mean and standard deviation (numbers or broadcastable tensors).
      dtype: a float dtype, `floatx()` by default.
      seed: None (the global seed; not inside jit), an int (the same values each call) or a SeedGenerator.

    Example:
      >>> normal((2, 3), seed=1).shape
      (2, 3)
    """
    dtype = _float_dtype(dtype, "normal")
    return jax.random.normal(draw_key(seed), _shape(shape, "normal"), dtype) * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of the uniform distribution on `[minval, maxval)` (`keras.random.uniform`); see `normal`.

    Raises:
      ValueError: for an integer `dtype` (use `randint`).
    """
    dtype = _float_dtype(dtype, "uniform")
    return jax.random.uniform(draw_key(seed), _shape(shape, "uniform"), dtype, minval=minval, maxval=maxval)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of N(`mean`, `stddev`**2) conditioned on lying within two standard deviations of the mean
    (`keras.random.truncated_normal`)."""
    dtype = _float_dtype(dtype, "truncated_normal")
    sample = jax.random.truncated_normal(draw_key(seed), -2.0, 2.0, _shape(shape, "truncated_normal"), dtype)
    return sample * stddev + mean


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Random integers in `[minval, maxval)` (`keras.random.randint`).

    Raises:
      ValueError: for a `dtype` that is not an integer dtype.

    Example:
      >>> values = randint((100,), 2, 5, seed=0)
      >>> int(values.min()) >= 2 and int(values.max()) < 5, values.dtype
      (True, dtype('int32'))
    """
    name = _dtype_name(dtype, "int32")
    if not name.startswith(("int", "uint")):
        raise ValueError(f"Argument `dtype` of kerasish.random.randint must be an integer dtype, received {name!r}.")
    return jax.random.randint(draw_key(seed), _shape(shape, "randint"), minval, maxval, dtype=name)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices drawn from the categorical distributions of each row of `logits` (`keras.random.categorical`).

    Args:
      logits: a 2-D tensor `(batch, classes)` of unnormalized log-probabilities.
      num_samples: how many draws per row.
      dtype: the integer output dtype.

    Returns:
      An int tensor of shape `(batch, num_samples)`.

    Raises:
      ValueError: for `logits` that are not 2-D.
    """
    logits = jnp.asarray(logits[...] if hasattr(logits, "get_value") else logits)
    if logits.ndim != 2:
        raise ValueError(f"Argument `logits` of kerasish.random.categorical must be 2-D (batch, classes), received "
                         f"shape {logits.shape}.")
    draws = jax.random.categorical(draw_key(seed), logits[..., None], shape=(logits.shape[0], num_samples), axis=1)
    return draws.astype(_dtype_name(dtype, "int32"))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """`inputs` with each element zeroed with probability `rate` and the rest scaled by `1 / (1 - rate)`
    (`keras.random.dropout`).

    Args:
      inputs: a tensor.
      rate: the drop probability, in [0, 1].
      noise_shape: None, or a shape broadcastable to `inputs` (None entries take `inputs`' sizes): the
        mask is drawn in it and broadcast, e.g. `(batch, 1, features)` drops whole features.
      seed: None, an int or a SeedGenerator.

    Raises:
      ValueError: for a `rate` outside [0, 1].
    """
    if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
        raise ValueError(f"Argument `rate` of kerasish.random.dropout must be in [0, 1], received {rate}.")
    inputs = jnp.asarray(inputs[...] if hasattr(inputs, "get_value") else inputs)
    if isinstance(rate, (int, float)) and rate == 1:
        return jnp.zeros_like(inputs)
    if isinstance(rate, (int, float)) and rate == 0:
        return inputs
    keep = 1.0 - rate
    shape = inputs.shape if noise_shape is None else tuple(
        inputs.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    mask = jnp.broadcast_to(jax.random.bernoulli(draw_key(seed), keep, shape), inputs.shape)
    return jax.lax.select(mask, inputs / keep, jnp.zeros_like(inputs))


def shuffle(x, axis=0, seed=None):
    """`x` with its slices along `axis` in a random order (`keras.random.shuffle`).

    Whole slices move together (rows stay rows for `axis=0`), as Keras's TensorFlow and PyTorch backends
    shuffle; Keras 3.15's JAX backend permutes each column independently instead.

    Example:
      >>> import jax.numpy as jnp
      >>> rows = shuffle(jnp.arange(6).reshape(3, 2), seed=0)
      >>> sorted(rows.tolist())
      [[0, 1], [2, 3], [4, 5]]
    """
    x = jnp.asarray(x[...] if hasattr(x, "get_value") else x)
    return jax.random.permutation(draw_key(seed), x, axis=axis, independent=False)


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples of the gamma distribution with shape `alpha` and scale 1 (`keras.random.gamma`)."""
    dtype = _float_dtype(dtype, "gamma")
    return jax.random.gamma(draw_key(seed), alpha, shape=_shape(shape, "gamma"), dtype=dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples of the binomial distribution: successes in `counts` trials of probability `probabilities`
    (`keras.random.binomial`), as floats of `dtype` (`floatx()` by default)."""
    dtype = _float_dtype(dtype, "binomial")
    return jax.random.binomial(draw_key(seed), n=jnp.asarray(counts), p=jnp.asarray(probabilities),
                               shape=_shape(shape, "binomial"), dtype=dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples of the beta distribution with parameters `alpha` and `beta` (`keras.random.beta`)."""
    dtype = _float_dtype(dtype, "beta")
    return jax.random.beta(draw_key(seed), a=jnp.asarray(alpha), b=jnp.asarray(beta), shape=_shape(shape, "beta"),
                           dtype=dtype)
