"""kerasish.losses' cross-entropies against keras.losses (JAX backend): logits and probabilities, label
smoothing, class axes, sample weights, labels of rank 1 and 2, every reduction; under jit and grad."""

import warnings

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import losses
from tests.losses.oracle import (
    BIN_LOGIT,
    BIN_TRUE,
    LABELS,
    LOGITS,
    MULTI_TRUE,
    ONE_HOT,
    PROBS,
    SATURATED,
    UNNORMALIZED,
    WEIGHTS,
    C,
    N,
    assert_matches_keras,
    batch_weights,
    both,
    sigmoid,
)

CASES = [
    ("BinaryCrossentropy", {}, BIN_TRUE, sigmoid(BIN_LOGIT)),
    ("BinaryCrossentropy", {}, BIN_TRUE[:, None], sigmoid(BIN_LOGIT)),
    ("BinaryCrossentropy", {"from_logits": True}, BIN_TRUE, BIN_LOGIT),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, BIN_TRUE, BIN_LOGIT),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, MULTI_TRUE, PROBS),  # multi-label
    ("BinaryCrossentropy", {}, ONE_HOT, SATURATED),
    ("BinaryCrossentropy", {"axis": 0}, ONE_HOT, PROBS),
    ("BinaryFocalCrossentropy", {}, MULTI_TRUE, PROBS),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5}, MULTI_TRUE, PROBS),
    ("BinaryFocalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, BIN_TRUE, BIN_LOGIT),
    ("CategoricalCrossentropy", {}, ONE_HOT, PROBS),
    ("CategoricalCrossentropy", {}, ONE_HOT, UNNORMALIZED),
    ("CategoricalCrossentropy", {}, ONE_HOT, SATURATED),
    ("CategoricalCrossentropy", {"from_logits": True}, ONE_HOT, LOGITS),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, ONE_HOT, PROBS),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.3}, ONE_HOT, LOGITS),
    ("CategoricalCrossentropy", {"axis": 0}, ONE_HOT, PROBS),
    ("CategoricalFocalCrossentropy", {}, ONE_HOT, PROBS),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 1.0, "label_smoothing": 0.2}, ONE_HOT, UNNORMALIZED),
    ("CategoricalFocalCrossentropy", {"from_logits": True}, ONE_HOT, LOGITS),
    ("SparseCategoricalCrossentropy", {}, LABELS, PROBS),
    ("SparseCategoricalCrossentropy", {}, LABELS[:, None], UNNORMALIZED),
    ("SparseCategoricalCrossentropy", {}, LABELS, SATURATED),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, LOGITS),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS[:, None], LOGITS),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS.reshape(2, 3), LOGITS.reshape(2, 3, C)),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, LABELS, PROBS),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, LABELS[:, None], LOGITS),
    ("CategoricalGeneralizedCrossEntropy", {}, LABELS, PROBS),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.2}, LABELS, PROBS),
]
IDS = [f"{name}-{kwargs}-{np.shape(t)}-{np.shape(p)}" for name, kwargs, t, p in CASES]


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", CASES, ids=IDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(name, kwargs, y_true, y_pred, weighted):
    weights = batch_weights(y_pred, kwargs.get("axis", -1)) if weighted else None
    assert_matches_keras(name, kwargs, y_true, y_pred, weights)


@pytest.mark.parametrize("index", [1, 20, 29])
def test_column_weights_match_keras(index):
    """Weights of shape (N, 1) against per-sample losses (N,) are reconciled like the labels."""
    name, kwargs, y_true, y_pred = CASES[index]
    assert_matches_keras(name, kwargs, y_true, y_pred, WEIGHTS[:, None])


@pytest.mark.parametrize("index", range(0, len(CASES), 4), ids=IDS[::4])
def test_functions_match_keras(index):
    name, kwargs, y_true, y_pred = CASES[index]
    fn = getattr(losses, losses.to_snake_case(name).replace("_cross_entropy", "_cross_entropy"))
    theirs = getattr(keras.losses, fn.__name__)
    reconciled = losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    if name == "CategoricalGeneralizedCrossEntropy":
        kwargs = {"q": 0.5, **kwargs}
    np.testing.assert_allclose(fn(*reconciled, **kwargs), theirs(*reconciled, **kwargs), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("index", range(0, len(CASES), 3), ids=IDS[::3])
def test_jit_and_grad(index):
    name, kwargs, y_true, y_pred = CASES[index]
    ours, _ = both(name, kwargs)
    step = jax.jit(lambda t, p, w: ours(t, p, w))
    np.testing.assert_allclose(step(y_true, y_pred, None), ours(y_true, y_pred), rtol=1e-6)
    grad = jax.grad(lambda p: ours(y_true, p))(jnp.asarray(y_pred))
    assert grad.shape == y_pred.shape and bool(jnp.all(jnp.isfinite(grad)))


def test_grad_matches_keras():
    ours, theirs = both("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1})
    g_ours = jax.grad(lambda p: ours(ONE_HOT, p, WEIGHTS))(LOGITS)
    g_keras = jax.grad(lambda p: theirs(ONE_HOT, p, WEIGHTS))(LOGITS)
    np.testing.assert_allclose(g_ours, g_keras, rtol=1e-5, atol=1e-8)


def test_ignore_class_averages_over_kept_samples_with_finite_gradients():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=int(LABELS[0]))
    kept = LABELS != LABELS[0]
    expected = keras.losses.sparse_categorical_crossentropy(LABELS[kept], LOGITS[kept], from_logits=True).mean()
    np.testing.assert_allclose(loss(LABELS, LOGITS), expected, rtol=1e-6)
    grad = jax.grad(lambda p: losses.SparseCategoricalCrossentropy(ignore_class=1)(LABELS, p))(jnp.asarray(PROBS))
    assert bool(jnp.all(jnp.isfinite(grad)))


@pytest.mark.parametrize("from_logits", [True, False])
def test_the_function_gives_ignored_entries_a_loss_of_zero_as_keras(from_logits):
    """The function form has no reduction to leave ignored entries out of: their per-sample loss is 0."""
    y_pred, ignored = (LOGITS if from_logits else PROBS), int(LABELS[0])
    got = losses.sparse_categorical_crossentropy(LABELS, y_pred, from_logits=from_logits, ignore_class=ignored)
    expected = keras.losses.sparse_categorical_crossentropy(LABELS, y_pred, from_logits=from_logits,
                                                            ignore_class=ignored)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert not np.asarray(got)[LABELS == ignored].any()


def test_sparse_class_axis_moves_to_the_end():
    """`axis` names the class axis of (N, C, H) scores; Keras 3.15's JAX backend only accepts it when C == H."""
    scores = np.moveaxis(LOGITS.reshape(2, 3, C), -1, 1)  # (2, C, 3)
    labels = LABELS.reshape(2, 3)
    ours = losses.SparseCategoricalCrossentropy(from_logits=True, axis=1)(labels, scores)
    expected = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, np.moveaxis(scores, 1, -1))
    np.testing.assert_allclose(ours, expected, rtol=2e-6)


def test_label_smoothing_counts_the_classes_on_the_class_axis():
    """With `axis=1`, smoothing spreads over the classes of axis 1 (as Keras 3.16 corrected it), not the last."""
    y_true = np.moveaxis(ONE_HOT.reshape(2, 3, C), -1, 1)
    y_pred = np.moveaxis(PROBS.reshape(2, 3, C), -1, 1)
    ours = losses.CategoricalCrossentropy(label_smoothing=0.2, axis=1)(y_true, y_pred)
    expected = keras.losses.CategoricalCrossentropy(label_smoothing=0.2)(np.moveaxis(y_true, 1, -1),
                                                                         np.moveaxis(y_pred, 1, -1))
    np.testing.assert_allclose(ours, expected, rtol=2e-6)


def test_one_class_warns_as_keras_does():
    with pytest.warns(SyntaxWarning, match=r"expected y_pred.shape to be \(batch_size, num_classes\)"):
        losses.categorical_crossentropy(np.ones((2, 1)), np.ones((2, 1)) * 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.categorical_crossentropy(np.ones((2, 4, 1)), np.ones((2, 4, 1)), axis=1)  # 4 classes on axis 1


def test_errors():
    with pytest.raises(ValueError, match=r"`y_true` and `y_pred` of binary_crossentropy must have the same shape.*"
                                         r"received y_true.shape=\(6,\), y_pred.shape=\(6, 4\)"):
        losses.BinaryCrossentropy()(BIN_TRUE, PROBS)  # Keras rejects this too; kerasish used to broadcast it
    with pytest.raises(ValueError, match=r"binary_focal_crossentropy must have the same shape"):
        losses.binary_focal_crossentropy(BIN_TRUE, PROBS)
    with pytest.raises(ValueError, match=r"categorical_crossentropy must have the same shape.*"
                                         r"received y_true.shape=\(6,\), y_pred.shape=\(6, 4\)"):
        losses.CategoricalCrossentropy()(LABELS, PROBS)
    with pytest.raises(ValueError, match=r"categorical_focal_crossentropy must have the same shape"):
        losses.categorical_focal_crossentropy(LABELS, PROBS)
    with pytest.raises(ValueError, match=r"up to the class axis, received y_true.shape=\(3,\)"):
        losses.SparseCategoricalCrossentropy()(LABELS[:3], PROBS)
    with pytest.raises(ValueError, match=r"`axis` of categorical_crossentropy must be an int, received axis=True"):
        losses.categorical_crossentropy(ONE_HOT, PROBS, axis=True)
    with pytest.raises(ValueError, match=r"`axis` of sparse_categorical_crossentropy must be in \[-2, 2\).*axis=5"):
        losses.sparse_categorical_crossentropy(LABELS, PROBS, axis=5)
    with pytest.raises(ValueError, match=r"`label_smoothing` must be a number in \[0, 1\], received "
                                         r"label_smoothing=1.5"):
        losses.CategoricalCrossentropy(label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"`q` of CategoricalGeneralizedCrossEntropy must be in the interval \(0, 1\)"
                                         r", received q=1"):
        losses.CategoricalGeneralizedCrossEntropy(q=1)
    assert N == len(LABELS)
