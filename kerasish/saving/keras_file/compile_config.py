"""A model's compile arguments both ways: Keras's `compile_config` and kerasish's `get_compile_config()`.

Both hold the optimizer in Keras's serialized form (`{"module": "keras.optimizers", "class_name": "Adam",
"config": {...}}`, schedules included). Losses and metrics are names or serialized objects: Keras writes a loss
object as `{"module": "keras.losses", ...}`, kerasish as `{"class_name", "config"}`. Keras's `run_eagerly` and
`jit_compile` have no kerasish counterpart (every step is compiled); its `steps_per_execution=1`, the default,
stands for kerasish's `"auto"` (how many steps one dispatch runs changes speed, not results).
"""

from __future__ import annotations

from typing import Any

import kerasish.saving.keras_file.values as values
from kerasish import losses as _losses
from kerasish import metrics as _metrics
from kerasish.saving.keras_file.values import Unsupported


def _object_from_keras(value: Any, module: Any, kind: str, where: str) -> Any:
    """A loss or metric entry: a name stays a name; a serialized object becomes kerasish's object."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_object_from_keras(v, module, kind, f"{where}[{i}]") for i, v in enumerate(value)]
    if not values.is_keras_object(value):
        if isinstance(value, dict):
            return {k: _object_from_keras(v, module, kind, f"{where}[{k!r}]") for k, v in value.items()}
        raise Unsupported(f"{where}: {value!r} is not a {kind}.")
    if value["class_name"] == "function" and isinstance(value["config"], str):
        return value["config"]  # a built-in function, by name
    found = values.registered_object(value, where)
    if found is not None:
        return found
    cls = getattr(module, value["class_name"], None)
    if not isinstance(cls, type):
        raise Unsupported(f"{where}: Keras {kind} {value['class_name']!r} has no kerasish counterpart.")
    config = {k: v for k, v in (value["config"] or {}).items() if not (k == "dtype" and v is None)}
    try:
        return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)
    except (TypeError, ValueError) as err:
        raise Unsupported(f"{where}: Keras {kind} {value['class_name']} cannot be rebuilt in kerasish ({err}).") \
            from None


def compile_from_keras(config: dict[str, Any], where: str) -> dict[str, Any]:
    """Keras's `compile_config` as what `Model.compile_from_config` takes.

    Raises:
      Unsupported: for a loss or metric kerasish does not have.
    """
    if not isinstance(config, dict) or not isinstance(config.get("optimizer"), (dict, str)):
        raise Unsupported(f"{where} must hold an `optimizer`, received {config!r}.")
    steps = config.get("steps_per_execution", 1)
    optimizer = config["optimizer"]
    if isinstance(optimizer, str):
        optimizer = {"class_name": optimizer, "config": {}}
    return {"optimizer": optimizer,
            "loss": _object_from_keras(config.get("loss"), _losses, "loss", f"{where}['loss']"),
            "loss_weights": config.get("loss_weights"),
            "metrics": _object_from_keras(config.get("metrics"), _metrics, "metric", f"{where}['metrics']"),
            "weighted_metrics": _object_from_keras(config.get("weighted_metrics"), _metrics, "metric",
                                                   f"{where}['weighted_metrics']"),
            "steps_per_execution": "auto" if steps in (1, None) else steps}


def _object_to_keras(value: Any, keras_module: str, kind: str, where: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [_object_to_keras(v, keras_module, kind, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict) and not values.is_keras_object(value):
        return {k: _object_to_keras(v, keras_module, kind, f"{where}[{k!r}]") for k, v in value.items()}
    if values.is_keras_object(value):
        return values.keras_object(keras_module, value["class_name"], dict(value["config"]))
    get_config = getattr(value, "get_config", None)
    if get_config is None:
        raise Unsupported(f"{where}: {kind} {value!r} is code (a function), which a file does not store: use its "
                          f"name or a kerasish.{kind}s object.")
    return values.keras_object(keras_module, type(value).__name__, get_config())


def compile_to_keras(config: dict[str, Any], where: str) -> dict[str, Any]:
    """kerasish's `get_compile_config()` as Keras's `compile_config`."""
    steps = config.get("steps_per_execution", "auto")
    return {"optimizer": config["optimizer"],
            "loss": _object_to_keras(config.get("loss"), "keras.losses", "loss", f"{where}['loss']"),
            "loss_weights": config.get("loss_weights"),
            "metrics": _object_to_keras(config.get("metrics"), "keras.metrics", "metric", f"{where}['metrics']"),
            "weighted_metrics": _object_to_keras(config.get("weighted_metrics"), "keras.metrics", "metric",
                                                 f"{where}['weighted_metrics']"),
            "run_eagerly": False, "steps_per_execution": 1 if steps == "auto" else steps, "jit_compile": True}
