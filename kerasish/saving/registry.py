"""Which classes a model file may name: kerasish's own layers and models, plus those registered.

Loading looks a class up here by name and calls its `from_config`; a name that is not here is an
error. Nothing else in a file is ever interpreted as code.
"""

from __future__ import annotations

from typing import Any

_CUSTOM: dict[str, type] = {}


def register_serializable(package: str = "Custom", name: str | None = None):
    """Class decorator: lets `load_model` rebuild a custom Layer or Model from its `get_config()`.

    Args:
      package: a namespace for the name (`"Custom"` by default), as in Keras.
      name: the registered name (the class name by default).

    Example:
      >>> import kerasish as ks
      >>> @ks.saving.register_serializable()
      ... class Scale(ks.layers.Layer):
      ...     def call(self, x):
      ...         return 2 * x
      >>> registered_name(Scale)
      'Custom>Scale'
    """
    if not isinstance(package, str) or not package:
        raise TypeError(f"Argument `package` of register_serializable must be a non-empty string, received "
                        f"{package!r}.")

    def decorate(cls: type) -> type:
        from kerasish.layers.base import Layer
        if not (isinstance(cls, type) and issubclass(cls, Layer)):
            raise TypeError(f"register_serializable decorates Layer or Model classes, received {cls!r}.")
        key = f"{package}>{name or cls.__name__}"
        _CUSTOM[key] = cls
        cls._registered_name = key
        return cls
    return decorate


def _builtins() -> dict[str, type]:
    from kerasish import layers, models
    found = {name: getattr(layers, name) for name in layers.__all__ if isinstance(getattr(layers, name), type)}
    found.update({"Sequential": models.Sequential, "Model": models.Model})
    return found


def registered_name(cls: type) -> str:
    """The name a file records for `cls`; raises for a class `load_model` could not find."""
    own = cls.__dict__.get("_registered_name")
    if own is not None:
        return own
    if _builtins().get(cls.__name__) is cls:
        return cls.__name__
    raise ValueError(f"Class {cls.__module__}.{cls.__qualname__} is not registered, so a saved model could not be "
                     f"loaded: decorate it with @kerasish.saving.register_serializable().")


def get_class(name: Any) -> type:
    """The class recorded as `name` in a file; a ValueError for anything unknown."""
    if not isinstance(name, str):
        raise ValueError(f"A model file names a class with {name!r}, which is not a class name.")
    found = _CUSTOM.get(name) or _builtins().get(name)
    if found is None:
        raise ValueError(f"A model file names class {name!r}, which is neither a kerasish class nor registered with "
                         f"@kerasish.saving.register_serializable(); it was not loaded (nothing in it was run).")
    return found
