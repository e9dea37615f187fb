"""`CSVLogger`: one CSV row per epoch."""

from __future__ import annotations

import csv
import io
import os
from typing import Any

from kerasish.callbacks.callback import Callback


class CSVLogger(Callback):
    """Writes each epoch's logs as a row of a CSV file, as Keras does.

    The columns are `epoch` (0-based) and the first epoch's log keys in sorted order. If the first epoch
    has no `val_*` keys (no validation, or validation skipped by `validation_freq`), a `val_` column is
    added for each of its keys except `learning_rate`, so later validation epochs fit the header. A value
    missing from an epoch is written as `NA`. The file is opened for each row and closed after it, so
    every completed epoch is on disk even if training dies. With `BackupAndRestore`, a resumed `fit` puts the
file back as it was at the backup and continues it, so it ends as an uninterrupted run's.

    Args:
      filename: the CSV file's path (its folder must exist).
      separator: a one-character field separator.
      append: False truncates the file when training starts; True appends rows (no second header),
        e.g. when resuming a run. Appending to a file whose header has other columns is an error.

    Raises:
      TypeError: for a `filename` that is not a path.
      ValueError: for a `separator` that is not one character; during `fit`, when appending to a file
        whose header differs (the message shows both).

    Example:
      >>> logger = CSVLogger("training.csv", append=True)
    """

    chief_only = True  # with several processes, only process 0 writes the files

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"Argument `filename` of CSVLogger must be a path, received {filename!r}.")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"Argument `separator` of CSVLogger must be one character, received {separator!r}.")
        if not isinstance(append, bool):
            raise TypeError(f"Argument `append` of CSVLogger must be True or False, received {append!r}.")
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self.keys: list[str] | None = None
        self._start = 0
        self._written: list[str] = []

    @property
    def reads_weights_during_training(self) -> bool:
        return False

    def on_train_begin(self, logs=None) -> None:
        self.keys = None
        if not self.append:
            open(self.filename, "w").close()
        self._start = os.path.getsize(self.filename) if os.path.exists(self.filename) else 0
        self._written: list[str] = []  # the lines this fit wrote (header included), for a backup

    def get_state(self) -> dict[str, Any]:
        """The columns, where this fit's lines start in the file, and those lines."""
        return {"keys": self.keys, "start": self._start, "lines": list(self._written)}

    def set_state(self, state: dict[str, Any]) -> None:
        """Puts the file back as it was at the backup: lines written after it (by the interrupted run) are
        dropped, and the next rows are appended (whatever `append` says), so the file ends as an
        uninterrupted run's."""
        self.keys, self._start, self._written = state["keys"], int(state["start"]), list(state["lines"])
        size = os.path.getsize(self.filename) if os.path.exists(self.filename) else 0
        with open(self.filename, "a", newline="") as f:
            f.truncate(min(size, self._start))
            f.write("".join(self._written))

    def _existing_header(self) -> list[str] | None:
        if not os.path.exists(self.filename):
            return None
        with open(self.filename, newline="") as f:
            return next(csv.reader(f, delimiter=self.separator), None)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        write_header = False
        if self.keys is None:
            keys = sorted(logs)
            if not any(key.startswith("val_") for key in keys):
                keys += ["val_" + key for key in keys if key != "learning_rate"]
            header = self._existing_header()
            if header is not None and header != ["epoch"] + keys:
                raise ValueError(f"CSVLogger cannot append to {self.filename!r}: its columns are {header}, but this "
                                 f"fit logs {['epoch'] + keys}. Use another file or append=False.")
            self.keys, write_header = keys, header is None
        text = io.StringIO()
        writer = csv.writer(text, delimiter=self.separator)
        if write_header:
            writer.writerow(["epoch"] + self.keys)
        writer.writerow([epoch] + [logs.get(key, "NA") for key in self.keys])
        with open(self.filename, "a", newline="") as f:
            f.write(text.getvalue())
        self._written.append(text.getvalue())
