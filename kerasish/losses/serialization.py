"""Keras's `serialize` / `deserialize` of configurable objects over `kerasish.registry`: of losses here, and of
metrics (`kerasish.metrics` uses it, on the same floor).

An object serializes as Keras 3 writes it: `{"module", "class_name", "config", "registered_name"}` for an
instance (its `get_config()`), `{"module": "builtins", "class_name": "function", "config": name, ...}` for a
function. Deserializing looks the name up in the registry (custom objects first, then the family's built-ins)
and calls the class's `from_config`: nothing in a config is ever run as code. Configs written by Keras itself
(`"module": "keras.losses"`, ...) deserialize too, by their class names.
"""

from __future__ import annotations

import inspect
from typing import Any

from kerasish import registry


def serialize(obj: Any, module: str) -> Any:
    """`obj` as Keras's serialized dict (None stays None, a string stays a string).

    Args:
      obj: an instance with `get_config()`, a class, or a function.
      module: the module recorded for instances, e.g. `"kerasish.losses"`.

    Returns:
      A JSON-friendly dict.

    Raises:
      TypeError: for an object that is neither configurable nor a named function.

    Example:
      >>> def double(x):
      ...     return 2 * x
      >>> serialize(double, "kerasish.losses")["config"]
      'double'
    """
    if obj is None or isinstance(obj, str):
        return obj
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        name = registry.get_registered_name(obj)
        return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}
    if hasattr(obj, "get_config") and not inspect.isclass(obj):
        cls = type(obj)
        registered = registry.get_registered_name(cls) if registry.is_registered(cls) else None
        return {"module": module, "class_name": cls.__name__, "config": obj.get_config(),
                "registered_name": registered}
    raise TypeError(f"Cannot serialize {obj!r}: expected an object with `get_config()` or a named function.")


def deserialize(config: Any, family: str, custom_objects: dict[str, Any] | None = None,
                aliases: dict[str, Any] | None = None) -> Any:
    """The object (or function) `config` describes, as Keras's `deserialize_keras_object` rebuilds it.

    Args:
      config: a name (`"mse"`, `"Huber"`, a registered `"package>Name"`), or a dict as `serialize` writes it
        (or `{"class_name": ..., "config": {...}}`).
      family: the registry family, e.g. `"losses"`.
      custom_objects: extra `{name: class or function}` looked up first.
      aliases: names of the family that are not class or function names (`"mse"`), looked up after the
        registry.

    Returns:
      A function, a class given by name, or an instance made with the class's `from_config`.

    Raises:
      ValueError: for a name found nowhere, or a malformed config.
    """
    what = f"A {family} config"
    if isinstance(config, str):
        found = registry.get_registered_object(config, custom_objects, {**(aliases or {}),
                                                                        **registry.builtins(family)})
        if found is None:
            known = sorted(set(registry.builtins(family)) | set(aliases or {}))
            raise ValueError(f"{what} names {config!r}, which is not one of kerasish's {family} nor a registered "
                             f"custom object; expected one of {known}.")
        return found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{what} must be a name or a dict with 'class_name' and 'config', received {config!r}.")
    if config["class_name"] == "function":
        return deserialize(config.get("config"), family, custom_objects, aliases)
    name = config.get("registered_name") or config["class_name"]
    cls = registry.get_registered_object(name, custom_objects, registry.builtins(family))
    if cls is None and name != config["class_name"]:
        cls = registry.get_registered_object(config["class_name"], custom_objects, registry.builtins(family))
    if cls is None:
        raise ValueError(f"{what} names class {config['class_name']!r}, which is neither kerasish's nor registered "
                         f"with register_serializable (nor in custom_objects); nothing in it was run.")
    inner = config.get("config") or {}
    return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
