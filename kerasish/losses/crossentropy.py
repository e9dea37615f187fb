"""Cross-entropy losses: binary, categorical, sparse categorical, their focal forms, and the generalized
cross-entropy, with Keras 3's maths.

With `from_logits=False` the probabilities follow Keras's path, not optax's: (for the categorical losses)
renormalized to sum to one along the class axis, then clipped to `[eps, 1 - eps]` (`backend.epsilon()`)
before the logarithm. With `from_logits=True` they are optax's `sigmoid_binary_cross_entropy`,
`softmax_cross_entropy` and `softmax_cross_entropy_with_integer_labels`.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import optax

from kerasish import backend, registry
from kerasish.losses.loss import Loss, LossFunctionWrapper, masks_values, squeeze_or_expand_to_same_rank


def _clipped(p: jax.Array) -> jax.Array:
    return jnp.clip(p, backend.epsilon(), 1.0 - backend.epsilon())


def _cast_like(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    y_pred = jnp.asarray(y_pred)
    return jnp.asarray(y_true).astype(y_pred.dtype), y_pred


def _same_shape(y_true: jax.Array, y_pred: jax.Array, fn: str) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(f"Arguments `y_true` and `y_pred` of {fn} must have the same shape (a trailing axis of 1 "
                         f"may be left out of one of them), received y_true.shape={y_true.shape}, "
                         f"y_pred.shape={y_pred.shape}.")


def _class_axis(axis: Any, ndim: int, fn: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"Argument `axis` of {fn} must be an int, received axis={axis!r} of type "
                         f"{type(axis).__name__}.")
    if not -ndim <= axis < ndim:
        raise ValueError(f"Argument `axis` of {fn} must be in [{-ndim}, {ndim}) for predictions of rank {ndim}, "
                         f"received axis={axis}.")
    return axis % ndim


def _warn_one_class(y_pred: jax.Array, axis: int, fn: str) -> None:
    if y_pred.shape[axis] == 1:
        warnings.warn(f"In loss {fn}, expected y_pred.shape to be (batch_size, num_classes) with num_classes > 1. "
                      f"Received: y_pred.shape={y_pred.shape}. Consider using 'binary_crossentropy' if you only have "
                      f"2 classes.", SyntaxWarning, stacklevel=3)


def _elementwise_binary(y_true: jax.Array, y_pred: jax.Array, from_logits: bool) -> jax.Array:
    if from_logits:
        return optax.losses.sigmoid_binary_cross_entropy(y_pred, y_true)
    p = _clipped(y_pred)
    return -(y_true * jnp.log(p) + (1.0 - y_true) * jnp.log(1.0 - p))


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> jax.Array:
    """Mean over `axis` of the binary cross-entropy of each element.

    Args:
      y_true: 0/1 (or soft) labels, of `y_pred`'s shape.
      y_pred: probabilities, or logits if `from_logits`.
      from_logits: whether `y_pred` are logits.
      label_smoothing: labels become `y * (1 - s) + 0.5 * s`.
      axis: the axis averaged over.

    Returns:
      Per-sample losses: `y_pred`'s shape without `axis`.

    Raises:
      ValueError: if the shapes differ (Keras rejects that too; the `Loss` first reconciles a trailing axis of 1).

    Example:
      >>> round(float(binary_crossentropy(jnp.array([[1.0]]), jnp.array([[0.5]]))[0]), 4)
      0.6931
    """
    y_true, y_pred = _cast_like(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _same_shape(y_true, y_pred, "binary_crossentropy")
    return jnp.mean(_elementwise_binary(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(y_true: Any, y_pred: Any, apply_class_balancing: bool = False, alpha: float = 0.25,
                              gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> jax.Array:
    """Mean over `axis` of the binary focal cross-entropy `(1 - p_t)**gamma * bce` (Lin et al., 2017), with
    `p_t = y p + (1 - y)(1 - p)`; with `apply_class_balancing`, weighted `alpha` for positives and `1 - alpha`
    for negatives.

    Example:
      >>> round(float(binary_focal_crossentropy(jnp.array([[1.0]]), jnp.array([[0.5]]))[0]), 4)
      0.1733
    """
    y_true, y_pred = _cast_like(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = jax.nn.sigmoid(y_pred)
    _same_shape(y_true, y_pred, "binary_focal_crossentropy")
    bce = _elementwise_binary(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal = jnp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal
    return jnp.mean(focal, axis=axis)


def _smoothed(y_true: jax.Array, y_pred: jax.Array, label_smoothing: float, axis: int) -> jax.Array:
    if not label_smoothing:
        return y_true
    classes = jnp.asarray(y_pred.shape[axis], y_pred.dtype)
    return y_true * (1.0 - label_smoothing) + label_smoothing / classes


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1) -> jax.Array:
    """Cross-entropy between one-hot (or soft) labels and a distribution over classes along `axis`.

    Args:
      y_true: labels of `y_pred`'s shape, e.g. `(N, C)`.
      y_pred: probabilities (renormalized along `axis`, then clipped), or logits if `from_logits`.
      from_logits: whether `y_pred` are logits.
      label_smoothing: labels become `y * (1 - s) + s / C`, `C` being the number of classes.
      axis: the class axis.

    Returns:
      Per-sample losses: `y_pred`'s shape without `axis`.

    Raises:
      ValueError: if the shapes differ, or `axis` is not an int axis of `y_pred`.

    Warns:
      SyntaxWarning: when the class axis has size 1 (the loss is then always 0), as Keras warns.

    Example:
      >>> round(float(categorical_crossentropy(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]]))[0]), 4)
      0.6931
    """
    y_true, y_pred = _cast_like(y_true, y_pred)
    class_axis = _class_axis(axis, max(y_pred.ndim, 1), "categorical_crossentropy")
    _same_shape(y_true, y_pred, "categorical_crossentropy")
    _warn_one_class(y_pred, class_axis, "categorical_crossentropy")
    y_true = _smoothed(y_true, y_pred, label_smoothing, class_axis)
    if from_logits:
        return optax.losses.softmax_cross_entropy(y_pred, y_true, axis=class_axis)
    p = _clipped(y_pred / jnp.sum(y_pred, axis=class_axis, keepdims=True))
    return -jnp.sum(y_true * jnp.log(p), axis=class_axis)


def categorical_focal_crossentropy(y_true: Any, y_pred: Any, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0,
                                   axis: int = -1) -> jax.Array:
    """Categorical focal cross-entropy: `sum over classes of alpha (1 - p)**gamma * (-y log p)`, the
    probabilities renormalized and clipped as in `categorical_crossentropy` (softmax first with `from_logits`).

    Example:
      >>> round(float(categorical_focal_crossentropy(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]]))[0]), 4)
      0.0433
    """
    y_true, y_pred = _cast_like(y_true, y_pred)
    class_axis = _class_axis(axis, max(y_pred.ndim, 1), "categorical_focal_crossentropy")
    _same_shape(y_true, y_pred, "categorical_focal_crossentropy")
    _warn_one_class(y_pred, class_axis, "categorical_focal_crossentropy")
    y_true = _smoothed(y_true, y_pred, label_smoothing, class_axis)
    if from_logits:
        y_pred = jax.nn.softmax(y_pred, axis=class_axis)
    p = _clipped(y_pred / jnp.sum(y_pred, axis=class_axis, keepdims=True))
    focal = jnp.power(1.0 - p, gamma) * alpha * (-y_true * jnp.log(p))
    return jnp.sum(focal, axis=class_axis)


def _sparse_labels(y_true: Any, y_pred: jax.Array, axis: int) -> jax.Array:
    y_true = jnp.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = jnp.squeeze(y_true, axis)
    return y_true


def _ignore_class_mask(y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None,
                       axis: int = -1) -> jax.Array | None:
    if ignore_class is None:
        return None
    y_pred = jnp.asarray(y_pred)
    return _sparse_labels(y_true, y_pred, axis).astype(jnp.int32) != ignore_class


@masks_values(_ignore_class_mask, when=lambda ignore_class=None, **kwargs: ignore_class is not None)
def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1) -> jax.Array:
    """Cross-entropy between integer labels and a distribution over classes along `axis`.

    Args:
      y_true: integer class ids of `y_pred`'s shape without the class axis (or with it, of size 1).
      y_pred: probabilities (renormalized along `axis`, then clipped), or logits if `from_logits`.
      from_logits: whether `y_pred` are logits.
      ignore_class: a label whose entries get loss 0; a `Loss` (or metric) also leaves them out of the mean.
      axis: the class axis.

    Returns:
      Per-sample losses: `y_pred`'s shape without `axis`.

    Raises:
      ValueError: if the shapes of `y_true` and `y_pred` do not agree up to the class axis.

    Example:
      >>> round(float(sparse_categorical_crossentropy(jnp.array([1]), jnp.array([[0.5, 0.5]]))[0]), 4)
      0.6931
    """
    y_pred = jnp.asarray(y_pred)
    if not jnp.issubdtype(y_pred.dtype, jnp.floating):
        y_pred = y_pred.astype(backend.floatx())
    class_axis = _class_axis(axis, max(y_pred.ndim, 1), "sparse_categorical_crossentropy")
    labels = _sparse_labels(y_true, y_pred, class_axis).astype(jnp.int32)
    y_pred = jnp.moveaxis(y_pred, class_axis, -1)
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError("Arguments `y_true` and `y_pred` of sparse_categorical_crossentropy must have the same shape "
                         f"up to the class axis, received y_true.shape={jnp.shape(y_true)}, "
                         f"y_pred.shape={jnp.moveaxis(y_pred, -1, class_axis).shape} (class axis {axis}).")
    valid = None if ignore_class is None else labels != ignore_class
    if valid is not None:  # neutral inputs where ignored, so that their (discarded) losses and gradients stay finite
        labels = jnp.where(valid, labels, 0)
        y_pred = jnp.where(valid[..., None], y_pred, jnp.zeros((), y_pred.dtype) if from_logits
                           else jnp.ones((), y_pred.dtype))
    if from_logits:
        losses = optax.losses.softmax_cross_entropy_with_integer_labels(y_pred, labels)
    else:
        log_p = jnp.log(_clipped(y_pred / jnp.sum(y_pred, axis=-1, keepdims=True)))
        losses = -jnp.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]
    return losses if valid is None else jnp.where(valid, losses, jnp.zeros((), losses.dtype))


def categorical_generalized_cross_entropy(y_true: Any, y_pred: Any, q: float) -> jax.Array:
    """The generalized cross-entropy `(1 - p_y**q) / q` of integer labels `y` (Zhang & Sabuncu, 2018): the
    cross-entropy as `q -> 0`, the mean absolute error at `q = 1`; robust to noisy labels.

    Args:
      y_true: integer class ids of shape `(N,)`.
      y_pred: probabilities of shape `(N, C)`.
      q: in (0, 1).

    Example:
      >>> round(float(categorical_generalized_cross_entropy(jnp.array([1]), jnp.array([[0.75, 0.25]]), 0.5)[0]), 4)
      1.0
    """
    y_pred = jnp.asarray(y_pred)
    one_hot = jax.nn.one_hot(jnp.asarray(y_true).astype(jnp.int32), y_pred.shape[-1], dtype=y_pred.dtype)
    p = jnp.sum(y_pred * one_hot, axis=-1)
    return (1 - jnp.power(p, q)) / q


def _check_smoothing(label_smoothing: float) -> None:
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) or not (
            0.0 <= label_smoothing <= 1.0):
        raise ValueError(f"Argument `label_smoothing` must be a number in [0, 1], received "
                         f"label_smoothing={label_smoothing!r}.")


class BinaryCrossentropy(LossFunctionWrapper):
    """`binary_crossentropy` as a `Loss`.

    Args:
      from_logits: whether `y_pred` are logits.
      label_smoothing: in `[0, 1]`.
      axis: the axis averaged over.
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Raises:
      ValueError: for `label_smoothing` outside `[0, 1]`.

    Example:
      >>> round(float(BinaryCrossentropy(from_logits=True)(jnp.array([1.0]), jnp.array([[0.0]]))), 4)
      0.6931
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size", name: str = "binary_crossentropy",
                 dtype: Any = None) -> None:
        _check_smoothing(label_smoothing)
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis}


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """`binary_focal_crossentropy` as a `Loss`.

    Args:
      apply_class_balancing: weight positives `alpha` and negatives `1 - alpha`.
      alpha: the balancing weight of the positives.
      gamma: the focusing exponent (0: the binary cross-entropy).
      from_logits, label_smoothing, axis: as `BinaryCrossentropy`.
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Example:
      >>> round(float(BinaryFocalCrossentropy()(jnp.array([[1.0]]), jnp.array([[0.5]]))), 4)
      0.1733
    """

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25, gamma: float = 2.0,
                 from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size", name: str = "binary_focal_crossentropy",
                 dtype: Any = None) -> None:
        _check_smoothing(label_smoothing)
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis, "apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
                "gamma": self.gamma}


class CategoricalCrossentropy(LossFunctionWrapper):
    """`categorical_crossentropy` as a `Loss`.

    Args:
      from_logits: whether `y_pred` are logits.
      label_smoothing: in `[0, 1]`.
      axis: the class axis.
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Raises:
      ValueError: for `label_smoothing` outside `[0, 1]`.

    Example:
      >>> round(float(CategoricalCrossentropy()(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]]))), 4)
      0.6931
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size", name: str = "categorical_crossentropy",
                 dtype: Any = None) -> None:
        _check_smoothing(label_smoothing)
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis}


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """`categorical_focal_crossentropy` as a `Loss`.

    Args:
      alpha: the weight of every class's term.
      gamma: the focusing exponent (0: `alpha` times the cross-entropy).
      from_logits, label_smoothing, axis: as `CategoricalCrossentropy`.
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Example:
      >>> round(float(CategoricalFocalCrossentropy()(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]]))), 4)
      0.0433
    """

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_focal_crossentropy", dtype: Any = None) -> None:
        _check_smoothing(label_smoothing)
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.alpha, self.gamma = alpha, gamma

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis, "alpha": self.alpha, "gamma": self.gamma}


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """`sparse_categorical_crossentropy` as a `Loss`; with `ignore_class`, the mean is over the entries whose
    label is not `ignore_class` (Keras's mask).

    Args:
      from_logits: whether `y_pred` are logits.
      ignore_class: None or a label to ignore (e.g. padding).
      reduction: see `kerasish.losses.Loss`.
      axis: the class axis (recorded in `get_config`, as Keras 3.16 records it).
      name, dtype: see `kerasish.losses.Loss`.

    Example:
      >>> loss = SparseCategoricalCrossentropy(ignore_class=-1)
      >>> round(float(loss(jnp.array([1, -1]), jnp.array([[0.5, 0.5], [0.9, 0.1]]))), 4)
      0.6931
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = "sum_over_batch_size", axis: int = -1,
                 name: str = "sparse_categorical_crossentropy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "from_logits": self.from_logits, "ignore_class": self.ignore_class,
                "axis": self.axis}


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """`categorical_generalized_cross_entropy` as a `Loss` (integer labels, probabilities).

    Args:
      q: in (0, 1): near 0 the cross-entropy, at 1 the mean absolute error.
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Raises:
      ValueError: for `q` outside (0, 1).

    Example:
      >>> float(CategoricalGeneralizedCrossEntropy()(jnp.array([1]), jnp.array([[0.75, 0.25]])))
      1.0
    """

    def __init__(self, q: float = 0.5, reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_generalized_cross_entropy", dtype: Any = None) -> None:
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < q < 1:
            raise ValueError(f"Argument `q` of CategoricalGeneralizedCrossEntropy must be in the interval (0, 1), "
                             f"received q={q!r}.")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction, dtype=dtype, q=q)
        self.q = q

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "q": self.q}


class CrossentropyByShape(Loss):
    """The cross-entropy Keras's `compile(loss="crossentropy")` (or `"ce"`) picks from the shapes of the data:
    binary when `y_pred`'s last axis is 1, sparse categorical when the labels have one axis less than `y_pred`
    (or a last axis of 1 against several classes), categorical otherwise. The shapes are static under `jit`,
    so the choice is made once per compiled shape.

    Args:
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Example:
      >>> loss = CrossentropyByShape()
      >>> round(float(loss(jnp.array([1]), jnp.array([[0.5, 0.5]]))), 4), round(float(loss([[1.0]], [[0.5]])), 4)
      (0.6931, 0.6931)
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "crossentropy",
                 dtype: Any = None) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true: Any, y_pred: Any) -> jax.Array:
        y_true, y_pred = jnp.asarray(y_true), jnp.asarray(y_pred)
        if y_pred.shape[-1] == 1:
            fn = binary_crossentropy
        elif y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
            return sparse_categorical_crossentropy(y_true, y_pred)
        else:
            fn = categorical_crossentropy
        return fn(*squeeze_or_expand_to_same_rank(y_true, y_pred))


for _obj in (CrossentropyByShape, BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
             CategoricalFocalCrossentropy, SparseCategoricalCrossentropy, CategoricalGeneralizedCrossEntropy,
             binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy, categorical_focal_crossentropy,
             sparse_categorical_crossentropy, categorical_generalized_cross_entropy):
    registry.register_builtin("losses", _obj)
