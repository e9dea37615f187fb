"""`BackupAndRestore`: a `fit` interrupted (exception, Ctrl-C, a killed process) resumes where it stopped."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from kerasish.callbacks.callback import Callback, CallbackList
from kerasish.distribution import is_chief
from kerasish.saving.orbax_checkpoint import committed_steps, remove_checkpoints, spans_devices
from kerasish.saving.training_state import (
           load_sharded_training_state,
           load_training_state,
           save_sharded_training_state,
           save_training_state,
)

_FILE = "training_state.safetensors"
_PREVIOUS = "training_state.previous.safetensors"
_FOLDER = "training_state.orbax"


class BackupAndRestore(Callback):
    """Backs up the whole training state during `fit`; the next `fit` with a backup resumes from it.

    A backup holds the weights, the rest of the model's state (batch statistics, dropout RNG streams),
    the optimizer state (its learning rate included), where the loop is (epoch, and batch with an
    integer `save_freq`), the metric sums of a partial epoch, the shuffling generator's state from
    before the epoch's order was drawn, and the state of every other callback of the fit that has one
    (`Callback.get_state`: History's epochs, EarlyStopping's `wait`, `best` and best weights,
    ReduceLROnPlateau's counters, ModelCheckpoint's `best`, CSVLogger's rows). Run the same script
    again after an interruption, even a SIGKILL in the middle of an epoch: `fit` continues from the
    last backup and ends with the same weights and the same History as an uninterrupted run (bit for
    bit on CPU). The resumed epoch does not call `on_epoch_begin` again (it ran before the backup).

    With an integer `save_freq`, steps fused in one dispatch (`steps_per_execution`) still run fused: a
    dispatch ends at each backup point instead, and a cut dispatch runs the same compiled program, so
    the numbers do not change. Backups are written atomically (a killed write leaves the previous backup
    whole) and deleted when `fit` ends normally, unless `delete_checkpoint=False`. No backup is made
    once a callback has asked training to stop: re-running from the previous one stops the same way.

    Iterables of batches resume at the right batch by reading and dropping the batches done, which
    gives the same data only for a re-iterable source (a list, a `Sequence`) without `steps_per_epoch`.

    Where the backup goes depends on where the train state lives. On one device it is one safetensors file,
    `training_state.safetensors`. When the state is laid out over several devices (a model compiled under a
    `DataParallel` or `ModelParallel` distribution, of one process or several) it is an orbax checkpoint,
    the folder `training_state.orbax` of numbered checkpoints: every process writes the shards it holds and
    orbax commits the checkpoint atomically (a killed write is never read; the previous checkpoint is deleted
    only after the commit). With several processes, `backup_dir` must be on storage every process sees. A
    backup is restored into the layout of the fit that reads it, whichever wrote it: an orbax backup onto the
    same mesh or another one (each device reads its slices), or onto one device; a file onto a mesh. Only
    the same mesh continues bit for bit (another layout sums in another order). The metadata (position,
    data order, callbacks' states) is process 0's: callbacks that run in process 0 only (`chief_only`:
    `CSVLogger`, a file-writing `ModelCheckpoint`) are restored there only, the others in every process,
    from process 0's state (every process computes the same metrics, so they hold the same state).

    Args:
      backup_dir: the folder of the backup (created if missing). Use one folder per training run.
      save_freq: `"epoch"`: a backup at the end of every epoch; an int N: every N batches (counted
        across epochs, as in Keras).
      double_checkpoint: also keep the backup before the last one, and fall back to it when the last one
        cannot be read.
      delete_checkpoint: delete the backup once training ends normally.

    Attributes:
      restored_at: `(epoch, batch)` where the last `fit` resumed (0-based), or None if it found no backup.

    Raises:
      ValueError: for an empty or None `backup_dir` (as Keras) or an invalid `save_freq`.
      TypeError / ValueError: for another invalid argument; during `fit`, a `ValueError` for a backup of
        another model or optimizer, or of a fit with other callbacks.

    Example:
      >>> import tempfile
      >>> callback = BackupAndRestore(tempfile.mkdtemp(), save_freq=100)
    """

    batch_hooks_may_be_grouped = True  # batch_ends_needed makes dispatches end at the backup points
    runs_after_others = True  # restores the others after their on_train_begin; saves after their on_epoch_end

    def __init__(self, backup_dir: str | os.PathLike, save_freq: str | int = "epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True) -> None:
        super().__init__()
        if backup_dir is None or (isinstance(backup_dir, (str, os.PathLike)) and not os.fspath(backup_dir)):
            raise ValueError(f"Empty `backup_dir` argument passed: BackupAndRestore needs a folder path, received "
                             f"{backup_dir!r}.")  # Keras's words and exception type
        if not isinstance(backup_dir, (str, os.PathLike)):
            raise TypeError(f"Argument `backup_dir` of BackupAndRestore must be a folder path, "
                            f"received {backup_dir!r}.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"Invalid value for argument `save_freq` of BackupAndRestore: it must be 'epoch' or an "
                             f"int >= 1 (batches), received save_freq={save_freq!r}.")
        for name, value in (("double_checkpoint", double_checkpoint), ("delete_checkpoint", delete_checkpoint)):
            if not isinstance(value, bool):
                raise TypeError(f"Argument `{name}` of BackupAndRestore must be True or False, received {value!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self.restored_at: tuple[int, int] | None = None
        self._since_backup = 0  # batches run since the last backup (an integer save_freq)
        self._last_batch = -1  # the last batch of this epoch reported to on_train_batch_end

    @property
    def path(self) -> str:
        return os.path.join(self.backup_dir, _FILE)

    @property
    def previous_path(self) -> str:
        return os.path.join(self.backup_dir, _PREVIOUS)

    @property
    def orbax_path(self) -> str:
        """The folder of the orbax backups (a state laid out over several devices)."""
        return os.path.join(self.backup_dir, _FOLDER)

    @property
    def reads_weights_during_training(self) -> bool:
        return False  # it saves the live train state itself

    def overrides(self, hook: str) -> bool:
        if hook == "on_train_batch_end":
            return self.save_freq != "epoch"  # epoch backups cost nothing per step
        return super().overrides(hook)

    # -- restoring ------------------------------------------------------------------------------

    def on_train_begin(self, logs=None) -> None:
        self.restored_at = None
        self._since_backup, self._last_batch = 0, -1
        self._remove_temporaries()
        if not any(os.path.exists(path) for path in (self.path, self.previous_path, self.orbax_path)):
            return
        run = self.fit_run
        loaded = self._load(run.state_like())
        if loaded is None:
            return
        state, metadata = loaded
        run.restore_state(state)
        if metadata["order"] is not None:
            run.restore_data_order(metadata["order"])
        self._restore_callbacks(run.callbacks, metadata["callbacks"])
        epoch, step = int(metadata["epoch"]), int(metadata["step"])
        run.resume(epoch, step, state["metrics"] if step else None)
        self._last_batch = step - 1
        self.restored_at = (epoch, step)

    def _load(self, like: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The last backup, or the one before it (`double_checkpoint`) if the last cannot be read."""
        backups = self._backups(spans_devices(like))
        if not backups:
            return None
        try:
            return backups[0](like)
        except (OSError, ValueError) as error:
            if len(backups) == 1:
                raise
            try:
                return backups[1](like)
            except (OSError, ValueError):
                raise error from None

    def _backups(self, sharded: bool) -> list[Callable[[dict[str, Any]], tuple[dict, dict]]]:
        """Readers of the backups to try, newest first: of the format this fit writes if there are any (an orbax
        backup for a `sharded` state, else a file), else of the other one (written by an earlier fit on another
        layout); the one before the last only with `double_checkpoint`."""
        count = 2 if self.double_checkpoint else 1
        steps = committed_steps(self.orbax_path)[:count]
        folders = [functools.partial(load_sharded_training_state, self.orbax_path, step=step) for step in steps]
        if os.path.exists(self.path):
            names = [self.path, self.previous_path][:count]
        else:  # the last backup went missing: the one before it stands in with double_checkpoint, as in Keras
            names = [self.previous_path] if self.double_checkpoint else []
        files = [functools.partial(load_training_state, path) for path in names if os.path.exists(path)]
        first, second = (folders, files) if sharded else (files, folders)
        return first or second

    def _stateful(self, callbacks: CallbackList) -> list[Callback]:
        return [cb for cb in callbacks.callbacks if cb is not self and cb.get_state() is not None]

    def _restore_callbacks(self, callbacks: CallbackList, saved: list[dict[str, Any]]) -> None:
        own = self._stateful(callbacks)
        names = [type(cb).__name__ for cb in own]
        if not is_chief():  # the backup holds process 0's callbacks; those that run there only are not here
            saved = [entry for entry in saved if not entry.get("chief_only", False)]
        if names != [entry["class"] for entry in saved]:
            raise ValueError(f"The backup in {self.backup_dir!r} holds the states of the callbacks "
                             f"{[entry['class'] for entry in saved]}, but this fit has {names}. Resume with the "
                             f"callbacks of the interrupted run, or delete the backup to start afresh.")
        for cb, entry in zip(own, saved):
            cb.set_state(entry["state"])

    def _remove_temporaries(self) -> None:
        """Temporary files of a write that a killed process left behind (the backup itself is whole); orbax
        removes its own temporary folders when it next saves."""
        if not is_chief() or not os.path.isdir(self.backup_dir):
            return
        for name in os.listdir(self.backup_dir):
            if name.startswith((f".{_FILE}.", f".{_PREVIOUS}.")) and name.endswith(".tmp"):
                os.remove(os.path.join(self.backup_dir, name))

    # -- backing up -----------------------------------------------------------------------------

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._last_batch = -1

    def batch_ends_needed(self, first: int, steps: int) -> list[int]:
        if self.save_freq == "epoch":
            return []
        return list(range(first + self.save_freq - self._since_backup - 1, steps, self.save_freq))

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self._since_backup += batch - self._last_batch  # a grouped report counts all its batches
        self._last_batch = batch
        if self._since_backup >= self.save_freq:
            self._since_backup = 0
            self._save(self.fit_run.epoch, batch + 1, self.fit_run.epoch_order)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.save_freq != "epoch":
            return
        run = self.fit_run
        if run.callbacks.reads_weights_during_training:
            run.take_model_weights()  # a callback may have set weights, which the loop continues from
        self._save(epoch + 1, 0, run.data_order())

    def _save(self, epoch: int, step: int, order: dict | None) -> None:
        """Backs up the live state: the loop resumes at batch `step` of `epoch` with the data order `order`."""
        if self._model.stop_training:
            return
        run = self.fit_run
        metadata = {"epoch": epoch, "step": step, "order": order,
                    "callbacks": [{"class": type(cb).__name__, "state": cb.get_state(),
                                   "chief_only": bool(getattr(cb, "chief_only", False))}
                                  for cb in self._stateful(run.callbacks)]}
        os.makedirs(self.backup_dir, exist_ok=True)
        if spans_devices(run.state):  # every process writes its shards; orbax commits, then drops the older
            save_sharded_training_state(self.orbax_path, run.state, metadata, keep=2 if self.double_checkpoint else 1)
            if is_chief():
                self._remove_files()  # of an earlier fit on one device: this backup supersedes them
            return
        if self.double_checkpoint and os.path.exists(self.path):
            os.replace(self.path, self.previous_path)
        save_training_state(self.path, run.state, metadata)
        if os.path.isdir(self.orbax_path):
            remove_checkpoints(self.orbax_path)  # of an earlier fit on a mesh: this backup supersedes them

    def _remove_files(self) -> None:
        for path in (self.path, self.previous_path):
            if os.path.exists(path):
                os.remove(path)

    def on_train_end(self, logs=None) -> None:
        if not self.delete_checkpoint:
            return
        if is_chief():
            self._remove_files()
        remove_checkpoints(self.orbax_path)  # process 0 deletes, every process waits for it
        if is_chief() and os.path.isdir(self.backup_dir) and not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)
