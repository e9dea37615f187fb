"""Programs the orbax checkpoint tests run in fresh processes (device counts and jax.distributed are fixed at start).

    python -m tests.distribution.orbax_workers devices WORK            8 host devices: ModelParallel on a 2x4 mesh
    python -m tests.distribution.orbax_workers process PORT RANK WORK  one of two processes of a jax.distributed run

Every setting trains the same small model three times over: uninterrupted (`reference`), interrupted by `Probe`
right after a backup (`stopped`), and resumed from a copy of that backup on several layouts. `Probe` takes the
live train state to the host when a fit starts its first dispatch (`first`: for a resumed fit, the restored
state) and where it interrupts (`last`: the state the backup holds). Results go to WORK as `<run>.npz` (arrays)
and `<run>.json`; the test compares them.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

import numpy as np

from tests.distribution import workers


def host(leaf):
    """`leaf` as one NumPy array (a PRNG key as its raw data), gathered from every process when it is split."""
    import jax
    from jax.experimental import multihost_utils

    if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
        leaf = jax.random.key_data(leaf)
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        return np.asarray(multihost_utils.process_allgather(leaf, tiled=True))
    return np.asarray(leaf)


def host_state(state) -> list[np.ndarray]:
    import jax

    return [host(leaf) for leaf in jax.tree.leaves(state)]


def make_probe(ks):
    class Probe(ks.callbacks.Callback):
        """Records the live train state at the first dispatch of a fit; at batch `stop = (epoch, batch)` (the
        first batch after a backup, where a dispatch starts) records it again and interrupts the fit."""

        batch_hooks_may_be_grouped = True  # the dispatches stay as fused as without it

        def __init__(self, stop=None):
            super().__init__()
            self.stop, self.first, self.last, self.first_specs, self.optimizer = stop, None, None, None, None

        @property
        def reads_weights_during_training(self):
            return False

        def on_train_batch_begin(self, batch, logs=None):
            run = self.fit_run
            if self.first is None:
                import jax

                self.first = host_state(run.state)
                self.first_specs = [str(getattr(leaf.sharding, "spec", None))
                                    for leaf in jax.tree.leaves(run.state["params"])]
            if self.stop == (run.epoch, batch):
                self.last = host_state(run.state)
                raise KeyboardInterrupt

        def on_epoch_end(self, epoch, logs=None):
            self.optimizer = host_state(self.fit_run.state["opt"])  # at the last epoch's end: the final one

    return Probe


def save_run(work, name, model, probe, history, extra=None):
    """Writes what a run left (process 0 of several writes the arrays: they are gathered, the same everywhere)."""
    import jax

    rank = jax.process_index()
    weights = [host(v[...]) for v in model.weights]  # a split weight gathered from every process
    arrays = {f"weight_{i}": w for i, w in enumerate(weights)}
    for key in ("first", "last", "optimizer"):
        for i, value in enumerate(getattr(probe, key) or []):
            arrays[f"{key}_{i}"] = value
    if rank == 0:
        np.savez(os.path.join(work, f"{name}.npz"), **arrays)
    result = {"history": history, "first_specs": probe.first_specs, **(extra or {})}
    with open(os.path.join(work, f"{name}.{rank}.json"), "w") as f:
        json.dump(result, f)


def devices(work: str) -> None:
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
    import jax

    import kerasish as ks
    from kerasish import distribution as dist

    Probe = make_probe(ks)
    x, y = workers.data()
    fit = dict(batch_size=8, epochs=3, validation_split=0.25, shuffle=True, verbose=0)  # 9 batches an epoch

    def model_parallel(shape, kernel, bias):
        layout = dist.LayoutMap(dist.DeviceMesh(shape, ("batch", "model")))
        layout["dense.*/kernel"], layout["dense.*/bias"] = kernel, bias
        return dist.ModelParallel(layout_map=layout)

    def build(distribution):
        dist.set_distribution(distribution)
        try:
            return workers.model(ks, dropout=0.1)
        finally:
            dist.set_distribution(None)

    def run(name, distribution, backup, stop=None):
        model, probe = build(distribution), Probe(stop)
        callbacks = [ks.callbacks.EarlyStopping(patience=2, restore_best_weights=True), probe]
        if backup:  # the reference runs without: no dispatch is cut at backup points
            callbacks.insert(0, ks.callbacks.BackupAndRestore(os.path.join(work, backup), save_freq=4))
        try:
            history = model.fit(x, y, callbacks=callbacks, **fit).history
        except KeyboardInterrupt:
            history = None
        save_run(work, name, model, probe, history,
                 {"backup": sorted(os.listdir(os.path.join(work, backup))) if stop else None})
        return model

    split = model_parallel((2, 4), (None, "model"), ("model",))
    layouts = {"same_mesh": split, "other_mesh": model_parallel((4, 2), ("model", None), (None,)),
               "data_parallel": dist.DataParallel(), "one_device": None}
    reference = run("reference", split, None)
    # backups after the 4th and 8th batch of epoch 0, after the 3rd of epoch 1: interrupted mid-epoch there
    run("stopped", split, "backup", stop=(1, 3))
    for name, distribution in layouts.items():
        shutil.copytree(os.path.join(work, "backup"), os.path.join(work, name))
        run(name, distribution, name)

    # A backup written on one device (a file) resumes on the 2x4 mesh.
    run("file_stopped", None, "file_backup", stop=(1, 3))
    run("file_resumed", split, "file_backup")

    # Weights and whole models saved from the 2x4 mesh, loaded onto other layouts.
    reference.save_weights(os.path.join(work, "weights.orbax"))
    reference.save(os.path.join(work, "model.orbax"))
    loaded = {}
    for name, distribution in layouts.items():
        model = build(distribution)
        model.predict(x[:8], verbose=0)  # places the weights on the layout
        model.load_weights(os.path.join(work, "weights.orbax"))
        loaded[name] = {"specs": [str(getattr(v[...].sharding, "spec", None)) for v in model.weights],
                        "devices": [len(v[...].sharding.device_set) for v in model.weights],
                        "weights": [w.tolist() for w in model.get_weights()]}
    whole = ks.models.load_model(os.path.join(work, "model.orbax"))
    results = {"devices": jax.device_count(), "loaded": loaded,
               "reference_weights": [w.tolist() for w in reference.get_weights()],
               "reference_optimizer": [np.asarray(a).tolist() for a in reference.get_optimizer_state()],
               "model_weights": [w.tolist() for w in whole.get_weights()],
               "model_optimizer": [np.asarray(a).tolist() for a in whole.get_optimizer_state()],
               "reference_predict": reference.predict(x, verbose=0).tolist(),
               "model_predict": whole.predict(x, verbose=0).tolist()}
    with open(os.path.join(work, "devices.json"), "w") as f:
        json.dump(results, f)


def process(port: str, rank: str, work: str) -> None:
    import jax

    import kerasish as ks
    from kerasish import distribution as dist

    dist.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=int(rank))
    Probe = make_probe(ks)
    x, y = workers.data()
    x_val, y_val = workers.data(seed=1)
    half = workers.SAMPLES // 2
    share = slice(int(rank) * half, (int(rank) + 1) * half)  # this process's rows
    # global batches of 16: 8 rows of each process, 6 batches an epoch
    fit = dict(batch_size=16, epochs=3, shuffle=True, verbose=0, validation_data=(x_val[share], y_val[share]))

    def build(split):
        mesh = dist.DeviceMesh((2,), ("batch",))  # one device per process
        layout = dist.LayoutMap(mesh)
        if split:
            layout["dense.*/kernel"] = (None, "batch")  # each process holds half of every kernel
        dist.set_distribution(dist.ModelParallel(layout_map=layout))
        try:
            return workers.model(ks, dropout=0.1)
        finally:
            dist.set_distribution(None)

    def run(name, split, backup, stop=None):
        model, probe = build(split), Probe(stop)
        callbacks = [ks.callbacks.EarlyStopping(patience=3), ks.callbacks.CSVLogger(os.path.join(work, f"{name}.csv")),
                     ks.callbacks.ModelCheckpoint(os.path.join(work, f"{name}.orbax"), monitor="loss"), probe]
        if backup:  # the reference runs without: no dispatch is cut at backup points
            callbacks.insert(0, ks.callbacks.BackupAndRestore(os.path.join(work, backup), save_freq=4))
        try:
            history = model.fit(x[share], y[share], callbacks=callbacks, **fit).history
        except KeyboardInterrupt:
            history = None
        kernel = model.layers[0].kernel[...]
        save_run(work, name, model, probe, history, {
            "kernel_shard": list(kernel.addressable_shards[0].data.shape), "kernel_shape": list(kernel.shape)})
        return model

    reference = run("reference", True, None)
    try:  # its Adam moments are split over the processes: get_optimizer_state cannot read them on one host
        reference.save(os.path.join(work, "saved.orbax"))
        refused = None
    except ValueError as err:
        refused = str(err)
    reference.save(os.path.join(work, "saved.orbax"), include_optimizer=False)
    with open(os.path.join(work, f"save.{rank}.json"), "w") as f:
        json.dump({"refused": refused}, f)
    # backups after the 4th batch of epoch 0, the 2nd of epoch 1: interrupted mid-epoch there
    run("stopped", True, "backup", stop=(1, 2))
    if int(rank) == 0:
        shutil.copytree(os.path.join(work, "backup"), os.path.join(work, "kept"))  # for the one-device test
        for name in ("same_mesh", "replicated"):
            shutil.copytree(os.path.join(work, "backup"), os.path.join(work, name))
    from jax.experimental import multihost_utils

    multihost_utils.sync_global_devices("copied")
    run("same_mesh", True, "same_mesh")
    run("replicated", False, "replicated")
    jax.distributed.shutdown()


if __name__ == "__main__":
    {"devices": devices, "process": process}[sys.argv[1]](*sys.argv[2:])
