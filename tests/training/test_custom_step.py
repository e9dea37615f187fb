"""A model's own steps inside fit (training/custom_step.py), eager execution, and the optimizer inside fit.

An overridden `train_step` is traced once and runs K steps per dispatch like the default one, with the non-finite
guard; logs follow Keras (a batch gets the step's logs; an epoch the metrics' results when they name the same
entries, else the last step's logs); `run_eagerly` runs the same steps op by op. Values are checked against Keras 3
or against what the same computation gives by hand (jax.numpy), never against kerasish itself.
"""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks

keras3 = pytest.importorskip("keras")


class Dispatches(ks.callbacks.Callback):
    """Counts the dispatches of a fit: its batch-end hook may be called once per dispatch (for its last batch)."""

    batch_hooks_may_be_grouped = True

    def __init__(self):
        super().__init__()
        self.ends = []

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(batch)


def _regression(n=80, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)


class MSEStep(ks.Model):
    """A hand-written MSE step: `jax.value_and_grad` over `stateless_call`, the optimizer's `stateless_apply`, the
    loss tracker by `stateless_update_state`; counts its traces."""

    traces = 0

    def __init__(self):
        super().__init__()
        self.dense = ks.layers.Dense(1)

    def call(self, x):
        return self.dense(x)

    def train_step(self, state, data):
        type(self).traces += 1
        trainable, non_trainable, optimizer_variables, metrics_variables = state
        x, y, _ = ks.utils.unpack_x_y_sample_weight(data)

        def loss_fn(trainable):
            y_pred, new = self.stateless_call(trainable, non_trainable, x, training=True)
            return jnp.mean((y_pred - y) ** 2), new

        (loss, non_trainable), grads = jax.value_and_grad(loss_fn, has_aux=True)(trainable)
        trainable, optimizer_variables = self.optimizer.stateless_apply(optimizer_variables, grads, trainable)
        tracker = self.metrics[0]
        metrics_variables = tracker.stateless_update_state(metrics_variables, loss)
        return {"loss": tracker.stateless_result(metrics_variables), "last": loss}, (
            trainable, non_trainable, optimizer_variables, metrics_variables)


def test_an_overridden_train_step_is_traced_once_and_runs_k_steps_per_dispatch(seeded):
    x, y = _regression()
    model = MSEStep()
    model.compile(optimizer=ks.optimizers.SGD(0.1), steps_per_execution=5)
    MSEStep.traces = 0
    counter = Dispatches()
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[counter])
    assert counter.ends == [4, 9] * 3  # 10 batches per epoch, 5 per dispatch
    assert MSEStep.traces <= 2  # the step's logs structure once, the dispatch once: not once per step
    assert model.compiled_programs() == 1
    assert history.history["loss"][-1] < history.history["loss"][0] / 4


def test_an_overridden_train_step_trains_as_the_same_maths_by_hand(seeded):
    x, y = _regression()
    model = MSEStep()
    model.compile(optimizer=ks.optimizers.SGD(0.1))
    model(x[:1])
    kernel, bias = (np.asarray(v.value) for v in model.trainable_variables)
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for _ in range(2):  # plain SGD on the mean squared error, batch by batch
        for start in range(0, 80, 16):
            xb, yb = x[start:start + 16], y[start:start + 16]
            residual = 2 * (xb @ kernel + bias - yb) / len(xb)
            kernel, bias = kernel - 0.1 * xb.T @ residual, bias - 0.1 * residual.sum(axis=0)
    np.testing.assert_allclose(model.get_weights()[0], kernel, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], bias, rtol=1e-5, atol=1e-6)
    assert int(model.optimizer.iterations) == 10  # the live optimizer state, after fit


def test_batch_logs_are_the_steps_and_epoch_logs_the_last_steps_when_names_differ(seeded):
    x, y = _regression()
    seen = []

    class Logs(ks.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(dict(logs))

    model = MSEStep()
    model.compile(optimizer=ks.optimizers.SGD(0.05))
    history = model.fit(x, y, batch_size=40, epochs=1, shuffle=False, verbose=0, callbacks=[Logs()])
    assert [set(logs) for logs in seen] == [{"loss", "last"}] * 2
    # `last` is not a metric of `model.metrics`: the epoch reports the last step's logs, as Keras does
    assert history.history["last"] == [seen[-1]["last"]] and history.history["loss"] == [seen[-1]["loss"]]
    np.testing.assert_allclose(seen[1]["loss"], (seen[0]["last"] + seen[1]["last"]) / 2, rtol=1e-6)


def test_a_step_giving_non_finite_weights_is_skipped(seeded):
    x, y = _regression(16)

    class Exploding(MSEStep):
        def train_step(self, state, data):
            logs, (trainable, non_trainable, opt, metrics) = super().train_step(state, data)
            return logs, ([t * jnp.inf for t in trainable], non_trainable, opt, metrics)

    model = Exploding()
    model.compile(optimizer="sgd")
    model(x[:1])
    before = model.get_weights()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)
    assert int(model.optimizer.iterations) == 0  # the optimizer state of a skipped step is not kept either


def test_a_custom_test_step_and_predict_step(seeded):
    x, y = _regression(20)

    class Doubled(ks.Model):
        def __init__(self):
            super().__init__()
            self.dense = ks.layers.Dense(1, kernel_initializer="ones")

        def call(self, x):
            return self.dense(x)

        def test_step(self, state, data):
            logs, state = super().test_step(state, data)
            return {**logs, "twice": 2 * logs["loss"]}, state

        def predict_step(self, state, data):
            outputs, non_trainable = super().predict_step(state, data)
            return 2 * outputs, non_trainable

    model = Doubled()
    model.compile(optimizer="sgd", loss="mse")
    logs = model.evaluate(x, y, batch_size=8, return_dict=True, verbose=0)
    expected = float(np.mean((x.sum(axis=1, keepdims=True) - y) ** 2))
    np.testing.assert_allclose([logs["loss"], logs["twice"]], [expected, 2 * expected], rtol=1e-5)
    assert model.evaluate(x, y, batch_size=8, verbose=0) == [logs["loss"], logs["twice"]]  # Keras's order
    np.testing.assert_allclose(model.predict(x, batch_size=8, verbose=0), 2 * x.sum(axis=1, keepdims=True),
                               rtol=1e-6)


def test_compute_loss_override_logs_a_tracked_metric_as_keras(seeded):
    """Keras 3's test_metric_update_in_compute_loss, against Keras itself."""

    def run(keras):
        class MyModel(keras.Model):
            def __init__(self):
                super().__init__()
                self.custom_metric = keras.metrics.Mean(name="custom")
                self.dense = keras.layers.Dense(2, kernel_initializer="ones")

            def call(self, x):
                return self.dense(x)

            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
                loss = super().compute_loss(x, y, y_pred, sample_weight, training)
                self.custom_metric.update_state(loss * 4)
                return loss

        model = MyModel()
        model.compile(optimizer="sgd", loss="mse")
        x = np.linspace(0, 1, 64, dtype=np.float32).reshape(16, 4)
        return model.fit(x, np.ones((16, 2)) * 2, batch_size=4, epochs=2, verbose=0, shuffle=False).history

    got, expected = run(ks), run(keras3)
    assert got.keys() == expected.keys() == {"loss", "custom"}
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-5)


def test_a_custom_step_returning_the_wrong_state_is_a_clear_error(seeded):
    x, y = _regression(8)

    class Wrong(MSEStep):
        def train_step(self, state, data):
            logs, state = super().train_step(state, data)
            return logs, state[:3]

    class Short(MSEStep):
        def train_step(self, state, data):
            logs, (trainable, *rest) = super().train_step(state, data)
            return logs, (trainable[:1], *rest)

    for cls, error, message in (
            (Wrong, TypeError, r"`train_step` of model '.*' must return the state `\(trainable_variables, "
                               r"non_trainable_variables, optimizer_variables, metrics_variables\)`, received tuple "
                               r"of 3 entries"),
            (Short, ValueError, r"`train_step` of model '.*' returned 1 values as `trainable_variables`; the model "
                                r"has 2")):
        model = cls()
        model.compile(optimizer="sgd")
        with pytest.raises(error, match=message):
            model.fit(x, y, verbose=0)


def test_an_optax_transformation_cannot_feed_a_custom_train_step(seeded):
    import optax

    x, y = _regression(8)
    model = MSEStep()
    model.compile(optimizer=optax.sgd(0.1))
    with pytest.raises(TypeError, match=r"trains with its own code .* compile it with a kerasish optimizer"):
        model.fit(x, y, verbose=0)


def test_a_held_optimizer_must_be_built_before_fit(seeded):
    x, y = _regression(8)

    class Holding(MSEStep):
        def __init__(self):
            super().__init__()
            self.other = ks.optimizers.Adam()

    model = Holding()
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match=r"Optimizer 'adam.*' held by model '.*' is not built: build it"):
        model.fit(x, y, verbose=0)


def test_fit_without_targets_needs_a_train_step_of_the_models_own(seeded):
    x, _ = _regression(8)
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"Argument `y` of fit is required when `x` is an array"):
        model.fit(x, verbose=0)


# -- eager execution ---------------------------------------------------------------------------------------------

def test_run_eagerly_runs_the_steps_op_by_op(seeded, capsys):
    x, y = _regression(16)
    seen = []

    class Printing(MSEStep):
        def call(self, x):
            if not isinstance(x, jax.core.Tracer):  # concrete in predict: NumPy conversion works
                seen.append(np.asarray(x).sum())
            return super().call(x)

        def train_step(self, state, data):
            print("weights sum", float(np.asarray(state[0][0]).sum()))  # concrete values in the step
            return super().train_step(state, data)

    eager, compiled = Printing(), MSEStep()
    eager.compile(optimizer=ks.optimizers.SGD(0.1), run_eagerly=True)
    compiled.compile(optimizer=ks.optimizers.SGD(0.1))
    eager(x[:1])
    compiled(x[:1])
    compiled.set_weights(eager.get_weights())
    assert eager.run_eagerly and not eager.jit_compile
    eager_loss = eager.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=2).history["loss"]
    out = capsys.readouterr().out
    assert out.count("weights sum") == 2 and "Epoch 1/1 (eager)" in out
    assert eager.compiled_programs() == 0
    np.testing.assert_allclose(eager_loss, compiled.fit(x, y, batch_size=8, epochs=1, shuffle=False,
                                                        verbose=0).history["loss"], rtol=1e-6)
    seen.clear()
    eager.predict(x[:2], verbose=0)
    np.testing.assert_allclose(seen, [x[:2].sum()], rtol=1e-6)


def test_jit_compile_false_is_eager_and_named_in_summary(seeded, capsys):
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", jit_compile=False)
    assert model.run_eagerly
    model.summary()
    assert "Execution: eager" in capsys.readouterr().out
    model.fit(*_regression(8), verbose=0)
    assert model.compiled_programs() == 0
    model.jit_compile = True  # settable, as in Keras: the next call compiles
    model.fit(*_regression(8), verbose=0)
    assert model.compiled_programs() == 1
    model.summary()
    assert "Execution" not in capsys.readouterr().out


def test_execution_arguments_are_checked(seeded):
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    with pytest.raises(TypeError, match=r"Argument `run_eagerly` must be True or False, received 'yes'"):
        model.compile(loss="mse", run_eagerly="yes")
    with pytest.raises(TypeError, match=r"Argument `jit_compile` must be True, False or 'auto', received 1"):
        model.compile(loss="mse", jit_compile=1)
    with pytest.warns(UserWarning, match=r"If `run_eagerly` is True, then `jit_compile` cannot also be True"):
        model.compile(loss="mse", run_eagerly=True, jit_compile=True)
    assert model.run_eagerly
    with pytest.raises(TypeError, match=r"`run_eagerly` and `jit_compile` take True or False, received 'no'"):
        model.jit_compile = "no"


# -- the optimizer inside fit --------------------------------------------------------------------------------------

def _keras_and_kerasish(optimizer_factory, epochs=2):
    """The same Dense model, data and optimizer on Keras 3 and kerasish; both fitted; weights and histories."""
    x, y = _regression(64, seed=3)
    results = []
    for keras in (keras3, ks):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_initializer="ones"),
                                  keras.layers.Dense(1, kernel_initializer="ones")])
        model.compile(optimizer=optimizer_factory(keras), loss="mse")
        history = model.fit(x, y, batch_size=16, epochs=epochs, shuffle=False, verbose=0).history
        results.append(([np.asarray(w) for w in model.get_weights()], history, model.optimizer))
    return results


def test_fit_steps_as_kerass_optimizer_with_ema_and_its_overwrites():
    (want, want_history, _), (got, got_history, optimizer) = _keras_and_kerasish(
        lambda keras: keras.optimizers.Adam(0.05, use_ema=True, ema_momentum=0.8, ema_overwrite_frequency=3))
    np.testing.assert_allclose(got_history["loss"], want_history["loss"], rtol=1e-5)
    for a, b in zip(got, want):  # the moving averages written into the weights at the end of fit
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert int(optimizer.iterations) == 8 and optimizer.variables[0].path.endswith("iteration")


def test_fit_scales_the_loss_as_kerass_loss_scale_optimizer():
    (want, want_history, want_optimizer), (got, got_history, optimizer) = _keras_and_kerasish(
        lambda keras: keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01), initial_scale=2.0 ** 10,
                                                          dynamic_growth_steps=3))
    np.testing.assert_allclose(got_history["loss"], want_history["loss"], rtol=1e-5)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # the dynamic scale doubled every 3 finite steps, in the optimizer's variables after fit
    assert float(optimizer.dynamic_scale.value) == float(want_optimizer.dynamic_scale.value) == 2.0 ** 12


def test_optimizer_variables_after_fit_are_kerass(seeded):
    (_, _, want), (_, _, got) = _keras_and_kerasish(lambda keras: keras.optimizers.Adam(0.01), epochs=1)
    slot = lambda name: re.sub(r"^.*?(kernel|bias)", r"\1", name)  # Keras prefixes the layers' scope names
    assert [slot(v.name) for v in got.variables] == [slot(v.name) for v in want.variables]
    for a, b in zip(got.variables, want.variables):
        np.testing.assert_allclose(a.numpy(), np.asarray(b.value), rtol=1e-5, atol=1e-7)



def test_a_padded_dispatch_reports_the_logs_of_its_last_real_step(seeded):
    """5 batches, 2 per dispatch: the last dispatch runs one real step and one padding step. The batch logs and the
    epoch's `last` (not a metric: the last step's logs, as Keras reports them) are those of the fifth real step,
    computed here by hand (plain SGD on the mean squared error)."""
    x, y = _regression()
    model = MSEStep()
    model.compile(optimizer=ks.optimizers.SGD(0.1), steps_per_execution=2)
    model(x[:1])
    kernel, bias = (np.asarray(v.value) for v in model.trainable_variables)
    seen = []

    class Logs(ks.callbacks.Callback):
        batch_hooks_may_be_grouped = True

        def on_train_batch_end(self, batch, logs=None):
            seen.append((batch, dict(logs)))

    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[Logs()])
    losses = []
    for start in range(0, 80, 16):
        xb, yb = x[start:start + 16], y[start:start + 16]
        losses.append(np.mean((xb @ kernel + bias - yb) ** 2))
        residual = 2 * (xb @ kernel + bias - yb) / len(xb)
        kernel, bias = kernel - 0.1 * xb.T @ residual, bias - 0.1 * residual.sum(axis=0)
    assert [batch for batch, _ in seen] == [1, 3, 4]  # the last dispatch ends at the fifth batch
    np.testing.assert_allclose(seen[-1][1]["last"], losses[-1], rtol=1e-5)
    np.testing.assert_allclose(history.history["last"], [losses[-1]], rtol=1e-5)
    np.testing.assert_allclose(history.history["loss"], [np.mean(losses)], rtol=1e-5)


def test_a_loss_scale_optimizer_sees_the_overflowing_steps_and_halves_its_scale_as_keras():
    """A scale of 2**127 makes the first scaled gradients overflow: Keras's LossScaleOptimizer skips those steps and
    halves its scale each time (the engine must hand it the non-finite gradients, not skip the step itself)."""
    (want, want_history, want_optimizer), (got, got_history, optimizer) = _keras_and_kerasish(
        lambda keras: keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01), initial_scale=2.0 ** 127,
                                                          dynamic_growth_steps=100))
    assert float(want_optimizer.dynamic_scale.value) < 2.0 ** 127  # the test makes Keras halve its scale
    assert float(optimizer.dynamic_scale.value) == float(want_optimizer.dynamic_scale.value)
    np.testing.assert_allclose(got_history["loss"], want_history["loss"], rtol=1e-5)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
