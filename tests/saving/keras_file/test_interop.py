"""`.keras` and `.weights.h5` files both ways, with Keras 3 as the oracle: a model saved by one framework and
loaded by the other predicts the same and trains on the same (its optimizer state comes along)."""

from __future__ import annotations

import json
import zipfile

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

import kerasish as ks
from kerasish.saving import keras_file

L = ks.layers
RNG = np.random.default_rng(0)
IMAGES = RNG.random((16, 6, 6, 1)).astype("float32")
TOKENS = RNG.integers(0, 12, (16, 5)).astype("int32")
TARGETS = RNG.random((16, 3)).astype("float32")


def keras_predict(model, x):
    return keras.tree.map_structure(np.asarray, model.predict(x, verbose=0))


def assert_same(a, b, rtol=1e-5, atol=1e-6):
    a_leaves, b_leaves = keras.tree.flatten(a), keras.tree.flatten(b)
    assert len(a_leaves) == len(b_leaves)
    for x, y in zip(a_leaves, b_leaves):
        assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol)


def keras_big_model():
    """Dense, Conv2D, BatchNormalization, Embedding, MultiHeadAttention, LSTM in one functional model."""
    image = keras.Input((6, 6, 1), name="image")
    tokens = keras.Input((5,), dtype="int32", name="tokens")
    h = keras.layers.Conv2D(3, 3, activation="relu")(image)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Flatten()(h)
    h = keras.layers.Dense(6, activation="relu")(h)
    e = keras.layers.Embedding(12, 4)(tokens)
    e = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)(e, e)
    e = keras.layers.LSTM(5)(e)
    out = keras.layers.Dense(3)(keras.layers.Concatenate()([h, e]))
    return keras.Model([image, tokens], out)


def test_a_keras_model_loads_with_the_same_predictions_and_trains_on_with_its_optimizer_state(tmp_path):
    keras.utils.set_random_seed(1)
    keras_model = keras_big_model()
    keras_model.compile(keras.optimizers.Adam(0.01), "mse")
    keras_model.fit([IMAGES, TOKENS], TARGETS, batch_size=8, epochs=1, shuffle=False, verbose=0)
    keras_model.save(tmp_path / "model.keras")

    model = ks.models.load_model(tmp_path / "model.keras")
    assert sorted(layer.name for layer in model.layers) == sorted(layer.name for layer in keras_model.layers)
    assert_same(model.predict([IMAGES, TOKENS], verbose=0), keras_predict(keras_model, [IMAGES, TOKENS]))
    assert model.get_compile_config()["optimizer"]["config"]["learning_rate"] == pytest.approx(0.01)
    # Both continue from the same Adam state (its moments and step count): a fresh Adam would take other steps.
    keras_history = keras_model.fit([IMAGES, TOKENS], TARGETS, batch_size=8, epochs=1, shuffle=False, verbose=0)
    history = model.fit([IMAGES, TOKENS], TARGETS, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert_allclose(history.history["loss"], keras_history.history["loss"], rtol=1e-4)
    assert_same(model.predict([IMAGES, TOKENS], verbose=0), keras_predict(keras_model, [IMAGES, TOKENS]),
                rtol=1e-4, atol=1e-5)


def kerasish_big_model():
    image = ks.Input((6, 6, 1), name="image")
    tokens = ks.Input((5,), dtype="int32", name="tokens")
    h = L.Conv2D(3, 3, activation="relu")(image)
    h = L.BatchNormalization()(h)
    h = L.Flatten()(h)
    h = L.Dense(6, activation="relu", kernel_regularizer="l2")(h)
    e = L.Embedding(12, 4)(tokens)
    e = L.MultiHeadAttention(num_heads=2, key_dim=3)(e, e)
    e = L.LSTM(5)(e)
    out = L.Dense(3)(L.Concatenate()([h, e]))
    return ks.Model([image, tokens], out)


def test_a_kerasish_model_loads_in_keras_with_the_same_predictions(tmp_path):
    ks.utils.set_random_seed(2)
    model = kerasish_big_model()
    model.save(tmp_path / "model.keras")
    keras_model = keras.saving.load_model(tmp_path / "model.keras")
    assert_same(keras_predict(keras_model, [IMAGES, TOKENS]), model.predict([IMAGES, TOKENS], verbose=0))
    # The file lists the layers in Keras's own order (the order its weights file counts in).
    config = json.loads(zipfile.ZipFile(tmp_path / "model.keras").read("config.json"))
    assert [e["name"] for e in config["config"]["layers"]] == [layer.name for layer in keras_model.layers]


@pytest.mark.parametrize("optimizer", ["adam", "sgd_momentum"])
def test_keras_trains_on_from_a_kerasish_file_as_kerasish_does(optimizer, tmp_path):
    x, y = RNG.random((16, 4)).astype("float32"), RNG.random((16, 2)).astype("float32")
    ks.utils.set_random_seed(5)
    model = ks.Sequential([ks.Input((4,)), L.Dense(6, activation="relu"), L.BatchNormalization(), L.Dense(2)])
    model.compile(ks.optimizers.Adam(0.02) if optimizer == "adam" else ks.optimizers.SGD(0.05, momentum=0.9), "mse")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    model.save(tmp_path / "model.keras")
    keras_model = keras.saving.load_model(tmp_path / "model.keras")
    keras_history = keras_model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert_allclose(history.history["loss"], keras_history.history["loss"], rtol=1e-5)
    assert_same(keras_predict(keras_model, x), model.predict(x, verbose=0))


# -- graphs of every shape, both ways ------------------------------------------------------------------------------

@keras.saving.register_keras_serializable(package="interop_test")
class KerasScale(keras.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="random_normal", name="w")
        self.inner = keras.layers.Dense(input_shape[-1])
        self.inner.build(input_shape)

    def call(self, x):
        return self.inner(x) * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@ks.saving.register_serializable(package="interop_test", name="KerasScale")
class Scale(ks.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight((input_shape[-1],), "random_normal", name="w")
        self.inner = L.Dense(input_shape[-1])
        self.inner.build_for(input_shape)

    def call(self, x):
        return self.inner(x) * self.w[...] * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def cnn():
    return keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                             keras.layers.MaxPooling2D(), keras.layers.BatchNormalization(), keras.layers.Flatten(),
                             keras.layers.Dropout(0.3), keras.layers.Dense(3, activation="softmax")]), \
        RNG.random((4, 8, 8, 1)).astype("float32")


def masked_recurrent():
    tokens = keras.Input((6,), dtype="int32")
    h = keras.layers.Embedding(10, 4, mask_zero=True)(tokens)
    h = keras.layers.Bidirectional(keras.layers.GRU(3))(h)
    x = RNG.integers(1, 10, (4, 6)).astype("int32")
    x[:, 4:] = 0  # padding: the mask must reach the recurrent layers
    return keras.Model(tokens, keras.layers.Dense(2)(h)), x


def ops_shared_dict():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    shared = keras.layers.Dense(4, name="shared")
    s = shared(a) + shared(b)
    t = keras.ops.mean(s * 2.0, axis=-1, keepdims=True)
    u = keras.ops.concatenate([s, t], axis=-1)
    model = keras.Model({"a": a, "b": b}, {"y": keras.layers.Dense(2)(u), "z": t})
    return model, {"a": RNG.random((3, 4)).astype("float32"), "b": RNG.random((3, 4)).astype("float32")}


def nested_models():
    inner = keras.Sequential([keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(3)], name="inner")
    sub_in = keras.Input((3,))
    sub = keras.Model(sub_in, keras.layers.Dense(4)(sub_in), name="sub")
    x = keras.Input((5,))
    return keras.Model(x, keras.layers.Dense(1)(sub(inner(x)))), RNG.random((3, 5)).astype("float32")


def shared_at_two_depths():
    """A layer called before and after another (A(B(A(x)))): Keras orders it by its deepest call."""
    x = keras.Input((4,))
    a, b = keras.layers.Dense(4, activation="tanh", name="a"), keras.layers.Dense(4, name="b")
    c = keras.layers.Dense(3, name="c")
    y = a(b(a(x)))
    return keras.Model(x, [c(y), c(a(x))]), RNG.random((3, 4)).astype("float32")


def custom_layer():
    return keras.Sequential([keras.Input((3,)), KerasScale(3.0), keras.layers.Dense(2)]), \
        RNG.random((4, 3)).astype("float32")


@pytest.mark.parametrize("make", [cnn, masked_recurrent, ops_shared_dict, nested_models, shared_at_two_depths,
                                  custom_layer])
def test_graphs_go_both_ways_with_the_same_predictions(make, tmp_path):
    keras.utils.set_random_seed(3)
    keras_model, x = make()
    keras_model.save(tmp_path / "keras.keras")
    model = ks.models.load_model(tmp_path / "keras.keras")
    assert_same(model.predict(x, verbose=0), keras_predict(keras_model, x))
    model.save(tmp_path / "kerasish.keras")
    back = keras.saving.load_model(tmp_path / "kerasish.keras")
    assert_same(keras_predict(back, x), model.predict(x, verbose=0))
    written = json.loads(zipfile.ZipFile(tmp_path / "kerasish.keras").read("config.json"))
    original = json.loads(zipfile.ZipFile(tmp_path / "keras.keras").read("config.json"))
    assert written["class_name"] == original["class_name"]
    names = lambda config: [e.get("name", e["config"].get("name")) for e in config["config"]["layers"]
                            if not e["module"].startswith("keras.src.ops")]  # a mask's op is made again by Keras
    assert names(written) == names(original)  # Keras's order of layers, which its weights file counts in


def test_weights_files_go_both_ways(tmp_path):
    keras.utils.set_random_seed(4)
    keras_model, x = custom_layer()
    keras_model.save(tmp_path / "model.keras")
    keras_model.save_weights(tmp_path / "keras.weights.h5")
    model = ks.models.load_model(tmp_path / "model.keras", compile=False)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(tmp_path / "keras.weights.h5")
    assert_same(model.predict(x, verbose=0), keras_predict(keras_model, x))
    model.set_weights([w + 1.0 for w in model.get_weights()])
    model.save_weights(tmp_path / "kerasish.weights.h5")
    keras_model.load_weights(tmp_path / "kerasish.weights.h5")
    assert_same(keras_predict(keras_model, x), model.predict(x, verbose=0))


def test_the_suffix_picks_the_format_for_save_load_model_and_model_checkpoint(tmp_path):
    x, y = RNG.random((8, 3)).astype("float32"), RNG.random((8, 2)).astype("float32")
    model = ks.Sequential([ks.Input((3,)), L.Dense(4, activation="relu"), L.Dense(2)])
    model.compile("sgd", "mse")
    checkpoints = [ks.callbacks.ModelCheckpoint(tmp_path / "best.keras"),
                   ks.callbacks.ModelCheckpoint(tmp_path / "best.weights.h5", save_weights_only=True)]
    model.fit(x, y, epochs=2, verbose=0, callbacks=checkpoints)
    model.save(tmp_path / "model.keras")
    model.save(tmp_path / "model.kerasish")
    expected = model.predict(x, verbose=0)
    assert_same(keras_predict(keras.saving.load_model(tmp_path / "best.keras"), x), expected)
    assert_same(keras_predict(keras.saving.load_model(tmp_path / "model.keras"), x), expected)
    assert_same(ks.models.load_model(tmp_path / "model.keras").predict(x, verbose=0), expected)
    assert_same(ks.models.load_model(tmp_path / "model.kerasish").predict(x, verbose=0), expected)
    keras_twin = keras.saving.load_model(tmp_path / "model.keras")
    keras_twin.set_weights([np.zeros_like(w) for w in keras_twin.get_weights()])
    keras_twin.load_weights(tmp_path / "best.weights.h5")
    assert_same(keras_predict(keras_twin, x), expected)
    assert zipfile.is_zipfile(tmp_path / "model.keras") and not zipfile.is_zipfile(tmp_path / "model.kerasish")


def test_a_subclassed_registered_model_goes_both_ways(tmp_path):
    model = ks.Sequential([ks.Input((3,)), Scale(0.5, name="scale"), L.Dense(2)])
    x = RNG.random((4, 3)).astype("float32")
    keras_file.save_model(model, tmp_path / "model.keras")
    keras_model = keras.saving.load_model(tmp_path / "model.keras")
    assert isinstance(keras_model.layers[0], KerasScale) and keras_model.layers[0].factor == 0.5
    assert_same(keras_predict(keras_model, x), model.predict(x, verbose=0))


def test_kerasish_ops_in_a_functional_model_load_in_keras(tmp_path):
    x = ks.Input((4,))
    y = ks.ops.relu(x) * 2 + x[:, :1]
    z = ks.ops.sum(L.Dense(3)(y), axis=-1, keepdims=True)
    model = ks.Model(x, [y, ks.ops.cast(z, "float16")])  # cast: a constant Keras takes in its constructor
    model.save(tmp_path / "ops.keras")
    data = RNG.random((3, 4)).astype("float32")
    keras_outputs = keras_predict(keras.saving.load_model(tmp_path / "ops.keras"), data)
    assert keras_outputs[1].dtype == np.float16
    assert_same(keras_outputs, model.predict(data, verbose=0), rtol=1e-3)


# -- a custom layer whose config leaves out its name, a registered activation (keras.io's serialization guide) ------

@keras.saving.register_keras_serializable(package="interop_test", name="cube")
def keras_cube(x):
    return x ** 3


@ks.saving.register_serializable(package="interop_test", name="cube")
def cube(x):
    return x ** 3


@keras.saving.register_keras_serializable(package="interop_test", name="Halve")
class KerasHalve(keras.layers.Layer):
    def call(self, x):
        return x * 0.5

    def get_config(self):
        return {}  # no name: the file's functional entry still names the layer


@ks.saving.register_serializable(package="interop_test", name="Halve")
class Halve(ks.layers.Layer):
    def call(self, x):
        return x * 0.5

    def get_config(self):
        return {}


def test_a_nameless_custom_layer_and_a_registered_activation_go_both_ways(tmp_path):
    x = RNG.random((4, 3)).astype("float32")
    inputs = ks.Input((3,))
    model = ks.Model(inputs, L.Dense(2, activation=cube)(Halve()(inputs)))
    Halve()  # the next auto name is taken: loading must find the layer by the file's name
    model.save(tmp_path / "ours.keras")
    entry = json.loads(zipfile.ZipFile(tmp_path / "ours.keras").read("config.json"))["config"]["layers"][2]
    assert entry["config"]["activation"] == keras.layers.Dense(2, activation=keras_cube).get_config()["activation"]
    assert_same(ks.models.load_model(tmp_path / "ours.keras").predict(x, verbose=0), model.predict(x, verbose=0))
    keras_model = keras.models.load_model(tmp_path / "ours.keras")
    assert_same(keras_predict(keras_model, x), model.predict(x, verbose=0))

    keras_model.save(tmp_path / "theirs.keras")
    loaded = ks.models.load_model(tmp_path / "theirs.keras")
    assert loaded.layers[2].activation is cube
    assert_same(loaded.predict(x, verbose=0), keras_predict(keras_model, x))


class KerasAliased(keras.layers.Layer):
    """One Dense held by a public and by a private attribute: Keras visits private attributes last, so it stores
    the Dense once, under the public name."""

    def build(self, input_shape):
        self.head = keras.layers.Dense(2)
        self.head.build(input_shape)
        self._alias = self.head

    def call(self, x):
        return self.head(x)


keras.saving.register_keras_serializable(package="interop_test", name="KerasAliased")(KerasAliased)


@ks.saving.register_serializable(package="interop_test", name="KerasAliased")
class Aliased(ks.layers.Layer):
    def build(self, input_shape):
        self.head = L.Dense(2)
        self.head.build_for(input_shape)
        self._alias = self.head

    def call(self, x):
        return self.head(x)


def test_a_sublayer_held_twice_is_stored_under_its_public_attribute_as_keras_does(tmp_path):
    """A `.keras` file written by kerasish loads in Keras 3 with the same predictions, and a weights file written by
    Keras 3 (the Dense under `head` only) loads here with Keras's predictions."""
    x = RNG.random((4, 3)).astype("float32")
    model = ks.Sequential([ks.Input((3,)), Aliased(name="aliased")])
    keras_file.save_model(model, tmp_path / "ours.keras")
    assert_same(keras_predict(keras.saving.load_model(tmp_path / "ours.keras"), x), model.predict(x, verbose=0))
    theirs = keras.Sequential([keras.Input((3,)), KerasAliased(name="aliased")])
    theirs.save_weights(tmp_path / "theirs.weights.h5")
    model.load_weights(tmp_path / "theirs.weights.h5")
    assert_same(model.predict(x, verbose=0), keras_predict(theirs, x))


@pytest.mark.xfail(strict=True, reason="kerasish gap found by the mutation probe (tests/README.md): Keras 3 writes its "
                                       "base Layer config keys `autocast` and `activity_regularizer` into a custom "
                                       "layer's config, and kerasish's Layer.__init__ does not take `autocast`")
def test_a_keras_file_of_a_custom_layer_holding_a_sublayer_twice_loads_here(tmp_path):
    x = RNG.random((4, 3)).astype("float32")
    theirs = keras.Sequential([keras.Input((3,)), KerasAliased(name="aliased")])
    theirs.save(tmp_path / "theirs.keras")
    assert_same(ks.models.load_model(tmp_path / "theirs.keras").predict(x, verbose=0), keras_predict(theirs, x))
