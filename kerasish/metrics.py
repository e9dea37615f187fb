"""Metrics as pure accumulators, with Keras 3's maths.

A metric object holds configuration only. Its running state is a pytree of JAX scalars that the
caller threads through a jitted step::

    state = metric.init()
    state = metric.update(state, y_true, y_pred, sample_weight)   # per batch, inside jit
    value = metric.result(state)

Every metric here is a weighted mean of per-sample values (`Mean`), as in Keras: with weights `w`,
broadcast to the values' shape, the state accumulates `sum(v * w)` and `sum(w)`; without, `sum(v)`
and the number of samples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from kerasish import losses as _losses


class MeanState(NamedTuple):
    """The state of a `Mean`: the weighted sum of the values and the sum of the weights."""

    total: jax.Array  # shape (), float32
    count: jax.Array  # shape (), float32


class Metric:
    """Base class of metrics: `init`, `update` and `result` are pure functions of the state.

    Args:
      name: the metric's name, the key of its value in the training logs.

    Example:
      >>> m = Mean("loss")
      >>> m.result(m.update(m.init(), jnp.array([1.0, 3.0]))).item()
      2.0
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"Argument `name` must be a non-empty string, received name={name!r}.")
        self.name = name

    def init(self) -> Any:
        """The state before any update: a pytree of JAX scalars."""
        raise NotImplementedError

    def update(self, state: Any, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """The state after one more batch."""
        raise NotImplementedError

    def result(self, state: Any) -> jax.Array:
        """The metric's value for `state`, a JAX scalar."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments: `type(m)(**m.get_config())` is an equal metric."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


def _samplewise(values: jax.Array, sample_weight: Any) -> tuple[jax.Array, jax.Array | None]:
    """Keras's `reduce_to_samplewise_values`: weighted values and weights reduced to one per sample."""
    values = jnp.asarray(values, jnp.float32)
    if sample_weight is not None:
        values, weight = _losses.squeeze_or_expand_to_same_rank(values, jnp.asarray(sample_weight, jnp.float32))
        if values.ndim > weight.ndim:
            values = jnp.mean(values, axis=tuple(range(weight.ndim, values.ndim)))
        weight = jnp.broadcast_to(weight, values.shape)
        values = values * weight
        if weight.ndim > 1:
            weight = jnp.mean(weight, axis=tuple(range(1, weight.ndim)))
        sample_weight = weight
    if values.ndim > 1:
        values = jnp.mean(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Mean(Metric):
    """The (weighted) mean of the values seen so far.

    `update(state, values, sample_weight=None)` takes the values in place of `y_true` (there is no
    `y_pred`): values of shape `(N, ...)` are first averaged to one per sample.

    Args:
      name: the metric's name.

    Example:
      >>> m = Mean()
      >>> s = m.update(m.init(), jnp.array([1.0, 3.0]), sample_weight=jnp.array([1.0, 0.0]))
      >>> m.result(s).item()
      1.0
    """

    def __init__(self, name: str = "mean") -> None:
        super().__init__(name)

    def init(self) -> MeanState:
        return MeanState(jnp.zeros((), jnp.float32), jnp.zeros((), jnp.float32))

    def update(self, state: MeanState, values: Any, sample_weight: Any = None) -> MeanState:  # type: ignore[override]
        values, weight = _samplewise(values, sample_weight)
        if weight is not None:
            count = jnp.sum(weight)
        else:
            count = jnp.asarray(values.shape[0] if values.ndim else 1, jnp.float32)
        return MeanState(state.total + jnp.sum(values), state.count + count)

    def result(self, state: MeanState) -> jax.Array:
        return jnp.where(state.count == 0, 0.0, state.total / jnp.where(state.count == 0, 1.0, state.count))


class MeanMetricWrapper(Mean):
    """The weighted mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Args:
      fn: the per-sample function, e.g. `kerasish.losses.mean_squared_error`.
      name: the metric's name (defaults to `fn.__name__`).
      **kwargs: extra keyword arguments for `fn`.

    Example:
      >>> m = MeanMetricWrapper(lambda t, p: jnp.abs(t - p), name="l1")
      >>> m.result(m.update(m.init(), jnp.array([0.0, 0.0]), jnp.array([1.0, 3.0]))).item()
      2.0
    """

    def __init__(self, fn: Callable[..., jax.Array], name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name or getattr(fn, "__name__", "mean_metric_wrapper"))
        self.fn, self._fn_kwargs = fn, kwargs

    def update(self, state: MeanState, y_true: Any, y_pred: Any, sample_weight: Any = None) -> MeanState:
        return super().update(state, self.fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"fn": self.fn, "name": self.name, **self._fn_kwargs}


def accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where `y_true == y_pred` exactly, else 0.0.

    Example:
      >>> accuracy(jnp.array([1, 2]), jnp.array([1, 3])).tolist()
      [1.0, 0.0]
    """
    y_pred = jnp.asarray(y_pred)
    y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(jnp.asarray(y_true).astype(y_pred.dtype), y_pred)
    return (y_true == y_pred).astype(jnp.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> jax.Array:
    """1.0 where `(y_pred > threshold) == y_true`, else 0.0.

    Example:
      >>> binary_accuracy(jnp.array([1.0, 0.0]), jnp.array([[0.7], [0.6]])).tolist()
      [[1.0], [0.0]]
    """
    y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(jnp.asarray(y_true), jnp.asarray(y_pred))
    return (y_true == (y_pred > threshold).astype(y_true.dtype)).astype(jnp.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where `argmax(y_true, -1) == argmax(y_pred, -1)` (one-hot labels), else 0.0.

    Example:
      >>> categorical_accuracy(jnp.array([[0, 1], [1, 0]]), jnp.array([[0.2, 0.8], [0.3, 0.7]])).tolist()
      [1.0, 0.0]
    """
    return (jnp.argmax(jnp.asarray(y_true), -1) == jnp.argmax(jnp.asarray(y_pred), -1)).astype(jnp.float32)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where the integer label equals `argmax(y_pred, -1)`, else 0.0; labels `(N,)` or `(N, 1)`.

    Example:
      >>> sparse_categorical_accuracy(jnp.array([[1], [1]]), jnp.array([[0.2, 0.8], [0.3, 0.1]])).tolist()
      [1.0, 0.0]
    """
    y_true, y_pred = jnp.asarray(y_true), jnp.asarray(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = jnp.squeeze(y_true, -1)
    return (y_true.astype(jnp.float32) == jnp.argmax(y_pred, -1).astype(jnp.float32)).astype(jnp.float32)


class Accuracy(MeanMetricWrapper):
    """The fraction of predictions exactly equal to the labels.

    Args:
      name: the metric's name.

    Example:
      >>> m = Accuracy()
      >>> m.result(m.update(m.init(), jnp.array([1, 2]), jnp.array([1, 3]))).item()
      0.5
    """

    def __init__(self, name: str = "accuracy") -> None:
        super().__init__(accuracy, name)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}


class BinaryAccuracy(MeanMetricWrapper):
    """The fraction of samples with `(y_pred > threshold) == y_true`.

    Args:
      name: the metric's name.
      threshold: the decision threshold on `y_pred`.

    Example:
      >>> m = BinaryAccuracy()
      >>> m.result(m.update(m.init(), jnp.array([1.0, 0.0]), jnp.array([[0.7], [0.6]]))).item()
      0.5
    """

    def __init__(self, name: str = "binary_accuracy", threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name, threshold=threshold)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "threshold": self._fn_kwargs["threshold"]}


class CategoricalAccuracy(MeanMetricWrapper):
    """The fraction of samples whose argmax matches that of their one-hot label.

    Args:
      name: the metric's name.

    Example:
      >>> m = CategoricalAccuracy()
      >>> m.result(m.update(m.init(), jnp.array([[0, 1]]), jnp.array([[0.2, 0.8]]))).item()
      1.0
    """

    def __init__(self, name: str = "categorical_accuracy") -> None:
        super().__init__(categorical_accuracy, name)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """The fraction of samples whose argmax equals their integer label.

    Args:
      name: the metric's name.

    Example:
      >>> m = SparseCategoricalAccuracy()
      >>> m.result(m.update(m.init(), jnp.array([0, 1]), jnp.array([[0.2, 0.8], [0.1, 0.9]]))).item()
      0.5
    """

    def __init__(self, name: str = "sparse_categorical_accuracy") -> None:
        super().__init__(sparse_categorical_accuracy, name)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}


class MeanSquaredError(MeanMetricWrapper):
    """The mean of `kerasish.losses.mean_squared_error` over the samples.

    Args:
      name: the metric's name.

    Example:
      >>> m = MeanSquaredError()
      >>> m.result(m.update(m.init(), jnp.array([0.0, 0.0]), jnp.array([[1.0], [3.0]]))).item()
      5.0
    """

    def __init__(self, name: str = "mean_squared_error") -> None:
        super().__init__(_losses.mean_squared_error, name)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean of `kerasish.losses.mean_absolute_error` over the samples.

    Args:
      name: the metric's name.

    Example:
      >>> m = MeanAbsoluteError()
      >>> m.result(m.update(m.init(), jnp.array([0.0, 0.0]), jnp.array([[1.0], [3.0]]))).item()
      2.0
    """

    def __init__(self, name: str = "mean_absolute_error") -> None:
        super().__init__(_losses.mean_absolute_error, name)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}


_BY_NAME: dict[str, type[Metric]] = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    **{
        cls.__name__: cls
        for cls in (
            Accuracy,
            BinaryAccuracy,
            CategoricalAccuracy,
            SparseCategoricalAccuracy,
            MeanSquaredError,
            MeanAbsoluteError,
            Mean,
        )
    },
}
_ACCURACY_NAMES = ("accuracy", "acc")


def _accuracy_class(y_true_shape: tuple | None, y_pred_shape: tuple | None, loss: Any) -> type[Metric]:
    """Keras 3's choice (`compile_utils.is_binary_or_sparse_categorical`), plus a look at the loss."""
    loss_name = loss if isinstance(loss, str) else type(loss).__name__
    by_loss = {
        "binary_crossentropy": BinaryAccuracy,
        "BinaryCrossentropy": BinaryAccuracy,
        "categorical_crossentropy": CategoricalAccuracy,
        "CategoricalCrossentropy": CategoricalAccuracy,
        "sparse_categorical_crossentropy": SparseCategoricalAccuracy,
        "SparseCategoricalCrossentropy": SparseCategoricalAccuracy,
    }.get(loss_name)
    if y_true_shape is None or y_pred_shape is None or len(y_pred_shape) == 0:
        if by_loss is None:
            raise ValueError(
                "Metric 'accuracy' is binary, categorical or sparse categorical depending on the "
                "data: pass `y_true_shape` and `y_pred_shape` (or a cross-entropy `loss`), received "
                f"y_true_shape={y_true_shape}, y_pred_shape={y_pred_shape}, loss={loss!r}."
            )
        return by_loss
    if y_pred_shape[-1] == 1 or by_loss is BinaryAccuracy:
        return BinaryAccuracy
    y_true_last = y_true_shape[-1] if len(y_true_shape) else None
    if len(y_true_shape) < len(y_pred_shape) or (y_true_last == 1 and y_pred_shape[-1] != 1):
        return SparseCategoricalAccuracy
    return CategoricalAccuracy


def get(
    identifier: str | Metric | Callable[..., jax.Array],
    *,
    y_true_shape: tuple | None = None,
    y_pred_shape: tuple | None = None,
    loss: Any = None,
) -> Metric:
    """Resolves a metric name, object or function to a `Metric`.

    `"accuracy"` and `"acc"` are resolved as Keras 3 does from the shapes: binary if `y_pred`'s last
    axis is 1 (or `loss` is a binary cross-entropy), sparse categorical if `y_true` has fewer axes than
    `y_pred` or ends in an axis of 1 while `y_pred` does not, else categorical. The metric keeps the
    name the user wrote (`"acc"`, `"mse"`, ...), which is its key in the logs, as in Keras.

    Args:
      identifier: a name (`"accuracy"`, `"acc"`, `"binary_accuracy"`, `"categorical_accuracy"`,
        `"sparse_categorical_accuracy"`, `"mse"`, `"mae"`, `"mean_squared_error"`,
        `"mean_absolute_error"` or a class name), a `Metric` (returned as is), or a per-sample function
        `fn(y_true, y_pred)` (wrapped in a `MeanMetricWrapper` named `fn.__name__`).
      y_true_shape: the shape of the labels, e.g. `(None, 1)`; needed for `"accuracy"`.
      y_pred_shape: the shape of the predictions, e.g. `(None, 10)`; needed for `"accuracy"`.
      loss: the compiled loss (a name or `kerasish.losses.Loss`), a hint for `"accuracy"`.

    Returns:
      A `Metric`.

    Raises:
      ValueError: for an unknown name (the message lists the accepted ones), or `"accuracy"` with
        neither shapes nor a cross-entropy loss.
      TypeError: for anything else.

    Example:
      >>> get("acc", y_true_shape=(None,), y_pred_shape=(None, 10))
      SparseCategoricalAccuracy(name='acc')
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in _ACCURACY_NAMES:
            return _accuracy_class(y_true_shape, y_pred_shape, loss)(name=identifier)
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown metric {identifier!r}. Expected one of "
                f"{sorted(_BY_NAME.keys() | set(_ACCURACY_NAMES))}, a kerasish.metrics.Metric or a "
                "function (y_true, y_pred) -> per-sample values."
            )
        cls = _BY_NAME[identifier]
        return cls(name=identifier) if identifier.islower() else cls()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(
        "Argument `identifier` must be a metric name, a kerasish.metrics.Metric or a function "
        f"(y_true, y_pred) -> values, received {identifier!r} of type {type(identifier).__name__}."
    )
