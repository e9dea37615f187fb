"""The persistent compilation cache kerasish turns on at import (kerasish/compilation_cache.py).

The test session itself runs with the cache off (tests/conftest.py sets KERASISH_COMPILATION_CACHE=0); these tests
turn it on in a temporary folder and restore JAX's configuration after each one. Nothing here times anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import jax
import jax.numpy as jnp
import pytest
from jax.experimental.compilation_cache import compilation_cache as jax_cache

from kerasish import backend
from kerasish import compilation_cache as cc

SETTINGS = ("jax_compilation_cache_dir", "jax_enable_compilation_cache", "jax_persistent_cache_min_compile_time_secs",
            "jax_persistent_cache_min_entry_size_bytes")


@pytest.fixture(autouse=True)
def jax_settings():
    """JAX's cache settings as the session had them, restored after the test."""
    saved = {name: getattr(jax.config, name) for name in SETTINGS}
    yield saved
    for name, value in saved.items():
        jax.config.update(name, value)
    jax_cache.reset_cache()


def test_the_test_session_runs_without_a_persistent_cache():
    assert os.environ["KERASISH_COMPILATION_CACHE"] == "0"
    assert backend.compilation_cache_dir() is None and not backend.is_compilation_cache_enabled()


def test_enabling_applies_the_settings_and_keeps_small_programs(tmp_path):
    folder = tmp_path / "programs"
    assert backend.enable_compilation_cache(folder) is True
    assert jax.config.jax_compilation_cache_dir == str(folder)
    assert jax.config.jax_enable_compilation_cache is True
    assert jax.config.jax_persistent_cache_min_compile_time_secs == 0.0  # JAX's default keeps only >= 1 s
    assert jax.config.jax_persistent_cache_min_entry_size_bytes == -1
    assert backend.compilation_cache_dir() == str(folder) and backend.is_compilation_cache_enabled()
    # a program that compiles in milliseconds is written to the folder
    jax.jit(lambda a: a * 3.0 + 1.0)(jnp.arange(5.0)).block_until_ready()
    assert [entry for entry in os.listdir(folder) if not entry.startswith(".")]


def test_disabling_stops_writing(tmp_path):
    backend.enable_compilation_cache(tmp_path)
    backend.disable_compilation_cache()
    assert backend.compilation_cache_dir() is None
    jax.jit(lambda a: a * 5.0 - 2.0)(jnp.arange(4.0)).block_until_ready()
    assert [entry for entry in os.listdir(tmp_path) if not entry.startswith(".")] == []


def test_an_unwritable_folder_leaves_the_cache_off_without_warnings(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert backend.enable_compilation_cache(blocker / "jax") is False
        jax.jit(lambda a: a * 7.0)(jnp.arange(3.0)).block_until_ready()  # no warning at compilation either
    assert backend.compilation_cache_dir() is None


def test_the_environment_opt_out(tmp_path):
    for value in ("0", "false", "OFF", " no "):
        assert cc.configure_from_environment({"KERASISH_COMPILATION_CACHE": value,
                                              "KERASISH_CACHE_DIR": str(tmp_path)}) is False
    assert backend.compilation_cache_dir() is None
    assert not os.listdir(tmp_path)


def test_the_environment_names_the_folder(tmp_path):
    assert cc.configure_from_environment({"KERASISH_CACHE_DIR": str(tmp_path)}) is True
    assert backend.compilation_cache_dir() == str(tmp_path / "jax")


def test_a_users_own_jax_cache_configuration_is_kept(tmp_path):
    jax.config.update("jax_compilation_cache_dir", str(tmp_path / "mine"))
    assert cc.configure_from_environment({"KERASISH_CACHE_DIR": str(tmp_path / "ours")}) is False
    assert jax.config.jax_compilation_cache_dir == str(tmp_path / "mine")
    jax.config.update("jax_compilation_cache_dir", None)
    jax.config.update("jax_enable_compilation_cache", False)  # turned off by the user: kerasish leaves it off
    assert cc.configure_from_environment({"KERASISH_CACHE_DIR": str(tmp_path / "ours")}) is False
    assert not (tmp_path / "ours").exists()


def test_a_bad_path_is_a_type_error():
    with pytest.raises(TypeError, match=r"Argument `path` of enable_compilation_cache must be a folder path .* "
                                        r"received 3"):
        backend.enable_compilation_cache(3)


def test_importing_kerasish_turns_the_cache_on(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("KERASISH_COMPILATION_CACHE",
                                                                         "JAX_COMPILATION_CACHE_DIR")}
    env["KERASISH_CACHE_DIR"] = str(tmp_path)
    code = "import kerasish as ks; print(ks.backend.compilation_cache_dir())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == str(tmp_path / "jax")
