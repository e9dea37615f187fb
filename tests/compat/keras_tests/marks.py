"""Marking some of the methods that absl's `parameterized` generates (`test_x_tf`, `test_x_grain`): a decorator
would mark every variant of a test, and a variant that passes must not be marked as an expected failure."""

from __future__ import annotations

from collections.abc import Iterable

import pytest


def mark_methods(test_class: type, names: Iterable[str], mark: pytest.MarkDecorator) -> None:
    """Applies a pytest `mark` to each named test method of `test_class`.

    Raises:
      AttributeError: for a name the class has no method for (so a renamed test is noticed).
    """
    for name in names:
        setattr(test_class, name, mark(getattr(test_class, name)))


def xfail_methods(test_class: type, reasons: dict[str, str]) -> None:
    """Marks each named test method of `test_class` `xfail(strict=True, reason=...)`."""
    for name, reason in reasons.items():
        mark_methods(test_class, [name], pytest.mark.xfail(strict=True, reason=reason))
