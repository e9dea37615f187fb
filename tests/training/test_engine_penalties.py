"""The compiled train step against Keras 3: what goes into the loss that `fit` minimises and logs."""

import keras
import numpy as np

import kerasish as ks


def test_weight_penalties_are_trained_and_logged_as_keras(blobs):
    """kernel_regularizer / bias_regularizer penalties join the training loss (the logged loss includes them, the
    gradient follows them) exactly as in Keras 3; evaluate reports them too."""
    x, y = blobs

    def build(framework):
        return framework.Sequential([
            framework.Input((4,)),
            framework.layers.Dense(8, activation="relu", kernel_regularizer=framework.regularizers.L2(0.05)),
            framework.layers.Dense(3, activation="softmax", bias_regularizer=framework.regularizers.L1(0.1))])

    keras.utils.set_random_seed(0)
    theirs, ours = build(keras), build(ks)
    ours.set_weights(theirs.get_weights())
    for model, framework in ((theirs, keras), (ours, ks)):
        model.compile(optimizer=framework.optimizers.SGD(0.3), loss="sparse_categorical_crossentropy")
    kwargs = dict(batch_size=32, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours.fit(x, y, **kwargs).history["loss"], theirs.fit(x, y, **kwargs).history["loss"],
                               rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-5)


def test_a_non_finite_loss_with_finite_gradients_skips_the_step(regression):
    """One corrupt but finite target (1e20) makes the squared error, hence the loss, overflow to inf, while the
    gradient (linear in the error) stays finite: the loss half of the non-finite guard keeps that step out, where an
    update of about 1e19 would otherwise be written into the weights."""
    x, y = regression
    y = y.copy()
    y[3] = 1e20
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
    model.compile(optimizer=ks.optimizers.SGD(0.01), loss="mse")
    before = model.get_weights()
    history = model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)
    assert history.history["loss"] == [float("inf")]
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_mixed_float16_steps_match_keras(blobs):
    """Layers computing in float16 make the engine scale the loss (and unscale the gradients): plain SGD, which
    unlike Adam is not blind to the gradients' scale, takes Keras 3's steps."""
    x, y = blobs

    def build(framework):
        return framework.Sequential([framework.Input((4,)),
                                     framework.layers.Dense(8, activation="relu", dtype="mixed_float16"),
                                     framework.layers.Dense(3, activation="softmax", dtype="float32")])

    keras.utils.set_random_seed(0)
    theirs, ours = build(keras), build(ks)
    ours.set_weights(theirs.get_weights())
    for model, framework in ((theirs, keras), (ours, ks)):
        model.compile(optimizer=framework.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    kwargs = dict(batch_size=32, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours.fit(x, y, **kwargs).history["loss"], theirs.fit(x, y, **kwargs).history["loss"],
                               rtol=1e-3)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-2, atol=1e-3)


def test_evaluate_and_predict_run_in_inference_mode_as_keras():
    """Dropout is the identity and BatchNormalization uses its moving statistics in evaluate and predict (data far
    from the initial statistics 0 and 1, so the batch's own statistics would give other values)."""
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(40, 4)).astype(np.float32)
    y = rng.normal(size=(40, 1)).astype(np.float32)

    def build(framework):
        return framework.Sequential([framework.Input((4,)), framework.layers.BatchNormalization(),
                                     framework.layers.Dropout(0.5), framework.layers.Dense(1)])

    keras.utils.set_random_seed(0)
    theirs, ours = build(keras), build(ks)
    ours.set_weights(theirs.get_weights())
    for model, framework in ((theirs, keras), (ours, ks)):
        model.compile(optimizer=framework.optimizers.SGD(0.1), loss="mse")
    np.testing.assert_allclose(ours.evaluate(x, y, batch_size=8, verbose=0),
                               theirs.evaluate(x, y, batch_size=8, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(ours.predict(x, batch_size=8, verbose=0), theirs.predict(x, batch_size=8, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_compiled_without_a_loss_the_model_trains_on_its_add_loss_values_as_keras():
    """`compile()` without `loss`: the default train step minimises the layers' `add_loss` values alone, and logs
    them as the loss, as Keras 3 does."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 3)).astype("float32"), np.zeros((12, 1), "float32")

    def build(framework):
        class Penalty(framework.layers.Layer):
            def call(self, inputs):
                self.add_loss(framework.ops.mean(framework.ops.square(inputs)))
                return inputs

        return framework.Sequential([framework.Input((3,)), framework.layers.Dense(2), Penalty(),
                                     framework.layers.Dense(1)])

    keras.utils.set_random_seed(0)
    theirs, ours = build(keras), build(ks)
    ours.set_weights(theirs.get_weights())
    for model, framework in ((theirs, keras), (ours, ks)):
        model.compile(optimizer=framework.optimizers.SGD(0.1))
    kwargs = dict(batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours.fit(x, y, **kwargs).history["loss"], theirs.fit(x, y, **kwargs).history["loss"],
                               rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
