"""`SplitCache` (kerasish/training/split_cache.py): the model's split kept between calls, and the snapshot that tells
when the structure changed. Values are compared with what `nnx.split` / `nnx.graphdef` / `nnx.update` give."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import kerasish as ks
import kerasish.training.engine as engine_module
from kerasish.training.engine import split_model
from kerasish.training.split_cache import SplitCache


def model_with_frozen_layer():
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(4, activation="relu"), ks.layers.Dropout(0.1),
                           ks.layers.Dense(2)])
    model.layers[0].trainable = False
    return model


def same_split(cache: SplitCache, model) -> None:
    _, params, rest = nnx.split(model, cache.keep, ...)
    got = cache.states()
    assert jax.tree.structure(got) == jax.tree.structure((params, rest))
    assert all(a is b for a, b in zip(jax.tree.leaves(got), jax.tree.leaves((params, rest))))


def test_states_are_nnx_split_of_the_model():
    model = model_with_frozen_layer()
    cache = SplitCache(model, split_model(model)[3])
    assert cache.unchanged()
    same_split(cache, model)
    assert cache.graphdef == nnx.graphdef(model)
    trainable = [a.shape for a in jax.tree.leaves(cache.states()[0])]
    assert trainable == [(2,), (4, 2)]  # the frozen layer's weights are in the second state


@pytest.mark.parametrize("change", ["static attribute", "trainable", "new variable", "metadata", "added layer"])
def test_a_structural_change_is_seen(change):
    model = model_with_frozen_layer()
    cache = SplitCache(model, split_model(model)[3])
    dense = model.layers[2]
    before = nnx.graphdef(model)
    if change == "static attribute":
        model.layers[1].rate = 0.5
    elif change == "trainable":
        dense.trainable = False
    elif change == "new variable":
        dense.kernel = nnx.Param(jnp.zeros((4, 2)))
    elif change == "metadata":
        dense.kernel.set_metadata("note", "changed")
    else:
        model.add(ks.layers.Dense(1))
    assert not cache.unchanged()
    if nnx.graphdef(model) != before:  # a changed graph: the engine's check says so
        assert nnx.graphdef(model) != cache.graphdef
    same_split(cache, model)  # the states still follow the model (read afresh)


def test_an_equal_rebinding_costs_one_full_check_then_the_snapshot_is_new():
    model = model_with_frozen_layer()
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32)
    model.fit(x, y, epochs=1, verbose=0)
    engine = model._training.engine
    rate = model.layers[1].rate
    model.layers[1].rate = float(repr(rate))  # a new float object, the same value
    assert model.layers[1].rate is not rate
    assert not engine.split.unchanged()
    assert engine.matches(model)  # the same graph definition: the engine stays, the snapshot is refreshed
    assert engine.split.unchanged()
    model.fit(x, y, epochs=1, verbose=0)
    assert model._training.engine is engine


def test_fit_evaluate_predict_leave_the_snapshot_valid(monkeypatch):
    model = model_with_frozen_layer()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x, y = np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32)
    model.fit(x, y, epochs=1, verbose=0)
    engine = model._training.engine

    def walked(*args, **kwargs):
        raise AssertionError("the graph was walked")

    monkeypatch.setattr(engine_module.nnx, "graphdef", walked)
    model.fit(x, y, epochs=2, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert model._training.engine is engine and engine.split.unchanged()


def numbers(model) -> list[np.ndarray]:
    """Every value the model holds, random keys as their key data."""
    return [np.asarray(jax.random.key_data(a) if jnp.issubdtype(a.dtype, jax.dtypes.prng_key) else a)
            for a in jax.tree.leaves(nnx.state(model))]


def test_write_is_nnx_update():
    model = model_with_frozen_layer()
    cache = SplitCache(model, split_model(model)[3])
    params, rest = cache.states()
    new = jax.tree.map(lambda a: a + 1 if jnp.issubdtype(a.dtype, jnp.floating) else a, (params, rest))
    twin = model_with_frozen_layer()
    nnx.update(twin, *new)
    cache.write(*new)
    assert cache.unchanged()
    for ours, theirs in zip(numbers(model), numbers(twin)):
        np.testing.assert_array_equal(ours, theirs)


def test_write_of_another_structure_falls_back_to_nnx_update():
    model = model_with_frozen_layer()
    cache = SplitCache(model, split_model(model)[3])
    _, weights, others = nnx.split(model, nnx.Param, ...)  # every weight in the first state: another structure
    doubled = jax.tree.map(lambda a: a * 2, weights)
    cache.write(doubled, others)
    np.testing.assert_array_equal(model.layers[0].kernel[...], doubled["layers"][0]["kernel"][...])
    np.testing.assert_array_equal(model.layers[2].kernel[...], doubled["layers"][2]["kernel"][...])


def test_an_attribute_renamed_with_the_same_object_is_a_structural_change():
    """Renaming a binding keeps the same objects in the same order; only the names differ, and `nnx.graphdef`
    (the reference) says the graph is another one: the snapshot must see it too."""
    model = model_with_frozen_layer()
    dense = model.layers[2]
    dense.note = "kept"  # the last binding of the layer, so the renamed one takes its place
    cache = SplitCache(model, split_model(model)[3])
    before = nnx.graphdef(model)
    vars(dense)["renamed"] = vars(dense).pop("note")
    assert nnx.graphdef(model) != before
    assert not cache.unchanged()
    same_split(cache, model)
