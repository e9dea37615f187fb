import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer, sample_input

keras = pytest.importorskip("keras")


def _adapted_pair(data, **config):
    ours, reference = ks.layers.Normalization(**config), keras.layers.Normalization(**config)
    ours.adapt(data)
    reference.adapt(data)
    return ours, reference


@pytest.mark.parametrize("shape, config", [
    ((16, 3), dict()),
    ((8, 4, 3), dict(axis=None)),
    ((8, 4, 3), dict(axis=(1, 2))),
    ((8, 4, 3), dict(axis=1, invert=True)),
])
def test_normalization_adapt_matches_keras(shape, config):
    data = sample_input(shape) * 3.0 + 1.5
    ours, reference = _adapted_pair(data, **config)
    for a, b in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    x = sample_input((2,) + shape[1:], seed=1)
    np.testing.assert_allclose(ours(x), reference(x), atol=1e-5)
    assert max(float(np.max(np.abs(np.asarray(ours(x)) - np.asarray(reference(x))))), 0.0) < 1e-5


def test_normalization_adapt_on_batches_matches_keras():
    data = sample_input((12, 3)) * 2.0
    ours, reference = ks.layers.Normalization(), keras.layers.Normalization()
    ours.adapt([data[:5], data[5:]])  # batches combine exactly (keras needs tensorflow for iterables)
    reference.adapt(data)
    for a, b in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("config", [dict(mean=2.0, variance=4.0), dict(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 0.0]),
                                    dict(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0], invert=True)])
def test_normalization_given_statistics_match_keras(config):
    x = sample_input((2, 4, 3))
    ours, reference = ks.layers.Normalization(**config), keras.layers.Normalization(**config)
    np.testing.assert_allclose(ours(x), reference(x), rtol=1e-6, atol=1e-5)
    assert ours.get_weights() == []
    assert ours.get_config()["mean"] == reference.get_config()["mean"]


def test_normalization_contract(seeded):
    layer = ks.layers.Normalization()
    layer.adapt(sample_input((8, 5, 2)))
    assert [w.shape for w in layer.get_weights()] == [(2,), (2,), ()]
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 3
    check_layer(layer, (4, 5, 2), (None, 5, 2))


def test_normalization_in_a_model_normalizes_features():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(64, 3)) * [1.0, 10.0, 100.0] + [5.0, -3.0, 50.0]).astype(np.float32)
    norm = ks.layers.Normalization()
    norm.adapt(x)
    out = np.asarray(ks.Sequential([ks.Input((3,)), norm])(x))
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=1e-4)
    assert ks.layers.Normalization.from_config(norm.get_config()).get_config() == norm.get_config()


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.Normalization(mean=1.0), ValueError, r"needs both `mean` and `variance`"),
    (lambda: ks.layers.Normalization(mean=[1.0], variance=[1.0, 2.0]), ValueError, r"must have the same shape"),
    (lambda: ks.layers.Normalization(axis="x"), ValueError, r"`axis` of Normalization must be an int"),
    (lambda: ks.layers.Normalization(axis=0).adapt(np.ones((4, 2))), ValueError, r"cannot keep statistics per batch"),
    (lambda: ks.layers.Normalization(mean=0.0, variance=1.0).adapt(np.ones((4, 2))), ValueError,
     r"cannot also adapt"),
])
def test_normalization_rejects_bad_config(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_normalization_rejects_mismatched_data():
    layer = ks.layers.Normalization(name="n")
    layer.adapt(np.ones((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"expected axis 1 of input shape to have value 3"):
        layer.adapt(np.ones((4, 2), np.float32))
