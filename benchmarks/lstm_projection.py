"""Micro-benchmark: where an LSTM's input projection goes, on this backend.

    .venv/bin/python benchmarks/lstm_projection.py

Times one batch (128 x 100 tokens, Embedding 10000x64, LSTM(64)) forward and forward+gradient, jitted,
three ways: `pre` projects every time step before the scan (x @ kernel on (B, T, 64), then the scan
reads (T, B, 256) slices: what kerasish/layers/recurrent.py does), `per` projects inside the scan step
(what Keras's LSTMCell does) with jnp.split gates, `slice` the same with sliced gates.
"""

import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax


def cell_math(z, c):
    i, f = jax.nn.sigmoid(z[:, :64]), jax.nn.sigmoid(z[:, 64:128])
    g, o = jnp.tanh(z[:, 128:192]), jax.nn.sigmoid(z[:, 192:])
    c = f * c + i * g
    return o * jnp.tanh(c), c


def pre(p, xb):
    xs = jnp.swapaxes(jnp.take(p["emb"], xb, axis=0) @ p["k"] + p["bias"], 0, 1)

    def cell(carry, xt):
        h, c = carry
        return cell_math(xt + h @ p["r"], c), None
    z = jnp.zeros((xb.shape[0], 64))
    return lax.scan(cell, (z, z), xs)[0][0]


def per_split(p, xb):
    e = jnp.swapaxes(jnp.take(p["emb"], xb, axis=0), 0, 1)

    def cell(carry, xt):
        h, c = carry
        i, f, g, o = jnp.split(xt @ p["k"] + h @ p["r"] + p["bias"], 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        return (jax.nn.sigmoid(o) * jnp.tanh(c), c), None
    z = jnp.zeros((xb.shape[0], 64))
    return lax.scan(cell, (z, z), e)[0][0]


def per_slice(p, xb):
    e = jnp.swapaxes(jnp.take(p["emb"], xb, axis=0), 0, 1)

    def cell(carry, xt):
        h, c = carry
        return cell_math(xt @ p["k"] + h @ p["r"] + p["bias"], c), None
    z = jnp.zeros((xb.shape[0], 64))
    return lax.scan(cell, (z, z), e)[0][0]


def main():
    k = jax.random.split(jax.random.key(0), 4)
    p = {"emb": jax.random.uniform(k[0], (10000, 64)) * 0.1, "k": jax.random.normal(k[1], (64, 256)) * 0.1,
         "r": jax.random.normal(k[2], (64, 256)) * 0.1, "bias": jnp.zeros(256)}
    x = jnp.asarray(np.random.default_rng(0).integers(1, 10000, (128, 100)).astype(np.int32))
    fns = {"pre (kerasish now)": pre, "per step, split": per_split, "per step, sliced": per_slice}
    fwd = {n: jax.jit(f) for n, f in fns.items()}
    grad = {n: jax.jit(jax.grad(lambda p, x, f=f: f(p, x).sum())) for n, f in fns.items()}
    for n in fns:
        jax.block_until_ready((fwd[n](p, x), grad[n](p, x)))
    times = {n: ([], []) for n in fns}
    for _ in range(7):  # interleaved rounds
        for n in fns:
            t = time.perf_counter()
            fwd[n](p, x).block_until_ready()
            times[n][0].append(time.perf_counter() - t)
            t = time.perf_counter()
            jax.block_until_ready(grad[n](p, x))
            times[n][1].append(time.perf_counter() - t)
    for n, (f, g) in times.items():
        print(f"{n:<22} forward {statistics.median(f) * 1e3:7.1f} ms   "
              f"forward+grad {statistics.median(g) * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
