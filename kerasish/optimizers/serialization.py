"""`get`, `serialize`, `deserialize` (Keras's names and dict format) and `is_serializable` for optimizers."""

from __future__ import annotations

from typing import Any

import optax

from kerasish import registry
from kerasish.optimizers.base import Optimizer
from kerasish.optimizers.optax_wrapper import OptaxOptimizer

_KERAS_MODULE = "keras.optimizers"


def _builtins_by_lower_name() -> dict[str, type]:
    return {name.lower(): cls for name, cls in registry.builtins("optimizers").items()}


def is_serializable(optimizer: Any) -> bool:
    """Whether `serialize(optimizer)` is data a file can hold: a built-in or registered class whose learning rate
    is a float or a built-in or registered `LearningRateSchedule` (not a function, not an optax transformation).

    Example:
      >>> from kerasish.optimizers import Adam
      >>> is_serializable(Adam(0.01)), is_serializable(Adam(lambda: 0.01))
      (True, False)
    """
    if isinstance(optimizer, OptaxOptimizer) or not isinstance(optimizer, Optimizer):
        return False
    cls = type(optimizer)
    if registry.builtin_name("optimizers", cls) is None and not registry.is_registered(cls):
        return False
    inner = getattr(optimizer, "inner_optimizer", None)
    if inner is not None:
        return is_serializable(inner)
    rate = optimizer.get_config().get("learning_rate")
    if isinstance(rate, dict):
        found = registry.get_registered_object(rate.get("registered_name") or rate.get("class_name", ""), None,
                                               registry.builtins("schedules"))
        return found is not None
    return not callable(rate)


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Keras's serialized form: `{"module", "class_name", "config", "registered_name"}`.

    Raises:
      ValueError: for an optimizer whose config holds code (`is_serializable` is False): a function as learning
        rate, an optax transformation, or an unregistered class.

    Example:
      >>> from kerasish.optimizers import SGD
      >>> serialize(SGD(0.5, name="sgd"))["config"]["learning_rate"]
      0.5
    """
    if not is_serializable(optimizer):
        raise ValueError(f"Optimizer {optimizer!r} cannot be serialized: its class must be kerasish's or registered "
                         f"with @kerasish.saving.register_serializable(), and its learning rate a float or a "
                         f"registered LearningRateSchedule (a function or an optax transformation is code, which a "
                         f"config never stores).")
    cls = type(optimizer)
    builtin = registry.builtin_name("optimizers", cls) is not None
    return {"module": _KERAS_MODULE if builtin else cls.__module__, "class_name": cls.__name__,
            "config": optimizer.get_config(),
            "registered_name": None if builtin else registry.get_registered_name(cls)}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
    """The optimizer a `serialize` dict describes; built-in class names match in any case (`"adam"`, `"Adam"`).

    Raises:
      ValueError: for a dict without `class_name`, or one naming a class that is neither kerasish's nor registered
        (nothing in the dict is run as code).

    Example:
      >>> deserialize({"class_name": "adam", "config": {"learning_rate": 0.5}}).get_config()["learning_rate"]
      0.5
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"A serialized optimizer is a dict with `class_name` and `config`, received {config!r}.")
    name = config.get("registered_name") or config["class_name"]
    cls = _builtins_by_lower_name().get(name.lower()) if isinstance(name, str) else None
    if cls is None:
        known = sorted(registry.builtins("optimizers"))
        cls = registry.lookup("optimizers", name, custom_objects,
                              what=f"A serialized optimizer (built-in names: {known})")
    if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
        raise ValueError(f"A serialized optimizer names {name!r}, which is not an optimizer class.")
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(f"The `config` of a serialized optimizer must be a dict, received {inner!r}.")
    return cls.from_config(dict(inner), custom_objects) if _takes_custom_objects(cls) else cls.from_config(dict(inner))


def _takes_custom_objects(cls: type) -> bool:
    import inspect
    try:
        return "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name, a serialized dict, an optimizer (returned as it is), or an optax transformation
    (wrapped in `OptaxOptimizer`); None for None (Keras's `get`).

    Raises:
      ValueError: for an unknown name, or anything else.

    Example:
      >>> type(get("rmsprop")).__name__, get(None)
      ('RMSprop', None)
    """
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, optax.GradientTransformation):
        return OptaxOptimizer(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.lower() not in _builtins_by_lower_name() and registry.get_registered_object(identifier) is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Expected one of "
                             f"{sorted(_builtins_by_lower_name())} (any case), a registered optimizer's name, a "
                             f"kerasish optimizer or an optax.GradientTransformation.")
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r} (of type {type(identifier).__name__});"
                     f" expected an optimizer name, a serialized dict, a kerasish optimizer or an "
                     f"optax.GradientTransformation.")


