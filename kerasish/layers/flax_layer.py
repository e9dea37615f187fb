"""`FlaxLayer`: any `flax.nnx.Module` (anything written with the low-level API) as a kerasish layer."""

from __future__ import annotations

import inspect
from typing import Any

from flax import nnx

from kerasish.layers.base import Layer


class FlaxLayer(Layer):
    """Wraps a built `flax.nnx.Module` so it goes inside a kerasish model and trains with `fit`.

    Its `nnx.Param`s are trained, its other variables (`nnx.BatchStat`, RNG streams) are carried
    through the compiled step like any layer's. The training flag reaches the module as its
    `training` / `deterministic` / `use_running_average` call argument when its `__call__` takes one;
    otherwise through `set_attributes(deterministic=..., use_running_average=...)`, which is how
    `nnx.Dropout` and `nnx.BatchNorm` switch mode.

    Args:
      module: the module; it owns its weights (already created, e.g. `nnx.Linear(4, 3, rngs=...)`).
      **kwargs: `name`, `trainable`.

    Example:
      >>> import jax.numpy as jnp
      >>> from flax import nnx
      >>> import kerasish as ks
      >>> layer = ks.layers.FlaxLayer(nnx.Linear(4, 3, rngs=nnx.Rngs(0)))
      >>> layer(jnp.ones((2, 4))).shape, layer.count_params()
      ((2, 3), 15)
    """

    def __init__(self, module: nnx.Module, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(module, nnx.Module) or isinstance(module, Layer):
            raise TypeError(f"Argument `module` of FlaxLayer must be a flax.nnx.Module (not a kerasish Layer), "
                            f"received {module!r} of type {type(module).__name__}.")
        self.module = module
        params = inspect.signature(type(module).__call__).parameters
        self._mode_argument = next((n for n in ("training", "deterministic", "use_running_average")
                                    if n in params), None)

    def call(self, x, training: bool = False):
        if self._mode_argument == "training":
            return self.module(x, training=training)
        if self._mode_argument is not None:
            return self.module(x, **{self._mode_argument: not training})
        self.module.set_attributes(deterministic=not training, use_running_average=not training,
                                   raise_if_not_found=False)
        return self.module(x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "module": type(self.module).__name__}
