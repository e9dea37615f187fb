"""The first epoch of a script, run again: kerasish with a cold and a warm persistent compilation cache, against
Keras 3's first epoch.

    .venv/bin/python benchmarks/first_epoch.py                                  # mlp, cnn, lstm, transformer
    .venv/bin/python benchmarks/first_epoch.py --workloads mlp --rounds 3 --json first.json
    .venv/bin/python benchmarks/first_epoch.py --workloads mlp,lstm --samples 2048   # a quick check

Each run is a fresh process (as a script or a notebook kernel started again), in this order per round:

- `kerasish cold`: an empty cache folder (`KERASISH_CACHE_DIR` set to a new temporary folder): every program is
  compiled and written there;
- `kerasish warm`: a second process on the same folder: the programs come from the cache;
- `kerasish off`: `KERASISH_COMPILATION_CACHE=0` (what the first round measured);
- `keras`: Keras 3 as installed (it does not turn on JAX's persistent cache);
- with `--keras-cache`, also Keras 3 with JAX's own cache turned on the same way (`JAX_COMPILATION_CACHE_DIR`,
  every program kept), cold then warm: what the same setting would give Keras.

Per run: import seconds, first-epoch seconds (from just before the model is created to the end of the first
epoch: model build, compile, data preparation, compilation or cache loads, one epoch), the whole script to the
end of the first epoch (interpreter start included), how many XLA programs were made, how many of them were loaded
from the cache instead of compiled, and the seconds spent making them (JAX's monitoring events: a program loaded
from the cache counts as made, in its load time). What is left of the first epoch is tracing and lowering the
programs (JAX does both before it looks in the cache), building the model, and the epoch itself. Rounds repeat
the whole sequence with a new folder; the table shows medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.workloads import WORKLOADS, make_data  # noqa: E402

DEFAULT_WORKLOADS = ("mlp", "cnn", "lstm", "transformer")
COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
CACHE_HIT_EVENT = "/jax/compilation_cache/cache_hits"


def child(framework: str, workload: str, samples: int | None, started: float) -> None:
    """One first epoch; prints a RESULT line of JSON."""
    import jax
    compiles, hits = [], []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, duration, **_: compiles.append(duration) if event == COMPILE_EVENT else None)
    jax.monitoring.register_event_listener(lambda event, **_: hits.append(1) if event == CACHE_HIT_EVENT else None)
    w = WORKLOADS[workload]
    t = time.perf_counter()
    if framework == "kerasish":
        import kerasish as lib
        from benchmarks.impl_kerasish import build
        cache = lib.backend.compilation_cache_dir()
    else:
        import keras as lib

        from benchmarks.impl_keras import build
        cache = jax.config.jax_compilation_cache_dir if jax.config.jax_enable_compilation_cache else None
    import_s = time.perf_counter() - t
    x, y = make_data(workload, samples)
    t = time.perf_counter()
    lib.utils.set_random_seed(0)
    model = build(lib, workload)
    opt = lib.optimizers.SGD(w.learning_rate) if w.optimizer == "sgd" else lib.optimizers.Adam(w.learning_rate)
    model.compile(optimizer=opt, loss=w.loss, metrics=["accuracy"])
    history = model.fit(x, y, batch_size=w.batch_size, epochs=1, verbose=0)
    first = time.perf_counter() - t
    result = {"import_s": import_s, "first_epoch_s": first, "script_s": time.time() - started,
              "compiles": len(compiles), "compile_s": sum(compiles), "cache_hits": len(hits), "cache_dir": cache,
              "loss": float(history.history["loss"][0])}
    print("RESULT " + json.dumps(result), flush=True)


def run_child(framework: str, workload: str, env: dict, samples: int | None, timeout: float) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    full = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
    full.pop("KERASISH_COMPILATION_CACHE", None)
    full.pop("JAX_COMPILATION_CACHE_DIR", None)
    full.update(env)
    full["PYTHONPATH"] = root + os.pathsep + full.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "benchmarks.first_epoch", "--child", framework, "--workloads", workload,
           "--started", repr(time.time())] + (["--samples", str(samples)] if samples else [])
    try:
        proc = subprocess.run(cmd, cwd=root, env=full, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": "failed: " + " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])}


def runs_of_a_round(folder: str, keras_cache: bool) -> list[tuple[str, str, dict]]:
    """(label, framework, environment) of each process of a round, in the order they run."""
    ours = {"KERASISH_CACHE_DIR": os.path.join(folder, "kerasish")}
    theirs = {"JAX_COMPILATION_CACHE_DIR": os.path.join(folder, "keras"),
              "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0", "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1"}
    runs = [("kerasish cold", "kerasish", ours), ("kerasish warm", "kerasish", ours),
            ("kerasish off", "kerasish", {"KERASISH_COMPILATION_CACHE": "0"}), ("keras", "keras", {})]
    if keras_cache:
        runs += [("keras + JAX cache cold", "keras", theirs), ("keras + JAX cache warm", "keras", theirs)]
    return runs


def table(workload: str, results: dict[str, list[dict]]) -> str:
    merged = {}
    for label, rs in results.items():
        ok = [r for r in rs if "error" not in r]
        merged[label] = ({key: statistics.median(r[key] for r in ok) for key in
                          ("import_s", "first_epoch_s", "script_s", "compiles", "compile_s", "cache_hits")}
                         if ok else rs[0])
    keras = merged.get("keras", {}).get("first_epoch_s")
    head = (f"{'run':<26}{'import s':>9}{'1st epoch s':>12}{'/Keras':>8}{'script s':>10}{'programs':>9}"
            f"{'loaded':>7}{'making s':>9}")
    lines = [f"== {workload}: {WORKLOADS[workload].description}", head, "-" * len(head)]
    for label, r in merged.items():
        if "error" in r:
            lines.append(f"{label:<26}{r['error']}")
            continue
        ratio = "-" if not keras else f"{r['first_epoch_s'] / keras:.3f}"
        lines.append(f"{label:<26}{r['import_s']:>9.2f}{r['first_epoch_s']:>12.2f}{ratio:>8}{r['script_s']:>10.2f}"
                     f"{r['compiles']:>9.0f}{r['cache_hits']:>7.0f}{r['compile_s']:>9.2f}")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS), help="comma-separated: " + ",".join(WORKLOADS))
    p.add_argument("--rounds", type=int, default=1, help="repeat the whole sequence (a new cache folder each)")
    p.add_argument("--samples", type=int, default=None, help="train on this many samples (a quick check)")
    p.add_argument("--keras-cache", action="store_true", help="also Keras 3 with JAX's cache on, cold and warm")
    p.add_argument("--timeout", type=float, default=600, help="seconds per process")
    p.add_argument("--json", help="write every run to this file")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    workloads = [w for w in args.workloads.split(",") if w]
    for w in workloads:
        if w not in WORKLOADS or WORKLOADS[w].pydataset:
            known = ", ".join(name for name, spec in WORKLOADS.items() if not spec.pydataset)
            raise SystemExit(f"unknown or PyDataset workload {w!r}; this script runs {known}")
    if args.child:
        child(args.child, workloads[0], args.samples, args.started)
        return
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs\n", flush=True)
    everything, t_all = {}, time.perf_counter()
    for w in workloads:
        results: dict[str, list[dict]] = {}
        for _ in range(args.rounds):
            folder = tempfile.mkdtemp(prefix="kerasish-first-epoch-")
            try:
                for label, framework, env in runs_of_a_round(folder, args.keras_cache):
                    res = run_child(framework, w, env, args.samples, args.timeout)
                    res["loadavg"] = os.getloadavg()[0]
                    results.setdefault(label, []).append(res)
                    status = res.get("error") or (f"{res['first_epoch_s']:.2f} s, {res['compiles']} programs, "
                                                  f"{res['cache_hits']} loaded")
                    print(f"  [{w}] {label}: {status}", file=sys.stderr, flush=True)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        everything[w] = results
        print(table(w, results) + "\n", flush=True)
        if args.json:  # after every workload: a run cut short keeps what it measured
            with open(args.json, "w") as f:
                json.dump(everything, f, indent=1)
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"total {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
