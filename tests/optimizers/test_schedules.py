"""Learning-rate schedules against Keras 3: values over steps (rtol 1e-6), configs, serialized forms, checks."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import optimizers, registry
from kerasish.optimizers import schedules
from kerasish.variables import Variable
from tests.optimizers.helpers import assert_matches_keras

STEPS = [0, 3, 10, 17, 100]
CASES = {
    "exponential": lambda m: m.ExponentialDecay(0.1, 10, 0.5),
    "exponential_staircase": lambda m: m.ExponentialDecay(0.1, 3, 0.96, staircase=True, name="mine"),
    "piecewise": lambda m: m.PiecewiseConstantDecay([5, 10, 30], [1.0, 0.5, 0.1, 0.01]),
    "polynomial": lambda m: m.PolynomialDecay(0.1, 20, end_learning_rate=0.01, power=2.0),
    "polynomial_cycle": lambda m: m.PolynomialDecay(0.1, 15, power=0.5, cycle=True),
    "inverse_time": lambda m: m.InverseTimeDecay(0.1, 5, 0.5),
    "inverse_time_staircase": lambda m: m.InverseTimeDecay(0.1, 5, 0.5, staircase=True),
    "cosine": lambda m: m.CosineDecay(0.1, 30, alpha=0.1),
    "cosine_warmup": lambda m: m.CosineDecay(0.0, 30, warmup_target=0.2, warmup_steps=10),
    "restarts": lambda m: m.CosineDecayRestarts(0.1, 7),
    "restarts_same_periods": lambda m: m.CosineDecayRestarts(0.1, 7, t_mul=1.0, m_mul=0.5, alpha=0.1),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES)
def test_matches_keras(make):
    ours, theirs = make(schedules), make(keras.optimizers.schedules)
    expected = [float(theirs(step)) for step in STEPS]
    np.testing.assert_allclose([float(ours(step)) for step in STEPS], expected, rtol=1e-6, atol=1e-9)
    # compiled, XLA fuses the float32 maths differently: within 1e-5
    np.testing.assert_allclose(jax.jit(jax.vmap(ours))(jnp.asarray(STEPS)), expected, rtol=1e-5, atol=1e-9)
    assert ours.get_config() == theirs.get_config()
    assert schedules.serialize(ours) == keras.optimizers.schedules.serialize(theirs)
    again = schedules.deserialize(keras.optimizers.schedules.serialize(theirs))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()


def test_steps_and_arguments_may_be_variables():
    step = Variable(1.0)
    schedule = schedules.ExponentialDecay(Variable(0.1), 3, 0.96, staircase=True)
    assert float(schedule(step)) == pytest.approx(0.1)
    step.assign(100)
    assert float(schedule(step)) == pytest.approx(0.1 * 0.96 ** (100 // 3))


def halving(base):
    """The same user schedule written for Keras and for kerasish (only the base class differs)."""

    class Halving(base):
        def __init__(self, initial):
            self.initial = initial

        def __call__(self, step):
            return self.initial * 0.5 ** (step // 2)

        def get_config(self):
            return {"initial": self.initial}

    return Halving


def test_a_subclass_drives_an_optimizer_and_round_trips_when_registered():
    assert_matches_keras(lambda m: m.SGD(halving(m.schedules.LearningRateSchedule)(0.5)), ways=("apply", "optax"))
    Halving = halving(schedules.LearningRateSchedule)
    opt = optimizers.SGD(Halving(0.5))
    assert not optimizers.is_serializable(opt)
    registry.register_serializable(package="tests")(Halving)
    config = optimizers.serialize(opt)["config"]["learning_rate"]
    assert config["registered_name"] == "tests>Halving" and optimizers.is_serializable(opt)
    assert schedules.deserialize(config).initial == 0.5


def test_an_optimizer_saves_its_schedule_as_keras_does():
    make = lambda m: m.Adam(m.schedules.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=5), name="o")
    ours, theirs = make(optimizers), make(keras.optimizers)
    assert ours.get_config() == theirs.get_config()
    assert optimizers.serialize(ours) == keras.optimizers.serialize(theirs)
    again = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert isinstance(again._learning_rate, schedules.CosineDecay) and again.get_config() == ours.get_config()


def test_the_base_class_says_what_to_override():
    with pytest.raises(NotImplementedError, match=r"schedule 'LearningRateSchedule' must override `__call__"):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError, match=r"must override `get_config\(\)` in order to be serializable"):
        schedules.LearningRateSchedule().get_config()


@pytest.mark.parametrize("make, message", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), r"`decay_steps` of ExponentialDecay must be a finite number > "
                                                      r"0, received decay_steps=0"),
    (lambda: schedules.ExponentialDecay(float("inf"), 10, 0.5), r"`initial_learning_rate` of ExponentialDecay must "
                                                                r"be a finite number >= 0, received "
                                                                r"initial_learning_rate=inf"),
    (lambda: schedules.ExponentialDecay(0.1, 10, -0.5), r"`decay_rate` of ExponentialDecay .* received "
                                                        r"decay_rate=-0.5"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1]), r"The length of boundaries should be 1 less than"),
    (lambda: schedules.PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3]), r"`boundaries` of PiecewiseConstantDecay "
                                                                        r"must increase strictly"),
    (lambda: schedules.PiecewiseConstantDecay([5], [0.1, float("nan")]), r"`values` of PiecewiseConstantDecay must "
                                                                         r"be a finite number"),
    (lambda: schedules.PolynomialDecay(0.1, -3), r"`decay_steps` of PolynomialDecay must be a finite number > 0"),
    (lambda: schedules.PolynomialDecay(0.1, 3, power=float("nan")), r"`power` of PolynomialDecay"),
    (lambda: schedules.InverseTimeDecay(0.1, 3, float("inf")), r"`decay_rate` of InverseTimeDecay"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_steps=-1), r"`warmup_steps` of CosineDecay must be a finite "
                                                              r"number >= 0"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_target=-1.0), r"`warmup_target` of CosineDecay"),
    (lambda: schedules.CosineDecayRestarts(0.1, 0), r"`first_decay_steps` of CosineDecayRestarts must be a finite "
                                                    r"number > 0"),
    (lambda: schedules.CosineDecayRestarts(0.1, 5, t_mul=0.0), r"`t_mul` of CosineDecayRestarts must be a finite "
                                                               r"number > 0"),
])
def test_arguments_out_of_range_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_serialize_and_deserialize_errors():
    with pytest.raises(TypeError, match=r"`learning_rate_schedule` of serialize must be a LearningRateSchedule"):
        schedules.serialize(0.1)
    with pytest.raises(ValueError, match=r"a dict with `class_name` and `config`, received 'ExponentialDecay'"):
        schedules.deserialize("ExponentialDecay")
    with pytest.raises(ValueError, match=r"names class 'Nope' \(among schedules\), which is neither kerasish's"):
        schedules.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match=r"names 'SGD', which is not a LearningRateSchedule"):
        schedules.deserialize({"class_name": "SGD", "config": {}}, custom_objects={"SGD": optimizers.SGD})
