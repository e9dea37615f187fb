"""Keras 3's `serialize_keras_object` / `deserialize_keras_object`: any configurable object as Keras's dict.

An object is written as Keras writes it, `{"module", "class_name", "config", "registered_name"}`, plus
`"build_config"` (a built layer) and `"compile_config"` (a compiled model); a function as
`{"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}`; NumPy and JAX
arrays as `{"class_name": "__numpy__", ...}`; bytes as `{"class_name": "__bytes__", ...}`; lists, tuples and dicts
item by item. Built-in objects are recorded under Keras's public modules (`"keras.layers"`, `"keras.losses"`,
`"keras.optimizers"`, ...), so a dict written by Keras itself reads back here by its class names.

Reading looks every name up (in `custom_objects`, the registered custom objects, then the family's built-ins:
`kerasish.registry`, or the family's own module) and calls the class's `from_config`: nothing in a config is run as
code, and a name found nowhere is an error.
"""

from __future__ import annotations

import inspect
import json
import types
from typing import Any

import jax
import numpy as np

from kerasish import activations, initializers, losses, metrics, optimizers, registry, regularizers
from kerasish.layers.base import Layer
from kerasish.optimizers import schedules

#: The public Keras module of each family, as Keras writes it.
_KERAS_MODULES = {"layers": "keras.layers", "losses": "keras.losses", "metrics": "keras.metrics",
                  "optimizers": "keras.optimizers", "schedules": "keras.optimizers.schedules",
                  "initializers": "keras.initializers", "regularizers": "keras.regularizers",
                  "constraints": "keras.constraints", "activations": "keras.activations"}
#: The modules whose public classes and functions a family's names may name (besides `kerasish.registry`).
_FAMILY_MODULES = {"losses": losses, "metrics": metrics, "initializers": initializers, "regularizers": regularizers,
                   "activations": activations}
#: Where a function named in a config is looked for, in order (Keras: activations, then losses and metrics).
_FUNCTION_FAMILIES = ("activations", "losses", "metrics")
_MODELS = {"Functional": "Model"}  # Keras's class names for kerasish's


def _family_of(obj: Any) -> str | None:
    """The family of one of kerasish's objects, from the module its class is defined in."""
    module = type(obj).__module__
    if isinstance(obj, Layer):
        return "layers"
    if isinstance(obj, optimizers.Optimizer):
        return "optimizers"
    if isinstance(obj, schedules.LearningRateSchedule):
        return "schedules"
    for family in ("losses", "metrics", "initializers", "regularizers", "constraints", "activations"):
        if module == f"kerasish.{family}" or module.startswith(f"kerasish.{family}."):
            return family
    return None


def _function_name(fn: Any) -> str:
    if registry.is_registered(fn):
        return registry.get_registered_name(fn)
    name = activations.serialize(fn)  # an alias (`swish`) under its canonical name
    return name if name is not None else fn.__name__


def serialize_keras_object(obj: Any) -> Any:
    """`obj` as Keras 3's serialized form (JSON-friendly, see the module docstring).

    Args:
      obj: a layer or model, loss, metric, optimizer, schedule, initializer, regularizer, constraint, function,
        array, or a plain value / list / tuple / dict of them.

    Returns:
      The serialized form; plain values (None, str, int, float, bool) as they are.

    Raises:
      TypeError: for an object that is none of these (no `get_config()`, not a named function).

    Example:
      >>> import kerasish as ks
      >>> spec = serialize_keras_object(ks.losses.MeanSquaredError())
      >>> spec["module"], spec["class_name"], spec["registered_name"]
      ('keras.losses', 'MeanSquaredError', None)
      >>> serialize_keras_object(ks.activations.relu)["config"]
      'relu'
    """
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, (np.ndarray, jax.Array)):
        array = np.asarray(obj)
        return {"class_name": "__numpy__", "config": {"value": array.tolist(), "dtype": array.dtype.name}}
    if isinstance(obj, tuple):
        return tuple(serialize_keras_object(v) for v in obj)
    if isinstance(obj, list):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, optimizers.Optimizer):
        return optimizers.serialize(obj)
    if isinstance(obj, schedules.LearningRateSchedule):
        return schedules.serialize(obj)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return {"module": "builtins", "class_name": "function", "config": _function_name(obj),
                "registered_name": "function"}
    if not hasattr(obj, "get_config") or inspect.isclass(obj):
        raise TypeError(f"Cannot serialize {obj!r} (of type {type(obj).__name__}): serialize_keras_object takes "
                        f"objects with `get_config()` (layers, losses, metrics, ...), named functions, arrays and "
                        f"plain values.")
    cls = type(obj)
    family = _family_of(obj)
    builtin = family is not None and not registry.is_registered(cls) and cls.__module__.startswith("kerasish.")
    module = _KERAS_MODULES[family] if builtin else cls.__module__
    if builtin and isinstance(obj, Layer) and cls.__module__.startswith("kerasish.models"):
        module = "keras"
    spec = {"module": module, "class_name": cls.__name__, "config": serialize_keras_object(obj.get_config()),
            "registered_name": None if builtin else (registry.get_registered_name(cls) if registry.is_registered(cls)
                                                     else cls.__name__)}
    if isinstance(obj, Layer):
        build = obj.get_build_config()
        if build is not None:
            spec["build_config"] = serialize_keras_object(build)
        compile_config = obj.get_compile_config() if hasattr(obj, "get_compile_config") else None
        if compile_config is not None:
            spec["compile_config"] = serialize_keras_object(compile_config)
    return spec


def _family_of_module(module: Any) -> str | None:
    """The family a serialized `module` names (`"keras.layers"`, `"kerasish.losses"`, `"keras"` for models)."""
    if not isinstance(module, str):
        return None
    parts = module.split(".")
    if parts[0] not in ("keras", "kerasish"):
        return None
    if parts[-1] == "schedules":
        return "schedules"
    if len(parts) == 1 or parts[1] in ("models", "src") or parts[1] not in _KERAS_MODULES:
        return "layers"
    return parts[1]


def _builtin(family: str, name: str) -> Any:
    """The built-in class or function `name` of `family`, or None: the registry's table, else a public class or
    function defined in the family's module."""
    found = registry.builtins(family).get(name)
    if found is not None:
        return found
    module = _FAMILY_MODULES.get(family)
    candidate = getattr(module, name, None) if module is not None and not name.startswith("_") else None
    if (inspect.isclass(candidate) or inspect.isfunction(candidate)) and candidate.__module__.startswith(
            module.__name__):
        return candidate
    return None


def _custom(name: Any, custom_objects: dict[str, Any] | None) -> Any:
    return registry.get_registered_object(name, custom_objects) if isinstance(name, str) else None


def deserialize_keras_object(config: Any, custom_objects: dict[str, Any] | None = None, safe_mode: bool = True,
                             **kwargs: Any) -> Any:
    """The object Keras's serialized form `config` describes (see `serialize_keras_object`).

    Args:
      config: a serialized dict, a list of them, or a plain value (returned as it is; a string names a custom
        object when one is registered under it).
      custom_objects: `{name: class or function}` looked up before the registered and built-in names.
      safe_mode: accepted for Keras's signature; kerasish never deserializes code (lambdas are refused).
      **kwargs: Keras's `module_objects` (a `{name: class or function}` table of the caller's family).

    Returns:
      The object: an instance made with its class's `from_config` (then built with `build_config` and compiled
      with `compile_config` when given), a class or function, an array, or a plain value.

    Raises:
      ValueError: for a name found nowhere (nothing in the config was run), or a lambda.
      TypeError: for a malformed config.

    Example:
      >>> import kerasish as ks
      >>> layer = deserialize_keras_object(serialize_keras_object(ks.layers.Dense(3, name="head")))
      >>> type(layer).__name__, layer.units, layer.name
      ('Dense', 3, 'head')
    """
    del safe_mode
    module_objects = kwargs.pop("module_objects", None)
    if kwargs:
        raise TypeError(f"deserialize_keras_object got unexpected keyword argument(s) {sorted(kwargs)}.")
    if config is None:
        return None
    if isinstance(config, str):
        found = _custom(config, custom_objects)
        if found is None and module_objects is not None:
            found = module_objects.get(config)
        return config if found is None else found
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(v, custom_objects, module_objects=module_objects) for v in config]
    if isinstance(config, (int, float, bool)):
        return config
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects) for k, v in config.items()}
    class_name, inner = config["class_name"], config["config"] if config["config"] is not None else {}
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__lambda__":
        raise ValueError("The config holds a Python lambda (serialized bytecode); kerasish never runs code from a "
                         "config. Replace the lambda by a function registered with register_serializable.")
    module, registered = config.get("module"), config.get("registered_name")
    if class_name == "function":
        return _retrieve_function(inner, module, registered, custom_objects, module_objects)
    if not isinstance(inner, dict):
        raise TypeError(f"Expected 'config' to be a dict for {class_name}, instead got {type(inner)}. Full config: "
                        f"{config!r}")
    family = _family_of_module(module)
    if family == "optimizers":
        return optimizers.deserialize(config, custom_objects)
    if family == "schedules":
        return schedules.deserialize(config, custom_objects)
    cls = _retrieve_class(class_name, registered, family, custom_objects, module_objects)
    if isinstance(cls, types.FunctionType):
        return cls
    with registry.custom_object_scope(custom_objects):  # a class without `from_config` takes its config as arguments
        instance = cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
    build = config.get("build_config", config.get("build"))  # "build": kerasish's own layer entries
    if build and hasattr(instance, "build_from_config") and not getattr(instance, "built", True):
        instance.build_from_config(build)
    compile_config = config.get("compile_config")
    if compile_config and hasattr(instance, "compile_from_config"):
        instance.compile_from_config(compile_config)
    return instance


def _retrieve_function(name: Any, module: Any, registered: Any, custom_objects: dict[str, Any] | None,
                       module_objects: dict[str, Any] | None) -> Any:
    if not isinstance(name, str):
        raise TypeError(f"Expected 'config' to be a non-null str for a function classname, instead got "
                        f"{type(name)}.")
    for key in (registered if registered not in (None, "function") else None, name):
        found = _custom(key, custom_objects) or (module_objects or {}).get(key)
        if found is not None:
            return found
    family = _family_of_module(module)
    for candidate in ((family,) if family in _FUNCTION_FAMILIES else _FUNCTION_FAMILIES):
        found = _builtin(candidate, name)
        if found is not None:
            return found
        if candidate == "activations":
            try:
                return activations.get(name)
            except ValueError:
                pass
    raise ValueError(f"Could not locate function '{name}'. Make sure custom functions are decorated with "
                     f"`@kerasish.saving.register_serializable()` (or passed in `custom_objects`); nothing in the "
                     f"config was run.")


def _retrieve_class(class_name: str, registered: Any, family: str | None, custom_objects: dict[str, Any] | None,
                    module_objects: dict[str, Any] | None) -> Any:
    for key in (registered, class_name):
        found = _custom(key, custom_objects) or (module_objects or {}).get(key)
        if found is not None:
            return found
    families = (family,) if family is not None else tuple(_KERAS_MODULES)
    for candidate in families:
        found = _builtin(candidate, _MODELS.get(class_name, class_name) if candidate == "layers" else class_name)
        if found is not None:
            return found
    raise ValueError(f"Could not locate class '{class_name}'. Make sure custom classes are decorated with "
                     f"`@kerasish.saving.register_serializable()` (or passed in `custom_objects`); nothing in the "
                     f"config was run.")


def to_json(obj: Any, **kwargs: Any) -> str:
    """`serialize_keras_object(obj)` as JSON text (`kwargs` go to `json.dumps`): what `Model.to_json` returns."""
    return json.dumps(serialize_keras_object(obj), **kwargs)


def serialize(layer: Layer) -> dict[str, Any]:
    """Keras's `keras.layers.serialize`: a layer (or model) as Keras's dict (`serialize_keras_object`).

    Raises:
      TypeError: for something that is not a kerasish Layer.
    """
    if not isinstance(layer, Layer):
        raise TypeError(f"Argument `layer` of serialize must be a kerasish Layer, received {layer!r}.")
    return serialize_keras_object(layer)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Layer:
    """Keras's `keras.layers.deserialize`: the layer a serialized dict describes (Keras's form, or kerasish's own
    `{"class_name", "config", "build"}` entries).

    Raises:
      ValueError: for a name found nowhere, or one that is not a layer.

    Example:
      >>> import kerasish as ks
      >>> deserialize({"class_name": "Dense", "config": {"units": 2}}).units
      2
    """
    layer = deserialize_keras_object(config, custom_objects, module_objects=registry.builtins("layers"))
    if not isinstance(layer, Layer):
        raise ValueError(f"deserialize (kerasish.layers) expects a layer's config, received one that gives "
                         f"{layer!r}.")
    return layer
