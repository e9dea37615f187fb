"""Where kerasish `fit` spends its time outside the compiled steps: cProfile over a warm `fit`.

    .venv/bin/python benchmarks/profile_fit.py --workload tiny --epochs 200
    .venv/bin/python benchmarks/profile_fit.py --workload tiny --epochs 200 --K all --top 25

The model is fitted twice first (the first fit compiles; the second one too, see README: the engine is
remade because `fit` changes the model's graph definition), then the profiled fit runs `--epochs`
epochs. Prints per-epoch milliseconds of each part of the loop, then cProfile's top functions.
Note that cProfile slows Python code down (typically 1.3-2x), so the Python parts are overstated
relative to the compiled work; benchmarks/proto_loop.py measures what removing each part saves.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.workloads import WORKLOADS, make_data  # noqa: E402

# (label, file suffix, function name, use tottime instead of cumtime)
PARTS = [
    ("dispatch of the compiled chunks (C++ jit fast path; self time of ArrayDataset.run)", "training/data/arrays.py",
     "run", True),
    ("group_batches: np.stack of index batches", "training/data/arrays.py", "group_batches", False),
    ("epoch permutation (_one_pass)", "training/data/arrays.py", "_one_pass", False),
    ("init_metrics: jnp.zeros per epoch", "training/engine.py", "init_metrics", False),
    ("read_metrics: results + device_get", "training/engine.py", "read_metrics", False),
    ("learning_rate: get_learning_rate (float(str(np.asarray)))", "training/train_state.py", "learning_rate", False),
    ("push_state: nnx.update (write-backs)", "training/train_state.py", "push_state", False),
    ("callbacks: CallbackList._call", "callbacks/callback.py", "_call", False),
    ("pull_state / pull_weights", "training/train_state.py", "pull_state", False),
]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workload", default="tiny", choices=sorted(WORKLOADS))
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--K", default="1", help="steps_per_execution: an int or 'all'")
    p.add_argument("--unroll", action="store_true")
    p.add_argument("--top", type=int, default=0, help="also print cProfile's top N functions by self time")
    p.add_argument("--call", default="fit", choices=("fit", "evaluate", "predict"),
                   help="profile this call instead (--epochs of them, on the training set)")
    args = p.parse_args(argv)

    import kerasish as ks
    from benchmarks.impl_kerasish import build

    w = WORKLOADS[args.workload]
    x, y = make_data(args.workload)
    k = -(-len(x) // w.batch_size) if args.K == "all" else int(args.K)
    ks.utils.set_random_seed(0)
    model = build(ks, args.workload)
    opt = ks.optimizers.SGD(w.learning_rate) if w.optimizer == "sgd" else ks.optimizers.Adam(w.learning_rate)
    model.compile(optimizer=opt, loss=w.loss, metrics=["accuracy"], steps_per_execution=k, unroll=args.unroll)
    for _ in range(2):
        model.fit(x, y, batch_size=w.batch_size, epochs=1, verbose=0)
    programs = model.compiled_programs()

    if args.call != "fit":
        call = (lambda: model.evaluate(x, y, batch_size=w.batch_size, verbose=0)) if args.call == "evaluate" \
            else (lambda: model.predict(x, batch_size=w.batch_size, verbose=0))
        call()
        reps = args.epochs
        t = time.perf_counter()
        for _ in range(reps):
            call()
        plain = (time.perf_counter() - t) / reps
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(reps):
            call()
        prof.disable()
        print(f"{args.workload} {args.call}: {plain * 1e3:.3f} ms per call without the profiler; load "
              f"{os.getloadavg()[0]:.2f}")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top or 30)
        return

    t = time.perf_counter()
    model.fit(x, y, batch_size=w.batch_size, epochs=args.epochs, verbose=0)
    plain = (time.perf_counter() - t) / args.epochs

    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    model.fit(x, y, batch_size=w.batch_size, epochs=args.epochs, verbose=0)
    prof.disable()
    profiled = (time.perf_counter() - t) / args.epochs
    assert model.compiled_programs() == programs, "the profiled fit recompiled"

    stats = pstats.Stats(prof)
    total = None
    rows = []
    for (file, _, func), (_, _, _, ct, _) in stats.stats.items():
        if file.endswith("models/model.py") and func == "fit":
            total = ct
    for label, suffix, func, self_time in PARTS:
        value = sum((tt if self_time else ct) for (file, _, fn), (_, _, tt, ct, _) in stats.stats.items()
                    if file.endswith(suffix) and fn == func)
        rows.append((label, value))
    per = 1e3 / args.epochs
    print(f"{args.workload}: K={k}{' unrolled' if args.unroll else ''}, {args.epochs} epochs of "
          f"{-(-len(x) // w.batch_size)} steps; {plain * 1e3:.3f} ms/epoch without the profiler, "
          f"{profiled * 1e3:.3f} with it; load {os.getloadavg()[0]:.2f}")
    print(f"{'part of fit':<80}{'ms/epoch':>10}{'share':>8}")
    for label, value in rows:
        print(f"{label:<80}{value * per:>10.3f}{value / total:>8.1%}")
    rest = total - sum(v for _, v in rows)
    print(f"{'everything else':<80}{rest * per:>10.3f}{rest / total:>8.1%}")
    print(f"{'fit, total':<80}{total * per:>10.3f}")
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
