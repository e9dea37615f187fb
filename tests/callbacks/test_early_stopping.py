"""EarlyStopping, rule by rule: on loss sequences (a fake model), on real fits, and against Keras 3."""

import math

import numpy as np
import pytest

import kerasish as ks
from kerasish.callbacks import EarlyStopping
from kerasish.callbacks.monitor import infer_mode
from tests.callbacks.fakes import drive

keras = pytest.importorskip("keras")

# -- the rules on loss sequences -------------------------------------------------------------------------------------

# (rule, EarlyStopping kwargs, monitored values, epochs run, stopped_epoch, best_epoch, epoch of the restored weights)
RULES = [
    ("patience 0 stops at the first non-improvement", {"patience": 0}, [1.0, 0.9, 0.95, 0.8], 3, 2, 1, None),
    ("patience counts epochs without improvement", {"patience": 2}, [1.0, 0.9, 0.95, 0.96, 0.5], 4, 3, 1, None),
    ("an improvement resets the count", {"patience": 2}, [1.0, 0.9, 0.95, 0.85, 0.9, 0.9, 0.1], 6, 5, 3, None),
    ("an equal value is no improvement", {"patience": 0}, [1.0, 1.0], 2, 1, 0, None),
    ("no stop without enough bad epochs", {"patience": 3}, [1.0, 1.1, 1.2], 3, 0, 0, None),
    ("min_delta: a smaller gain does not count", {"min_delta": 0.25}, [1.0, 0.875, 0.5], 2, 1, 0, None),
    ("min_delta: a larger gain counts", {"min_delta": 0.25}, [1.0, 0.5, 0.375], 3, 2, 1, None),
    ("min_delta: its sign is ignored", {"min_delta": -0.25}, [1.0, 0.875, 0.5], 2, 1, 0, None),
    ("mode max", {"mode": "max"}, [0.5, 0.625, 0.5], 3, 2, 1, None),
    ("mode max with min_delta", {"mode": "max", "min_delta": 0.25}, [0.5, 0.625], 2, 1, 0, None),
    ("baseline never beaten: stop after patience + 1 epochs", {"baseline": 0.5, "patience": 1},
     [1.0, 1.25, 1.5, 0.1], 2, 1, 0, None),
    ("baseline never beaten but improving: no stop", {"baseline": 0.5, "patience": 0},
     [1.0, 0.875, 0.75], 3, 0, 2, None),
    ("baseline beaten: normal patience from then on", {"baseline": 0.95, "patience": 0},
     [1.0, 0.9, 0.92], 3, 2, 1, None),
    ("start_from_epoch: warm-up epochs are not monitored", {"start_from_epoch": 2},
     [1.0, 2.0, 3.0, 2.5, 2.6], 5, 4, 3, None),
    ("restore the best epoch after stopping", {"patience": 1, "restore_best_weights": True},
     [1.0, 0.5, 0.75, 0.875], 3, 2, 1, 1),
    ("restore after the last epoch too", {"patience": 10, "restore_best_weights": True}, [1.0, 0.5, 0.75], 3, 0, 1, 1),
    ("restore with an unbeaten baseline: the best of those epochs", {"baseline": 0.1, "patience": 2,
     "restore_best_weights": True}, [1.0, 0.75, 1.25, 1.5], 3, 2, 1, 1),
    ("restore with start_from_epoch", {"start_from_epoch": 1, "restore_best_weights": True},
     [0.1, 1.0, 1.5], 3, 2, 1, 1),
    ("a NaN is never an improvement", {"patience": 1}, [1.0, math.nan, 0.5], 2, 1, 0, None),
    ("a first-epoch NaN is not the best (Keras would keep it)", {"patience": 2}, [math.nan, 1.0, 1.5, 2.0],
     4, 3, 1, None),
]


@pytest.mark.parametrize("rule,kwargs,values,runs,stopped,best_epoch,restored", RULES, ids=[r[0] for r in RULES])
def test_rule(rule, kwargs, values, runs, stopped, best_epoch, restored):
    callback = EarlyStopping(monitor="loss", **kwargs)
    model, epochs_run, _ = drive(callback, values)
    assert (epochs_run, callback.stopped_epoch, callback.best_epoch) == (runs, stopped, best_epoch)
    assert model.stop_training == (stopped > 0)
    if restored is None:
        assert callback.best_weights is None and model.epoch == runs - 1  # weights untouched
    else:
        assert model.epoch == restored
    assert callback.best == values[best_epoch]


def test_one_instance_serves_several_fits():
    callback = EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    first = drive(callback, [1.0, 0.5, 0.75, 0.875])
    assert (first[1], callback.stopped_epoch, callback.best, first[0].epoch) == (3, 2, 0.5, 1)
    second = drive(callback, [3.0, 2.0, 1.0])  # would stop at once if `best` = 0.5 carried over
    assert (second[1], callback.stopped_epoch, callback.best, callback.wait, second[0].epoch) == (3, 0, 1.0, 0, 2)


@pytest.mark.parametrize("name,mode", [
    ("loss", "min"), ("val_loss", "min"), ("mean_squared_error", "min"), ("val_mae", "min"),
    ("sparse_categorical_crossentropy", "min"), ("kl_divergence", "min"), ("my_loss", "min"),
    ("accuracy", "max"), ("val_acc", "max"), ("sparse_categorical_accuracy", "max"), ("val_auc", "max"),
    ("precision", "max"), ("recall", "max"), ("f1_score", "max"),
])
def test_mode_is_inferred_from_the_name(name, mode):
    assert infer_mode(name) == mode
    assert EarlyStopping(monitor=name).mode == mode


@pytest.mark.parametrize("name", ["learning_rate", "val_my_metric", "mean", "accuracy_loss"])
def test_a_name_of_unknown_direction_asks_for_mode(name):
    with pytest.raises(ValueError, match=f"monitor='{name}' should be minimized or maximized.*mode='min'"):
        EarlyStopping(monitor=name)
    assert EarlyStopping(monitor=name, mode="max").mode == "max"


@pytest.mark.parametrize("kwargs,error,match", [
    ({"mode": "minimum"}, ValueError,
     "`mode` of EarlyStopping must be 'auto', 'min' or 'max', received mode='minimum'"),
    ({"patience": -1}, ValueError, "`patience` of EarlyStopping must be an int >= 0, received patience=-1"),
    ({"patience": 1.5}, ValueError, "`patience`.*received patience=1.5"),
    ({"start_from_epoch": -2}, ValueError, "`start_from_epoch`.*>= 0"),
    ({"min_delta": "0.1"}, ValueError, "`min_delta` of EarlyStopping must be a finite number"),
    ({"baseline": math.nan}, ValueError, "`baseline` of EarlyStopping must be a finite number or None"),
    ({"monitor": ""}, ValueError, "`monitor` of EarlyStopping must be the name of a key"),
    ({"verbose": -1}, ValueError, r"`verbose` of EarlyStopping must be an int >= 0 \(0: silent, 1 or more: "
                                  r"print messages\), received verbose=-1"),
    ({"restore_best_weights": 1}, TypeError, "`restore_best_weights` of EarlyStopping must be True or False"),
])
def test_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        EarlyStopping(**{"monitor": "loss", **kwargs})


def test_a_missing_key_is_an_error_listing_the_keys():
    callback = EarlyStopping(monitor="accuracy")
    with pytest.raises(ValueError, match=r"monitors 'accuracy', which is not in the logs of epoch 1. The logs hold: "
                                         r"\['learning_rate', 'loss'\]"):
        drive(callback, [1.0], extra={"learning_rate": 0.1})


def test_a_missing_val_key_on_a_validation_epoch_is_an_error():
    callback = EarlyStopping(monitor="val_acc", mode="max")
    with pytest.raises(ValueError, match=r"'val_acc'.*\['loss', 'val_accuracy', 'val_loss'\]"):
        drive(callback, [1.0], key="loss", extra={"val_loss": 1.0, "val_accuracy": 0.5})


def test_epochs_without_validation_are_skipped_not_errors():
    # validation_freq=2: val_loss only on odd epochs; patience counts the monitored epochs only.
    callback = EarlyStopping(monitor="val_loss", patience=2)
    _, epochs_run, _ = drive(callback, [None, 1.0, None, 1.5, None, 2.0, None], key="val_loss", extra={"loss": 1.0})
    assert (epochs_run, callback.stopped_epoch, callback.best_epoch) == (6, 5, 1)


def test_a_val_monitor_without_any_validation_is_an_error():
    callback = EarlyStopping(monitor="val_loss", patience=1)
    with pytest.raises(ValueError, match="monitors 'val_loss', but no epoch of this fit ran validation.*"
                                         "validation_data.*or monitor a training key such as 'loss'"):
        drive(callback, [1.0, 2.0, 3.0], key="loss")
    callback.set_params({"do_validation": False})  # when the loop says so, the error comes before training
    with pytest.raises(ValueError, match="no epoch of this fit ran validation"):
        callback.on_train_begin()


def test_verbose_says_when_it_stops_and_restores(capsys):
    drive(EarlyStopping(monitor="loss", verbose=1, restore_best_weights=True), [1.0, 0.5, 0.75])
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 3: early stopping", "Restoring model weights from the end of the best epoch: 2."]


# -- the same rules, Keras 3 as the oracle on random sequences --------------------------------------------------------

def _keras_run(kwargs, values):
    callback = keras.callbacks.EarlyStopping(monitor="loss", **kwargs)
    model, epochs_run, _ = drive(callback, values)
    return epochs_run, callback.stopped_epoch, callback.best_epoch, callback.best, model.epoch, callback.wait


def _our_run(kwargs, values):
    callback = EarlyStopping(monitor="loss", **kwargs)
    model, epochs_run, _ = drive(callback, values)
    return epochs_run, callback.stopped_epoch, callback.best_epoch, callback.best, model.epoch, callback.wait


def test_logic_matches_keras_on_random_sequences():
    # Values on a grid of quarters, so `current - min_delta` is exact in float32 (Keras) and float64 (here)
    # and ties are frequent: the cases where a strict/loose comparison would show.
    rng = np.random.default_rng(0)
    for _ in range(150):
        values = (rng.integers(0, 12, rng.integers(1, 12)) / 4).tolist()
        kwargs = {"patience": int(rng.integers(0, 4)), "min_delta": float(rng.choice([0.0, 0.25, -0.5])),
                  "mode": str(rng.choice(["min", "max"])), "restore_best_weights": bool(rng.integers(2)),
                  "start_from_epoch": int(rng.choice([0, 0, 1, 3])),
                  "baseline": None if rng.integers(2) else float(rng.integers(0, 12) / 4)}
        assert _our_run(kwargs, values) == _keras_run(kwargs, values), (kwargs, values)


# -- real fits, on the twin models of tests/callbacks/twins.py (Keras 3's and ours) ------------------------------------

class RecordWeights(ks.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = {}

    def on_epoch_end(self, epoch, logs=None):
        self.weights[epoch] = self.model.get_weights()


class StopAt(ks.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            self.model.stop_training = True


def _assert_weights_equal(got, expected):
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


# (how training ends, EarlyStopping kwargs, another callback stopping at this epoch, last epoch, best epoch)
ENDINGS = [
    ("stopped by EarlyStopping", {"patience": 2}, None, 4, 2),
    ("stopped by another callback", {"patience": 100}, 10, 10, 2),
    ("after the last epoch", {"patience": 100}, None, 29, 23),
]


@pytest.mark.parametrize("kwargs,stopper,last,best", [e[1:] for e in ENDINGS], ids=[e[0] for e in ENDINGS])
def test_restored_weights_are_the_best_epochs(twins, kwargs, stopper, last, best):
    record = RecordWeights()
    early = EarlyStopping(restore_best_weights=True, **kwargs)
    history = twins.fit(twins.ours, [record, early] + ([StopAt(stopper)] if stopper else []))
    assert len(history["loss"]) == last + 1 and early.stopped_epoch == (last if stopper is None and last < 29 else 0)
    assert early.best_epoch == best == int(np.argmin(history["val_loss"]))
    assert early.best == history["val_loss"][best]
    _assert_weights_equal(twins.ours.get_weights(), record.weights[best])
    # the restored weights are the model's from then on: evaluate sees them
    logs = twins.ours.evaluate(twins.xv, twins.yv, batch_size=8, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(early.best, rel=1e-6)


def test_without_restore_the_last_weights_stay(twins):
    record = RecordWeights()
    early = EarlyStopping(patience=2)
    assert early.reads_weights_during_training is False  # no weight transfer per epoch for nothing
    history = twins.fit(twins.ours, [record, early])
    assert len(history["loss"]) == 5
    _assert_weights_equal(twins.ours.get_weights(), record.weights[4])


def test_epochs_skipped_by_validation_freq_are_not_monitored(twins):
    early = EarlyStopping(patience=0)
    history = twins.fit(twins.ours, [early], validation_freq=3)
    # validation after epochs 2 and 5 (0-based): 0.702 then 0.814, so patience 0 stops at epoch 5
    assert len(history["loss"]) == 6 and len(history["val_loss"]) == 2
    assert (early.best_epoch, early.stopped_epoch) == (2, 5)


def test_a_fit_without_validation_data_and_a_val_monitor_fails(twins):
    with pytest.raises(ValueError, match="monitors 'val_loss', but no epoch of this fit ran validation"):
        twins.ours.fit(twins.x, twins.y, batch_size=8, epochs=2, verbose=0, callbacks=[EarlyStopping()])


def test_a_missing_metric_fails_in_a_fit(twins):
    with pytest.raises(ValueError, match=r"'val_accuracy', which is not in the logs of epoch 1. The logs hold: "
                                         r"\['loss', 'mae', 'val_loss', 'val_mae'\]"):
        twins.fit(twins.ours, [EarlyStopping("val_accuracy")], epochs=2)


# -- Keras 3 as the oracle on real fits --------------------------------------------------------------------------------

KERAS_SCENARIOS = [
    ("val_loss, patience 2, restore", {"patience": 2, "restore_best_weights": True}),
    ("val_loss, patience 20, restore after the last epoch", {"patience": 20, "restore_best_weights": True}),
    ("val_loss, patience 0", {"patience": 0}),
    ("loss, min_delta 0.05, patience 1, restore", {"monitor": "loss", "min_delta": 0.05, "patience": 1,
                                                   "restore_best_weights": True}),
    ("val_loss, unbeaten baseline, restore", {"baseline": 0.5, "patience": 3, "restore_best_weights": True}),
    ("val_loss, start_from_epoch 10, min_delta 0.01, patience 3", {"start_from_epoch": 10, "min_delta": 0.01,
                                                                   "patience": 3, "restore_best_weights": True}),
    ("val_mae, mode max, start_from_epoch 1, patience 3", {"monitor": "val_mae", "mode": "max", "start_from_epoch": 1,
                                                           "patience": 3}),
]


@pytest.mark.parametrize("kwargs", [s[1] for s in KERAS_SCENARIOS], ids=[s[0] for s in KERAS_SCENARIOS])
def test_stopping_epoch_and_restored_weights_match_keras(twins, kwargs):
    keras_early, our_early = keras.callbacks.EarlyStopping(**kwargs), EarlyStopping(**kwargs)
    expected = twins.fit(twins.reference, [keras_early])
    got = twins.fit(twins.ours, [our_early])
    np.testing.assert_allclose(got["val_loss"], expected["val_loss"], rtol=1e-5)  # the same curve ...
    assert len(got["loss"]) == len(expected["loss"])  # ... stopped at the same epoch
    assert (our_early.stopped_epoch, our_early.best_epoch) == (keras_early.stopped_epoch, keras_early.best_epoch)
    assert our_early.best == pytest.approx(keras_early.best, rel=1e-5)
    for a, b in zip(twins.ours.get_weights(), twins.reference.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)


def test_never_stops_at_the_first_epoch_as_keras():
    # a first-epoch NaN is no improvement, but Keras never stops at epoch 0 (`epoch > 0`)
    model, epochs_run, _ = drive(EarlyStopping(monitor="loss", patience=0), [math.nan, 1.0, 2.0])
    assert epochs_run == 3 and model.stop_training


def test_verbose_above_one_prints_as_keras(capsys):
    drive(EarlyStopping(monitor="loss", patience=0, verbose=2), [1.0, 2.0])
    assert capsys.readouterr().out == "Epoch 2: early stopping\n"
