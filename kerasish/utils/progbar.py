"""Keras's `Progbar`: the text progress bar that custom training loops update by hand.

`fit` draws its own bars (`kerasish.callbacks.ProgbarLogger`); this is the class the Keras guides use in
hand-written loops (`bar = Progbar(steps); bar.update(step, values=[("loss", loss)])`). It writes what
Keras's writes: the count, a bar, the ETA or the elapsed time, the time per step, and the running mean of
each value (or the last value, for names in `stateful_metrics`).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["Progbar"]


def _write(message: str) -> None:
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:  # a terminal that cannot show the bar's characters
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.write(message.replace("━", "=").encode(encoding, errors="ignore").decode(encoding))
    sys.stdout.flush()


def _format_duration(seconds: float, unit_name: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(eta: float) -> str:
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


class Progbar:
    """A text progress bar, as Keras's `keras.utils.Progbar`.

    Values passed to `update` are averaged over the steps seen (weighted by how many steps each update
    covers), except those named in `stateful_metrics`, shown as given. With `stateless_metrics` instead,
    only the names listed there are averaged. As in Keras, the last update (`finalize`, by default when
    `current` reaches `target`) shows its values as given: pass the epoch's figures there.

    Args:
      target: the total number of steps, or None when unknown.
      width: the bar's width in characters.
      verbose: 0 (silent), 1 (a bar redrawn in place, at most every `interval` seconds) or 2 (one line
        when the target is reached).
      interval: the least time, in seconds, between two redraws with verbose=1.
      stateful_metrics: names whose values are shown as given, not averaged.
      stateless_metrics: names whose values are averaged (all others shown as given); not together with
        `stateful_metrics`.
      unit_name: what a step is called in the time per step ("step", "sample", ...).

    Raises:
      ValueError: when both `stateful_metrics` and `stateless_metrics` are given.

    Example:
      >>> bar = Progbar(4, verbose=2)
      >>> for step in range(1, 5):
      ...     bar.update(step, values=[("loss", 1.0 / step)])  # doctest: +ELLIPSIS
      4/4 - ...s - ...s/step - loss: 0.2500
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1, interval: float = 0.05,
                 stateful_metrics: Iterable[str] | None = None, stateless_metrics: Iterable[str] | None = None,
                 unit_name: str = "step") -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be provided: the first lists "
                             "the values shown as given (the rest are averaged), the second the values averaged "
                             "(the rest are shown as given).")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else (
            None if stateless_metrics is not None else set())
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None
        self._dynamic_display = ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
                                 or "ipykernel" in sys.modules or "posix" in sys.modules
                                 or "PYCHARM_HOSTED" in os.environ)
        self._seen_so_far = 0
        self._values: dict[str, list[Any]] = {}  # name -> [weighted sum, weight]
        self._values_order: list[str] = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def _averaged(self, name: str) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _mean(self, name: str) -> float:
        total, count = self._values[name]
        if not isinstance(total, float):
            total = np.mean(total)
        return total / max(1, count)

    def update(self, current: int, values: list[tuple[str, Any]] | None = None, finalize: bool | None = None) -> None:
        """Moves the bar to step `current` and records this step's values.

        Args:
          current: the index of the current step (the number of steps done).
          values: a list of `(name, value)` pairs for the steps since the last update.
          finalize: whether this is the last update; by default, when `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            if name not in self._values_order:
                self._values_order.append(name)
            if not self._averaged(name) or finalize:
                self._values[name] = [value, 1]
            else:
                steps = max(current - self._seen_so_far, 1)
                if name in self._values:
                    self._values[name][0] += value * steps
                    self._values[name][1] += steps
                else:
                    self._values[name] = [value * steps, steps]
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            digits = int(math.log10(self.target)) + 1
            line = f"{int(current):{digits}d}/{int(self.target)} - {now - self._start:.0f}s"
            line += f" -{_format_duration(time_per_unit, self.unit_name)}"
            for name in self._values_order:
                mean = self._mean(name)
                line += f" - {name}: {mean:.4f}" if mean > 1e-3 else f" - {name}: {mean:.4e}"
            _write(line + "\n")
        self._last_update = now

    def _draw(self, current: int, now: float, time_per_unit: float, finalize: bool) -> None:
        message = "\b" * self._prev_total_width + "\r" if self._dynamic_display else "\n"
        hidden = 0  # the characters of the terminal colour codes, which take no room on screen
        if self.target is not None and self.target > 0:
            digits = int(math.log10(self.target)) + 1
            bar = f"\x1b[1m{int(current):{digits}d}/{int(self.target)}\x1b[0m "
            filled = int(self.width * float(current) / self.target)
            hidden += 8
            if filled > 0:
                bar += f"\33[32m{'━' * filled}\x1b[0m"
                hidden += 9
            bar += f"\33[37m{'━' * (self.width - filled)}\x1b[0m"
            hidden += 9
        else:
            bar = f"{int(current):7d}/Unknown"
        if self.target is not None and self.target > 0 and not finalize:
            info = f" \x1b[1m{_format_eta(time_per_unit * (self.target - current))}\x1b[0m"
        else:
            info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
        hidden += 8
        info += _format_duration(time_per_unit, self.unit_name)
        for name in self._values_order:
            mean = self._mean(name)
            info += f" - {name}: {mean:.4f}" if abs(mean) > 1e-3 else f" - {name}: {mean:.4e}"
        total_width = len(bar) + len(info) - hidden
        message += bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        _write(message)
        self._prev_total_width = total_width

    def add(self, n: int, values: list[tuple[str, Any]] | None = None) -> None:
        """Advances the bar by `n` steps (see `update`)."""
        self.update(self._seen_so_far + n, values)

    def _step_duration(self, current: int, now: float) -> float:
        """Seconds per step; after the first step, the first one (often slower: compilation) is left out."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            duration = (now - self._time_after_first_step) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return duration
