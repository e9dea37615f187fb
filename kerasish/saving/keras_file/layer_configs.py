"""One layer's entry of a `.keras` config both ways: Keras's `{"module", "class_name", "config",
"registered_name", "build_config"}` and kerasish's `{"class_name", "config", "build"}` (`layers.serialization`).

kerasish's layers take Keras's argument names, so most entries carry over key by key, their values translated by
`values`. What differs is handled here:

- `InputLayer`: Keras's config (`batch_shape`, `optional`) is kerasish's; `sparse` and `ragged` inputs, which kerasish
  does not have, are refused when set.
- Arguments Keras has and kerasish's class does not take are dropped when they hold Keras's default (off: None,
  `renorm=False`, `use_cudnn="auto"`, ...) and refused otherwise, naming the layer, the argument and its value: a
  model loaded without them would not compute what Keras computes.
- `MultiHeadAttention` builds from Keras's `shapes_dict` (`query_shape`, `value_shape`, `key_shape`), as both
  libraries call its `build`.
- `Lambda` layers are refused: their function is Python code (serialized bytecode), and nothing in a file is run.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import kerasish.saving.keras_file.values as values
from kerasish import registry
from kerasish.layers.base import Layer
from kerasish.saving.keras_file.values import Unsupported

LAYERS_MODULE = "keras.layers"

#: Keras arguments kerasish's layers do not take, with the Keras default that makes dropping them exact.
_KERAS_DEFAULTS: dict[str, tuple] = {
    "quantization_config": (None,), "lora_rank": (None,), "lora_alpha": (None,), "synchronized": (False,),
    "renorm": (False,), "renorm_clipping": (None,), "use_cudnn": ("auto", True, False), "flash_attention": (None,),
    "sliding_window": (None,), "use_gate": (False,), "autocast": (True,), "weights": (None,),
    "data_format": (None, "channels_last"), "attention_axes": (None, [1], [-2]), "rms_scaling": (False,),
}
#: Base arguments some Keras layers do not take (their weightless constructors): left out of what is written.
_KERAS_REFUSES = {"SpatialDropout1D": ("trainable",), "SpatialDropout2D": ("trainable",),
                  "SpatialDropout3D": ("trainable",)}
#: Keras arguments with no effect while another is off (`renorm_momentum` without `renorm`).
_IRRELEVANT = {"renorm_momentum"}


def _accepted_arguments(cls: type) -> set[str]:
    """The keyword arguments `cls(...)` takes: its constructor's and those of the classes its `**kwargs` reach."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is None:
            continue
        parameters = inspect.signature(init).parameters
        names.update(n for n, p in parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        if not any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            break
    names.discard("self")
    return names


# -- Keras -> kerasish --------------------------------------------------------------------------------------------

def layer_class(entry: dict[str, Any], where: str) -> tuple[str, type]:
    """`(name to record, class)` of a Keras layer entry: kerasish's built-in of that name, or the class registered
    under the entry's `registered_name`.

    Raises:
      Unsupported: for a Lambda layer, a Keras layer kerasish does not have, or an unregistered custom class.
    """
    class_name = entry.get("class_name")
    if not isinstance(class_name, str):
        raise Unsupported(f"{where} has no class name (`class_name` is {class_name!r}).")
    registered = entry.get("registered_name")
    module = entry.get("module") or ""
    if isinstance(registered, str) and ">" in registered:
        found = registry.get_registered_object(registered)
        if found is None:
            raise Unsupported(f"{where} is an instance of the custom class {registered!r}, which is not registered "
                              f"here: define it and decorate it with @kerasish.saving.register_serializable() "
                              f"(nothing in the file was run).")
        return registered, found
    if class_name == "Lambda":
        raise Unsupported(f"{where} is a Lambda layer: its function is Python code (Keras stores it as bytecode, or "
                          f"by name), and loading a file never runs code from it (Keras's safe_mode=True). Replace it "
                          f"by a custom layer registered with @kerasish.saving.register_serializable().")
    found = registry.builtins("layers").get(class_name)
    if found is None or not module.startswith("keras"):
        custom = registry.get_registered_object(class_name)
        if isinstance(custom, type) and issubclass(custom, Layer):
            return class_name, custom
        raise Unsupported(f"{where} is a {module + '.' if module else ''}{class_name}, which kerasish does not "
                          f"have (nor is a class of that name registered with register_serializable).")
    return class_name, found


def config_from_keras(class_name: str, cls: type, config: dict[str, Any], where: str) -> dict[str, Any]:
    """A Keras layer's `config` as the kerasish class `cls` takes it.

    Raises:
      Unsupported: for an argument kerasish cannot honour (named with its value).
    """
    if not isinstance(config, dict):
        raise Unsupported(f"{where}: `config` must be a dict, received {type(config).__name__}.")
    values.check_no_code(config, where)
    if class_name == "InputLayer":
        return _input_layer_from_keras(config, where)
    builtin = registry.builtin_name("layers", cls) is not None
    accepted = _accepted_arguments(cls) if builtin else None
    out: dict[str, Any] = {}
    for key, value in config.items():
        if accepted is not None and key not in accepted:
            if key in _IRRELEVANT or value is None or value in _KERAS_DEFAULTS.get(key, ()):
                continue
            raise Unsupported(f"{where} sets `{key}`={value!r}, which kerasish's {cls.__name__} does not take: the "
                              f"layer would not compute what Keras computes.")
        out[key] = nested_from_keras(value, f"{where}[{key!r}]") if _is_layer_entry(value) else \
            values.from_keras(key, value, where)
    return out


def _is_layer_entry(value: Any) -> bool:
    return values.is_keras_object(value) and isinstance(value["config"], dict) and (
        value.get("module") == LAYERS_MODULE or value["class_name"] in registry.builtins("layers"))


def nested_from_keras(entry: dict[str, Any], where: str) -> dict[str, Any]:
    """A layer entry inside another layer's config (Bidirectional's `layer`) as a kerasish spec."""
    name, cls = layer_class(entry, where)
    spec: dict[str, Any] = {"class_name": name, "config": config_from_keras(name, cls, entry["config"], where)}
    build = build_from_keras(name, entry.get("build_config"))
    if build is not None:
        spec["build"] = build
    return spec


def _input_layer_from_keras(config: dict[str, Any], where: str) -> dict[str, Any]:
    for flag in ("sparse", "ragged"):
        if config.get(flag):
            raise Unsupported(f"{where} is a {flag} Input, which kerasish does not have.")
    shape = config.get("batch_shape", config.get("batch_input_shape"))
    if not isinstance(shape, list) or not shape:
        raise Unsupported(f"{where}: an InputLayer needs `batch_shape`, a list starting with the batch size; "
                          f"received {shape!r}.")
    return {"batch_shape": list(shape), "dtype": config.get("dtype") or "float32", "name": config.get("name"),
            "optional": bool(config.get("optional", False))}


def build_from_keras(class_name: str, build_config: Any) -> dict[str, Any] | None:
    """Keras's `build_config` as kerasish's `build` (`{"input_shape": ...}`), or None."""
    if not isinstance(build_config, dict):
        return None
    if "input_shape" in build_config:
        return None if build_config["input_shape"] is None else {"input_shape": build_config["input_shape"]}
    shapes = build_config.get("shapes_dict")
    if not isinstance(shapes, dict):
        return None
    if class_name == "MultiHeadAttention":  # built as Keras builds it: build(query_shape, value_shape, key_shape)
        return {"shapes_dict": {k: v for k, v in shapes.items() if v is not None}}
    return {"input_shape": list(shapes.values())}


# -- kerasish -> Keras --------------------------------------------------------------------------------------------

def entry_to_keras(spec: dict[str, Any], where: str) -> dict[str, Any]:
    """A kerasish spec (`serialize(layer)`) as Keras's layer entry.

    Raises:
      Unsupported: for a Lambda layer, or a value that is code.
    """
    name = spec["class_name"]
    cls = registry.lookup("layers", name, what=where)
    if name == "Lambda":
        raise Unsupported(f"{where} is a Lambda layer: its function is Python code, and a .keras file written by "
                          f"kerasish stores no code. Replace it by a registered custom layer.")
    builtin = registry.builtin_name("layers", cls) is not None and ">" not in name
    config = config_to_keras(name, spec["config"], where)
    if builtin:
        entry = values.keras_object(LAYERS_MODULE, name, config)
    else:
        entry = values.keras_object(cls.__module__, cls.__name__, config, registry.get_registered_name(cls))
    build = spec.get("build")
    if build is not None and name != "InputLayer":  # Keras's Input layers have no build config
        entry["build_config"] = build_to_keras(name, build)
    return entry


def config_to_keras(class_name: str, config: dict[str, Any], where: str) -> dict[str, Any]:
    """A kerasish layer config in Keras's form (nested layer specs, such as Bidirectional's, converted too)."""
    if class_name == "InputLayer":  # kerasish's InputLayer config is Keras's (JSON has lists, not tuples)
        return {**config, "batch_shape": list(config["batch_shape"])}
    out = {}
    for key, value in config.items():
        if key in _KERAS_REFUSES.get(class_name, ()):
            continue
        if isinstance(value, dict) and set(value) >= {"class_name", "config"} and isinstance(value["config"], dict) \
                and _is_registered_layer(value["class_name"]):
            out[key] = entry_to_keras(value, f"{where}[{key!r}]")
        else:
            out[key] = values.to_keras(key, value, where)
    return out


def _is_registered_layer(name: Any) -> bool:
    if not isinstance(name, str):
        return False
    found = registry.get_registered_object(name, None, registry.builtins("layers"))
    return isinstance(found, type) and issubclass(found, Layer)


def build_to_keras(class_name: str, build: dict[str, Any]) -> dict[str, Any]:
    """kerasish's `build` as Keras's `build_config`."""
    if "shapes_dict" in build:
        return {"shapes_dict": values.plain_to_keras(build["shapes_dict"])}
    shape = values.plain_to_keras(build.get("input_shape"))
    if class_name == "MultiHeadAttention" and isinstance(shape, list) and len(shape) in (2, 3):
        shapes = {"query_shape": shape[0], "value_shape": shape[1]}
        if len(shape) == 3:
            shapes["key_shape"] = shape[2]
        return {"shapes_dict": shapes}
    return {"input_shape": shape}


def snake_case(name: str) -> str:
    """Keras's `to_snake_case` of a class name (`Conv2D` -> `conv2d`, `MultiHeadAttention` ->
    `multi_head_attention`): how a `.keras` weights file names a layer's group."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
