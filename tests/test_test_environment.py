"""The test environment itself: a missing test dependency stops the run instead of turning tests into skips."""

import pytest

from tests import conftest


def test_a_missing_test_dependency_stops_the_run(monkeypatch):
    present = object()
    monkeypatch.setattr(conftest.importlib.util, "find_spec",
                        lambda name: None if name in ("keras", "farmhash") else present)
    with pytest.raises(pytest.UsageError, match=r"The tests need keras \(from keras\), farmhash \(from pyfarmhash\), "
                                                r"missing here: install the dev extra"):
        conftest.pytest_configure(None)

