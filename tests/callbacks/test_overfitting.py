"""History.report (kerasish/callbacks/overfitting.py): best epoch, generalisation gap, where validation got worse for
good, and why fit ended, from driven hooks and from real short fits."""

import math

import numpy as np
import pytest

from kerasish.callbacks import EarlyStopping, History, LambdaCallback, TerminateOnNaN
from kerasish.callbacks.overfitting import OverfittingReport, StopReason, generalisation_gap, rising_from
from tests.callbacks.fakes import FakeModel

LOSS = [1.0, 0.6, 0.4, 0.3, 0.25]
VAL_LOSS = [1.1, 0.7, 0.5, 0.6, 0.8]  # best at epoch 2, worse from epoch 3 on
ACC = [0.5, 0.7, 0.8, 0.9, 0.95]
VAL_ACC = [0.45, 0.6, 0.7, 0.75, 0.72]  # best at epoch 3


def driven(logs_per_epoch, stop_training=False, end=True, begin_epochs=None):
    """A History fed by the fit hooks, as the loop feeds it (without a loop saying why it ended)."""
    history = History()
    model = FakeModel()
    history.set_model(model)
    history.on_train_begin({})
    for epoch, logs in enumerate(logs_per_epoch):
        history.on_epoch_begin(epoch, {})
        history.on_epoch_end(epoch, logs)
    for epoch in begin_epochs or []:
        history.on_epoch_begin(epoch, {})
    model.stop_training = stop_training
    if end:
        history.on_train_end({})
    return history


@pytest.fixture
def history():
    return driven([{"loss": a, "accuracy": b, "val_loss": c, "val_accuracy": d}
                   for a, b, c, d in zip(LOSS, ACC, VAL_LOSS, VAL_ACC)])


def test_report_on_val_loss_by_default(history):
    report = history.report(print_fn=None)
    assert isinstance(report, OverfittingReport)
    assert (report.monitor, report.mode, report.epochs_run) == ("val_loss", "min", 5)
    assert (report.best_epoch, report.best_value) == (2, 0.5)
    assert (report.last_epoch, report.last_value) == (4, 0.8)
    assert report.gap_at_best == pytest.approx(0.5 - 0.4)  # val_loss - loss
    assert report.gap_at_last == pytest.approx(0.8 - 0.25)
    assert report.rising_from == 3
    assert report.stop == StopReason("completed", None, 4, None)


def test_accuracy_gap_is_training_minus_validation(history):
    report = history.report("val_accuracy", print_fn=None)
    assert (report.mode, report.best_epoch) == ("max", 3)
    assert report.gap_at_best == pytest.approx(0.9 - 0.75)
    assert report.gap_at_last == pytest.approx(0.95 - 0.72)
    assert report.rising_from == 4


def test_an_explicit_mode_for_a_name_of_unknown_direction():
    history = driven([{"score": v} for v in [3.0, 5.0, 4.0]])
    report = history.report("score", mode="max", print_fn=None)
    assert (report.best_epoch, report.rising_from, report.gap_at_best) == (1, 2, None)
    with pytest.raises(ValueError, match="cannot tell from the name whether 'score'"):
        history.report("score", print_fn=None)


def test_without_validation_the_training_loss_is_judged_and_there_is_no_gap():
    report = driven([{"loss": v} for v in LOSS]).report(print_fn=None)
    assert (report.monitor, report.best_epoch, report.rising_from) == ("loss", 4, None)
    assert report.gap_at_best is report.gap_at_last is None
    assert "no: still at its best" in report.summary()


def test_validation_every_other_epoch():
    logs = [{"loss": LOSS[e], **({"val_loss": VAL_LOSS[e]} if e % 2 else {})} for e in range(5)]
    report = driven(logs).report(print_fn=None)
    # validation ran at epochs 1 and 3: val_loss 0.7 then 0.6
    assert (report.best_epoch, report.last_epoch, report.rising_from) == (3, 3, None)
    assert report.gap_at_best == pytest.approx(0.6 - 0.3)


def test_min_delta_waits_for_a_clear_rise():
    history = driven([{"val_loss": v} for v in [1.0, 0.5, 0.52, 0.51, 0.7, 0.9]])
    assert history.report(print_fn=None).rising_from == 2
    assert history.report(min_delta=0.05, print_fn=None).rising_from == 4


def test_a_curve_back_at_its_best_has_not_risen_for_good():
    assert driven([{"val_loss": v} for v in [1.0, 0.5, 0.7, 0.5]]).report(print_fn=None).rising_from is None


def test_a_nan_after_the_best_counts_as_worse():
    report = driven([{"val_loss": v} for v in [1.0, 0.5, math.nan]]).report(print_fn=None)
    assert (report.best_epoch, report.rising_from) == (1, 2)


def test_rising_from_and_gap_functions():
    assert rising_from([0, 2, 4], [0.3, 0.2, 0.4], 2, "min") == 4
    assert rising_from([0, 1, 2], [0.3, 0.2, 0.4], 2, "min") is None
    assert rising_from([0, 1, 2, 3], [0.5, 0.9, 0.8, 0.85], 1, "max", min_delta=0.02) == 2
    assert generalisation_gap(0.2, 0.5, "min") == pytest.approx(0.3)
    assert generalisation_gap(0.9, 0.7, "max") == pytest.approx(0.2)


def test_prints_a_readable_summary_and_returns_plain_values(history):
    printed = []
    report = history.report(print_fn=printed.append)
    (text,) = printed
    assert text == str(report) == report.summary()
    assert text.splitlines()[0] == "Overfitting report"
    for fragment in ("val_loss (min)", "best epoch", "3: val_loss = 0.5", "gap at best", "+0.1 (validation worse)",
                     "from epoch 4 on", "all epochs ran (5)"):
        assert fragment in text
    as_dict = report.as_dict()
    assert as_dict["best_epoch"] == 2 and as_dict["stop"] == {"reason": "completed", "by": None, "epoch": 4,
                                                              "detail": None}


def test_html_in_jupyter(history):
    html = history._repr_html_()
    assert html.startswith("<table>") and "Overfitting report" in html and "from epoch 4 on" in html
    assert History()._repr_html_() == "<pre>History(epochs=0, keys=[])</pre>"  # nothing to judge yet


def test_why_it_ended_without_the_loop_saying():
    logs = [{"loss": 0.5, "val_loss": 0.6}, {"loss": 0.4, "val_loss": 0.7}]
    assert driven(logs, stop_training=True).stop == StopReason("callback", None, 1, None)
    assert driven(logs + [{"loss": math.inf}], stop_training=True).stop.reason == "nan"
    unknown = driven(logs, end=False, begin_epochs=[2]).stop  # fit raised during epoch 3
    assert unknown == StopReason(None, None, 2, None)
    assert "unknown" in unknown.describe()


def test_record_stop_from_the_loop_wins_over_inference():
    history = driven([{"loss": 0.5}], end=False)
    history.record_stop("callback", by="EarlyStopping", epoch=0)
    history.on_train_end({})
    assert history.stop.describe() == "stopped by EarlyStopping during epoch 1"
    history = driven([{"loss": 0.5}, {"loss": math.nan}], end=False)
    history.record_stop("callback", by="TerminateOnNaN", epoch=1)
    assert history.stop == StopReason("nan", "TerminateOnNaN", 1, None)
    assert history.stop.describe() == ("the training loss became NaN or infinite during epoch 2; stopped by "
                                       "TerminateOnNaN")


@pytest.mark.parametrize("stop, text", [
    (StopReason("interrupted", "KeyboardInterrupt", 0), "interrupted (KeyboardInterrupt) during epoch 1"),
    (StopReason("exception", "ValueError", 3, "bad"), "ValueError raised during epoch 4: bad"),
    (StopReason("completed", epoch=9), "all epochs ran (10)"),
])
def test_stop_descriptions(stop, text):
    assert stop.describe() == text


@pytest.mark.parametrize("kwargs, error, match", [
    ({"reason": "done"}, ValueError, r"`reason` of History.record_stop must be one of \['completed', 'callback', "
                                     r"'nan', 'interrupted', 'exception'\], received reason='done'"),
    ({"reason": "callback", "by": EarlyStopping}, TypeError, r"`by` of History.record_stop must be a string or None"),
    ({"reason": "exception", "detail": 3}, TypeError, r"`detail` .* received detail=3"),
    ({"reason": "completed", "epoch": -1}, ValueError, r"`epoch` of History.record_stop must be an int >= 0 or None, "
                                                       r"received epoch=-1"),
])
def test_record_stop_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        History().record_stop(**kwargs)


def test_report_errors(history):
    with pytest.raises(ValueError, match=r"nothing to report: no epoch was recorded"):
        History().report()
    with pytest.raises(KeyError, match=r"History has no 'val_auc'; the logged keys are"):
        history.report("val_auc")
    with pytest.raises(ValueError, match=r"`mode` must be 'auto', 'min' or 'max', received 'up'"):
        history.report(mode="up")
    with pytest.raises(ValueError, match=r"`min_delta` of History.report must be >= 0, received min_delta=-0.1"):
        history.report(min_delta=-0.1)
    with pytest.raises(ValueError, match=r"`min_delta` of History.report must be a finite number"):
        history.report(min_delta="a")
    with pytest.raises(TypeError, match=r"`print_fn` of History.report must be a function or None, received "
                                        r"print_fn='stdout'"):
        history.report(print_fn="stdout")
    with pytest.raises(ValueError, match=r"no finite value for 'val_loss'"):
        driven([{"val_loss": math.nan}]).report()


# -- real short fits: the loop says why it ended -----------------------------------------------------------------

def test_a_fit_that_ran_every_epoch(trainer):
    history = trainer.fit([], epochs=3)
    assert history.stop == StopReason("completed", None, 2, None)
    report = history.report(print_fn=None)
    assert report.best_epoch == int(np.argmin(history.history["val_loss"]))


def test_early_stopping_is_named(trainer):
    history = trainer.fit([EarlyStopping(monitor="loss", min_delta=10.0, patience=1)], epochs=5)
    assert history.stop == StopReason("callback", "EarlyStopping", 1, None)
    assert history.stopped_epoch == 1


def test_a_raising_callback_is_an_exception(trainer):
    def fail(epoch, logs):
        if epoch == 1:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        trainer.fit([LambdaCallback(on_epoch_end=fail)], epochs=3)
    history = trainer.model.history
    assert history.stop == StopReason("exception", "RuntimeError", 1, "disk full")
    assert history.report(print_fn=None).epochs_run == 2  # the History heard of epoch 1 before the failing callback


def test_ctrl_c_is_an_interruption(trainer):
    def interrupt(batch, logs):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        trainer.fit([LambdaCallback(on_train_batch_end=interrupt)], epochs=3)
    assert trainer.model.history.stop == StopReason("interrupted", "KeyboardInterrupt", 0, None)


def test_terminate_on_nan_is_a_nan_stop(trainer):
    model = trainer.model
    model.set_weights(trainer.initial)
    x = trainer.x.copy()
    x[20, 1] = 1e30  # batch 2 of 4: its squared error overflows to inf in float32
    history = model.fit(x, trainer.y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[TerminateOnNaN()])
    assert history.stop == StopReason("nan", "TerminateOnNaN", 0, None)
