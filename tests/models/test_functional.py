"""The functional API and subclassed models: built, trained by fit, with several inputs and outputs."""

import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks


class Sum(ks.layers.Layer):
    """A two-input layer (the merge layers' contract: a list of inputs)."""

    def call(self, xs):
        return xs[0] + xs[1]


def test_functional_equals_the_sequential_twin(seeded):
    inputs = ks.Input((4,))
    hidden = ks.layers.Dense(8, activation="relu")(inputs)
    outputs = ks.layers.Dense(3, activation="softmax")(hidden)
    model = ks.Model(inputs, outputs, name="functional_mlp")
    assert hidden.shape == (None, 8) and outputs.shape == (None, 3)
    assert model.built and model.input_shape == (None, 4) and model.output_shape == (None, 3)
    twin = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8, activation="relu"),
                          ks.layers.Dense(3, activation="softmax")])
    twin.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), twin.predict(x, verbose=0), rtol=1e-6)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Dense"]


def test_two_inputs_two_outputs_with_losses_and_metrics_per_output(seeded, blobs):
    x, y = blobs
    a, b = ks.Input((4,), name="a"), ks.Input((2,), name="b")
    shared = Sum()([ks.layers.Dense(6, activation="relu")(a), ks.layers.Dense(6, activation="relu")(b)])
    label = ks.layers.Dense(3, activation="softmax", name="label")(shared)
    score = ks.layers.Dense(1, name="score")(shared)
    model = ks.Model([a, b], {"label": label, "score": score})
    model.compile(optimizer="adam", loss={"label": "sparse_categorical_crossentropy", "score": "mse"},
                  loss_weights={"label": 1.0, "score": 0.5}, metrics={"label": ["accuracy"], "score": ["mae"]})
    inputs = [x, x[:, :2]]
    targets = {"label": y, "score": x[:, :1]}
    history = model.fit(inputs, targets, batch_size=32, epochs=2, validation_split=0.25, verbose=0)
    assert list(history.history) == ["loss", "label_loss", "score_loss", "label_accuracy", "score_mae",
                                     "val_loss", "val_label_loss", "val_score_loss", "val_label_accuracy",
                                     "val_score_mae"]
    logs = model.evaluate(inputs, targets, batch_size=96, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["label_loss"] + 0.5 * logs["score_loss"], rel=1e-5)
    predictions = model.predict(inputs, verbose=0)
    assert predictions["label"].shape == (96, 3) and predictions["score"].shape == (96, 1)
    np.testing.assert_allclose(logs["score_mae"], np.abs(predictions["score"] - x[:, :1]).mean(), rtol=1e-5)


def test_a_shared_layer_is_one_layer_used_twice(seeded):
    left, right = ks.Input((3,)), ks.Input((3,))
    encoder = ks.layers.Dense(2, name="encoder")
    model = ks.Model([left, right], Sum()([encoder(left), encoder(right)]))
    assert sum(layer is encoder for layer in model.layers) == 1
    assert model.count_params() == 8
    x1, x2 = jnp.ones((1, 3)), jnp.full((1, 3), 2.0)
    kernel, bias = encoder.get_weights()
    np.testing.assert_allclose(model([x1, x2]), np.asarray(x1 + x2) @ kernel + 2 * bias, rtol=1e-6)


def test_nested_models_as_layers(seeded, blobs):
    x, y = blobs
    inner_in = ks.Input((4,))
    inner = ks.Model(inner_in, ks.layers.Dense(5, activation="relu")(inner_in), name="encoder")
    outer_in = ks.Input((4,))
    outer = ks.Model(outer_in, ks.layers.Dense(3, activation="softmax")(inner(outer_in)))
    stacked = ks.Sequential([ks.Input((4,)), inner, ks.layers.Dense(3, activation="softmax")])
    for model in (outer, stacked):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        history = model.fit(x, y, epochs=2, verbose=0)
        assert np.isfinite(history.history["loss"]).all()
    assert len(outer.get_weights()) == 4 and len(stacked.get_weights()) == 4


class TwoTower(ks.Model):
    """A subclassed model: layers in __init__, forward pass in call."""

    def __init__(self):
        super().__init__(name="two_tower")
        self.body = ks.layers.Dense(16, activation="relu")
        self.dropout = ks.layers.Dropout(0.1)
        self.head = ks.layers.Dense(3, activation="softmax")

    def call(self, x, training=False):
        return self.head(self.dropout(self.body(x), training=training))


def test_subclassed_model_trains_with_fit(seeded, blobs):
    x, y = blobs
    model = TwoTower()
    assert not model.built
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=30, verbose=0)
    assert model.built and model.output_shape == (None, 3)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.8
    assert [w.shape for w in model.get_weights()] == [(4, 16), (16,), (16, 3), (3,)]
    twin = ks.Sequential([ks.Input((4,)), ks.layers.Dense(16, activation="relu"), ks.layers.Dropout(0.1),
                          ks.layers.Dense(3, activation="softmax")])
    twin.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(x, verbose=0), twin.predict(x, verbose=0), rtol=1e-6)


def test_functional_errors():
    a, b = ks.Input((2,)), ks.Input((2,))
    out = Sum()([a, b])
    with pytest.raises(ValueError, match="depends on Input .* which is not in `inputs`"):
        ks.Model(a, out)
    with pytest.raises(ValueError, match="made by ks.Input"):
        ks.Model(out, out)
    model = ks.Model([a, b], out)
    with pytest.raises(ValueError, match=r"`x` must hold 2 arrays .* received one array of shape \(3, 2\)"):
        model.predict(np.ones((3, 2), np.float32), verbose=0)
    with pytest.raises(ValueError, match=r"Input of layer .* expected shape=\(None, 2\), found shape="):
        model([jnp.ones((3, 2)), jnp.ones((3, 5))])
