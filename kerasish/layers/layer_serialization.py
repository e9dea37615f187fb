"""Layers inside layer configs: how a wrapper (`TimeDistributed`, `RNN`, `StackedRNNCells`) writes the layer it
holds into its own `get_config()` and reads it back, through `kerasish.registry` (the one name -> class table).
"""

from __future__ import annotations

from typing import Any

from kerasish import registry
from kerasish.layers.base import Layer


def serialize_layer(layer: Layer) -> dict[str, Any]:
    """`{"class_name": ..., "config": layer.get_config()}`; the class name as registered for a custom layer.

    Example:
      >>> import kerasish as ks
      >>> serialize_layer(ks.layers.Dense(2, name="d"))["class_name"]
      'Dense'
    """
    return {"class_name": registry.get_registered_name(type(layer)), "config": layer.get_config()}


def deserialize_layer(spec: Any, argument: str, owner: str, custom_objects: dict[str, Any] | None = None) -> Layer:
    """A layer given as itself, or as a `{"class_name", "config"}` dict that `serialize_layer` wrote.

    Raises:
      ValueError: for anything else, or a class name neither built in nor registered.
    """
    if isinstance(spec, Layer):
        return spec
    if not isinstance(spec, dict) or "class_name" not in spec or not isinstance(spec.get("config"), dict):
        raise ValueError(f"Argument `{argument}` of {owner} must be a layer or a {{'class_name', 'config'}} dict, "
                         f"received {spec!r}.")
    name = spec.get("registered_name") or spec["class_name"]
    cls = registry.lookup("layers", name, custom_objects, what=f"Argument `{argument}` of {owner}")
    return cls.from_config(spec["config"])


def serialize(layer: Layer) -> dict[str, Any]:
    """Keras's `keras.layers.serialize`: the layer as `{"class_name", "config"}` (see `serialize_layer`)."""
    return serialize_layer(layer)


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    """Keras's `keras.layers.deserialize`: the layer `serialize` described, its class looked up in the registry.

    Example:
      >>> import kerasish as ks
      >>> deserialize(serialize(ks.layers.Dense(3, name="d"))).units
      3
    """
    return deserialize_layer(config, "config", "layers.deserialize", custom_objects)
