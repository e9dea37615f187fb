"""A short last batch runs padded to the full batch size, in the full batches' program.

Its extra rows (index -1) are masked out of the loss, the gradients and the metrics, so the results are
those of running it unpadded in a program of its own (the reference here, forced by `unpadded()`), and
those a NumPy computation over the real rows gives.
"""

import contextlib

import numpy as np
import pytest

import kerasish as ks
from kerasish.training import engine as engine_module
from tests.conftest import mlp


@contextlib.contextmanager
def unpadded():
    """Engines made inside the block never pad: a short batch gets its own program, as before padding."""
    original = engine_module.Engine.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.pads = dict.fromkeys(self.pads, False)

    engine_module.Engine.__init__ = init
    try:
        yield
    finally:
        engine_module.Engine.__init__ = original


def _train(x, y, pad: bool, k, **fit_kwargs):
    ks.utils.set_random_seed(7)
    model = mlp(dropout=0.25)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  weighted_metrics=[ks.metrics.SparseCategoricalAccuracy(name="weighted_accuracy")],
                  steps_per_execution=k)
    with contextlib.nullcontext() if pad else unpadded():
        history = model.fit(x, y, batch_size=20, epochs=3, verbose=0, **fit_kwargs)
        results = (model.evaluate(x, y, batch_size=20, verbose=0), model.predict(x, batch_size=20, verbose=0))
    assert all(model._training.engine.pads.values()) == pad
    return model, history.history, results


@pytest.mark.parametrize("k", [1, "auto"])
def test_padded_last_batch_gives_the_results_of_its_own_program(blobs, k):
    x, y = blobs  # 96 samples: 72 for training in batches of 20 (the last one 12), 24 for validation
    weights = np.linspace(0.5, 1.5, len(x)).astype(np.float32)
    kwargs = dict(validation_split=0.25, shuffle=True, sample_weight=weights)
    padded, history, (evaluated, predicted) = _train(x, y, True, k, **kwargs)
    own, reference, (evaluated_ref, predicted_ref) = _train(x, y, False, k, **kwargs)
    assert list(history) == list(reference)
    for key in reference:  # dropout masks of the real rows are the same draws: only rounding differs
        np.testing.assert_allclose(history[key], reference[key], rtol=2e-6, err_msg=key)
    for a, b in zip(padded.get_weights(), own.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(evaluated, evaluated_ref, rtol=2e-6)
    assert predicted.shape == predicted_ref.shape == (96, 3)
    np.testing.assert_allclose(predicted, predicted_ref, rtol=1e-5, atol=1e-7)
    assert padded.compiled_programs() < own.compiled_programs()


@pytest.mark.parametrize("k", [1, "auto"])
def test_padded_rows_count_nowhere_in_losses_and_metrics(seeded, k):
    """evaluate over 100 rows in batches of 64 (the second: 36 real rows, 28 padding) against NumPy: batch by batch
    (k=1: the padded batch's loss weighs 36 rows in the mean over batches), and as one batch of 128 ("auto")."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 3)).astype(np.float32)
    y = rng.normal(size=(100, 1)).astype(np.float32)
    w = rng.uniform(0.2, 2.0, 100).astype(np.float32)
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], weighted_metrics=["mse"], steps_per_execution=k)
    logs = model.evaluate(x, y, sample_weight=w, batch_size=64, verbose=0, return_dict=True)
    assert model._training.engine.pads["test"]
    error = (model.predict(x, batch_size=64, verbose=0) - y)[:, 0].astype(np.float64)
    # Keras: each batch's loss is sum(w * l) / rows of the batch, averaged over batches by their rows
    assert logs["loss"] == pytest.approx(np.mean(w * error ** 2), rel=1e-6)
    assert logs["mae"] == pytest.approx(np.mean(np.abs(error)), rel=1e-6)
    assert logs["mse"] == pytest.approx(np.sum(w * error ** 2) / np.sum(w), rel=1e-6)


def test_ignore_class_and_padding_rows_are_both_masked(seeded):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 4)).astype(np.float32)
    y = rng.integers(0, 3, 50)
    y[45:] = 2  # some ignored rows in the short batch
    model = mlp()
    model.compile(optimizer="sgd", loss=ks.losses.SparseCategoricalCrossentropy(ignore_class=2))
    loss = model.evaluate(x, y, batch_size=32, verbose=0)
    p = model.predict(x, batch_size=32, verbose=0).astype(np.float64)
    per_row = -np.log(np.clip(p[np.arange(50), np.where(y == 2, 0, y)], 1e-7, 1 - 1e-7))
    kept = y != 2
    batch_losses = [per_row[s][kept[s]].mean() for s in (slice(0, 32), slice(32, 50))]
    assert loss == pytest.approx((32 * batch_losses[0] + 18 * batch_losses[1]) / 50, rel=1e-6)


def test_predict_callbacks_see_only_the_real_rows(seeded, blobs):
    x, _ = blobs
    model = mlp()
    seen = []
    callback = ks.callbacks.LambdaCallback(on_predict_batch_end=lambda batch, logs: seen.append(
        np.asarray(logs["outputs"]).reshape(-1, 3).shape[0]))
    out = model.predict(x, batch_size=40, verbose=0, callbacks=[callback])
    assert out.shape == (96, 3) and seen == [40, 40, 16]


class _RowMean(ks.layers.Layer):
    def call(self, x):
        return x - x.mean(axis=0)  # mixes the rows of the batch


class _Doubled(ks.layers.Dense):
    def call(self, x):
        return 2 * super().call(x)

    def rows_independent(self, training):
        return True


def _pads(layers, loss="sparse_categorical_crossentropy", metrics=()):
    model = ks.Sequential([ks.Input((4,)), *layers, ks.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss, metrics=list(metrics))
    model._training.prepare(model, np.zeros((2, 4), np.float32), np.zeros(2, np.int32))
    return model._training.engine.pads


@pytest.mark.parametrize("layers, loss, metrics, expected", [
    ([ks.layers.Dense(8, activation="relu"), ks.layers.Dropout(0.5)], None, (), (True, True, True)),
    ([ks.layers.BatchNormalization()], None, (), (False, True, True)),  # batch statistics in training
    ([ks.layers.Lambda(lambda x: x)], None, (), (False, False, False)),
    ([ks.layers.Dense(8, activity_regularizer="l2")], None, (), (False, False, False)),
    ([_RowMean()], None, (), (False, False, False)),  # overrides call: unknown, so not padded
    ([_Doubled(8)], None, (), (True, True, True)),  # says its rows are independent
    ([], lambda t, p: ((t[:, None] - p) ** 2).mean(), (), (False, False, True)),  # a user loss may reduce
    ([], None, [lambda t, p: p.max(-1)], (False, False, True)),
], ids=["dense-dropout", "batchnorm", "lambda", "activity", "user-call", "user-says-independent",
        "user-loss", "user-metric"])
def test_which_models_pad_a_short_batch(seeded, layers, loss, metrics, expected):
    pads = _pads(layers, loss or "sparse_categorical_crossentropy", metrics)
    assert (pads["train"], pads["test"], pads["predict"]) == expected


def test_a_model_that_mixes_rows_still_trains_its_short_batch_unpadded(seeded, blobs):
    x, y = blobs
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8), ks.layers.BatchNormalization(),
                           ks.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=20, epochs=1, verbose=0)  # 4 batches of 20 and one of 16
    assert not model._training.engine.pads["train"]
    assert model._training.engine.train_chunk._cache_size() == 2  # the full batches' program and the short one's


# -- evaluate / predict run a dispatch's batches as one larger batch --------------------------------------


def _groups(monkeypatch) -> list[int]:
    """The groups `inference_group` chooses from now on (it runs when a program is traced)."""
    chosen = []
    original = engine_module.Engine.inference_group
    monkeypatch.setattr(engine_module.Engine, "inference_group",
                        lambda self, *args: chosen.append(original(self, *args)) or chosen[-1])
    return chosen


def test_evaluate_and_predict_run_a_dispatchs_batches_as_one_with_the_same_results(seeded, monkeypatch):
    """100 rows in batches of 8, four batches per dispatch: 13 batches, the last dispatch one short batch of 4
    (valid = 1 of K = 4). Run as batches of 32 rows, the results are those of running batch by batch."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(100, 4)).astype(np.float32)
    y = rng.integers(0, 3, 100).astype(np.int32)
    w = rng.uniform(0.2, 2.0, 100).astype(np.float32)
    results, weights = {}, mlp().get_weights()
    for k in (4, 1):
        model = mlp()
        model.set_weights(weights)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      weighted_metrics=[ks.metrics.SparseCategoricalAccuracy(name="weighted_accuracy")],
                      steps_per_execution=k)
        chosen = _groups(monkeypatch)
        results[k] = (model.evaluate(x, y, sample_weight=w, batch_size=8, verbose=0, return_dict=True),
                      model.predict(x, batch_size=8, verbose=0))
        assert set(chosen) == ({4} if k == 4 else {1})
    (logs, predicted), (reference_logs, reference) = results[4], results[1]
    np.testing.assert_allclose(predicted, reference, rtol=1e-6, atol=1e-7)
    assert logs.keys() == reference_logs.keys()
    for name in logs:
        assert logs[name] == pytest.approx(reference_logs[name], rel=1e-6), name
    probability = reference[np.arange(100), y].astype(np.float64)  # and against NumPy
    assert logs["loss"] == pytest.approx(np.mean(w * -np.log(probability)), rel=1e-5)


def test_the_group_is_a_divisor_of_k_within_the_byte_budget(seeded, monkeypatch):
    model = ks.Sequential([ks.Input((6,)), ks.layers.Dense(32, activation="relu"), ks.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=12)
    model.predict(np.zeros((16, 6), np.float32), batch_size=4, verbose=0)
    engine = model._training.engine
    state, x = model._training.live.pull_state(), np.zeros((16, 6), np.float32)
    groups = []
    for budget in (0, 1 << 10, 4 << 10, 16 << 10, 1 << 30):
        monkeypatch.setattr(engine_module, "INFERENCE_BYTES", budget)
        groups.append(engine.inference_group(state, x, (12, 4)))
    assert groups[0] == 1 and groups[-1] == 12
    assert groups == sorted(groups) and len(set(groups)) > 2  # grows with the budget, through divisors of 12
    assert all(12 % g == 0 for g in groups)


@pytest.mark.parametrize("fits, k, expected", [
    ([1, 2, 4, 5, 8, 10, 20, 40], 40, 40),  # all K batches fit: one batch, no loop
    ([1, 2, 4, 5, 8, 10], 40, 8),           # not 10: 1,280 rows ran 24% slower than 1,024 (LSTM, XLA:CPU)
    ([1, 2, 4, 5], 40, 4),
    ([1, 3, 13], 39, 13),                   # no power of two: the largest that fits
    ([1], 40, 1),
])
def test_the_preferred_group_is_all_k_else_the_largest_power_of_two(fits, k, expected):
    assert engine_module.preferred_group(fits, k) == expected


def test_a_model_mixing_rows_runs_batch_by_batch(seeded, monkeypatch):
    """A Lambda may mix rows (here: centring on the batch mean), so its batches are never merged."""
    model = ks.Sequential([ks.Input((3,)), ks.layers.Lambda(lambda v: v - v.mean(0)), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=4)
    chosen = _groups(monkeypatch)
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    predicted = model.predict(x, batch_size=8, verbose=0)
    assert chosen == []
    expected = np.concatenate([np.asarray(model(x[i:i + 8])) for i in range(0, 32, 8)])
    np.testing.assert_allclose(predicted, expected, rtol=1e-6, atol=1e-7)
