"""`BackupAndRestore`: a `fit` interrupted (exception, Ctrl-C, a killed process) resumes where it stopped."""

from __future__ import annotations

import os

from kerasish.callbacks.callback import Callback
from kerasish.saving.training_state import load_training_state, save_training_state

_FILE = "training_state.safetensors"


class BackupAndRestore(Callback):
    """Backs up the whole training state at the end of every epoch; the next `fit` resumes from it.

    The backup holds the weights, the rest of the model's state (batch statistics, dropout RNG
    streams), the optimizer state, the epoch, and the state of the shuffling generator, so a resumed
    run continues with the same data order and the same random masks: it ends with the same weights
    as an uninterrupted run (bit for bit on CPU). The file is written atomically, and deleted when
    training ends normally (unless `delete_checkpoint=False`). Run the same script again after an
    interruption: `fit` starts from the epoch after the last backed-up one.

    Args:
      backup_dir: the folder of the backup (created if missing). Use one folder per training run.
      save_freq: "epoch" (backups at epoch ends; mid-epoch backups come with the resume issue).
      delete_checkpoint: delete the backup once training ends normally.

    Example:
      >>> import tempfile
      >>> callback = BackupAndRestore(tempfile.mkdtemp())
    """

    def __init__(self, backup_dir: str | os.PathLike, save_freq: str = "epoch", delete_checkpoint: bool = True):
        super().__init__()
        if not isinstance(backup_dir, (str, os.PathLike)) or not os.fspath(backup_dir):
            raise TypeError(f"Argument `backup_dir` of BackupAndRestore must be a folder path, "
                            f"received {backup_dir!r}.")
        if save_freq != "epoch":
            raise ValueError(f"Argument `save_freq` of BackupAndRestore must be 'epoch', received {save_freq!r}.")
        if not isinstance(delete_checkpoint, bool):
            raise TypeError(f"Argument `delete_checkpoint` must be True or False, received {delete_checkpoint!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.delete_checkpoint = delete_checkpoint
        self.restored_epoch: int | None = None

    @property
    def path(self) -> str:
        return os.path.join(self.backup_dir, _FILE)

    def on_train_begin(self, logs=None) -> None:
        self.restored_epoch = None
        if not os.path.exists(self.path):
            return
        engine = self.model._engine
        state, metadata = load_training_state(self.path, engine.pull_state())
        engine.push_state(state)
        if metadata.get("shuffle") is not None:
            engine.dataset.restore_shuffle_state(metadata["shuffle"])
        self.restored_epoch = int(metadata["epoch"])
        self.model.resume_from_epoch(self.restored_epoch + 1)

    def on_epoch_end(self, epoch, logs=None) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        engine = self.model._engine
        metadata = {"epoch": epoch, "shuffle": engine.dataset.shuffle_state()}
        save_training_state(self.path, engine.state, metadata)

    def on_train_end(self, logs=None) -> None:
        if self.delete_checkpoint and os.path.exists(self.path):
            os.remove(self.path)

    @property
    def reads_weights_during_training(self) -> bool:
        return False  # it saves the live train state itself
