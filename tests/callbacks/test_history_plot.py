"""History.plot: one subplot per quantity, training vs validation, best, worse-for-good and stop epochs marked."""

import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # no display in tests
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import kerasish as ks  # noqa: E402
from kerasish.callbacks import History  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def make_history(logs_per_epoch):
    history = History()
    history.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        history.on_epoch_end(epoch, logs)
    history.on_train_end()
    return history


LOSS = [1.0, 0.6, 0.4, 0.3, 0.25]
VAL_LOSS = [1.1, 0.7, 0.55, 0.6, 0.8]          # best at epoch index 2
ACC = [0.5, 0.7, 0.8, 0.9, 0.95]
VAL_ACC = [0.45, 0.6, 0.7, 0.75, 0.72]         # best at epoch index 3


@pytest.fixture
def history():
    return make_history([{"loss": a, "accuracy": b, "val_loss": c, "val_accuracy": d, "learning_rate": 0.01}
                         for a, b, c, d in zip(LOSS, ACC, VAL_LOSS, VAL_ACC)])


def labels(axis):
    return [line.get_label() for line in axis.get_lines()]


def marker(axis, label_start):
    (line,) = [line for line in axis.get_lines() if line.get_label().startswith(label_start)]
    return list(line.get_xdata()), list(line.get_ydata())


def test_one_subplot_per_quantity_loss_first(history):
    fig = history.plot()
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]  # learning_rate is left out
    for ax in fig.axes:
        assert ax.get_xlabel() == "epoch"
        assert ax.get_legend() is not None


def test_training_and_validation_curves_against_1_based_epochs(history):
    loss_ax, acc_ax = history.plot().axes
    assert labels(loss_ax)[:2] == ["training", "validation"]
    training, validation = loss_ax.get_lines()[:2]
    assert list(training.get_xdata()) == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(training.get_ydata(), LOSS)
    np.testing.assert_allclose(validation.get_ydata(), VAL_LOSS)
    np.testing.assert_allclose(acc_ax.get_lines()[1].get_ydata(), VAL_ACC)


def test_best_epoch_is_min_val_loss_and_max_val_accuracy(history):
    loss_ax, acc_ax = history.plot().axes
    # val_loss 1.1, 0.7, 0.55, 0.6, 0.8: worse than its best from epoch 4 on; val_accuracy ends at 0.72 < 0.75
    assert labels(loss_ax) == ["training", "validation", "best: epoch 3", "worse for good: epoch 4"]
    assert marker(loss_ax, "best") == ([3], [0.55])
    assert marker(loss_ax, "worse for good")[0] == [4, 4]  # a vertical line
    assert labels(acc_ax) == ["training", "validation", "best: epoch 4", "worse for good: epoch 5"]
    assert marker(acc_ax, "best") == ([4], [0.75])
    # the marker takes the colour of the curve it judges
    assert loss_ax.get_lines()[2].get_color() == loss_ax.get_lines()[1].get_color()


def test_without_validation_the_training_curve_is_judged():
    history = make_history([{"loss": v, "mae": m} for v, m in zip([0.5, 0.2, 0.3], [0.9, 0.8, 0.85])])
    loss_ax, mae_ax = history.plot().axes
    assert labels(loss_ax) == ["training", "best: epoch 2", "worse for good: epoch 3"]
    assert marker(mae_ax, "best") == ([2], [0.8])  # an error: lower is better


def test_metrics_argument_selects_and_orders_quantities(history):
    fig = history.plot(metrics=["val_accuracy", "learning_rate"])
    assert [ax.get_title() for ax in fig.axes] == ["accuracy", "learning_rate"]
    assert [ax.get_title() for ax in history.plot("loss").axes] == ["loss"]


def test_validation_every_other_epoch_is_drawn_at_its_own_epochs():
    logs = [{"loss": 1.0}, {"loss": 0.8, "val_loss": 0.9}, {"loss": 0.6}, {"loss": 0.5, "val_loss": 0.95}]
    history = make_history(logs)
    (ax,) = history.plot().axes
    assert list(ax.get_lines()[1].get_xdata()) == [2, 4]
    assert marker(ax, "best") == ([2], [0.9])


def test_a_stop_requested_by_a_callback_is_recorded_and_drawn(seeded, blobs):
    class StopAfterThird(ks.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                self.model.stop_training = True

    x, y = blobs
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, validation_split=0.25, verbose=0, callbacks=[StopAfterThird()])
    assert history.epoch == [0, 1, 2] and history.stopped_epoch == 2
    fig = history.plot()
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert marker(ax, "stopped") == ([3, 3], [0, 1])  # axvline: x in data units, y in axes units
        assert labels(ax)[-1] == "stopped: epoch 3"


def test_a_run_that_was_not_stopped_has_no_stop_line(history):
    assert history.stopped_epoch is None
    assert not any(label.startswith("stopped") for ax in history.plot().axes for label in labels(ax))


class FakeEarlyStopping:
    """Keras's EarlyStopping attributes (0-based epochs; stopped_epoch 0 means it did not stop)."""

    def __init__(self, monitor, best_epoch, stopped_epoch):
        self.monitor, self.best_epoch, self.stopped_epoch = monitor, best_epoch, stopped_epoch


def test_early_stopping_marks_its_best_epoch_on_its_monitor_and_its_stop(history):
    # min_delta can make EarlyStopping keep an earlier epoch than the plain minimum: trust its best_epoch.
    loss_ax, acc_ax = history.plot(early_stopping=FakeEarlyStopping("val_loss", 1, 4)).axes
    assert marker(loss_ax, "best") == ([2], [0.7])
    assert marker(acc_ax, "best") == ([4], [0.75])  # not its monitor: the plain maximum
    assert labels(loss_ax)[-1] == labels(acc_ax)[-1] == "stopped: epoch 5"


def test_early_stopping_that_did_not_stop_draws_no_stop_line(history):
    fig = history.plot(early_stopping=FakeEarlyStopping("val_loss", 2, 0))
    assert not any(label.startswith("stopped") for ax in fig.axes for label in labels(ax))


def test_the_real_early_stopping(seeded):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 5)).astype(np.float32)
    y = (x[:, :1] + rng.normal(0, 1.0, (60, 1))).astype(np.float32)  # noisy: validation loss turns up
    model = ks.Sequential([ks.Input((5,)), ks.layers.Dense(64, activation="relu"), ks.layers.Dense(1)])
    model.compile(optimizer=ks.optimizers.Adam(0.03), loss="mse")
    stopper = ks.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    history = model.fit(x, y, epochs=200, batch_size=16, validation_split=0.3, verbose=0, callbacks=[stopper])
    assert stopper.stopped_epoch > 0, "the test data should overfit quickly"
    (ax,) = history.plot(early_stopping=stopper).axes
    assert marker(ax, "best")[0] == [stopper.best_epoch + 1]
    assert marker(ax, "stopped")[0] == [stopper.stopped_epoch + 1] * 2
    assert history.stopped_epoch == stopper.stopped_epoch


def test_draws_into_given_axes(history):
    fig, axes = plt.subplots(1, 2)
    assert history.plot(ax=axes) is fig
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    fig2, single = plt.subplots()
    assert history.plot("accuracy", ax=single) is fig2 and single.get_title() == "accuracy"


def test_many_quantities_wrap_at_three_per_row():
    history = make_history([{"loss": 1.0, "accuracy": 0.5, "auc": 0.6, "precision": 0.7}])
    fig = history.plot(figsize=(6, 4))
    assert len(fig.axes) == 4
    assert fig.axes[3].get_subplotspec().rowspan.start == 1


def test_directions_follow_early_stopping_rules():
    names = ["loss", "val_mae", "mean_squared_error", "val_accuracy", "auc", "val_precision", "recall",
             "sparse_categorical_accuracy", "f1_score"]
    history = make_history([{name: v for name in names} for v in (0.5, 0.2, 0.9)])
    assert [history.best_epoch(name) for name in names] == [1, 1, 1, 2, 2, 2, 2, 2, 2]


def test_a_quantity_of_unknown_direction_gets_no_best_marker(history):
    fig = history.plot(["learning_rate"])
    assert labels(fig.axes[0]) == ["training"]
    with pytest.raises(ValueError, match="cannot tell from the name whether 'learning_rate' should be minimized"):
        history.best_epoch("learning_rate")
    assert history.best_epoch("learning_rate", mode="min") == 0


def test_early_stopping_on_a_training_key_marks_the_training_curve(history):
    loss_ax, _ = history.plot(early_stopping=FakeEarlyStopping("loss", 4, 0)).axes
    assert marker(loss_ax, "best") == ([5], [0.25])
    assert loss_ax.get_lines()[2].get_color() == loss_ax.get_lines()[0].get_color()


def test_best_epoch_errors(history):
    with pytest.raises(KeyError, match="History has no 'val_mae'; the logged keys are"):
        history.best_epoch("val_mae")
    with pytest.raises(ValueError, match="Argument `mode` must be 'auto', 'min' or 'max', received 'up'"):
        history.best_epoch("loss", mode="up")
    assert history.best_epoch("val_loss", mode="max") == 0


def test_non_finite_values_are_never_the_best():
    history = make_history([{"loss": float("nan")}, {"loss": 0.5}, {"loss": 0.7}, {"loss": float("inf")}])
    assert history.best_epoch("loss") == 1
    (ax,) = history.plot().axes
    assert marker(ax, "best") == ([2], [0.5])
    diverged = make_history([{"loss": float("nan")}])
    with pytest.raises(ValueError, match="History has no finite value for 'loss': \\[nan\\]"):
        diverged.best_epoch("loss")
    assert labels(diverged.plot().axes[0]) == ["training"]


def test_plot_errors(history):
    with pytest.raises(ValueError, match=r"names 'val_f1', which was not logged; the logged keys are \['accuracy'"):
        history.plot(metrics=["loss", "val_f1"])
    with pytest.raises(TypeError, match="Argument `metrics` must be None, a name or a non-empty list"):
        history.plot(metrics=3)
    with pytest.raises(TypeError, match="Argument `metrics` must be None, a name or a non-empty list"):
        history.plot(metrics=[])
    with pytest.raises(TypeError, match="Argument `early_stopping` must be the EarlyStopping callback"):
        history.plot(early_stopping="val_loss")
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match=r"Argument `ax` must hold one Axes per quantity to draw \(2\), received 3"):
        history.plot(ax=axes)
    with pytest.raises(ValueError, match="nothing to draw: no epoch was recorded"):
        History().plot()


def test_without_matplotlib_the_error_says_what_to_install(history, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'needs matplotlib: pip install "kerasish\[plot\]"'):
        history.plot()


def test_history_behaviour_is_kept():
    history = make_history([{"loss": 1.0}, {"loss": 0.5, "val_loss": 0.7}])
    assert history.history == {"loss": [1.0, 0.5], "val_loss": [0.7]}
    assert history.epoch == [0, 1]
    assert repr(history) == "History(epochs=2, keys=['loss', 'val_loss'])"
    assert not history.reads_weights_during_training
