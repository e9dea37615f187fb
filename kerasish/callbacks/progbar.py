"""`ProgbarLogger`: progress of `fit`, `evaluate` and `predict` on `tqdm.auto`.

verbose=1 draws a bar per epoch (a widget in Jupyter, one redrawn line in a terminal). When the
output is neither a terminal nor a notebook (a file, a CI log) it writes one plain line per epoch
instead, so logs carry no control characters. verbose=2 always writes one line per epoch.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from kerasish.callbacks.callback import Callback


def format_logs(logs: dict[str, Any] | None) -> str:
    return " - ".join(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}" for k, v in (logs or {}).items())


def _interactive(stream) -> bool:
    if "ipykernel" in sys.modules:
        try:
            from IPython import get_ipython
            shell = get_ipython()
            if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
                return True
        except ImportError:
            pass
    return bool(getattr(stream, "isatty", lambda: False)())


class ProgbarLogger(Callback):
    """Shows progress; `fit(verbose=...)` adds one for you.

    Args:
      verbose: 1 for a bar (plain lines when not interactive), 2 for one line per epoch.
      file: the stream to write to (sys.stdout by default).
    """

    batch_hooks_may_be_grouped = True
    refresh_seconds = 0.5  # how often the bar's running loss is read from the device

    def __init__(self, verbose: int = 1, file=None) -> None:
        super().__init__()
        if verbose not in (1, 2):
            raise ValueError(f"Argument `verbose` of ProgbarLogger must be 1 or 2, received {verbose!r}.")
        self.verbose = verbose
        self.file = file
        self._bar = None

    @property
    def stream(self):
        return self.file or sys.stdout

    @property
    def reads_weights_during_training(self) -> bool:
        return False

    def _use_bar(self) -> bool:
        return self.verbose == 1 and _interactive(self.stream)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._start = time.perf_counter()
        self._last_refresh = self._start
        if self._use_bar():
            from tqdm.auto import tqdm
            self._bar = tqdm(total=self.params.get("steps"), desc=f"Epoch {epoch + 1}/{self.params.get('epochs')}",
                             unit="step", file=self.stream, leave=True, dynamic_ncols=True)

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is None:
            return
        self._bar.update(batch + 1 - self._bar.n)
        now = time.perf_counter()
        if logs is not None and now - self._last_refresh >= self.refresh_seconds:
            self._last_refresh = now
            self._bar.set_postfix_str(format_logs(logs() if callable(logs) else logs), refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs), refresh=False)
            self._bar.close()
            self._bar = None
            return
        line = f"Epoch {epoch + 1}/{self.params.get('epochs')} - {seconds:.2f}s - {format_logs(logs)}"
        print(line, file=self.stream, flush=True)

    def on_train_end(self, logs=None):
        if self._bar is not None:  # interrupted mid-epoch
            self._bar.close()
            self._bar = None
