"""Config values between Keras 3's serialized forms and kerasish's.

Keras writes every object inside a layer config as `{"module", "class_name", "config", "registered_name"}`
(dtype policies, initializers, regularizers, constraints) and tags values JSON has no type for
(`{"class_name": "__numpy__", ...}`, `"__slice__"`, `"__lambda__"`, ...). kerasish's configs hold a policy's
name (`"float32"`), an initializer's snake_case name or `{"class_name", "config"}`, and a regularizer's
`{"class_name", "config"}`. `from_keras` and `to_keras` translate one value; the key it sits under says what
it is (`*_initializer`, `*_regularizer`, `*_constraint`, `dtype`), as in Keras's own configs.

Nothing here runs code from a file: a Python lambda (`"__lambda__"`) is refused, and a function or class is only
ever found by name among kerasish's own objects and those registered with `register_serializable`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasish import constraints as _constraints
from kerasish import initializers as _initializers
from kerasish import mixed_precision as _mixed_precision
from kerasish import registry
from kerasish import regularizers as _regularizers

#: Keras's tags for values JSON cannot type (serialization_lib.serialize_keras_object).
_TAGS = ("__numpy__", "__tensor__", "__bytes__", "__slice__", "__ellipsis__", "__lambda__", "__typespec__")


_SEEDLESS = ("Constant", "Zeros", "Ones", "Identity")


class Unsupported(ValueError):
    """A value of a Keras file kerasish cannot reproduce (the message names it and why)."""


def is_keras_object(value: Any) -> bool:
    """Whether `value` is Keras's serialized form of an object: a dict with `class_name` and `config`."""
    return isinstance(value, dict) and "class_name" in value and "config" in value


def check_no_code(value: Any, where: str) -> None:
    """Raises if `value` (a config tree) holds a serialized Python lambda anywhere.

    Raises:
      Unsupported: naming `where` and the key path of the lambda.
    """
    if isinstance(value, dict):
        if value.get("class_name") == "__lambda__":
            raise Unsupported(f"{where} holds a Python lambda (serialized bytecode). Loading a file never runs code "
                              f"from it (Keras's safe_mode=True): define the function in your code and register it "
                              f"with @kerasish.saving.register_serializable() instead.")
        for key, item in value.items():
            check_no_code(item, f"{where}[{key!r}]")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_no_code(item, f"{where}[{i}]")


# -- Keras -> kerasish --------------------------------------------------------------------------------------------

def policy_from_keras(value: Any, where: str) -> str | None:
    """A layer's `dtype` entry (a policy dict, a dtype name or None) as a kerasish policy name."""
    if value is None or isinstance(value, str):
        return value
    if is_keras_object(value) and value["class_name"] in ("DTypePolicy", "FloatDTypePolicy", "Policy"):
        name = value["config"].get("name") if isinstance(value["config"], dict) else None
        if isinstance(name, str):
            return name
    raise Unsupported(f"{where}: dtype {value!r} is not a plain dtype policy (quantized and per-weight policies "
                      f"have no kerasish counterpart).")


def initializer_from_keras(value: Any, where: str) -> Any:
    """An `*_initializer` entry as kerasish's form: a name, `{"class_name", "config"}`, or a registered object.

    Keras's `seed` is dropped: the loaded weights replace the initial draw, and kerasish's initializers draw
    from the layer's own key. Other arguments kerasish's class lacks are refused when set.
    """
    if value is None or isinstance(value, str):
        return value
    if not is_keras_object(value):
        raise Unsupported(f"{where}: {value!r} is not an initializer.")
    custom = registered_object(value, where)
    if custom is not None:
        return custom
    name = value["class_name"]
    try:
        cls = type(_initializers.get(name))
    except (ValueError, TypeError):
        raise Unsupported(f"{where}: Keras initializer {name!r} has no kerasish counterpart.") from None
    config = dict(value["config"] or {})
    config.pop("seed", None)
    accepted = set(cls().get_config())
    for key in list(config):
        if key not in accepted:
            if config[key] is not None:
                raise Unsupported(f"{where}: initializer {name} sets {key}={config[key]!r}, which kerasish's {name} "
                                  f"does not take.")
            del config[key]
    return {"class_name": cls.__name__, "config": config}


def _object_from_keras(value: Any, where: str, module: Any, what: str) -> Any:
    """A `*_regularizer` or `*_constraint` entry (`module`: kerasish.regularizers or kerasish.constraints) as
    kerasish's `{"class_name", "config"}`, or a registered object."""
    if value is None or isinstance(value, str):
        return value
    if not is_keras_object(value):
        raise Unsupported(f"{where}: {value!r} is not a {what}.")
    custom = registered_object(value, where)
    if custom is not None:
        return custom
    try:
        return module.serialize(module.get({"class_name": value["class_name"], "config": dict(value["config"] or {})}))
    except (ValueError, TypeError) as err:
        raise Unsupported(f"{where}: Keras {what} {value['class_name']!r} cannot be rebuilt in kerasish "
                          f"({err}).") from None


def activation_from_keras(value: Any, where: str) -> Any:
    """An `activation` entry: Keras writes a built-in's name, a registered function as a `"function"` dict."""
    if value is None or isinstance(value, str):
        return value
    if is_keras_object(value):
        custom = registered_object(value, where)
        if custom is not None:
            return custom
        if value["class_name"] == "function" and isinstance(value["config"], str):
            return value["config"]  # a Keras built-in, found by name in kerasish.activations
    raise Unsupported(f"{where}: activation {value!r} is neither a built-in name nor a registered function.")


def registered_object(value: dict, where: str) -> Any:
    """The object a registered name (`"package>name"`) of a serialized Keras object denotes, else None.

    Raises:
      Unsupported: for a registered name that is not registered here.
    """
    name = value.get("registered_name")
    if value.get("class_name") == "function" and isinstance(value.get("config"), str) and ">" in value["config"]:
        name = value["config"]
    if not isinstance(name, str) or ">" not in name:
        return None
    found = registry.get_registered_object(name)
    if found is None:
        raise Unsupported(f"{where} names the custom object {name!r}, which is not registered here: define it and "
                          f"decorate it with @kerasish.saving.register_serializable() (nothing in the file was run).")
    if isinstance(found, type) and isinstance(value.get("config"), dict) and hasattr(found, "from_config"):
        return found.from_config(value["config"])
    return found


def tagged_from_keras(value: dict) -> Any:
    """A Keras-tagged value (`__numpy__`, `__tensor__`, `__bytes__`, `__slice__`, `__ellipsis__`) as Python."""
    tag, config = value["class_name"], value["config"]
    if tag in ("__numpy__", "__tensor__"):
        return np.asarray(config["value"], dtype=config["dtype"])
    if tag == "__bytes__":
        return config["value"].encode("utf-8")
    if tag == "__ellipsis__":
        return Ellipsis
    if tag == "__slice__":
        return slice(*(plain_from_keras(config[k]) for k in ("start", "stop", "step")))
    raise Unsupported(f"Keras value tag {tag!r} has no kerasish counterpart.")


def plain_from_keras(value: Any) -> Any:
    """A config value with Keras's tags replaced by Python values (lists and dicts walked)."""
    if isinstance(value, dict):
        if value.get("class_name") in _TAGS and "config" in value:
            return tagged_from_keras(value)
        return {k: plain_from_keras(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_from_keras(v) for v in value]
    return value


def from_keras(key: str, value: Any, where: str) -> Any:
    """One entry of a Keras layer config in kerasish's form (the key says what it holds).

    Raises:
      Unsupported: for a value kerasish has no counterpart for (a quantized policy, an unregistered custom object),
        naming `where`.
    """
    where = f"{where}[{key!r}]"
    if key == "dtype":
        return policy_from_keras(value, where)
    if key.endswith("_initializer"):
        return initializer_from_keras(value, where)
    if key.endswith("_regularizer"):
        return _object_from_keras(value, where, _regularizers, "regularizer")
    if key.endswith("_constraint"):
        return _object_from_keras(value, where, _constraints, "constraint")
    if key in ("activation", "recurrent_activation"):
        return activation_from_keras(value, where)
    return plain_from_keras(value)


# -- kerasish -> Keras --------------------------------------------------------------------------------------------

def keras_object(module: str, class_name: str, config: Any, registered_name: str | None = None) -> dict[str, Any]:
    """Keras's serialized form of an object."""
    return {"module": module, "class_name": class_name, "config": config, "registered_name": registered_name}


def policy_to_keras(value: Any) -> Any:
    """A kerasish policy name as Keras's `DTypePolicy` dict."""
    if value is None:
        return None
    return keras_object("keras", "DTypePolicy", {"name": _mixed_precision.get(value).name})


def initializer_to_keras(value: Any, where: str) -> Any:
    """An initializer entry (a name or `{"class_name", "config"}`) as Keras's `keras.initializers` dict."""
    if value is None:
        return None
    try:
        initializer = _initializers.get(value)
    except (ValueError, TypeError) as err:
        raise Unsupported(f"{where}: initializer {value!r} cannot be written ({err}).") from None
    if registry.is_registered(type(initializer)):
        cls = type(initializer)
        return keras_object(cls.__module__, cls.__name__, initializer.get_config(), registry.get_registered_name(cls))
    if type(initializer).__module__ != _initializers.__name__:
        raise Unsupported(f"{where}: initializer {initializer!r} is code (a function), which a file does not store.")
    name = type(initializer).__name__
    seed = {} if name in _SEEDLESS else {"seed": None}  # Keras's random initializers take a seed, the others none
    return keras_object("keras.initializers", name, {**seed, **initializer.get_config()})


def _object_to_keras(value: Any, where: str, what: str, classes: str) -> Any:
    """A regularizer or constraint entry (`{"class_name", "config"}`) as Keras's `keras.<what>s` dict; `classes`
    names the kerasish classes to use instead of a function."""
    if value is None:
        return None
    if not is_keras_object(value) or value["class_name"] == "callable":
        raise Unsupported(f"{where}: {what} {value!r} is code (a function), which a file does not store: use "
                          f"{classes}.")
    return keras_object(f"keras.{what}s", value["class_name"], dict(value["config"]))


def plain_to_keras(value: Any) -> Any:
    """A config value with arrays, tuples, slices, Ellipsis and bytes in Keras's tagged forms."""
    if isinstance(value, dict):
        return {k: plain_to_keras(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_to_keras(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": value.dtype.name}}
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {k: plain_to_keras(getattr(value, k))
                                                      for k in ("start", "stop", "step")}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, bytes):
        return {"class_name": "__bytes__", "config": {"value": value.decode("utf-8")}}
    return value


def to_keras(key: str, value: Any, where: str) -> Any:
    """One entry of a kerasish layer config in Keras's form (the key says what it holds)."""
    where = f"{where}[{key!r}]"
    if key == "dtype":
        return policy_to_keras(value)
    if key.endswith("_initializer"):
        return initializer_to_keras(value, where)
    if key.endswith("_regularizer"):
        return _object_to_keras(value, where, "regularizer", "kerasish.regularizers.L1 / L2 / L1L2")
    if key.endswith("_constraint"):
        return _object_to_keras(value, where, "constraint",
                                "kerasish.constraints.MaxNorm / MinMaxNorm / NonNeg / UnitNorm")
    if key in ("activation", "recurrent_activation") and is_keras_object(value) and value["class_name"] == "function":
        return dict(value)  # a registered function, as Keras writes it
    if key in ("activation", "recurrent_activation") and not (value is None or isinstance(value, str)):
        raise Unsupported(f"{where}: activation {value!r} is not a name; a file stores functions by name only.")
    return plain_to_keras(value)
