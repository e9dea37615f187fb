"""`ProgbarLogger`: the progress of `fit`, one bar or one line per epoch.

verbose=1 draws a bar per epoch: in Jupyter a `tqdm.notebook` widget when ipywidgets is installed,
else an HTML bar updated in place (no extra dependency); in a terminal one redrawn `tqdm` line. When
the output is neither a terminal nor a notebook (a file, a pipe, a CI log) it writes one plain line
per epoch instead, so logs carry no control characters. verbose=2 always writes one line per epoch.
"""

from __future__ import annotations

import sys
import time
from html import escape
from typing import Any

from kerasish.callbacks.callback import Callback


def format_logs(logs: dict[str, Any] | None) -> str:
    return " - ".join(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}" for k, v in (logs or {}).items())


def _in_jupyter() -> bool:
    """True inside a Jupyter kernel (notebook, lab, VS Code), False in a terminal IPython or a script."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class HtmlProgressBar:
    """A progress bar shown as an HTML output of a notebook cell and updated in place.

    Used in Jupyter when ipywidgets (which `tqdm.notebook` needs) is not installed: the bar is one
    `display(..., display_id=True)` output with an HTML `<progress>` element (and a text version for
    front ends without HTML), replaced at most every `min_interval` seconds. It has the part of tqdm's
    interface that `ProgbarLogger` uses: `n`, `update`, `set_postfix_str`, `close`.

    Args:
      total: the number of steps, or None when unknown (the bar then shows only the count).
      desc: the text before the bar ("Epoch 3/10").
      min_interval: the least time, in seconds, between two redraws (the last one is always drawn).
      display: show the bar in the notebook now; False builds it without IPython (for tests and examples).

    Example:
      >>> bar = HtmlProgressBar(total=4, desc="Epoch 1/1", display=False)
      >>> bar.update(3)
      >>> bar.set_postfix_str("loss: 0.25")
      >>> bar.text()  # doctest: +ELLIPSIS
      'Epoch 1/1  75% 3/4 [...s] - loss: 0.25'
      >>> '<progress value="3" max="4"' in bar.html()
      True
    """

    def __init__(self, total: int | None, desc: str, min_interval: float = 0.1, display: bool = True) -> None:
        self.total, self.desc, self.n, self.postfix = total, desc, 0, ""
        self.min_interval = min_interval
        self._start = self._last_draw = time.perf_counter()
        self._handle = None
        if display:
            from IPython.display import display as ipython_display
            self._handle = ipython_display(self._bundle(), raw=True, display_id=True)

    def _count(self) -> str:
        count = f"{self.n}/{self.total}" if self.total else f"{self.n}"
        return f"{count} [{time.perf_counter() - self._start:.1f}s]"

    def text(self) -> str:
        percent = f"{100 * self.n // self.total:3d}% " if self.total else ""
        return f"{self.desc} {percent}{self._count()}" + (f" - {self.postfix}" if self.postfix else "")

    def html(self) -> str:
        value = f'value="{self.n}" max="{self.total}"' if self.total else ""  # no total: an indeterminate bar
        return (f'<div style="font-family: monospace">{escape(self.desc)} <progress {value} '
                f'style="width: 30ch; vertical-align: middle"></progress> {self._count()}'
                + (f" - {escape(self.postfix)}" if self.postfix else "") + "</div>")

    def _bundle(self) -> dict[str, str]:
        return {"text/html": self.html(), "text/plain": self.text()}

    def _draw(self) -> None:
        self._last_draw = time.perf_counter()
        if self._handle is not None:
            self._handle.update(self._bundle(), raw=True)

    def update(self, steps: int = 1) -> None:
        self.n += steps
        if time.perf_counter() - self._last_draw >= self.min_interval:
            self._draw()

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.postfix = text
        if refresh:
            self._draw()

    def close(self) -> None:
        self._draw()


def _notebook_bar(total: int | None, desc: str):
    try:
        import ipywidgets  # noqa: F401  (what tqdm.notebook draws with)
        from tqdm.notebook import tqdm
        return tqdm(total=total, desc=desc, unit="step", leave=True)
    except ImportError:  # no ipywidgets, or one tqdm cannot use (tqdm raises ImportError then too)
        return HtmlProgressBar(total, desc)


class ProgbarLogger(Callback):
    """Shows progress; `fit(verbose=...)` adds one for you.

    Args:
      verbose: 1 for a bar (plain lines when not interactive), 2 for one line per epoch; None (the
        default, and Keras's only form, `ProgbarLogger()`): the `verbose` of `fit`, 0 printing nothing.
      file: the stream to write to; by default sys.stdout, or the cell's output in Jupyter. An explicit
        `file` gets a bar only if it is a terminal.
    """

    batch_hooks_may_be_grouped = True
    refresh_seconds = 0.5  # how often the bar's running loss is read from the device

    def __init__(self, verbose: int | None = None, file=None) -> None:
        super().__init__()
        if verbose is not None and (isinstance(verbose, bool) or verbose not in (1, 2)):
            raise ValueError(f"Argument `verbose` of ProgbarLogger must be None (fit's verbose), 1 or 2, received "
                             f"{verbose!r}.")
        self._verbose_given = verbose
        self.verbose = 1 if verbose is None else verbose
        self.file = file
        self._bar = None
        self._mode = ""  # " (eager)" when the model's steps run op by op (compile(run_eagerly=True))

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        if self._verbose_given is None:  # as Keras's ProgbarLogger(): fit's verbose decides (0: silent)
            verbose = params.get("verbose", 1)
            self.verbose = 1 if verbose == "auto" else verbose

    @property
    def stream(self):
        return self.file or sys.stdout

    @property
    def reads_weights_during_training(self) -> bool:
        return False

    def _new_bar(self, total: int | None, desc: str):
        """A bar for this epoch, or None when progress goes out as plain lines."""
        if self.verbose != 1:
            return None
        if self.file is None and _in_jupyter():
            return _notebook_bar(total, desc)
        if _is_terminal(self.stream):
            from tqdm import tqdm
            return tqdm(total=total, desc=desc, unit="step", file=self.stream, leave=True, dynamic_ncols=True)
        return None

    def on_train_begin(self, logs=None):
        # said on every epoch's line, so that nobody takes the timings of the debugging mode for kerasish's
        self._mode = " (eager)" if getattr(self.model, "run_eagerly", False) is True else ""

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._start = time.perf_counter()
        self._last_refresh = self._start
        desc = f"Epoch {epoch + 1}/{self.params.get('epochs')}{self._mode}"
        self._bar = self._new_bar(self.params.get("steps"), desc)

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is None:
            return
        self._bar.update(batch + 1 - self._bar.n)
        now = time.perf_counter()
        if logs is not None and now - self._last_refresh >= self.refresh_seconds:
            self._last_refresh = now
            self._bar.set_postfix_str(format_logs(logs() if callable(logs) else logs), refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if not self.verbose:
            return
        seconds = time.perf_counter() - self._start
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs), refresh=False)
            self._bar.close()
            self._bar = None
            return
        line = f"Epoch {epoch + 1}/{self.params.get('epochs')}{self._mode} - {seconds:.2f}s - {format_logs(logs)}"
        print(line, file=self.stream, flush=True)

    def on_train_end(self, logs=None):
        if self._bar is not None:  # interrupted mid-epoch
            self._bar.close()
            self._bar = None
