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
