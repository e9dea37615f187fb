"""Discretization against Keras 3: bucketing, every output mode, and `adapt`'s learned boundaries."""

import os

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

DATA = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_bucketing_matches_keras(mode):
    for x in [np.array([[-1.0, 0.0, 0.1, 0.8, 1.2]]), np.array([0.1, 0.8]), DATA[:4]]:
        expected = keras.layers.Discretization(bin_boundaries=[0.0, 0.5, 1.0], output_mode=mode)(x)
        actual = ks.layers.Discretization(bin_boundaries=[0.0, 0.5, 1.0], output_mode=mode)(x)
        assert actual.dtype == expected.dtype and actual.shape == expected.shape
        np.testing.assert_array_equal(actual, expected)


def test_adapt_learns_keras_boundaries():
    for num_bins, epsilon, batches in [(4, 0.01, [DATA]), (5, 0.1, [DATA[:20], DATA[20:], DATA[:7]])]:
        keras_layer = keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
        for batch in batches:  # Keras's update_state / finalize_state need no TensorFlow (its adapt does)
            keras_layer.update_state(batch)
        keras_layer.finalize_state()
        layer = ks.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
        layer.adapt(batches if len(batches) > 1 else batches[0])
        np.testing.assert_allclose(layer.bin_boundaries, keras_layer.bin_boundaries, rtol=1e-6)
    generated = ks.layers.Discretization(num_bins=3)
    generated.adapt((row for row in DATA), steps=10)  # an iterable of batches, cut at `steps`
    reference = ks.layers.Discretization(num_bins=3)
    reference.adapt(list(DATA[:10]))
    assert generated.bin_boundaries == reference.bin_boundaries


def test_adapted_layer_in_a_model_saves_its_boundaries(tmp_path):
    layer = ks.layers.Discretization(num_bins=4, output_mode="one_hot")
    layer.adapt(DATA[:, 0])
    model = ks.Sequential([ks.Input((1,)), layer, ks.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(DATA[:, :1], DATA[:, 1:2], epochs=1, batch_size=16, verbose=0)
    path = os.path.join(tmp_path, "bins.kerasish")
    model.save(path)
    loaded = ks.models.load_model(path)
    assert loaded.layers[0].bin_boundaries == layer.bin_boundaries
    np.testing.assert_allclose(loaded.predict(DATA[:, :1], verbose=0), model.predict(DATA[:, :1], verbose=0))


def test_errors():
    with pytest.raises(ValueError, match=r"You need to set either `num_bins` or `bin_boundaries`."):
        ks.layers.Discretization()
    with pytest.raises(ValueError, match=r"Both `num_bins` and `bin_boundaries` should not be set"):
        ks.layers.Discretization(bin_boundaries=[0.0], num_bins=2)
    with pytest.raises(ValueError, match=r"`num_bins` must be greater than or equal to 0. Received: `num_bins=-1`"):
        ks.layers.Discretization(num_bins=-1)
    with pytest.raises(ValueError, match=r"Unknown value for `output_mode`. .*Received: output_mode='tf_idf'"):
        ks.layers.Discretization(num_bins=2, output_mode="tf_idf")
    with pytest.raises(ValueError, match=r"`bin_boundaries` of Discretization must be a sorted list of numbers, "
                                         r"received \[1.0, 0.0\]"):
        ks.layers.Discretization(bin_boundaries=[1.0, 0.0])
    with pytest.raises(ValueError, match=r"`sparse=True` of Discretization needs sparse tensors"):
        ks.layers.Discretization(num_bins=2, sparse=True)
    with pytest.raises(ValueError, match=r"Cannot adapt a Discretization layer that has been initialized with "
                                         r"`bin_boundaries`"):
        ks.layers.Discretization(bin_boundaries=[0.0]).adapt(DATA)
    with pytest.raises(ValueError, match=r"You need to either pass the `bin_boundaries` argument at construction time "
                                         r"or call `adapt\(dataset\)`"):
        ks.layers.Discretization(num_bins=3)(DATA)
    with pytest.raises(ValueError, match=r"`epsilon` of Discretization must be a number in \(0.0, 1.0\]"):
        ks.layers.Discretization(num_bins=3, epsilon=0)


def test_an_adapted_layer_holds_no_variables_as_in_keras():
    """`adapt`'s quantile summary is host bookkeeping, no variable (Keras's adapt needs TensorFlow, so Keras's model
    is given the learned boundaries)."""
    layer = ks.layers.Discretization(num_bins=4)
    layer.adapt(DATA[:, 0])
    actual = ks.Sequential([ks.Input((1,)), layer, ks.layers.Dense(1)])
    reference = keras.layers.Discretization(bin_boundaries=layer.bin_boundaries)
    expected = keras.Sequential([keras.Input((1,)), reference, keras.layers.Dense(1)])
    assert len(actual.trainable_variables) == len(expected.trainable_variables)
    assert len(actual.non_trainable_variables) == len(expected.non_trainable_variables)
