"""The shared protocol of the image layers: seed streams in compiled steps, training vs inference, dict inputs,
`layer.backend`, and the errors."""

import os

import jax
import numpy as np
import pytest
from flax import nnx

import kerasish as ks
from kerasish.layers.image_preprocessing.base import SeedGenerator

keras = pytest.importorskip("keras")

IMAGES = np.random.default_rng(3).uniform(0, 1, (8, 6, 7, 3)).astype("float32")


def augmenting_model(seed=None):
    return ks.Sequential([ks.Input((6, 7, 3)), ks.layers.RandomFlip(seed=seed), ks.layers.RandomRotation(0.1),
                          ks.layers.RandomContrast(0.2, value_range=(0, 1)), ks.layers.Flatten(),
                          ks.layers.Dense(2)])


def test_seed_generator_counts_like_keras():
    generator, keras_generator = SeedGenerator(9), keras.random.SeedGenerator(9)
    for _ in range(3):
        np.testing.assert_array_equal(generator.next(), keras_generator.next())
    assert generator.state.dtype == np.uint32


def test_fit_draws_inside_the_compiled_step_and_predict_is_the_identity(seeded):
    model = augmenting_model(seed=1)
    model.compile("sgd", "sparse_categorical_crossentropy")
    flip = model.layers[0]
    history = model.fit(IMAGES, np.arange(8) % 2, batch_size=2, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    np.testing.assert_array_equal(flip.generator.state[...], [1, 8])  # 4 steps x 2 epochs: one draw each
    assert not flip.weights and flip.trainable_weights == []  # the seed state is not a weight, as in Keras
    plain = ks.Sequential([ks.Input((6, 7, 3)), ks.layers.Flatten(), ks.layers.Dense(2)])
    plain.build((None, 6, 7, 3))
    plain.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(IMAGES, verbose=0), plain.predict(IMAGES, verbose=0), rtol=1e-5,
                               atol=1e-6)


def test_the_global_seed_makes_unseeded_layers_repeat():
    ks.utils.set_random_seed(5)
    first = np.asarray(ks.layers.RandomRotation(0.3)(IMAGES))
    ks.utils.set_random_seed(5)
    again = np.asarray(ks.layers.RandomRotation(0.3)(IMAGES))
    np.testing.assert_array_equal(first, again)
    layer = ks.layers.RandomRotation(0.3)
    assert not np.array_equal(np.asarray(layer(IMAGES)), np.asarray(layer(IMAGES)))  # each call draws anew


def test_the_seed_state_is_saved_with_the_model(tmp_path, seeded):
    model = augmenting_model(seed=3)
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(IMAGES, np.arange(8) % 2, batch_size=4, epochs=1, verbose=0)
    path = os.path.join(tmp_path, "augment.kerasish")
    model.save(path)
    loaded = ks.models.load_model(path)
    np.testing.assert_array_equal(loaded.layers[0].generator.state[...], model.layers[0].generator.state[...])
    np.testing.assert_array_equal(loaded.layers[0](IMAGES), model.layers[0](IMAGES))


def test_a_direct_call_augments_by_default_as_in_keras():
    layer = ks.layers.RandomFlip(seed=0)
    flipped = np.asarray(layer(IMAGES))
    assert not np.array_equal(flipped, IMAGES)
    np.testing.assert_array_equal(layer(IMAGES, training=False), IMAGES)


def test_draws_under_jit_follow_the_generator_state():
    layer = ks.layers.RandomFlip(seed=2)
    graphdef, state = nnx.split(layer)

    @jax.jit
    def step(state, x):
        merged = nnx.merge(graphdef, state)
        y = merged(x)
        return nnx.split(merged)[1], y

    state, first = step(state, IMAGES)
    state, second = step(state, IMAGES)
    eager = ks.layers.RandomFlip(seed=2)
    np.testing.assert_array_equal(first, eager(IMAGES))
    np.testing.assert_array_equal(second, eager(IMAGES))


def test_dict_inputs_and_layer_backend():
    out = ks.layers.RandomRotation(0.2, seed=1)({"images": IMAGES[0], "segmentation_masks": np.ones((6, 7, 1))})
    assert out["images"].shape == (6, 7, 3) and out["segmentation_masks"].shape == (6, 7, 1)
    layer = ks.layers.RandomBrightness(0.2)
    assert layer.backend.numpy.ones((2,)).shape == (2,) and layer.backend.shape(IMAGES) == IMAGES.shape
    draw = layer.backend.random.uniform((3,), seed=keras.random.SeedGenerator(4).next().tolist()[0])
    np.testing.assert_array_equal(draw, keras.random.uniform((3,), seed=4))


def test_errors():
    with pytest.raises(ValueError, match=r"Expected image tensor to have rank 3 \(single image\) or 4 \(batch of "
                                         r"images\). Received: data.shape=\(2, 3, 4, 5, 6\)"):
        ks.layers.RandomFlip().call(np.ones((2, 3, 4, 5, 6)))
    with pytest.raises(ValueError, match=r"Expected the input image to be rank 3 or 4. Received: "
                                         r"inputs.shape=\((None|10), 10\) \(layer 'flip'"):
        ks.layers.RandomFlip(name="flip")(np.ones((10, 10)))
    with pytest.raises(ValueError, match=r"Layer RandomFlip received bounding boxes: kerasish's image preprocessing "
                                         r"layers do not transform bounding boxes yet"):
        ks.layers.RandomFlip()({"images": IMAGES, "bounding_boxes": {"boxes": np.zeros((8, 1, 4))}})
    with pytest.raises(ValueError, match=r"received a dict without an 'images' entry \(keys: \['labels'\]\)"):
        ks.layers.RandomFlip(name="f")({"labels": np.zeros(3)})
    with pytest.raises(ValueError, match=r"received a dict with unknown keys \['masks'\]"):
        ks.layers.RandomFlip(name="f")({"images": IMAGES, "masks": IMAGES})
    with pytest.raises(ValueError, match=r"`seed` of RandomFlip.get_random_transformation must be None, an int, a "
                                         r"SeedGenerator or a JAX key \(or a uint32 pair\), received 'abc'"):
        ks.layers.RandomFlip().get_random_transformation(IMAGES, seed="abc")
    with pytest.raises(ValueError, match=r"Argument `seed` must be a SeedGenerator, a JAX key, a pair of uint32 or an "
                                         r"int, received 1.5"):
        ks.layers.RandomFlip().backend.random.uniform((2,), seed=1.5)
    with pytest.raises(ValueError, match=r"`seed` of SeedGenerator must be None or an int in \[0, 2\*\*32\)"):
        SeedGenerator(2**32)
