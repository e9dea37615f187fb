"""Hand-written JAX + optax: what an expert writes without a framework (run in its own process).

Two variants, same model maths, initialisation, optimizer and data as the frameworks:

- `jit`: a `jax.jit` train step (state donated) dispatched once per batch; the data stays on the
  device and each step gathers its batch from a host-made permutation (`x[idx]` inside the step).
- `scan`: one `jax.jit` program per epoch: an on-device permutation, a `lax.scan` over the full
  batches, the last partial batch, and the metric read-out/reset -- one dispatch and one host
  transfer per epoch. Spec option `unroll=<int>` passes `unroll` to the scan; `subset=<n>` times it
  on the first n samples and scales the times by the batch count (used for the CNN, whose rolled
  scan is very slow on XLA:CPU).

Metrics (mean loss and accuracy) are accumulated on the device and read once per epoch, as the
frameworks do.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks import common
from benchmarks.workloads import WORKLOADS


class HandLoop:
    """The hand-written loop of `variant` ("jit" or "scan"): `epoch(e)` trains one epoch and returns its
    logs (host floats); `evaluate()`, `predict()`. Construction puts the data on the device and
    initialises the weights (nothing is compiled until the first call)."""

    def __init__(self, name: str, opts: dict, x, y, variant: str) -> None:
        _build(self, name, opts, x, y, variant)


def _build(self, name: str, opts: dict, x, y, variant: str) -> None:
    import jax
    import jax.numpy as jnp
    import optax
    from jax import lax
    w = WORKLOADS[name]
    b = w.batch_size

    # ---------------------------------------------------------------- model
    def glorot(key, shape, fan_in, fan_out):
        lim = np.sqrt(6.0 / (fan_in + fan_out))
        return jax.random.uniform(key, shape, jnp.float32, -lim, lim)

    def init(key):
        k = jax.random.split(key, 8)
        if name == "tiny":
            return {"w": glorot(k[0], (2, 1), 2, 1), "b": jnp.zeros(1)}
        if name == "mlp":
            return {"w1": glorot(k[0], (784, 128), 784, 128), "b1": jnp.zeros(128),
                    "w2": glorot(k[1], (128, 10), 128, 10), "b2": jnp.zeros(10)}
        if name == "cnn":
            return {"c1": glorot(k[0], (3, 3, 1, 32), 9, 9 * 32), "cb1": jnp.zeros(32),
                    "c2": glorot(k[1], (3, 3, 32, 64), 9 * 32, 9 * 64), "cb2": jnp.zeros(64),
                    "w": glorot(k[2], (1600, 10), 1600, 10), "b": jnp.zeros(10)}
        if name == "lstm":
            rec = jnp.linalg.qr(jax.random.normal(k[3], (256, 64)))[0].T  # orthogonal (64, 256)
            bias = jnp.zeros(256).at[64:128].set(1.0)  # unit forget bias, Keras's gate order i, f, c, o
            return {"emb": jax.random.uniform(k[0], (10000, 64), jnp.float32, -0.05, 0.05),
                    "k": glorot(k[1], (64, 256), 64, 256), "r": rec, "bias": bias,
                    "w": glorot(k[2], (64, 1), 64, 1), "b": jnp.zeros(1)}
        raise ValueError(name)

    def pool(h):
        return lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    def conv(h, kern, bias):
        return jax.nn.relu(lax.conv_general_dilated(h, kern, (1, 1), "VALID",
                                                    dimension_numbers=("NHWC", "HWIO", "NHWC")) + bias)

    def forward(p, xb, train, key):
        if name == "tiny":
            return jax.nn.sigmoid(xb @ p["w"] + p["b"])
        if name == "mlp":
            return jax.nn.softmax(jax.nn.relu(xb @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"])
        if name == "cnn":
            h = pool(conv(xb, p["c1"], p["cb1"]))
            h = pool(conv(h, p["c2"], p["cb2"])).reshape(xb.shape[0], -1)
            if train:
                keep = jax.random.bernoulli(key, 0.5, h.shape)
                h = jnp.where(keep, h / 0.5, 0.0)
            return jax.nn.softmax(h @ p["w"] + p["b"])
        if name == "lstm":
            # The input projection is done per time step, as Keras's LSTMCell does: projecting all
            # steps first and scanning over the (T, B, 256) result ran 4x slower forward (2x with
            # gradients) on XLA:CPU. Gates sliced, not jnp.split (another ~25% on the gradient).
            xs = jnp.swapaxes(jnp.take(p["emb"], xb, axis=0), 0, 1)  # (T, B, 64)

            def cell(carry, xt):
                h, c = carry
                z = xt @ p["k"] + h @ p["r"] + p["bias"]
                i, f = jax.nn.sigmoid(z[:, :64]), jax.nn.sigmoid(z[:, 64:128])
                g, o = jnp.tanh(z[:, 128:192]), jax.nn.sigmoid(z[:, 192:])
                c = f * c + i * g
                return (o * jnp.tanh(c), c), None

            zeros = jnp.zeros((xb.shape[0], 64))
            (h, _), _ = lax.scan(cell, (zeros, zeros), xs)
            return jax.nn.sigmoid(h @ p["w"] + p["b"])
        raise ValueError(name)

    eps = 1e-7

    def loss_and_correct(prob, yb):
        if w.loss == "binary_crossentropy":
            pc = jnp.clip(prob, eps, 1 - eps)
            loss = -jnp.mean(yb * jnp.log(pc) + (1 - yb) * jnp.log(1 - pc))
            correct = jnp.sum((prob > 0.5) == (yb > 0.5))
        else:
            pc = jnp.clip(jnp.take_along_axis(prob, yb[:, None], axis=1), eps, 1.0)
            loss = -jnp.mean(jnp.log(pc))
            correct = jnp.sum(jnp.argmax(prob, axis=1) == yb)
        return loss, correct

    tx = optax.sgd(w.learning_rate) if w.optimizer == "sgd" else optax.adam(w.learning_rate, eps=eps)
    zero = lambda: {"loss": jnp.zeros(()), "correct": jnp.zeros(()), "count": jnp.zeros(())}

    def accumulate(m, loss, correct, n):
        return {"loss": m["loss"] + loss * n, "correct": m["correct"] + correct, "count": m["count"] + n}

    def train_step(state, data, idx):
        xb, yb = data[0][idx], data[1][idx]
        key = jax.random.fold_in(state["key"], state["step"])

        def loss_fn(params):
            prob = forward(params, xb, True, key)
            loss, correct = loss_and_correct(prob, yb)
            return loss, correct

        (loss, correct), grads = jax.value_and_grad(loss_fn, has_aux=True)(state["params"])
        updates, opt = tx.update(grads, state["opt"], state["params"])
        return {"params": optax.apply_updates(state["params"], updates), "opt": opt, "key": state["key"],
                "step": state["step"] + 1, "m": accumulate(state["m"], loss, correct, idx.shape[0])}

    def test_step(m, params, data, idx):
        xb, yb = data[0][idx], data[1][idx]
        loss, correct = loss_and_correct(forward(params, xb, False, None), yb)
        return accumulate(m, loss, correct, idx.shape[0])

    def read_reset(state):
        m = state["m"]
        logs = {"loss": m["loss"] / m["count"], "accuracy": m["correct"] / m["count"]}
        return {**state, "m": zero()}, logs

    n = len(x)
    nf, rem = divmod(n, b)
    data = jax.device_put((x, y))
    params = init(jax.random.key(0))
    box = {"state": {"params": params, "opt": tx.init(params), "key": jax.random.key(1),
                     "step": jnp.zeros((), jnp.int32), "m": zero()}}

    if variant == "jit":
        step = jax.jit(train_step, donate_argnums=0)
        finish = jax.jit(read_reset, donate_argnums=0)
        rng = np.random.default_rng(0)

        def epoch(e):
            state = box["state"]
            perm = rng.permutation(n).astype(np.int32)
            for i in range(0, n, b):
                state = step(state, data, perm[i:i + b])
            box["state"], logs = finish(state)
            return {k: float(v) for k, v in jax.device_get(logs).items()}

        test = jax.jit(test_step, donate_argnums=0)
        pred = jax.jit(lambda params, xs, idx: forward(params, xs[idx], False, None))
        order = np.arange(n, dtype=np.int32)

        def evaluate():
            m = zero()
            for i in range(0, n, b):
                m = test(m, box["state"]["params"], data, order[i:i + b])
            return jax.device_get(m)

        def predict():
            return np.concatenate(jax.device_get([pred(box["state"]["params"], data[0], order[i:i + b])
                                                  for i in range(0, n, b)]))
    else:
        unroll = int(opts.get("unroll", 1))

        def epoch_fn(state, data, epoch):
            perm = jax.random.permutation(jax.random.fold_in(jax.random.key(2), epoch), n).astype(jnp.int32)
            state, _ = lax.scan(lambda s, i: (train_step(s, data, i), None), state,
                                perm[:nf * b].reshape(nf, b), unroll=unroll)
            if rem:
                state = train_step(state, data, perm[nf * b:])
            return read_reset(state)

        epoch_jit = jax.jit(epoch_fn, donate_argnums=0)

        def epoch(e):
            box["state"], logs = epoch_jit(box["state"], data, e)
            return {k: float(v) for k, v in jax.device_get(logs).items()}

        order = jnp.arange(n, dtype=jnp.int32)

        @jax.jit
        def eval_fn(params, data):
            m, _ = lax.scan(lambda m, i: (test_step(m, params, data, i), None), zero(),
                            order[:nf * b].reshape(nf, b), unroll=unroll)
            return test_step(m, params, data, order[nf * b:]) if rem else m

        @jax.jit
        def pred_fn(params, xs):
            full = lax.map(lambda i: forward(params, xs[i], False, None), order[:nf * b].reshape(nf, b))
            full = full.reshape((nf * b,) + full.shape[2:])
            return jnp.concatenate([full, forward(params, xs[order[nf * b:]], False, None)]) if rem else full

        evaluate = lambda: jax.device_get(eval_fn(box["state"]["params"], data))
        predict = lambda: np.asarray(pred_fn(box["state"]["params"], data[0]))

    self.epoch, self.evaluate, self.predict = epoch, evaluate, predict
    self.train_step, self.forward, self.box, self.data = train_step, forward, box, data


def run(name: str, opts: dict, timed_epochs: int, eval_reps: int, x, y, variant: str) -> dict:
    t = time.perf_counter()
    import jax  # noqa: F401
    import optax  # noqa: F401
    import_s = time.perf_counter() - t
    t0 = common.mark()
    loop = HandLoop(name, opts, x, y, variant)
    ends = []
    for e in range(1 + timed_epochs):
        logs = loop.epoch(e)
        ends.append(common.mark())
    out = {"import_s": import_s, **common.epoch_stats(t0, ends), "final_logs": logs}
    out.update(common.time_calls("evaluate", loop.evaluate, eval_reps))
    out.update(common.time_calls("predict", loop.predict, eval_reps))
    return out
