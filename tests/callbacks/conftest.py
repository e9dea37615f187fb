import numpy as np
import pytest

import kerasish as ks
from tests.callbacks.twins import Twins


@pytest.fixture(scope="session")
def twins():
    """One Keras/kerasish pair for the whole session: compiled once, restarted by `twins.fit`."""
    pytest.importorskip("keras")
    return Twins()


class Trainer:
    """A tiny regression model (plain SGD: no optimizer state) compiled once; `fit` restarts it from the same
    weights. 32 training samples in 4 batches of 8, 16 validation samples."""

    def __init__(self):
        rng = np.random.default_rng(0)
        w = np.array([[1.0], [-2.0], [0.5]], np.float32)
        self.x = rng.normal(size=(32, 3)).astype(np.float32)
        self.y = (self.x @ w + rng.normal(0, 0.3, (32, 1))).astype(np.float32)
        self.xv = rng.normal(size=(16, 3)).astype(np.float32)
        self.yv = (self.xv @ w).astype(np.float32)
        ks.utils.set_random_seed(0)
        self.model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(4, activation="relu"), ks.layers.Dense(1)])
        self.model.compile(optimizer=ks.optimizers.SGD(0.05), loss="mse")
        self.initial = self.model.get_weights()

    def fit(self, callbacks, epochs=3, validation=True, **kwargs):
        self.model.set_weights(self.initial)
        self.model.optimizer.learning_rate = 0.05
        if validation:
            kwargs["validation_data"] = (self.xv, self.yv)
        return self.model.fit(self.x, self.y, batch_size=8, epochs=epochs, shuffle=False, verbose=0,
                              callbacks=callbacks, **kwargs)


@pytest.fixture(scope="session")
def trainer():
    return Trainer()
