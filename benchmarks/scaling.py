"""How the MLP's epoch time grows with the data and with the width, against the machine's measured matmul peak.

    .venv/bin/python benchmarks/scaling.py     # rows 1k..1M at hidden 128; hidden 128..4096 at 10k rows
    .venv/bin/python benchmarks/scaling.py --rows 1000,10000 --widths 128,512 --epochs 2   # a quick check
    .venv/bin/python benchmarks/scaling.py --impls kerasish,scan,keras --out benchmarks/scaling

The model is the mlp workload's (784-hidden(relu)-10(softmax), sparse categorical crossentropy, Adam, batch 128,
`metrics=["accuracy"]`, shuffled), on uniform random inputs. Every point runs in its own process: one warm epoch,
then `--epochs` timed epochs (the median is reported). Implementations: `kerasish` (compile's defaults), `scan`
(the hand-written one-program-per-epoch JAX loop of benchmarks/impl_jax.py), `keras` (Keras 3 on JAX).

Achieved GFLOP/s counts the matrix products only: per sample, forward 2·(784·h + 10·h), backward 2·(784·h + 10·h)
for the weight gradients and 2·10·h for the hidden layer's input gradient, 3196·h in all (the first layer's input
gradient is not computed). The peak is measured in the same run, in a process of its own: the best of several
timings of a float32 (2048 x 2048) @ (2048 x 2048) product, and of the MLP's own forward product shape, 64
products (128 x 784) @ (784 x h) in one program, per width.

An epoch should cost in proportion to its rows (fixed costs aside, which show at the smallest sizes) and, once the
products are large enough to run at the machine's rate, in proportion to its FLOPs. A point whose time per row (or
per FLOP, across widths) exceeds the previous point's by more than 25% is marked super-linear in the table.

Writes `<out>.md` (the tables) and `<out>.png` (the plot: seconds per epoch against rows, GFLOP/s against width,
the peaks as lines), `--out` defaulting to benchmarks/scaling.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ROWS = (1_000, 10_000, 100_000, 1_000_000)
WIDTHS = (128, 256, 512, 1024, 2048, 4096)
BATCH = 128


def flops_per_sample(hidden: int) -> int:
    """Matrix-product FLOPs of one training sample of the 784-hidden-10 MLP (forward and backward)."""
    return 4 * 784 * hidden + 6 * 10 * hidden


def aligned_data(rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform float32 inputs in 64-byte aligned memory (XLA:CPU then reads them in place: no copy of a 3 GB array
    for any implementation), drawn in place; int32 labels in [0, 10)."""
    rng = np.random.default_rng(0)
    raw = np.empty(rows * 784 * 4 + 64, np.uint8)
    offset = -raw.ctypes.data % 64
    x = raw[offset:offset + rows * 784 * 4].view(np.float32).reshape(rows, 784)
    for start in range(0, rows, 65536):
        rng.random(out=x[start:start + 65536], dtype=np.float32)
    return x, rng.integers(0, 10, rows).astype(np.int32)


# ------------------------------------------------------------------------------------------- children


def child_peak(widths: list[int], repeats: int = 7) -> dict:
    import jax
    import jax.numpy as jnp

    def best(f, *args):
        jax.block_until_ready(f(*args))
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            jax.block_until_ready(f(*args))
            times.append(time.perf_counter() - t)
        return min(times)

    key = jax.random.key(0)
    a = jax.random.normal(key, (2048, 2048), jnp.float32)
    square = 2 * 2048**3 / best(jax.jit(jnp.matmul), a, a) / 1e9
    per_width = {}
    for h in widths:
        x = jax.random.normal(key, (64, BATCH, 784), jnp.float32)
        w = jax.random.normal(key, (784, h), jnp.float32)
        per_width[h] = 64 * 2 * BATCH * 784 * h / best(jax.jit(jnp.matmul), x, w) / 1e9
    return {"square_gflops": square, "mlp_shape_gflops": per_width}


def child_point(impl: str, rows: int, hidden: int, epochs: int) -> dict:
    x, y = aligned_data(rows)
    ends = []
    t0 = time.perf_counter()
    if impl == "scan":
        from benchmarks.impl_jax import HandLoop
        loop = HandLoop("mlp", {"hidden": hidden}, x, y, "scan")
        for e in range(1 + epochs):
            loop.epoch(e)
            ends.append(time.perf_counter())
    else:
        if impl == "keras":
            os.environ["KERAS_BACKEND"] = "jax"
            import keras as lib
        else:
            import kerasish as lib

        class Timer(lib.callbacks.Callback):
            reads_weights_during_training = False  # kerasish: the timer must not make fit write weights back

            def on_epoch_end(self, epoch, logs=None):
                ends.append(time.perf_counter())

        lib.utils.set_random_seed(0)
        model = lib.Sequential([lib.Input((784,)), lib.layers.Dense(hidden, activation="relu"),
                                lib.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=lib.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, batch_size=BATCH, epochs=1 + epochs, verbose=0, callbacks=[Timer()])
    durations = [b - a for a, b in zip(ends, ends[1:])]
    return {"first_epoch_s": ends[0] - t0, "epoch_s": statistics.median(durations), "epoch_times": durations}


# ------------------------------------------------------------------------------------------- parent


def run_child(args: list[str], timeout: float) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.scaling", "--child", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": "failed: " + " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])}


def sweep_table(title: str, axis: str, points: list[tuple[int, int]], results: dict, impls: list[str],
                peak: dict) -> tuple[str, list[str]]:
    """A markdown table of one sweep, and the super-linear points found (per row for rows, per FLOP for widths)."""
    head = f"| {axis} | " + " | ".join(f"{impl} s/epoch | {impl} GFLOP/s | {impl} % of peak" for impl in impls)
    head += " | kerasish / scan |" if {"kerasish", "scan"} <= set(impls) else " |"
    lines = [f"**{title}**", "", head, "|" + "---|" * (head.count("|") - 1)]
    flags: list[str] = []
    previous: dict[str, float] = {}
    for rows, hidden in points:
        shape_peak = peak.get("mlp_shape_gflops", {}).get(str(hidden)) or peak.get("square_gflops")
        cells = [f"{rows:,}" if axis == "rows" else f"{hidden:,}"]
        for impl in impls:
            r = results.get((impl, rows, hidden), {})
            if "epoch_s" not in r:
                cells += [r.get("error", "-")[:40], "-", "-"]
                continue
            flops = rows * flops_per_sample(hidden)
            rate = flops / r["epoch_s"] / 1e9
            unit = r["epoch_s"] / (rows if axis == "rows" else flops)
            mark = ""
            if impl in previous and unit > 1.25 * previous[impl]:
                mark = " (super-linear)"
                flags.append(f"{impl} at {axis}={rows if axis == 'rows' else hidden}: {unit / previous[impl]:.2f}x the "
                             f"time per {'row' if axis == 'rows' else 'FLOP'} of the previous point")
            previous[impl] = unit
            cells += [f"{r['epoch_s']:.4g}{mark}", f"{rate:.1f}", f"{100 * rate / shape_peak:.0f}%"]
        ours, hand = results.get(("kerasish", rows, hidden), {}), results.get(("scan", rows, hidden), {})
        if {"kerasish", "scan"} <= set(impls):
            cells.append(f"{ours['epoch_s'] / hand['epoch_s']:.2f}" if "epoch_s" in ours and "epoch_s" in hand
                         else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines), flags


def plot(path: str, rows_points, width_points, results: dict, impls: list[str], peak: dict) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for impl in impls:
        pts = [(rows, results[(impl, rows, h)]["epoch_s"]) for rows, h in rows_points
               if "epoch_s" in results.get((impl, rows, h), {})]
        if pts:
            left.loglog(*zip(*pts), "o-", label=impl)
    if rows_points:
        rows, h = rows_points[-1]
        ref = results.get(("kerasish", rows, h), {}).get("epoch_s")
        if ref:
            xs = [r for r, _ in rows_points]
            left.loglog(xs, [ref * r / rows for r in xs], "k:", label="linear (through kerasish's largest)")
    left.set_xlabel("rows")
    left.set_ylabel("seconds per epoch")
    left.set_title(f"MLP 784-{rows_points[0][1] if rows_points else 128}-10: epoch time vs rows")
    left.legend()
    for impl in impls:
        pts = [(h, rows * flops_per_sample(h) / results[(impl, rows, h)]["epoch_s"] / 1e9) for rows, h in width_points
               if "epoch_s" in results.get((impl, rows, h), {})]
        if pts:
            right.semilogx(*zip(*pts), "o-", label=impl, base=2)
    if width_points:
        widths = [h for _, h in width_points]
        right.axhline(peak["square_gflops"], color="k", linestyle="--", label="peak: 2048² matmul")
        shape = [peak["mlp_shape_gflops"].get(str(h)) for h in widths]
        right.semilogx(widths, shape, "k:", base=2, label="peak: the MLP's product shape")
    right.set_xlabel("hidden units")
    right.set_ylabel("achieved GFLOP/s (matrix products)")
    right.set_title(f"MLP at {width_points[0][0]:,} rows: throughput vs width" if width_points else "")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", default=",".join(map(str, ROWS)), help="row counts of the rows sweep (hidden 128)")
    p.add_argument("--widths", default=",".join(map(str, WIDTHS)), help="hidden widths of the width sweep")
    p.add_argument("--width-rows", type=int, default=10_000, help="rows of the width sweep")
    p.add_argument("--impls", default="kerasish,scan", help="comma-separated: kerasish, scan, keras")
    p.add_argument("--epochs", type=int, default=3, help="timed epochs per point (after one warm epoch)")
    p.add_argument("--timeout", type=float, default=900, help="seconds per point")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "scaling"),
                   help="write <out>.md, <out>.png and <out>.json")
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "peak":
            result = child_peak([int(h) for h in rest])
        else:
            result = child_point(kind, int(rest[0]), int(rest[1]), int(rest[2]))
        print("RESULT " + json.dumps(result), flush=True)
        return

    impls = [i for i in args.impls.split(",") if i]
    rows_points = [(int(r), 128) for r in args.rows.split(",") if r]
    width_points = [(args.width_rows, int(h)) for h in args.widths.split(",") if h]
    t_all = time.perf_counter()
    load = os.getloadavg()
    peak = run_child(["peak", *{str(h) for _, h in width_points + rows_points}], args.timeout)
    if "error" in peak:
        raise SystemExit(f"measuring the matmul peak failed: {peak['error']}")
    print(f"matmul peak: {peak['square_gflops']:.1f} GFLOP/s (2048^2); MLP product shapes (GFLOP/s): "
          + ", ".join(f"h={h} {v:.1f}" for h, v in sorted(peak["mlp_shape_gflops"].items(), key=lambda kv: int(kv[0]))),
          flush=True)
    results: dict = {}
    for rows, hidden in dict.fromkeys(rows_points + width_points):
        for impl in impls:
            r = run_child([impl, str(rows), str(hidden), str(args.epochs)], args.timeout)
            results[(impl, rows, hidden)] = r
            status = r.get("error") or f"{r['epoch_s']:.4g} s/epoch"
            print(f"  {impl} rows={rows} hidden={hidden}: {status}", file=sys.stderr, flush=True)
    rows_table, rows_flags = sweep_table("Epoch time as rows grow (hidden 128)", "rows", rows_points, results, impls,
                                         peak)
    width_table, width_flags = sweep_table(f"Epoch time as the width grows ({args.width_rows:,} rows)", "hidden",
                                           width_points, results, impls, peak)
    end = os.getloadavg()
    by_width = sorted(peak["mlp_shape_gflops"].items(), key=lambda kv: int(kv[0]))
    shapes = ", ".join(f"h={h}: {v:.1f}" for h, v in by_width)
    report = "\n\n".join([
        f"Measured {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, load average {load[0]:.2f} at start "
        f"and {end[0]:.2f} at the end; {args.epochs} timed epochs per point (median), "
        f"{time.perf_counter() - t_all:.0f} s in all. Matmul peak: {peak['square_gflops']:.1f} GFLOP/s "
        f"(float32 2048 x 2048 product); the % of peak columns use the peak of the MLP's own product shape at that "
        f"width ({shapes}; the backward products have other shapes, so a point can exceed 100%).",
        rows_table, width_table,
        "Super-linear points: " + ("; ".join(rows_flags + width_flags) if rows_flags + width_flags else "none.")])
    with open(args.out + ".md", "w") as f:
        f.write(report + "\n")
    with open(args.out + ".json", "w") as f:
        json.dump({"peak": peak, "results": [{"impl": i, "rows": r, "hidden": h, **v}
                                             for (i, r, h), v in results.items()]}, f, indent=1)
    plot(args.out + ".png", rows_points, width_points, results, impls, peak)
    print(report)
    print(f"\nwritten: {args.out}.md, {args.out}.png, {args.out}.json")


if __name__ == "__main__":
    main()
