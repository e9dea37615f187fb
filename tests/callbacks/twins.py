"""The same small MLP in Keras 3 and in kerasish, for oracle tests of callbacks on real fits."""

import numpy as np

import kerasish as ks


class Twins:
    """The same MLP in Keras and in kerasish, with the same initial weights, trained by plain SGD (no optimizer
    state besides the learning rate), so every test restarts both from `initial` without recompiling anything.

    On this data (40 training, 16 validation samples, batch 8) the validation loss falls to a first low at
    epoch 2 (0-based), wanders above it until epoch 19, then reaches lower lows at epochs 21 and 23; the two
    models' curves agree to float32 rounding.
    """

    learning_rate = 0.2

    def __init__(self):
        import keras

        rng = np.random.default_rng(0)
        w = np.array([[1.0], [-2.0], [0.5]], np.float32)
        self.x = rng.normal(size=(40, 3)).astype(np.float32)
        self.y = (self.x @ w + rng.normal(0, 0.5, (40, 1))).astype(np.float32)
        self.xv = rng.normal(size=(16, 3)).astype(np.float32)
        self.yv = (self.xv @ w + rng.normal(0, 0.5, (16, 1))).astype(np.float32)
        keras.utils.set_random_seed(0)
        self.reference = keras.Sequential([keras.Input((3,)), keras.layers.Dense(32, activation="relu"),
                                           keras.layers.Dense(1)])
        self.reference.compile(optimizer=keras.optimizers.SGD(self.learning_rate), loss="mse", metrics=["mae"])
        self.ours = ks.Sequential([ks.Input((3,)), ks.layers.Dense(32, activation="relu"), ks.layers.Dense(1)])
        self.ours.compile(optimizer=ks.optimizers.SGD(self.learning_rate), loss="mse", metrics=["mae"])
        self.initial = self.reference.get_weights()

    def fit(self, model, callbacks, epochs=30, **kwargs):
        """Restarts `model` from the initial weights and learning rate, then fits it; returns the history dict."""
        model.set_weights(self.initial)
        model.optimizer.learning_rate = self.learning_rate
        return model.fit(self.x, self.y, batch_size=8, epochs=epochs, validation_data=(self.xv, self.yv),
                         shuffle=False, verbose=0, callbacks=callbacks, **kwargs).history
