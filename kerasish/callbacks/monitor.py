"""`MonitorCallback`: what EarlyStopping, ReduceLROnPlateau and ModelCheckpoint share.

A monitor watches one key of the epoch logs (`"val_loss"`, `"accuracy"`, ...) in one direction:

- `mode="min"`: `current` improves on `reference` when `current < reference - |min_delta|`;
- `mode="max"`: when `current > reference + |min_delta|`;
- `mode="auto"`: the direction comes from the name (see `infer_mode`); an unknown name is an error.

Stricter than Keras, which warns and goes on: an invalid `mode` is a `ValueError`, and so is a monitored
key missing from the logs of an epoch — except a `val_*` key on an epoch that ran no validation at all
(skipped by `fit(validation_freq=...)`): that epoch is simply not monitored. A `val_*` key that no epoch
of a whole `fit` ever reported is an error at the end of a fit that ran all its epochs (or at its start,
when the loop says in `params["do_validation"]` that there is no validation data).
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from typing import Any

from kerasish.callbacks.callback import Callback

#: Words in a metric name that mean "higher is better" / "lower is better" (names are split on `_`).
MAX_WORDS = frozenset({"accuracy", "acc", "auc", "precision", "recall", "f1", "fbeta", "iou"})
MIN_WORDS = frozenset({"loss", "error", "crossentropy", "mse", "mae", "mape", "msle", "rmse", "hinge", "divergence",
                       "kld", "poisson", "logcosh", "huber"})


def infer_mode(monitor: str, callback: str = "callback") -> str:
    """The direction of a metric from its name: `"min"` for losses and errors, `"max"` for accuracies.

    The `val_` prefix is ignored; the name is split on `_` and its words looked up (`f1_score` and
    `sparse_categorical_accuracy` are "max", `val_loss` and `mean_squared_error` are "min").

    Args:
      monitor: the monitored key of the logs.
      callback: the callback's name, for the error message.

    Returns:
      `"min"` or `"max"`.

    Raises:
      ValueError: if the name says neither, or both.

    Example:
      >>> infer_mode("val_loss"), infer_mode("sparse_categorical_accuracy"), infer_mode("val_auc")
      ('min', 'max', 'max')
    """
    words = set(re.split(r"[_\W]+", monitor.removeprefix("val_").lower()))
    up, down = bool(words & MAX_WORDS), bool(words & MIN_WORDS)
    if up != down:
        return "max" if up else "min"
    raise ValueError(f"{callback} cannot tell from the name whether monitor={monitor!r} should be minimized or "
                     f"maximized. Pass mode='min' or mode='max'.")


def check_int(callback: str, name: str, value: Any, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"Argument `{name}` of {callback} must be an int >= {low}, received {name}={value!r}.")
    return int(value)


def print_msg(message: str) -> None:
    """Writes a callback's message and a newline to `sys.stdout`, as Keras's `io_utils.print_msg` does.

    Example:
      >>> print_msg("Epoch 3: early stopping")
      Epoch 3: early stopping
    """
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


def check_verbose(callback: str, verbose: Any) -> int:
    """Keras's callbacks print when `verbose > 0`: any int >= 0 is accepted (fit's 2 included)."""
    if isinstance(verbose, bool) or not isinstance(verbose, numbers.Integral) or verbose < 0:
        raise ValueError(f"Argument `verbose` of {callback} must be an int >= 0 (0: silent, 1 or more: print "
                         f"messages), received verbose={verbose!r}.")
    return int(verbose)


def check_number(callback: str, name: str, value: Any, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"Argument `{name}` of {callback} must be a finite number{' or None' if allow_none else ''}"
                         f", received {name}={value!r}.")
    return float(value)


class MonitorCallback(Callback):
    """Base of the callbacks that watch one key of the epoch logs.

    Args:
      monitor: the key of the logs to watch, e.g. `"val_loss"`.
      mode: `"min"`, `"max"` or `"auto"` (from the name, see `infer_mode`).
      min_delta: the smallest change that counts as an improvement (its sign is ignored).

    Raises:
      ValueError: for a `monitor` that is not a non-empty string, an invalid `mode`, a `min_delta` that
        is not a finite number, or `mode="auto"` on a name of unknown direction.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"Argument `monitor` of {name} must be the name of a key of the logs, e.g. 'val_loss', "
                             f"received monitor={monitor!r}.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"Argument `mode` of {name} must be 'auto', 'min' or 'max', received mode={mode!r}.")
        self.monitor = monitor
        self.mode = infer_mode(monitor, name) if mode == "auto" else mode
        self.min_delta = abs(check_number(name, "min_delta", min_delta))
        self._seen_validation = False

    def _monitor_state(self) -> dict[str, Any]:
        """What every monitor adds to its `get_state()`."""
        return {"seen_validation": self._seen_validation}

    def _set_monitor_state(self, state: dict[str, Any]) -> None:
        self._seen_validation = bool(state["seen_validation"])

    def _is_improvement(self, current: float, reference: float | None) -> bool:
        """Whether `current` beats `reference` by more than `min_delta` (anything beats None).

        A non-finite `current` (NaN, inf) never improves: Keras would make a NaN the best value, after
        which nothing could improve on it.
        """
        if not math.isfinite(current):
            return False
        if reference is None:
            return True
        if self.mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def _check_validation_planned(self) -> None:
        """At train begin: a `val_*` monitor with no validation data at all cannot work."""
        self._seen_validation = False
        if self.monitor.startswith("val_") and self.params.get("do_validation") is False:
            raise ValueError(self._no_validation_message())

    def _check_validation_seen(self) -> None:
        """At the end of a fit that ran all its epochs: a `val_*` monitor that never saw a value was
        misconfigured (a fit stopped early by another callback may just not have reached validation)."""
        if self.monitor.startswith("val_") and not self._seen_validation and not self.model.stop_training:
            raise ValueError(self._no_validation_message())

    def _no_validation_message(self) -> str:
        return (f"{type(self).__name__} monitors {self.monitor!r}, but no epoch of this fit ran validation. Pass "
                f"`validation_data` or `validation_split` to fit, or monitor a training key such as "
                f"{self.monitor.removeprefix('val_')!r}.")

    def _monitor_value(self, logs: Any, epoch: int) -> float | None:
        """The monitored value of this epoch's logs, or None on an epoch that skipped validation.

        Raises:
          ValueError: if the key is missing from logs that could have it (the message lists the keys).
        """
        logs = logs or {}
        if any(key.startswith("val_") for key in logs):
            self._seen_validation = True
        value = logs.get(self.monitor)
        if value is None:
            if self.monitor.startswith("val_") and not any(key.startswith("val_") for key in logs):
                return None  # validation was skipped this epoch (fit's validation_freq)
            raise ValueError(f"{type(self).__name__} monitors {self.monitor!r}, which is not in the logs of epoch "
                             f"{epoch + 1}. The logs hold: {sorted(logs)}. Pass one of these as `monitor`, or add "
                             f"the metric to compile(metrics=[...]).")
        return float(value)
