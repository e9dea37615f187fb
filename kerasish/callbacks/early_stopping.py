"""`EarlyStopping`: stop training when a monitored quantity stops improving (Keras 3's rules, stricter)."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasish.callbacks.monitor import MonitorCallback, check_int, check_number, check_verbose, print_msg


class EarlyStopping(MonitorCallback):
    """Stops `fit` once `monitor` has not improved for `patience` epochs; can restore the best weights.

    The rules, at the end of each epoch `epoch >= start_from_epoch` whose logs hold `monitor`
    (Keras 3's, step by step):

    1. With `restore_best_weights`, the first monitored epoch's weights are kept as a fallback best.
    2. `wait += 1`.
    3. If `current` improves on `best` (`current < best - |min_delta|` in min mode,
       `current > best + |min_delta|` in max mode; anything improves on no best yet): `best = current`,
       `best_epoch = epoch`, the weights are kept (with `restore_best_weights`), and `wait = 0` — but only
       if `baseline` is None or `current` also improves on `baseline`.
    4. Otherwise, if `wait >= patience` and `epoch > 0`: `stopped_epoch = epoch` and training stops.

    So `patience=0` stops at the first epoch without improvement, and with a `baseline` that is never
    beaten training stops after `patience + 1` monitored epochs. With `restore_best_weights=True` the
    weights of `best_epoch` are put back whenever training ends normally: stopped by this callback, by
    another one, or after the last epoch (not after an exception).

    Stricter than Keras: an invalid `mode` or negative `patience` is a `ValueError` at construction, and
    so is `mode="auto"` for a metric whose direction the name does not tell; a monitored key missing
    from an epoch's logs is a `ValueError` listing the keys there are. Epochs that ran no validation
    (`fit(validation_freq=...)`) are not monitored when `monitor` is a `val_*` key. A NaN or inf value
    never counts as an improvement (Keras would make a first-epoch NaN the unbeatable best).

    Args:
      monitor: the key of the epoch logs to watch (`"val_loss"`, `"accuracy"`, ...).
      min_delta: the smallest change that counts as an improvement; its sign is ignored.
      patience: epochs without improvement before stopping, `>= 0`.
      verbose: 0 silent, 1 (or more) prints when it stops and when it restores weights, as Keras prints it.
      mode: `"min"`, `"max"`, or `"auto"` (losses and errors: min; accuracy, auc, precision, recall,
        f1: max).
      baseline: a value the monitored quantity must beat; `wait` is only reset by epochs that improve on
        both `best` and `baseline`.
      restore_best_weights: put back the weights of the best epoch when training ends.
      start_from_epoch: epochs (0-based) before which nothing is monitored, a warm-up.

    Attributes:
      best: the best value seen (None before the first monitored epoch).
      best_epoch: the 0-based epoch of `best`.
      stopped_epoch: the 0-based epoch at which this callback stopped training; 0 if it did not.
      wait: monitored epochs since the last improvement.

    Raises:
      ValueError: for an invalid argument (see above).

    Example:
      >>> early = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
      >>> early.mode
      'min'
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0) -> None:
        super().__init__(monitor, mode, min_delta)
        name = type(self).__name__
        self.patience = check_int(name, "patience", patience)
        self.verbose = check_verbose(name, verbose)
        self.baseline = check_number(name, "baseline", baseline, allow_none=True)
        if not isinstance(restore_best_weights, bool):
            raise TypeError(f"Argument `restore_best_weights` of {name} must be True or False, received "
                            f"{restore_best_weights!r}.")
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = check_int(name, "start_from_epoch", start_from_epoch)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self._stopped = False
        self.best: float | None = None
        self.best_epoch = 0
        self.best_weights: list | None = None

    @property
    def reads_weights_during_training(self) -> bool:
        return self.restore_best_weights

    def on_train_begin(self, logs=None) -> None:
        self._reset()  # one instance serves several fits
        self._check_validation_planned()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        current = self._monitor_value(logs, epoch)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:  # as Keras: never at the first epoch
            self.stopped_epoch, self._stopped = epoch, True
            self.model.stop_training = True

    def get_state(self) -> dict[str, Any]:
        """`wait`, `best`, `best_epoch`, `stopped_epoch` and, with `restore_best_weights`, the best weights."""
        return {**self._monitor_state(), "wait": self.wait, "best": self.best, "best_epoch": self.best_epoch,
                "stopped_epoch": self.stopped_epoch, "stopped": self._stopped,
                "best_weights": None if self.best_weights is None else [np.asarray(w) for w in self.best_weights]}

    def set_state(self, state: dict[str, Any]) -> None:
        self._set_monitor_state(state)
        self.wait, self.best, self.best_epoch = int(state["wait"]), state["best"], int(state["best_epoch"])
        self.stopped_epoch, self._stopped = int(state["stopped_epoch"]), bool(state["stopped"])
        self.best_weights = None if state["best_weights"] is None else list(state["best_weights"])

    def on_train_end(self, logs=None) -> None:
        if self._stopped and self.verbose:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
        self._check_validation_seen()

    def __repr__(self) -> str:
        return (f"EarlyStopping(monitor={self.monitor!r}, mode={self.mode!r}, patience={self.patience}, "
                f"min_delta={self.min_delta}, baseline={self.baseline}, "
                f"restore_best_weights={self.restore_best_weights}, start_from_epoch={self.start_from_epoch})")
