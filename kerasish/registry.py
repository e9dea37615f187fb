"""Which names a saved file may use for a class or a function: the one place that maps names to objects.

Two tables, as in Keras:

- **built-in objects**, per family (`"layers"`, `"losses"`, `"metrics"`, `"optimizers"`, ...), under their
  plain class name. Each family registers its own classes as they are defined (`register_builtin`), so
  this module imports nothing of kerasish and every floor above may use it. Families are separate
  because names repeat across them (`MeanSquaredError` is a loss and a metric).
- **custom objects**, shared by every family, under `"package>name"`: what a user registered with
  `@register_serializable()` (Keras's `register_keras_serializable`), plus what a `custom_object_scope`
  adds for a while.

Loading a file only ever looks names up here and calls the class's `from_config`: a name found in
neither table is an error, and nothing in a file runs as code.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_BUILTINS: dict[str, dict[str, Any]] = {}
_CUSTOM: dict[str, Any] = {}  # "package>name" -> class or function (what get_custom_objects() returns)
_NAMES: dict[int, tuple[Any, str]] = {}  # id(object) -> (object, registered name): kept alive by _CUSTOM


class _Scopes(threading.local):
    def __init__(self) -> None:
        self.stack: list[dict[str, Any]] = []


_scopes = _Scopes()


def register_builtin(family: str, obj: Any, name: str | None = None) -> Any:
    """Records one of kerasish's own classes (or functions) as `family`'s `name` (its `__name__` by default).

    Returns `obj`, so it works as a decorator. Registering another object under a taken name is a
    `ValueError`: two built-ins never share a name within a family.
    """
    name = name or obj.__name__
    table = _BUILTINS.setdefault(family, {})
    if table.get(name, obj) is not obj:
        raise ValueError(f"Built-in {family} name {name!r} is already taken by {table[name]!r}.")
    table[name] = obj
    return obj


def builtins(family: str) -> dict[str, Any]:
    """A copy of `family`'s built-in table, `{name: object}`."""
    return dict(_BUILTINS.get(family, {}))


def register_serializable(package: str = "Custom", name: str | None = None):
    """Decorator: lets saved files name a custom class (a Layer, a Model, a loss, a metric, ...) or a function.

    Keras's `register_keras_serializable`: the object is recorded as `"package>name"`, loading looks it up
    under that name and calls its `from_config` (a function is returned as it is).

    Args:
      package: a namespace for the name (`"Custom"` by default), as in Keras.
      name: the registered name (the object's `__name__` by default).

    Raises:
      TypeError: for a package that is not a non-empty string, or an object that is not callable.
      ValueError: for an object without a usable name (a lambda) and no `name`.

    Example:
      >>> @register_serializable(package="my_project")
      ... def double(x):
      ...     return 2 * x
      >>> get_registered_name(double), get_registered_object("my_project>double") is double
      ('my_project>double', True)
    """
    if not isinstance(package, str) or not package:
        raise TypeError(f"Argument `package` of register_serializable must be a non-empty string, received "
                        f"{package!r}.")
    if name is not None and (not isinstance(name, str) or not name):
        raise TypeError(f"Argument `name` of register_serializable must be a non-empty string, received {name!r}.")

    def decorate(obj: Any) -> Any:
        if not callable(obj):
            raise TypeError(f"register_serializable decorates classes and functions, received {obj!r}.")
        own = name or getattr(obj, "__name__", "")
        if not own or own == "<lambda>":
            raise ValueError(f"register_serializable needs a `name` for {obj!r}, which has no usable __name__.")
        key = f"{package}>{own}"
        _CUSTOM[key] = obj
        _NAMES[id(obj)] = (obj, key)
        return obj
    return decorate


def get_registered_name(obj: Any) -> str:
    """The name a file records for `obj`: `"package>name"` when registered, else its `__name__` (Keras's rule)."""
    entry = _NAMES.get(id(obj))
    if entry is not None and entry[0] is obj:
        return entry[1]
    return getattr(obj, "__name__", type(obj).__name__)


def is_registered(obj: Any) -> bool:
    """Whether `obj` was registered with `register_serializable`."""
    entry = _NAMES.get(id(obj))
    return entry is not None and entry[0] is obj


def builtin_name(family: str, obj: Any) -> str | None:
    """`obj`'s name in `family`'s built-in table, or None when it is not one of them."""
    name = getattr(obj, "__name__", None)
    return name if name is not None and _BUILTINS.get(family, {}).get(name) is obj else None


def get_custom_objects() -> dict[str, Any]:
    """The global custom-object dict (Keras's `get_custom_objects`): entries added to it are found by name."""
    return _CUSTOM


@contextlib.contextmanager
def custom_object_scope(*objects: dict[str, Any] | None) -> Iterator[None]:
    """Within the block, names in the given dicts resolve to their objects (Keras's `custom_object_scope`).

    Example:
      >>> with custom_object_scope({"twice": lambda x: 2 * x}):
      ...     get_registered_object("twice")(3)
      6
    """
    merged: dict[str, Any] = {}
    for entry in objects:
        if entry is None:
            continue
        if not isinstance(entry, dict):
            raise TypeError(f"custom_object_scope takes dicts of {{name: object}}, received {entry!r}.")
        merged.update(entry)
    _scopes.stack.append(merged)
    try:
        yield
    finally:
        _scopes.stack.pop()


def get_registered_object(name: str, custom_objects: dict[str, Any] | None = None,
                          module_objects: dict[str, Any] | None = None) -> Any | None:
    """The object registered as `name`, looked up as Keras does: `custom_objects`, the open scopes, the global
    custom objects, then `module_objects`. None when none has it."""
    for table in (custom_objects or {}, *reversed(_scopes.stack), _CUSTOM, module_objects or {}):
        if name in table:
            return table[name]
    return None


def lookup(family: str, name: Any, custom_objects: dict[str, Any] | None = None, what: str = "A saved file") -> Any:
    """The class (or function) a file names for `family`: a custom object first, then a built-in.

    Raises:
      ValueError: for a name that is not a string, or one found nowhere (nothing in the file is run).
    """
    if not isinstance(name, str):
        raise ValueError(f"{what} names a class with {name!r} (among {family}), which is not a class name.")
    found = get_registered_object(name, custom_objects, _BUILTINS.get(family))
    if found is None:
        raise ValueError(f"{what} names class {name!r} (among {family}), which is neither kerasish's nor registered "
                         f"with @kerasish.saving.register_serializable() (nor in custom_objects); nothing in it was "
                         f"run.")
    return found
