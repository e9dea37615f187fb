"""A fit interrupted anywhere (an exception, SIGKILL mid-epoch, SIGKILL in the middle of writing a backup) and
run again resumes and ends exactly as an uninterrupted one: same weights, same History, same CSV log."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import kerasish as ks
import kerasish.callbacks.backup_and_restore as backup_module
from kerasish.saving.orbax_checkpoint import committed_steps
from kerasish.saving.training_state import (
           load_training_state,
           save_sharded_training_state,
           save_training_state,
           state_from_bytes,
           state_to_bytes,
)
from kerasish.saving.weights import read_metadata
from kerasish.training.data.arrays import ArrayDataset
from tests.callbacks.fakes import FakeModel
from tests.conftest import mlp

ROOT = pathlib.Path(__file__).parents[2]


class FailAt(ks.callbacks.Callback):
    """Raises KeyboardInterrupt at an epoch end, or at the first dispatch end at or after a batch."""

    batch_hooks_may_be_grouped = True

    def __init__(self, epoch, batch=None):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.batch is not None and self.current == self.epoch and batch >= self.batch:
            raise KeyboardInterrupt

    def on_epoch_end(self, epoch, logs=None):
        if self.batch is None and epoch == self.epoch:
            raise KeyboardInterrupt


def _run(blobs, callbacks, epochs=5):
    x, y = blobs
    ks.utils.set_random_seed(11)
    model = mlp(dropout=0.3)  # dropout: the RNG stream must resume too
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=24, epochs=epochs, validation_split=0.25, callbacks=callbacks, verbose=0)
    return model, history


def _assert_same_run(model, history, reference, reference_history):
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert history.epoch == reference_history.epoch
    assert history.history == reference_history.history  # every float of every epoch, exactly


def test_resume_after_an_interruption_at_an_epoch_end_is_bit_exact(blobs, tmp_path):
    """double_checkpoint: the last backup is corrupt, so the run resumes from the one before; the CSV rows written
    after that backup are dropped and written again. A backup is refused by a fit with other callbacks."""
    reference, reference_history = _run(blobs, [ks.callbacks.CSVLogger(tmp_path / "reference.csv")])
    backup = ks.callbacks.BackupAndRestore(tmp_path / "backup", double_checkpoint=True)
    with pytest.raises(KeyboardInterrupt):
        _run(blobs, [backup, ks.callbacks.CSVLogger(tmp_path / "log.csv"), FailAt(2)])
    assert len((tmp_path / "log.csv").read_text().splitlines()) == 4  # header and epochs 0-2
    (tmp_path / "backup" / "training_state.safetensors").write_bytes(b"corrupt")  # the backup of epoch 1's end
    with pytest.raises(ValueError, match=r"holds the states of the callbacks \['History', 'CSVLogger'\], but "
                                         r"this fit has \['History'\]"):
        _run(blobs, [backup])
    resumed, history = _run(blobs, [backup, ks.callbacks.CSVLogger(tmp_path / "log.csv")])
    assert backup.restored_at == (1, 0)  # from the previous backup, of epoch 0's end
    _assert_same_run(resumed, history, reference, reference_history)  # History holds epochs 0-4, as uninterrupted
    assert (tmp_path / "log.csv").read_text() == (tmp_path / "reference.csv").read_text()
    assert not (tmp_path / "backup").exists()  # deleted after a normal end


def test_a_backup_from_another_model_or_a_corrupt_one_is_refused(blobs, tmp_path):
    x, y = blobs
    save_training_state(tmp_path / "training_state.safetensors", {"params": {"w": np.zeros(2, np.float32)}},
                        {"epoch": 1, "step": 0, "order": None, "callbacks": []})
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    backup = ks.callbacks.BackupAndRestore(tmp_path)
    with pytest.raises(ValueError, match="holds 1 arrays but this model's training state has .* saved from another"):
        model.fit(x, y, epochs=2, callbacks=[backup], verbose=0)
    (tmp_path / "training_state.safetensors").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        model.fit(x, y, epochs=2, callbacks=[backup], verbose=0)


def test_a_fit_on_a_list_of_batches_resumes_mid_epoch_after_the_batches_done(blobs, tmp_path):
    """An iterable of batches resumes by reading and dropping the batches done before the backup."""
    x, y = blobs
    batches = [(x[i:i + 12], y[i:i + 12]) for i in range(0, 96, 12)]  # 8 batches, re-iterable

    def run(callbacks):
        ks.utils.set_random_seed(3)
        model = mlp()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model, model.fit(batches, epochs=2, callbacks=callbacks, verbose=0)

    reference, reference_history = run([])
    backup = ks.callbacks.BackupAndRestore(tmp_path / "backup", save_freq=3)
    with pytest.raises(KeyboardInterrupt):
        run([backup, FailAt(1, batch=5)])
    resumed, history = run([backup])
    assert backup.restored_at == (1, 4)  # the 12th batch of the fit: the 4th of epoch 1
    _assert_same_run(resumed, history, reference, reference_history)


def test_a_kept_backup_of_a_stopped_fit_makes_a_rerun_stop_the_same_way(blobs, tmp_path):
    """No backup is written once a callback asked training to stop: with delete_checkpoint=False the backup left is
    the one before the stopping epoch, so running the script again redoes that epoch and stops there."""

    class StopAtEpoch2(ks.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = self.model.stop_training or epoch == 2

    backup = ks.callbacks.BackupAndRestore(tmp_path / "backup", delete_checkpoint=False)
    first, first_history = _run(blobs, [backup, StopAtEpoch2()])
    assert first_history.epoch == [0, 1, 2]
    assert _backup_position(tmp_path) == (2, 0)  # written at the end of epoch 1: resume with epoch 2
    rerun, history = _run(blobs, [backup, StopAtEpoch2()])
    assert backup.restored_at == (2, 0)
    _assert_same_run(rerun, history, first, first_history)


def test_dispatches_end_at_the_backup_points(tmp_path):
    batches = ArrayDataset((np.zeros((10, 1), np.float32),), batch_size=1)
    plan = batches.plan(4, first_step=1, ends=[2, 6, 9])
    assert [(index[:, 0].tolist(), int(valid)) for index, valid in plan] == [
        ([1, 2, 2, 2], 2), ([3, 4, 5, 6], 4), ([7, 8, 9, 9], 3)]  # cut dispatches are padded to K
    backup = ks.callbacks.BackupAndRestore(tmp_path, save_freq=3)
    backup._since_backup = 1
    assert backup.batch_ends_needed(0, 10) == [1, 4, 7]


def _run_script(work_dir, cache, *options):
    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(cache), "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
           "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}  # later processes load the programs compiled once
    env.pop("XLA_FLAGS", None)  # one CPU device, whatever the test process runs with
    return subprocess.Popen([sys.executable, "-m", "tests.callbacks.resumable_fit", str(work_dir), *options], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process, returncode=0):
    output = process.communicate(timeout=300)[0]
    assert process.returncode == returncode, output[-3000:]


def _backup_position(work_dir):
    header = read_metadata((work_dir / "backup" / "training_state.safetensors").read_bytes())
    metadata = json.loads(header["metadata"])
    return metadata["epoch"], metadata["step"]


def test_a_fit_killed_mid_epoch_while_writing_a_backup_ends_as_an_uninterrupted_one(tmp_path):
    """The same script twice: SIGKILLed in epoch 3 while writing a backup, then resumed to the end. Compared with
    an uninterrupted run without BackupAndRestore (so without the dispatches cut at backup points either)."""
    killed, reference, cache = tmp_path / "killed", tmp_path / "reference", tmp_path / "cache"
    killed.mkdir(), reference.mkdir()
    _finish(_run_script(reference, cache, "--no-backup"))  # first: it fills the compilation cache of the others
    # 11 batches an epoch, a backup every 4: after batches 3, 7 | 0, 4, 8 | 1, 5, 9 | 2 (the 9th), ...
    _finish(_run_script(killed, cache, "--kill-in-write", "9"), -9)
    assert _backup_position(killed) == (2, 10)  # the previous backup is whole: after batch 9 of epoch 2
    assert any(name.endswith(".tmp") for name in os.listdir(killed / "backup"))  # the half-written file
    assert len((killed / "log.csv").read_text().splitlines()) == 4  # epoch 2's row, written after that backup
    _finish(_run_script(killed, cache))  # replays epoch 2's last batch and end, and epoch 3's first batches
    weights, expected = np.load(killed / "weights.npz"), np.load(reference / "weights.npz")
    assert len(weights.files) == 4 and all(np.array_equal(weights[k], expected[k]) for k in expected.files)
    history = json.loads((killed / "history.json").read_text())
    assert history == json.loads((reference / "history.json").read_text())
    assert history["epoch"] == [0, 1, 2, 3] and len(set(history["history"]["learning_rate"])) == 2  # ES, LR cut
    assert (killed / "log.csv").read_text() == (reference / "log.csv").read_text()  # epoch 2's row once
    assert not (killed / "backup").exists()


def _drive(callback, values, model, epochs, start=0, end=True):
    for epoch in range(start, epochs):
        callback.on_epoch_begin(epoch)
        model.epoch = epoch
        callback.on_epoch_end(epoch, {"val_loss": values[epoch]})
        if model.stop_training:
            break
    if end:
        callback.on_train_end({})


@pytest.mark.parametrize("make", [
    lambda: ks.callbacks.EarlyStopping(patience=2, restore_best_weights=True),
    lambda: ks.callbacks.ReduceLROnPlateau(patience=1, factor=0.5, cooldown=1),
], ids=["EarlyStopping", "ReduceLROnPlateau"])
@pytest.mark.parametrize("interrupted_after", [4, 5])  # epochs; after 5 the counters (wait) are not 0
def test_callback_state_survives_a_backup_file(make, interrupted_after):
    values = [1.0, 0.8, 0.9, 0.7, 0.75, 0.74, 0.73, 0.9]
    reference, reference_model = make(), FakeModel()
    reference.set_model(reference_model)
    reference.on_train_begin()
    _drive(reference, values, reference_model, len(values))

    first, model = make(), FakeModel()
    first.set_model(model)
    first.on_train_begin()
    _drive(first, values, model, interrupted_after, end=False)  # interrupted
    data = state_to_bytes({}, {"state": first.get_state()})
    state = state_from_bytes(data, {}, "test")[1]["state"]
    second, resumed_model = make(), FakeModel(model.optimizer.learning_rate)
    second.set_model(resumed_model)
    second.on_train_begin()
    second.set_state(state)
    _drive(second, values, resumed_model, len(values), start=interrupted_after)
    assert second.get_state().keys() == reference.get_state().keys()
    for key, value in reference.get_state().items():
        assert np.array_equal(second.get_state()[key], value) if key == "best_weights" else \
            second.get_state()[key] == value, key
    assert resumed_model.epoch == reference_model.epoch  # EarlyStopping restored the same best weights
    assert resumed_model.optimizer.learning_rate == reference_model.optimizer.learning_rate


def test_backup_and_restore_arguments(tmp_path):
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq` of BackupAndRestore: it must be "
                                         r"'epoch' or an int >= 1 \(batches\), received save_freq=0"):
        ks.callbacks.BackupAndRestore(tmp_path, save_freq=0)
    with pytest.raises(ValueError, match="received save_freq='batch'"):
        ks.callbacks.BackupAndRestore(tmp_path, save_freq="batch")
    with pytest.raises(ValueError, match="Empty `backup_dir` argument passed: BackupAndRestore needs a folder path, "
                                         "received None"):
        ks.callbacks.BackupAndRestore(None)
    with pytest.raises(ValueError, match="Empty `backup_dir` argument passed.*received ''"):
        ks.callbacks.BackupAndRestore("")
    with pytest.raises(TypeError, match="`backup_dir` of BackupAndRestore must be a folder path, received 3"):
        ks.callbacks.BackupAndRestore(3)
    with pytest.raises(TypeError, match="`double_checkpoint` of BackupAndRestore must be True or False, received 1"):
        ks.callbacks.BackupAndRestore(tmp_path, double_checkpoint=1)
    with pytest.raises(TypeError, match="a training-state checkpoint holds numbers"):
        state_to_bytes({}, {"callbacks": [object()]})


def test_a_sharded_state_round_trips_with_its_sharding():
    """Four CPU devices in a subprocess: a NamedSharding state is gathered on saving, re-sharded on loading."""
    code = textwrap.dedent("""
        import jax, jax.numpy as jnp, numpy as np
        from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
        from kerasish.saving.training_state import state_from_bytes, state_to_bytes
        mesh = Mesh(np.array(jax.devices()).reshape(2, 2), ("data", "model"))
        shardings = {"w": NamedSharding(mesh, P("data", "model")), "b": NamedSharding(mesh, P("model")),
                     "key": NamedSharding(mesh, P())}
        state = {"params": {"w": jnp.arange(32.0).reshape(4, 8), "b": jnp.arange(8.0), "key": jax.random.key(3)}}
        state = {"params": {k: jax.device_put(v, shardings[k]) for k, v in state["params"].items()}}
        like = {"params": {"w": jax.device_put(jnp.zeros((4, 8)), shardings["w"]),
                           "b": jax.device_put(jnp.zeros(8), shardings["b"]),
                           "key": jax.device_put(jax.random.key(0), shardings["key"])}}
        restored, _ = state_from_bytes(state_to_bytes(state, {}), like, "test")
        for name, value in restored["params"].items():
            assert value.sharding == shardings[name], (name, value.sharding)
        assert np.array_equal(restored["params"]["w"], state["params"]["w"])
        assert np.array_equal(jax.random.key_data(restored["params"]["key"]), jax.random.key_data(jax.random.key(3)))
        assert len(restored["params"]["w"].addressable_shards) == 4
        print("ok")
    """)
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.stdout.strip() == "ok", result.stderr[-3000:]


def test_load_training_state_names_the_file(tmp_path):
    path = tmp_path / "state.safetensors"
    path.write_bytes(b"junk")
    with pytest.raises(ValueError, match="Training-state file .*state.safetensors'? is not a readable"):
        load_training_state(path, {})


def test_an_orbax_backup_resumes_bit_exact_and_falls_back_to_the_previous_one(blobs, tmp_path, monkeypatch):
    """A state laid out over several devices is backed up as an orbax checkpoint (forced here on one device: the
    several-device runs are in tests/distribution/test_orbax_checkpoints.py). A fit on one device resumes from it;
    with double_checkpoint a damaged last checkpoint falls back to the one before; the resumed fit's own backups are
    files again, which supersede the orbax folder."""
    reference, reference_history = _run(blobs, [ks.callbacks.CSVLogger(tmp_path / "reference.csv")])
    backup = ks.callbacks.BackupAndRestore(tmp_path / "backup", double_checkpoint=True)
    with monkeypatch.context() as patch:
        patch.setattr(backup_module, "spans_devices", lambda tree: True)
        with pytest.raises(KeyboardInterrupt):
            _run(blobs, [backup, ks.callbacks.CSVLogger(tmp_path / "log.csv"), FailAt(2)])
    folder = tmp_path / "backup" / "training_state.orbax"
    assert os.listdir(tmp_path / "backup") == ["training_state.orbax"]
    assert committed_steps(folder) == [2, 1]  # after epochs 1 and 0
    shutil.rmtree(folder / "2" / "arrays")  # the last backup is damaged
    resumed, history = _run(blobs, [backup, ks.callbacks.CSVLogger(tmp_path / "log.csv")])
    assert backup.restored_at == (1, 0)  # from the one before
    _assert_same_run(resumed, history, reference, reference_history)
    assert (tmp_path / "log.csv").read_text() == (tmp_path / "reference.csv").read_text()
    assert not (tmp_path / "backup").exists()


def test_an_orbax_backup_of_another_model_is_refused(blobs, tmp_path):
    save_sharded_training_state(tmp_path / "training_state.orbax", {"params": {"w": np.zeros(2, np.float32)}},
                                {"epoch": 1, "step": 0, "order": None, "callbacks": []})
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="Training-state checkpoint .* holds 1 arrays, but 2 are expected here: it "
                                         "was saved from another model"):
        model.fit(*blobs, epochs=2, callbacks=[ks.callbacks.BackupAndRestore(tmp_path)], verbose=0)
