"""The fixed cost of a call: `fit(epochs=e)` for e = 1, 2, 3, 5, `evaluate` and `predict` on the tiny workload,
timed in turn (wall, main-thread CPU and process CPU); a line through fit's four points separates what a call
costs once from what each epoch costs.

    .venv/bin/python benchmarks/call_cost.py --rounds 200
    .venv/bin/python benchmarks/call_cost.py --workload mlp --rounds 5

Instruction counts, exact under any load (every thread counted; the compiled steps run in XLA's threads):

    valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes \\
        .venv/bin/python benchmarks/call_cost.py --callgrind fit3 --rounds 10
    callgrind_annotate callgrind.out.<pid>-01 | head     # thread 1: the Python side of the calls

With `--callgrind`, the calls are made twice first, then collection is turned on (`callgrind_control -i on`) for
`--rounds` calls of the named kind only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.workloads import WORKLOADS, make_data  # noqa: E402

EPOCHS = (1, 2, 3, 5)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workload", default="tiny", choices=[w for w in WORKLOADS if not WORKLOADS[w].pydataset])
    p.add_argument("--rounds", type=int, default=100, help="calls of each kind (in turn)")
    p.add_argument("--callgrind", choices=[f"fit{e}" for e in EPOCHS] + ["evaluate", "predict"],
                   help="run under callgrind: collect only these calls")
    args = p.parse_args(argv)

    import kerasish as ks
    from benchmarks.impl_kerasish import build

    w = WORKLOADS[args.workload]
    x, y = make_data(args.workload)
    ks.utils.set_random_seed(0)
    model = build(ks, args.workload)
    opt = ks.optimizers.SGD(w.learning_rate) if w.optimizer == "sgd" else ks.optimizers.Adam(w.learning_rate)
    model.compile(optimizer=opt, loss=w.loss, metrics=["accuracy"])
    calls = {f"fit{e}": (lambda e=e: model.fit(x, y, batch_size=w.batch_size, epochs=e, verbose=0)) for e in EPOCHS}
    calls["evaluate"] = lambda: model.evaluate(x, y, batch_size=w.batch_size, verbose=0)
    calls["predict"] = lambda: model.predict(x, batch_size=w.batch_size, verbose=0)
    for call in calls.values():  # compile, and warm every path
        call()
        call()

    if args.callgrind:
        control = lambda state: subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True,
                                               capture_output=True)
        control("on")
        for _ in range(args.rounds):
            calls[args.callgrind]()
        control("off")
        return

    times = {name: ([], [], []) for name in calls}
    for _ in range(args.rounds):
        for name, call in calls.items():
            wall, thread, process = time.perf_counter(), time.thread_time(), time.process_time()
            call()
            times[name][0].append(time.perf_counter() - wall)
            times[name][1].append(time.thread_time() - thread)
            times[name][2].append(time.process_time() - process)
    print(f"{args.workload}: {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}; medians in ms")
    print(f"{'call':<10}{'wall':>10}{'main-thread CPU':>17}{'process CPU':>13}")
    medians = {name: [statistics.median(v) * 1e3 for v in t] for name, t in times.items()}
    for name, (wall, thread, process) in medians.items():
        print(f"{name:<10}{wall:>10.3f}{thread:>17.3f}{process:>13.3f}")
    for i, clock in enumerate(("wall", "main-thread CPU", "process CPU")):
        slope, fixed = np.polyfit(EPOCHS, [medians[f"fit{e}"][i] for e in EPOCHS], 1)
        print(f"fit, {clock}: {fixed:.3f} ms per call + {slope:.3f} ms per epoch")


if __name__ == "__main__":
    main()
