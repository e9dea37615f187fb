"""Shared data and the Keras-oracle check of the loss tests: a kerasish loss and Keras 3's, built with the same
arguments, give the same values on the same random inputs (with and without sample weights, every reduction)
and the same config."""

import jax
import keras
import numpy as np

from kerasish import losses

N, C = 6, 4
RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(N, C)).astype(np.float32)
PROBS = np.asarray(jax.nn.softmax(LOGITS))
UNNORMALIZED = (PROBS * 3.0).astype(np.float32)  # Keras renormalizes categorical probabilities
SATURATED = np.array([[1.0, 0.0, 0.0, 0.0]] * N, np.float32)  # needs the clip to [eps, 1 - eps]
LABELS = RNG.integers(0, C, N).astype(np.int32)
ONE_HOT = np.eye(C, dtype=np.float32)[LABELS]
REG_PRED = RNG.normal(size=(N, 1)).astype(np.float32) * 2
REG_TRUE = RNG.normal(size=(N,)).astype(np.float32)
REG_WIDE_TRUE = RNG.normal(size=(N, C)).astype(np.float32)
POSITIVE_TRUE = RNG.uniform(0.1, 3, size=(N, C)).astype(np.float32)
POSITIVE_PRED = RNG.uniform(0.1, 3, size=(N, C)).astype(np.float32)
BIN_LOGIT = RNG.normal(size=(N, 1)).astype(np.float32) * 2
BIN_TRUE = RNG.integers(0, 2, N).astype(np.float32)
MULTI_TRUE = RNG.integers(0, 2, (N, C)).astype(np.float32)
SIGNED_TRUE = (2 * MULTI_TRUE - 1).astype(np.float32)
WEIGHTS = RNG.uniform(0, 2, N).astype(np.float32)
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight", None]


def sigmoid(x):
    return np.asarray(jax.nn.sigmoid(x))


def both(name, kwargs, reduction="sum_over_batch_size"):
    return (getattr(losses, name)(reduction=reduction, **kwargs),
            getattr(keras.losses, name)(reduction=reduction, **kwargs))


def assert_matches_keras(name, kwargs, y_true, y_pred, sample_weight=None, reductions=REDUCTIONS, rtol=2e-6,
                         atol=1e-7):
    """Every reduction of `name(**kwargs)` equals Keras's on the same inputs (shape and values)."""
    for reduction in reductions:
        ours, theirs = both(name, kwargs, reduction)
        expected = np.asarray(theirs(y_true, y_pred, sample_weight=sample_weight))
        got = np.asarray(ours(y_true, y_pred, sample_weight=sample_weight))
        assert got.shape == expected.shape, reduction
        assert got.dtype == expected.dtype, reduction
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=str(reduction))


def batch_weights(y_pred, axis=-1):
    """Random per-sample weights of the per-sample losses' shape (`y_pred`'s shape without `axis`)."""
    shape = tuple(d for i, d in enumerate(np.shape(y_pred)) if i != axis % np.ndim(y_pred))
    return RNG.uniform(0, 2, shape).astype(np.float32)
