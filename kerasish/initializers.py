"""Weight initializers: Keras's names, arguments and maths, JAX's calling convention.

An initializer is any callable `(key, shape, dtype=jnp.float32) -> jax.Array`, the convention of
`jax.nn.initializers`, so a JAX initializer can be passed wherever a kerasish one is expected. The
classes below carry Keras 3's arguments and defaults and draw with `jax.nn.initializers`, whose maths
matches Keras's:

- fans: for a kernel of rank >= 2, `fan_in = shape[-2] * receptive_field`, `fan_out = shape[-1] *
  receptive_field` with `receptive_field = prod(shape[:-2])` (both libraries); for rank 0 or 1 Keras
  uses `fan_in = fan_out = prod(shape)`, which `in_axis=(), out_axis=()` reproduces in JAX.
- a truncated normal is cut at two standard deviations, and variance scaling divides its stddev by
  `0.87962566103423978` (the stddev of a unit normal truncated to [-2, 2]) in both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

Initializer = Callable[..., jax.Array]

_MODES = ("fan_avg", "fan_in", "fan_out")
_DISTRIBUTIONS = ("truncated_normal", "uniform", "untruncated_normal")


class _Base:
    """Shared `get_config` / `repr`: the config is the constructor's keyword arguments."""

    #: Whether drawing inside one compiled program with other weights
    #: (`layers.initial_weights.drawing_weights_together`) gives bit for bit the values of an eager call.
    #: Checked for every class here on float32 and bfloat16 shapes; a callable without this attribute is drawn
    #: eagerly.
    exact_when_fused = True

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments: `type(self)(**self.get_config())` is an equal initializer."""
        return dict(vars(self))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.get_config().items()))))


class Constant(_Base):
    """Fills the array with `value`.

    Args:
      value: a Python number.

    Example:
      >>> Constant(3.0)(None, (2,)).tolist()
      [3.0, 3.0]
    """

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, key: jax.Array | None, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        """Returns an array of `shape` and `dtype` filled with the constant (`key` is unused)."""
        return jnp.full(shape, self.value, dtype)


class Zeros(Constant):
    """Fills the array with 0.

    Example:
      >>> Zeros()(None, (2,)).tolist()
      [0.0, 0.0]
    """

    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self) -> dict[str, Any]:
        return {}


class Ones(Constant):
    """Fills the array with 1.

    Example:
      >>> Ones()(None, (2,)).tolist()
      [1.0, 1.0]
    """

    def __init__(self) -> None:
        super().__init__(1.0)

    def get_config(self) -> dict[str, Any]:
        return {}


class RandomNormal(_Base):
    """Draws from a normal distribution `N(mean, stddev**2)`.

    Args:
      mean: the mean.
      stddev: the standard deviation.

    Example:
      >>> RandomNormal()(jax.random.key(0), (3, 2)).shape
      (3, 2)
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05) -> None:
        self.mean, self.stddev = mean, stddev

    def __call__(self, key: jax.Array, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        """Returns an array of `shape` and `dtype` drawn with `key`."""
        return jax.nn.initializers.normal(self.stddev)(key, shape, dtype) + jnp.asarray(self.mean, dtype)


class TruncatedNormal(_Base):
    """Draws from `N(mean, stddev**2)` cut at two standard deviations (no stddev correction, as Keras).

    Args:
      mean: the mean.
      stddev: the standard deviation of the normal before truncation.

    Example:
      >>> float(abs(TruncatedNormal()(jax.random.key(0), (1000,))).max()) <= 0.1
      True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05) -> None:
        self.mean, self.stddev = mean, stddev

    @property
    def exact_when_fused(self) -> bool:
        # XLA fuses `draw * stddev + mean` into a fused multiply-add: the last bit differs from eager.
        return self.mean == 0

    def __call__(self, key: jax.Array, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        """Returns an array of `shape` and `dtype` drawn with `key`."""
        init = jax.nn.initializers.truncated_normal(self.stddev, lower=-2.0, upper=2.0)
        return init(key, shape, dtype) + jnp.asarray(self.mean, dtype)


class RandomUniform(_Base):
    """Draws from the uniform distribution on `[minval, maxval)`.

    Args:
      minval: the lower bound.
      maxval: the upper bound.

    Example:
      >>> float(abs(RandomUniform()(jax.random.key(0), (1000,))).max()) <= 0.05
      True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05) -> None:
        self.minval, self.maxval = minval, maxval

    def __call__(self, key: jax.Array, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        """Returns an array of `shape` and `dtype` drawn with `key`."""
        return jax.random.uniform(key, shape, dtype, self.minval, self.maxval)


class VarianceScaling(_Base):
    """Draws with variance `scale / n`, `n` being the fan-in, fan-out or their average.

    `"truncated_normal"` uses stddev `sqrt(scale / n) / 0.8796...`, `"untruncated_normal"` stddev
    `sqrt(scale / n)`, `"uniform"` the limits `+-sqrt(3 * scale / n)`. For a kernel of shape
    `(..., fan_in_channels, fan_out_channels)` the leading axes are the receptive field.

    Args:
      scale: a positive scaling factor.
      mode: `"fan_in"`, `"fan_out"` or `"fan_avg"`.
      distribution: `"truncated_normal"` (`"normal"` is an alias, as in Keras), `"untruncated_normal"`
        or `"uniform"`.

    Raises:
      ValueError: for a non-positive `scale` or an unknown `mode` or `distribution`.

    Example:
      >>> VarianceScaling(2.0, "fan_in", "uniform")(jax.random.key(0), (3, 3, 4, 8)).shape
      (3, 3, 4, 8)
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal") -> None:
        if not scale > 0:
            raise ValueError(f"Argument `scale` must be a positive float, received scale={scale!r}.")
        if mode not in _MODES:
            raise ValueError(f"Argument `mode` must be one of {list(_MODES)}, received mode={mode!r}.")
        dist = distribution.lower() if isinstance(distribution, str) else distribution
        dist = "truncated_normal" if dist == "normal" else dist
        if dist not in _DISTRIBUTIONS:
            raise ValueError(
                f"Argument `distribution` must be one of {list(_DISTRIBUTIONS) + ['normal']}, "
                f"received distribution={distribution!r}."
            )
        self.scale, self.mode, self.distribution = float(scale), mode, dist

    def __call__(self, key: jax.Array, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        """Returns an array of `shape` and `dtype` drawn with `key`."""
        jax_distribution = "normal" if self.distribution == "untruncated_normal" else self.distribution
        # Keras gives a vector (or scalar) fan_in = fan_out = its size; JAX needs explicit axes for that.
        axes = {} if len(shape) >= 2 else {"in_axis": (), "out_axis": ()}
        init = jax.nn.initializers.variance_scaling(self.scale, self.mode, jax_distribution, **axes)
        return init(key, tuple(shape), dtype)


class _FixedVarianceScaling(VarianceScaling):
    """A `VarianceScaling` whose arguments are fixed by the subclass; its config is empty."""

    _ARGS: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self) -> None:
        super().__init__(*self._ARGS)

    def get_config(self) -> dict[str, Any]:
        return {}


class GlorotUniform(_FixedVarianceScaling):
    """Glorot (Xavier) uniform: limits `+-sqrt(6 / (fan_in + fan_out))`.

    Example:
      >>> GlorotUniform()(jax.random.key(0), (4, 5)).shape
      (4, 5)
    """

    _ARGS = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal, stddev `sqrt(2 / (fan_in + fan_out)) / 0.8796...`.

    Example:
      >>> GlorotNormal()(jax.random.key(0), (4, 5)).shape
      (4, 5)
    """

    _ARGS = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """He uniform: limits `+-sqrt(6 / fan_in)`.

    Example:
      >>> HeUniform()(jax.random.key(0), (4, 5)).shape
      (4, 5)
    """

    _ARGS = (2.0, "fan_in", "uniform")


class HeNormal(_FixedVarianceScaling):
    """He normal: truncated normal, stddev `sqrt(2 / fan_in) / 0.8796...`.

    Example:
      >>> HeNormal()(jax.random.key(0), (4, 5)).shape
      (4, 5)
    """

    _ARGS = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: limits `+-sqrt(3 / fan_in)`.

    Example:
      >>> LecunUniform()(jax.random.key(0), (4, 5)).shape
      (4, 5)
    """

    _ARGS = (1.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """LeCun normal: truncated normal, stddev `sqrt(1 / fan_in) / 0.8796...`.

    Example:
      >>> LecunNormal()(jax.random.key(0), (4, 5)).shape
      (4, 5)
    """

    _ARGS = (1.0, "fan_in", "truncated_normal")


class Orthogonal(_Base):
    """A (semi-)orthogonal matrix times `gain`; shapes of rank > 2 are flattened to
    `(prod(shape[:-1]), shape[-1])` first, as in Keras.

    Args:
      gain: the multiplicative factor.

    Raises:
      ValueError: (when called) for a shape of rank < 2.

    Example:
      >>> w = Orthogonal()(jax.random.key(0), (3, 3))
      >>> bool(jnp.allclose(w @ w.T, jnp.eye(3), atol=1e-5))
      True
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, key: jax.Array, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        """Returns an array of `shape` and `dtype` drawn with `key`."""
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer needs a shape of rank >= 2, received shape={tuple(shape)}.")
        return jax.nn.initializers.orthogonal(self.gain)(key, tuple(shape), dtype)


class Identity(_Base):
    """The identity matrix times `gain` (rectangular shapes get ones on the main diagonal).

    Args:
      gain: the multiplicative factor.

    Raises:
      ValueError: (when called) for a shape whose rank is not 2.

    Example:
      >>> Identity(2.0)(None, (2, 2)).tolist()
      [[2.0, 0.0], [0.0, 2.0]]
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, key: jax.Array | None, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        """Returns an array of `shape` and `dtype` (`key` is unused)."""
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a shape of rank 2, received shape={tuple(shape)}.")
        return self.gain * jnp.eye(*shape, dtype=dtype)


_CLASSES = (
    Zeros,
    Ones,
    Constant,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    GlorotUniform,
    GlorotNormal,
    HeUniform,
    HeNormal,
    LecunUniform,
    LecunNormal,
    Orthogonal,
    Identity,
)
_SNAKE = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal,
    "identity": Identity,
}
# Keras also accepts "uniform" / "normal" (e.g. Embedding's default "uniform").
_BY_NAME: dict[str, type] = {**_SNAKE, "uniform": RandomUniform, "normal": RandomNormal,
                             **{cls.__name__: cls for cls in _CLASSES}}


def get(identifier: str | dict[str, Any] | Initializer) -> Initializer:
    """Resolves an initializer name (or config, or callable) to an initializer.

    Args:
      identifier: a name such as `"glorot_uniform"` or `"GlorotUniform"` (an instance with Keras's
        defaults), a dict `{"class_name": ..., "config": {...}}` as `serialize` returns, or any
        callable `(key, shape, dtype) -> array` (returned unchanged, e.g. a `jax.nn.initializers` one).

    Returns:
      The initializer.

    Raises:
      ValueError: for a name that is not an initializer (the message lists the accepted names).
      TypeError: for anything else.

    Example:
      >>> get("he_normal")
      HeNormal()
      >>> get({"class_name": "Constant", "config": {"value": 2.0}})
      Constant(value=2.0)
    """
    if isinstance(identifier, dict) and set(identifier) == {"class_name", "config"}:
        return get(identifier["class_name"]).__class__(**identifier["config"])
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown initializer {identifier!r}. Expected one of {sorted(_BY_NAME)} "
                "or a callable (key, shape, dtype) -> array."
            )
        return _BY_NAME[identifier]()
    if callable(identifier):
        return identifier
    raise TypeError(
        "Argument `identifier` must be an initializer name, a config dict or a callable "
        f"(key, shape, dtype) -> array, received {identifier!r} of type {type(identifier).__name__}."
    )


def serialize(initializer: Initializer) -> str | dict[str, Any] | None:
    """A JSON-friendly form of one of this module's initializers, which `get` turns back into it.

    Args:
      initializer: an initializer.

    Returns:
      The snake_case name when the initializer has its default arguments, else
      `{"class_name": ..., "config": {...}}`; `None` for a callable that is not one of ours.

    Example:
      >>> serialize(GlorotUniform()), serialize(Constant(2.0))
      ('glorot_uniform', {'class_name': 'Constant', 'config': {'value': 2.0}})
    """
    if type(initializer) not in _CLASSES:
        return None
    name = next(n for n, cls in _SNAKE.items() if cls is type(initializer))
    if initializer == type(initializer)():
        return name
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
