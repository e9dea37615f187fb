"""A fit interrupted after some epochs and run again resumes and ends exactly as an uninterrupted one."""

import numpy as np
import pytest

import kerasish as ks
from tests.conftest import mlp


class FailAtEpoch(ks.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def _run(blobs, callbacks, epochs=5):
    x, y = blobs
    ks.utils.set_random_seed(11)
    model = mlp(dropout=0.3)  # dropout: the RNG stream must resume too
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=epochs, validation_split=0.25, callbacks=callbacks, verbose=0)
    return model, history


def test_resume_after_an_interruption_is_bit_exact(blobs, tmp_path):
    reference, reference_history = _run(blobs, [])
    backup = ks.callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        _run(blobs, [backup, FailAtEpoch(2)])
    assert (tmp_path / "backup" / "training_state.safetensors").exists()
    resumed, history = _run(blobs, [backup])
    assert backup.restored_epoch == 2 and history.epoch == [3, 4]
    for a, b in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)
    for key, values in history.history.items():
        assert values == reference_history.history[key][3:], key
    assert not (tmp_path / "backup" / "training_state.safetensors").exists()  # deleted after a normal end


def test_a_backup_from_another_model_is_refused(blobs, tmp_path):
    x, y = blobs
    backup = ks.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    with pytest.raises(KeyboardInterrupt):
        _run(blobs, [backup, FailAtEpoch(0)])
    other = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, activation="softmax")])
    other.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="saved from another model"):
        other.fit(x, y, epochs=2, callbacks=[backup], verbose=0)
    (tmp_path / "training_state.safetensors").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        other.fit(x, y, epochs=2, callbacks=[backup], verbose=0)


def test_backup_and_restore_arguments(tmp_path):
    with pytest.raises(ValueError, match="`save_freq` of BackupAndRestore must be 'epoch', received 10"):
        ks.callbacks.BackupAndRestore(tmp_path, save_freq=10)
    with pytest.raises(TypeError, match="`backup_dir` of BackupAndRestore must be a folder path"):
        ks.callbacks.BackupAndRestore(None)
