"""Keras 3 `fit` / `evaluate` / `predict` on its JAX backend (run in its own process by run.py).

Spec options: `K=<int>|all` -> compile(steps_per_execution=...).
"""

from __future__ import annotations

import os
import time

from benchmarks import common
from benchmarks.workloads import WORKLOADS


def build(keras, name: str):
    L = keras.layers
    if name == "tiny":
        return keras.Sequential([keras.Input((2,)), L.Dense(1, activation="sigmoid")])
    if name == "mlp":
        return keras.Sequential([keras.Input((784,)), L.Dense(128, activation="relu"),
                                 L.Dense(10, activation="softmax")])
    if name == "cnn":
        return keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                                 L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.5),
                                 L.Dense(10, activation="softmax")])
    if name == "lstm":
        return keras.Sequential([keras.Input((100,), dtype="int32"), L.Embedding(10000, 64), L.LSTM(64),
                                 L.Dense(1, activation="sigmoid")])
    raise ValueError(name)


def run(name: str, opts: dict, timed_epochs: int, eval_reps: int, x, y) -> dict:
    os.environ["KERAS_BACKEND"] = "jax"
    t = time.perf_counter()
    import keras
    import_s = time.perf_counter() - t
    assert keras.backend.backend() == "jax", keras.backend.backend()
    w = WORKLOADS[name]
    steps_full = -(-len(x) // w.batch_size)
    k = opts.get("K", 1)
    k = steps_full if k == "all" else int(k)

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ends = []

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(common.mark())
            self.last_logs = {key: float(v) for key, v in (logs or {}).items()}

    timer = Timer()
    t0 = common.mark()
    keras.utils.set_random_seed(0)
    model = build(keras, name)
    opt = keras.optimizers.SGD(w.learning_rate) if w.optimizer == "sgd" else keras.optimizers.Adam(w.learning_rate)
    model.compile(optimizer=opt, loss=w.loss, metrics=["accuracy"], steps_per_execution=k)
    model.fit(x, y, batch_size=w.batch_size, epochs=1 + timed_epochs, verbose=0, callbacks=[timer])
    out = common.epoch_stats(t0, timer.ends)
    out.update(import_s=import_s, final_logs=timer.last_logs, steps_per_execution=k)
    out.update(common.time_calls("evaluate", lambda: model.evaluate(x, y, batch_size=w.batch_size, verbose=0),
                                 eval_reps))
    out.update(common.time_calls("predict", lambda: model.predict(x, batch_size=w.batch_size, verbose=0), eval_reps))
    return out
