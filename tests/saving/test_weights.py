"""save_weights / load_weights: safetensors files in get_weights() order, written atomically."""

import os

import numpy as np
import pytest
from safetensors import numpy as st

import kerasish as ks
from kerasish.saving import atomic_write_bytes, load_weights, save_weights
from kerasish.saving.weights import weight_keys


def _model(names=("hidden", "out"), units=2):
    return ks.Sequential([ks.Input((3,)), ks.layers.Dense(4, name=names[0]), ks.layers.Dense(units, name=names[1])])


def test_round_trip_keys_and_order(tmp_path, seeded):
    model = _model()
    path = tmp_path / "model.weights.safetensors"
    save_weights(model, path)
    saved = model.get_weights()
    assert weight_keys(model) == ["0000/hidden/kernel", "0001/hidden/bias", "0002/out/kernel", "0003/out/bias"]
    assert sorted(st.load_file(path)) == weight_keys(model)
    model.set_weights([w + 1 for w in saved])
    load_weights(model, path)
    for got, want in zip(model.get_weights(), saved):
        np.testing.assert_array_equal(got, want)


def test_loading_goes_by_position_not_by_layer_name(tmp_path, seeded):
    source, target = _model(), _model(names=("a", "b"))
    path = tmp_path / "model.weights.safetensors"
    save_weights(source, path)
    load_weights(target, path)
    for got, want in zip(target.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_mismatches_are_errors_that_leave_the_model_alone(tmp_path, seeded):
    path = tmp_path / "model.weights.safetensors"
    save_weights(_model(), path)
    other = _model(names=("h2", "o2"), units=5)
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"Weight '0002/out/kernel' in .* has shape \(4, 2\), but the model's weight "
                                         r"'0002/o2/kernel' has shape \(4, 5\)"):
        load_weights(other, path)
    for got, want in zip(other.get_weights(), before):
        np.testing.assert_array_equal(got, want)
    small = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
    with pytest.raises(ValueError, match="holds 4 weights, but model '.*' has 2"):
        load_weights(small, path)


def test_bad_files_are_clear_errors(tmp_path, seeded):
    model = _model()
    truncated = tmp_path / "truncated.weights.safetensors"
    save_weights(model, truncated)
    truncated.write_bytes(truncated.read_bytes()[:-10])
    with pytest.raises(ValueError, match="is not a readable safetensors file"):
        load_weights(model, truncated)
    garbage = tmp_path / "garbage.weights.safetensors"
    garbage.write_bytes(b"\x00" * 3)
    with pytest.raises(ValueError, match="is not a readable safetensors file"):
        load_weights(model, garbage)
    foreign = tmp_path / "foreign.weights.safetensors"
    st.save_file({"w": np.zeros(3, np.float32)}, foreign)
    with pytest.raises(ValueError, match="is a safetensors file but not a kerasish weights file"):
        load_weights(model, foreign)
    newer = tmp_path / "newer.weights.safetensors"
    st.save_file({"0000/w": np.zeros(3, np.float32)}, newer, metadata={"format": "kerasish.weights", "version": "9"})
    with pytest.raises(ValueError, match="written by a newer kerasish"):
        load_weights(model, newer)
    with pytest.raises(FileNotFoundError):
        load_weights(model, tmp_path / "missing.weights.safetensors")


@pytest.mark.parametrize("path,error,match", [
    ("model.h5", ValueError, "must end in '.weights.safetensors'"),
    (3, TypeError, "must be a path, received 3"),
])
def test_path_checks(path, error, match):
    with pytest.raises(error, match=match):
        save_weights(_model(), path)


def test_an_unbuilt_model_has_nothing_to_save(tmp_path):
    with pytest.raises(ValueError, match="is not built"):
        save_weights(ks.Sequential([ks.layers.Dense(2)]), tmp_path / "m.weights.safetensors")


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, failing):
    path = tmp_path / "data.bin"
    atomic_write_bytes(path, b"old")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(path, b"new content")
    monkeypatch.undo()
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["data.bin"]


def test_atomic_write_permissions_and_folders(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    atomic_write_bytes(tmp_path / "new.bin", b"x")
    assert os.stat(tmp_path / "new.bin").st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0o600
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        atomic_write_bytes(tmp_path, b"x")
