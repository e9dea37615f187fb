"""Keras 3's losses: every `keras.losses` class and function, with Keras's arguments, defaults, configs and
results, on JAX (and `optax.losses` where optax has the maths).

- `loss.py`: the `Loss` base class, Keras's weighting and reduction, `LossFunctionWrapper`;
- `regression.py`, `crossentropy.py`, `hinge_losses.py`, `divergence.py`, `segmentation.py`, `sequence.py` (CTC),
  `metric_learning.py` (circle): the functions (per-sample losses) and their `Loss` classes.

`get`, `serialize` and `deserialize` behave as Keras's: `get("mse")` is the function
`mean_squared_error`, `get("MeanSquaredError")` an instance. `resolve` is what `compile` uses: it always
returns a `Loss` (a function is wrapped in a `LossFunctionWrapper` named as the user wrote it).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from kerasish import registry
from kerasish.losses import serialization
from kerasish.losses.crossentropy import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    CrossentropyByShape,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    sparse_categorical_crossentropy,
)
from kerasish.losses.divergence import KLDivergence, Poisson, kl_divergence, poisson
from kerasish.losses.hinge_losses import CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge, squared_hinge
from kerasish.losses.loss import (
    Loss,
    LossFunctionWrapper,
    divide_no_nan,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
    to_snake_case,
)
from kerasish.losses.metric_learning import Circle, circle
from kerasish.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from kerasish.losses.segmentation import Dice, Tversky, dice, tversky
from kerasish.losses.sequence import CTC, ctc

registry.register_builtin("losses", Loss)
registry.register_builtin("losses", LossFunctionWrapper)

#: Keras's short names of loss functions.
ALIASES: dict[str, Callable] = {
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
}
#: Names kerasish resolved before Keras parity; still accepted by `get` and `resolve`.
_EXTRA = {"huber_loss": huber}
#: Built-in loss functions and the class that wraps each with the same defaults: `resolve` gives an instance
#: of the class (same values as Keras's `LossFunctionWrapper(fn)`), which the data checks recognize.
_CLASS_OF = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError, cosine_similarity: CosineSimilarity,
    huber: Huber, log_cosh: LogCosh, hinge: Hinge, squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge,
    kl_divergence: KLDivergence, poisson: Poisson, binary_crossentropy: BinaryCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy, categorical_crossentropy: CategoricalCrossentropy,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy, dice: Dice, tversky: Tversky, circle: Circle,
    ctc: CTC,
}


def _names() -> dict[str, Any]:
    return {**registry.builtins("losses"), **ALIASES, **_EXTRA}


def serialize(loss: Loss | Callable | None) -> Any:
    """A loss (or loss function) as Keras's serialized dict, which `deserialize` turns back into it.

    Example:
      >>> serialize(Huber())["class_name"], serialize(mean_squared_error)["config"]
      ('Huber', 'mean_squared_error')
    """
    return serialization.serialize(loss, "kerasish.losses")


def deserialize(name: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The loss (or function) a name or `serialize` dict describes (Keras's `deserialize`).

    Raises:
      ValueError: for a name that is not a loss.

    Example:
      >>> deserialize({"class_name": "Huber", "config": {"name": "h", "reduction": "sum"}})
      Huber(name='h', reduction='sum')
    """
    return serialization.deserialize(name, "losses", custom_objects, {**ALIASES, **_EXTRA})


def get(identifier: Any) -> Any:
    """Keras's `losses.get`: None -> None, a name -> the function or a new instance of the class, a dict ->
    `deserialize`, a class -> an instance with its defaults, a loss object or function -> itself.

    Raises:
      ValueError: for a name or object that is not a loss (the message lists the names).

    Example:
      >>> get("mse") is mean_squared_error, type(get("Huber")).__name__
      (True, 'Huber')
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _names().get(identifier)
        if obj is None:
            obj = registry.get_registered_object(identifier)
        if obj is None:
            raise ValueError(f"Unknown loss {identifier!r}. Expected one of {sorted(_names())}, a "
                             f"kerasish.losses.Loss or a function (y_true, y_pred) -> per-sample losses.")
    else:
        obj = identifier
    if not callable(obj):
        raise ValueError(f"Could not interpret loss identifier: {identifier!r} (expected a loss name, a config "
                         f"dict, a kerasish.losses.Loss or a function).")
    return obj() if inspect.isclass(obj) else obj


def resolve(identifier: Any) -> Loss:
    """The `Loss` that `compile(loss=identifier)` uses, as Keras's compile resolves it: a name or function
    becomes a `Loss` of that function (for kerasish's own functions an instance of their class with its
    defaults, e.g. `MeanSquaredError()` for `"mse"`: the same values as Keras's `LossFunctionWrapper`; else a
    `LossFunctionWrapper` named after the function), a class an instance, a `Loss` stays itself.
    `"crossentropy"` / `"ce"` is the cross-entropy the data's shapes call for (`CrossentropyByShape`).

    Args:
      identifier: a loss name, config dict, `Loss` class or instance, or a function
        `(y_true, y_pred) -> per-sample losses`.

    Returns:
      A `Loss`.

    Raises:
      ValueError: for an unknown name (the message lists the accepted ones).
      TypeError: for anything else.

    Example:
      >>> resolve("mse")
      MeanSquaredError(name='mean_squared_error', reduction='sum_over_batch_size')
      >>> resolve(lambda y_true, y_pred: abs(y_true - y_pred)).name
      'lambda'

    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        return CrossentropyByShape(name=identifier)
    if not (isinstance(identifier, (str, dict)) or callable(identifier)):
        raise TypeError("Argument `identifier` must be a loss name, a kerasish.losses.Loss or a function "
                        f"(y_true, y_pred) -> losses, received {identifier!r} of type {type(identifier).__name__}.")
    obj = get(identifier)
    if isinstance(obj, Loss):
        return obj
    if inspect.isclass(identifier) or not callable(obj):
        raise TypeError(f"Argument `identifier` names {identifier!r}, which is not a kerasish.losses.Loss or a loss "
                        f"function.")
    name = identifier if isinstance(identifier, str) else to_snake_case(getattr(obj, "__name__", "loss"))
    if obj in _CLASS_OF:
        return _CLASS_OF[obj]()
    return LossFunctionWrapper(obj, name=name)


__all__ = [
    "ALIASES", "BinaryCrossentropy", "BinaryFocalCrossentropy", "CTC", "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy", "CategoricalGeneralizedCrossEntropy", "CategoricalHinge", "Circle",
    "CosineSimilarity", "CrossentropyByShape", "Dice", "Hinge", "Huber", "KLDivergence", "LogCosh", "Loss",
    "LossFunctionWrapper", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError",
    "MeanSquaredLogarithmicError", "Poisson", "SparseCategoricalCrossentropy", "SquaredHinge", "Tversky",
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy", "categorical_hinge", "circle", "cosine_similarity", "ctc", "deserialize",
    "dice", "divide_no_nan", "get", "hinge", "huber", "kl_divergence", "log_cosh", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error", "poisson",
    "reduce_weighted_values", "resolve", "serialize", "sparse_categorical_crossentropy", "squared_hinge",
    "squeeze_or_expand_to_same_rank", "tversky",
]
