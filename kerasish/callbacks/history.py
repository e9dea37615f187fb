"""`History`: every epoch's logs, returned by `fit` and kept as `model.history`."""

from __future__ import annotations

from typing import Any

from kerasish.callbacks.callback import Callback


class History(Callback):
    """Records the logs of each epoch.

    Attributes:
      history: `{"loss": [...], "accuracy": [...], "val_loss": [...], ...}`, one value per epoch
        (a `val_*` list only has entries for the epochs that ran validation).
      epoch: the epoch indices that completed.
      params: `{"epochs", "steps", "verbose"}`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    @property
    def reads_weights_during_training(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"
