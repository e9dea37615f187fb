"""Learning-rate callbacks: `LearningRateScheduler` (a function of the epoch) and `ReduceLROnPlateau`.

Both read and set `model.optimizer.learning_rate`. The rate lives in the optimizer STATE
(`optax.inject_hyperparams`), an input of the compiled train step, so changing it between epochs
never recompiles. As in Keras, each adds the rate the epoch ran with to the epoch's logs as
`"learning_rate"`, and prints its messages (`verbose > 0`) the way Keras does, to stdout.

An optax schedule given to the optimizer (`ks.optimizers.SGD(optax.exponential_decay(...))`) changes
the rate every step by itself; such a rate cannot also be set by these callbacks.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from kerasish.callbacks.callback import Callback
from kerasish.callbacks.monitor import MonitorCallback, check_int, check_number, check_verbose, print_msg


def _positional_arity(fn: Callable) -> int:
    """How many positional arguments `fn` takes (2 when it takes *args or cannot be inspected)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 2
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def current_learning_rate(model, callback: str) -> float:
    """`model.optimizer.learning_rate` as a float, or a clear error if the optimizer has none to set."""
    value = model.optimizer.learning_rate
    if value is None or callable(value):
        raise ValueError(f"{callback} needs an optimizer with a learning rate it can read and set: a kerasish "
                         f"optimizer with a float learning_rate, or an optax transformation built with "
                         f"optax.inject_hyperparams(...)(learning_rate=...). Received {model.optimizer!r}.")
    return float(value)


def add_learning_rate(model, logs: Any) -> None:
    """Puts the optimizer's rate in the epoch's logs as `"learning_rate"`, as Keras's learning-rate callbacks do.

    The logs are the dict the loop passes to every callback's `on_epoch_end`, so the callbacks after this one see
    the key (the loop already put it there for the History, which runs first). Nothing when `logs` is None.
    """
    if isinstance(logs, dict):
        logs["learning_rate"] = current_learning_rate(model, "The learning-rate callback")


def _as_learning_rate(value: Any, epoch: int) -> float:
    if not isinstance(value, (numbers.Real, str)):  # a NumPy or JAX scalar
        array = np.asarray(value)
        if array.shape == () and array.dtype.kind in "iuf":
            value = array.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"The `schedule` of LearningRateScheduler must return a positive finite float, but "
                         f"returned {value!r} for epoch {epoch}.")
    return float(value)


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of every epoch to `schedule(epoch, lr)`.

    Args:
      schedule: a function `(epoch, lr) -> new_lr` (epoch counts from 0, `lr` is the current rate), or
        `epoch -> new_lr` (a one-argument function, e.g. an optax schedule evaluated per epoch). It must
        return a positive float (a scalar NumPy or JAX array is accepted).
      verbose: 0 silent, 1 (or more) prints the rate set at each epoch.

    Raises:
      TypeError: if `schedule` is not callable.
      ValueError: for an invalid `verbose`; during `fit`, if `schedule` returns anything but a positive
        finite number, or the optimizer's rate cannot be set (it is itself an optax schedule).

    Example:
      >>> halve_after_five = LearningRateScheduler(lambda epoch, lr: lr if epoch < 5 else lr / 2)
    """

    def __init__(self, schedule: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"Argument `schedule` of LearningRateScheduler must be a function (epoch, lr) -> lr "
                            f"or epoch -> lr, received {schedule!r}.")
        self.schedule, self.verbose = schedule, check_verbose("LearningRateScheduler", verbose)
        self._takes_lr = _positional_arity(schedule) >= 2

    logs_learning_rate = True  # the epoch's logs hold `learning_rate`, as Keras's callback adds it

    @property
    def reads_weights_during_training(self) -> bool:
        return False

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        optimizer = self.model.optimizer
        if self._takes_lr:
            raw = self.schedule(epoch, current_learning_rate(self.model, "LearningRateScheduler"))
        else:
            raw = self.schedule(epoch)
        optimizer.learning_rate = value = _as_learning_rate(raw, epoch)
        if self.verbose:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {value}.")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        add_learning_rate(self.model, logs)


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` once `monitor` has not improved for `patience` epochs.

    Keras 3's rules, at the end of each epoch whose logs hold `monitor`: during a cooldown the counter
    goes down and `wait` is reset; an improvement (by more than `|min_delta|`) sets `best` and resets
    `wait`; otherwise, out of cooldown, `wait += 1`, and when `wait >= patience` the rate becomes
    `max(lr * factor, min_lr)` (if it is still above `min_lr`), `wait = 0` and a cooldown of
    `cooldown` epochs starts. The new rate applies from the next step, without recompiling.

    Args:
      monitor: the key of the epoch logs to watch.
      factor: the multiplier, in (0, 1).
      patience: epochs without improvement before reducing, `>= 0`.
      verbose: 0 silent, 1 (or more) prints each reduction.
      mode: `"min"`, `"max"` or `"auto"` (from the name, see `EarlyStopping`).
      min_delta: the smallest change that counts as an improvement.
      cooldown: epochs to wait after a reduction before counting again, `>= 0`.
      min_lr: the lowest rate, `>= 0`.

    Attributes:
      best, wait, cooldown_counter: the state, reset at the start of each `fit`.

    Raises:
      ValueError: for an invalid argument; during `fit`, for a monitored key missing from the logs.

    Example:
      >>> ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2).mode
      'min'
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0) -> None:
        super().__init__(monitor, mode, min_delta)
        factor = check_number("ReduceLROnPlateau", "factor", factor)
        if not 0.0 < factor < 1.0:
            raise ValueError(f"Argument `factor` of ReduceLROnPlateau must be in (0, 1) (new_lr = lr * factor), "
                             f"received factor={factor!r}.")
        self.factor = factor
        self.patience = check_int("ReduceLROnPlateau", "patience", patience)
        self.cooldown = check_int("ReduceLROnPlateau", "cooldown", cooldown)
        self.min_lr = check_number("ReduceLROnPlateau", "min_lr", min_lr)
        if self.min_lr < 0:
            raise ValueError(f"Argument `min_lr` of ReduceLROnPlateau must be >= 0, received min_lr={min_lr!r}.")
        self.verbose = check_verbose("ReduceLROnPlateau", verbose)
        self._reset()

    def _reset(self) -> None:
        self.best: float | None = None
        self.wait = 0
        self.cooldown_counter = 0

    logs_learning_rate = True  # the epoch's logs hold `learning_rate`, as Keras's callback adds it

    @property
    def reads_weights_during_training(self) -> bool:
        return False

    def get_state(self) -> dict[str, Any]:
        """`best`, `wait` and `cooldown_counter` (the learning rate itself is in the optimizer state)."""
        return {**self._monitor_state(), "best": self.best, "wait": self.wait,
                "cooldown_counter": self.cooldown_counter}

    def set_state(self, state: dict[str, Any]) -> None:
        self._set_monitor_state(state)
        self.best, self.wait, self.cooldown_counter = state["best"], int(state["wait"]), int(state["cooldown_counter"])

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None) -> None:
        self._reset()
        self._check_validation_planned()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        add_learning_rate(self.model, logs)  # the rate this epoch ran with, before any reduction
        current = self._monitor_value(logs, epoch)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter, self.wait = self.cooldown, 0

    def _reduce(self, epoch: int) -> bool:
        optimizer = self.model.optimizer
        old = current_learning_rate(self.model, "ReduceLROnPlateau")
        if old <= np.float32(self.min_lr):
            return False
        new = max(old * self.factor, self.min_lr)
        optimizer.learning_rate = new
        if self.verbose:
            print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
        return True

    def on_train_end(self, logs=None) -> None:
        self._check_validation_seen()
