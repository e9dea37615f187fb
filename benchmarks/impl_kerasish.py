"""kerasish `fit` / `evaluate` / `predict` on a workload (run in its own process by run.py).

Spec options (after "kerasish"): `K=<int>|all` -> compile(steps_per_execution=...), `unroll` ->
compile(unroll=True), `steps=<int>` -> fit(steps_per_epoch=...) on that many batches (time scaled).
"""

from __future__ import annotations

import time

from benchmarks import common
from benchmarks.workloads import WORKLOADS


def build(ks, name: str):
    L = ks.layers
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
    model.fit(x, y, batch_size=w.batch_size, epochs=1 + timed_epochs, verbose=0, callbacks=[timer],
              steps_per_epoch=steps)
    out = common.epoch_stats(t0, timer.ends)
    engine = model._training.engine
    k = engine.execution_size(steps or steps_full) if hasattr(engine, "execution_size") \
        else engine.steps_per_execution
    out.update(import_s=import_s, final_logs=timer.last_logs, steps_per_execution=k,
               compiled_programs=model.compiled_programs(), note=f"K={k}")
    if steps is not None:
        out["scale"] = steps_full / steps
    ev = lambda: model.evaluate(x, y, batch_size=w.batch_size, verbose=0)
    pr = lambda: model.predict(x, batch_size=w.batch_size, verbose=0)
    out.update(common.time_calls("evaluate", ev, eval_reps))
    out.update(common.time_calls("predict", pr, eval_reps))
    return out
