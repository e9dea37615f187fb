"""Timing helpers shared by the benchmarks: run.py's implementations (each in its own child process) and the A/B
scripts."""

from __future__ import annotations

import resource
import statistics
import sys
import time


def mark() -> tuple[float, float]:
    """(wall clock, this process's CPU time over all its threads)."""
    return time.perf_counter(), time.process_time()


def epoch_stats(t0: tuple[float, float], ends: list[tuple[float, float]]) -> dict:
    """From `mark()` at the start and at each epoch end: time to the end of the first epoch (model
    creation + compile + epoch 1) and the median of the later epochs, in wall-clock and CPU seconds.

    CPU seconds (all threads) are less sensitive to other processes' load than wall-clock seconds on
    a shared machine; wall-clock is the figure that counts."""
    durations = [b[0] - a[0] for a, b in zip(ends, ends[1:])]
    cpu = [b[1] - a[1] for a, b in zip(ends, ends[1:])]
    return {"first_epoch_s": ends[0][0] - t0[0], "epoch_s": statistics.median(durations) if durations else None,
            "epoch_times": durations, "cpu_epoch_s": statistics.median(cpu) if cpu else None}


def time_calls(label: str, fn, reps: int) -> dict:
    """The first call (compile included) and the median of `reps` more."""
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return {f"{label}_first_s": first, f"{label}_s": statistics.median(times) if times else first}


def time_whole_calls(call, epoch_s: float | None, budget_s: float = 3.0, max_reps: int = 15) -> dict:
    """`call()` (a `fit(epochs=3)`, or three epochs of a hand-written loop) timed as one call, after the process's
    earlier fit warmed it up: the median of as many calls as fit in about `budget_s` (from `epoch_s`, the epoch
    time measured before), at least 1 and at most `max_reps`."""
    reps = max(1, min(max_reps, int(budget_s / max(3 * (epoch_s or budget_s), 1e-6))))
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return {"call_s": statistics.median(times), "call_times": times}


def device_peak_mb() -> float | None:
    """Peak memory XLA's allocator held on the first accelerator, in MiB; None on XLA:CPU (no such
    statistics: its arrays are in the process's RSS) or when JAX was never imported."""
    jax = sys.modules.get("jax")
    if jax is None:
        return None
    try:
        device = jax.devices()[0]
        stats = device.memory_stats() if device.platform != "cpu" else None
    except Exception:  # noqa: BLE001 - a backend without statistics
        return None
    if not stats or "peak_bytes_in_use" not in stats:
        return None
    return stats["peak_bytes_in_use"] / 2**20


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def alternate_epochs(models: dict, x, y, rounds: int, batch_size: int = 128) -> tuple[dict, dict]:
    """`(wall, cpu)`: seconds of one `fit` epoch of each model, `{name: [per round]}`, the models taking turns in
    every round so that all of them run under the same load."""
    wall: dict[str, list[float]] = {name: [] for name in models}
    cpu: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            w, c = time.perf_counter(), time.process_time()
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
    return wall, cpu
