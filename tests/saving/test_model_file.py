"""model.save / load_model: one file, same predictions bit for bit, training continues, no code run."""

import json
import subprocess
import sys

import numpy as np
import pytest
from safetensors import numpy as st

import kerasish as ks
from kerasish.saving.weights import read_metadata
from tests.conftest import mlp


def _fit(model, blobs, epochs=2):
    x, y = blobs
    return model.fit(x, y, batch_size=16, epochs=epochs, shuffle=False, verbose=0)


def _functional():
    inputs = ks.Input((4,))
    a = ks.layers.Dense(8, activation="relu")(inputs)
    b = ks.layers.Dense(8, activation="tanh")(inputs)
    merged = ks.layers.Concatenate()([a, b])
    return ks.Model(inputs, ks.layers.Dense(3, activation="softmax", name="probabilities")(merged))


@pytest.mark.parametrize("make", [
    lambda: ks.Sequential([ks.Input((4,)), ks.layers.Dense(8, activation="relu", kernel_regularizer="l2"),
                           ks.layers.Dropout(0.2), ks.layers.BatchNormalization(),
                           ks.layers.Dense(3, activation="softmax")]),
    lambda: ks.Sequential([ks.layers.Dense(8, activation="relu"), ks.layers.Dense(3, activation="softmax")]),
    _functional,
], ids=["sequential", "sequential_built_from_data", "functional"])
def test_round_trip_predicts_bit_identically_and_keeps_training(make, seeded, blobs, tmp_path):
    x, y = blobs
    model = make()
    model.compile(optimizer=ks.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    _fit(model, blobs)
    path = tmp_path / "model.kerasish"
    model.save(path)
    loaded = ks.models.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Training goes on from the same optimizer state: one more epoch gives the same weights on both.
    _fit(model, blobs, epochs=1)
    _fit(loaded, blobs, epochs=1)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_include_optimizer_false_saves_the_model_uncompiled(seeded, blobs, tmp_path):
    x, _ = blobs
    model = mlp()
    model.compile(optimizer=ks.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    _fit(model, blobs, epochs=1)
    model.save(tmp_path / "model.kerasish", include_optimizer=False)
    loaded = ks.models.load_model(tmp_path / "model.kerasish")
    assert model.compiled and not loaded.compiled
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@ks.saving.register_serializable(package="Tests")
class Scale(ks.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight((input_shape[-1],), initializer="ones", name="w")

    def call(self, x):
        return self.factor * x * self.w[...]

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Unregistered(Scale):
    pass


def test_custom_layers_need_registration(tmp_path):
    model = ks.Sequential([ks.Input((3,)), Scale(3.0), ks.layers.Dense(1)])
    model.save(tmp_path / "custom.kerasish")
    loaded = ks.models.load_model(tmp_path / "custom.kerasish", compile=False)
    assert loaded.layers[0].factor == 3.0
    ones = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(loaded.predict(ones, verbose=0), model.predict(ones, verbose=0))
    with pytest.raises(ValueError, match="Unregistered is not registered.*register_serializable"):
        ks.Sequential([ks.Input((3,)), Unregistered()]).save(tmp_path / "bad.kerasish")
    with pytest.raises(ValueError, match="Lambda layer's function.*never stores code"):
        ks.Sequential([ks.Input((3,)), ks.layers.Lambda(lambda t: t * 2)]).save(tmp_path / "lambda.kerasish")


def test_loading_never_executes_code_from_the_file(tmp_path):
    """A planted payload naming os.system (and a pickle in a tensor's place) is refused, never run."""
    marker = tmp_path / "pwned"
    model = ks.Sequential([ks.Input((2,)), ks.layers.Dense(1)])
    path = tmp_path / "model.kerasish"
    model.save(path)
    data = path.read_bytes()
    metadata = read_metadata(data)
    spec = json.loads(metadata["model"])
    spec["config"]["layers"][1] = {"class_name": "posix.system", "config": {"command": f"touch {marker}"}}
    evil = tmp_path / "evil.kerasish"
    evil.write_bytes(st.save(st.load(data), metadata={**metadata, "model": json.dumps(spec)}))
    with pytest.raises(ValueError, match="names class 'posix.system'.*nothing in it was run"):
        ks.models.load_model(evil)
    pickled = tmp_path / "pickle.kerasish"
    import pickle
    pickled.write_bytes(pickle.dumps(subprocess.call))
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        ks.models.load_model(pickled)
    assert not marker.exists()


def test_bad_files_give_clear_errors(tmp_path):
    model = ks.Sequential([ks.Input((2,)), ks.layers.Dense(1)])
    path = tmp_path / "model.kerasish"
    model.save(path)
    data = path.read_bytes()
    (tmp_path / "truncated.kerasish").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        ks.models.load_model(tmp_path / "truncated.kerasish")
    model.save_weights(tmp_path / "w.weights.safetensors")
    with pytest.raises(ValueError, match="not a kerasish model file"):
        ks.models.load_model(tmp_path / "w.weights.safetensors")
    metadata = read_metadata(data)
    (tmp_path / "newer.kerasish").write_bytes(st.save(st.load(data), metadata={**metadata, "version": "99"}))
    with pytest.raises(ValueError, match="written by a newer kerasish"):
        ks.models.load_model(tmp_path / "newer.kerasish")
    with pytest.raises(FileNotFoundError):
        ks.models.load_model(tmp_path / "missing.kerasish")
    with pytest.raises(ValueError, match="must be a path ending in '.kerasish'"):
        model.save(tmp_path / "model.h5")


def test_a_crash_during_save_leaves_the_previous_file_whole(tmp_path):
    """Kill a process in the middle of writing: the old file is intact, no temporary file remains."""
    path = tmp_path / "model.kerasish"
    model = ks.Sequential([ks.Input((2,)), ks.layers.Dense(1, kernel_initializer="ones")])
    model.save(path)
    before = path.read_bytes()
    script = f"""
import os, kerasish as ks
from kerasish.saving import atomic
real_write = os.write
def dying_fsync(fd):
    os._exit(9)  # the process dies after writing the temporary file, before the rename
atomic.os.fsync = dying_fsync
model = ks.Sequential([ks.Input((2,)), ks.layers.Dense(1, kernel_initializer="zeros")])
model.save({str(path)!r})
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == 9, result.stderr.decode()[-2000:]
    assert path.read_bytes() == before
    loaded = ks.models.load_model(path)
    np.testing.assert_array_equal(loaded.get_weights()[0], np.ones((2, 1)))
