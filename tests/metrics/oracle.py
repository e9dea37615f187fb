"""The Keras-oracle check of the metric tests: a kerasish metric and Keras 3's, built with the same arguments and
fed the same batches, give the same result, through both faces of the kerasish metric (the stateful
`update_state` / `result`, and the stateless methods compiled with `jax.jit`), and have the same config."""

import re
import warnings

import jax
import keras
import numpy as np

from kerasish import metrics

N, C = 8, 4
RNG = np.random.default_rng(0)


def labels(n=N, classes=C):
    return RNG.integers(0, classes, n).astype(np.int32)


def one_hot(n=N, classes=C):
    return np.eye(classes, dtype=np.float32)[labels(n, classes)]


def probs(n=N, classes=C):
    return np.asarray(jax.nn.softmax(RNG.normal(size=(n, classes)).astype(np.float32)))


def uniform(*shape):
    return RNG.uniform(size=shape).astype(np.float32)


def normal(*shape):
    return RNG.normal(size=shape).astype(np.float32)


def binary(*shape):
    return RNG.integers(0, 2, shape).astype(np.float32)


def batches(make_true, make_pred, count=3, weights=None):
    """`count` batches `(y_true, y_pred, sample_weight)`; weights uniform in [0, 2) of shape (N,) by default."""
    make_weights = weights or (lambda: RNG.uniform(0, 2, N).astype(np.float32))
    return [(make_true(), make_pred(), make_weights()) for _ in range(count)]


def _config(config):
    return {k: (np.asarray(v).tolist() if hasattr(v, "shape") else v) for k, v in config.items()}


def assert_metric_matches_keras(name, kwargs, data, weighted, rtol=1e-5, atol=1e-6, config_extra=None):
    """Feeds the same batches to kerasish's and Keras's metric `name(**kwargs)`; results, names and configs agree.
    The stateless face is compiled for the weighted runs (its unweighted path is the same code minus a product:
    compiling it too would double the tests' time for little)."""
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    for y_true, y_pred, weight in data:
        w = weight if weighted else None
        ours.update_state(y_true, y_pred, sample_weight=w)
        with warnings.catch_warnings():  # Keras's IoU asks JAX for int64 (truncated to int32, with a warning)
            warnings.filterwarnings("ignore", message="Explicitly requested dtype int64")
            theirs.update_state(y_true, y_pred, sample_weight=w)
    expected = np.asarray(theirs.result())
    got = np.asarray(ours.result())
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
    unnumbered = lambda name: re.sub(r"_\d+$", "", name)  # noqa: E731  (auto names: each library counts its own)
    assert unnumbered(ours.name) == unnumbered(theirs.name)
    config = {**_config(theirs.get_config()), **(config_extra or {})}
    if config.get("name") != ours.name:
        config["name"] = ours.name
    assert _config(ours.get_config()) == config
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]

    if not weighted:
        ours.reset_state()
        theirs.reset_state()
        return
    pure = getattr(metrics, name)(**kwargs)  # the stateless face, compiled
    if pure.needs_build:
        pure.update_state(*data[0][:2])
        pure.reset_state()
    update = jax.jit(lambda state, t, p, w: pure.stateless_update_state(state, t, p, sample_weight=w))
    state = pure.stateless_reset_state()
    for y_true, y_pred, weight in data:
        state = update(state, y_true, y_pred, weight if weighted else None)
    np.testing.assert_allclose(np.asarray(jax.jit(pure.stateless_result)(state)), expected, rtol=rtol, atol=atol)
    assert all(np.all(v.numpy() == 0) for v in pure.variables)  # the stateless face changed nothing

    ours.reset_state()
    theirs.reset_state()
    with warnings.catch_warnings():  # an empty adjusted R2 warns, in both libraries
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(theirs.result()), rtol=rtol, atol=atol)
