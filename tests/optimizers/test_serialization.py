"""`get`, `serialize`, `deserialize` with Keras 3's names and dict format; `is_serializable`."""

import keras
import optax
import pytest

from kerasish import optimizers, registry

ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Nadam", "Adadelta", "Adafactor", "Ftrl", "Lion",
       "Lamb", "Muon", "ScheduleFreeAdamW"]


@pytest.mark.parametrize("name", ALL)
def test_serialized_like_keras_and_read_back_from_kerass_dict(name):
    ours, theirs = getattr(optimizers, name)(name="o"), getattr(keras.optimizers, name)(name="o")
    assert optimizers.serialize(ours) == keras.optimizers.serialize(theirs)
    again = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()


def test_loss_scale_optimizer_serialized_like_keras():
    ours = optimizers.LossScaleOptimizer(optimizers.SGD(0.5, name="s"), name="o")
    theirs = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.5, name="s"), name="o")
    assert optimizers.serialize(ours) == keras.optimizers.serialize(theirs)
    again = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert again.get_config() == ours.get_config()


def test_get_as_keras():
    for identifier, cls in [("sgd", "SGD"), ("ADAM", "Adam"), ("adamw", "AdamW"), ("RMSprop", "RMSprop"),
                            ("lossscaleoptimizer", None), ("ftrl", "Ftrl")]:
        if cls is None:
            continue  # LossScaleOptimizer needs an inner optimizer: not made from a name
        opt = optimizers.get(identifier)
        assert type(opt).__name__ == cls
        assert type(keras.optimizers.get(identifier)).__name__ == cls
    opt = optimizers.Adam(0.5)
    assert optimizers.get(opt) is opt and optimizers.get(None) is None
    assert optimizers.get({"class_name": "adam", "config": {"weight_decay": 0.05}}).weight_decay == 0.05
    wrapped = optimizers.get(optax.adam(1e-3))
    assert isinstance(wrapped, optimizers.Optimizer) and not optimizers.is_serializable(wrapped)


def test_get_errors():
    with pytest.raises(ValueError, match=r"Could not interpret optimizer identifier: 'typo'. Expected one of \[.*"
                                         r"'adam', 'adamax', 'adamw'"):
        optimizers.get("typo")
    with pytest.raises(ValueError, match=r"Could not interpret optimizer identifier: 0.1 \(of type float\)"):
        optimizers.get(0.1)
    with pytest.raises(ValueError, match=r"a dict with `class_name` and `config`, received \['adam'\]"):
        optimizers.deserialize(["adam"])
    with pytest.raises(ValueError, match=r"names class 'Nope' \(among optimizers\), which is neither kerasish's"):
        optimizers.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match=r"The `config` of a serialized optimizer must be a dict, received 3"):
        optimizers.deserialize({"class_name": "SGD", "config": 3})
    with pytest.raises(ValueError, match=r"names 'Halving', which is not an optimizer class"):
        optimizers.deserialize({"class_name": "Halving", "config": {}}, custom_objects={"Halving": dict})


def test_code_is_never_serialized():
    for opt in [optimizers.Adam(lambda: 0.1), optimizers.SGD(optax.exponential_decay(0.1, 5, 0.5)),
                optimizers.get(optax.sgd(0.1)), optimizers.LossScaleOptimizer(optimizers.SGD(lambda: 0.1))]:
        assert not optimizers.is_serializable(opt)
        with pytest.raises(ValueError, match=r"cannot be serialized: .* \(a function or an optax transformation is "
                                             r"code, which a config never stores\)"):
            optimizers.serialize(opt)
    assert optimizers.is_serializable(optimizers.Adam(optimizers.schedules.InverseTimeDecay(0.1, 5, 0.5)))
    assert not optimizers.is_serializable("adam")


def test_a_registered_subclass_round_trips():
    @registry.register_serializable(package="tests")
    class Slow(optimizers.SGD):
        def __init__(self, factor=0.5, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    config = optimizers.serialize(Slow(0.25, learning_rate=0.1))
    assert config["registered_name"] == "tests>Slow" and config["config"]["factor"] == 0.25
    assert type(optimizers.deserialize(config)) is Slow

    class Unregistered(optimizers.SGD):
        pass

    assert not optimizers.is_serializable(Unregistered())
