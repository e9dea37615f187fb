"""`layer.backend`: the ops a preprocessing layer computes with, under Keras's `DataLayer.backend` names.

Keras's preprocessing layers (and the custom ones users write after its `DataLayer` docs) call
`self.backend.numpy.*`, `self.backend.random.uniform(..., seed=...)`, `self.backend.image.*`,
`self.backend.shape(x)`, `self.backend.cast(x, dtype)`. kerasish has one backend, JAX: `numpy` is `jax.numpy`,
`image` is `image_ops`, and `random` draws with Keras's JAX semantics from a seed that is a JAX key, a
`SeedGenerator`, or an int (the raw key `[seed, 0]`). kerasish's own layers draw through `backend.random`
too, so a test can patch it, as Keras's tests do.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import kerasish.layers.image_preprocessing.image_ops as image_ops
from kerasish.backend import floatx


def as_key(seed: Any) -> jax.Array:
    """A typed JAX key from a `SeedGenerator` (its next draw), a key, a uint32 pair, or an int."""
    next_key = getattr(seed, "next_key", None)
    if next_key is not None:
        return next_key()
    original = seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        seed = np.asarray([int(seed) % 2**32, 0], np.uint32)
    seed = jnp.asarray(seed)
    if jax.dtypes.issubdtype(seed.dtype, jax.dtypes.prng_key):
        return seed
    if seed.shape == (2,) and jnp.issubdtype(seed.dtype, jnp.integer):
        return jax.random.wrap_key_data(seed.astype(jnp.uint32), impl="threefry2x32")
    raise ValueError(f"Argument `seed` must be a SeedGenerator, a JAX key, a pair of uint32 or an int, received "
                     f"{original!r}.")


def uniform(shape, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None, seed: Any = None):
    """Keras's `random.uniform` on JAX: `jax.random.uniform(key, shape, dtype, minval, maxval)`."""
    return jax.random.uniform(as_key(seed), shape=tuple(shape), dtype=dtype or floatx(), minval=minval,
                              maxval=maxval)


def normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed: Any = None):
    """Keras's `random.normal` on JAX: a standard normal draw, scaled and shifted."""
    return jax.random.normal(as_key(seed), shape=tuple(shape), dtype=dtype or floatx()) * stddev + mean


def randint(shape, minval: int, maxval: int, dtype: Any = "int32", seed: Any = None):
    """Keras's `random.randint` on JAX."""
    return jax.random.randint(as_key(seed), shape=tuple(shape), minval=minval, maxval=maxval, dtype=dtype)


def shape(x) -> tuple:
    return tuple(jnp.shape(x))


def cast(x, dtype):
    return jnp.asarray(x).astype(dtype)


def convert_to_tensor(x, dtype: Any = None):
    return jnp.asarray(x, dtype=dtype)


#: The namespace every kerasish image preprocessing layer exposes as `layer.backend`.
BACKEND = SimpleNamespace(
    name="jax", numpy=jnp, image=image_ops, shape=shape, cast=cast, convert_to_tensor=convert_to_tensor,
    core=SimpleNamespace(shape=shape, cast=cast, convert_to_tensor=convert_to_tensor),
    random=SimpleNamespace(uniform=uniform, normal=normal, randint=randint),
)
