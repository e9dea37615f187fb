"""What the non-finite guard costs a training epoch: the MLP workload (784-128(relu)-10(softmax), Adam, batch 128)
fitted with the engine as it is, with the check of the updated weights and optimizer state left out ("gradients
only"), and with `engine.all_finite` replaced by a constant True while its train step is traced ("without": the
compiled step checks neither the gradients nor the updated state; the check of the loss itself, a scalar, stays).
One epoch of each in turn per round, under the same load; wall and CPU seconds per epoch.

    .venv/bin/python -m benchmarks.guard_cost --samples 60000 --rounds 8
"""

from __future__ import annotations

import argparse

import jax.numpy as jnp
import numpy as np

from benchmarks.common import alternate_epochs
from benchmarks.workloads import make_data


def build(ks):
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((784,)), ks.layers.Dense(128, activation="relu"),
                           ks.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    import kerasish as ks
    from kerasish.training import engine

    x, y = make_data("mlp", args.samples)
    models = {"with the guard": build(ks), "gradients only": build(ks), "without": build(ks)}
    models["with the guard"].fit(x, y, batch_size=128, epochs=1, verbose=0)  # traced and compiled as shipped
    real = engine.all_finite
    calls = [0]

    def gradients_only(tree):  # a train step checks the gradients first, then the updated state
        calls[0] += 1
        return real(tree) if calls[0] % 2 else jnp.bool_(True)

    try:
        engine.all_finite = gradients_only
        models["gradients only"].fit(x, y, batch_size=128, epochs=1, verbose=0)  # no check of the updated state
        engine.all_finite = lambda tree: jnp.bool_(True)
        models["without"].fit(x, y, batch_size=128, epochs=1, verbose=0)  # traced without either check
    finally:
        engine.all_finite = real
    wall, cpu = alternate_epochs(models, x, y, args.rounds)
    base = "without"
    for name, model in models.items():
        print(f"{name:16s} wall s/epoch min {min(wall[name]):.4f} median {np.median(wall[name]):.4f}   "
              f"cpu min {min(cpu[name]):.4f} median {np.median(cpu[name]):.4f}   "
              f"cpu median vs without {np.median(cpu[name]) / np.median(cpu[base]):.3f}   "
              f"wall min vs without {min(wall[name]) / min(wall[base]):.3f}   programs {model.compiled_programs()}")


if __name__ == "__main__":
    main()
