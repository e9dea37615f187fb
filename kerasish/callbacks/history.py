"""`History`: every epoch's logs, returned by `fit` and kept as `model.history`; `History.plot()` draws them."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from kerasish.callbacks.callback import Callback
from kerasish.callbacks.monitor import check_number, infer_mode
from kerasish.callbacks.overfitting import STOP_REASONS, OverfittingReport, StopReason, generalisation_gap, rising_from

# Logged every epoch but not a train/validation quantity: left out of `plot()` unless asked for by name.
_NOT_PLOTTED_BY_DEFAULT = ("learning_rate",)


def _direction(key: str) -> str | None:
    """"min" or "max" by EarlyStopping's rule (`infer_mode`), None for a name of unknown direction."""
    try:
        return infer_mode(key)
    except ValueError:
        return None


class History(Callback):
    """Records the logs of each epoch.

    Attributes:
      history: `{"loss": [...], "accuracy": [...], "val_loss": [...], ...}`, one value per epoch
        (a `val_*` list only has entries for the epochs that ran validation).
      epoch: the epoch indices that completed (0-based, as in the callbacks' `epoch` argument).
      stopped_epoch: the epoch (0-based) after which a callback ended `fit` by setting
        `model.stop_training` (EarlyStopping, TerminateOnNaN, your own), or None if `fit` ran every epoch.
      stop: why the last `fit` ended (`StopReason`: completed, callback, nan, interrupted, exception);
        the training loop says so through `record_stop`, and without it History tells what it can
        from the logs and `model.stop_training`.
      params: `{"epochs", "steps", "verbose"}`.

    `report()` sums the run up (the best epoch, the generalisation gap, the epoch from which validation
    got worse for good, why training ended); in Jupyter a History displays that report.

    Example:
      >>> history = History()
      >>> history.on_train_begin()
      >>> for epoch, (loss, val_loss) in enumerate([(1.0, 1.1), (0.5, 0.7)]):
      ...     history.on_epoch_end(epoch, {"loss": loss, "val_loss": val_loss})
      >>> history.history["val_loss"], history.epoch
      ([1.1, 0.7], [0, 1])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stopped_epoch: int | None = None
        self._epochs_of: dict[str, list[int]] = {}  # the epoch of each value in `history[key]`
        self._stop: StopReason | None = None  # said by the loop (record_stop) or found at on_train_end
        self._running_epoch: int | None = None  # the epoch begun last
        self._fit_running = False

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []
        self.history = {}
        self.stopped_epoch = None
        self._epochs_of = {}
        self._stop, self._running_epoch, self._fit_running = None, None, True

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._running_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
            self._epochs_of.setdefault(key, []).append(epoch)

    def get_state(self) -> dict[str, Any]:
        """The epochs recorded so far (a resumed `fit` returns the whole run's History)."""
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in self.history.items()},
                "epochs_of": {k: list(v) for k, v in self._epochs_of.items()}}

    def set_state(self, state: dict[str, Any]) -> None:
        self.epoch = [int(e) for e in state["epoch"]]
        self.history = {k: list(v) for k, v in state["history"].items()}
        self._epochs_of = {k: [int(e) for e in v] for k, v in state["epochs_of"].items()}

    def on_train_end(self, logs=None) -> None:
        self._fit_running = False
        stopped = bool(getattr(self.model, "stop_training", False))
        if self.epoch and stopped:
            self.stopped_epoch = self.epoch[-1]
        if self._stop is None:  # the loop did not say why: tell what the logs and the model say
            epoch = self._running_epoch if self._running_epoch is not None else (self.epoch or [None])[-1]
            self.record_stop("callback" if stopped else "completed", epoch=epoch)

    def record_stop(self, reason: str, by: str | None = None, epoch: int | None = None,
                    detail: str | None = None) -> None:
        """Records why `fit` ended; called by the training loop (see `StopReason`).

        The loop calls it once per `fit`: before `on_train_end` when the epochs ran out ("completed") or a
        callback set `model.stop_training` ("callback", with the callback's class name), and when `fit`
        raises ("interrupted" for KeyboardInterrupt, else "exception" with the exception's type name and
        message). A "callback" or "completed" stop whose last logged training loss is NaN or infinite is
        recorded as "nan": the loss is why training went wrong (TerminateOnNaN stops on it).

        Args:
          reason: one of "completed", "callback", "nan", "interrupted", "exception".
          by: the callback class name (for "callback" / "nan"), or the exception type name.
          epoch: the 0-based epoch during which training ended.
          detail: a message, e.g. the exception's.

        Raises:
          ValueError: for an unknown `reason`, or an `epoch` that is not an int >= 0 or None.
          TypeError: for a `by` or `detail` that is not a string or None.

        Example:
          >>> history = History()
          >>> history.on_epoch_end(0, {"loss": 0.5})
          >>> history.record_stop("callback", by="EarlyStopping", epoch=0)
          >>> history.stop.describe()
          'stopped by EarlyStopping during epoch 1'
        """
        if reason not in STOP_REASONS:
            raise ValueError(f"Argument `reason` of History.record_stop must be one of {list(STOP_REASONS)}, "
                             f"received reason={reason!r}.")
        for name, value in (("by", by), ("detail", detail)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"Argument `{name}` of History.record_stop must be a string or None, received "
                                f"{name}={value!r}.")
        if epoch is not None and (isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0):
            raise ValueError(f"Argument `epoch` of History.record_stop must be an int >= 0 or None, received "
                             f"epoch={epoch!r}.")
        losses = self.history.get("loss")
        if reason in ("callback", "completed") and losses and not math.isfinite(losses[-1]):
            reason = "nan"
        self._stop = StopReason(reason, by, None if epoch is None else int(epoch), detail)

    @property
    def stop(self) -> StopReason:
        """Why the last `fit` ended; `StopReason(None, ...)` while unknown (it raised and nobody said why)."""
        if self._stop is not None:
            return self._stop
        return StopReason(None, epoch=self._running_epoch)

    def report(self, monitor: str | None = None, mode: str = "auto", min_delta: float = 0.0,
               print_fn: Callable[[str], Any] | None = print) -> OverfittingReport:
        """Sums up the run: best epoch, generalisation gap, where validation got worse for good, why it ended.

        Prints the summary with `print_fn` and returns it as an `OverfittingReport` (`as_dict()` for plain
        values). The gap is validation minus training for a loss (`val_loss - loss`) and training minus
        validation for a quantity to maximise (`accuracy - val_accuracy`): positive means worse on the
        validation data. `rising_from` is the first epoch after the best one from which every logged
        value of `monitor` is worse than the best by more than `min_delta` (None if the curve is still at
        its best, or back within `min_delta` of it at the end). In a notebook end the line with `;` or
        assign the result, or the report is shown twice (printed, then displayed).

        Args:
          monitor: the key to judge; None: "val_loss" when validation ran, else "loss".
          mode: "min", "max", or "auto" (from the name, by EarlyStopping's rule).
          min_delta: the margin by which a value must be worse than the best to count as risen, `>= 0`.
          print_fn: called with the summary text; None prints nothing.

        Returns:
          An `OverfittingReport` (0-based epochs).

        Raises:
          ValueError: if no epoch was recorded, `monitor` has no finite value, `mode` is invalid or cannot be
            inferred, or `min_delta` is not a finite number >= 0.
          KeyError: if `monitor` was not logged (the message lists the logged keys).
          TypeError: if `print_fn` is neither callable nor None.

        Example:
          >>> history = History()
          >>> for epoch, (loss, val_loss) in enumerate([(1.0, 1.1), (0.6, 0.8), (0.3, 0.9), (0.2, 1.0)]):
          ...     history.on_epoch_end(epoch, {"loss": loss, "val_loss": val_loss})
          >>> report = history.report(print_fn=None)
          >>> report.best_epoch, round(report.gap_at_best, 2), round(report.gap_at_last, 2), report.rising_from
          (1, 0.2, 0.8, 2)
        """
        if not self.epoch and not self.history:
            raise ValueError("History.report() has nothing to report: no epoch was recorded (did `fit` run?).")
        if print_fn is not None and not callable(print_fn):
            raise TypeError(f"Argument `print_fn` of History.report must be a function or None, received "
                            f"print_fn={print_fn!r}.")
        margin = check_number("History.report", "min_delta", min_delta)
        if margin < 0:
            raise ValueError(f"Argument `min_delta` of History.report must be >= 0, received min_delta={min_delta!r}.")
        if monitor is None:
            monitor = "val_loss" if "val_loss" in self.history else "loss"
        best = self.best_epoch(monitor, mode)  # checks the key and the mode
        mode = mode if mode != "auto" else _direction(monitor)
        epochs, values = self._epochs_for(monitor), self.history[monitor]
        base = monitor.removeprefix("val_")

        def gap(epoch: int) -> float | None:
            train, validation = self._value_at(base, epoch), self._value_at("val_" + base, epoch)
            if train is None or validation is None:
                return None
            return generalisation_gap(train, validation, mode)

        result = OverfittingReport(
            monitor=monitor, mode=mode, epochs_run=len(self.epoch) or len(values), best_epoch=best,
            best_value=float(values[epochs.index(best)]), last_epoch=epochs[-1], last_value=float(values[-1]),
            gap_at_best=gap(best), gap_at_last=gap(epochs[-1]),
            rising_from=rising_from(epochs, values, best, mode, margin), min_delta=margin, stop=self.stop)
        if print_fn is not None:
            print_fn(result.summary())
        return result

    def _value_at(self, key: str, epoch: int) -> float | None:
        if key not in self.history:
            return None
        epochs = self._epochs_for(key)
        return float(self.history[key][epochs.index(epoch)]) if epoch in epochs else None

    def _repr_html_(self) -> str:
        """The overfitting report in Jupyter (the repr when there is nothing to judge yet)."""
        try:
            return self.report(print_fn=None).to_html()
        except (KeyError, ValueError):
            return f"<pre>{escape(repr(self))}</pre>"

    @property
    def reads_weights_during_training(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"

    # -- plotting ---------------------------------------------------------------------------------

    def quantities(self) -> list[str]:
        """The names `plot()` draws by default: "loss" first, then each metric, without `val_` prefixes.

        Example:
          >>> history = History()
          >>> history.on_epoch_end(0, {"accuracy": 0.5, "loss": 1.0, "val_loss": 1.2, "val_accuracy": 0.4,
          ...                          "learning_rate": 0.001})
          >>> history.quantities()
          ['loss', 'accuracy']
        """
        names: list[str] = []
        for key in self.history:
            base = key[4:] if key.startswith("val_") else key
            if base not in names and base not in _NOT_PLOTTED_BY_DEFAULT:
                names.append(base)
        if "loss" in names:
            names.remove("loss")
            names.insert(0, "loss")
        return names

    def _epochs_for(self, key: str) -> list[int]:
        values = self.history[key]
        recorded = self._epochs_of.get(key)
        if recorded is not None and len(recorded) == len(values):
            return recorded
        if len(values) == len(self.epoch):
            return list(self.epoch)
        return list(range(len(values)))  # a history filled by hand: assume one value per epoch from 0

    def best_epoch(self, key: str, mode: str = "auto") -> int:
        """The epoch (0-based) with the best value of `key`; the first one on ties.

        Args:
          key: a log key, e.g. "val_loss" or "accuracy".
          mode: "min", "max", or "auto": from the name, by EarlyStopping's rule
            (`kerasish.callbacks.monitor.infer_mode`: losses and errors min, accuracy, auc, precision,
            recall, f1 max).

        Returns:
          The epoch index, as in `History.epoch`.

        Raises:
          KeyError: if `key` was not logged; the message lists the logged keys.
          ValueError: if `mode` is not "auto", "min" or "max", `key` has no finite value (NaN and inf are
            never the best), or `mode="auto"` and the name does not tell the direction.

        Example:
          >>> history = History()
          >>> for epoch, v in enumerate([0.9, 0.4, 0.6]):
          ...     history.on_epoch_end(epoch, {"val_loss": v, "val_accuracy": 1 - v})
          >>> history.best_epoch("val_loss"), history.best_epoch("val_accuracy")
          (1, 1)
        """
        if key not in self.history:
            raise KeyError(f"History has no {key!r}; the logged keys are {sorted(self.history)}.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"Argument `mode` must be 'auto', 'min' or 'max', received {mode!r}.")
        values = self.history[key]
        finite = [i for i, value in enumerate(values) if math.isfinite(value)]  # a NaN is never the best
        if not finite:
            raise ValueError(f"History has no finite value for {key!r}: {values}.")
        if mode == "auto":
            mode = _direction(key)
            if mode is None:
                raise ValueError(f"History.best_epoch cannot tell from the name whether {key!r} should be minimized "
                                 f"or maximized. Pass mode='min' or mode='max'.")
        pick = min if mode == "min" else max
        best = pick(finite, key=lambda i: values[i])
        return self._epochs_for(key)[best]

    def plot(self, metrics: str | Sequence[str] | None = None, ax: Any = None, early_stopping: Any = None,
             figsize: tuple[float, float] | None = None):
        """Draws training and validation curves: one subplot per quantity (loss, then each metric).

        Each subplot shows the training curve ("training") and, when validation ran, the validation
        curve ("validation") against the epoch number (1-based, as the progress bar counts). A marker
        shows the best epoch of the validation curve (of the training curve without validation): the
        lowest value for losses and errors, the highest for accuracy, auc, precision, recall and f1, by
        EarlyStopping's rule (`kerasish.callbacks.monitor.infer_mode`); a quantity whose name tells no
        direction (the learning rate, a custom metric) gets no marker. A dashed vertical line and a
        shaded band show where that curve got worse for good (from the first epoch after the best from
        which every value is worse than the best: `report().rising_from`). A dotted vertical line shows
        the epoch after which training stopped, when a callback stopped it (`History.stopped_epoch`).

        History does not see the other callbacks of `fit`; pass the EarlyStopping callback you used as
        `early_stopping=` so that its own `best_epoch` (the weights `restore_best_weights` restores) is
        the marker on the curve it monitored, and its `stopped_epoch` the stop line.

        matplotlib is imported only here (`pip install "kerasish[plot]"`). The figure is made with
        `matplotlib.pyplot`, so `plt.show()` shows it from a script; in a notebook end the line with `;`
        or assign the result, or it is displayed twice.

        Args:
          metrics: the quantities to draw, by their training names ("loss", "accuracy", ...); a `val_`
            prefix is accepted and means the same quantity. None draws `quantities()`: loss and every
            metric (not the learning rate; ask for "learning_rate" by name to see it).
          ax: a matplotlib Axes, or a sequence of one Axes per quantity, to draw into; None makes a new
            figure with one subplot per quantity (up to 3 per row).
          early_stopping: the EarlyStopping callback of the run, or any object with the attributes
            `monitor`, `best_epoch` and `stopped_epoch` (0-based epochs; `stopped_epoch == 0` means it
            did not stop training, as in Keras).
          figsize: `(width, height)` in inches of a new figure; by default 4.5 x 3.5 per subplot.

        Returns:
          The matplotlib Figure.

        Raises:
          ImportError: if matplotlib is not installed.
          ValueError: if nothing was recorded, a quantity in `metrics` was not logged (the message lists
            what was), or `ax` holds a different number of Axes than there are quantities.
          TypeError: if `metrics` is not a string or a sequence of strings, or `early_stopping` lacks
            `stopped_epoch`.

        Example:
          >>> import matplotlib
          >>> matplotlib.use("Agg")
          >>> history = History()
          >>> for epoch, (loss, val_loss) in enumerate([(1.0, 1.1), (0.6, 0.8), (0.3, 0.9)]):
          ...     history.on_epoch_end(epoch, {"loss": loss, "val_loss": val_loss})
          >>> fig = history.plot()
          >>> [line.get_label() for line in fig.axes[0].get_lines()]
          ['training', 'validation', 'best: epoch 2', 'worse for good: epoch 3']
        """
        names = self._plot_names(metrics)
        monitor, es_best, stopped = self._early_stopping_marks(early_stopping)
        try:
            import matplotlib.pyplot as plt
            from matplotlib.ticker import MaxNLocator
        except ImportError as err:
            raise ImportError('History.plot() needs matplotlib: pip install "kerasish[plot]" '
                              '(or pip install matplotlib).') from err
        axes = _axes_for(plt, len(names), ax, figsize)
        for axis, name in zip(axes, names):
            self._plot_one(axis, name, monitor, es_best, stopped)
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        figure = axes[0].figure
        if ax is None:
            figure.tight_layout()
        return figure

    def _plot_names(self, metrics: Any) -> list[str]:
        if not self.history:
            raise ValueError("History.plot() has nothing to draw: no epoch was recorded (did `fit` run?).")
        if metrics is None:
            return self.quantities()
        if isinstance(metrics, str):
            metrics = [metrics]
        if not isinstance(metrics, Sequence) or not all(isinstance(m, str) for m in metrics) or not metrics:
            raise TypeError(f"Argument `metrics` must be None, a name or a non-empty list of names, received "
                            f"{metrics!r}.")
        names = []
        for name in metrics:
            base = name[4:] if name.startswith("val_") else name
            if base not in self.history and "val_" + base not in self.history:
                raise ValueError(f"Argument `metrics` names {name!r}, which was not logged; the logged keys are "
                                 f"{sorted(self.history)}.")
            if base not in names:
                names.append(base)
        return names

    @staticmethod
    def _early_stopping_marks(early_stopping: Any) -> tuple[str | None, int | None, int | None]:
        if early_stopping is None:
            return None, None, None
        if not hasattr(early_stopping, "stopped_epoch"):
            raise TypeError(f"Argument `early_stopping` must be the EarlyStopping callback of the run (an object "
                            f"with `stopped_epoch`, `best_epoch` and `monitor`), received {early_stopping!r}.")
        stopped = early_stopping.stopped_epoch
        best = getattr(early_stopping, "best_epoch", None)
        return getattr(early_stopping, "monitor", None), best, (stopped if stopped else None)

    def _plot_one(self, axis, name: str, monitor: str | None, es_best: int | None, es_stopped: int | None) -> None:
        curves = [(key, label) for key, label in ((name, "training"), ("val_" + name, "validation"))
                  if self.history.get(key)]
        drawn = {}
        for key, label in curves:
            epochs = [e + 1 for e in self._epochs_for(key)]
            (drawn[key],) = axis.plot(epochs, self.history[key], label=label, marker="." if len(epochs) < 30 else None)
        keys = [key for key, _ in curves]
        if monitor in keys and es_best is not None and es_best in self._epochs_for(monitor):
            judged, best = monitor, es_best  # the epoch whose weights EarlyStopping kept
        else:
            judged = keys[-1]  # the validation curve when there is one
            has_finite = any(math.isfinite(value) for value in self.history[judged])
            best = self.best_epoch(judged) if _direction(judged) and has_finite else None
        if best is not None:
            epochs = self._epochs_for(judged)
            value = self.history[judged][epochs.index(best)]
            axis.plot([best + 1], [value], linestyle="none", marker="o", markersize=9, markerfacecolor="none",
                      markeredgewidth=2, color=drawn[judged].get_color(), label=f"best: epoch {best + 1}")
            mode = _direction(judged)
            rising = rising_from(epochs, self.history[judged], best, mode) if mode else None
            if rising is not None:  # the judged curve is worse than its best from here to the end
                axis.axvline(rising + 1, color=drawn[judged].get_color(), linestyle="--", alpha=0.6,
                             label=f"worse for good: epoch {rising + 1}")
                axis.axvspan(rising + 1, epochs[-1] + 1, color=drawn[judged].get_color(), alpha=0.07)
        stopped = es_stopped if es_stopped is not None else self.stopped_epoch
        if stopped is not None:
            axis.axvline(stopped + 1, color="0.4", linestyle=":", label=f"stopped: epoch {stopped + 1}")
        axis.set_title(name)
        axis.set_xlabel("epoch")
        axis.legend(fontsize="small")


def _axes_for(plt, count: int, ax: Any, figsize: tuple[float, float] | None) -> list:
    if ax is None:
        columns = min(count, 3)
        rows = -(-count // columns)
        figure, grid = plt.subplots(rows, columns, squeeze=False,
                                    figsize=figsize or (4.5 * columns, 3.5 * rows))
        axes = list(grid.ravel())
        for extra in axes[count:]:
            figure.delaxes(extra)
        return axes[:count]
    axes = list(ax.ravel()) if hasattr(ax, "ravel") else list(ax) if isinstance(ax, (list, tuple)) else [ax]
    if len(axes) != count:
        raise ValueError(f"Argument `ax` must hold one Axes per quantity to draw ({count}), received {len(axes)}.")
    return axes
