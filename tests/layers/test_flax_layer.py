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


# -- saving: a FlaxLayer is rebuilt by a registered module factory, never by code from the file -------------------

@ks.saving.register_serializable(package="tests")
def make_block(din, dout, rngs):
    return Block(din, dout, rngs)


def test_flax_layer_saves_loads_and_keeps_training(seeded, blobs, tmp_path):
    x, y = blobs
    model = ks.Sequential([ks.Input((4,)), FlaxLayer(module_factory=make_block, factory_kwargs={"din": 4, "dout": 8}),
                           ks.layers.Dense(3, activation="softmax")])
    assert model.layers[0].get_config()["module_factory"] == "tests>make_block"
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    path = tmp_path / "block.kerasish"
    model.save(path)
    loaded = ks.saving.load_model(path)
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))  # eager: no extra compile
    # Same weights, batch statistics, dropout stream and optimizer state: training continues identically.
    expected = model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    got = loaded.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_flax_layer_that_cannot_be_saved_says_how(tmp_path):
    from kerasish.layers.flax_layer import module_factory as get_factory

    model = ks.Sequential([ks.Input((3,)), FlaxLayer(nnx.Linear(3, 2, rngs=nnx.Rngs(0)), name="lin")])
    with pytest.raises(ValueError, match=r"FlaxLayer 'lin' wraps a Linear object.*module_factory=make_module.*"
                                         r"register_serializable"):
        model.save(tmp_path / "a.kerasish")
    unregistered = FlaxLayer(module_factory=nnx.Linear, factory_kwargs={"in_features": 3, "out_features": 2})
    with pytest.raises(ValueError, match="was made by module_factory .*Linear.*which is not registered"):
        unregistered.get_config()
    with pytest.raises(ValueError, match="names module factory 'evil>os.system', which is not registered"):
        get_factory("evil>os.system")
    with pytest.raises(TypeError, match="`factory_kwargs` of FlaxLayer must hold JSON values"):
        FlaxLayer(module_factory=make_block, factory_kwargs={"din": 3, "dout": object()})
    with pytest.raises(ValueError, match="either `module` or `module_factory`, not both"):
        FlaxLayer(nnx.Linear(3, 2, rngs=nnx.Rngs(0)), module_factory=make_block)
    with pytest.raises(TypeError, match="must return a flax.nnx.Module"):
        FlaxLayer(module_factory=lambda: 3)
