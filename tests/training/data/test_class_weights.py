"""The data checks of fit that change what is trained: class weights folded into sample weights, against Keras 3."""

import keras
import numpy as np
import pytest

import kerasish as ks


def _twin_classifiers():
    """The same softmax classifier in Keras 3 and in kerasish (same initial weights), trained by plain SGD."""
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    ours = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, activation="softmax")])
    ours.set_weights(theirs.get_weights())
    for model, framework in ((theirs, keras), (ours, ks)):
        model.compile(optimizer=framework.optimizers.SGD(0.5), loss="categorical_crossentropy")
    return ours, theirs


@pytest.mark.parametrize("targets", ["one_hot", "column_of_ids"])
def test_class_weight_weights_each_sample_by_its_class_as_keras(blobs, targets):
    """Keras takes the class of a one-hot row from its argmax, and of an (N, 1) column from its value."""
    x, labels = blobs
    class_weight = {0: 0.2, 1: 3.0, 2: 1.0}
    ours, theirs = _twin_classifiers()
    if targets == "column_of_ids":
        for model, framework in ((theirs, keras), (ours, ks)):
            model.compile(optimizer=framework.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
        y = labels[:, None]
    else:
        y = np.eye(3, dtype=np.float32)[labels]
    kwargs = dict(batch_size=32, epochs=2, shuffle=False, class_weight=class_weight, verbose=0)
    expected = theirs.fit(x, y, **kwargs).history["loss"]
    np.testing.assert_allclose(ours.fit(x, y, **kwargs).history["loss"], expected, rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
