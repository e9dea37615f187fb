"""The global seed: one place that every weight initializer, dropout stream and shuffle draws from.

`kerasish.utils.set_random_seed(seed)` resets it, so the same seed gives the same initial weights,
the same dropout masks and the same data order, hence the same `History`.
"""

from __future__ import annotations

import math
import random as _py_random

import jax
import jax.extend.random as _jax_random
import numpy as np

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
