"""`ModelCheckpoint`: save the weights during training, every epoch, every N batches, or the best only."""

from __future__ import annotations

import os
import string
from typing import Any

import jax

import kerasish.saving.weights as _weights
from kerasish.callbacks.monitor import MonitorCallback, check_number, check_verbose, infer_mode, print_msg
from kerasish.distribution import is_chief
from kerasish.saving.keras_file import KERAS_SUFFIX, KERAS_WEIGHTS_SUFFIX
from kerasish.saving.model_file import MODEL_SUFFIX, save_model
from kerasish.saving.orbax_checkpoint import ORBAX_SUFFIX, is_orbax_path


class ModelCheckpoint(MonitorCallback):
    """Saves the model's weights at the end of every epoch, or every `save_freq` batches.

    `filepath` may hold `str.format` fields filled from the logs: `{epoch}` (1-based, as in Keras's
    file names), `{batch}` (1-based, with an integer `save_freq`) and any log key, e.g.
    `"ckpt/{epoch:02d}-{val_loss:.3f}.weights.safetensors"`. Missing folders are created. Every file is
    written atomically (a temporary file in the same folder, fsync, rename): a crash leaves the previous
    checkpoint intact, never a half-written one.

    A `filepath` ending in `.orbax` writes orbax checkpoints instead, for a model laid out over several
    devices or processes (a `ModelParallel` or `DataParallel` distribution): each save is the next numbered
    checkpoint of that folder (`"ckpt/{epoch:02d}.orbax"`: a folder per epoch; `"best.orbax"`: one folder
    whose previous checkpoint is deleted once the new one is committed). Every process takes part and writes
    the shards it holds, so nothing is gathered anywhere; `load_weights` / `load_model` read it back onto
    any layout. A file is written by process 0 only.

    With `save_best_only=True` a file is written only when `monitor` improves on the best value seen so
    far (`initial_value_threshold` at first; the best carries over to later `fit` calls of the same
    instance, as in Keras, so a file from an earlier fit is only overwritten by a better model).

    Stricter than Keras: a monitored key missing from the logs is a `ValueError` listing the keys, and
    so is a `filepath` field missing from them. Epochs that skipped validation (`fit(validation_freq=...)`)
    are not saved when the name or `monitor` needs a `val_*` value.

    Args:
      filepath: where to save: ending in `.weights.safetensors` (or Keras's `.weights.h5`) with
        `save_weights_only=True`, else in `.kerasish` (a whole model file, `model.save`) or `.keras` (Keras 3's);
        or, either way, in `.orbax` (an orbax checkpoint folder: the weights, or the whole model with its live
        optimizer state).
      monitor: the key of the logs compared with `save_best_only`.
      verbose: 0 silent, 1 (or more) prints each save (and each non-improvement with `save_best_only`), with
        Keras's messages.
      save_best_only: save only when `monitor` improves.
      save_weights_only: save only the weights (`model.save_weights`), not the whole model (`model.save`:
        architecture, weights and optimizer state, loadable with `ks.models.load_model`).
      mode: `"min"`, `"max"` or `"auto"` (from the name; see `EarlyStopping`).
      save_freq: `"epoch"`, or an int N: save after every N batches (counted across epochs). Saves land
        on exact batch counts, so an int makes `fit` run one step per dispatch. Monitoring a `val_*` key
        needs `"epoch"` (validation only runs at epoch end).
      initial_value_threshold: the value the first save must beat with `save_best_only`.

    Raises:
      ValueError / TypeError: for an invalid argument (e.g. a `filepath` with the wrong suffix).

    Example:
      >>> checkpoint = ModelCheckpoint("best.weights.safetensors", monitor="val_loss", save_best_only=True,
      ...                              save_weights_only=True)
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: str | int = "epoch", initial_value_threshold: float | None = None) -> None:
        if not isinstance(save_best_only, bool):
            raise TypeError(f"Argument `save_best_only` of ModelCheckpoint must be True or False, received "
                            f"{save_best_only!r}.")
        if not save_best_only and mode == "auto" and isinstance(monitor, str) and monitor:
            try:  # the direction only matters with save_best_only: do not demand it otherwise
                infer_mode(monitor)
            except ValueError:
                mode = "min"
        super().__init__(monitor, mode)
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"Argument `filepath` of ModelCheckpoint must be a path, received {filepath!r}.")
        self.filepath = os.fspath(filepath)
        try:
            self._fields = {field for _, field, _, _ in string.Formatter().parse(self.filepath) if field}
        except ValueError as e:
            raise ValueError(f"Argument `filepath` of ModelCheckpoint is not a valid format string ({e}): "
                             f"{self.filepath!r}. Write literal braces as '{{{{' and '}}}}'.") from None
        if not isinstance(save_weights_only, bool):
            raise TypeError(f"Argument `save_weights_only` of ModelCheckpoint must be True or False, received "
                            f"{save_weights_only!r}.")
        weights_suffixes = (_weights.WEIGHTS_SUFFIX, KERAS_WEIGHTS_SUFFIX)
        suffixes = weights_suffixes if save_weights_only else (MODEL_SUFFIX, KERAS_SUFFIX)
        if not (self.filepath.endswith(suffixes) or is_orbax_path(self.filepath)):
            raise ValueError(f"Argument `filepath` of ModelCheckpoint must end in {suffixes[0]!r} or {suffixes[1]!r} "
                             f"with save_weights_only={save_weights_only}, or in {ORBAX_SUFFIX!r} (an orbax "
                             f"checkpoint folder), received filepath={self.filepath!r}.")
        if save_freq != "epoch":
            if isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1:
                raise ValueError(f"Unrecognized save_freq: argument `save_freq` of ModelCheckpoint must be 'epoch' or "
                                 f"an int >= 1 (batches), received save_freq={save_freq!r}.")
            if save_best_only and monitor.startswith("val_"):
                raise ValueError(f"ModelCheckpoint with save_freq={save_freq} (batches) cannot monitor "
                                 f"{monitor!r}: validation only runs at epoch end. Use save_freq='epoch' or "
                                 f"monitor a training key such as {monitor.removeprefix('val_')!r}.")
        self.verbose = check_verbose("ModelCheckpoint", verbose)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.best = check_number("ModelCheckpoint", "initial_value_threshold", initial_value_threshold,
                                 allow_none=True)
        self._current_epoch = 0
        self._batches_since_save = 0
        self._last_batch_seen: int | None = None

    @property
    def chief_only(self) -> bool:
        """With several processes, whether process 0 alone runs it: a file is written by process 0, an orbax
        checkpoint by every process (each its own shards)."""
        return not is_orbax_path(self.filepath)

    def overrides(self, hook: str) -> bool:
        if hook == "on_train_batch_end":
            return self.save_freq != "epoch"  # epoch checkpoints cost nothing per step
        return super().overrides(hook)

    def get_state(self) -> dict[str, Any]:
        """`best` and the batch counters of an integer `save_freq`."""
        return {**self._monitor_state(), "best": self.best, "epoch": self._current_epoch,
                "batches_since_save": self._batches_since_save, "last_batch_seen": self._last_batch_seen}

    def set_state(self, state: dict[str, Any]) -> None:
        self._set_monitor_state(state)
        self.best, self._current_epoch = state["best"], int(state["epoch"])
        self._batches_since_save, self._last_batch_seen = int(state["batches_since_save"]), state["last_batch_seen"]

    def on_train_begin(self, logs=None) -> None:
        self._batches_since_save, self._last_batch_seen = 0, None
        if self.save_best_only:
            self._check_validation_planned()

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self._should_save_on_batch(batch):
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def on_train_end(self, logs=None) -> None:
        if self.save_best_only:
            self._check_validation_seen()

    def _should_save_on_batch(self, batch: int) -> bool:
        """Counts the batches since the last save (as Keras does, also right if a hook reports several at once)."""
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch: batches count from 0 again
        else:
            added = batch - self._last_batch_seen
        self._batches_since_save += added
        self._last_batch_seen = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            return True
        return False

    def _file_path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str | None:
        """`filepath` filled in, or None on an epoch whose skipped validation leaves a field empty."""
        values = {**logs, "epoch": epoch + 1}
        if batch is not None:
            values["batch"] = batch + 1
        missing = sorted(field for field in self._fields if field.split(".")[0].split("[")[0] not in values)
        if missing:
            if all(f.startswith("val_") for f in missing) and not any(k.startswith("val_") for k in logs):
                return None
            raise ValueError(f"ModelCheckpoint cannot fill {missing} in filepath {self.filepath!r}: the logs of "
                             f"epoch {epoch + 1} hold {sorted(values)}.")
        return self.filepath.format(**values)

    def _save(self, epoch: int, batch: int | None, logs: Any) -> None:
        logs = dict(logs or {})
        verbose = self.verbose and is_chief()  # an orbax checkpoint is saved by every process: one report
        path = self._file_path(epoch, batch, logs)
        if path is None:
            return
        if self.save_best_only:
            current = self._monitor_value(logs, epoch)
            if current is None:
                return
            best = "None" if self.best is None else f"{self.best:.5f}"
            if not self._is_improvement(current, self.best):
                if verbose:
                    print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
                return
            if verbose:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, saving model "
                          f"to {path}")
            self.best = current
        elif verbose:
            print_msg(f"\nEpoch {epoch + 1}: saving model to {path}")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            _weights.save_weights(self.model, path)
        elif is_orbax_path(path) and self.fit_run is not None and self.fit_run.state is not None:
            # the live optimizer state as it lies (maybe split over processes), not a host copy of it
            save_model(self.model, path, optimizer_state=jax.tree.leaves(self.fit_run.state["opt"]))
        else:
            save_model(self.model, path)
        if verbose:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {path}")
