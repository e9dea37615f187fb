"""Sharded checkpoints through orbax on this CPU: 8 host devices with a ModelParallel layout on a 2x4 mesh, and two
processes joined by jax.distributed over gloo, each holding half of every kernel. The settings run in fresh
processes (tests/distribution/orbax_workers.py), all started at once by one fixture; the checks and the one-device
restores run here.

What is checked: a BackupAndRestore backup of a sharded state is an orbax checkpoint that every process writes its
shards of; a fit interrupted mid-epoch and resumed starts from the interrupted state bit for bit (weights, RNG
streams, optimizer state, metric sums) on the same mesh, on other meshes and on one device, and on the same mesh
ends exactly as an uninterrupted fit (weights, History, CSV log); weights and whole models saved as `.orbax`
folders load onto other layouts bit for bit.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kerasish as ks
from tests.distribution import orbax_workers, workers

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 420  # seconds for every worker; they run side by side on a loaded 2-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Starts the 8-device worker and the two processes together; returns their folders once all succeeded."""
    base = tmp_path_factory.mktemp("orbax")
    folders = {"devices": base / "devices", "processes": base / "processes"}
    for folder in folders.values():
        folder.mkdir()
    port = str(_free_port())
    jobs = {"devices": ["devices", str(folders["devices"])],
            "process0": ["process", port, "0", str(folders["processes"])],
            "process1": ["process", port, "1", str(folders["processes"])]}
    procs = {}
    for name, args in jobs.items():
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "JAX_COMPILATION_CACHE_DIR": str(base / f"cache_{name}"),
               "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0", "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}
        env.pop("XLA_FLAGS", None)  # the devices worker sets its own; a process has one device
        procs[name] = subprocess.Popen([sys.executable, "-m", "tests.distribution.orbax_workers", *args], cwd=ROOT,
                                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for name, proc in procs.items():
            output, _ = proc.communicate(timeout=TIMEOUT)
            assert proc.returncode == 0, f"worker {name} failed:\n{output[-3000:]}"
    finally:
        for proc in procs.values():
            proc.kill()
    return folders


def _run(folder: Path, name: str, rank: int = 0):
    """A run's arrays (`first`, `last`, `weight`, `optimizer` lists) and its JSON."""
    arrays = np.load(folder / f"{name}.npz")
    lists = {key: [arrays[f"{key}_{i}"] for i in range(sum(f.startswith(f"{key}_") for f in arrays.files))]
             for key in ("first", "last", "weight", "optimizer")}
    return lists, json.loads((folder / f"{name}.{rank}.json").read_text())


def _assert_equal(got: list, expected: list) -> None:
    assert len(got) == len(expected) > 0
    for i, (a, b) in enumerate(zip(got, expected)):
        np.testing.assert_array_equal(a, b, err_msg=f"array {i}")


def _assert_close(got: list, expected: list) -> None:
    assert len(got) == len(expected) > 0
    for i, (a, b) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=f"array {i}")


def _assert_history_close(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, atol=1e-6, err_msg=key)


# -- 8 devices, ModelParallel on 2x4 -----------------------------------------------------------------------------

LAYOUTS = {  # the params' shardings at the resumed fit's first step (bias, kernel, bias, kernel)
    "same_mesh": ["P('model',)", "P(None, 'model')"] * 2,
    "other_mesh": ["P(None,)", "P('model', None)"] * 2,  # a 4x2 mesh, kernels split on their rows
    "data_parallel": ["P()"] * 4,
    "one_device": ["None"] * 4,
}


def test_a_model_parallel_backup_is_an_orbax_checkpoint_restored_bit_for_bit_on_any_layout(work):
    folder = work["devices"]
    stopped, stopped_json = _run(folder, "stopped")
    assert stopped_json["backup"] == ["training_state.orbax"]
    assert stopped_json["history"] is None  # interrupted in epoch 1, right after the backup of its 3rd batch
    for name, specs in LAYOUTS.items():
        resumed, resumed_json = _run(folder, name)
        assert resumed_json["first_specs"] == specs, name  # laid out as the resuming fit's distribution says
        _assert_equal(resumed["first"], stopped["last"])  # weights, RNG streams, Adam's moments, metric sums


def test_a_resumed_model_parallel_fit_ends_as_an_uninterrupted_one(work):
    folder = work["devices"]
    reference, reference_json = _run(folder, "reference")  # without BackupAndRestore: no dispatch cut either
    same, same_json = _run(folder, "same_mesh")
    _assert_equal(same["weight"], reference["weight"])
    assert same_json["history"] == reference_json["history"]  # every float of every epoch
    for name in ("other_mesh", "data_parallel", "one_device"):  # another layout sums in another order
        other, other_json = _run(folder, name)
        _assert_close(other["weight"], reference["weight"])
        _assert_history_close(other_json["history"], reference_json["history"])


def test_a_one_device_backup_file_resumes_on_the_mesh(work):
    folder = work["devices"]
    stopped, stopped_json = _run(folder, "file_stopped")
    assert stopped_json["backup"] == ["training_state.safetensors"]
    resumed, resumed_json = _run(folder, "file_resumed")
    assert resumed_json["first_specs"] == LAYOUTS["same_mesh"]
    _assert_equal(resumed["first"], stopped["last"])
    _assert_close(resumed["weight"], _run(folder, "reference")[0]["weight"])


def test_orbax_weights_and_models_load_onto_other_layouts_bit_for_bit(work):
    results = json.loads((work["devices"] / "devices.json").read_text())
    assert results["devices"] == 8
    expected_specs = {name: [specs[1], specs[0]] * 2 for name, specs in LAYOUTS.items()}  # Keras's order
    for name, loaded in results["loaded"].items():
        assert loaded["specs"] == expected_specs[name], name
        assert loaded["devices"] == [1 if name == "one_device" else 8] * 4
        _assert_equal(loaded["weights"], results["reference_weights"])
    _assert_equal(results["model_weights"], results["reference_weights"])  # model.save / load_model
    _assert_equal(results["model_optimizer"], results["reference_optimizer"])
    np.testing.assert_allclose(results["model_predict"], results["reference_predict"], atol=1e-6)


# -- two processes over gloo, each holding half of every kernel -------------------------------------------------

def test_each_process_writes_its_own_shards(work):
    folder = work["processes"]
    for rank in (0, 1):
        run = _run(folder, "stopped", rank)[1]
        assert (run["kernel_shape"], run["kernel_shard"]) == ([8, 16], [8, 8])  # this process's half
    checkpoints = list((folder / "kept" / "training_state.orbax").iterdir())
    assert len(checkpoints) == 1  # the previous backup was deleted once this one was committed
    assert sorted(p.name for p in (checkpoints[0] / "arrays").glob("ocdbt.process_*")) == \
        ["ocdbt.process_0", "ocdbt.process_1"]


def test_two_processes_resume_bit_for_bit(work):
    folder = work["processes"]
    stopped = _run(folder, "stopped")[0]
    reference, reference_json = _run(folder, "reference")
    for name in ("same_mesh", "replicated"):  # the kernels split over the processes again, or replicated
        resumed, resumed_json = _run(folder, name)
        _assert_equal(resumed["first"], stopped["last"])
        assert resumed_json["history"] == _run(folder, name, rank=1)[1]["history"]  # both decided the same
        assert (folder / f"{name}.csv").read_text() == (folder / "reference.csv").read_text()  # process 0's log
    same, same_json = _run(folder, "same_mesh")
    _assert_equal(same["weight"], reference["weight"])
    assert same_json["history"] == reference_json["history"]
    replicated, replicated_json = _run(folder, "replicated")
    _assert_close(replicated["weight"], reference["weight"])
    _assert_history_close(replicated_json["history"], reference_json["history"])


def test_a_model_checkpoint_written_by_two_processes_loads_on_one_device(work):
    reference = _run(work["processes"], "reference")[0]
    model = ks.models.load_model(work["processes"] / "reference.orbax")  # the last epoch's ModelCheckpoint
    _assert_equal(model.get_weights(), reference["weight"])
    _assert_equal(model.get_optimizer_state(), reference["optimizer"])


def test_model_save_outside_fit_needs_include_optimizer_false_for_a_split_optimizer_state(work):
    folder = work["processes"]
    for rank in (0, 1):
        refused = json.loads((folder / f"save.{rank}.json").read_text())["refused"]
        assert refused is not None and "cannot be saved with its optimizer state: that state is split over several " \
            "processes" in refused and "include_optimizer=False" in refused
    model = ks.models.load_model(folder / "saved.orbax")  # include_optimizer=False: weights and RNG streams
    _assert_equal(model.get_weights(), _run(folder, "reference")[0]["weight"])


def test_a_two_process_backup_restores_on_one_device(work, tmp_path):
    """The backup holds process 0's callbacks (CSVLogger and ModelCheckpoint included): one process restores them
    all, its state on one device, and reaches the same batch."""
    folder = work["processes"]
    shutil.copytree(folder / "kept", tmp_path / "backup")
    x, y = workers.data()
    x_val, y_val = workers.data(seed=1)
    half = workers.SAMPLES // 2
    probe = orbax_workers.make_probe(ks)(stop=(1, 2))
    callbacks = [ks.callbacks.BackupAndRestore(tmp_path / "backup", save_freq=4),
                 ks.callbacks.EarlyStopping(patience=3), ks.callbacks.CSVLogger(tmp_path / "log.csv"),
                 ks.callbacks.ModelCheckpoint(tmp_path / "model.orbax", monitor="loss"), probe]
    model = workers.model(ks, dropout=0.1)
    # process 0's rows and batches (its 8 rows of each global batch of 16): the backup's data order fits them
    with pytest.raises(KeyboardInterrupt):  # the probe stops where the backup was made
        model.fit(x[:half], y[:half], batch_size=8, epochs=3, shuffle=True, verbose=0, callbacks=callbacks,
                  validation_data=(x_val[:half], y_val[:half]))
    assert callbacks[0].restored_at == (1, 2)
    _assert_equal(probe.first, _run(folder, "stopped")[0]["last"])
