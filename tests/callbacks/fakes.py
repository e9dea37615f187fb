"""A stand-in model and a driver that feed a callback a sequence of epoch logs, with no training.

The fake model's "weights" are the index of the epoch that produced them, so a restore is read off
directly. The same driver runs Keras 3's callbacks (they only touch `stop_training`, `get_weights`,
`set_weights` and `optimizer.learning_rate`), which makes Keras an oracle for the pure logic.
"""

import numpy as np


class FakeOptimizer:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate


class FakeModel:
    def __init__(self, learning_rate=0.1):
        self.stop_training = False
        self.epoch = -1  # the epoch whose end the weights are from
        self.optimizer = FakeOptimizer(learning_rate)

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.epoch = int(weights[0])


def drive(callback, values, key="loss", model=None, extra=None):
    """Runs `values` (one per epoch; None = key absent) through the callback's fit hooks.

    Returns:
      (model, epochs_run, learning_rates): the rate at the end of each epoch, after the callback.
    """
    model = model or FakeModel()
    model.stop_training = False
    callback.set_model(model)
    callback.set_params({"epochs": len(values), "steps": 1, "verbose": 0})
    callback.on_train_begin({})
    epochs_run, rates = 0, []
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch, {})
        model.epoch = epoch
        logs = dict(extra or {})
        if value is not None:
            logs[key] = value
        callback.on_epoch_end(epoch, logs)
        rates.append(model.optimizer.learning_rate)
        epochs_run += 1
        if model.stop_training:
            break
    callback.on_train_end({})
    return model, epochs_run, rates
