"""`Engine.fresh_copy` (kerasish/training/engine.py): a fit's first state, copied and with zeroed accumulators in one
compiled call; the copy must be fresh buffers (the dispatches take them over) where the source was."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import kerasish as ks


def compiled_model():
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(np.ones((8, 3), np.float32), np.zeros(8, np.int32), epochs=1, verbose=0)
    return model


def test_fresh_copy_gives_new_buffers_of_the_same_values_and_zeroed_accumulators():
    model = compiled_model()
    engine, live = model._training.engine, model._training.live
    state = live.pull_state()
    tree = (state["params"], state["rest"], state["opt"])
    (copy, metrics) = engine.fresh_copy(tree)
    assert jax.tree.structure(copy) == jax.tree.structure(tree)
    for old, new in zip(jax.tree.leaves(tree), jax.tree.leaves(copy)):
        assert new.unsafe_buffer_pointer() != old.unsafe_buffer_pointer()
        assert new.committed == old.committed and new.sharding == old.sharding
        np.testing.assert_array_equal(np.asarray(new), np.asarray(old))
    assert jax.tree.structure(metrics) == jax.tree.structure(engine.init_metrics())
    assert all(float(jnp.sum(leaf)) == 0.0 for leaf in jax.tree.leaves(metrics))


def test_committed_arrays_are_copied_by_the_placement_and_stay_committed():
    model = compiled_model()
    engine, live = model._training.engine, model._training.live
    state = live.pull_state()
    committed = jax.device_put(state["opt"], jax.devices()[0])
    copy, _ = engine.fresh_copy((state["params"], state["rest"], committed))
    assert all(leaf.committed for leaf in jax.tree.leaves(copy[2]))
    assert all(a.unsafe_buffer_pointer() != b.unsafe_buffer_pointer()
               for a, b in zip(jax.tree.leaves(committed), jax.tree.leaves(copy[2])))
