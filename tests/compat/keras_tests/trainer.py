"""Keras's `Trainer` mixin, for ported tests that make a model as `class M(Trainer, layers.Dense)`.

In Keras a model is a layer mixed with a trainer (`Model(Trainer, Layer)`); kerasish's `Model` is a layer holding its
training side (`kerasish.training.trainer.Trainer`) instead. This stand-in is a kerasish `Model` whose forward pass,
build and config are those of the layer it is mixed with: the test calls the layer's `__init__` first, then
`Trainer.__init__(self)`, which adds what `Model.__init__` adds beyond a layer (no graph, a training side).
"""

from __future__ import annotations

from typing import Any

from kerasish.models import Model
from kerasish.training.trainer import Trainer as _TrainingSide


class Trainer(Model):
    """`class M(Trainer, SomeLayer)`: a kerasish Model computing as `SomeLayer` (see the module docstring)."""

    def __init__(self) -> None:  # the layer's __init__ has run: only the training side is missing
        self._graph = None
        self._training = _TrainingSide()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The forward pass is the mixed-in layer's `call` itself, signature included (kerasish binds a layer call's
        # arguments to `call`'s signature, as Keras does): the first `call` in the MRO that is not Model's.
        super().__init_subclass__(**kwargs)
        if "call" not in vars(cls):
            cls.call = next(vars(base)["call"] for base in cls.__mro__ if base is not Model and "call" in vars(base))

    def build(self, input_shape: Any) -> None:
        return super(Model, self).build(input_shape)

    def get_config(self) -> dict[str, Any]:
        return super(Model, self).get_config()


def in_symbolic_scope() -> bool:
    """Keras's symbolic build calls `compute_loss` on symbolic tensors; kerasish never does."""
    return False
