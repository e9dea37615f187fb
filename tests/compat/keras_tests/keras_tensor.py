"""Keras's `KerasTensor(shape, dtype)` for the ported tests: kerasish's symbolic tensor of that shape, made the public
way (`ks.Input`). kerasish's symbolic batch axis is always unknown, so `shape[0]` becomes None."""

from __future__ import annotations

import kerasish as ks


def KerasTensor(shape, dtype="float32", sparse=False, ragged=False, name=None):  # noqa: N802 (Keras's class name)
    if sparse or ragged:
        raise NotImplementedError("kerasish has no sparse or ragged tensors")
    shape = tuple(shape)
    return ks.Input(shape[1:], dtype=dtype, name=name)
