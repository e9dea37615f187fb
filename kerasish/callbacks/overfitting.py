"""The overfitting report of a `History`: the best epoch, the generalisation gap, where validation rose, why it ended.

`History.report()` builds an `OverfittingReport` from the recorded epochs; this module holds the report
and the rules, so that `history.py` stays the recorder.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from html import escape
from typing import Any

#: Why a `fit` ended, as `History.record_stop` takes it and `StopReason.reason` gives it.
STOP_REASONS = ("completed", "callback", "nan", "interrupted", "exception")


@dataclasses.dataclass(frozen=True)
class StopReason:
    """Why training ended.

    Attributes:
      reason: "completed" (every epoch ran), "callback" (a callback set `model.stop_training`), "nan" (the
        training loss became NaN or infinite; `by` names the callback that stopped, e.g. TerminateOnNaN),
        "interrupted" (Ctrl-C: KeyboardInterrupt) or "exception" (`fit` raised; `by` is the exception's
        type, `detail` its message). None when nothing is known: `fit` has not ended, or it raised and the
        training loop did not say why.
      by: the name of the callback class or of the exception, or None.
      epoch: the 0-based epoch during which training ended (None if unknown).
      detail: a message (an exception's), or None.
    """

    reason: str | None
    by: str | None = None
    epoch: int | None = None
    detail: str | None = None

    def describe(self) -> str:
        """One sentence, with 1-based epochs as the progress bar counts them.

        Example:
          >>> StopReason("callback", by="EarlyStopping", epoch=11).describe()
          'stopped by EarlyStopping during epoch 12'
        """
        at = "" if self.epoch is None else f" during epoch {self.epoch + 1}"
        if self.reason == "completed":
            return "all epochs ran" + ("" if self.epoch is None else f" ({self.epoch + 1})")
        if self.reason == "callback":
            return f"stopped by {self.by or 'a callback'}{at}"
        if self.reason == "nan":
            return f"the training loss became NaN or infinite{at}" + (f"; stopped by {self.by}" if self.by else "")
        if self.reason == "interrupted":
            return f"interrupted (KeyboardInterrupt){at}"
        if self.reason == "exception":
            what = self.by or "an exception"
            return f"{what} raised{at}" + (f": {self.detail}" if self.detail else "")
        return "unknown (fit did not end normally, or has not ended)"


@dataclasses.dataclass(frozen=True)
class OverfittingReport:
    """What a `History` says about overfitting; made by `History.report()`.

    Epochs are 0-based, as in `History.epoch` and the callbacks' `epoch` argument.

    Attributes:
      monitor: the judged key of the logs (`"val_loss"` by default).
      mode: "min" or "max": which direction is better for `monitor`.
      epochs_run: how many epochs were recorded.
      best_epoch, best_value: the epoch with the best finite value of `monitor` (the first on ties).
      last_epoch, last_value: the last epoch that logged `monitor`, and its value.
      gap_at_best, gap_at_last: the generalisation gap at those epochs: validation minus training for a
        quantity to minimise (a loss: `val_loss - loss`), training minus validation for one to maximise
        (`accuracy - val_accuracy`), so a positive gap always means the model does worse on the
        validation data than on the data it trained on. None when the pair is not logged at that epoch.
      rising_from: the epoch from which `monitor` got worse for good: the first epoch after `best_epoch`
        such that it and every later logged value are worse than `best_value` by more than `min_delta`.
        None while the curve is still at its best (the best epoch is the last) or came back within
        `min_delta` of it by the last epoch.
      min_delta: the margin used for `rising_from`.
      stop: why training ended (`StopReason`).
    """

    monitor: str
    mode: str
    epochs_run: int
    best_epoch: int
    best_value: float
    last_epoch: int
    last_value: float
    gap_at_best: float | None
    gap_at_last: float | None
    rising_from: int | None
    min_delta: float
    stop: StopReason

    def as_dict(self) -> dict[str, Any]:
        """The report as plain Python values (the stop reason as a nested dict)."""
        return dataclasses.asdict(self)

    def lines(self) -> list[tuple[str, str]]:
        """`(label, text)` rows of the summary, 1-based epochs."""
        def gap(value: float | None) -> str:
            if value is None:
                return "n/a (no training / validation pair)"
            hint = "validation worse" if value > 0 else "validation better or equal"
            return f"{value:+.4g} ({hint})"

        rows = [("monitored", f"{self.monitor} ({self.mode})"),
                ("epochs run", str(self.epochs_run)),
                ("best epoch", f"{self.best_epoch + 1}: {self.monitor} = {self.best_value:.4g}"),
                ("last epoch", f"{self.last_epoch + 1}: {self.monitor} = {self.last_value:.4g}"),
                ("gap at best", gap(self.gap_at_best)),
                ("gap at last", gap(self.gap_at_last))]
        if self.rising_from is None:
            rising = "no: still at its best" if self.best_epoch == self.last_epoch else "no lasting rise"
        else:
            rising = f"from epoch {self.rising_from + 1} on"
        rows.append((f"{self.monitor} worse for good", rising))
        rows.append(("why it ended", self.stop.describe()))
        return rows

    def summary(self) -> str:
        """The report as aligned text lines."""
        rows = self.lines()
        width = max(len(label) for label, _ in rows)
        return "\n".join(["Overfitting report"] + [f"  {label:<{width}}  {text}" for label, text in rows])

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """The report as an HTML table (what Jupyter shows)."""
        cells = "".join(f"<tr><th style='text-align:left'>{escape(label)}</th><td style='text-align:left'>"
                        f"{escape(text)}</td></tr>" for label, text in self.lines())
        return f"<table><caption style='text-align:left'><b>Overfitting report</b></caption>{cells}</table>"

    def __str__(self) -> str:
        return self.summary()


def generalisation_gap(train: float, validation: float, mode: str) -> float:
    """Validation minus training for a quantity to minimise, training minus validation for one to maximise.

    Example:
      >>> generalisation_gap(0.25, 0.75, "min"), generalisation_gap(0.75, 0.5, "max")
      (0.5, 0.25)
    """
    return float(validation - train) if mode == "min" else float(train - validation)


def rising_from(epochs: Sequence[int], values: Sequence[float], best_epoch: int, mode: str,
                min_delta: float = 0.0) -> int | None:
    """The first epoch after `best_epoch` from which every value is worse than the best by more than `min_delta`.

    A non-finite value counts as worse. See `OverfittingReport.rising_from`.

    Args:
      epochs: the epoch of each value, increasing.
      values: the monitored values.
      best_epoch: the epoch of the best value (one of `epochs`).
      mode: "min" or "max".
      min_delta: the margin, `>= 0`.

    Returns:
      An epoch of `epochs`, or None.

    Example:
      >>> rising_from([0, 1, 2, 3, 4], [1.0, 0.5, 0.52, 0.7, 0.9], 1, "min", min_delta=0.05)
      3
      >>> rising_from([0, 1, 2], [1.0, 0.5, 0.5], 1, "min") is None  # back to the best at the end
      True
    """
    best = values[list(epochs).index(best_epoch)]

    def worse(value: float) -> bool:
        if not math.isfinite(value):
            return True
        return value > best + min_delta if mode == "min" else value < best - min_delta

    start = None
    for epoch, value in zip(epochs, values):
        if epoch <= best_epoch:
            continue
        if worse(value):
            start = epoch if start is None else start
        else:
            start = None
    return start
