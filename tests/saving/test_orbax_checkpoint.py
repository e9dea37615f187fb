"""Orbax checkpoint folders on one device: numbering and commit, what they hold, and the errors. Several devices and
processes: tests/distribution/test_orbax_checkpoints.py."""

import json
import os
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from kerasish.saving import orbax_checkpoint
from kerasish.saving.orbax_checkpoint import committed_steps, open_checkpoint, save_checkpoint, spans_devices
from kerasish.saving.training_state import load_sharded_training_state, save_sharded_training_state
from tests.conftest import mlp


def _arrays():
    return [jnp.arange(12.0).reshape(3, 4), jax.random.key(7), jnp.int32(5), np.array([True, False])]


def test_a_checkpoint_round_trips_arrays_keys_content_and_extras(tmp_path):
    folder = tmp_path / "demo.orbax"
    saved = _arrays()
    assert save_checkpoint(folder, "demo", saved, {"epoch": 2, "names": ["a"]}, extras={"x": np.arange(3)}) == 1
    checkpoint = open_checkpoint(folder, "demo")
    assert checkpoint.content == {"epoch": 2, "names": ["a"]}
    assert checkpoint.shapes == [(3, 4), (2,), (), (2,)] and checkpoint.dtypes == ["float32", "uint32", "int32", "bool"]
    like = [jnp.zeros((3, 4)), jax.random.key(0), jnp.int32(0), np.zeros(2, bool)]
    restored = checkpoint.restore_arrays(like)
    np.testing.assert_array_equal(restored[0], saved[0])
    assert jax.dtypes.issubdtype(restored[1].dtype, jax.dtypes.prng_key)  # a key again, of its type
    np.testing.assert_array_equal(jax.random.key_data(restored[1]), jax.random.key_data(saved[1]))
    assert int(restored[2]) == 5 and restored[3].tolist() == [True, False]
    assert all(not leaf.committed for leaf in restored[:3])  # like a fresh state's: the compiled steps are reused
    raw = checkpoint.restore_arrays([None] * 4)  # as saved, on the host; a key as its raw data
    assert all(isinstance(a, np.ndarray) for a in raw) and raw[1].tolist() == [0, 7]
    np.testing.assert_array_equal(checkpoint.restore_extras()["x"], np.arange(3))


def test_saves_are_numbered_and_the_older_ones_deleted_after_the_commit(tmp_path):
    folder = tmp_path / "demo.orbax"
    for epoch in range(3):
        save_checkpoint(folder, "demo", [jnp.full(2, float(epoch))], {"epoch": epoch}, keep=2)
    assert committed_steps(folder) == [3, 2]
    assert open_checkpoint(folder, "demo").content == {"epoch": 2}  # the newest
    assert open_checkpoint(folder, "demo", step=2).restore_arrays([None])[0].tolist() == [1.0, 1.0]
    assert committed_steps(tmp_path / "missing.orbax") == []


def test_a_save_that_fails_midway_leaves_the_previous_checkpoint_the_newest(tmp_path):
    folder = tmp_path / "demo.orbax"
    save_checkpoint(folder, "demo", [jnp.ones(2)], {"n": 1})
    broken = jnp.ones(3)
    broken.delete()  # orbax fails while writing it, after it made its temporary folder
    with pytest.raises(RuntimeError, match="deleted"):
        save_checkpoint(folder, "demo", [jnp.zeros(2), broken], {"n": 2})
    assert any("tmp" in name for name in os.listdir(folder))  # the unfinished save, never read
    assert committed_steps(folder) == [1] and open_checkpoint(folder, "demo").content == {"n": 1}
    save_checkpoint(folder, "demo", [jnp.zeros(2)], {"n": 3})
    assert sorted(os.listdir(folder)) == ["2"]  # the next save removed the leftovers and the previous checkpoint


def test_spans_devices_tells_a_distributed_state_from_a_local_one():
    assert not spans_devices({"params": [jnp.ones(2), np.ones(2)]})
    mesh = jax.sharding.Mesh(np.array(jax.devices()[:1]), ("batch",))  # one device: still not spread
    replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    assert not spans_devices([jax.device_put(jnp.ones(2), replicated)])  # (several: tests/distribution)


def test_checkpoint_errors_name_the_checkpoint_and_the_problem(tmp_path, monkeypatch):
    folder = tmp_path / "demo.orbax"
    with pytest.raises(FileNotFoundError, match="holds no committed orbax checkpoint"):
        open_checkpoint(folder, "demo")
    (tmp_path / "file.orbax").write_text("x")
    with pytest.raises(ValueError, match="Cannot write an orbax checkpoint to .*file.orbax'?: it is a file"):
        save_checkpoint(tmp_path / "file.orbax", "demo", [jnp.ones(1)], {})
    with pytest.raises(TypeError, match="`content` of save_checkpoint must be JSON-able data"):
        save_checkpoint(folder, "demo", [jnp.ones(1)], {"f": object()})

    save_checkpoint(folder, "demo", [jnp.ones((2, 3))], {})
    with pytest.raises(ValueError, match=r"holds a 'demo' checkpoint, not a 'weights' one"):
        open_checkpoint(folder, "weights")
    checkpoint = open_checkpoint(folder, "demo")
    with pytest.raises(ValueError, match="holds 1 arrays, but 2 are expected here"):
        checkpoint.restore_arrays([None, None])
    with pytest.raises(ValueError, match=r"array 0 has shape \(2, 3\) and dtype float32, the model's has \(3, 2\)"):
        checkpoint.restore_arrays([jnp.zeros((3, 2))])
    with pytest.raises(ValueError, match="dtype float32, the model's has .* and int32"):
        checkpoint.restore_arrays([jnp.zeros((2, 3), jnp.int32)])
    assert checkpoint.restore_arrays([jnp.zeros((2, 3), jnp.int32)], cast=True)[0].dtype == jnp.int32

    monkeypatch.setattr(orbax_checkpoint, "VERSION", 99)
    save_checkpoint(folder, "demo", [jnp.ones(1)], {})
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"written by a newer kerasish \(orbax checkpoint version 99; this one reads "
                                         r"up to 1\)"):
        open_checkpoint(folder, "demo")
    monkeypatch.setattr(orbax_checkpoint, "FORMAT", "someone.else")
    save_checkpoint(folder, "demo", [jnp.ones(1)], {})
    monkeypatch.undo()
    with pytest.raises(ValueError, match="is not a kerasish orbax checkpoint .*'someone.else'"):
        open_checkpoint(folder, "demo")

    save_checkpoint(folder, "demo", [jnp.ones(4)], {})
    step = committed_steps(folder)[0]
    shutil.rmtree(folder / str(step) / "arrays")  # damaged: its arrays are gone
    with pytest.raises(ValueError, match=f"orbax checkpoint .*{step}'? is not a readable orbax checkpoint"):
        open_checkpoint(folder, "demo").restore_arrays([None])


def test_a_training_state_round_trips_with_its_metadata_arrays(tmp_path):
    state = {"params": {"w": jnp.arange(3.0)}, "rest": {"key": jax.random.key(1)}, "metrics": [jnp.float32(2.0)]}
    metadata = {"epoch": 1, "callbacks": [{"best": [np.ones((2, 2), np.float32)], "wait": 0}]}
    save_sharded_training_state(tmp_path / "s.orbax", state, metadata)
    like = {"params": {"w": jnp.zeros(3)}, "rest": {"key": jax.random.key(0)}, "metrics": [jnp.float32(0)],
            "opt": "kept"}
    restored, read = load_sharded_training_state(tmp_path / "s.orbax", like)
    assert restored["opt"] == "kept" and restored["params"]["w"].tolist() == [0.0, 1.0, 2.0]
    np.testing.assert_array_equal(jax.random.key_data(restored["rest"]["key"]), jax.random.key_data(jax.random.key(1)))
    assert read["epoch"] == 1 and read["callbacks"][0]["wait"] == 0
    np.testing.assert_array_equal(read["callbacks"][0]["best"][0], np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"holds the train-state entries \['metrics', 'params', 'rest'\], but this "
                                         r"model's train state has \['params'\]"):
        load_sharded_training_state(tmp_path / "s.orbax", {"params": like["params"]})


# -- weights and models ------------------------------------------------------------------------------------------

def _model(seed=0):
    ks.utils.set_random_seed(seed)
    return ks.Sequential([ks.Input((3,)), ks.layers.Dense(4, name="hidden"), ks.layers.Dense(2, name="out")])


def test_weights_round_trip_through_an_orbax_folder(tmp_path):
    source, target = _model(0), _model(1)
    path = tmp_path / "weights.orbax"
    source.save_weights(path)
    source.save_weights(path)  # a second save replaces the first once it is committed
    assert committed_steps(path) == [2]
    assert open_checkpoint(path, "weights").content["names"] == ["0000/hidden/kernel", "0001/hidden/bias",
                                                                 "0002/out/kernel", "0003/out/bias"]
    target.load_weights(path)
    for got, want in zip(target.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_orbax_weights_errors(tmp_path):
    path = tmp_path / "weights.orbax"
    _model().save_weights(path)
    wider = ks.Sequential([ks.Input((3,)), ks.layers.Dense(5), ks.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"Weight '0000/hidden/kernel' in .* has shape \(3, 4\), but the model's "
                                         r"weight '0000/dense.*/kernel' has shape \(3, 5\)"):
        wider.load_weights(path)
    with pytest.raises(ValueError, match="holds 4 weights, but model .* has 2"):
        ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)]).load_weights(path)
    with pytest.raises(ValueError, match="is not built, so it has no weights to save"):
        ks.Sequential([ks.layers.Dense(2)]).save_weights(tmp_path / "unbuilt.orbax")
    with pytest.raises(ValueError, match=r"must end in '.weights.safetensors' .*, '.weights.h5' .* or '.orbax' \(an "
                                         r"orbax checkpoint folder"):
        _model().save_weights(tmp_path / "weights.npz")
    with pytest.raises(FileNotFoundError, match="holds no committed orbax checkpoint"):
        _model().load_weights(tmp_path / "missing.orbax")


def test_a_whole_model_round_trips_through_an_orbax_folder(blobs, tmp_path):
    x, y = blobs
    model = mlp(dropout=0.2)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    path = tmp_path / "model.orbax"
    model.save(path)
    loaded = ks.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for got, want in zip(loaded.get_optimizer_state(), model.get_optimizer_state()):
        np.testing.assert_array_equal(got, want)
    assert json.loads(open_checkpoint(path, "model").content["compile"]) == model.get_compile_config()
    # it trains on as the saved model does: same weights, RNG streams and Adam moments
    after = [m.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0).history["loss"] for m in (model, loaded)]
    assert after[0] == after[1]
    model.save_weights(tmp_path / "weights.orbax")
    with pytest.raises(ks.saving.InvalidModelFileError, match="holds a 'weights' checkpoint, not a 'model' one"):
        ks.models.load_model(tmp_path / "weights.orbax")
    with pytest.raises(ValueError, match=r"ending in '.kerasish' .*, '.keras' .* or '.orbax' \(an orbax checkpoint "
                                         r"folder, for a sharded model\)"):
        model.save(tmp_path / "model.zip")
