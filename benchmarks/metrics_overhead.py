"""What compiled metrics cost a training epoch: the MLP workload's model (784-128-10, Adam, batch 128) on one-hot
labels, fitted with `metrics=["accuracy"]` and with `["accuracy", "auc", "precision", "recall"]`, one epoch of
each in turn (both under the same load), wall and CPU seconds per epoch.

    .venv/bin/python -m benchmarks.metrics_overhead --samples 20000 --rounds 12
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks.common import alternate_epochs

VARIANTS = {"accuracy": ["accuracy"], "accuracy+auc+precision+recall": ["accuracy", "auc", "precision", "recall"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    import kerasish as ks

    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, args.samples)]
    models = {}
    for name, metrics in VARIANTS.items():
        ks.utils.set_random_seed(0)
        model = ks.Sequential([ks.Input((784,)), ks.layers.Dense(128, activation="relu"),
                               ks.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=metrics)
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)  # compiles
        models[name] = model
    wall, cpu = alternate_epochs(models, x, y, args.rounds)
    base = "accuracy"
    for name in VARIANTS:
        print(f"{name:32s} wall s/epoch min {min(wall[name]):.4f} median {np.median(wall[name]):.4f}   "
              f"cpu min {min(cpu[name]):.4f} median {np.median(cpu[name]):.4f}   "
              f"cpu median ratio {np.median(cpu[name]) / np.median(cpu[base]):.3f}")


if __name__ == "__main__":
    main()
