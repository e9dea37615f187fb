"""kerasish.losses against keras.losses (JAX backend): every class, logits and probabilities, label
smoothing, sample weights, labels of rank 1 and 2, every reduction; under jit and grad."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import losses

N, C = 6, 4
RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(N, C)).astype(np.float32)
PROBS = np.asarray(jax.nn.softmax(LOGITS))
UNNORMALIZED = (PROBS * 3.0).astype(np.float32)  # Keras renormalizes categorical probabilities
SATURATED = np.array([[1.0, 0.0, 0.0, 0.0]] * N, np.float32)  # needs the clip to [1e-7, 1 - 1e-7]
LABELS = RNG.integers(0, C, N).astype(np.int32)
ONE_HOT = np.eye(C, dtype=np.float32)[LABELS]
REG_PRED = RNG.normal(size=(N, 1)).astype(np.float32) * 2
REG_TRUE = RNG.normal(size=(N,)).astype(np.float32)
BIN_LOGIT = RNG.normal(size=(N, 1)).astype(np.float32) * 2
BIN_TRUE = RNG.integers(0, 2, N).astype(np.float32)
WEIGHTS = RNG.uniform(0, 2, N).astype(np.float32)
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]


def sigmoid(x):
    return np.asarray(jax.nn.sigmoid(x))


# (our class, Keras class, constructor kwargs, y_true, y_pred)
CASES = [
    ("MeanSquaredError", {}, REG_TRUE, REG_PRED),  # (N,) against (N, 1): expanded
    ("MeanSquaredError", {}, REG_TRUE[:, None], REG_PRED),
    ("MeanSquaredError", {}, LOGITS, PROBS),
    ("MeanAbsoluteError", {}, REG_TRUE, REG_PRED),
    ("MeanAbsoluteError", {}, LOGITS, PROBS),
    ("Huber", {}, REG_TRUE, REG_PRED),
    ("Huber", {"delta": 0.5}, LOGITS, PROBS * 4),
    ("BinaryCrossentropy", {}, BIN_TRUE, sigmoid(BIN_LOGIT)),
    ("BinaryCrossentropy", {}, BIN_TRUE[:, None], sigmoid(BIN_LOGIT)),
    ("BinaryCrossentropy", {"from_logits": True}, BIN_TRUE, BIN_LOGIT),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, BIN_TRUE, BIN_LOGIT),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, ONE_HOT, PROBS),  # multi-label
    ("BinaryCrossentropy", {}, ONE_HOT, SATURATED),
    ("BinaryCrossentropy", {"axis": 0}, ONE_HOT, PROBS),
    ("CategoricalCrossentropy", {}, ONE_HOT, PROBS),
    ("CategoricalCrossentropy", {}, ONE_HOT, UNNORMALIZED),
    ("CategoricalCrossentropy", {}, ONE_HOT, SATURATED),
    ("CategoricalCrossentropy", {"from_logits": True}, ONE_HOT, LOGITS),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, ONE_HOT, PROBS),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.3}, ONE_HOT, LOGITS),
    ("CategoricalCrossentropy", {"axis": 0}, ONE_HOT, PROBS),
    ("SparseCategoricalCrossentropy", {}, LABELS, PROBS),
    ("SparseCategoricalCrossentropy", {}, LABELS[:, None], UNNORMALIZED),
    ("SparseCategoricalCrossentropy", {}, LABELS, SATURATED),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, LOGITS),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS[:, None], LOGITS),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS.reshape(2, 3), LOGITS.reshape(2, 3, C)),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, LABELS, PROBS),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, LABELS[:, None], LOGITS),
]
IDS = [f"{name}-{kwargs}-{np.shape(t)}-{np.shape(p)}" for name, kwargs, t, p in CASES]


def both(name, kwargs, reduction="sum_over_batch_size"):
    return getattr(losses, name)(reduction=reduction, **kwargs), getattr(keras.losses, name)(
        reduction=reduction, **kwargs
    )


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", CASES, ids=IDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(name, kwargs, y_true, y_pred, weighted):
    batch = y_pred.shape[:-1] if kwargs.get("axis") != 0 else y_pred.shape[1:]
    sample_weight = WEIGHTS[: int(np.prod(batch))].reshape(batch) if weighted else None
    for reduction in REDUCTIONS:
        ours, theirs = both(name, kwargs, reduction)
        expected = np.asarray(theirs(y_true, y_pred, sample_weight=sample_weight))
        got = np.asarray(ours(y_true, y_pred, sample_weight=sample_weight))
        assert got.shape == expected.shape, reduction
        np.testing.assert_allclose(got, expected, rtol=2e-6, atol=1e-7, err_msg=reduction)


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", [CASES[0], CASES[8], CASES[22]], ids=[IDS[0], IDS[8], IDS[22]])
def test_column_weights_match_keras(name, kwargs, y_true, y_pred):
    """Weights of shape (N, 1) against per-sample losses (N,) are reconciled like the labels."""
    for reduction in REDUCTIONS:
        ours, theirs = both(name, kwargs, reduction)
        expected = np.asarray(theirs(y_true, y_pred, sample_weight=WEIGHTS[:, None]))
        got = np.asarray(ours(y_true, y_pred, sample_weight=WEIGHTS[:, None]))
        assert got.shape == expected.shape, reduction
        np.testing.assert_allclose(got, expected, rtol=2e-6, atol=1e-7, err_msg=reduction)


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", CASES[::3], ids=IDS[::3])
def test_jit_and_grad(name, kwargs, y_true, y_pred):
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


def test_functions_return_per_sample_values():
    assert losses.mean_squared_error(REG_TRUE, REG_PRED).shape == (N,)
    assert losses.sparse_categorical_crossentropy(LABELS, LOGITS, from_logits=True).shape == (N,)
    np.testing.assert_allclose(
        losses.categorical_crossentropy(ONE_HOT, PROBS),
        keras.losses.categorical_crossentropy(ONE_HOT, PROBS),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        losses.huber(LOGITS, PROBS, delta=0.3), keras.losses.huber(LOGITS, PROBS, delta=0.3), rtol=1e-6
    )


def test_ignore_class_averages_over_kept_samples():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=LABELS[0])
    kept = LABELS != LABELS[0]
    expected = losses.sparse_categorical_crossentropy(LABELS[kept], LOGITS[kept], from_logits=True).mean()
    np.testing.assert_allclose(loss(LABELS, LOGITS), expected, rtol=1e-6)
    grad = jax.grad(lambda p: losses.SparseCategoricalCrossentropy(ignore_class=1)(LABELS, p))(jnp.asarray(PROBS))
    assert bool(jnp.all(jnp.isfinite(grad)))


def test_sum_over_batch_size_divides_by_element_count_not_weights():
    loss = losses.MeanAbsoluteError()
    assert float(loss(jnp.zeros(4), jnp.ones((4, 1)), sample_weight=jnp.array([1.0, 1.0, 0.0, 0.0]))) == 0.5
    weighted = losses.MeanAbsoluteError(reduction="mean_with_sample_weight")
    assert float(weighted(jnp.zeros(4), jnp.ones((4, 1)), sample_weight=jnp.array([1.0, 1.0, 0.0, 0.0]))) == 1.0


def test_get():
    for name, cls in [("mse", "MeanSquaredError"), ("mae", "MeanAbsoluteError"), ("huber", "Huber"),
                      ("binary_crossentropy", "BinaryCrossentropy"), ("Huber", "Huber"),
                      ("categorical_crossentropy", "CategoricalCrossentropy"),
                      ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy")]:  # fmt: skip
        assert type(losses.get(name)).__name__ == cls
    loss = losses.Huber(delta=2.0)
    assert losses.get(loss) is loss


def test_get_wraps_plain_functions_with_the_same_reduction():
    def squared(y_true, y_pred):
        return (y_true - y_pred) ** 2

    loss = losses.get(squared)
    assert isinstance(loss, losses.LossFunctionWrapper) and loss.name == "squared"
    np.testing.assert_allclose(
        loss(REG_TRUE, REG_PRED, WEIGHTS), losses.MeanSquaredError()(REG_TRUE, REG_PRED, WEIGHTS)
    )


def test_get_config_round_trip():
    for loss in [
        losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        losses.Huber(0.5, "sum"),
        losses.SparseCategoricalCrossentropy(ignore_class=0),
        losses.MeanSquaredError(reduction="none"),
    ]:
        config = loss.get_config()
        assert type(loss)(**config).get_config() == config
    assert losses.CategoricalCrossentropy(axis=0).get_config()["axis"] == 0


def test_errors():
    with pytest.raises(ValueError, match=r"Unknown loss 'msee'\. Expected one of \[.*'mse'"):
        losses.get("msee")
    with pytest.raises(TypeError, match="Argument `identifier` must be a loss name.*received 3 of type int"):
        losses.get(3)
    with pytest.raises(ValueError, match=r"Argument `reduction` must be one of .*received reduction='avg'"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match=r"`label_smoothing` must be in \[0, 1\], received label_smoothing=1.5"):
        losses.CategoricalCrossentropy(label_smoothing=1.5)
    with pytest.raises(ValueError, match="Argument `delta` of Huber must be positive, received delta=0"):
        losses.Huber(delta=0)
    with pytest.raises(ValueError, match=r"same shape, received y_true.shape=\(6,\), y_pred.shape=\(6, 4\)"):
        losses.CategoricalCrossentropy()(LABELS, PROBS)
    with pytest.raises(ValueError, match=r"up to the class axis, received y_true.shape=\(3,\)"):
        losses.SparseCategoricalCrossentropy()(LABELS[:3], PROBS)
