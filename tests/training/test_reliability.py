"""Reliability round 2 (issue 21): nothing stale, nothing NaN, nothing unbounded, misuse a clear error.

Each test names the case of the issue it covers. Faults leave nothing lost: the model holds consistent weights
and trains on afterwards.
"""

import os
import resource

import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.conftest import mlp


def _model(seed=4, optimizer="adam", **layers_args):
    ks.utils.set_random_seed(seed)
    model = mlp(**layers_args)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


# -- 1. batch-level callbacks see and change the live weights ------------------------------------------------------

def test_batch_callbacks_read_save_and_predict_with_the_current_steps_weights(blobs, tmp_path):
    x, y = blobs
    reads, predictions = [], []

    class Watch(ks.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            reads.append(self.model.get_weights())
            predictions.append(self.model.predict(x[:4], verbose=0))
            self.model.save_weights(str(tmp_path / f"b{batch}.weights.safetensors"))

    model = _model()
    model.fit(x, y, batch_size=32, epochs=1, shuffle=False, callbacks=[Watch()], verbose=0)  # 3 steps
    for steps in (1, 2, 3):
        reference = _model()
        reference.fit(x, y, batch_size=32, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        for got, want in zip(reads[steps - 1], reference.get_weights()):
            np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(predictions[steps - 1], reference.predict(x[:4], verbose=0))
        saved = mlp()
        saved.build((None, 4))
        saved.load_weights(str(tmp_path / f"b{steps - 1}.weights.safetensors"))
        for got, want in zip(saved.get_weights(), reference.get_weights()):
            np.testing.assert_array_equal(got, want)


def test_weights_set_in_a_batch_callback_are_what_the_next_step_trains(blobs):
    x, y = blobs

    class Reset(ks.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                self.model.set_weights([np.zeros_like(w) for w in self.model.get_weights()])

    model = _model(optimizer="sgd")
    model.fit(x, y, batch_size=32, epochs=1, steps_per_epoch=2, shuffle=False, callbacks=[Reset()], verbose=0)
    # the second step started from zeros: one SGD step from zeros on the second batch
    reference = _model(optimizer="sgd")
    reference.set_weights([np.zeros_like(w) for w in reference.get_weights()])
    reference.fit(x[32:], y[32:], batch_size=32, epochs=1, steps_per_epoch=1, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)


# -- 2. NaN / inf never reach the weights, even from finite gradients ------------------------------------------------

@pytest.mark.parametrize("optimizer", [ks.optimizers.SGD(learning_rate=1e38), ks.optimizers.Adam(epsilon=0.0)],
                         ids=["sgd-1e38", "adam-epsilon-0"])
def test_an_update_giving_non_finite_weights_is_skipped(blobs, optimizer):
    x, y = blobs
    ks.utils.set_random_seed(0)
    model = mlp()
    if isinstance(optimizer, ks.optimizers.Adam):  # a zero gradient everywhere: Adam computes 0 / 0 with epsilon=0
        model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, kernel_initializer="zeros", activation="relu",
                                                                bias_initializer="zeros")])
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, np.ones((len(x), 3), np.float32), batch_size=32, epochs=2, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert all(np.isfinite(leaf).all() for leaf in model.get_optimizer_state())


def test_a_schedule_returning_a_huge_rate_never_writes_inf(blobs):
    x, y = blobs
    model = _model(optimizer="sgd")
    scheduler = ks.callbacks.LearningRateScheduler(lambda epoch, lr: 1e38)
    model.fit(x, y, batch_size=32, epochs=2, callbacks=[scheduler], verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())


@pytest.mark.parametrize("optimizer", ["sgd", "clipvalue", "clipnorm"])
def test_a_finite_loss_with_an_infinite_gradient_skips_the_step(blobs, optimizer):
    """The gradient half of the non-finite guard: sqrt(w) * x at w = 0 has a finite loss and an infinite gradient.
    With gradient clipping the update computed from it is finite (clip(inf) is the clip value), so only the check of
    the gradient itself keeps the step out."""
    x, y = blobs

    class Sqrt(ks.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight((input_shape[-1],), initializer="zeros", name="w")

        def call(self, x):
            return jnp.sqrt(self.w[...]) * x

    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((4,)), Sqrt(), ks.layers.Dense(3)])
    clipping = {"sgd": {}, "clipvalue": {"clipvalue": 1.0}, "clipnorm": {"clipnorm": 1.0}}[optimizer]
    model.compile(optimizer=ks.optimizers.SGD(0.1, **clipping), loss="mse")
    history = model.fit(x, np.ones((len(x), 3), np.float32), batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    np.testing.assert_array_equal(model.layers[0].w[...], np.zeros(4))


# -- 3. bounded programs for ever new sizes ---------------------------------------------------------------------------

def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_two_hundred_predicts_of_distinct_sizes_compile_a_bounded_number_of_programs():
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((6,)), ks.layers.Dense(8, activation="relu"), ks.layers.Dense(2)])
    x = np.random.default_rng(0).normal(size=(400, 6)).astype(np.float32)
    reference = model.predict(x, batch_size=64, verbose=0)
    programs, rss = [], []
    for n in range(1, 201):
        out = model.predict(x[:n], batch_size=64, verbose=0)
        np.testing.assert_allclose(out, reference[:n], rtol=1e-6, atol=1e-6)
        programs.append(model.compiled_programs())
        rss.append(_rss_mb())
    # 8 exact sizes, then shared shapes: a power of two of rows and of steps per dispatch
    assert programs[-1] <= 24, programs[-1]
    assert programs[-1] == programs[129]  # sizes 131..200 (rows up to 256, up to 4 steps) compiled nothing new
    assert rss[-1] - rss[20] < 50, (rss[20], rss[-1])


# -- 4, 5, 6. data that would silently compute garbage ----------------------------------------------------------------

@pytest.mark.parametrize("case", ["int64 label", "int64 x", "uint32 label"])
def test_integers_beyond_int32_are_refused_before_they_wrap_around(blobs, case):
    x, y = blobs
    model = _model()
    if case == "int64 label":
        y = y.astype(np.int64)
        y[0] = 2**32 + 1
        args, pattern = (x, y), r"`y` holds the integer 4294967297, outside int32's range"
    elif case == "int64 x":
        args, pattern = (np.full((4, 4), 2**40, np.int64), y[:4]), r"`x` holds the integer 1099511627776"
    else:
        y = y.astype(np.uint32)
        y[0] = 4294967295
        args, pattern = (x, y), r"`y` holds the integer 4294967295"
    with pytest.raises(ValueError, match=pattern):
        model.fit(*args, epochs=1, verbose=0)


def test_masked_arrays_with_masked_values_are_refused(blobs):
    x, y = blobs
    masked = np.ma.masked_array(x, mask=np.zeros_like(x, bool))
    masked.mask[3, 1] = True
    with pytest.raises(ValueError, match=r"`x` is a masked array with masked entries.*Fill them"):
        _model().fit(masked, y, epochs=1, verbose=0)
    _model().fit(np.ma.masked_array(x), y, epochs=1, verbose=0)  # nothing masked: its values are the data


def test_a_generators_labels_are_checked_in_every_batch(blobs):
    x, y = blobs

    def batches():
        for i in range(3):
            labels = y[i * 32:(i + 1) * 32].copy()
            if i == 2:
                labels[5] = 7  # 3 classes
            yield x[i * 32:(i + 1) * 32], labels

    model = _model()
    with pytest.raises(ValueError, match=r"`y \(batch 2\)` holds the class id 7"):
        model.fit(batches(), epochs=1, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())  # the two good batches trained


# -- 7. fit inside fit; predict and evaluate inside fit -----------------------------------------------------------

def test_fit_called_from_a_callback_is_a_clear_error_and_predict_evaluate_work(blobs):
    x, y = blobs
    seen = {}

    class Nested(ks.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen["predict"] = self.model.predict(x[:3], verbose=0)
            seen["evaluate"] = self.model.evaluate(x, y, verbose=0)
            self.model.fit(x, y, epochs=1, verbose=0)

    model = _model()
    with pytest.raises(RuntimeError, match=r"fit\(\) was called on model .* while its fit\(\) is running"):
        model.fit(x, y, epochs=1, callbacks=[Nested()], verbose=0)
    assert seen["predict"].shape == (3, 3) and np.isfinite(seen["evaluate"])
    model.fit(x, y, epochs=1, verbose=0)  # usable afterwards


# -- 13. get_weights gives writable copies --------------------------------------------------------------------------

def test_get_weights_returns_writable_copies():
    model = _model()
    weights = model.get_weights()
    weights[0][0, 0] = 123.0
    assert model.get_weights()[0][0, 0] != 123.0


# -- 14. trainable changed during fit ------------------------------------------------------------------------------

def test_freezing_a_layer_during_fit_is_a_clear_error_keeping_the_weights(blobs):
    x, y = blobs

    class Freeze(ks.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.layers[0].trainable = False

    model = _model()
    with pytest.raises(RuntimeError, match=r"`trainable` was changed during fit\(\).*next fit\(\)"):
        model.fit(x, y, epochs=3, callbacks=[Freeze()], verbose=0)
    assert len(model.history.history["loss"]) == 1
    frozen = model.layers[0].get_weights()
    model.fit(x, y, epochs=1, verbose=0)  # now it takes effect
    for a, b in zip(model.layers[0].get_weights(), frozen):
        np.testing.assert_array_equal(a, b)


def test_trainable_set_to_its_own_value_during_fit_changes_nothing(blobs):
    x, y = blobs

    class Same(ks.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.layers[0].trainable = True

    history = _model().fit(x, y, epochs=2, callbacks=[Same()], verbose=0)
    assert len(history.history["loss"]) == 2


def test_no_file_descriptor_is_leaked_by_saving(tmp_path):
    model = _model()
    before = len(os.listdir("/proc/self/fd"))
    for i in range(5):
        model.save(tmp_path / f"m{i}.kerasish")
    assert len(os.listdir("/proc/self/fd")) == before
