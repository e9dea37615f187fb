"""Marks for ported Keras tests that wait on another part of the project, or on a feature kerasish refuses.

- `needs_run_layer_test`: the test calls `run_layer_test`, written with the layer ports (`layer_test.py`);
  skipped while it is the placeholder, run as soon as it lands.
- `xfail_cases(cls, names, reason)`: `xfail(strict=True)` on some of the cases a parametrized test generated
  (the others pass), for tests whose cases differ.
"""

from __future__ import annotations

import inspect

import pytest

from tests.compat.keras_tests import layer_test


def _has_run_layer_test() -> bool:
    return "not written yet" not in inspect.getsource(layer_test.run_layer_test)


needs_run_layer_test = pytest.mark.skipif(
    not _has_run_layer_test(), reason="needs run_layer_test (the layer ports' layer_test.py): runs once it lands")


def xfail_cases(test_class: type, names: list[str], reason: str) -> None:
    """Marks the generated test methods `names` of `test_class` as `xfail(strict=True, reason=reason)`."""
    for name in names:
        method = getattr(test_class, name)
        marks = list(getattr(method, "pytestmark", []))
        method.pytestmark = [*marks, pytest.mark.xfail(strict=True, reason=reason).mark]
