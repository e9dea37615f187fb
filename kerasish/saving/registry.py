"""Which classes a model file may name: kerasish's own layers and models, plus those registered.

Loading looks a class up here by name and calls its `from_config`; a name that is not here is an
error. A registered callable that is not a Layer (a function or class building a `flax.nnx.Module`) is a
module factory: a `FlaxLayer(module_factory=...)` names it, and loading calls it with the saved keyword
arguments. Nothing else in a file is ever interpreted as code.
"""

from __future__ import annotations

from typing import Any

_CUSTOM: dict[str, type] = {}
_FACTORIES: dict[str, Any] = {}  # registered name -> module factory (FlaxLayer's `module_factory`)
_FACTORY_NAMES: dict[Any, str] = {}


def register_serializable(package: str = "Custom", name: str | None = None):
    """Decorator: lets `load_model` rebuild a custom Layer or Model from its `get_config()`, or a
    `FlaxLayer` from its registered `module_factory` (any other callable: a function or a flax.nnx.Module
    class returning the module).

    Args:
      package: a namespace for the name (`"Custom"` by default), as in Keras.
      name: the registered name (the class or function name by default).

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
            if not callable(cls):
                raise TypeError(f"register_serializable decorates Layer or Model classes, or module factories "
                                f"(callables returning a flax.nnx.Module), received {cls!r}.")
            key = f"{package}>{name or getattr(cls, '__name__', '')}"
            if key.endswith(">") or key.endswith("<lambda>"):
                raise ValueError(f"register_serializable needs a `name` for {cls!r}, which has no usable __name__.")
            _FACTORIES[key] = cls
            _FACTORY_NAMES[cls] = key
            return cls
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


def factory_name(factory: Any) -> str | None:
    """The name `factory` was registered under as a module factory, or None."""
    try:
        return _FACTORY_NAMES.get(factory)
    except TypeError:  # an unhashable callable cannot have been registered
        return None


def get_factory(name: Any):
    """The module factory a file names; a ValueError for anything not registered as one."""
    found = _FACTORIES.get(name) if isinstance(name, str) else None
    if found is None:
        raise ValueError(f"A model file names module factory {name!r}, which is not registered: decorate the function "
                         f"(or flax.nnx.Module class) that builds the module with "
                         f"@kerasish.saving.register_serializable() before load_model (nothing in the file was run).")
    return found
