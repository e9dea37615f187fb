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
frameworks do. Non-trainable model state (the ResNet's BatchNormalization statistics) travels with the
state as `stats`.

A PyDataset-fed workload (`pydataset`) has one loop, `jit`: each batch comes from the dataset's
`__getitem__` (spec option `workers=<n>`: that many threads prepare batches ahead, in order, at most
10 ahead), goes to the device and into the same jitted step; evaluate and predict read it the same way.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks import common
from benchmarks.workloads import RESNET, TRANSFORMER, WORKLOADS, make_pydataset


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
        """`(params, stats)`: the trainable weights and the non-trainable state."""
        if name == "resnet":
            return init_resnet(key)
        return init_params(key), {}

    def init_resnet(key):
        keys = iter(jax.random.split(key, 32))
        params, stats = {}, {}

        def conv_bn(tag, cin, cout, size=3):
            params[tag] = glorot(next(keys), (size, size, cin, cout), size * size * cin, size * size * cout)
            params[tag + "_g"], params[tag + "_b"] = jnp.ones(cout), jnp.zeros(cout)
            stats[tag + "_mean"], stats[tag + "_var"] = jnp.zeros(cout), jnp.ones(cout)

        conv_bn("stem", 3, RESNET["stem"])
        cin = RESNET["stem"]
        for i, (filters, strides) in enumerate(RESNET["stages"]):
            if strides != 1 or cin != filters:
                conv_bn(f"s{i}_short", cin, filters, size=1)
            conv_bn(f"s{i}_a", cin, filters)
            conv_bn(f"s{i}_b", filters, filters)
            cin = filters
        params["w"] = glorot(next(keys), (cin, RESNET["classes"]), cin, RESNET["classes"])
        params["b"] = jnp.zeros(RESNET["classes"])
        return params, stats

    def init_params(key):
        k = jax.random.split(key, 8)
        if name == "transformer":
            t = TRANSFORMER
            d, h, kd = t["dim"], t["heads"], t["key_dim"]
            keys = iter(jax.random.split(k[0], 64))
            p = {"tokens": jax.random.uniform(next(keys), (t["vocab"], d), jnp.float32, -0.05, 0.05),
                 "positions": jax.random.uniform(next(keys), (t["maxlen"], d), jnp.float32, -0.05, 0.05),
                 "w": glorot(next(keys), (d, t["classes"]), d, t["classes"]), "b": jnp.zeros(t["classes"])}
            for i in range(t["blocks"]):
                for proj in ("q", "k", "v"):
                    p[f"{i}{proj}"] = glorot(next(keys), (d, h, kd), d, h * kd)
                    p[f"{i}{proj}b"] = jnp.zeros((h, kd))
                p[f"{i}o"], p[f"{i}ob"] = glorot(next(keys), (h, kd, d), h * kd, d), jnp.zeros(d)
                p[f"{i}f1"], p[f"{i}f1b"] = glorot(next(keys), (d, t["ff"]), d, t["ff"]), jnp.zeros(t["ff"])
                p[f"{i}f2"], p[f"{i}f2b"] = glorot(next(keys), (t["ff"], d), t["ff"], d), jnp.zeros(d)
                for norm in ("n1", "n2"):
                    p[f"{i}{norm}g"], p[f"{i}{norm}b"] = jnp.ones(d), jnp.zeros(d)
            return p
        if name == "tiny":
            return {"w": glorot(k[0], (2, 1), 2, 1), "b": jnp.zeros(1)}
        if name in ("mlp", "pydataset"):
            hidden = int(opts.get("hidden", 128))  # benchmarks/scaling.py varies the width
            return {"w1": glorot(k[0], (784, hidden), 784, hidden), "b1": jnp.zeros(hidden),
                    "w2": glorot(k[1], (hidden, 10), hidden, 10), "b2": jnp.zeros(10)}
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

    def layer_norm(h, gain, bias, epsilon=1e-6):
        mean = jnp.mean(h, axis=-1, keepdims=True)
        var = jnp.mean(jnp.square(h - mean), axis=-1, keepdims=True)
        return (h - mean) * jax.lax.rsqrt(var + epsilon) * gain + bias

    def attention(p, i, h):
        """Keras's MultiHeadAttention on (batch, T, dim): einsum projections, scaled query, softmax over keys."""
        q = (jnp.einsum("btd,dhk->bthk", h, p[f"{i}q"]) + p[f"{i}qb"]) / np.sqrt(TRANSFORMER["key_dim"])
        k = jnp.einsum("btd,dhk->bthk", h, p[f"{i}k"]) + p[f"{i}kb"]
        v = jnp.einsum("btd,dhk->bthk", h, p[f"{i}v"]) + p[f"{i}vb"]
        weights = jax.nn.softmax(jnp.einsum("bshk,bthk->bhts", k, q), axis=-1)
        return jnp.einsum("bthk,hkd->btd", jnp.einsum("bhts,bshk->bthk", weights, v), p[f"{i}o"]) + p[f"{i}ob"]

    def resnet(p, stats, h, train):
        new = {}

        def conv_bn(tag, h, strides=1, relu=True):
            h = lax.conv_general_dilated(h, p[tag], (strides, strides), "SAME",
                                         dimension_numbers=("NHWC", "HWIO", "NHWC"))
            if train:  # batch statistics; the moving averages follow them (momentum 0.99, as Keras's)
                mean, var = jnp.mean(h, axis=(0, 1, 2)), jnp.var(h, axis=(0, 1, 2))
                new[tag + "_mean"] = 0.99 * stats[tag + "_mean"] + 0.01 * mean
                new[tag + "_var"] = 0.99 * stats[tag + "_var"] + 0.01 * var
            else:
                mean, var = stats[tag + "_mean"], stats[tag + "_var"]
            h = (h - mean) * jax.lax.rsqrt(var + 1e-3) * p[tag + "_g"] + p[tag + "_b"]
            return jax.nn.relu(h) if relu else h

        h = conv_bn("stem", h)
        cin = RESNET["stem"]
        for i, (filters, strides) in enumerate(RESNET["stages"]):
            shortcut = conv_bn(f"s{i}_short", h, strides, relu=False) if strides != 1 or cin != filters else h
            h = jax.nn.relu(shortcut + conv_bn(f"s{i}_b", conv_bn(f"s{i}_a", h, strides), relu=False))
            cin = filters
        out = jax.nn.softmax(jnp.mean(h, axis=(1, 2)) @ p["w"] + p["b"])
        return out, ({**stats, **new} if train else stats)

    def forward(p, stats, xb, train, key):
        """`(probabilities, new stats)`."""
        if name == "resnet":
            return resnet(p, stats, xb, train)
        return forward_stateless(p, xb, train, key), stats

    def forward_stateless(p, xb, train, key):
        if name == "transformer":
            h = jnp.take(p["tokens"], xb, axis=0) + p["positions"][:xb.shape[1]]
            for i in range(TRANSFORMER["blocks"]):
                h = layer_norm(h + attention(p, i, h), p[f"{i}n1g"], p[f"{i}n1b"])
                ff = jax.nn.relu(h @ p[f"{i}f1"] + p[f"{i}f1b"]) @ p[f"{i}f2"] + p[f"{i}f2b"]
                h = layer_norm(h + ff, p[f"{i}n2g"], p[f"{i}n2b"])
            return jax.nn.softmax(jnp.mean(h, axis=1) @ p["w"] + p["b"])
        if name == "tiny":
            return jax.nn.sigmoid(xb @ p["w"] + p["b"])
        if name in ("mlp", "pydataset"):
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

    def train_batch(state, xb, yb):
        key = jax.random.fold_in(state["key"], state["step"])

        def loss_fn(params):
            prob, stats = forward(params, state["stats"], xb, True, key)
            loss, correct = loss_and_correct(prob, yb)
            return loss, (correct, stats)

        (loss, (correct, stats)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state["params"])
        updates, opt = tx.update(grads, state["opt"], state["params"])
        return {"params": optax.apply_updates(state["params"], updates), "opt": opt, "key": state["key"],
                "stats": stats, "step": state["step"] + 1, "m": accumulate(state["m"], loss, correct, yb.shape[0])}

    def train_step(state, data, idx):
        return train_batch(state, data[0][idx], data[1][idx])

    def test_batch(m, model, xb, yb):
        loss, correct = loss_and_correct(forward(*model, xb, False, None)[0], yb)
        return accumulate(m, loss, correct, yb.shape[0])

    def test_step(m, model, data, idx):
        return test_batch(m, model, data[0][idx], data[1][idx])

    def predict_batch(model, xb):
        return forward(*model, xb, False, None)[0]

    def read_reset(state):
        m = state["m"]
        logs = {"loss": m["loss"] / m["count"], "accuracy": m["correct"] / m["count"]}
        return {**state, "m": zero()}, logs

    n = len(x)
    nf, rem = divmod(n, b)
    params, stats = init(jax.random.key(0))
    box = {"state": {"params": params, "stats": stats, "opt": tx.init(params), "key": jax.random.key(1),
                     "step": jnp.zeros((), jnp.int32), "m": zero()}}
    model = lambda: (box["state"]["params"], box["state"]["stats"])  # what inference reads

    if w.pydataset:
        if variant != "jit":
            raise ValueError("a PyDataset feeds one batch per step: only the `jit` loop")
        batches = make_pydataset(object, x, y, b)
        workers = int(opts.get("workers", 1))
        step = jax.jit(train_batch, donate_argnums=0)
        finish = jax.jit(read_reset, donate_argnums=0)
        test = jax.jit(test_batch, donate_argnums=0)
        pred = jax.jit(predict_batch)

        def epoch(e):
            state = box["state"]
            for xb, yb in read_ahead(batches, workers):
                state = step(state, jnp.asarray(xb), jnp.asarray(yb))
            box["state"], logs = finish(state)
            return {k: float(v) for k, v in jax.device_get(logs).items()}

        def evaluate():
            m = zero()
            for xb, yb in read_ahead(batches, workers):
                m = test(m, model(), jnp.asarray(xb), jnp.asarray(yb))
            return jax.device_get(m)

        def predict():
            return np.concatenate(jax.device_get([pred(model(), jnp.asarray(xb))
                                                  for xb, _ in read_ahead(batches, workers)]))

        self.epoch, self.evaluate, self.predict = epoch, evaluate, predict
        self.train_step, self.forward, self.box, self.data = train_step, forward, box, None
        return

    data = jax.device_put((x, y))
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
        pred = jax.jit(lambda model, xs, idx: predict_batch(model, xs[idx]))
        order = np.arange(n, dtype=np.int32)

        def evaluate():
            m = zero()
            for i in range(0, n, b):
                m = test(m, model(), data, order[i:i + b])
            return jax.device_get(m)

        def predict():
            return np.concatenate(jax.device_get([pred(model(), data[0], order[i:i + b]) for i in range(0, n, b)]))
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
        def eval_fn(model, data):
            m, _ = lax.scan(lambda m, i: (test_step(m, model, data, i), None), zero(),
                            order[:nf * b].reshape(nf, b), unroll=unroll)
            return test_step(m, model, data, order[nf * b:]) if rem else m

        @jax.jit
        def pred_fn(model, xs):
            full = lax.map(lambda i: predict_batch(model, xs[i]), order[:nf * b].reshape(nf, b))
            full = full.reshape((nf * b,) + full.shape[2:])
            return jnp.concatenate([full, predict_batch(model, xs[order[nf * b:]])]) if rem else full

        evaluate = lambda: jax.device_get(eval_fn(model(), data))
        predict = lambda: np.asarray(pred_fn(model(), data[0]))

    self.epoch, self.evaluate, self.predict = epoch, evaluate, predict
    self.train_step, self.forward, self.box, self.data = train_step, forward, box, data


def read_ahead(batches, workers: int, ahead: int = 10):
    """The batches of `batches` (an object with `__len__` / `__getitem__`) in order; with `workers` > 1 that many
    threads prepare them, at most `ahead` in flight."""
    if workers <= 1:
        for i in range(len(batches)):
            yield batches[i]
        return
    import collections
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        pending = collections.deque()
        for i in range(len(batches)):
            pending.append(pool.submit(batches.__getitem__, i))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


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
    # three epochs back to back: what a fit(epochs=3) call of this loop would cost (it has no fixed cost beyond them)
    out.update(common.time_whole_calls(lambda: [loop.epoch(e) for e in range(3)], out["epoch_s"]))
    return out
