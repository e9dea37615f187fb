"""Side-by-side benchmark: kerasish `fit` vs Keras 3 `fit` (JAX backend) vs hand-written JAX loops.

    .venv/bin/python benchmarks/run.py                          # every workload, default implementations
    .venv/bin/python benchmarks/run.py --workloads tiny,mlp,cnn,lstm    # the first round's four
    .venv/bin/python benchmarks/run.py --workloads tiny,mlp --epochs 5 --json out.json
    .venv/bin/python benchmarks/run.py --workloads tiny,mlp,cnn --sweep   # kerasish steps_per_execution sweep
    .venv/bin/python benchmarks/run.py --workloads tiny --impls kerasish:K=all,keras:K=32,scan

Every (workload, implementation) pair runs in its own Python process, so imports do not interfere and
peak RSS (VmHWM) is per framework. See benchmarks/README.md for what is measured and how.

Implementation specs: `kerasish`, `keras`, `jit`, `scan`, each optionally followed by
`:opt` or `:opt=value` parts, e.g. `kerasish:K=16:unroll`, `keras:K=32`, `scan:unroll=4`,
`scan:subset=640`, `kerasish:K=all:steps=5`, `kerasish:workers=2` (the `pydataset` workload). A workload may
name its own default implementations (`Workload.impls`: the PyDataset workload runs each with 1 and 2 workers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.workloads import WORKLOADS, make_data  # noqa: E402

DEFAULT_IMPLS = ["kerasish", "keras", "jit", "scan"]
HAND = ("jit", "scan")
SWEEP = {  # kerasish variants added by --sweep (K=1 rolled is the default `kerasish` run)
    "tiny": ["kerasish:K=4", "kerasish:K=16", "kerasish:K=all", "kerasish:K=4:unroll", "kerasish:K=16:unroll",
             "keras:K=32"],
    "mlp": ["kerasish:K=4", "kerasish:K=16", "kerasish:K=64", "kerasish:K=all", "kerasish:K=4:unroll",
            "kerasish:K=16:unroll"],
    # the CNN's rolled scans are ~15x slower per step on XLA:CPU: time them on 5 batches per epoch
    "cnn": ["kerasish:K=4:unroll", "kerasish:K=4:steps=5:noeval", "kerasish:K=all:steps=5:noeval",
            "scan:unroll=4:subset=1280"],
}


def parse_spec(spec: str) -> tuple[str, dict]:
    impl, *parts = spec.split(":")
    opts: dict = {}
    for part in parts:
        key, _, value = part.partition("=")
        opts[key] = value if value else True
    if impl not in ("kerasish", "keras", "jit", "scan"):
        raise SystemExit(f"unknown implementation {impl!r} in {spec!r}")
    return impl, opts


# ------------------------------------------------------------------------------------------- child


def child(workload: str, spec: str, timed_epochs: int, eval_reps: int, total: int | None = None) -> None:
    impl, opts = parse_spec(spec)
    w = WORKLOADS[workload]
    total = total or w.samples  # --samples: a smaller run (smoke tests), timed as it is
    samples = int(opts["subset"]) if "subset" in opts else None
    # XLA:CPU's rolled convolution gradients are the reason for the subset; other backends run it whole
    on_cpu = os.environ.get("BENCH_BACKEND", "cpu") == "cpu"
    if impl == "scan" and samples is None and w.scan_subset and "unroll" not in opts and on_cpu:
        samples = w.scan_subset
    samples = samples if samples is not None and samples < total else None
    x, y = make_data(workload, samples or total)
    if "noeval" in opts:
        eval_reps = -1
    t = time.perf_counter()
    if impl == "kerasish":
        from benchmarks import impl_kerasish as mod
        result = mod.run(workload, opts, timed_epochs, max(eval_reps, 0), x, y)
    elif impl == "keras":
        from benchmarks import impl_keras as mod
        result = mod.run(workload, opts, timed_epochs, max(eval_reps, 0), x, y)
    else:
        from benchmarks import impl_jax as mod
        result = mod.run(workload, opts, timed_epochs, max(eval_reps, 0), x, y, impl)
    result["wall_s"] = time.perf_counter() - t
    if eval_reps < 0:
        for k in ("evaluate_first_s", "evaluate_s", "predict_first_s", "predict_s"):
            result.pop(k, None)
    if samples and result.get("call_s") is not None:  # whole calls are steady-state time too
        result["call_s"] *= -(-total // w.batch_size) / -(-samples // w.batch_size)
    if samples:
        # timed on a subset: scale the steady-state times by the batch count; compile time is kept as is
        scale = -(-total // w.batch_size) / -(-samples // w.batch_size)
        result["scale"] = scale
        result["note"] = f"timed on {samples} samples, x{scale:g}"
        for base in ("epoch", "evaluate", "predict"):
            steady = result.get(f"{base}_s")
            if steady is None:
                continue
            first_key = "first_epoch_s" if base == "epoch" else f"{base}_first_s"
            if first_key in result:
                result[first_key] = result[first_key] - steady + steady * scale
            result[f"{base}_s"] = steady * scale
        result["epoch_times"] = [t * scale for t in result.get("epoch_times", [])]
        if result.get("cpu_epoch_s") is not None:
            result["cpu_epoch_s"] *= scale
    elif "scale" in result:  # kerasish steps=: only fit ran on fewer batches
        scale = result["scale"]
        result["note"] = (result.get("note", "") + f" fit timed on {opts['steps']} batches/epoch, x{scale:g}").strip()
        result["first_epoch_s"] = result["first_epoch_s"] - result["epoch_s"] + result["epoch_s"] * scale
        result["epoch_s"] *= scale
        result["epoch_times"] = [t * scale for t in result["epoch_times"]]
        result["cpu_epoch_s"] *= scale
    from benchmarks.common import device_peak_mb, peak_rss_mb
    result["peak_rss_mb"] = peak_rss_mb()
    result["device_peak_mb"] = device_peak_mb()
    result["loadavg_end"] = os.getloadavg()[0]
    print("RESULT " + json.dumps(result), flush=True)


# ------------------------------------------------------------------------------------------ parent


def machine() -> dict:
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for mod in ("jax", "flax", "optax", "keras", "numpy"):
        try:
            from importlib.metadata import version
            versions[mod] = version(mod)
        except Exception:  # noqa: BLE001
            versions[mod] = "?"
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(), "versions": versions,
            "loadavg_start": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def probe_backend() -> dict:
    """JAX's default backend and its first device, asked in a child process that allocates nothing (the
    parent never imports JAX: on a GPU it would hold memory while the children run)."""
    code = "import jax; d = jax.devices()[0]; print(jax.default_backend(), '|', d.device_kind, '|', len(jax.devices()))"
    env = dict(os.environ, XLA_PYTHON_CLIENT_PREALLOCATE="false", TF_CPP_MIN_LOG_LEVEL="3")
    try:
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        backend, kind, count = (part.strip() for part in out.stdout.strip().splitlines()[-1].split("|"))
        return {"backend": backend, "device_kind": kind, "device_count": int(count)}
    except (subprocess.SubprocessError, ValueError, IndexError):
        return {"backend": "cpu", "device_kind": "?", "device_count": 0}


def run_child(workload: str, spec: str, epochs: int, eval_reps: int, timeout: float, backend: str = "cpu",
              samples: int | None = None) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.run", "--child", "--workloads", workload, "--impls", spec,
           "--epochs", str(epochs), "--eval-reps", str(eval_reps)] + (["--samples", str(samples)] if samples else [])
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3", BENCH_BACKEND=backend)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    load = os.getloadavg()[0]
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s", "loadavg_start": load}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
            result["loadavg_start"] = load
            result["process_s"] = time.perf_counter() - t
            return result
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
    return {"error": "failed: " + " | ".join(tail), "loadavg_start": load}


def fmt(v, digits=4):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def keras_reference(spec: str, results: dict[str, dict]) -> dict:
    """The Keras row a row is compared with: Keras fed the same way (the same `workers`), else plain `keras`."""
    workers = parse_spec(spec)[1].get("workers")
    if workers is not None and f"keras:workers={workers}" in results:
        return results[f"keras:workers={workers}"]
    return results.get("keras", {})


def table(workload: str, results: dict[str, dict]) -> str:
    hand = {k: r for k, r in results.items() if parse_spec(k)[0] in HAND and "error" not in r}

    def best_hand(field):
        vals = [r[field] for r in hand.values() if r.get(field) is not None]
        return min(vals) if vals else None

    # an accelerator's peak memory (XLA's allocator; None on XLA:CPU, whose memory is the process's RSS)
    on_device = any(r.get("device_peak_mb") is not None for r in results.values())
    head = (f"{'implementation':<28}{'1st epoch s':>12}{'s/epoch':>10}{'/Keras':>8}{'/hand':>7}"
            f"{'evaluate s':>11}{'/Keras':>8}{'/hand':>7}{'predict s':>10}{'/Keras':>8}{'/hand':>7}"
            f"{'RSS MiB':>9}{'/Keras':>8}" + (f"{'dev MiB':>9}{'/Keras':>8}" if on_device else "")
            + f"{'CPU s/ep':>10}{'/Keras':>8}{'fit(3) s':>10}{'/Keras':>8}{'/hand':>7}{'import s':>9}  notes")
    lines = [f"== {workload}: {WORKLOADS[workload].description}, batch {WORKLOADS[workload].batch_size}, "
             f"{WORKLOADS[workload].optimizer}", head, "-" * len(head)]
    for spec, r in results.items():
        if "skipped" in r or "error" in r:
            lines.append(f"{spec:<28}{r.get('skipped') and 'skipped: ' + r['skipped'] or r['error']}")
            continue
        keras = keras_reference(spec, results)
        row = f"{spec:<28}{fmt(r['first_epoch_s']):>12}{fmt(r['epoch_s']):>10}"
        row += f"{fmt(ratio(r['epoch_s'], keras.get('epoch_s')), 3):>8}"
        row += f"{fmt(ratio(r['epoch_s'], best_hand('epoch_s')), 3):>7}"
        for f in ("evaluate_s", "predict_s"):
            row += f"{fmt(r.get(f)):>{11 if f == 'evaluate_s' else 10}}"
            row += f"{fmt(ratio(r.get(f), keras.get(f)), 3):>8}{fmt(ratio(r.get(f), best_hand(f)), 3):>7}"
        row += f"{r['peak_rss_mb']:>9.0f}{fmt(ratio(r['peak_rss_mb'], keras.get('peak_rss_mb')), 3):>8}"
        if on_device:
            dev = r.get("device_peak_mb")
            row += f"{fmt(dev and round(dev)):>9}{fmt(ratio(dev, keras.get('device_peak_mb')), 3):>8}"
        row += f"{fmt(r.get('cpu_epoch_s')):>10}{fmt(ratio(r.get('cpu_epoch_s'), keras.get('cpu_epoch_s')), 3):>8}"
        row += f"{fmt(r.get('call_s')):>10}{fmt(ratio(r.get('call_s'), keras.get('call_s')), 3):>8}"
        row += f"{fmt(ratio(r.get('call_s'), best_hand('call_s')), 3):>7}"
        row += f"{fmt(r.get('import_s'), 3):>9}  {r.get('note', '')}"
        row += f" load {r['loadavg_start']:.1f}"
        lines.append(row)
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated: " + ",".join(WORKLOADS))
    p.add_argument("--impls", default=None, help="comma-separated implementation specs (default: the workload's "
                   "own list, else " + ",".join(DEFAULT_IMPLS) + ")")
    p.add_argument("--epochs", type=int, default=None,
                   help="timed epochs after the warm one (default per workload: tiny 30, mlp 5, cnn 3, lstm 3)")
    p.add_argument("--eval-reps", type=int, default=3, help="warm evaluate/predict calls to take the median of")
    p.add_argument("--sweep", action="store_true", help="add the kerasish steps_per_execution variants")
    p.add_argument("--repeat", type=int, default=1, help="run every implementation this many times "
                   "(round-robin, order reversed each round) and report each field's median")
    p.add_argument("--timeout", type=float, default=300, help="seconds per child process")
    p.add_argument("--samples", type=int, default=None,
                   help="train on this many samples instead of the workload's (a quick check that everything runs)")
    p.add_argument("--json", help="write every result to this file")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    workloads = [w for w in args.workloads.split(",") if w]
    for w in workloads:
        if w not in WORKLOADS:
            raise SystemExit(f"unknown workload {w!r}; known: {', '.join(WORKLOADS)}")
    if args.child:
        child(workloads[0], args.impls, args.epochs or WORKLOADS[workloads[0]].timed_epochs, args.eval_reps,
              args.samples)
        return

    info = machine()
    info.update(probe_backend())
    print(f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, "
          + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print(f"JAX backend: {info['backend']}, {info['device_count']} x {info['device_kind']}")
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in info['loadavg_start'])}  ({info['date']})")
    print("times in seconds; /Keras and /hand are time ratios (< 1: faster than Keras 3 / than the best "
          "hand-written loop); RSS is each process's peak\n", flush=True)
    everything = {"machine": info, "results": {}}
    t_all = time.perf_counter()
    for w in workloads:
        specs = [s for s in (args.impls or ",".join(WORKLOADS[w].impls or DEFAULT_IMPLS)).split(",") if s]
        if args.sweep:
            specs += [s for s in SWEEP.get(w, []) if s not in specs]
        epochs = args.epochs or WORKLOADS[w].timed_epochs
        runs: dict[str, list[dict]] = {s: [] for s in specs}
        for r in range(args.repeat):
            for spec in (specs if r % 2 == 0 else specs[::-1]):
                res = run_child(w, spec, epochs, args.eval_reps, args.timeout, info["backend"], args.samples)
                runs[spec].append(res)
                status = res.get("skipped") or res.get("error") or f"{res['epoch_s']:.4g} s/epoch"
                print(f"  [{w}] {spec}: {status}", file=sys.stderr, flush=True)
        results = {s: merge(rs) for s, rs in runs.items()}
        everything["results"][w] = {"runs": runs, "merged": results}
        print(table(w, results) + "\n", flush=True)
        if WORKLOADS[w].pydataset:
            print(workers_check(results) + "\n", flush=True)
        if args.json:  # after every workload: a run cut short (a device call's time limit) keeps what it measured
            with open(args.json, "w") as f:
                json.dump(everything, f, indent=1)
    everything["machine"]["loadavg_end"] = os.getloadavg()
    everything["wall_s"] = time.perf_counter() - t_all
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"total {everything['wall_s']:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(everything, f, indent=1)
        print(f"results written to {args.json}")


def workers_check(results: dict[str, dict]) -> str:
    """Issue 20's check on the PyDataset workload: workers=2 against workers=1, and against Keras fed the same way."""
    epoch = lambda spec: results.get(spec, {}).get("epoch_s")
    one, two, keras_two = epoch("kerasish:workers=1"), epoch("kerasish:workers=2"), epoch("keras:workers=2")
    lines = ["PyDataset workers (s/epoch):"]
    if one and two:
        lines.append(f"  kerasish workers=2 is {one / two:.2f}x faster than workers=1 (target >= 1.5x)")
    if two and keras_two:
        lines.append(f"  kerasish workers=2 / Keras workers=2 = {two / keras_two:.3f} (target <= 1)")
    return "\n".join(lines)


def merge(rs: list[dict]) -> dict:
    """The median of every numeric field over repeated runs (the first run's other fields)."""
    ok = [r for r in rs if "error" not in r and "skipped" not in r]
    if not ok:
        return rs[0]
    out = dict(ok[0])
    for key, value in ok[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            vals = [r[key] for r in ok if isinstance(r.get(key), (int, float))]
            out[key] = statistics.median(vals)
    if len(ok) > 1:
        out["note"] = (out.get("note", "") + f" median of {len(ok)} runs "
                       f"(s/epoch {min(r['epoch_s'] for r in ok):.4g}..{max(r['epoch_s'] for r in ok):.4g})").strip()
    return out


if __name__ == "__main__":
    main()
