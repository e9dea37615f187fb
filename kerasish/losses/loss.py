"""The `Loss` base class and Keras 3's weighting and reduction of per-sample losses.

A `Loss` turns `(y_true, y_pred)` into per-sample losses with `call`, then `__call__` weights and reduces
them as Keras does:

- both arrays are first converted to the loss's `dtype` (float32 unless `dtype=` says otherwise);
- `sample_weight` (rank-reconciled with the per-sample losses, then broadcast) multiplies them;
- entries a mask excludes (`Loss.mask`: `ignore_class` of the sparse cross-entropy, the circle loss's
  non-positive entries) get weight 0, and for the mean reductions the kept ones are scaled so that the mean
  is over the kept entries only;
- `"sum_over_batch_size"` (the default, alias `"mean"`) divides the weighted sum by the NUMBER OF ELEMENTS
  of the per-sample losses, not by the sum of the weights; `"mean_with_sample_weight"` divides by the sum
  of the weights; `"sum"` sums; `"none"` / `None` returns the weighted per-sample losses.

Everything here is a pure function of arrays: it works under `jax.jit` and `jax.grad`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from kerasish import backend, mixed_precision, registry

REDUCTIONS = ("sum_over_batch_size", "mean", "mean_with_sample_weight", "sum", "none", None)


def to_snake_case(name: str) -> str:
    """Keras's snake_case of a class name: `"MeanSquaredError"` -> `"mean_squared_error"`, `"AUC"` -> `"auc"`.

    Example:
      >>> to_snake_case("BinaryIoU"), to_snake_case("AUC"), to_snake_case("R2Score")
      ('binary_io_u', 'auc', 'r2_score')
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def standardize_dtype_argument(dtype: Any) -> str:
    """The compute dtype named by a loss's or metric's `dtype=` argument: None is `backend.floatx()`, a
    `DTypePolicy` gives its compute dtype, anything else is a dtype name Keras accepts (`"int"` is int32). A
    64-bit dtype is JAX's 32-bit one unless `jax_enable_x64` is on (JAX computes in 32 bits then).

    Raises:
      ValueError: for something that is not a dtype.
    """
    if dtype is None:
        name = backend.floatx()
    elif isinstance(dtype, mixed_precision.DTypePolicy):
        name = dtype.compute_dtype
    elif (isinstance(dtype, dict) and dtype.get("class_name") == "DTypePolicy") or (
            isinstance(dtype, str) and dtype.startswith("mixed_")):
        name = mixed_precision.get(dtype).compute_dtype
    else:
        name = dtype
    name = backend.standardize_dtype(name)
    return backend.standardize_dtype(jax.dtypes.canonicalize_dtype(name)) if name != "string" else name


def standardize_reduction(reduction: str | None) -> str | None:
    """`reduction` if it is one Keras accepts.

    Raises:
      ValueError: for any other value (the message lists the accepted ones).
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`: `reduction` must be one of {list(REDUCTIONS)}, "
                         f"received reduction={reduction!r}.")
    return reduction


def squeeze_or_expand_to_same_rank(x1: Any, x2: Any, expand_rank_1: bool = True) -> tuple[jax.Array, jax.Array]:
    """Keras's rank reconciliation: when the ranks differ by one and the longer array ends in an axis of 1,
    the shorter one gains that axis if it is a vector (and `expand_rank_1`), else the axis is squeezed.

    Args:
      x1: an array.
      x2: an array.
      expand_rank_1: whether a vector is expanded (else the other array is squeezed).

    Returns:
      `(x1, x2)`, with at most one of them reshaped.

    Example:
      >>> [a.shape for a in squeeze_or_expand_to_same_rank(jnp.zeros(3), jnp.zeros((3, 1)))]
      [(3, 1), (3, 1)]
      >>> [a.shape for a in squeeze_or_expand_to_same_rank(jnp.zeros((3, 2)), jnp.zeros((3, 2, 1)))]
      [(3, 2), (3, 2)]
    """
    x1, x2 = jnp.asarray(x1), jnp.asarray(x2)
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        return (x1, x2[..., None]) if r2 == 1 and expand_rank_1 else (jnp.squeeze(x1, -1), x2)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        return (x1[..., None], x2) if r1 == 1 and expand_rank_1 else (x1, jnp.squeeze(x2, -1))
    return x1, x2


def divide_no_nan(a: Any, b: Any) -> jax.Array:
    """`a / b`, and 0 where `b == 0` (Keras's `ops.divide_no_nan`).

    Example:
      >>> divide_no_nan(jnp.array([1.0, 2.0]), jnp.array([0.0, 4.0])).tolist()
      [0.0, 0.5]
    """
    a, b = jnp.asarray(a), jnp.asarray(b)
    safe_b = jnp.where(b == 0, jnp.ones_like(b), b)
    return jnp.where(b == 0, jnp.zeros((), jnp.result_type(a, b)), a / safe_b)


def apply_mask(sample_weight: Any, mask: Any, dtype: Any, reduction: str | None) -> jax.Array | None:
    """The sample weights with a boolean `mask` folded in, as Keras folds a loss's mask.

    For the mean reductions the kept entries get weight `entries / kept`, so that a mean over all entries
    equals the mean over the kept ones; otherwise the mask is a 0/1 weight.

    Args:
      sample_weight: None or weights.
      mask: None or a boolean array (or 0/1 values).
      dtype: the dtype of the weights.
      reduction: the loss's reduction.

    Returns:
      The weights (None when both are None).
    """
    if mask is None:
        return sample_weight
    mask = jnp.asarray(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        total = jnp.asarray(mask.size, dtype)
        kept = jnp.sum(mask.astype(dtype))  # may be 0
        float_mask = jnp.where(mask.astype(bool), divide_no_nan(total, kept), jnp.zeros((), dtype))
    else:
        float_mask = mask.astype(dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, jnp.asarray(sample_weight, dtype))
    return sample_weight * float_mask


def reduce_values(values: jax.Array, sample_weight: Any = None, reduction: str | None = "sum_over_batch_size"
                  ) -> jax.Array:
    """Keras's reduction of (already weighted) per-sample losses; see the module docstring."""
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    loss = jnp.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return divide_no_nan(loss, jnp.sum(sample_weight).astype(loss.dtype))
    return divide_no_nan(loss, jnp.asarray(values.size, loss.dtype))


def reduce_weighted_values(values: Any, sample_weight: Any = None, mask: Any = None,
                           reduction: str | None = "sum_over_batch_size", dtype: Any = None) -> jax.Array:
    """Keras's weighting and reduction of per-sample losses.

    Args:
      values: per-sample losses, e.g. of shape `(N,)`.
      sample_weight: None or weights broadcastable to `values` (after rank reconciliation).
      mask: None or a boolean array of `values`'s shape: entries it excludes get weight 0 (and, for the mean
        reductions, the mean is over the kept entries).
      reduction: `"sum_over_batch_size"`, `"mean"`, `"mean_with_sample_weight"`, `"sum"`, `"none"` or None.
      dtype: the dtype of the result (that of `values` by default).

    Returns:
      A scalar, or the weighted `values` for `"none"` / None.

    Raises:
      ValueError: for an unknown `reduction`.

    Example:
      >>> float(reduce_weighted_values(jnp.array([1.0, 3.0]), jnp.array([1.0, 0.0])))
      0.5
      >>> float(reduce_weighted_values(jnp.array([1.0, 3.0]), jnp.array([1.0, 0.0]),
      ...                              reduction="mean_with_sample_weight"))
      1.0
    """
    reduction = standardize_reduction(reduction)
    values = jnp.asarray(values) if dtype is None else jnp.asarray(values, dtype)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, values.dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, jnp.asarray(sample_weight, values.dtype))
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


class Loss:
    """Base class of losses: subclasses implement `call(y_true, y_pred) -> per-sample losses`.

    Args:
      name: the loss's name (by default the class name in snake_case, numbered when taken: `my_loss_1`).
      reduction: how `__call__` reduces the weighted per-sample losses: `"sum_over_batch_size"` (default),
        `"mean"`, `"mean_with_sample_weight"`, `"sum"`, `"none"` or None (see the module docstring).
      dtype: the dtype both arrays are converted to before `call`, and of the result (default float32); a
        `kerasish.mixed_precision.DTypePolicy` gives its compute dtype.

    Raises:
      ValueError: for an unknown `reduction` or `dtype`.

    Example:
      >>> class Absolute(Loss):
      ...     def call(self, y_true, y_pred):
      ...         return jnp.abs(y_true - y_pred)
      >>> float(Absolute()(jnp.array([0.0, 0.0]), jnp.array([1.0, 3.0])))
      2.0
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None) -> None:
        self.name = name or backend.unique_name(to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = standardize_dtype_argument(dtype)

    @property
    def dtype(self) -> str:
        """The dtype of the computation and of the result, e.g. `"float32"` (read-only)."""
        return self._dtype

    def call(self, y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
        """The per-sample losses, of the batch shape of `y_pred` (its last axis reduced)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def mask(self, y_true: Any, y_pred: Any) -> jax.Array | None:
        """Which per-sample losses count (None: all); what Keras attaches to the losses as their mask."""
        return None

    @property
    def masks_entries(self) -> bool:
        """Whether `mask` may leave entries out (then a batch's mean is over its kept entries, not its rows)."""
        return type(self).mask is not Loss.mask

    def _converted(self, y_true: Any, y_pred: Any) -> tuple[Any, Any]:
        convert = lambda x: jnp.asarray(x, self._dtype)
        return jax.tree.map(convert, y_true), jax.tree.map(convert, y_pred)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> jax.Array:
        """The weighted, reduced loss.

        Args:
          y_true: the targets.
          y_pred: the predictions.
          sample_weight: None, a scalar, or weights broadcastable to the per-sample losses, e.g. `(N,)`.

        Returns:
          A scalar of `dtype` (the weighted per-sample losses for reduction `"none"`).
        """
        y_true, y_pred = self._converted(y_true, y_pred)
        values = self.call(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self.mask(y_true, y_pred), self.reduction, self._dtype)

    def of_rows(self, y_true: Any, y_pred: Any, sample_weight: Any, rows: jax.Array) -> jax.Array:
        """`self(y_true, y_pred, sample_weight)` over the rows where `rows` (bool, `(batch,)`) is True only:
        the other rows are masked out as `mask` masks entries, so a batch padded with extra rows gives the
        loss of its real rows (`fit` pads a short last batch this way)."""
        y_true, y_pred = self._converted(y_true, y_pred)
        values = self.call(y_true, y_pred)
        mask = jnp.broadcast_to(rows.reshape(rows.shape + (1,) * (values.ndim - 1)), values.shape)
        own = self.mask(y_true, y_pred)
        if own is not None:
            mask = mask & jnp.broadcast_to(own, values.shape)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction, self._dtype)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments Keras records: `{"name", "reduction"}` plus each loss's own."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """A loss from `get_config()`'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


#: loss function -> (the function of the same arguments giving the mask Keras attaches to its results,
#: the predicate of its keyword arguments telling whether it masks anything)
_VALUE_MASKS: dict[Callable[..., jax.Array], tuple[Callable[..., jax.Array], Callable[..., bool]]] = {}


def masks_values(mask_fn: Callable[..., jax.Array], when: Callable[..., bool] = lambda **kwargs: True) -> Callable:
    """Decorator: `mask_fn(y_true, y_pred, **kwargs)` is the mask of the decorated loss function's results
    (Keras attaches it to the result tensor; here a `Loss` or a metric asks for it with `values_mask`), when
    `when(**kwargs)` is true (e.g. only with an `ignore_class`)."""
    def decorate(fn: Callable[..., jax.Array]) -> Callable[..., jax.Array]:
        _VALUE_MASKS[fn] = (mask_fn, when)
        return fn
    return decorate


def masks_entries(fn: Callable[..., jax.Array], **kwargs: Any) -> bool:
    """Whether `fn(y_true, y_pred, **kwargs)`'s results carry a mask (some entries may not count)."""
    entry = _VALUE_MASKS.get(fn)
    return entry is not None and entry[1](**kwargs)


def values_mask(fn: Callable[..., jax.Array], y_true: Any, y_pred: Any, **kwargs: Any) -> jax.Array | None:
    """The mask of `fn(y_true, y_pred, **kwargs)`'s results, or None when `fn` masks nothing."""
    if not masks_entries(fn, **kwargs):
        return None
    return _VALUE_MASKS[fn][0](y_true, y_pred, **kwargs)


def _reconciled(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    if isinstance(y_true, (list, tuple, dict)) or isinstance(y_pred, (list, tuple, dict)):
        pairs = jax.tree.map(squeeze_or_expand_to_same_rank, y_true, y_pred)
        is_pair = lambda x: isinstance(x, tuple) and len(x) == 2 and all(hasattr(a, "shape") for a in x)
        return (jax.tree.map(lambda p: p[0], pairs, is_leaf=is_pair),
                jax.tree.map(lambda p: p[1], pairs, is_leaf=is_pair))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


class LossFunctionWrapper(Loss):
    """A `Loss` of a function `fn(y_true, y_pred, **kwargs) -> per-sample losses`.

    The arrays are rank-reconciled (`squeeze_or_expand_to_same_rank`) before `fn` sees them.

    Args:
      fn: the function, or the name it is registered under (a built-in loss function's name, or
        `"package>name"` of `register_serializable`), as a config records it.
      reduction: see `Loss`.
      name: the loss's name (default `"loss_function_wrapper"`, numbered when taken).
      dtype: see `Loss`.
      **kwargs: extra keyword arguments for `fn`.

    Example:
      >>> loss = LossFunctionWrapper(lambda t, p: (t - p) ** 2, name="sq")
      >>> float(loss(jnp.array([0.0, 0.0]), jnp.array([1.0, 3.0])))
      5.0
    """

    def __init__(self, fn: Callable[..., jax.Array] | str, reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        if isinstance(fn, str):
            fn = registry.lookup("losses", fn, what="A loss config")
        if not callable(fn):
            raise TypeError(f"Argument `fn` of LossFunctionWrapper must be a function (y_true, y_pred) -> "
                            f"per-sample losses, received {fn!r}.")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    @property
    def fn_kwargs(self) -> dict[str, Any]:
        """The keyword arguments given to `fn` (a copy)."""
        return dict(self._fn_kwargs)

    def call(self, y_true: Any, y_pred: Any) -> jax.Array:
        y_true, y_pred = _reconciled(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def mask(self, y_true: Any, y_pred: Any) -> jax.Array | None:
        if not self.masks_entries:
            return None
        y_true, y_pred = _reconciled(y_true, y_pred)
        return values_mask(self.fn, y_true, y_pred, **self._fn_kwargs)

    @property
    def masks_entries(self) -> bool:
        return type(self).mask is not LossFunctionWrapper.mask or masks_entries(self.fn, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        """`name`, `reduction`, `fn` (its registered name) and `fn`'s keyword arguments, as Keras records them."""
        return {**super().get_config(), "fn": registry.get_registered_name(self.fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        config = dict(config)
        if isinstance(config.get("fn"), dict):  # Keras's serialized function
            config["fn"] = config["fn"].get("config")
        return cls(**config)
