"""Files under faults and hostile content (issue 21): symlinks, Ctrl-C, full or read-only disks, malformed model
files, corrupt optimizer state. The target is whole or untouched, and every bad file is one clear error."""

import errno
import json
import os
import signal
import threading

import numpy as np
import pytest
from safetensors import numpy as st

import kerasish as ks
from kerasish.saving import InvalidModelFileError, atomic_write_bytes
from kerasish.saving.weights import read_metadata


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A compiled, trained model saved once, and its file's tensors and metadata."""
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(4, activation="relu"), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32), epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("model") / "m.kerasish"
    model.save(path)
    data = path.read_bytes()
    return model, st.load(data), read_metadata(data)


def _write(path, tensors, metadata):
    path.write_bytes(st.save(tensors, metadata=metadata))
    return path


# -- 10. symbolic links ------------------------------------------------------------------------------------------

def test_saving_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real" / "data.bin"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "link.bin"
    link.symlink_to(target)
    atomic_write_bytes(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new" and link.read_bytes() == b"new"
    assert sorted(os.listdir(target.parent)) == ["data.bin"]  # the temporary file went to the target's folder


# -- 15. errors name the user's path ---------------------------------------------------------------------------

def test_a_full_disk_names_the_given_path_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match=r"Cannot write '.*out\.bin': No space left on device") as info:
        atomic_write_bytes(path, b"new")
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.bin"]


def test_a_read_only_folder_names_the_given_path(tmp_path, monkeypatch):
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".x.bin.abc.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)  # what a read-only folder does (root would not see it)
    with pytest.raises(PermissionError, match=r"Cannot write '.*x\.bin': Permission denied") as info:
        atomic_write_bytes(tmp_path / "x.bin", b"data")
    assert info.value.filename == str(tmp_path / "x.bin")


# -- 9. Ctrl-C while the temporary file is made --------------------------------------------------------------------

def test_ctrl_c_while_the_temporary_file_is_created_leaves_nothing_behind(tmp_path, monkeypatch):
    """SIGINT raised at the worst moment (right after mkstemp returns) waits until cleanup is guaranteed."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread")
    import tempfile
    made = tempfile.mkstemp

    def interrupted_mkstemp(*args, **kwargs):
        result = made(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # pending while SIGINT is blocked, delivered after the block
        return result

    monkeypatch.setattr(tempfile, "mkstemp", interrupted_mkstemp)
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    fds = len(os.listdir("/proc/self/fd"))
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(path, b"new")
    assert os.listdir(tmp_path) == ["out.bin"] and path.read_bytes() == b"old"
    assert len(os.listdir("/proc/self/fd")) == fds


# -- 11. malformed model files: one error type, naming the file and the entry -------------------------------------

def _with_model(spec_or_text):
    return spec_or_text if isinstance(spec_or_text, str) else json.dumps(spec_or_text)


@pytest.mark.parametrize("change,pattern", [
    (lambda spec: {**spec, "config": {k: v for k, v in spec["config"].items() if k != "layers"}},
     r"Sequential config must hold `layers`"),
    (lambda spec: {**spec, "config": {**spec["config"], "layers": None}}, r"Sequential config must hold `layers`"),
    (lambda spec: {**spec, "config": {**spec["config"], "layers": [spec["config"]["layers"][0], {
        "class_name": "Dense", "config": {"units": 2, "no_such_argument": 1}}]}}, r"no_such_argument"),
    (lambda spec: "[" * 100_000 + "]" * 100_000, r"nested too deeply"),
    (lambda spec: "{not json", r"'model' entry is not JSON"),
    (lambda spec: {"config": {}}, r"layer entry .* not \{'class_name', 'config'\}"),
], ids=["no-layers", "layers-null", "unknown-argument", "deep-json", "bad-json", "no-class-name"])
def test_a_malformed_architecture_is_an_invalid_model_file_error(saved, tmp_path, change, pattern):
    _, tensors, metadata = saved
    spec = json.loads(metadata["model"])
    path = _write(tmp_path / "bad.kerasish", tensors, {**metadata, "model": _with_model(change(spec))})
    with pytest.raises(InvalidModelFileError, match=pattern) as info:
        ks.models.load_model(path)
    assert "bad.kerasish" in str(info.value)


@pytest.mark.parametrize("entry,value,pattern", [
    ("version", "one", r"version 'one', which is not a whole number"),
    ("compile", "{oops", r"'compile' entry is not JSON"),
    ("compile", json.dumps({"optimizer": {"class_name": "NoSuchOptimizer", "config": {}}, "loss": "mse"}),
     r"NoSuchOptimizer"),
    ("compile", json.dumps([1, 2]), r"not a compile configuration"),
], ids=["version", "compile-json", "unknown-optimizer", "compile-list"])
def test_malformed_metadata_is_an_invalid_model_file_error(saved, tmp_path, entry, value, pattern):
    _, tensors, metadata = saved
    path = _write(tmp_path / "bad.kerasish", tensors, {**metadata, entry: value})
    with pytest.raises(InvalidModelFileError, match=pattern):
        ks.models.load_model(path)


# -- 8 and 2. the optimizer state in a file --------------------------------------------------------------------------

def test_an_optimizer_state_of_the_wrong_shape_is_refused_at_load_naming_the_entry(saved, tmp_path):
    _, tensors, metadata = saved
    key = sorted(k for k in tensors if k.startswith("optimizer/") and tensors[k].ndim == 2)[0]
    bad = {**tensors, key: np.zeros((7, 7), tensors[key].dtype)}
    with pytest.raises(InvalidModelFileError, match=r"Optimizer state entry \d+ has shape \(7, 7\)"):
        ks.models.load_model(_write(tmp_path / "bad.kerasish", bad, metadata))


def test_a_non_finite_optimizer_state_is_refused_at_load(saved, tmp_path):
    _, tensors, metadata = saved
    key = sorted(k for k in tensors if k.startswith("optimizer/") and tensors[k].ndim == 2)[0]
    bad = {**tensors, key: np.full_like(tensors[key], np.nan)}
    with pytest.raises(InvalidModelFileError, match=r"Optimizer state entry \d+ holds NaN or infinite values"):
        ks.models.load_model(_write(tmp_path / "bad.kerasish", bad, metadata))


def test_a_good_file_still_loads_and_trains_on(saved, tmp_path):
    model, tensors, metadata = saved
    loaded = ks.models.load_model(_write(tmp_path / "good.kerasish", tensors, metadata))
    for a, b in zip(loaded.get_optimizer_state(), model.get_optimizer_state()):
        np.testing.assert_array_equal(a, b)
    loaded.fit(np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32), epochs=1, verbose=0)
