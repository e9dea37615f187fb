"""kerasish.utils.Progbar writes what Keras's Progbar writes, given the same clock."""

import contextlib
import io

import pytest

from kerasish.utils import Progbar
from kerasish.utils import progbar as progbar_module

keras = pytest.importorskip("keras")
from keras.src.utils import progbar as keras_progbar_module  # noqa: E402


class Clock:
    def __init__(self, times):
        self.times = iter(times)

    def time(self):
        return next(self.times)


def run(module, cls, monkeypatch, args, updates, dynamic):
    times = [100.0 + 0.37 * i * i for i in range(len(updates) + 1)]
    monkeypatch.setattr(module.time, "time", Clock(times).time)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        bar = cls(*args)
        bar._dynamic_display = dynamic
        for step, values, finalize in updates:
            if step is None:
                bar.add(1, values)
            else:
                bar.update(step, values, finalize=finalize)
    return output.getvalue()


UPDATES = [(1, [("loss", 2.0), ("acc", 0.5)], None), (2, [("loss", 1.0), ("acc", 0.75)], None),
           (None, [("loss", 0.5)], None), (5, [("loss", 0.25), ("acc", 1e-5)], None)]


@pytest.mark.parametrize("args", [(5,), (5, 30, 1, 0.0, ["acc"]), (5, 20, 2), (None, 20, 1, 0.0),
                                  (5, 20, 1, 0.0, None, ["loss"], "sample"), (4000, 20, 1, 0.0)],
                         ids=["default", "stateful", "verbose2", "no_target", "stateless", "long"])
@pytest.mark.parametrize("dynamic", [True, False])
def test_output_matches_keras(monkeypatch, args, dynamic):
    ours = run(progbar_module, Progbar, monkeypatch, args, UPDATES, dynamic)
    theirs = run(keras_progbar_module, keras.utils.Progbar, monkeypatch, args, UPDATES, dynamic)
    assert ours == theirs and (ours or args[2:3] == (2,))


def test_both_metric_lists_are_refused():
    with pytest.raises(ValueError, match=r"Only one of `stateful_metrics` or `stateless_metrics` can be provided"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])
