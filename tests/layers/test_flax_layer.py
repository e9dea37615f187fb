"""Any flax.nnx.Module inside a kerasish model, trained by fit."""

import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import kerasish as ks
from kerasish.layers.flax_layer import FlaxLayer


class Block(nnx.Module):
    """Plain NNX: Linear -> BatchNorm -> Dropout -> relu, written without kerasish."""

    def __init__(self, din, dout, rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.norm = nnx.BatchNorm(dout, rngs=rngs)
        self.drop = nnx.Dropout(0.2, rngs=rngs)

    def __call__(self, x):
        return nnx.relu(self.drop(self.norm(self.linear(x))))


def test_flax_module_trains_inside_sequential(seeded, blobs):
    x, y = blobs
    block = FlaxLayer(Block(4, 16, nnx.Rngs(0)))
    model = ks.Sequential([ks.Input((4,)), block, ks.layers.Dense(3, activation="softmax")])
    mean_before = np.asarray(block.module.norm.mean[...]).copy()
    kernel_before = np.asarray(block.module.linear.kernel[...]).copy()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    assert model.evaluate(x, y, verbose=0)[1] > 0.85
    assert not np.allclose(block.module.linear.kernel[...], kernel_before)  # trained by fit
    assert not np.allclose(block.module.norm.mean[...], mean_before)  # batch statistics updated in training
    # Inference uses the running statistics and no dropout: deterministic, and equal to a plain NNX call.
    first, second = model.predict(x, verbose=0), model.predict(x, verbose=0)
    np.testing.assert_array_equal(first, second)
    block.module.set_attributes(deterministic=True, use_running_average=True)
    hidden = block.module(jnp.asarray(x))
    np.testing.assert_allclose(first, np.asarray(model.layers[1](hidden)), rtol=1e-5, atol=1e-6)


def test_flax_layer_counts_and_weights():
    layer = FlaxLayer(nnx.Linear(3, 2, rngs=nnx.Rngs(1)), name="linear")
    model = ks.Sequential([ks.Input((3,)), layer])
    assert model.count_params() == 8 and layer.output_shape == (None, 2)
    assert sorted(w.shape for w in layer.get_weights()) == [(2,), (3, 2)]


def test_flax_layer_rejects_non_modules():
    with pytest.raises(TypeError, match="`module` of FlaxLayer must be a flax.nnx.Module"):
        FlaxLayer(lambda x: x)
