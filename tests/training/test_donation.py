"""A train dispatch takes over (donates) the buffers of the live state, and nothing else: the model's weights, what
callbacks hold and the metric logs stay readable, and neither Ctrl-C nor a failed dispatch loses the weights."""

import os
import signal

import jax
import numpy as np
import pytest
from flax import nnx

import kerasish as ks
from tests.conftest import mlp


@pytest.fixture
def compiled(seeded):
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  steps_per_execution=2)
    return model


def _leaves(tree):
    return [leaf for leaf in jax.tree.leaves(tree) if isinstance(leaf, jax.Array)]


def test_a_dispatch_takes_over_the_live_weights_but_not_the_models_or_the_logs(compiled, blobs):
    x, y = blobs
    compiled.fit(x, y, batch_size=16, epochs=1, verbose=0)  # an engine, and an optimizer state, exist
    live = compiled._training.live
    before = {"model": _leaves(compiled.trainable_weights), "opt": _leaves(live.opt_state)}
    seen = []

    class Watch(ks.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            state = _leaves(live.state["params"]) + _leaves(live.state["opt"])
            seen.append({"live": state, "fresh": not any(leaf.is_deleted() for leaf in state), "logs": logs,
                         "model": _leaves(self.model.trainable_weights)})

    compiled.fit(x, y, batch_size=16, epochs=2, callbacks=[Watch()], verbose=0)
    assert len(seen) == 12  # 96 samples / 16, two epochs, every batch (a batch callback)
    assert all(entry["fresh"] for entry in seen)
    assert all(leaf.is_deleted() for entry in seen[:-1] for leaf in entry["live"])  # later dispatches wrote over them
    assert not any(leaf.is_deleted() for leaf in seen[-1]["live"])  # the last state: now the model's
    assert all(np.isfinite(entry["logs"]["loss"]) for entry in seen)  # read after later dispatches: still there
    assert not any(leaf.is_deleted() for entry in seen for leaf in entry["model"])
    assert not any(leaf.is_deleted() for part in before.values() for leaf in part)
    assert all(np.isfinite(np.asarray(w)).all() for w in compiled.get_weights())


def test_weights_a_callback_keeps_or_sets_are_not_taken_over(compiled, blobs):
    x, y = blobs
    kept = []

    class KeepAndSet(ks.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            kept.append(_leaves(self.model.trainable_weights))  # the live weights' copy (`write_back`)
            if epoch == 1:
                self.model.set_weights(self.model.get_weights())

    compiled.fit(x, y, batch_size=16, epochs=3, callbacks=[KeepAndSet()], verbose=0)
    assert not any(leaf.is_deleted() for leaves in kept for leaf in leaves)
    assert not np.array_equal(np.asarray(kept[0][0]), np.asarray(kept[2][0]))  # training went on between them


def test_ctrl_c_right_after_a_dispatch_took_over_the_state_is_held_back_until_the_state_is_stored(compiled, blobs):
    """SIGINT sent after a dispatch returned and before `fit` stored its result: without the hold, the
    interrupt would leave the engine with the donated (deleted) state and the model with its pre-fit weights."""
    x, y = blobs
    compiled.fit(x, y, batch_size=16, epochs=1, verbose=0)
    initial = compiled.get_weights()
    engine = compiled._training.engine
    chunk, stored = engine.train_chunk, []

    def interrupted(state, *args):
        new = chunk(state, *args)
        stored.append(jax.device_get(new["params"]))
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # Python code after the signal: where its handler runs
            pass
        return new

    engine.train_chunk = interrupted
    try:
        with pytest.raises(KeyboardInterrupt):
            compiled.fit(x, y, batch_size=16, epochs=1, verbose=0)
    finally:
        engine.train_chunk = chunk
    assert len(stored) == 1  # interrupted after the first dispatch
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is restored
    weights = jax.tree.leaves(nnx.state(compiled, nnx.Param))  # in the order of the state's leaves
    expected = jax.tree.leaves(stored[0])
    assert len(weights) == len(expected) == 4
    assert not any(np.array_equal(w, i) for w in compiled.get_weights() for i in initial)
    for w, e in zip(weights, expected):
        np.testing.assert_array_equal(np.asarray(w), e)  # the state the dispatch computed, stored


def test_a_dispatch_failing_after_taking_over_the_state_leaves_the_weights_of_before(compiled, blobs):
    x, y = blobs
    compiled.fit(x, y, batch_size=16, epochs=1, verbose=0)
    initial = compiled.get_weights()
    engine = compiled._training.engine
    chunk = engine.train_chunk

    def failing(state, *args):
        chunk(state, *args)  # takes over `state`'s buffers
        raise RuntimeError("a device error")

    engine.train_chunk = failing
    try:
        with pytest.raises(RuntimeError, match="a device error"):
            compiled.fit(x, y, batch_size=16, epochs=1, verbose=0)
    finally:
        engine.train_chunk = chunk
    for w, i in zip(compiled.get_weights(), initial):
        np.testing.assert_array_equal(w, i)
    history = compiled.fit(x, y, batch_size=16, epochs=1, verbose=0)  # and the model trains on
    assert np.isfinite(history.history["loss"][0])
