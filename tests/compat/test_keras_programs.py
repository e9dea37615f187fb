"""keras.io programs run with only the import changed (issue 17): `import keras` -> `import kerasish as keras`.

Each file in `programs/` is a keras.io guide or example as Keras 3 publishes it (the source and what was swapped
are at its top: offline data of the same shapes instead of a download, fewer samples and epochs). A test runs it on
kerasish and, where Keras 3 can run the same file (its import line turned back), compares what both computed:
printed log keys, parameter counts, shapes, losses going down. A program that does not run on kerasish yet is
marked `xfail(strict=True)` with what stops it; tests/compat/README.md lists every program tried.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

keras3 = pytest.importorskip("keras")

import kerasish  # noqa: E402

PROGRAMS = Path(__file__).parent / "programs"


def as_keras(source: str) -> str:
    """The program with its import lines turned back to Keras 3's (the one change the programs got)."""
    source = re.sub(r"^import kerasish as keras$", "import keras", source, flags=re.M)
    return re.sub(r"^from kerasish import ", "from keras import ", source, flags=re.M)


def run_program(name: str, library: str, workdir: Path) -> tuple[dict, str]:
    """Runs `programs/<name>.py` on kerasish or on Keras 3 (seeded, in `workdir`); returns its globals and what it
    printed. Keras's own warnings are silenced; kerasish's stay errors."""
    path = PROGRAMS / f"{name}.py"
    source = path.read_text()
    if library == "keras":
        source = as_keras(source)
        keras3.utils.set_random_seed(0)
    else:
        kerasish.utils.set_random_seed(0)
    np.random.seed(0)
    namespace = {"__name__": "__keras_program__", "__file__": str(path)}
    out = io.StringIO()
    cwd = os.getcwd()
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            if library == "keras":
                warnings.simplefilter("ignore")
            exec(compile(source, str(path), "exec"), namespace)
    finally:
        os.chdir(cwd)
    return namespace, out.getvalue()


def lines(output: str, pattern: str) -> list[str]:
    """The matches of `pattern` in `output`, line by line (a progress bar printed on the same line is left out)."""
    return [match.group(0) for line in output.splitlines() for match in [re.search(pattern, line)] if match]


def decreasing(history) -> bool:
    losses = history.history["loss"]
    return bool(np.all(np.isfinite(losses))) and losses[-1] < losses[0]


# -- guides/writing_your_own_callbacks.py ------------------------------------------------------------------------

def test_writing_your_own_callbacks(tmp_path):
    ours, printed = run_program("writing_your_own_callbacks", "kerasish", tmp_path / "a")
    theirs, expected = run_program("writing_your_own_callbacks", "keras", tmp_path / "b")
    # Every hook is called in Keras's order with Keras's log keys.
    hooks = r"(\.\.\.|Start|Stop|End)[\w :;]*got log keys: \[.*\]"
    assert lines(printed, hooks) == lines(expected, hooks)
    assert len(lines(printed, "Up to batch")) == len(lines(expected, "Up to batch"))
    assert lines(printed, "Epoch .*: Learning rate is .*") == lines(expected, "Epoch .*: Learning rate is .*")
    assert float(ours["model"].optimizer.learning_rate) == pytest.approx(0.05)
    assert len(lines(printed, "The average loss for epoch")) == len(lines(expected, "The average loss for epoch"))
