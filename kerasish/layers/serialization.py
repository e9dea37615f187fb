"""Layers as data and back: `serialize(layer)` -> `{"class_name", "config"[, "build"]}`, `deserialize(spec)`.

Keras's `keras.layers.serialize` / `deserialize`. A class is named by the registry (`kerasish.registry`):
kerasish's own layers and models under their class name (each registers itself when defined), a user's
under the name `@register_serializable()` gave it. Deserializing looks the name up and calls the class's
`from_config`: nothing else in a spec is ever run.
"""

from __future__ import annotations

from typing import Any

from kerasish import registry
from kerasish.layers.base import Layer


def registered_name(cls: type) -> str:
    """The name a file records for the layer class `cls`.

    Raises:
      ValueError: for a class `deserialize` could not find again (neither kerasish's nor registered).
    """
    if registry.is_registered(cls):
        return registry.get_registered_name(cls)
    name = registry.builtin_name("layers", cls)
    if name is not None:
        return name
    raise ValueError(f"Class {cls.__module__}.{cls.__qualname__} is not registered, so a saved model could not be "
                     f"loaded: decorate it with @kerasish.saving.register_serializable().")


def serialize(layer: Layer) -> dict[str, Any]:
    """`{"class_name", "config"[, "build"]}` for a layer or model (recursively through its config); `"build"` holds
    `get_build_config()` when the layer needs its input shape to be rebuilt with its weights.

    Example:
      >>> import kerasish as ks
      >>> spec = serialize(ks.layers.Dense(2, name="out"))
      >>> spec["class_name"], spec["config"]["units"]
      ('Dense', 2)
    """
    spec: dict[str, Any] = {"class_name": registered_name(type(layer)), "config": layer.get_config()}
    build = layer.get_build_config()
    if build is not None:
        spec["build"] = build
    return spec


def deserialize(spec: Any, custom_objects: dict[str, Any] | None = None, what: str = "A model file") -> Layer:
    """Rebuilds a layer from `serialize`'s output (building it when the spec says how). A spec may also hold a
    `"name"` beside the config: the layer's name when its config has none (a custom `get_config` that leaves it
    out, in a functional model's entry of a .keras file).

    Raises:
      ValueError: for a spec that is not `{"class_name", "config"}`, or names a class that is not a known layer.
    """
    if not isinstance(spec, dict) or "class_name" not in spec or not isinstance(spec.get("config"), dict):
        raise ValueError(f"{what} holds a layer entry {str(spec)[:120]!r}, not {{'class_name', 'config'}}.")
    cls = registry.lookup("layers", spec["class_name"], custom_objects, what=what)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"{what} names {spec['class_name']!r} as a layer, but it is {cls!r}, not a Layer class.")
    layer = cls.from_config(spec["config"])
    if isinstance(spec.get("name"), str) and "name" not in spec["config"]:
        layer.name = spec["name"]  # the name a file gives a layer whose own config leaves it out
    build = spec.get("build")
    if build is not None and not layer.built:
        layer.build_from_config(build)
    return layer
