"""A Keras cache folder in a temporary directory, seen by kerasish (`KERAS_HOME`) and by Keras itself.

Keras's own loaders then read the small files the tests write there, and serve as the oracle: Keras's file
hash check is switched off (the files are not Keras's downloads) and nothing may reach the network.
"""

import hashlib

import pytest


@pytest.fixture
def keras_cache(tmp_path, monkeypatch):
    keras = pytest.importorskip("keras")
    from keras.src.backend import config
    from keras.src.utils import file_utils

    def no_download(*args, **kwargs):
        raise AssertionError(f"Keras tried to download {args} {kwargs}")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(config, "_KERAS_DIR", str(tmp_path))
    monkeypatch.setattr(file_utils, "validate_file", lambda *args, **kwargs: True)
    monkeypatch.setattr(file_utils, "urlretrieve", no_download)
    (tmp_path / "datasets").mkdir()
    assert keras.src.backend.config.keras_home() == str(tmp_path)
    return tmp_path / "datasets"


def accept(monkeypatch, module, path):
    """Makes `module.FILE_HASH` the sha256 of `path`, as if the test's small file were Keras's download."""
    monkeypatch.setattr(module, "FILE_HASH", hashlib.sha256(path.read_bytes()).hexdigest())
