"""Marks the ported Keras tests that kerasish cannot pass (listed with their reason in known_failures.py) as
`xfail(strict=True)`, so that the ported files keep Keras's code with only the imports changed, and a listed test
that starts passing fails until it is taken off the list."""

import importlib.util
import pathlib
import re

import pytest

from kerasish import backend
from tests.compat.keras_tests.known_failures import KNOWN_FAILURES

# The ported files that use `keras.ops` run once kerasish.ops exists (it lands with the ops port); until then they
# are left out of collection (an import error would fail the whole suite) and the report header names them.
_NEEDS_OPS = sorted(p.name for p in pathlib.Path(__file__).parent.glob("test_layers_*.py")
                    if re.search(r"^from kerasish import [^\n]*\bops\b", p.read_text(), re.M))
collect_ignore = _NEEDS_OPS if importlib.util.find_spec("kerasish.ops") is None else []


def pytest_report_header(config):
    if collect_ignore:
        return f"keras_tests: {len(collect_ignore)} ported files wait for kerasish.ops: {', '.join(collect_ignore)}"
    return None


def pytest_configure(config):
    # The marks Keras's own conftest registers, which its tests use.
    config.addinivalue_line("markers", "requires_trainable_backend: mark test for trainable backend only")
    config.addinivalue_line("markers", "multi_device: mark test for running with multiple devices only")


def skip_if_backend(given_backend, reason):
    """Keras's conftest helper: skip on the named backend (kerasish's is "jax")."""
    return pytest.mark.skipif(backend.backend() == given_backend, reason=reason)


def pytest_collection_modifyitems(config, items):
    for item in items:
        path, _, name = item.nodeid.rpartition("/")[2].partition("::")
        reason = KNOWN_FAILURES.get(f"{path}::{name}")
        if reason is None and "[" in name:  # a parametrized test listed as a whole
            reason = KNOWN_FAILURES.get(f"{path}::{name.split('[')[0]}")
        if reason is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
