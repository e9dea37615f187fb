"""evaluate and predict of kerasish and Keras 3 interleaved in ONE process (same load for both).

The per-process figures of `run.py` move by 10-50% on a shared machine; here both frameworks build
the same model on the same data, warm up, then alternate calls for `--rounds` rounds and print the
medians. Usage: `.venv/bin/python -m benchmarks.ab_inference --workload cnn --rounds 5`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="mlp", choices=["tiny", "mlp", "cnn", "lstm"])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    import kerasish as ks
    from benchmarks import impl_keras, impl_kerasish
    from benchmarks.workloads import WORKLOADS, make_data

    w = WORKLOADS[args.workload]
    x, y = make_data(args.workload)
    models = {"kerasish": impl_kerasish.build(ks, args.workload), "keras": impl_keras.build(keras, args.workload)}
    times: dict[str, dict[str, list[float]]] = {}
    for name, model in models.items():
        model.compile(optimizer="adam", loss=w.loss, metrics=["accuracy"])
        model.predict(x, batch_size=w.batch_size, verbose=0)  # compiles
        model.evaluate(x, y, batch_size=w.batch_size, verbose=0)
        times[name] = {"predict": [], "evaluate": []}
    for _ in range(args.rounds):
        for name, model in models.items():
            start = time.perf_counter()
            model.predict(x, batch_size=w.batch_size, verbose=0)
            times[name]["predict"].append(time.perf_counter() - start)
            start = time.perf_counter()
            model.evaluate(x, y, batch_size=w.batch_size, verbose=0)
            times[name]["evaluate"].append(time.perf_counter() - start)
    for name, calls in times.items():
        medians = "  ".join(f"{call} {statistics.median(v):.3f} s" for call, v in calls.items())
        print(f"{args.workload} {name:9s} {medians}")


if __name__ == "__main__":
    main()
