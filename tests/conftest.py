import importlib.util
import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # Keras 3 is the test oracle; it must run on JAX too
# Tests run as on a fresh machine: no compiled program comes from an earlier run's persistent cache (the tests that
# count compilations count real ones), and nothing is written to the user's cache folder. Subprocesses inherit it.
# tests/test_compilation_cache.py turns the cache on where it tests it.
os.environ.setdefault("KERASISH_COMPILATION_CACHE", "0")

import numpy as np
import pytest

import kerasish as ks

#: The test dependencies (module: package of pyproject.toml's `dev` extra) that test files import with
#: `pytest.importorskip`, Keras 3 (the test oracle) first. A missing one would turn every test that needs it into a
#: skip, so a broken environment would pass while testing nothing: the run stops at once instead.
TEST_DEPENDENCIES = {"keras": "keras", "tensorboardX": "tensorboardX", "tensorboard": "tensorboard",
                     "nbformat": "nbformat", "nbclient": "nbclient", "farmhash": "pyfarmhash", "mkdocs": "mkdocs"}


def pytest_configure(config):
    missing = [f"{module} (from {package})" for module, package in TEST_DEPENDENCIES.items()
               if importlib.util.find_spec(module) is None]
    if missing:
        raise pytest.UsageError(f"The tests need {', '.join(missing)}, missing here: install the dev extra "
                                f"(pip install -e '.[dev]').")


@pytest.fixture
def seeded():
    """Every test that creates weights starts from the same global seed."""
    ks.utils.set_random_seed(0)
    yield


@pytest.fixture(scope="session")
def blobs():
    """A tiny 3-class problem: 96 samples, 4 features (float32), int32 labels."""
    rng = np.random.default_rng(0)
    centers = np.array([[2, 0, 0, 1], [0, 2, 0, -1], [0, 0, 2, 0]], np.float32)
    y = rng.integers(0, 3, 96).astype(np.int32)
    x = (centers[y] + rng.normal(0, 0.7, (96, 4))).astype(np.float32)
    return x, y


@pytest.fixture(scope="session")
def regression():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    return x, y


def mlp(inputs=4, hidden=8, outputs=3, activation="softmax", dropout=0.0):
    layers = [ks.Input((inputs,)), ks.layers.Dense(hidden, activation="relu")]
    if dropout:
        layers.append(ks.layers.Dropout(dropout))
    layers.append(ks.layers.Dense(outputs, activation=activation))
    return ks.Sequential(layers)
