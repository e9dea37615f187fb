"""`FlaxLayer`: any `flax.nnx.Module` (anything written with the low-level API) as a kerasish layer."""

from __future__ import annotations

import inspect
import json
from typing import Any

from flax import nnx

from kerasish import random as _random
from kerasish import registry
from kerasish.layers.base import Layer


class FlaxLayer(Layer):
    """Wraps a built `flax.nnx.Module` so it goes inside a kerasish model and trains with `fit`.

    Its `nnx.Param`s are trained, its other variables (`nnx.BatchStat`, RNG streams) are carried
    through the compiled step like any layer's. The training flag reaches the module as its
    `training` / `deterministic` / `use_running_average` call argument when its `__call__` takes one;
    otherwise through `set_attributes(deterministic=..., use_running_average=...)`, which is how
    `nnx.Dropout` and `nnx.BatchNorm` switch mode.

    A model holding a FlaxLayer saves with `model.save` only when the layer was made from a registered
    `module_factory` (a module is code, and a model file stores none): the file records the factory's
    registered name and `factory_kwargs`, and `load_model` calls that factory again, then loads the weights.

    Args:
      module: the module; it owns its weights (already created, e.g. `nnx.Linear(4, 3, rngs=...)`).
      module_factory: instead of `module`, a callable building it (a function, or a flax.nnx.Module class),
        registered with `@kerasish.saving.register_serializable()` for the model to be saveable. When it
        takes `rngs` and `factory_kwargs` gives none, it receives `nnx.Rngs` from kerasish's global seed.
      factory_kwargs: the keyword arguments of `module_factory`: JSON values (numbers, strings, lists, dicts).
      **kwargs: `name`, `trainable`.

    Example:
      >>> import jax.numpy as jnp
      >>> from flax import nnx
      >>> import kerasish as ks
      >>> layer = ks.layers.FlaxLayer(nnx.Linear(4, 3, rngs=nnx.Rngs(0)))
      >>> layer(jnp.ones((2, 4))).shape, layer.count_params()
      ((2, 3), 15)

      Saveable, through a registered factory:

      >>> _ = ks.saving.register_serializable(package="flax")(nnx.Linear)
      >>> layer = ks.layers.FlaxLayer(module_factory=nnx.Linear,
      ...                             factory_kwargs={"in_features": 4, "out_features": 3})
      >>> layer.get_config()["module_factory"]
      'flax>Linear'
    """

    def __init__(self, module: nnx.Module | None = None, *, module_factory: Any = None,
                 factory_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.module_factory = module_factory
        self.factory_kwargs = dict(factory_kwargs or {})
        if module_factory is not None:
            module = self._make_module(module)
        elif factory_kwargs is not None:
            raise ValueError(f"Argument `factory_kwargs` of FlaxLayer goes with `module_factory`, which is None; "
                             f"received factory_kwargs={factory_kwargs!r}.")
        if not isinstance(module, nnx.Module) or isinstance(module, Layer):
            raise TypeError(f"Argument `module` of FlaxLayer must be a flax.nnx.Module (not a kerasish Layer), "
                            f"received {module!r} of type {type(module).__name__}.")
        self.module = module
        params = inspect.signature(type(module).__call__).parameters
        self._mode_argument = next((n for n in ("training", "deterministic", "use_running_average")
                                    if n in params), None)

    def rows_independent(self, training: bool) -> bool:
        return False  # arbitrary code: its rows may mix

    def call(self, x, training: bool = False):
        if self._mode_argument == "training":
            return self.module(x, training=training)
        if self._mode_argument is not None:
            return self.module(x, **{self._mode_argument: not training})
        # The mode flags are static attributes: left changed, they would change the model's graph definition, so
        # an eager call between two fits would recompile and restart the optimizer. Restored after the call.
        modes = ("deterministic", "use_running_average")
        previous = [(node, {name: getattr(node, name) for name in modes if name in vars(node)})
                    for _, node in nnx.iter_graph(self.module) if isinstance(node, nnx.Module)]
        self.module.set_attributes(deterministic=not training, use_running_average=not training,
                                   raise_if_not_found=False)
        try:
            return self.module(x)
        finally:
            for node, values in previous:
                for name, value in values.items():
                    setattr(node, name, value)

    def _make_module(self, module: Any) -> nnx.Module:
        factory, arguments = self.module_factory, dict(self.factory_kwargs)
        if module is not None:
            raise ValueError("FlaxLayer takes either `module` or `module_factory`, not both.")
        if not callable(factory):
            raise TypeError(f"Argument `module_factory` of FlaxLayer must be a callable returning a flax.nnx.Module, "
                            f"received {factory!r}.")
        try:
            json.dumps(arguments)
        except (TypeError, ValueError):
            raise TypeError(f"Argument `factory_kwargs` of FlaxLayer must hold JSON values (numbers, strings, lists, "
                            f"dicts) so that a model file can store them, received {arguments!r}.") from None
        try:
            # An nnx.Module class's metaclass hides its __init__ signature from inspect.signature(cls).
            target = factory.__init__ if isinstance(factory, type) else factory
            takes_rngs = "rngs" in inspect.signature(target).parameters
        except (TypeError, ValueError):  # a callable without a readable signature
            takes_rngs = False
        if takes_rngs and "rngs" not in arguments:
            arguments["rngs"] = nnx.Rngs(_random.next_key())
        module = factory(**arguments)
        if not isinstance(module, nnx.Module) or isinstance(module, Layer):
            raise TypeError(f"Argument `module_factory` of FlaxLayer must return a flax.nnx.Module (not a kerasish "
                            f"Layer); {factory!r} returned {module!r}.")
        return module

    def get_config(self) -> dict[str, Any]:
        """The registered name of `module_factory` and its `factory_kwargs`.

        Raises:
          ValueError: for a layer made from a module object, or from a factory that is not registered (the
            message says how to make it saveable).
        """
        how = ("build the layer as FlaxLayer(module_factory=make_module, factory_kwargs={...}) with make_module "
               "(a function or flax.nnx.Module class) decorated by @kerasish.saving.register_serializable()")
        if self.module_factory is None:
            raise ValueError(f"FlaxLayer '{self.name}' wraps a {type(self.module).__name__} object, which is code, and "
                             f"a model file stores no code, so it cannot be saved: {how}.")
        name = registry.get_registered_name(self.module_factory) if registry.is_registered(self.module_factory) \
            else None
        if name is None:
            raise ValueError(f"FlaxLayer '{self.name}' was made by module_factory {self.module_factory!r}, which is "
                             f"not registered, so load_model could not rebuild it: {how}.")
        return {**super().get_config(), "module_factory": name, "factory_kwargs": self.factory_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> FlaxLayer:
        """Calls the registered factory the config names (and nothing else) to rebuild the module."""
        config = dict(config)
        factory = module_factory(config.pop("module_factory", None))
        return cls(module_factory=factory, factory_kwargs=config.pop("factory_kwargs", None) or {}, **config)


def module_factory(name: Any):
    """The module factory a file names: a callable registered with `register_serializable` that is not a Layer.

    Raises:
      ValueError: for anything not registered as one (nothing in the file is run).
    """
    found = registry.get_custom_objects().get(name) if isinstance(name, str) else None
    if found is None or (isinstance(found, type) and issubclass(found, Layer)):
        raise ValueError(f"A model file names module factory {name!r}, which is not registered: decorate the function "
                         f"(or flax.nnx.Module class) that builds the module with "
                         f"@kerasish.saving.register_serializable() before load_model (nothing in the file was run).")
    return found
