"""LearningRateScheduler and ReduceLROnPlateau: the rules, Keras 3 as the oracle, and no recompilation."""

import contextlib

import jax
import numpy as np
import optax
import pytest

import kerasish as ks
from kerasish.callbacks import LearningRateScheduler, ReduceLROnPlateau
from tests.callbacks.fakes import FakeModel, drive
from tests.conftest import mlp

keras = pytest.importorskip("keras")

BACKEND_COMPILE = "/jax/core/compile/backend_compile_duration"


@contextlib.contextmanager
def count_compilations():
    """Counts every XLA compilation in the block (a recompiled train step included, whatever the cache says)."""
    events = []

    def listener(event, duration, **kwargs):
        if event == BACKEND_COMPILE:
            events.append(duration)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield events
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


class CompilationsPerEpoch(ks.callbacks.Callback):
    """Records, at each epoch end, the XLA compilations so far and the model's compiled program count."""

    def __init__(self, events):
        super().__init__()
        self.events, self.compilations, self.programs, self.rates = events, [], [], []

    reads_weights_during_training = False

    def on_epoch_end(self, epoch, logs=None):
        self.compilations.append(len(self.events))
        self.programs.append(self.model.compiled_programs())
        self.rates.append(float(self.model.optimizer.learning_rate))


# -- LearningRateScheduler --------------------------------------------------------------------------------------------

def test_scheduler_of_the_epoch_alone_and_an_optax_schedule(twins):
    history = twins.fit(twins.ours, [LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))], epochs=3)
    assert history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    # an optax schedule of one argument, evaluated per epoch; it returns a JAX scalar
    decay = optax.exponential_decay(0.1, transition_steps=1, decay_rate=0.5)
    history = twins.fit(twins.ours, [LearningRateScheduler(decay)], epochs=3)
    assert history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])


def test_an_optax_schedule_as_the_learning_rate_changes_it_every_step_without_recompiling(blobs, seeded):
    x, y = blobs
    schedule = optax.exponential_decay(0.1, transition_steps=3, decay_rate=0.5)  # 3 steps per epoch
    model = mlp()
    model.compile(optimizer=ks.optimizers.SGD(schedule), loss="sparse_categorical_crossentropy")
    with count_compilations() as events:
        counter = CompilationsPerEpoch(events)
        model.fit(x, y, batch_size=32, epochs=3, verbose=0, callbacks=[counter])
    # the rate at epoch end is the next step's: after 3, 6, 9 steps
    assert counter.rates == pytest.approx([0.05, 0.025, 0.0125])
    assert len(set(counter.compilations)) == 1
    with pytest.raises(ValueError, match="learning rate is a schedule, hence not settable"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(lambda epoch, lr: 0.1)])


@pytest.mark.parametrize("returned", [None, "0.1", -0.1, 0.0, float("nan"), np.array([0.1, 0.2])])
def test_a_schedule_must_return_a_positive_float(returned):
    callback = LearningRateScheduler(lambda epoch, lr: returned)
    callback.set_model(FakeModel())
    with pytest.raises(ValueError, match="must return a positive finite float, but returned .* for epoch 0"):
        callback.on_epoch_begin(0)


def test_scheduler_arguments():
    with pytest.raises(TypeError, match="`schedule` of LearningRateScheduler must be a function"):
        LearningRateScheduler(0.1)
    with pytest.raises(ValueError, match="`verbose` of LearningRateScheduler must be an int >= 0"):
        LearningRateScheduler(lambda epoch: 0.1, verbose=-1)


@pytest.mark.parametrize("callback", [LearningRateScheduler(lambda epoch, lr: lr),
                                      ReduceLROnPlateau(monitor="loss", patience=0)], ids=lambda c: type(c).__name__)
def test_an_optimizer_without_a_settable_rate_is_a_clear_error(callback):
    with pytest.raises(ValueError, match="needs an optimizer with a learning rate it can read and set"):
        drive(callback, [1.0, 2.0], model=FakeModel(None))


def test_scheduler_verbose(capsys):
    drive(LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1), [1.0, 1.0])
    assert capsys.readouterr().out == ("\nEpoch 1: LearningRateScheduler setting learning rate to 0.05.\n"
                                       "\nEpoch 2: LearningRateScheduler setting learning rate to 0.025.\n")


def test_scheduler_changes_the_rate_without_recompiling_and_matches_keras(twins):
    def schedule(epoch, lr):
        return lr if epoch < 3 else lr * 0.5

    expected = twins.fit(twins.reference, [keras.callbacks.LearningRateScheduler(schedule)], epochs=8)
    with count_compilations() as events:
        counter = CompilationsPerEpoch(events)
        got = twins.fit(twins.ours, [LearningRateScheduler(schedule), counter], epochs=8)
    assert got["learning_rate"] == [0.2] * 3 + [0.1, 0.05, 0.025, 0.0125, 0.00625]
    assert twins.ours.optimizer.learning_rate == 0.00625
    assert len(set(counter.compilations)) == 1 and len(set(counter.programs)) == 1  # nothing after epoch 1
    np.testing.assert_allclose(got["learning_rate"], expected["learning_rate"], rtol=1e-6)
    np.testing.assert_allclose(got["val_loss"], expected["val_loss"], rtol=1e-5)
    for a, b in zip(twins.ours.get_weights(), twins.reference.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)


# -- ReduceLROnPlateau -------------------------------------------------------------------------------------------------

# (rule, kwargs, monitored losses, learning rate after each epoch, starting from 1.0)
PLATEAU_RULES = [
    ("reduce after patience epochs without improvement", {"patience": 2, "factor": 0.5},
     [1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.25]),
    ("an improvement resets the count", {"patience": 2, "factor": 0.5}, [1.0, 1.0, 0.5, 0.5, 0.5],
     [1.0, 1.0, 1.0, 1.0, 0.5]),
    ("patience 0 reduces at every non-improvement", {"patience": 0, "factor": 0.5}, [1.0, 0.5, 0.5, 0.5],
     [1.0, 1.0, 0.5, 0.25]),
    ("min_delta: a small gain is no improvement", {"patience": 1, "factor": 0.5, "min_delta": 0.25},
     [1.0, 0.875, 0.5], [1.0, 0.5, 0.5]),
    ("cooldown: epochs after a reduction are not counted", {"patience": 1, "factor": 0.5, "cooldown": 2},
     [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]),
    ("min_lr is a floor", {"patience": 0, "factor": 0.1, "min_lr": 0.05}, [1.0, 1.0, 1.0, 1.0], [1.0, 0.1, 0.05, 0.05]),
    ("mode max", {"patience": 1, "factor": 0.5, "mode": "max"}, [0.5, 0.625, 0.5, 0.75, 0.5],
     [1.0, 1.0, 0.5, 0.5, 0.25]),
]


@pytest.mark.parametrize("rule,kwargs,values,rates", PLATEAU_RULES, ids=[r[0] for r in PLATEAU_RULES])
def test_plateau_rule(rule, kwargs, values, rates):
    _, _, got = drive(ReduceLROnPlateau(monitor="loss", **kwargs), values, model=FakeModel(1.0))
    assert got == pytest.approx(rates)


def test_plateau_logic_matches_keras_on_random_sequences():
    rng = np.random.default_rng(1)
    for _ in range(100):
        values = (rng.integers(0, 8, rng.integers(1, 15)) / 4).tolist()
        kwargs = {"patience": int(rng.integers(0, 4)), "factor": float(rng.choice([0.5, 0.25])),
                  "min_delta": float(rng.choice([0.0, 0.25])), "cooldown": int(rng.integers(0, 3)),
                  "min_lr": float(rng.choice([0.0, 0.125])), "mode": str(rng.choice(["min", "max"]))}
        ours = ReduceLROnPlateau(monitor="loss", **kwargs)
        reference = keras.callbacks.ReduceLROnPlateau(monitor="loss", **kwargs)
        got = drive(ours, values, model=FakeModel(1.0))[2]
        expected = drive(reference, values, model=FakeModel(1.0))[2]
        assert got == expected, (kwargs, values)
        assert (ours.best, ours.wait, ours.cooldown_counter) == (reference.best, reference.wait,
                                                                 reference.cooldown_counter), (kwargs, values)


def test_plateau_reduces_in_a_fit_without_recompiling_and_matches_keras(twins):
    kwargs = {"monitor": "val_loss", "factor": 0.5, "patience": 2, "cooldown": 1, "min_lr": 0.02}
    expected = twins.fit(twins.reference, [keras.callbacks.ReduceLROnPlateau(**kwargs)], epochs=20)
    with count_compilations() as events:
        counter = CompilationsPerEpoch(events)
        plateau = ReduceLROnPlateau(**kwargs)
        got = twins.fit(twins.ours, [plateau, counter], epochs=20)
    assert len(set(got["learning_rate"])) >= 3 and min(got["learning_rate"]) >= 0.02  # reduced, floored
    np.testing.assert_allclose(got["learning_rate"], expected["learning_rate"], rtol=1e-6)
    np.testing.assert_allclose(got["val_loss"], expected["val_loss"], rtol=1e-5)
    assert len(set(counter.compilations[1:])) == 1
    for a, b in zip(twins.ours.get_weights(), twins.reference.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)


def test_plateau_state_is_reset_for_each_fit():
    callback = ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5)
    drive(callback, [0.5, 1.0, 1.0], model=FakeModel(1.0))
    _, _, rates = drive(callback, [1.0, 0.75], model=FakeModel(1.0))  # 1.0 is no worse than a fresh start
    assert rates == [1.0, 1.0] and callback.best == 0.75


@pytest.mark.parametrize("kwargs,match", [
    ({"factor": 1.0}, "`factor` of ReduceLROnPlateau must be in \\(0, 1\\)"),
    ({"factor": 0.0}, "`factor` of ReduceLROnPlateau must be in \\(0, 1\\)"),
    ({"patience": -1}, "`patience` of ReduceLROnPlateau must be an int >= 0"),
    ({"cooldown": 0.5}, "`cooldown` of ReduceLROnPlateau must be an int >= 0"),
    ({"min_lr": -1.0}, "`min_lr` of ReduceLROnPlateau must be >= 0"),
    ({"mode": "down"}, "`mode` of ReduceLROnPlateau must be 'auto', 'min' or 'max'"),
    ({"monitor": "lr_metric"}, "cannot tell from the name whether monitor='lr_metric'"),
    ({"verbose": True}, "`verbose` of ReduceLROnPlateau must be an int >= 0"),
])
def test_plateau_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ReduceLROnPlateau(**kwargs)


def test_plateau_missing_key_and_verbose(capsys):
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau monitors 'loss', which is not in the logs of epoch 1"):
        drive(ReduceLROnPlateau(monitor="loss"), [1.0], key="val_loss")
    drive(ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5, verbose=1), [1.0, 1.0], model=FakeModel(1.0))
    assert capsys.readouterr().out == "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.5.\n"


@pytest.mark.parametrize("make", [lambda: LearningRateScheduler(lambda epoch, lr: lr),
                                  lambda: ReduceLROnPlateau(monitor="loss")], ids=["scheduler", "plateau"])
def test_the_rate_goes_into_the_epoch_logs_as_in_keras(make):
    callback, model = make(), FakeModel(0.25)
    callback.set_model(model)
    callback.set_params({"epochs": 1, "steps": 1, "verbose": 0})
    callback.on_train_begin({})
    callback.on_epoch_begin(0, {})
    logs = {"loss": 1.0}
    callback.on_epoch_end(0, logs)
    assert logs == {"loss": 1.0, "learning_rate": 0.25}


def test_the_scheduler_accepts_no_logs():
    callback = LearningRateScheduler(lambda epoch, lr: lr / 2)
    callback.set_model(FakeModel(0.5))
    callback.on_epoch_begin(0, None)
    callback.on_epoch_end(0, None)
    assert callback.model.optimizer.learning_rate == 0.25
