"""Probabilistic and hinge metrics: the batch means of Keras's KL divergence, Poisson, binary / categorical /
sparse categorical cross-entropies and hinge losses (each a `MeanMetricWrapper` of the loss function)."""

from __future__ import annotations

from typing import Any

from kerasish import losses, registry
from kerasish.metrics.reduction import MeanMetricWrapper


class _NameAndDtype(MeanMetricWrapper):
    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class KLDivergence(_NameAndDtype):
    """The mean of `kerasish.losses.kl_divergence` over the samples.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = KLDivergence()
      >>> m.update_state([[0.5, 0.5]], [[0.25, 0.75]])
      >>> round(float(m.result()), 4)
      0.1438
    """

    def __init__(self, name: str = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(fn=losses.kl_divergence, name=name, dtype=dtype)


class Poisson(_NameAndDtype):
    """The mean of `kerasish.losses.poisson` over the samples (arguments as `KLDivergence`).

    Example:
      >>> m = Poisson()
      >>> m.update_state([[1.0, 2.0]], [[1.0, 1.0]])
      >>> round(float(m.result()), 4)
      1.0
    """

    def __init__(self, name: str = "poisson", dtype: Any = None) -> None:
        super().__init__(fn=losses.poisson, name=name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean of `kerasish.losses.binary_crossentropy` over the samples. Unlike the loss, the metric does
    not reconcile ranks: labels and predictions must have the same shape (as in Keras).

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.
      from_logits: whether `y_pred` are logits.
      label_smoothing: labels become `y * (1 - s) + 0.5 * s`.

    Example:
      >>> m = BinaryCrossentropy()
      >>> m.update_state([[1.0]], [[0.5]])
      >>> round(float(m.result()), 4)
      0.6931
    """

    def __init__(self, name: str = "binary_crossentropy", dtype: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0) -> None:
        super().__init__(losses.binary_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean of `kerasish.losses.categorical_crossentropy` over the samples.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.
      from_logits: whether `y_pred` are logits.
      label_smoothing: labels become `y * (1 - s) + s / C`.
      axis: the class axis.

    Example:
      >>> m = CategoricalCrossentropy()
      >>> m.update_state([[0.0, 1.0]], [[0.5, 0.5]])
      >>> round(float(m.result()), 4)
      0.6931
    """

    def __init__(self, name: str = "categorical_crossentropy", dtype: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0, axis: int = -1) -> None:
        super().__init__(losses.categorical_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean of `kerasish.losses.sparse_categorical_crossentropy` over the samples. With `ignore_class`, the
    ignored entries count 0 (and, when sample weights are given, weigh nothing), as in Keras.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.
      from_logits: whether `y_pred` are logits.
      ignore_class: None or a label to ignore.
      axis: the class axis.

    Example:
      >>> m = SparseCategoricalCrossentropy()
      >>> m.update_state([1], [[0.5, 0.5]])
      >>> round(float(m.result()), 4)
      0.6931
    """

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: Any = None, from_logits: bool = False,
                 ignore_class: int | None = None, axis: int = -1) -> None:
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


class Hinge(_NameAndDtype):
    """The mean of `kerasish.losses.hinge` over the samples (labels -1/1 or 0/1).

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = Hinge()
      >>> m.update_state([[0.0, 1.0]], [[0.5, 0.5]])
      >>> float(m.result())
      1.0
    """

    def __init__(self, name: str = "hinge", dtype: Any = None) -> None:
        super().__init__(fn=losses.hinge, name=name, dtype=dtype)


class SquaredHinge(_NameAndDtype):
    """The mean of `kerasish.losses.squared_hinge` over the samples (arguments as `Hinge`).

    Example:
      >>> m = SquaredHinge()
      >>> m.update_state([[0.0, 1.0]], [[0.5, 0.5]])
      >>> float(m.result())
      1.25
    """

    def __init__(self, name: str = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(fn=losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(_NameAndDtype):
    """The mean of `kerasish.losses.categorical_hinge` over the samples (arguments as `Hinge`).

    Example:
      >>> m = CategoricalHinge()
      >>> m.update_state([[0.0, 1.0]], [[0.3, 0.6]])
      >>> round(float(m.result()), 4)
      0.7
    """

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None) -> None:
        super().__init__(fn=losses.categorical_hinge, name=name, dtype=dtype)


for _obj in (KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
             Hinge, SquaredHinge, CategoricalHinge):
    registry.register_builtin("metrics", _obj)
