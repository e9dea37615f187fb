"""Keras's `Trainer` mixin, for ported tests that make a model as `class M(Trainer, layers.Dense)`.

In Keras a model is a layer mixed with a trainer (`Model(Trainer, Layer)`); kerasish's `Model` is a layer holding its
training side (`kerasish.training.trainer.Trainer`) instead. This stand-in is a kerasish `Model` whose forward pass,
build and config are those of the layer it is mixed with: the test calls the layer's `__init__` first, then
`Trainer.__init__(self)`, which adds what `Model.__init__` adds beyond a layer (no graph, a training side).
"""

from __future__ import annotations

import inspect
from typing import Any

from kerasish.models import Model
from kerasish.training.trainer import Trainer as _TrainingSide


class Trainer(Model):
    """`class M(Trainer, SomeLayer)`: a kerasish Model computing as `SomeLayer` (see the module docstring)."""

    def __init__(self) -> None:  # the layer's __init__ has run: only the training side is missing
        self._graph = None
        self._training = _TrainingSide()

    def call(self, *args: Any, **kwargs: Any) -> Any:
        call = super(Model, self).call
        accepted = inspect.signature(call).parameters
        if not any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
            kwargs = {k: v for k, v in kwargs.items() if k in accepted}  # a layer without `training`
        return call(*args, **kwargs)

    def build(self, input_shape: Any) -> None:
        return super(Model, self).build(input_shape)

    def get_config(self) -> dict[str, Any]:
        return super(Model, self).get_config()


def in_symbolic_scope() -> bool:
    """Keras's symbolic build calls `compute_loss` on symbolic tensors; kerasish never does."""
    return False
