"""What donating the train state and streaming the training data cost or save, each setting in its own process.

`fit` hands the train state to every train dispatch as donated buffers (`training/engine._donating`), and
streams training data that would not fit on an accelerator (`training/data.fits_on_device`). This script
runs a wide MLP (its weights and Adam's moments are what donation saves: 3 x 4 bytes per weight) with:

- `donated`: fit as shipped;
- `kept`: the same compiled step without `donate_argnums` (what fit did before);
- `streamed`: donated, and the training data copied to the device one dispatch at a time (forced on
  the CPU, where data is otherwise read in place).

and prints, per setting, the peak resident memory the fit added (VmHWM after minus before), the median
epoch time and the final loss (equal in all three: the same computation). Usage:
`.venv/bin/python -m benchmarks.donation --width 2048 --rounds 2`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

SETTINGS = ("donated", "kept", "streamed")


def child(setting: str, width: int, samples: int, epochs: int) -> dict:
    import jax
    import numpy as np

    import kerasish as ks
    from benchmarks.common import peak_rss_mb
    from kerasish.training import engine
    from kerasish.training.data import arrays, host_memory

    if setting == "kept":
        def kept(step):
            jitted = jax.jit(step)
            call = lambda state, *args: jitted(state, *args)  # noqa: E731
            call._cache_size = jitted._cache_size
            return call
        engine._donating = kept
    if setting == "streamed":
        arrays.reads_host_in_place = lambda: False
        host_memory.device_room = lambda: 0
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, 784)).astype(np.float32)
    y = rng.integers(0, 10, samples).astype(np.int32)
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((784,)), ks.layers.Dense(width, activation="relu"),
                           ks.layers.Dense(width, activation="relu"), ks.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    weights = sum(int(np.prod(w.shape)) for w in model.get_weights())
    before = peak_rss_mb()
    times = []

    class Clock(ks.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter())

    start = time.perf_counter()
    history = model.fit(x, y, batch_size=128, epochs=epochs, callbacks=[Clock()], verbose=0)
    epochs_s = [b - a for a, b in zip([start] + times, times)][1:]
    return {"setting": setting, "weights": weights, "added_rss_mib": peak_rss_mb() - before,
            "epoch_s": statistics.median(epochs_s), "loss": history.history["loss"][-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=2048)
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each setting, interleaved")
    parser.add_argument("--child", choices=SETTINGS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.width, args.samples, args.epochs)))
        return
    results: dict[str, list[dict]] = {s: [] for s in SETTINGS}
    for _ in range(args.rounds):
        for setting in SETTINGS:
            out = subprocess.run([sys.executable, "-m", "benchmarks.donation", "--child", setting,
                                  "--width", str(args.width), "--samples", str(args.samples),
                                  "--epochs", str(args.epochs)], capture_output=True, text=True, check=True)
            results[setting].append(json.loads(out.stdout.strip().splitlines()[-1]))
    weights = results["donated"][0]["weights"]
    print(f"MLP 784-{args.width}-{args.width}-10: {weights / 1e6:.1f} M weights, weights + Adam moments "
          f"{3 * 4 * weights / 2**20:.0f} MiB; {args.samples} samples, batch 128, {args.rounds} run(s) each")
    print(f"{'setting':<10} {'fit added RSS MiB':>18} {'s/epoch':>9} {'final loss':>12}")
    for setting, runs in results.items():
        rss = statistics.median(r["added_rss_mib"] for r in runs)
        epoch = statistics.median(r["epoch_s"] for r in runs)
        print(f"{setting:<10} {rss:>18.0f} {epoch:>9.3f} {runs[0]['loss']:>12.6f}")


if __name__ == "__main__":
    main()
