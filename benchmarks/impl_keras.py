"""Keras 3 `fit` / `evaluate` / `predict` on its JAX backend (run in its own process by run.py).

Spec options: `K=<int>|all` -> compile(steps_per_execution=...), `workers=<int>` -> the PyDataset's workers
(the `pydataset` workload).
"""

from __future__ import annotations

import os
import time

from benchmarks import common
from benchmarks.workloads import RESNET, TRANSFORMER, WORKLOADS, make_pydataset


def token_and_position(keras):
    """The transformer's input layer: token embeddings plus learned position embeddings (a custom layer)."""

    class TokenAndPosition(keras.layers.Layer):
        def __init__(self, vocab, maxlen, dim, **kwargs):
            super().__init__(**kwargs)
            self.tokens = keras.layers.Embedding(vocab, dim)
            self.positions = keras.layers.Embedding(maxlen, dim)

        def call(self, x):
            return self.tokens(x) + self.positions(keras.ops.arange(keras.ops.shape(x)[-1]))

    t = TRANSFORMER
    return TokenAndPosition(t["vocab"], t["maxlen"], t["dim"])


def transformer(keras):
    L, t = keras.layers, TRANSFORMER
    inputs = keras.Input((t["maxlen"],), dtype="int32")
    x = token_and_position(keras)(inputs)
    for _ in range(t["blocks"]):
        attention = L.MultiHeadAttention(t["heads"], t["key_dim"])(x, x)
        x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, attention]))
        ff = L.Dense(t["dim"])(L.Dense(t["ff"], activation="relu")(x))
        x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, ff]))
    x = L.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, L.Dense(t["classes"], activation="softmax")(x))


def resnet(keras):
    L = keras.layers

    def conv_bn(x, filters, strides=1, relu=True):
        x = L.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
        x = L.BatchNormalization()(x)
        return L.Activation("relu")(x) if relu else x

    inputs = keras.Input((32, 32, 3))
    x = conv_bn(inputs, RESNET["stem"])
    for filters, strides in RESNET["stages"]:
        shortcut = x
        if strides != 1 or shortcut.shape[-1] != filters:
            shortcut = L.BatchNormalization()(L.Conv2D(filters, 1, strides=strides, use_bias=False)(x))
        y = conv_bn(conv_bn(x, filters, strides), filters, relu=False)
        x = L.Activation("relu")(L.Add()([shortcut, y]))
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, L.Dense(RESNET["classes"], activation="softmax")(x))


def build(keras, name: str):
    L = keras.layers
    if name == "transformer":
        return transformer(keras)
    if name == "resnet":
        return resnet(keras)
    if name == "pydataset":
        name = "mlp"
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

    if w.pydataset:  # fit / evaluate / predict read a PyDataset (no batch size: it batches itself)
        data = make_pydataset(keras.utils.PyDataset, x, y, w.batch_size, int(opts.get("workers", 1)))
        fit_args, eval_args, predict_args, batch_size = (data,), (data,), (data,), None
    else:
        fit_args, eval_args, predict_args, batch_size = (x, y), (x, y), (x,), w.batch_size

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
    model.fit(*fit_args, batch_size=batch_size, epochs=1 + timed_epochs, verbose=0, callbacks=[timer])
    out = common.epoch_stats(t0, timer.ends)
    out.update(import_s=import_s, final_logs=timer.last_logs, steps_per_execution=k)
    out.update(common.time_calls("evaluate", lambda: model.evaluate(*eval_args, batch_size=batch_size, verbose=0),
                                 eval_reps))
    out.update(common.time_calls("predict", lambda: model.predict(*predict_args, batch_size=batch_size, verbose=0),
                                 eval_reps))
    out.update(common.time_whole_calls(
        lambda: model.fit(*fit_args, batch_size=batch_size, epochs=3, verbose=0), out["epoch_s"]))
    return out
