"""clone_model (kerasish/models/cloning.py): the architecture with new layers and weights, as Keras 3."""

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")


def _functional(module):
    a, b = module.Input((3,), name="a"), module.Input((2,), name="b")
    x = module.layers.Concatenate()([module.layers.Dense(4)(a), b])
    return module.Model([a, b], module.layers.Dense(1)(x), name="pair")


def test_clone_model_rebuilds_sequential_and_functional_models_with_new_weights(seeded):
    for model, keras_model in ((ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)], name="seq"),
                                keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])),
                               (_functional(ks), _functional(keras))):
        clone = ks.models.clone_model(model)
        assert clone.count_params() == model.count_params() == keras.models.clone_model(keras_model).count_params()
        assert clone.name == model.name and type(clone) is type(model)
        assert all(a is not b for a, b in zip(clone.layers, model.layers))
        assert any(not np.array_equal(a, b) for a, b in zip(clone.get_weights(), model.get_weights()))


def test_clone_model_with_clone_function_call_function_and_input_tensors():
    model = _functional(ks)
    renamed = ks.models.clone_model(model, clone_function=lambda layer: type(layer).from_config(
        {**layer.get_config(), "name": "copy_" + layer.name}))
    assert all(layer.name.startswith("copy_") for layer in renamed.layers[2:])
    calls = []
    ks.models.clone_model(model, call_function=lambda layer, *args, **kwargs: calls.append(layer.name) or layer(
        *args, **kwargs))
    assert len(calls) == 3
    new_inputs = [ks.Input((3,)), ks.Input((2,))]
    on_new = ks.models.clone_model(model, input_tensors=new_inputs)
    assert on_new.inputs == new_inputs
    sequential = ks.models.clone_model(ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)]),
                                       input_tensors=ks.Input((3,), name="given"))
    assert sequential.input_layer.name == "given"


def test_clone_model_recursive_clones_nested_models():
    inner = ks.Sequential([ks.Input((3,)), ks.layers.Dense(3)])
    outer = ks.Sequential([ks.Input((3,)), inner, ks.layers.Dense(1)])
    shallow, deep = ks.models.clone_model(outer), ks.models.clone_model(outer, recursive=True)
    assert deep.layers[0] is not inner and deep.layers[0].count_params() == 12
    assert shallow.count_params() == deep.count_params() == outer.count_params()


def test_clone_model_of_a_subclassed_model_uses_its_config():
    class Head(ks.Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = ks.layers.Dense(units)

        def call(self, x):
            return self.dense(x)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    clone = ks.models.clone_model(Head(3))
    assert isinstance(clone, Head) and clone.units == 3
    with pytest.raises(ValueError, match=r"only supported for Sequential and functional models, received a "
                                         r"subclassed model"):
        ks.models.clone_model(Head(3), clone_function=lambda layer: layer)


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.models.clone_model(ks.Sequential([ks.Input((3,))]), input_tensors=[np.ones((1, 3))]), ValueError,
     r"All entries in `input_tensors` must be KerasTensors"),
    (lambda: ks.models.clone_model(ks.Sequential([ks.Input((3,))]), input_tensors=[ks.Input((3,))] * 2), ValueError,
     r"`input_tensors` of clone_model must be one symbolic tensor for a Sequential"),
    (lambda: ks.models.clone_model(_functional(ks), input_tensors=[ks.Input((3,))]), ValueError,
     r"`input_tensors` must hold 2 symbolic tensor\(s\), one per input"),
    (lambda: ks.models.clone_model(ks.Sequential(), nope=1), TypeError, r"unexpected keyword argument\(s\) \['nope'\]"),
])
def test_clone_model_errors(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_get_source_inputs():
    a, b = ks.Input((2,)), ks.Input((2,))
    out = ks.layers.Dense(1)(ks.layers.Add()([a, b]))
    assert ks.utils.get_source_inputs(out) == [a, b]
    assert ks.utils.get_source_inputs(a) == [a]
    with pytest.raises(TypeError, match=r"`tensor` of get_source_inputs must be a symbolic tensor"):
        ks.utils.get_source_inputs(np.ones(2))
