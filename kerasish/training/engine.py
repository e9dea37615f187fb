"""The engine: pure train / test / predict steps over one pytree of state, compiled with `jax.jit`.

The model is split once (`nnx.split`) into a graph definition and state; the state travels through
the compiled steps as one pytree::

    state = {"params":  trainable weights           (what jax.grad differentiates)
             "rest":    everything else the model holds (frozen weights, batch statistics, RNG streams)
             "opt":     the optimizer's state        (kept across fit calls, as Keras does)
             "metrics": metric accumulators           (sums and counts, reset each epoch)}

A train step is `(state, batch) -> state`. `train_chunk` runs K steps in one dispatch: batches are
gathered on the device from the resident dataset by index, so the host only sends K x batch_size
integers per dispatch. K = 1 runs the step directly (no loop); K > 1 runs a `lax.scan`, unrolled on
request (XLA:CPU runs convolutions inside a rolled loop much slower than step by step).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from kerasish import optimizers as _optimizers
from kerasish.layers.base import Layer
from kerasish.training.objectives import Objectives


def frozen_paths(model: Layer) -> frozenset[tuple]:
    """Paths of the layers whose `trainable` is False (their weights, and their sublayers', are frozen)."""
    return frozenset(path for path, node in nnx.iter_graph(model) if isinstance(node, Layer) and not node.trainable)


def trainable_filter(frozen: frozenset[tuple]):
    """An nnx filter: the `nnx.Param`s that no frozen layer holds."""
    def is_trainable(path: tuple, value: Any) -> bool:
        return isinstance(value, nnx.Param) and not any(path[:len(p)] == p for p in frozen)
    return is_trainable


def split_model(model: Layer) -> tuple[nnx.GraphDef, nnx.State, nnx.State, Any]:
    """`(graphdef, params, rest, filter)`: the one way to see a model as pure pytrees.

    `params` are the trainable weights, `rest` everything else; `nnx.merge(graphdef, params, rest)`
    gives the model back.
    """
    keep = trainable_filter(frozen_paths(model))
    graphdef, params, rest = nnx.split(model, keep, ...)
    return graphdef, params, rest, keep


def regularization_penalty(model: Layer):
    """The sum of every layer's `regularization_loss()` (the weight penalties given to `add_weight`)."""
    total = 0.0
    for _, node in nnx.iter_graph(model):
        if isinstance(node, Layer):
            total = total + node.regularization_loss()
    return total


#: The most steps "auto" fuses in one dispatch (a cap keeps the progress bar and batch-level stop
#: requests responsive on large epochs).
AUTO_STEPS = 64


def _slow_in_rolled_loop(model: Layer) -> bool:
    """True if the model holds a convolution (a kerasish conv layer or a flax nnx.Conv)."""
    for _, node in nnx.iter_graph(model):
        if getattr(node, "slow_in_rolled_loop", False) or isinstance(node, (nnx.Conv, nnx.ConvTranspose)):
            return True
    return False


def _all_finite(tree: Any) -> jax.Array:
    leaves = [jnp.all(jnp.isfinite(leaf)) for leaf in jax.tree.leaves(tree)
              if jnp.issubdtype(leaf.dtype, jnp.inexact)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.asarray(True)


def _batch_size(x: Any) -> jax.Array:
    return jnp.asarray(jax.tree.leaves(x)[0].shape[0], jnp.float32)


class Engine:
    """The compiled functions and training state of one compiled model.

    Built by `Model` on first use after `compile`; reused by every later `fit` / `evaluate` /
    `predict` call so nothing is compiled twice for the same shapes.
    """

    def __init__(self, model: Layer, optimizer: _optimizers.Optimizer, objectives: Objectives | None,
                 steps_per_execution: int | str = "auto", unroll: bool = False) -> None:
        self.model = model
        self.optimizer = optimizer
        self.objectives = objectives  # None for a model that only predicts
        self.steps_per_execution = steps_per_execution
        self.unroll = unroll
        self.graphdef, params, rest, self.keep = split_model(model)
        self.opt_state = optimizer.init(params)
        optimizer.bind(self)
        self.state: dict[str, Any] | None = None  # the live train state while a loop runs
        self.dataset = None  # the training data of the running fit (its order state is part of a backup)
        self.train_chunk = jax.jit(self._train_chunk)
        self.train_batch = jax.jit(self._train_step)
        self.test_chunk = jax.jit(self._test_chunk)
        self.test_batch = jax.jit(self._test_step)
        self.predict_chunk = jax.jit(self._predict_chunk)
        self.predict_batch = jax.jit(self._predict_step)
        if objectives is not None:
            self._init_metrics = jax.jit(objectives.init)
            self._results = jax.jit(objectives.results)

    # -- how many steps per dispatch ------------------------------------------------------------

    def execution_size(self, steps: int | None) -> int:
        """Steps per dispatch for an epoch of `steps` batches.

        An int from `compile` is used as given. "auto" fuses up to `AUTO_STEPS` steps in one
        `lax.scan` (Python dispatch then costs nothing per step), except on XLA:CPU for models with
        layers that run slowly inside a rolled loop (convolutions: measured 15x slower than stepping),
        where it dispatches one step at a time.
        """
        if self.steps_per_execution != "auto":
            return int(self.steps_per_execution)
        if jax.default_backend() == "cpu" and _slow_in_rolled_loop(self.model):
            return 1
        return max(1, min(steps or 1, AUTO_STEPS))

    # -- state ----------------------------------------------------------------------------------

    def matches(self, model: Layer) -> bool:
        """Whether the compiled functions still fit the model's structure (the graph definition holds each
        layer's `trainable` flag too, so freezing a layer makes a new engine)."""
        return nnx.graphdef(model) == self.graphdef

    def metric_names(self) -> list[str]:
        return self.objectives.names if self.objectives is not None else []

    def init_metrics(self) -> dict[str, Any]:
        """Fresh accumulators, made by one compiled call (not one eager op per accumulator)."""
        return self._init_metrics() if self.objectives is not None else {}

    def pull_state(self) -> dict[str, Any]:
        """The train state, read from the model's current weights (and the kept optimizer state)."""
        _, params, rest = nnx.split(self.model, self.keep, ...)
        return {"params": params, "rest": rest, "opt": self.opt_state, "metrics": self.init_metrics()}

    def push_state(self, state: dict[str, Any]) -> None:
        """Writes weights and non-trainable state back into the model; keeps the optimizer state."""
        nnx.update(self.model, state["params"], state["rest"])
        self.opt_state = state["opt"]

    def restore_opt_state(self, leaves: list) -> None:
        """Puts saved optimizer arrays (in `jax.tree.leaves` order) into this engine's optimizer state."""
        own, treedef = jax.tree.flatten(self.opt_state)
        if len(own) != len(leaves) or any(np.shape(a) != np.shape(b) for a, b in zip(own, leaves)):
            raise ValueError(f"The saved optimizer state ({len(leaves)} arrays) does not fit this model's optimizer "
                             f"({len(own)} arrays); compile again to start a fresh optimizer.")
        self.opt_state = jax.tree.unflatten(treedef, [jnp.asarray(b, a.dtype) for a, b in zip(own, leaves)])

    def pull_weights(self) -> None:
        """Replaces the live state's weights with the model's (after a callback may have set them)."""
        _, params, rest = nnx.split(self.model, self.keep, ...)
        self.state = {**self.state, "params": params, "rest": rest}

    def set_learning_rate(self, value: float) -> None:
        """Sets the learning rate of the next step: in the live state during `fit`, else in the kept
        optimizer state. The rate is an input of the compiled step, so nothing recompiles."""
        if self.state is not None:
            self.state = {**self.state, "opt": _optimizers.set_learning_rate(self.state["opt"], value)}
        else:
            self.opt_state = _optimizers.set_learning_rate(self.opt_state, value)

    def read_metrics(self, metric_state: dict[str, Any], prefix: str = "") -> dict[str, float]:
        """Metric results as Python floats (one device-to-host transfer)."""
        host = jax.device_get(self._results(metric_state))
        return {prefix + name: float(host[name]) for name in self.objectives.names}  # device_get sorts keys

    def learning_rate(self) -> float | None:
        """The learning rate of the next step (None for an optax transformation without one)."""
        return _optimizers.get_learning_rate(self.opt_state if self.state is None else self.state["opt"])

    # -- pure steps -----------------------------------------------------------------------------

    def _forward(self, params, rest, x, training: bool):
        model = nnx.merge(self.graphdef, params, rest, copy=True)
        y_pred = model(x, training=training)
        return model, y_pred

    def _loss(self, model, y, y_pred, sample_weight):
        """The training objective: the weighted sum of the outputs' losses plus regularization penalties."""
        loss, per_output = self.objectives.total_loss(y, y_pred, sample_weight)
        return loss + regularization_penalty(model), per_output

    def _train_step(self, state: dict[str, Any], batch: tuple) -> dict[str, Any]:
        x, y, sample_weight = batch

        def loss_fn(params):
            model, y_pred = self._forward(params, state["rest"], x, training=True)
            loss, per_output = self._loss(model, y, y_pred, sample_weight)
            _, _, rest = nnx.split(model, self.keep, ...)
            return loss, (y_pred, per_output, rest)

        (loss, (y_pred, per_output, rest)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state["params"])
        updates, opt_state = self.optimizer.update(grads, state["opt"], state["params"])
        params = optax.apply_updates(state["params"], updates)
        # A non-finite loss or gradient skips the update: NaN never reaches the weights. The loss is
        # still accumulated, so the epoch's logged loss shows it (and TerminateOnNaN sees it).
        finite = jnp.isfinite(loss) & _all_finite(grads)
        keep = lambda new, old: jax.tree.map(lambda n, o: jnp.where(finite, n, o), new, old)
        metric_state = self.objectives.update(state["metrics"], loss, per_output, y, y_pred, sample_weight,
                                              _batch_size(x))
        return {"params": keep(params, state["params"]), "rest": keep(rest, state["rest"]),
                "opt": keep(opt_state, state["opt"]), "metrics": metric_state}

    def _test_step(self, state: dict[str, Any], batch: tuple) -> dict[str, Any]:
        x, y, sample_weight = batch
        model, y_pred = self._forward(state["params"], state["rest"], x, training=False)
        loss, per_output = self._loss(model, y, y_pred, sample_weight)
        metric_state = self.objectives.update(state["metrics"], loss, per_output, y, y_pred, sample_weight,
                                              _batch_size(x))
        return {**state, "metrics": metric_state}

    def _predict_step(self, state: dict[str, Any], x: Any):
        return self._forward(state["params"], state["rest"], x, training=False)[1]

    # -- K steps per dispatch over a device-resident dataset --------------------------------------

    def _loop(self, step, state, data, index, valid):
        """Runs `step` over the batches `data[index[k]]` for k < valid (index: int32 (K, batch)).

        Rows from `valid` on are padding (so that every chunk of full batches has one shape and one
        program); `lax.cond` skips them without computing.
        """
        gather = lambda i: jax.tree.map(lambda a: a[i], data)
        if index.shape[0] == 1:
            return step(state, gather(index[0]))

        def body(state, k):
            state = jax.lax.cond(k < valid, lambda s: step(s, gather(index[k])), lambda s: s, state)
            return state, None
        state, _ = jax.lax.scan(body, state, jnp.arange(index.shape[0]), unroll=self.unroll)
        return state

    def _train_chunk(self, state, data, index, valid):
        return self._loop(self._train_step, state, data, index, valid)

    def _test_chunk(self, state, data, index, valid):
        return self._loop(self._test_step, state, data, index, valid)

    def _predict_chunk(self, state, x, index, valid):
        """Outputs for the K batches of `index`, stacked (K, batch, ...); padding rows hold zeros."""
        gather = lambda i: jax.tree.map(lambda a: a[i], x)
        if index.shape[0] == 1:
            return jax.tree.map(lambda a: a[None], self._predict_step(state, gather(index[0])))
        spec = jax.eval_shape(lambda: self._predict_step(state, gather(index[0])))
        zeros = lambda: jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), spec)
        return jax.lax.map(lambda k: jax.lax.cond(k < valid, lambda: self._predict_step(state, gather(index[k])),
                                                  zeros), jnp.arange(index.shape[0]))

    def compiled_count(self) -> int:
        """How many programs the jitted functions hold (a test checks that it stops growing)."""
        fns = (self.train_chunk, self.train_batch, self.test_chunk, self.test_batch, self.predict_chunk,
               self.predict_batch)
        return sum(f._cache_size() for f in fns)


def stack_outputs(chunks: list[Any]) -> Any:
    """Concatenates per-chunk outputs of shape (k, batch, ...) into one NumPy array (or pytree)."""
    host = jax.device_get(chunks)
    return jax.tree.map(lambda *parts: np.concatenate([p.reshape((-1,) + p.shape[2:]) for p in parts]), *host)
