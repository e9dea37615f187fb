"""A prototype of kerasish's epoch loop, outside the package, to measure what each change would save.

It drives kerasish's own pure train step (`Engine._train_step`, `Engine._loop`) on a kerasish model,
with the loop of `training/loop.run_fit` re-written here so that each mechanism can be switched:

  plan=host     index batches made on the host each epoch (np.permutation + group_batches/np.stack), as now
  plan=device   the permutation made on the device (one jitted call per epoch); each chunk slices its
                K x batch indices from it at an offset (no index array built or sent per dispatch)
  plan=fused    one program per epoch (needs K=all): on-device permutation, scan over the full batches,
                the partial batch, metric reset and read-out -- one dispatch and one transfer per epoch
  read=two      engine.read_metrics (eager jnp ops + device_get) then engine.learning_rate (another sync), as now
  read=one      metric results and learning rate computed in one jitted call, fetched by one device_get
  reset=host    engine.init_metrics() each epoch (one jnp.zeros dispatch per accumulator), as now
  reset=jit     one jitted call returns the state with zeroed accumulators
  push=end      write back only when fit ends (now: History no longer asks for weights each epoch)
  push=epoch    nnx.update into the model every epoch (what a callback reading weights triggers)
  donate=0|1    donate the train state to the compiled chunk (donate_argnums)
  flat=0|1      pass the state as a flat list of arrays (no NNX State flatten/unflatten in Python per
                dispatch; the pytree structure is rebuilt inside the traced function)
  K=<int>|all, unroll   steps per dispatch, as compile(steps_per_execution=..., unroll=...)

    .venv/bin/python benchmarks/proto_loop.py --workload tiny --epochs 20 --rounds 7
    .venv/bin/python benchmarks/proto_loop.py --workload mlp --epochs 3 --rounds 3

All configurations run in ONE process on the same data, interleaved round by round (each round runs
`--epochs` epochs of every configuration, in a rotating order), so the machine's load hits them
alike; the real `model.fit` (default compile) is one of the rows. Prints the median ms/epoch of each
and the saving against the row that reproduces the current loop.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.workloads import WORKLOADS, make_data  # noqa: E402

BASE = {"plan": "host", "read": "two", "reset": "host", "push": "end", "donate": "0", "flat": "0", "K": "1",
        "unroll": "0"}


class ProtoFit:
    """One configuration of the loop over one engine and dataset; keeps its own train state."""

    def __init__(self, engine, model, arrays, batch_size: int, cfg: dict, seed: int = 0) -> None:
        import jax
        import jax.numpy as jnp
        import numpy as np
        from jax import lax

        from kerasish import optimizers as kopt
        from kerasish.training import data as kdata

        self.cfg = cfg = {**BASE, **cfg}
        self.engine, self.model, self.jax, self.np = engine, model, jax, np
        self.ds = kdata.ArrayBatches(arrays, batch_size, shuffle=True, seed=seed)
        self.group_batches = kdata.group_batches
        self.data = self.ds.device_arrays
        n, b = self.ds.num_samples, batch_size
        self.n, self.b = n, b
        self.nf, self.rem = divmod(n, b)
        self.k = max(1, self.nf) if cfg["K"] == "all" else int(cfg["K"])  # all: every full batch
        self.flat = cfg["flat"] == "1"
        donate = (0,) if cfg["donate"] == "1" else ()
        unroll = cfg["unroll"] == "1"
        state = jax.tree.map(jnp.copy, engine.pull_state())
        self.treedef = jax.tree.structure(state)
        self.state = jax.tree.leaves(state) if self.flat else state
        self.history: list[dict] = []

        def loop(state, data, index):
            if index.shape[0] == 1:
                return engine._train_step(state, jax.tree.map(lambda a: a[index[0]], data))
            gather = lambda i: jax.tree.map(lambda a: a[i], data)
            state, _ = lax.scan(lambda s, i: (engine._train_step(s, gather(i)), None), state, index, unroll=unroll)
            return state

        def results(state):
            out = engine.objectives.results(state["metrics"])
            node = kopt._find_injected(state["opt"])
            lr = None if node is None else node.hyperparams["learning_rate"]
            return out, lr

        def reset(state):
            return {**state, "metrics": engine.init_metrics()}

        def host_chunk(state, data, index):
            return loop(state, data, index)

        def device_chunk(state, data, perm, start, k, size):
            index = lax.dynamic_slice_in_dim(perm, start, k * size).reshape(k, size)
            return loop(state, data, index)

        def perm_fn(epoch):
            key = jax.random.fold_in(jax.random.key(seed), epoch)
            return jax.random.permutation(key, n).astype(jnp.int32)

        nf, rem = self.nf, self.rem

        def fused_epoch(state, data, epoch):
            state = reset(state)
            perm = perm_fn(epoch)
            state, _ = lax.scan(lambda s, i: (engine._train_step(s, jax.tree.map(lambda a: a[i], data)), None),
                                state, perm[:nf * b].reshape(nf, b), unroll=unroll)
            if rem:
                state = engine._train_step(state, jax.tree.map(lambda a: a[perm[nf * b:]], data))
            return state, results(state)

        def flat_in(fn, has_aux=False):
            """fn(state, ...) -> state  becomes  fn(leaves, ...) -> leaves (structure rebuilt in the trace)."""
            if not self.flat:
                return fn

            def wrapped(leaves, *args, **kwargs):
                out = fn(self.treedef.unflatten(leaves), *args, **kwargs)
                if has_aux:
                    return jax.tree.leaves(out[0]), out[1]
                if isinstance(out, dict) and set(out) == {"params", "rest", "opt", "metrics"}:
                    return jax.tree.leaves(out)
                return out
            return wrapped

        self.host_chunk = jax.jit(flat_in(host_chunk), donate_argnums=donate)
        self.device_chunk = jax.jit(flat_in(device_chunk), donate_argnums=donate, static_argnames=("k", "size"))
        self.perm_fn = jax.jit(perm_fn)
        self.fused_epoch = jax.jit(flat_in(fused_epoch, has_aux=True), donate_argnums=donate)
        self.results = jax.jit(flat_in(results))
        self.reset = jax.jit(flat_in(reset), donate_argnums=donate)
        self.epoch_index = 0

    def tree(self):
        return self.treedef.unflatten(self.state) if self.flat else self.state

    def run_epoch(self) -> dict:
        jax, np, cfg, engine = self.jax, self.np, self.cfg, self.engine
        epoch = self.epoch_index
        self.epoch_index += 1
        if cfg["plan"] == "fused":
            self.state, (logs, lr) = self.fused_epoch(self.state, self.data, epoch)
            logs, lr = jax.device_get((logs, lr))
            logs = {k: float(v) for k, v in logs.items()}
            if lr is not None:
                logs["learning_rate"] = float(str(np.asarray(lr)[()]))
        else:
            if cfg["reset"] == "host":
                state = self.tree()
                state = {**state, "metrics": engine.init_metrics()}
                self.state = jax.tree.leaves(state) if self.flat else state
            else:
                self.state = self.reset(self.state)
            if cfg["plan"] == "host":
                for index in self.group_batches(self.ds.epoch(), self.k):
                    self.state = self.host_chunk(self.state, self.data, index)
            else:
                perm = self.perm_fn(epoch)
                b, k = self.b, self.k
                step = 0
                while step < self.nf:
                    kk = min(k, self.nf - step)
                    self.state = self.device_chunk(self.state, self.data, perm, step * b, k=kk, size=b)
                    step += kk
                if self.rem:
                    self.state = self.device_chunk(self.state, self.data, perm, self.nf * b, k=1, size=self.rem)
            if cfg["read"] == "two":
                state = self.tree()
                logs = engine.read_metrics(state["metrics"])
                engine.state = state
                lr = engine.learning_rate()
                engine.state = None
                if lr is not None:
                    logs["learning_rate"] = lr
            else:
                logs, lr = jax.device_get(self.results(self.state))
                logs = {k: float(v) for k, v in logs.items()}
                if lr is not None:
                    logs["learning_rate"] = float(str(np.asarray(lr)[()]))
        if cfg["push"] == "epoch":
            engine.push_state(self.tree())
        self.history.append(logs)
        return logs

    def finish(self) -> None:
        self.engine.push_state(self.tree())


def make(workload: str, x, y, k_for_fit=None):
    import kerasish as ks
    from benchmarks.impl_kerasish import build
    from kerasish.training import data as kdata
    w = WORKLOADS[workload]
    ks.utils.set_random_seed(0)
    model = build(ks, workload)
    opt = ks.optimizers.SGD(w.learning_rate) if w.optimizer == "sgd" else ks.optimizers.Adam(w.learning_rate)
    kw = {} if k_for_fit is None else {"steps_per_execution": k_for_fit}
    model.compile(optimizer=opt, loss=w.loss, metrics=["accuracy"], **kw)
    arrays = kdata.prepare_arrays(x, y, None)
    model._prepare_engine(arrays[0], arrays[1])
    return ks, model, arrays


CONFIGS = {  # label -> overrides of BASE
    "current loop (as run_fit)": {},
    "+ read=one": {"read": "one"},
    "+ reset=jit": {"reset": "jit"},
    "+ push=epoch (as before History stopped reading weights)": {"push": "epoch"},
    "+ reset=jit + donate": {"reset": "jit", "donate": "1"},  # donation needs distinct buffers: see README
    "+ flat": {"flat": "1"},
    "+ plan=device": {"plan": "device"},
    "all of the above, K=1": {"read": "one", "reset": "jit", "donate": "1", "flat": "1", "plan": "device"},
    "current loop, K=all": {"K": "all"},
    "K=all + read=one": {"K": "all", "read": "one"},
    "K=all + reset=jit": {"K": "all", "reset": "jit"},
    "K=all + reset=jit + donate": {"K": "all", "reset": "jit", "donate": "1"},
    "K=all + flat": {"K": "all", "flat": "1"},
    "K=all + plan=device": {"K": "all", "plan": "device"},
    "all but plan=device, K=all": {"read": "one", "reset": "jit", "donate": "1", "flat": "1", "K": "all"},
    "fused epoch (plan=fused, K=all)": {"plan": "fused", "push": "end", "donate": "1", "flat": "1", "K": "all"},
}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workload", default="tiny", choices=sorted(WORKLOADS))
    p.add_argument("--epochs", type=int, default=20, help="epochs per configuration per round")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--configs", default="", help="comma-separated labels' indices (default: all)")
    p.add_argument("--no-fit", action="store_true", help="leave out the real model.fit rows")
    p.add_argument("--no-hand", action="store_true", help="leave out the hand-written rows")
    args = p.parse_args(argv)
    w = WORKLOADS[args.workload]
    x, y = make_data(args.workload)
    ks, model, arrays = make(args.workload, x, y, 1)
    engine = model._engine
    chosen = list(CONFIGS.items())
    if args.configs:
        chosen = [chosen[int(i)] for i in args.configs.split(",")]
    protos = {}
    t = time.perf_counter()
    for label, cfg in chosen:
        protos[label] = ProtoFit(engine, model, arrays, w.batch_size, cfg)
        protos[label].run_epoch()  # compile
        protos[label].run_epoch()
    fit_models = {}
    if not args.no_fit:
        # the real fit, on models of their own (so their engines and compiled programs are their own)
        for label, k in (("model.fit, K=1", 1), ("model.fit, default compile", None)):
            fit_models[label] = make(args.workload, x, y, k)[1]
            for _ in range(2):  # the second fit recompiles (graph definition changes in the first)
                fit_models[label].fit(x, y, batch_size=w.batch_size, epochs=1, verbose=0)
    hands = {}
    if not args.no_hand:
        from benchmarks.impl_jax import HandLoop
        for variant in ("jit", "scan"):
            hands[f"hand-written {variant}"] = HandLoop(args.workload, {}, x, y, variant)
            hands[f"hand-written {variant}"].epoch(0)
    print(f"compiled in {time.perf_counter() - t:.1f} s; load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    times: dict[str, list[float]] = {label: [] for label in protos}
    cpu: dict[str, list[float]] = {label: [] for label in protos}
    for label in list(fit_models) + list(hands):
        times[label] = []
        cpu[label] = []
    labels = list(times)
    for r in range(args.rounds):
        order = labels[r % len(labels):] + labels[:r % len(labels)]
        for label in order:
            t, c = time.perf_counter(), time.process_time()
            if label in hands:
                for e in range(args.epochs):
                    hands[label].epoch(e)
            elif label in fit_models:
                fit_models[label].fit(x, y, batch_size=w.batch_size, epochs=args.epochs, verbose=0)
            else:
                for _ in range(args.epochs):
                    protos[label].run_epoch()
            times[label].append((time.perf_counter() - t) / args.epochs)
            cpu[label].append((time.process_time() - c) / args.epochs)
    base = statistics.median(times[chosen[0][0]])
    base_cpu = statistics.median(cpu[chosen[0][0]])
    print(f"{args.workload}: {args.rounds} rounds x {args.epochs} epochs per configuration, interleaved; "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"{'configuration':<36}{'ms/epoch':>10}{'min':>9}{'max':>9}{'vs current':>12}"
          f"{'CPU ms/ep':>11}{'vs current':>12}")
    for label in labels:
        med, med_cpu = statistics.median(times[label]), statistics.median(cpu[label])
        print(f"{label:<36}{med * 1e3:>10.3f}{min(times[label]) * 1e3:>9.3f}{max(times[label]) * 1e3:>9.3f}"
              f"{(med - base) * 1e3:>+10.3f}ms{med_cpu * 1e3:>11.3f}{(med_cpu - base_cpu) * 1e3:>+10.3f}ms")
    # the configurations must train alike: same data order within a plan, same maths
    for label, proto in protos.items():
        print(f"  {label}: last logs {proto.history[-1]}", file=sys.stderr)


if __name__ == "__main__":
    main()
