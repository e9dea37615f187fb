import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.conftest import mlp


@pytest.fixture
def compiled(seeded):
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_evaluate_predict_contract(compiled, blobs):
    x, y = blobs
    history = compiled.fit(x, y, batch_size=16, epochs=3, validation_split=0.25, verbose=0)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]  # as Keras: no learning_rate
    assert history.epoch == [0, 1, 2] and compiled.history is history
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 5}  # 72 training samples / 16
    assert all(np.isfinite(v) for values in history.history.values() for v in values)
    loss, accuracy = compiled.evaluate(x, y, verbose=0)
    assert 0 <= accuracy <= 1 and loss > 0
    logs = compiled.evaluate(x, y, verbose=0, return_dict=True)
    assert logs == pytest.approx({"loss": loss, "accuracy": accuracy})
    probabilities = compiled.predict(x, verbose=0)
    assert isinstance(probabilities, np.ndarray) and probabilities.shape == (96, 3)
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-5)
    manual_accuracy = (probabilities.argmax(1) == y).mean()
    assert accuracy == pytest.approx(manual_accuracy)


def test_training_reduces_loss_and_learns(compiled, blobs):
    x, y = blobs
    history = compiled.fit(x, y, batch_size=8, epochs=25, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9


def test_evaluate_without_metrics_returns_a_scalar(seeded, regression):
    x, y = regression
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    value = model.evaluate(x, y, verbose=0)
    assert isinstance(value, float)
    np.testing.assert_allclose(value, np.mean((model.predict(x, verbose=0) - y) ** 2), rtol=1e-5)


def test_same_seed_same_history(blobs):
    x, y = blobs
    histories = []
    for _ in range(2):
        ks.utils.set_random_seed(3)
        model = mlp(dropout=0.3)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        histories.append(model.fit(x, y, batch_size=10, epochs=3, validation_split=0.2, verbose=0).history)
    assert histories[0] == histories[1]


def test_no_recompilation_across_epochs_fits_and_partial_batches(compiled, blobs):
    x, y = blobs  # 96 samples, batch 20: four full batches and one of 16
    compiled.fit(x, y, batch_size=20, epochs=2, verbose=0)
    after_first = compiled.compiled_programs()
    compiled.fit(x, y, batch_size=20, epochs=3, verbose=0)
    compiled.evaluate(x, y, batch_size=20, verbose=0)
    after_eval = compiled.compiled_programs()
    compiled.evaluate(x, y, batch_size=20, verbose=0)
    compiled.fit(x, y, batch_size=20, epochs=1, verbose=0)
    assert after_first == 1  # one program: the last batch of 16 is padded to 20 (4 masked rows)
    assert compiled.compiled_programs() == after_eval


def test_log_values_read_on_the_host_equal_the_compiled_results(seeded, regression):
    """Losses and built-in metrics are ratios of two accumulators, read on the host without a compiled
    program: the same float32 values as the compiled `results`, for empty, fractional, overflowed and NaN
    accumulators (not subnormal ones: XLA:CPU flushes those to zero, the host does not). A metric with its own
    `result` keeps the compiled path."""
    class Twice(ks.metrics.MeanSquaredError):
        def result(self):
            return 2.0 * super().result()

    x, y = regression
    model = mlp(inputs=3, outputs=1, activation=None)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], weighted_metrics=["mse"])
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    objectives = model._training.engine.objectives
    assert objectives.results_on_host()
    pair = lambda like, total, count: type(like)(total, count) if hasattr(like, "_fields") else (total, count)
    compiled_results = jax.jit(objectives.results)
    for total, count in [(0, 0), (1.5, 0), (3.7, 3), (1e-3, 0.7), (0.1, 0.3), (np.inf, 2), (np.inf, np.inf),
                         (np.nan, 5), (3e38, 1e-30)]:
        state = {name: pair(like, np.float32(total), np.float32(count)) for name, like in objectives.init().items()}
        on_host, compiled_values = objectives.host_results(state), jax.device_get(compiled_results(state))
        for name in objectives.names:
            np.testing.assert_array_equal(np.float32(on_host[name]), compiled_values[name], err_msg=name)
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0).history  # the loss is the weighted mse
    assert list(history) == ["loss", "mae", "mse"]
    assert history["loss"][0] == pytest.approx(history["mse"][0], rel=1e-6)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["mae"] == pytest.approx(float(np.mean(np.abs(model.predict(x, verbose=0) - y))), rel=1e-5)

    model.compile(optimizer="sgd", loss="mse", metrics=[Twice(name="twice"), "mse"])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert not model._training.engine.objectives.results_on_host()
    assert logs["twice"] == pytest.approx(2.0 * logs["mse"], rel=1e-6) and logs["mse"] > 0


def test_steps_per_execution_gives_the_same_history(blobs):
    x, y = blobs
    histories = []
    for k in (1, 4, "auto"):
        ks.utils.set_random_seed(5)
        model = mlp(dropout=0.2)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      steps_per_execution=k)
        histories.append(model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0).history)
    for history in histories[1:]:
        for key in histories[0]:
            np.testing.assert_allclose(history[key], histories[0][key], rtol=1e-5, err_msg=key)


def test_auto_steps_a_conv_model_one_batch_at_a_time_in_training_only(seeded):
    """On XLA:CPU a convolution's gradient runs slowly inside a rolled loop, its forward pass does not: "auto"
    trains a conv model batch by batch and evaluates / predicts it in dispatches of several batches, with the
    same results as batch by batch."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6, 6, 1)).astype(np.float32)
    y = rng.integers(0, 2, 40).astype(np.int32)
    results = {}
    for k in ("auto", 1):
        ks.utils.set_random_seed(0)
        model = ks.Sequential([ks.Input((6, 6, 1)), ks.layers.Conv2D(2, 3), ks.layers.Flatten(),
                               ks.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      steps_per_execution=k)
        results[k] = (model.evaluate(x, y, batch_size=8, verbose=0), model.predict(x, batch_size=8, verbose=0))
    engine = model._training.engine
    if jax.default_backend() == "cpu":
        assert engine.execution_size(5) == 1 and engine.execution_size(5, training=False) == 1  # k=1 as given
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        engine = model._training.engine
        assert engine.execution_size(5) == 1 and engine.execution_size(5, training=False) == 8  # a power of two
    np.testing.assert_allclose(results["auto"][0], results[1][0], rtol=1e-6)
    np.testing.assert_allclose(results["auto"][1], results[1][1], rtol=1e-6, atol=1e-7)


def test_validation_data_and_validation_freq(compiled, blobs):
    x, y = blobs
    history = compiled.fit(x[:64], y[:64], epochs=4, validation_data=(x[64:], y[64:]), validation_freq=2,
                           verbose=0)
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    val_loss, val_accuracy = compiled.evaluate(x[64:], y[64:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-5)


def test_sample_weight_matches_weighted_loss(seeded, regression):
    x, y = regression
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    weights = np.linspace(0, 2, len(x)).astype(np.float32)
    per_sample = ((model.predict(x, verbose=0) - y) ** 2).mean(-1)
    expected = (per_sample * weights).sum() / len(x)  # Keras: sum over batch size
    got = model.evaluate(x, y, sample_weight=weights, batch_size=len(x), verbose=0)
    assert got == pytest.approx(expected, rel=1e-5)


def test_zero_sample_weights_leave_the_model_untouched_by_those_samples(blobs):
    x, y = blobs
    keep = np.arange(len(x)) < 48
    results = []
    for xs, ys, sw in ((x, y, keep.astype(np.float32) * 2.0), (x[keep], y[keep], None)):
        ks.utils.set_random_seed(1)
        model = mlp()
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        model.fit(xs, ys, batch_size=len(xs), epochs=2, shuffle=False, sample_weight=sw, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results):  # full-batch SGD: weight 2 on half the data == the half with mean loss
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_class_weight_scales_the_loss(seeded, blobs):
    x, y = blobs
    model = mlp()
    model.compile(optimizer=ks.optimizers.SGD(learning_rate=1e-9), loss="sparse_categorical_crossentropy")
    plain = model.fit(x, y, batch_size=96, epochs=1, verbose=0).history["loss"][0]
    doubled = model.fit(x, y, batch_size=96, epochs=1, class_weight={0: 2.0, 1: 2.0, 2: 2.0},
                        verbose=0).history["loss"][0]
    assert doubled == pytest.approx(2 * plain, rel=1e-5)


def test_iterables_and_generators_of_batches(compiled, blobs):
    x, y = blobs
    batches = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 96, 32)]
    history = compiled.fit(batches, epochs=2, verbose=0)
    assert history.params["steps"] == 3 and len(history.history["loss"]) == 2

    def forever():
        while True:
            yield from batches
    history = compiled.fit(forever(), steps_per_epoch=3, epochs=2, validation_data=batches, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert compiled.evaluate(iter(batches), verbose=0)[0] == pytest.approx(compiled.evaluate(x, y, verbose=0)[0],
                                                                           rel=1e-5)
    np.testing.assert_allclose(compiled.predict(iter([(x[:10],), (x[10:20],)]), verbose=0),
                               compiled.predict(x[:20], verbose=0), rtol=1e-5)
    with pytest.raises(ValueError, match="yielded no batch in epoch 2.*steps_per_epoch"):
        compiled.fit((b for b in batches), epochs=2, verbose=0)


def test_batch_methods(compiled, blobs):
    x, y = blobs
    before = compiled.test_on_batch(x[:16], y[:16])
    loss = compiled.train_on_batch(x[:16], y[:16], return_dict=True)
    assert set(loss) == {"loss", "accuracy"}
    assert loss["loss"] == pytest.approx(before[0], rel=1e-5)  # the loss of the batch before the update
    after = compiled.test_on_batch(x[:16], y[:16])
    assert after[0] < before[0]
    np.testing.assert_allclose(compiled.predict_on_batch(x[:5]), compiled.predict(x[:5], verbose=0), rtol=1e-6)


def test_steps_per_epoch_continues_through_the_data(compiled, blobs):
    x, y = blobs
    history = compiled.fit(x, y, batch_size=32, steps_per_epoch=2, epochs=3, verbose=0)
    assert history.params["steps"] == 2 and len(history.history["loss"]) == 3


def test_stop_training_from_a_callback(compiled, blobs):
    x, y = blobs

    class StopAfterTwo(ks.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    assert compiled.fit(x, y, epochs=10, callbacks=[StopAfterTwo()], verbose=0).epoch == [0, 1]


def test_an_exception_mid_fit_leaves_the_weights_of_the_last_completed_step(blobs):
    x, y = blobs

    class Boom(ks.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("boom")

    weights = []
    for callbacks, epochs in (([Boom()], 5), ([], 2)):
        ks.utils.set_random_seed(2)
        model = mlp()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        if callbacks:
            with pytest.raises(RuntimeError, match="boom"):
                model.fit(x, y, epochs=epochs, callbacks=callbacks, verbose=0)
            assert model.history.epoch == [0, 1]
        else:
            model.fit(x, y, epochs=epochs, verbose=0)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def _fresh_mlp(seed=4):
    from tests.conftest import mlp
    ks.utils.set_random_seed(seed)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_keyboard_interrupt_mid_epoch_keeps_consistent_weights(blobs):
    """Ctrl-C after the second step leaves exactly the weights of two steps: those of an uninterrupted run of two
    steps, and those a batch callback read after the second step (batch callbacks see the live weights)."""
    x, y = blobs
    seen = []

    class Interrupt(ks.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(self.model.get_weights())
            if batch == 1:
                raise KeyboardInterrupt

    model = _fresh_mlp()
    initial = model.get_weights()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=16, epochs=1, shuffle=False, callbacks=[Interrupt()], verbose=0)
    two_steps = _fresh_mlp()
    two_steps.fit(x, y, batch_size=16, epochs=1, steps_per_epoch=2, shuffle=False, verbose=0)
    for got, after_two, read_in_callback, before in zip(model.get_weights(), two_steps.get_weights(), seen[1],
                                                        initial):
        np.testing.assert_array_equal(got, after_two)
        np.testing.assert_array_equal(got, read_in_callback)
        assert not np.array_equal(got, before)
    assert not all(np.array_equal(a, b) for a, b in zip(seen[0], seen[1]))  # one step between the two reads


def test_fit_on_jax_arrays_lists_and_float64_trains_as_float32_arrays(blobs):
    x, y = blobs
    runs = {}
    for name, (xs, ys) in {"numpy": (x, y), "jax": (jnp.asarray(x), jnp.asarray(y)), "lists": (x.tolist(), y.tolist()),
                           "float64": (x.astype(np.float64), y.astype(np.int64))}.items():
        model = _fresh_mlp()
        history = model.fit(xs, ys, batch_size=16, epochs=2, shuffle=False, verbose=0).history
        runs[name] = (history["loss"], model.get_weights())
    for name in ("jax", "lists", "float64"):
        assert runs[name][0] == runs["numpy"][0], name
        for a, b in zip(runs[name][1], runs["numpy"][1]):
            np.testing.assert_array_equal(a, b)


def test_verbose_2_prints_one_line_per_epoch(compiled, blobs, capsys):
    x, y = blobs
    compiled.fit(x, y, epochs=2, verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Epoch")]
    assert len(lines) == 2 and "loss:" in lines[0] and "accuracy:" in lines[0]
    assert "\r" not in "".join(lines) and "\x1b" not in "".join(lines)


def test_verbose_1_without_a_terminal_prints_plain_lines(compiled, blobs, capsys):
    x, y = blobs
    compiled.fit(x, y, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 2 and "\r" not in out


def test_learning_rate_set_by_a_callback_takes_effect_without_recompiling(compiled, blobs):
    x, y = blobs

    rates = []

    class Halve(ks.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch:
                self.model.optimizer.learning_rate = self.model.optimizer.learning_rate / 2

        def on_epoch_end(self, epoch, logs=None):
            rates.append(float(self.model.optimizer.learning_rate))

    compiled.fit(x, y, batch_size=32, epochs=1, verbose=0)
    programs = compiled.compiled_programs()
    compiled.fit(x, y, batch_size=32, epochs=4, callbacks=[Halve()], verbose=0)
    assert rates == pytest.approx([1e-3, 5e-4, 2.5e-4, 1.25e-4])
    assert compiled.compiled_programs() == programs
    assert compiled.optimizer.learning_rate == pytest.approx(1.25e-4)  # kept after fit, like Keras


def test_a_non_finite_loss_skips_the_update(seeded, regression):
    x, y = regression
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    huge = x * np.float32(1e20)  # finite data whose squared error overflows float32: the loss is inf
    history = model.fit(huge, y, batch_size=25, epochs=1, shuffle=False, verbose=0)
    assert not np.isfinite(history.history["loss"][0])
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_a_second_fit_reuses_the_engine_and_the_optimizer_state(compiled, blobs):
    x, y = blobs
    compiled.fit(x, y, epochs=1, verbose=0)
    engine, step_count = compiled._training.engine, compiled._training.live.opt_state
    compiled.stop_training = True  # as a callback would; must not change the model's graph
    compiled.fit(x, y, epochs=1, verbose=0)
    assert compiled._training.engine is engine
    counts = [leaf for leaf in jax.tree.leaves(compiled._training.live.opt_state) if leaf.dtype == np.int32]
    before = [leaf for leaf in jax.tree.leaves(step_count) if leaf.dtype == np.int32]
    assert counts and all(int(a) == int(b) + 3 for a, b in zip(counts, before))  # 3 more steps, not reset


def test_a_non_finite_step_leaves_the_weights_and_the_optimizer_state_as_they_were(blobs):
    """The step of a batch whose loss overflows is skipped whole: Adam's moments and step count too, so the run
    ends where training without that batch ends, one step per dispatch or three."""
    x, _ = blobs
    y = x @ np.array([[1.0], [-1.0], [0.5], [2.0]], np.float32)
    bad = x.copy()
    bad[40, 1] = 1e30  # batch 2 of 6 (batch_size=16): its squared error is inf in float32
    keep = np.r_[0:32, 48:96]
    for k in (1, 3):
        runs = []
        for data, target in ((bad, y), (x[keep], y[keep])):
            ks.utils.set_random_seed(0)
            model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(1)])
            model.compile(optimizer=ks.optimizers.Adam(0.01), loss="mse", steps_per_execution=k)
            model.fit(data, target, batch_size=16, epochs=2, shuffle=False, verbose=0)
            runs.append((model.get_weights(), jax.tree.leaves(model._training.live.opt_state)))
        (weights, opt), (expected_weights, expected_opt) = runs
        for got, want in zip(weights + opt, expected_weights + expected_opt):
            assert np.isfinite(np.asarray(got, np.float64)).all()
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=2e-6, atol=1e-7)
