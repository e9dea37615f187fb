"""Programs the distribution tests run in fresh processes (device counts and jax.distributed are fixed at start).

    python -m tests.distribution.workers devices OUT           8 host devices: one device, DataParallel, ModelParallel
    python -m tests.distribution.workers process PORT RANK OUT  one of two processes of a jax.distributed run
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

SAMPLES, FEATURES, CLASSES = 96, 8, 4


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(SAMPLES, FEATURES)).astype(np.float32)
    y = (x[:, :CLASSES] + 0.3 * rng.normal(size=(SAMPLES, CLASSES))).argmax(1).astype(np.int32)
    return x, y


def model(ks, dropout: float = 0.0):
    ks.utils.set_random_seed(3)
    layers = [ks.Input((FEATURES,)), ks.layers.Dense(16, activation="relu")]
    if dropout:
        layers.append(ks.layers.Dropout(dropout))
    m = ks.Sequential(layers + [ks.layers.Dense(CLASSES, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def devices(out: str) -> None:
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
    import jax

    import kerasish as ks
    from kerasish import distribution as dist

    x, y = data()
    fit = dict(batch_size=20, epochs=3, validation_split=0.25, shuffle=True, verbose=0)  # 72 rows: last batch 12
    results = {"devices": jax.device_count()}

    single = model(ks, dropout=0.1)
    results["single"] = single.fit(x, y, **fit).history
    results["single_predict"] = single.predict(x, verbose=0).tolist()

    with dist.DataParallel().scope():
        data_parallel = model(ks, dropout=0.1)
    results["data_parallel"] = data_parallel.fit(x, y, **fit).history
    results["data_parallel_predict"] = data_parallel.predict(x, verbose=0).tolist()
    results["data_parallel_kernel"] = str(data_parallel.layers[0].kernel[...].sharding.spec)

    from kerasish.training.data import host_memory as training_data
    room, training_data.device_room = training_data.device_room, lambda: 0  # as if the data did not fit
    with dist.DataParallel().scope():
        streamed = model(ks, dropout=0.1)
    results["data_parallel_streamed"] = streamed.fit(x, y, **fit).history
    training_data.device_room = room

    mesh = dist.DeviceMesh((2, 4), ("batch", "model"))
    layout = dist.LayoutMap(mesh)
    layout["dense.*/kernel"] = (None, "model")
    layout["dense.*/bias"] = ("model",)
    dist.set_distribution(dist.ModelParallel(layout_map=layout))
    model_parallel = model(ks, dropout=0.1)
    dist.set_distribution(None)
    results["model_parallel"] = model_parallel.fit(x, y, **fit).history
    results["model_parallel_predict"] = model_parallel.predict(x, verbose=0).tolist()
    results["model_parallel_evaluate"] = model_parallel.evaluate(x, y, verbose=0)
    results["single_evaluate"] = single.evaluate(x, y, verbose=0)
    kernels = [layer.kernel[...] for layer in model_parallel.layers if hasattr(layer, "kernel")]
    results["model_parallel_kernels"] = [str(k.sharding.spec) for k in kernels]
    results["model_parallel_shard_shapes"] = [list(k.addressable_shards[0].data.shape) for k in kernels]
    moments = [leaf for leaf in jax.tree.leaves(model_parallel._training.live.opt_state) if np.ndim(leaf) == 2]
    results["model_parallel_moments"] = [str(m.sharding.spec) for m in moments]

    compiles = []
    compile_event = "/jax/core/compile/backend_compile_duration"
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, _, **kw: compiles.append(event) if event == compile_event else None)
    for m in (data_parallel, model_parallel):
        m.fit(x, y, **fit)
    results["compiles_on_refit"] = len(compiles)
    with open(out, "w") as f:
        json.dump(results, f)


def process(port: str, rank: str, out: str) -> None:
    import jax

    import kerasish as ks
    from kerasish import distribution as dist

    dist.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=int(rank))
    x, y = data()
    half = SAMPLES // 2
    share = slice(int(rank) * half, (int(rank) + 1) * half)  # this process's rows
    x_val, y_val = data(seed=1)
    dist.set_distribution(dist.DataParallel())
    m = model(ks)
    history = m.fit(x[share], y[share], batch_size=16, epochs=6, shuffle=False, verbose=0,
                    validation_data=(x_val[share], y_val[share]),
                    callbacks=[ks.callbacks.EarlyStopping(patience=1, min_delta=0.05),
                               ks.callbacks.CSVLogger(out + ".csv")])  # written by process 0 only
    result = {"devices": jax.device_count(), "processes": jax.process_count(), "history": history.history,
              "weights": [w.tolist() for w in m.get_weights()],
              "predict": m.predict(x[share], batch_size=16, verbose=0).tolist(),
              "evaluate": m.evaluate(x_val[share], y_val[share], batch_size=16, verbose=0),
              "csv_written": os.path.exists(out + ".csv")}
    # An iterable of batches: each process yields its own 8 rows of every global batch of 16.
    batches = [(x[share][i:i + 8], y[share][i:i + 8]) for i in range(0, half, 8)]
    fed = model(ks)
    fed.fit(batches, epochs=1, verbose=0)
    result["iterable_weights"] = [w.tolist() for w in fed.get_weights()]
    with open(out, "w") as f:
        json.dump(result, f)
    jax.distributed.shutdown()


if __name__ == "__main__":
    {"devices": devices, "process": process}[sys.argv[1]](*sys.argv[2:])
