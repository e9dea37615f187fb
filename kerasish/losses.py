"""Losses with Keras 3's semantics, on `optax.losses` where optax has the maths.

A `Loss` turns `(y_true, y_pred)` into one value per sample with `call`, then `__call__` weights and
reduces those values exactly as Keras does:

- rank reconciliation first: labels of shape `(N,)` against predictions `(N, 1)` are expanded, a
  trailing axis of 1 on one side only is squeezed;
- `sample_weight` (broadcast against the per-sample losses) multiplies them;
- `"sum_over_batch_size"` (the default, alias `"mean"`) divides the weighted sum by the NUMBER OF
  ELEMENTS of the per-sample losses, not by the sum of the weights; `"mean_with_sample_weight"`
  divides by the sum of the weights; `"sum"` sums; `"none"`/`None` returns the per-sample losses.

With `from_logits=False` the cross-entropies follow Keras's probability path, not optax's: the
probabilities are (for the categorical losses) renormalized to sum to one along the class axis and
clipped to `[1e-7, 1 - 1e-7]` before the logarithm. With `from_logits=True` they are optax's
`softmax_cross_entropy`, `softmax_cross_entropy_with_integer_labels` and
`sigmoid_binary_cross_entropy`. Every loss is a pure function of arrays: it works under `jax.jit` and
`jax.grad`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax

EPSILON = 1e-7  # Keras's `backend.epsilon()`, the clip of probabilities.
_REDUCTIONS = ("sum_over_batch_size", "mean", "mean_with_sample_weight", "sum", "none", None)


def _float_dtype(x: jax.Array) -> Any:
    return jnp.promote_types(x.dtype, jnp.float32) if jnp.issubdtype(x.dtype, jnp.floating) else jnp.float32


def squeeze_or_expand_to_same_rank(x1: jax.Array, x2: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Keras's rank reconciliation: if the ranks differ by one and the longer array ends in an axis
    of 1, expand the shorter one when it is a vector, else squeeze that axis.

    Args:
      x1: an array.
      x2: an array.

    Returns:
      `(x1, x2)`, with at most one of them reshaped.

    Example:
      >>> [a.shape for a in squeeze_or_expand_to_same_rank(jnp.zeros(3), jnp.zeros((3, 1)))]
      [(3, 1), (3, 1)]
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        return (x1, x2[..., None]) if r2 == 1 else (jnp.squeeze(x1, -1), x2)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        return (x1[..., None], x2) if r1 == 1 else (x1, jnp.squeeze(x2, -1))
    return x1, x2


def _prepare(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    y_pred = jnp.asarray(y_pred)
    y_pred = y_pred.astype(_float_dtype(y_pred))
    return squeeze_or_expand_to_same_rank(jnp.asarray(y_true).astype(y_pred.dtype), y_pred)


def _clip(p: jax.Array) -> jax.Array:
    return jnp.clip(p, EPSILON, 1.0 - EPSILON)


def mean_squared_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean over the last axis of `(y_true - y_pred)**2`.

    Args:
      y_true: targets of shape `(..., d)` (or `(...,)` against predictions `(..., 1)`).
      y_pred: predictions of shape `(..., d)`.

    Returns:
      Per-sample losses of shape `(...,)`.

    Example:
      >>> mean_squared_error(jnp.array([[0.0, 2.0]]), jnp.array([[1.0, 0.0]])).tolist()
      [2.5]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return jnp.mean(jnp.square(y_pred - y_true), axis=-1)  # broadcasting targets as Keras does


def mean_absolute_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean over the last axis of `|y_true - y_pred|`.

    Args:
      y_true: targets of shape `(..., d)` (or `(...,)` against predictions `(..., 1)`).
      y_pred: predictions of shape `(..., d)`.

    Returns:
      Per-sample losses of shape `(...,)`.

    Example:
      >>> mean_absolute_error(jnp.array([[0.0, 2.0]]), jnp.array([[1.0, 0.0]])).tolist()
      [1.5]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return jnp.mean(jnp.abs(y_pred - y_true), axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> jax.Array:
    """Mean over the last axis of the Huber loss: `0.5 e**2` if `|e| <= delta` else
    `delta * (|e| - 0.5 delta)`, with `e = y_pred - y_true`.

    Args:
      y_true: targets of shape `(..., d)` (or `(...,)` against predictions `(..., 1)`).
      y_pred: predictions of shape `(..., d)`.
      delta: where the loss turns from quadratic to linear.

    Returns:
      Per-sample losses of shape `(...,)`.

    Example:
      >>> huber(jnp.array([[0.0, 0.0]]), jnp.array([[0.5, 3.0]])).tolist()
      [1.3125]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true  # broadcasting targets as Keras does
    abs_error = jnp.abs(error)
    return jnp.mean(jnp.where(abs_error <= delta, 0.5 * jnp.square(error), delta * abs_error - 0.5 * delta ** 2),
                    axis=-1)


def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> jax.Array:
    """Mean over `axis` of the binary cross-entropy of each element.

    Args:
      y_true: 0/1 (or soft) labels, same shape as `y_pred` (or without its trailing axis of 1).
      y_pred: probabilities, or logits if `from_logits`.
      from_logits: whether `y_pred` are logits.
      label_smoothing: labels become `y * (1 - s) + 0.5 * s`.
      axis: the axis averaged over.

    Returns:
      Per-sample losses: `y_pred`'s shape without `axis`.

    Example:
      >>> round(float(binary_crossentropy(jnp.array([1.0]), jnp.array([[0.5]]))[0]), 4)
      0.6931
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        elementwise = optax.losses.sigmoid_binary_cross_entropy(y_pred, y_true)
    else:
        p = _clip(y_pred)
        elementwise = -(y_true * jnp.log(p) + (1.0 - y_true) * jnp.log(1.0 - p))
    return jnp.mean(elementwise, axis=axis)


def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> jax.Array:
    """Cross-entropy between one-hot (or soft) labels and a distribution over classes along `axis`.

    Args:
      y_true: labels of `y_pred`'s shape, e.g. `(N, C)`.
      y_pred: probabilities (renormalized along `axis`, then clipped), or logits if `from_logits`.
      from_logits: whether `y_pred` are logits.
      label_smoothing: labels become `y * (1 - s) + s / C`, `C` being the size of the last axis.
      axis: the class axis.

    Returns:
      Per-sample losses: `y_pred`'s shape without `axis`.

    Raises:
      ValueError: if `y_true` and `y_pred` have different shapes.

    Example:
      >>> round(float(categorical_crossentropy(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]]))[0]), 4)
      0.6931
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "Arguments `y_true` and `y_pred` of categorical_crossentropy must have the same shape, "
            f"received y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}."
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        return optax.losses.softmax_cross_entropy(y_pred, y_true, axis=axis)
    p = _clip(y_pred / jnp.sum(y_pred, axis=axis, keepdims=True))
    return -jnp.sum(y_true * jnp.log(p), axis=axis)


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
) -> jax.Array:
    """Cross-entropy between integer labels and a distribution over classes along `axis`.

    Args:
      y_true: integer class ids of shape `(N, ...)` or `(N, ..., 1)`.
      y_pred: probabilities of shape `(N, ..., C)` (renormalized, then clipped), or logits.
      from_logits: whether `y_pred` are logits.
      ignore_class: a label whose samples get loss 0 (and, through `Loss`, no share of the mean).
      axis: the class axis.

    Returns:
      Per-sample losses of shape `(N, ...)`.

    Raises:
      ValueError: if the shapes of `y_true` and `y_pred` do not agree up to the class axis.

    Example:
      >>> round(float(sparse_categorical_crossentropy(jnp.array([1]), jnp.array([[0.5, 0.5]]))[0]), 4)
      0.6931
    """
    y_pred = jnp.asarray(y_pred)
    y_pred = y_pred.astype(_float_dtype(y_pred))
    y_true = jnp.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = jnp.squeeze(y_true, -1)
    labels = y_true.astype(jnp.int32)
    y_pred = jnp.moveaxis(y_pred, axis, -1)
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            "Arguments `y_true` and `y_pred` of sparse_categorical_crossentropy must have the same "
            f"shape up to the class axis, received y_true.shape={jnp.shape(y_true)}, "
            f"y_pred.shape={y_pred.shape} (class axis moved last)."
        )
    valid = None if ignore_class is None else labels != ignore_class
    if valid is not None:  # neutral inputs where ignored, so that their (discarded) losses stay finite
        labels = jnp.where(valid, labels, 0)
        y_pred = jnp.where(valid[..., None], y_pred, 0.0 if from_logits else 1.0)
    if from_logits:
        losses = optax.losses.softmax_cross_entropy_with_integer_labels(y_pred, labels)
    else:
        log_p = jnp.log(_clip(y_pred / jnp.sum(y_pred, axis=-1, keepdims=True)))
        losses = -jnp.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]
    return losses if valid is None else jnp.where(valid, losses, 0.0)


def _check_reduction(reduction: str | None) -> str | None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Argument `reduction` must be one of {list(_REDUCTIONS)}, received reduction={reduction!r}.")
    return reduction


def reduce_weighted_values(
    values: jax.Array,
    sample_weight: Any = None,
    mask: jax.Array | None = None,
    reduction: str | None = "sum_over_batch_size",
) -> jax.Array:
    """Keras's weighting and reduction of per-sample losses.

    Args:
      values: per-sample losses, e.g. of shape `(N,)`.
      sample_weight: `None` or weights broadcastable to `values` (after rank reconciliation).
      mask: `None` or a boolean array of `values`'s shape; masked-out entries get weight 0 and, for
        `"sum_over_batch_size"`, the mean is over the unmasked entries.
      reduction: one of `"sum_over_batch_size"`, `"mean"`, `"mean_with_sample_weight"`, `"sum"`,
        `"none"`, `None`.

    Returns:
      A scalar, or the weighted `values` for `"none"`/`None`.

    Raises:
      ValueError: for an unknown `reduction`.

    Example:
      >>> float(reduce_weighted_values(jnp.array([1.0, 3.0]), jnp.array([1.0, 0.0])))
      0.5
    """
    reduction = _check_reduction(reduction)
    values = jnp.asarray(values)
    if mask is not None:
        mask = mask.astype(values.dtype)
        if reduction in ("mean", "sum_over_batch_size"):
            mask = mask * _divide_no_nan(jnp.asarray(mask.size, values.dtype), jnp.sum(mask))
        if sample_weight is None:
            sample_weight = mask
        else:
            mask, sample_weight = squeeze_or_expand_to_same_rank(mask, jnp.asarray(sample_weight, values.dtype))
            sample_weight = sample_weight * mask
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, jnp.asarray(sample_weight, values.dtype))
        values = values * sample_weight
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = jnp.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return _divide_no_nan(total, jnp.sum(sample_weight))
    return _divide_no_nan(total, jnp.asarray(values.size, total.dtype))


def _divide_no_nan(a: jax.Array, b: jax.Array) -> jax.Array:
    safe_b = jnp.where(b == 0, 1, b)
    return jnp.where(b == 0, 0, a / safe_b)


class Loss:
    """Base class: subclasses implement `call(y_true, y_pred) -> per-sample losses`.

    Args:
      name: the name of the loss (defaults to the snake_case class name).
      reduction: how `__call__` reduces the weighted per-sample losses; see `reduce_weighted_values`.

    Raises:
      ValueError: for an unknown `reduction`.

    Example:
      >>> class Absolute(Loss):
      ...     def call(self, y_true, y_pred):
      ...         return jnp.abs(y_true - y_pred)
      >>> float(Absolute()(jnp.array([0.0, 0.0]), jnp.array([1.0, 3.0])))
      2.0
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size") -> None:
        self.name = name or _snake_case(type(self).__name__)
        self.reduction = _check_reduction(reduction)

    def call(self, y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
        """The per-sample losses, of the batch shape of `y_pred` (its last axis reduced)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def mask(self, y_true: jax.Array, y_pred: jax.Array) -> jax.Array | None:
        """Which per-sample losses count (`None`: all). Overridden by `ignore_class`."""
        return None

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> jax.Array:
        """The weighted, reduced loss.

        Args:
          y_true: the targets.
          y_pred: the predictions.
          sample_weight: `None` or weights broadcastable to the per-sample losses, e.g. `(N,)`.

        Returns:
          A scalar (or the per-sample losses for reduction `"none"`).
        """
        values = self.call(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self.mask(y_true, y_pred), self.reduction)

    def of_rows(self, y_true: Any, y_pred: Any, sample_weight: Any, rows: jax.Array) -> jax.Array:
        """`self(y_true, y_pred, sample_weight)` over the rows where `rows` (bool, (batch,)) is True only:
        the other rows are masked out as `mask` masks entries, so a batch padded with extra rows gives
        the loss of its real rows (`fit` pads a short last batch this way)."""
        values = self.call(y_true, y_pred)
        mask = jnp.broadcast_to(rows.reshape(rows.shape + (1,) * (values.ndim - 1)), values.shape)
        own = self.mask(y_true, y_pred)
        if own is not None:
            mask = mask & jnp.broadcast_to(own, values.shape)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments: `type(loss)(**loss.get_config())` is an equal loss."""
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


def _snake_case(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


class LossFunctionWrapper(Loss):
    """Makes a `Loss` of a function `fn(y_true, y_pred, **kwargs) -> per-sample losses`.

    The arrays are rank-reconciled (`squeeze_or_expand_to_same_rank`) before `fn` sees them.

    Args:
      fn: the function.
      name: the loss name (defaults to `fn.__name__`).
      reduction: see `Loss`.
      **kwargs: extra keyword arguments for `fn`.

    Example:
      >>> loss = LossFunctionWrapper(lambda t, p: (t - p) ** 2, name="sq")
      >>> float(loss(jnp.array([0.0, 0.0]), jnp.array([1.0, 3.0])))
      5.0
    """

    def __init__(
        self,
        fn: Callable[..., jax.Array],
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction)
        self.fn, self._fn_kwargs = fn, kwargs

    def call(self, y_true: Any, y_pred: Any) -> jax.Array:
        y_true, y_pred = squeeze_or_expand_to_same_rank(jnp.asarray(y_true), jnp.asarray(y_pred))
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), **self._fn_kwargs}
        return {"fn": self.fn, **config} if type(self) is LossFunctionWrapper else config  # subclasses fix `fn`


class MeanSquaredError(LossFunctionWrapper):
    """`mean_squared_error` as a `Loss`.

    Example:
      >>> float(MeanSquaredError()(jnp.array([0.0, 1.0]), jnp.array([[1.0], [1.0]])))
      0.5
    """

    def __init__(self, name: str = "mean_squared_error", reduction: str | None = "sum_over_batch_size") -> None:
        super().__init__(mean_squared_error, name=name, reduction=reduction)


class MeanAbsoluteError(LossFunctionWrapper):
    """`mean_absolute_error` as a `Loss`.

    Example:
      >>> float(MeanAbsoluteError()(jnp.array([0.0, 1.0]), jnp.array([[1.0], [1.0]])))
      0.5
    """

    def __init__(self, name: str = "mean_absolute_error", reduction: str | None = "sum_over_batch_size") -> None:
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


class Huber(LossFunctionWrapper):
    """`huber` as a `Loss`.

    Args:
      delta: where the loss turns from quadratic to linear; must be positive.

    Raises:
      ValueError: for a non-positive `delta`.

    Example:
      >>> float(Huber()(jnp.array([0.0]), jnp.array([3.0])))
      2.5
    """

    def __init__(
        self, delta: float = 1.0, reduction: str | None = "sum_over_batch_size", name: str = "huber_loss"
    ) -> None:
        if not delta > 0:
            raise ValueError(f"Argument `delta` of Huber must be positive, received delta={delta!r}.")
        super().__init__(huber, name=name, reduction=reduction, delta=delta)


class BinaryCrossentropy(LossFunctionWrapper):
    """`binary_crossentropy` as a `Loss`.

    Args:
      from_logits: whether `y_pred` are logits.
      label_smoothing: in `[0, 1]`.
      axis: the axis averaged over.

    Raises:
      ValueError: for `label_smoothing` outside `[0, 1]`.

    Example:
      >>> round(float(BinaryCrossentropy(from_logits=True)(jnp.array([1.0]), jnp.array([[0.0]]))), 4)
      0.6931
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_crossentropy",
    ) -> None:
        _check_smoothing(label_smoothing)
        super().__init__(
            binary_crossentropy,
            name=name,
            reduction=reduction,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalCrossentropy(LossFunctionWrapper):
    """`categorical_crossentropy` as a `Loss`.

    Args:
      from_logits: whether `y_pred` are logits.
      label_smoothing: in `[0, 1]`.
      axis: the class axis.

    Raises:
      ValueError: for `label_smoothing` outside `[0, 1]`.

    Example:
      >>> round(float(CategoricalCrossentropy()(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]]))), 4)
      0.6931
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_crossentropy",
    ) -> None:
        _check_smoothing(label_smoothing)
        super().__init__(
            categorical_crossentropy,
            name=name,
            reduction=reduction,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """`sparse_categorical_crossentropy` as a `Loss`; with `ignore_class`, the mean is over the
    samples whose label is not `ignore_class` (Keras's mask).

    Args:
      from_logits: whether `y_pred` are logits.
      ignore_class: `None` or a label to ignore (e.g. padding).

    Example:
      >>> loss = SparseCategoricalCrossentropy(ignore_class=-1)
      >>> round(float(loss(jnp.array([1, -1]), jnp.array([[0.5, 0.5], [0.9, 0.1]]))), 4)
      0.6931
    """

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = "sum_over_batch_size",
        name: str = "sparse_categorical_crossentropy",
    ) -> None:
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            from_logits=from_logits,
            ignore_class=ignore_class,
        )

    def call(self, y_true: Any, y_pred: Any) -> jax.Array:
        return self.fn(y_true, y_pred, **self._fn_kwargs)  # no rank reconciliation: labels have one axis less

    def mask(self, y_true: Any, y_pred: Any) -> jax.Array | None:
        if self._fn_kwargs["ignore_class"] is None:
            return None
        y_true = jnp.asarray(y_true)
        if y_true.ndim == jnp.ndim(y_pred) and y_true.shape[-1] == 1:
            y_true = jnp.squeeze(y_true, -1)
        return y_true.astype(jnp.int32) != self._fn_kwargs["ignore_class"]


def _check_smoothing(label_smoothing: float) -> None:
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"Argument `label_smoothing` must be in [0, 1], received label_smoothing={label_smoothing!r}.")


_CLASSES = (
    MeanSquaredError,
    MeanAbsoluteError,
    Huber,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
_BY_NAME: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "huber": Huber,
    "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    **{cls.__name__: cls for cls in _CLASSES},
}


def get(identifier: str | Loss | Callable[..., jax.Array]) -> Loss:
    """Resolves a loss name, object or function to a `Loss`.

    Args:
      identifier: a name (`"mse"`, `"sparse_categorical_crossentropy"`, `"Huber"`, ...; a new instance
        with Keras's defaults), a `Loss` (returned as is), or a function `fn(y_true, y_pred)` returning
        per-sample losses (wrapped in a `LossFunctionWrapper`, so it gets the same reduction).

    Returns:
      A `Loss`.

    Raises:
      ValueError: for an unknown name (the message lists the accepted ones).
      TypeError: for anything else.

    Example:
      >>> get("mse")
      MeanSquaredError(name='mean_squared_error', reduction='sum_over_batch_size')
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown loss {identifier!r}. Expected one of {sorted(_BY_NAME)}, a "
                "kerasish.losses.Loss or a function (y_true, y_pred) -> per-sample losses."
            )
        return _BY_NAME[identifier]()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(
        "Argument `identifier` must be a loss name, a kerasish.losses.Loss or a function "
        f"(y_true, y_pred) -> losses, received {identifier!r} of type {type(identifier).__name__}."
    )
