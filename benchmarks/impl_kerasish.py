"""kerasish `fit` / `evaluate` / `predict` on a workload (run in its own process by run.py).

Spec options (after "kerasish"): `K=<int>|all` -> compile(steps_per_execution=...), `unroll` ->
compile(unroll=True), `steps=<int>` -> fit(steps_per_epoch=...) on that many batches (time scaled),
`workers=<int>` -> the PyDataset's workers (the `pydataset` workload).
"""

from __future__ import annotations

import time

from benchmarks import common
from benchmarks.workloads import RESNET, TRANSFORMER, WORKLOADS, make_pydataset


def token_and_position(ks):
    """The transformer's input layer: token embeddings plus learned position embeddings (a custom layer)."""
    import jax.numpy as jnp

    class TokenAndPosition(ks.layers.Layer):
        def __init__(self, vocab, maxlen, dim, **kwargs):
            super().__init__(**kwargs)
            self.tokens = ks.layers.Embedding(vocab, dim)
            self.positions = ks.layers.Embedding(maxlen, dim)

        def build(self, input_shape):  # kerasish builds sublayers before tracing the call
            self.tokens.build_for(input_shape)
            self.positions.build_for((input_shape[-1],))

        def call(self, x):
            return self.tokens(x) + self.positions(jnp.arange(x.shape[-1]))

    t = TRANSFORMER
    return TokenAndPosition(t["vocab"], t["maxlen"], t["dim"])


def transformer(ks):
    L, t = ks.layers, TRANSFORMER
    inputs = ks.Input((t["maxlen"],), dtype="int32")
    x = token_and_position(ks)(inputs)
    for _ in range(t["blocks"]):
        attention = L.MultiHeadAttention(t["heads"], t["key_dim"])(x, x)
        x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, attention]))
        ff = L.Dense(t["dim"])(L.Dense(t["ff"], activation="relu")(x))
        x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, ff]))
    x = L.GlobalAveragePooling1D()(x)
    return ks.Model(inputs, L.Dense(t["classes"], activation="softmax")(x))


def resnet(ks):
    L = ks.layers

    def conv_bn(x, filters, strides=1, relu=True):
        x = L.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
        x = L.BatchNormalization()(x)
        return L.Activation("relu")(x) if relu else x

    inputs = ks.Input((32, 32, 3))
    x = conv_bn(inputs, RESNET["stem"])
    for filters, strides in RESNET["stages"]:
        shortcut = x
        if strides != 1 or shortcut.shape[-1] != filters:
            shortcut = L.BatchNormalization()(L.Conv2D(filters, 1, strides=strides, use_bias=False)(x))
        y = conv_bn(conv_bn(x, filters, strides), filters, relu=False)
        x = L.Activation("relu")(L.Add()([shortcut, y]))
    x = L.GlobalAveragePooling2D()(x)
    return ks.Model(inputs, L.Dense(RESNET["classes"], activation="softmax")(x))


def build(ks, name: str):
    L = ks.layers
    if name == "transformer":
        return transformer(ks)
    if name == "resnet":
        return resnet(ks)
    if name == "pydataset":
        name = "mlp"
    if name == "tiny":
        return ks.Sequential([ks.Input((2,)), L.Dense(1, activation="sigmoid")])
    if name == "mlp":
        return ks.Sequential([ks.Input((784,)), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")])
    if name == "cnn":
        return ks.Sequential([ks.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                              L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.5),
                              L.Dense(10, activation="softmax")])
    if name == "lstm":
        return ks.Sequential([ks.Input((100,), dtype="int32"), L.Embedding(10000, 64), L.LSTM(64),
                              L.Dense(1, activation="sigmoid")])
    raise ValueError(name)


def run(name: str, opts: dict, timed_epochs: int, eval_reps: int, x, y) -> dict:
    t = time.perf_counter()
    import kerasish as ks
    import_s = time.perf_counter() - t
    w = WORKLOADS[name]
    missing = [layer for layer in w.layers_needed if not hasattr(ks.layers, layer)]
    if missing:
        return {"skipped": f"kerasish has no {', '.join(missing)} yet"}

    steps_full = -(-len(x) // w.batch_size)
    steps = int(opts["steps"]) if "steps" in opts else None
    compile_kw = {}
    if "K" in opts:  # else compile's default (steps_per_execution="auto" since 46dce96)
        # "all": every full batch of the epoch in one chunk (the partial batch is its own chunk)
        full = steps or max(1, len(x) // w.batch_size)
        compile_kw["steps_per_execution"] = full if opts["K"] == "all" else int(opts["K"])
    if "unroll" in opts:
        compile_kw["unroll"] = True

    if w.pydataset:  # fit / evaluate / predict read a PyDataset (no batch size: it batches itself)
        data = make_pydataset(ks.utils.PyDataset, x, y, w.batch_size, int(opts.get("workers", 1)))
        fit_args, eval_args, predict_args, batch_size = (data,), (data,), (data,), None
    else:
        fit_args, eval_args, predict_args, batch_size = (x, y), (x, y), (x,), w.batch_size

    class Timer(ks.callbacks.Callback):
        reads_weights_during_training = False  # the timer itself must not make fit write weights back

        def __init__(self):
            super().__init__()
            self.ends = []

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(common.mark())
            self.last_logs = dict(logs or {})

    timer = Timer()
    t0 = common.mark()
    ks.utils.set_random_seed(0)
    model = build(ks, name)
    opt = ks.optimizers.SGD(w.learning_rate) if w.optimizer == "sgd" else ks.optimizers.Adam(w.learning_rate)
    model.compile(optimizer=opt, loss=w.loss, metrics=["accuracy"], **compile_kw)
    model.fit(*fit_args, batch_size=batch_size, epochs=1 + timed_epochs, verbose=0, callbacks=[timer],
              steps_per_epoch=steps)
    out = common.epoch_stats(t0, timer.ends)
    engine = model._training.engine
    k = engine.execution_size(steps or steps_full) if hasattr(engine, "execution_size") \
        else engine.steps_per_execution
    out.update(import_s=import_s, final_logs=timer.last_logs, steps_per_execution=k,
               compiled_programs=model.compiled_programs(), note="a step per batch" if w.pydataset else f"K={k}")
    if steps is not None:
        out["scale"] = steps_full / steps
    ev = lambda: model.evaluate(*eval_args, batch_size=batch_size, verbose=0)
    pr = lambda: model.predict(*predict_args, batch_size=batch_size, verbose=0)
    out.update(common.time_calls("evaluate", ev, eval_reps))
    out.update(common.time_calls("predict", pr, eval_reps))
    if steps is None:  # the whole call a user makes: fit(epochs=3), argument checks and data preparation included
        out.update(common.time_whole_calls(
            lambda: model.fit(*fit_args, batch_size=batch_size, epochs=3, verbose=0), out["epoch_s"]))
    return out
