"""What Keras code reads off models and layers: `input_shape=`, `layer.input` / `layer.output`,
`model.inputs` / `outputs`, `get_layer`, `model.layers`, and the lowercase merge functions."""

import numpy as np
import pytest

import kerasish as ks
from kerasish import layers


def test_input_shape_keyword_gives_a_sequential_its_input(seeded):
    model = ks.Sequential()
    model.add(layers.Dense(2, activation="relu", input_shape=(4,)))  # Keras 2 style, still accepted by Keras 3
    assert model.built and model.input_shape == (None, 4) and model.count_params() == 10
    assert ks.Sequential([layers.Dense(3, input_dim=5)]).output_shape == (None, 3)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense"]  # the Input is not a layer, as in Keras
    with pytest.raises(ValueError, match="`input_dim` must be a positive int, received 0"):
        layers.Dense(2, input_dim=0)
    with pytest.raises(TypeError, match=r"`input_shape` must be a tuple of ints .*received 'x'"):
        layers.Dense(2, input_shape="x")


def test_feature_extractor_from_a_sequential(seeded):
    model = ks.Sequential([ks.Input((6,)), layers.Dense(4, name="first"), layers.Dense(3, name="second")])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 6)), np.ones((4, 3)), verbose=0)
    engine = model._training.engine
    features = ks.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    assert model.input is model.inputs[0] and model.output is model.outputs[0] is model.layers[-1].output
    assert model.layers[0].input is model.input and model.get_layer("first").output is model.layers[0].output
    x = np.random.default_rng(0).normal(size=(2, 6)).astype(np.float32)
    first, second = features(x)
    np.testing.assert_allclose(np.asarray(second), model.predict(x, verbose=0), rtol=1e-6)
    assert first.shape == (2, 4)
    # Reading the symbolic graph changes nothing the compiled steps depend on.
    assert engine.matches(model)


def test_functional_inputs_outputs_and_get_layer(seeded):
    a, b = ks.Input((3,), name="a"), ks.Input((3,), name="b")
    total = layers.add([a, b])
    merged = layers.concatenate([layers.subtract([a, b]), layers.multiply([a, b]), layers.average([a, b]),
                                 layers.maximum([a, b]), layers.minimum([a, b]), total], axis=-1)
    model = ks.Model({"a": a, "b": b}, merged)
    assert model.inputs == [a, b] and model.input == {"a": a, "b": b} and model.outputs == [merged]
    assert model.get_layer(index=0).name == "a" and model.get_layer("a").output is a
    x, y = np.array([[1.0, 2.0, 3.0]]), np.array([[3.0, 1.0, 1.0]])
    out = np.asarray(model({"a": x, "b": y}))
    np.testing.assert_allclose(out, np.concatenate([x - y, x * y, (x + y) / 2, np.maximum(x, y), np.minimum(x, y),
                                                    x + y], axis=-1))
    with pytest.raises(ValueError, match=r"Model 'model.*' has no layer named 'nope'; its layers are \['a', 'b', "):
        model.get_layer("nope")
    with pytest.raises(ValueError, match=r"`index` of get_layer must be an int in \[-9, 9\).*received 9"):
        model.get_layer(index=9)
    with pytest.raises(ValueError, match="either `name` or `index`.*received name=None, index=None"):
        model.get_layer()


class TwoLayers(ks.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(4)
        self.head = layers.Dense(1)

    def call(self, x):
        return self.head(self.hidden(x))


def test_layers_of_a_subclassed_model_and_missing_graph_errors(seeded):
    model = TwoLayers()
    assert [layer.name for layer in model.layers] == [model.hidden.name, model.head.name]
    assert model.get_layer(index=-1) is model.head
    with pytest.raises(AttributeError, match="is a subclassed model: it has no symbolic `inputs`"):
        _ = model.inputs
    assert not hasattr(model, "inputs")  # as in Keras: an AttributeError, so hasattr says False
    with pytest.raises(AttributeError, match=r"Sequential model 'seq' has no defined outputs yet: start it with "
                                             r"ks.Input\(shape\), or build it"):
        _ = ks.Sequential([layers.Dense(2)], name="seq").outputs
    with pytest.raises(AttributeError, match="The layer lonely has never been called and thus has no defined output"):
        _ = layers.Dense(2, name="lonely").output
