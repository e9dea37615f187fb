"""Soak: many `fit` calls on one model in one process neither leak memory nor compile new programs."""

import gc
import sys

import numpy as np
import pytest

from tests.conftest import mlp

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")


def rss_mb() -> float:
    """The resident set size of this process, in MB (VmRSS of /proc/self/status), after a full collection."""
    gc.collect()
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line in /proc/self/status")


def test_fifty_fits_do_not_grow_memory_or_the_compiled_programs(seeded, blobs):
    x, y = blobs
    model = mlp(dropout=0.2)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    programs, rss = [], {}
    for call in range(1, 51):
        history = model.fit(x, y, batch_size=20, epochs=1, validation_split=0.25, verbose=0)
        assert np.isfinite(history.history["loss"][0])
        programs.append(model.compiled_programs())
        if call in (5, 50):
            rss[call] = rss_mb()
    assert programs[0] > 0 and set(programs) == {programs[0]}, programs
    assert rss[50] - rss[5] < 50, f"RSS grew from {rss[5]:.0f} MB to {rss[50]:.0f} MB over 45 fit calls"
