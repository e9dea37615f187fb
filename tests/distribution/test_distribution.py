"""kerasish.distribution on this CPU: 8 host devices (DataParallel, ModelParallel on 2x4) and two processes
joined by jax.distributed over gloo. Each setting runs in fresh processes (tests/distribution/workers.py),
all started at once by one fixture; the one-device references run here."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kerasish as ks
from kerasish import distribution as dist
from tests.distribution import workers

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300  # seconds for every worker; they run side by side on a loaded 2-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Starts the 8-device worker and the two processes together; returns their JSON results."""
    folder = tmp_path_factory.mktemp("distribution")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("XLA_FLAGS", None)
    port = str(_free_port())
    jobs = {"devices": ["devices"], "process0": ["process", port, "0"], "process1": ["process", port, "1"]}
    procs = {name: subprocess.Popen([sys.executable, "-m", "tests.distribution.workers", *args,
                                     str(folder / f"{name}.json")], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for name, args in jobs.items()}
    results = {}
    try:
        for name, proc in procs.items():
            output, _ = proc.communicate(timeout=TIMEOUT)
            assert proc.returncode == 0, f"worker {name} failed:\n{output[-3000:]}"
            results[name] = json.loads((folder / f"{name}.json").read_text())
    finally:
        for proc in procs.values():
            proc.kill()
    return results


def _assert_history_close(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_data_parallel_on_8_devices_matches_one_device(runs):
    r = runs["devices"]
    assert r["devices"] == 8
    # 72 training rows in batches of 20: the last batch of 12 does not divide over 8 devices and is kept whole.
    _assert_history_close(r["data_parallel"], r["single"])
    _assert_history_close(r["data_parallel_streamed"], r["data_parallel"])  # training data streamed: the same
    np.testing.assert_allclose(r["data_parallel_predict"], r["single_predict"], atol=1e-6)
    assert r["data_parallel_kernel"] == "P()"  # weights replicated


def test_model_parallel_on_2x4_mesh_shards_kernels_and_matches(runs):
    r = runs["devices"]
    _assert_history_close(r["model_parallel"], r["single"])
    np.testing.assert_allclose(r["model_parallel_predict"], r["single_predict"], atol=1e-6)
    np.testing.assert_allclose(r["model_parallel_evaluate"], r["single_evaluate"], rtol=1e-5)
    assert r["model_parallel_kernels"] == ["P(None, 'model')"] * 2
    assert r["model_parallel_shard_shapes"] == [[8, 4], [16, 1]]  # (8, 16) and (16, 4) split in 4 on axis 1
    assert r["model_parallel_moments"] == ["P(None, 'model')"] * 4  # Adam's m and v follow the kernels


def test_sharded_models_do_not_recompile_on_a_second_fit(runs):
    assert runs["devices"]["compiles_on_refit"] == 0


def test_two_processes_train_like_one_process_on_the_global_batches(runs):
    a, b = runs["process0"], runs["process1"]
    assert (a["processes"], a["devices"]) == (2, 2)
    for w0, w1 in zip(a["weights"], b["weights"]):
        np.testing.assert_array_equal(w0, w1)  # the processes hold the same weights
    assert a["history"] == b["history"]  # and decided the same (EarlyStopping included)
    assert a["csv_written"] and not b["csv_written"]  # files come from process 0 only

    # One process, the global batches: 8 rows of process 0 then 8 of process 1, batch after batch.
    x, y = workers.data()
    x_val, y_val = workers.data(seed=1)
    half = workers.SAMPLES // 2
    order = np.concatenate([np.r_[i:i + 8, half + i:half + i + 8] for i in range(0, half, 8)])
    reference = workers.model(ks)
    history = reference.fit(x[order], y[order], batch_size=16, epochs=6, shuffle=False, verbose=0,
                            validation_data=(x_val[order], y_val[order]),
                            callbacks=[ks.callbacks.EarlyStopping(patience=1, min_delta=0.05)])
    _assert_history_close(a["history"], history.history)
    for got, expected in zip(a["weights"], reference.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a["predict"], reference.predict(x[:half], verbose=0), atol=1e-5)  # own rows
    np.testing.assert_allclose(b["predict"], reference.predict(x[half:], verbose=0), atol=1e-5)
    np.testing.assert_allclose(a["evaluate"], reference.evaluate(x_val, y_val, verbose=0), rtol=1e-5)

    one_epoch = workers.model(ks)
    one_epoch.fit(x[order], y[order], batch_size=16, epochs=1, shuffle=False, verbose=0)
    for got, expected in zip(a["iterable_weights"], one_epoch.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_layout_map_and_mesh_errors_name_the_problem():
    mesh = dist.DeviceMesh((1,), ("batch",))
    layout = dist.LayoutMap(mesh)
    with pytest.raises(ValueError, match=r"names mesh axes \['model'\]; the mesh has axes \('batch',\)"):
        layout["dense.*kernel"] = (None, "model")
    layout["dense.*"] = (None,)
    layout[".*kernel"] = (None, None)
    with pytest.raises(ValueError, match="matches several LayoutMap keys"):
        layout["dense_1/kernel"]
    with pytest.raises(ValueError, match=r"Argument `shape` of DeviceMesh must hold as many devices as given \(1\)"):
        dist.DeviceMesh((2, 2), ("batch", "model"))
    with pytest.raises(ValueError, match="Argument `batch_dim_name` must be one of the mesh's axes"):
        dist.ModelParallel(layout_map=dist.LayoutMap(mesh), batch_dim_name="data")
    with pytest.raises(TypeError, match="Argument `value` of set_distribution"):
        dist.set_distribution("data_parallel")
    assert dist.distribution() is None


def test_distribution_scope_is_captured_at_compile_on_one_device():
    """A one-device DataParallel runs through the sharded path and gives the plain run's numbers."""
    x, y = workers.data()
    plain = workers.model(ks)
    expected = plain.fit(x, y, batch_size=32, epochs=2, verbose=0).history
    with dist.DataParallel().scope():
        sharded = workers.model(ks)
    assert dist.distribution() is None
    assert sharded._training.engine is None and sharded._training.config.distribution is not None
    _assert_history_close(sharded.fit(x, y, batch_size=32, epochs=2, verbose=0).history, expected)
