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

A train dispatch takes over (donates) the buffers of the state it is given, except the metric
accumulators: XLA writes the new weights and optimizer state where the old ones were, so training
holds one copy of them, not two. The state a loop starts from is therefore a copy of the model's
weights (`pull_state(copy=True)`), and what the model is given back mid-fit is a copy too (`write_back`).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from kerasish import distribution as _distribution
from kerasish import mixed_precision as _mixed_precision
from kerasish import optimizers as _optimizers
from kerasish.layers import added_losses as _added_losses
from kerasish.layers.base import Layer
from kerasish.training import data as _data
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


def rows_independent(model: Layer, training: bool) -> bool:
    """Whether every layer of `model` computes each output row from the same input row only (see
    `Layer.rows_independent`). A layer's answer counts only if the class that defines its `call` is
    kerasish's or defines (or inherits below it) its own `rows_independent`: a user subclass that
    overrides `call` alone counts as mixing rows."""
    def owner(cls: type, attribute: str) -> type:
        return next(c for c in cls.__mro__ if attribute in vars(c))

    for _, node in nnx.iter_graph(model):
        if not isinstance(node, Layer):
            continue
        call_owner, rows_owner = owner(type(node), "call"), owner(type(node), "rows_independent")
        trusted = call_owner.__module__.startswith("kerasish.") or issubclass(rows_owner, call_owner)
        if not (trusted and node.rows_independent(training)):
            return False
    return True


#: The most bytes of values one forward pass of evaluate / predict may compute when it runs several batches of a
#: dispatch as one larger batch (`Engine.inference_group`).
INFERENCE_BYTES = 128 << 20


def preferred_group(fits: list[int], k: int) -> int:
    """Of the group sizes `fits` (divisors of `k` within the byte budget), the one evaluate / predict use: all `k`
    batches as one when they fit (no loop left), else the largest power of two above 1, else the largest.

    Powers of two because XLA:CPU's threaded products run such row counts best: the benchmark LSTM's predict of
    5,120 rows took 0.31 s in batches of 512 rows and 0.25 s of 1,024, but 0.39 s of 640 and 0.32 s of 1,280
    (0.36 s of 128, on one thread).
    """
    if k in fits:
        return k
    powers = [g for g in fits if g > 1 and g & (g - 1) == 0]
    return max(powers) if powers else max(fits)


def _computed_bytes(jaxpr) -> int:
    """The bytes of every value a traced program computes, each sub-program (a loop body, a branch) counted
    once: a bound on what the program holds at a time, coarse but independent of XLA's choices."""
    total = 0
    for eqn in jaxpr.eqns:
        total += sum(math.prod(v.aval.shape) * getattr(v.aval.dtype, "itemsize", 4)
                     for v in eqn.outvars if hasattr(v.aval, "shape"))
        subs = [p for value in eqn.params.values() for p in (value if isinstance(value, (tuple, list)) else (value,))]
        for sub in subs:
            sub = getattr(sub, "jaxpr", sub)
            if hasattr(sub, "eqns"):
                total += _computed_bytes(sub)
    return total


def _merged(index: jax.Array, valid: jax.Array, group: int) -> tuple[jax.Array, jax.Array]:
    """A dispatch's (K, batch) index plan as K / group batches of group x batch rows; the rows of the batches
    from `valid` on (padding) become -1, and `valid` counts the larger batches holding a real one."""
    k, batch = index.shape
    index = jnp.where(jnp.arange(k)[:, None] < valid, index, -1).reshape(k // group, group * batch)
    return index, (valid + group - 1) // group


def _copied(tree: Any, placed: bool = False) -> Any:
    """Fresh device buffers holding `tree`'s values, in the same places and as committed to them as before (the
    compiled steps' cache tells committed arrays from uncommitted ones): one batched copy, no program.
    `placed`: every array has a sharding of its own (a distribution's), which may span several processes."""
    where = jax.tree.map(lambda a: a.sharding, tree) if placed else None
    return jax.device_put(tree, where, may_alias=False)


def _donating(step):
    """`step(state, *args) -> state`, compiled so that it takes over the buffers of every part of the state but
    the metric accumulators (which `LazyLogs` may still read after the next dispatch). Called with the same
    `(state, *args)`; `_cache_size()` counts its programs, as a jitted function's does."""
    jitted = jax.jit(lambda owned, metrics, *args: step({**owned, "metrics": metrics}, *args), donate_argnums=0)

    def call(state, *args):
        return jitted({key: value for key, value in state.items() if key != "metrics"}, state["metrics"], *args)
    call._cache_size = jitted._cache_size
    return call


def _all_finite(tree: Any) -> jax.Array:
    leaves = [jnp.all(jnp.isfinite(leaf)) for leaf in jax.tree.leaves(tree)
              if jnp.issubdtype(leaf.dtype, jnp.inexact)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.asarray(True)


def _batch_size(x: Any, rows: jax.Array | None = None) -> jax.Array:
    """The number of real rows of the batch `x` (`rows`: the mask of real rows of a padded batch)."""
    if rows is not None:
        return jnp.sum(rows, dtype=jnp.float32)
    return jnp.asarray(jax.tree.leaves(x)[0].shape[0], jnp.float32)


class Engine:
    """The compiled functions and training state of one compiled model.

    Built by `Model` on first use after `compile`; reused by every later `fit` / `evaluate` /
    `predict` call so nothing is compiled twice for the same shapes.
    """

    def __init__(self, model: Layer, optimizer: _optimizers.Optimizer, objectives: Objectives | None,
                 steps_per_execution: int | str = "auto", unroll: bool = False,
                 distribution: _distribution.Distribution | None = None) -> None:
        self.model = model
        self.optimizer = optimizer
        self.objectives = objectives  # None for a model that only predicts
        self.steps_per_execution = steps_per_execution
        self.unroll = unroll
        self.graphdef, params, rest, self.keep = split_model(model)
        self.distribution = distribution  # None: one device
        self.shardings: dict[str, Any] | None = None
        if self.distribution is not None:
            params, rest = self._place_weights(params, rest)
        self.opt_state = jax.jit(optimizer.init)(params)  # one program (eagerly: one per shape and op)
        if self.distribution is not None:
            self.shardings["opt"] = optax.tree_map_params(
                optimizer, lambda _, sharding: sharding, self.opt_state, self.shardings["params"],
                transform_non_params=lambda _: self.distribution.replicated,
                is_leaf=lambda v: isinstance(v, nnx.Variable))
            self.opt_state = jax.device_put(self.opt_state, self.shardings["opt"])
        # float16 computation scales the loss so small gradients do not underflow (mixed_float16).
        self.loss_scaling = any(isinstance(node, Layer) and node.compute_dtype == jnp.float16
                                for _, node in nnx.iter_graph(model))
        self.loss_scale = _mixed_precision.init_loss_scale() if self.loss_scaling else None
        optimizer.bind(self)
        # Whether a short last batch is padded to the full size (index -1, masked out of losses and
        # metrics) so it runs in the full batches' program, for "train", "test" and "predict".
        one_process = distribution is None or distribution.num_processes == 1
        masks = one_process and (objectives is None or objectives.rows_maskable())
        inference = one_process and rows_independent(model, training=False)
        self.pads = {"train": masks and rows_independent(model, training=True),
                     "test": masks and inference, "predict": inference}
        # Whether evaluate's losses allow running several batches as one (`inference_group`; predict needs
        # only `pads["predict"]`, evaluate `pads["test"]` too, for the masks of padding rows).
        self.losses_additive = objectives is None or objectives.rows_additive()
        self.state: dict[str, Any] | None = None  # the live train state while a loop runs
        self._written: list = []  # the arrays `write_back` last gave the model
        self._written_from: tuple | None = None  # the live (params, rest, opt) they were copied from
        self.dataset = None  # the training data of the running fit (its order state is part of a backup)
        self.run = None  # the running fit (training/loop.FitRun): its callbacks and position, for a backup
        self.train_chunk = _donating(self._train_chunk)
        self.train_batch = _donating(self._train_step)
        self.test_chunk = jax.jit(self._test_chunk)
        self.test_batch = jax.jit(self._test_step)
        self.predict_chunk = jax.jit(self._predict_chunk)
        self.predict_batch = jax.jit(self._predict_step)
        if objectives is not None:
            self._init_metrics = jax.jit(objectives.init)
            self._results = jax.jit(objectives.results)
            self._host_results = objectives.results_on_host()
        self._jitted = (self.train_chunk, self.train_batch, self.test_chunk, self.test_batch, self.predict_chunk,
                        self.predict_batch)
        if self.distribution is not None:
            self._wrap_for_distribution()

    # -- how many steps per dispatch ------------------------------------------------------------

    def execution_size(self, steps: int | None, training: bool = True) -> int:
        """Steps per dispatch for an epoch of `steps` batches (`training`: of fit; else evaluate / predict).

        An int from `compile` is used as given. "auto" fuses up to `AUTO_STEPS` steps in one
        `lax.scan` (Python dispatch then costs nothing per step), except for training on XLA:CPU
        models with layers whose gradients run slowly inside a rolled loop (convolutions: measured
        15x slower than stepping), which step one batch at a time. Their forward pass is not slowed
        by the loop: the benchmark CNN's evaluate and predict take 0.37 s in dispatches of 64 batches
        against 0.49-0.55 s one batch at a time.
        """
        if self.steps_per_execution != "auto":
            return int(self.steps_per_execution)
        if training and jax.default_backend() == "cpu" and _slow_in_rolled_loop(self.model):
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
        metrics = self._init_metrics() if self.objectives is not None else {}
        return metrics if self.distribution is None else jax.device_put(metrics, self.distribution.replicated)

    def pull_state(self, copy: bool = False) -> dict[str, Any]:
        """The train state, read from the model's current weights (and the kept optimizer state). `copy`: fresh
        buffers, for a train dispatch to take over while the model and the engine keep theirs."""
        _, params, rest = nnx.split(self.model, self.keep, ...)
        if self.distribution is not None:  # weights set since (set_weights, a load) may sit on one device
            params, rest = jax.device_put((params, rest), (self.shardings["params"], self.shardings["rest"]))
        opt = self.opt_state
        if copy:
            params, rest, opt = self._own((params, rest, opt))
        state = {"params": params, "rest": rest, "opt": opt, "metrics": self.init_metrics()}
        if self.loss_scaling:
            state["loss_scale"] = self.loss_scale
        return state

    def push_state(self, state: dict[str, Any]) -> None:
        """Writes weights and non-trainable state back into the model; keeps the optimizer state. The arrays are
        handed over: `state` must not go to a train dispatch after this (see `write_back`)."""
        nnx.update(self.model, state["params"], state["rest"])
        self.opt_state = state["opt"]
        if self.loss_scaling:
            self.loss_scale = state["loss_scale"]

    def write_back(self) -> None:
        """Mid-fit: gives the model (and the kept optimizer state) a copy of the live state, so a callback can read or
        save the current weights while the next dispatch takes over the live buffers."""
        live = (self.state["params"], self.state["rest"], self.state["opt"])
        if self._written_from is not None and all(a is b for a, b in zip(live, self._written_from)) \
                and self._are_written(*nnx.split(self.model, self.keep, ...)[1:]):
            return  # no dispatch, new learning rate or set_weights since the last write-back: nothing to copy
        params, rest, opt = self._own(live)
        self.push_state({**self.state, "params": params, "rest": rest, "opt": opt})
        self._written, self._written_from = jax.tree.leaves((params, rest)), live

    def restore_opt_state(self, leaves: list) -> None:
        """Puts saved optimizer arrays (in `jax.tree.leaves` order) into this engine's optimizer state."""
        own, treedef = jax.tree.flatten(self.opt_state)
        if len(own) != len(leaves) or any(np.shape(a) != np.shape(b) for a, b in zip(own, leaves)):
            raise ValueError(f"The saved optimizer state ({len(leaves)} arrays) does not fit this model's optimizer "
                             f"({len(own)} arrays); compile again to start a fresh optimizer.")
        self.opt_state = jax.tree.unflatten(treedef, [jnp.asarray(b, a.dtype) for a, b in zip(own, leaves)])

    def _are_written(self, params, rest) -> bool:
        """Whether the model's `params` and `rest` are still the arrays `write_back` last gave it (no callback set
        others)."""
        held = jax.tree.leaves((params, rest))
        return len(held) == len(self._written) and all(a is b for a, b in zip(held, self._written))

    def _own(self, tree: Any) -> Any:
        """Copies of `tree`'s arrays (`_copied`), placed by this engine's distribution if it has one."""
        return _copied(tree, placed=self.distribution is not None)

    def state_lost(self) -> bool:
        """Whether a dispatch failed after taking over the live state's buffers (an error inside XLA): the state
        cannot be written back, and the model keeps the weights it last received (`write_back`, or those of
        before the fit)."""
        return any(getattr(leaf, "is_deleted", lambda: False)() for leaf in jax.tree.leaves(self.state))

    def pull_weights(self) -> None:
        """Replaces the live state's weights with copies of the model's (after a callback may have set them)."""
        _, params, rest = nnx.split(self.model, self.keep, ...)
        if self._are_written(params, rest):
            return  # the live state has those values already
        params, rest = self._own((params, rest))
        self.state = {**self.state, "params": params, "rest": rest}

    def set_learning_rate(self, value: float) -> None:
        """Sets the learning rate of the next step: in the live state during `fit`, else in the kept
        optimizer state. The rate is an input of the compiled step, so nothing recompiles."""
        place = (lambda opt: opt) if self.distribution is None else (
            lambda opt: jax.device_put(opt, self.shardings["opt"]))
        if self.state is not None:
            self.state = {**self.state, "opt": place(_optimizers.set_learning_rate(self.state["opt"], value))}
        else:
            self.opt_state = place(_optimizers.set_learning_rate(self.opt_state, value))

    def read_metrics(self, metric_state: dict[str, Any], prefix: str = "") -> dict[str, float]:
        """Metric results as Python floats (NumPy arrays for non-scalar results): one device-to-host transfer, of
        the accumulators themselves where every result is a ratio of two of them (`Objectives.host_results`; on
        XLA:CPU the program computing them took 0.05 s of tiny's first epoch to compile), else of what a compiled
        program computes."""
        if self._host_results and all(getattr(leaf, "is_fully_addressable", True)
                                      for leaf in jax.tree.leaves(metric_state)):
            host = self.objectives.host_results(jax.device_get(metric_state))
        else:
            host = jax.device_get(self._results(metric_state))
        return {prefix + name: self.objectives.log_value(host[name]) for name in self.objectives.names}

    def learning_rate(self) -> float | None:
        """The learning rate of the next step (None for an optax transformation without one)."""
        return _optimizers.get_learning_rate(self.opt_state if self.state is None else self.state["opt"])

    # -- pure steps -----------------------------------------------------------------------------

    def _forward(self, params, rest, x, training: bool):
        """`(model, y_pred, added)`: the merged model, its outputs, and the sum of what its layers gave
        `add_loss` during the call (activity penalties included; see `layers.added_losses`)."""
        model = nnx.merge(self.graphdef, params, rest, copy=True)
        with _added_losses.collect() as added:
            y_pred = model(x, training=training)
        return model, y_pred, _added_losses.total(added)

    def _loss(self, model, y, y_pred, sample_weight, added=0.0, rows=None):
        """The training objective: the weighted sum of the outputs' losses plus regularization penalties
        and the `add_loss` values of the forward pass (`added`), as Keras 3 sums them.

        Losses are computed in float32 whatever the compute dtype (bfloat16 outputs are cast first).
        """
        y_pred = _mixed_precision.cast_floats(y_pred, jnp.float32)
        loss, per_output = self.objectives.total_loss(y, y_pred, sample_weight, rows)
        return loss + regularization_penalty(model) + added, per_output

    def _train_step(self, state: dict[str, Any], batch: tuple, rows: jax.Array | None = None) -> dict[str, Any]:
        """One optimizer step on `batch`; `rows` (bool, (batch,)) marks the real rows of a padded batch."""
        x, y, sample_weight = self._shard_batch(batch)
        scale = state["loss_scale"]["scale"] if self.loss_scaling else None

        def loss_fn(params):
            model, y_pred, added = self._forward(params, state["rest"], x, training=True)
            loss, per_output = self._loss(model, y, y_pred, sample_weight, added, rows)
            _, _, rest = nnx.split(model, self.keep, ...)
            return (loss if scale is None else loss * scale), (loss, y_pred, per_output, rest)

        (_, (loss, y_pred, per_output, rest)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state["params"])
        if scale is not None:
            grads = jax.tree.map(lambda g: g / scale, grads)
        # A non-finite loss or gradient skips the update: NaN never reaches the weights. The loss is
        # still accumulated, so the epoch's logged loss shows it (and TerminateOnNaN sees it). The
        # optimizer runs inside a `lax.cond`: selecting between the updated and the old state with
        # `jnp.where` gives the same values but cost the MLP benchmark 15% of its epoch on XLA:CPU.
        finite = jnp.isfinite(loss) & _all_finite(grads)
        old = (state["params"], state["opt"], state["rest"])

        def update(operands):
            grads, (params, opt, _), rest = operands
            updates, opt = self.optimizer.update(grads, opt, params)
            new = (optax.apply_updates(params, updates), opt, rest)
            return jax.tree.map(lambda n, o: n if n.dtype == o.dtype else n.astype(o.dtype), new, old)

        params, opt_state, rest = jax.lax.cond(finite, update, lambda operands: operands[1], (grads, old, rest))
        metric_state = self.objectives.update(state["metrics"], loss, per_output, y, y_pred, sample_weight,
                                              _batch_size(x, rows), rows)
        new = {"params": params, "rest": rest, "opt": opt_state, "metrics": metric_state}
        if scale is not None:  # an overflow halves the scale (the step was skipped above)
            new["loss_scale"] = _mixed_precision.next_loss_scale(state["loss_scale"], finite)
        return self._constrain_state(new)

    def _test_step(self, state: dict[str, Any], batch: tuple, rows: jax.Array | None = None) -> dict[str, Any]:
        x, y, sample_weight = self._shard_batch(batch)
        model, y_pred, added = self._forward(state["params"], state["rest"], x, training=False)
        loss, per_output = self._loss(model, y, y_pred, sample_weight, added, rows)
        metric_state = self.objectives.update(state["metrics"], loss, per_output, y, y_pred, sample_weight,
                                              _batch_size(x, rows), rows)
        return self._constrain_state({**state, "metrics": metric_state})

    def _predict_step(self, state: dict[str, Any], x: Any, rows: jax.Array | None = None):
        return self._forward(state["params"], state["rest"], self._shard_batch(x), training=False)[1]

    # -- several devices (kerasish.distribution) -----------------------------------------------

    def _place_weights(self, params, rest):
        """Puts the weights where the distribution says (and into the model, so `.sharding` shows it)."""
        self.shardings = {"params": self.distribution.state_shardings(self.model, params),
                          "rest": self.distribution.state_shardings(self.model, rest)}
        params, rest = jax.device_put((params, rest), (self.shardings["params"], self.shardings["rest"]))
        nnx.update(self.model, params, rest)
        return params, rest

    def _shard_batch(self, batch: Any) -> Any:
        """Inside a step: split the batch on the mesh's data axis (a no-op on one device)."""
        if self.distribution is None:
            return batch
        return jax.tree.map(lambda a: jax.lax.with_sharding_constraint(a, self.distribution.batch_sharding(a.ndim)),
                            batch)

    def _constrain_state(self, state: dict[str, Any]) -> dict[str, Any]:
        """Inside a step: the new state keeps the layout of the old one, so the next dispatch reuses the program."""
        if self.distribution is None:
            return state
        replicated = lambda tree: jax.tree.map(
            lambda a: jax.lax.with_sharding_constraint(a, self.distribution.replicated), tree)
        out = {key: replicated(value) for key, value in state.items()}
        for key in ("params", "rest", "opt"):
            out[key] = jax.lax.with_sharding_constraint(state[key], self.shardings[key])
        return out

    def _wrap_for_distribution(self) -> None:
        """Replaces the chunk entry points by ones that place the data first.

        One process: the resident dataset is replicated once on the mesh's devices (each device gathers
        its part of every batch). Several processes: each holds only its own rows, so every chunk's
        batches are gathered on the host and assembled into global arrays
        (`jax.make_array_from_process_local_data`), each process's rows after the previous one's.
        """
        distribution = self.distribution
        placed: dict[int, tuple] = {}  # id(source) -> (source, placed copy): the training and validation sets

        def cached(data, place):
            if id(data) not in placed or placed[id(data)][0] is not data:
                if len(placed) >= 4:
                    placed.clear()
                placed[id(data)] = (data, place(data))
            return placed[id(data)][1]

        def resident(data):
            return cached(data, lambda d: jax.device_put(d, distribution.replicated))

        def host_batches(data, index):
            local = jax.tree.map(lambda a: a[np.asarray(index)], cached(data, jax.device_get))
            return jax.tree.map(lambda a: jax.make_array_from_process_local_data(
                distribution.batch_sharding(a.ndim, leading=1), a), local)

        def own_rows(outputs, rows: int):
            """This process's rows of every batch of the gathered global outputs (K, batch, ...)."""
            start = jax.process_index() * rows
            return jax.tree.map(lambda a: np.asarray(a)[:, start:start + rows], outputs)

        if distribution.num_processes == 1:
            for name in ("train_chunk", "test_chunk", "predict_chunk"):
                jitted = getattr(self, name)
                setattr(self, name, lambda state, data, index, valid, f=jitted: f(state, resident(data), index, valid))
            return
        from jax.experimental import multihost_utils

        count = lambda batches: jax.tree.leaves(batches)[0].shape[0]
        stacked = {name: jax.jit(lambda state, batches, valid, step=step:
                                 self._steps(step, state, self._stacked(batches), count(batches), valid))
                   for name, step in (("train_chunk", self._train_step), ("test_chunk", self._test_step))}
        stacked_predict = jax.jit(lambda state, x, valid: self._outputs(state, self._stacked(x), count(x), valid))
        self._jitted = self._jitted + (*stacked.values(), stacked_predict)
        for name, f in stacked.items():
            setattr(self, name, lambda state, data, index, valid, f=f: f(state, host_batches(data, index), valid))
        # Iterables of batches: each process's iterable yields its own rows of every global batch.
        global_batch = lambda batch: jax.tree.map(lambda a: jax.make_array_from_process_local_data(
            distribution.batch_sharding(np.ndim(a)), np.asarray(a)), batch)
        for name, jitted in (("train_batch", self.train_batch), ("test_batch", self.test_batch)):
            setattr(self, name, lambda state, batch, f=jitted: f(state, global_batch(batch)))
        predict_batch = self.predict_batch
        self.predict_batch = lambda state, x: jax.tree.map(
            lambda a: own_rows(a[None], np.shape(jax.tree.leaves(x)[0])[0])[0],
            multihost_utils.process_allgather(predict_batch(state, global_batch(x)), tiled=True))
        self.predict_chunk = lambda state, x, index, valid: own_rows(multihost_utils.process_allgather(
            stacked_predict(state, host_batches(x, index), valid), tiled=True), np.shape(index)[1])

    def _steps(self, step, state, batch_at, count: int, valid):
        """Runs `step(state, *batch_at(k))` for k < valid, k < count (`batch_at(k)`: the batch, and the
        mask of its real rows where short batches are padded).

        Rows from `valid` on are padding (so that every chunk of full batches has one shape and one
        program); `lax.cond` skips them without computing.
        """
        if count == 1:
            return step(state, *batch_at(0))

        def body(state, k):
            return jax.lax.cond(k < valid, lambda s: step(s, *batch_at(k)), lambda s: s, state), None
        return jax.lax.scan(body, state, jnp.arange(count), unroll=self.unroll)[0]

    def _outputs(self, state, batch_at, count: int, valid):
        """Predictions for the batches `batch_at(k)`, stacked (count, batch, ...); padding rows hold zeros."""
        if count == 1:
            return jax.tree.map(lambda a: a[None], self._predict_step(state, *batch_at(0)))
        spec = jax.eval_shape(lambda: self._predict_step(state, *batch_at(0)))
        zeros = lambda: jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), spec)
        return jax.lax.map(lambda k: jax.lax.cond(k < valid, lambda: self._predict_step(state, *batch_at(k)), zeros),
                           jnp.arange(count))

    @staticmethod
    def _gather(data, index, padded: bool):
        """`batch_at` over a resident dataset and an int32 (K, batch) index plan. With `padded`, index -1
        marks the padding rows of a short batch (they read some sample) and `batch_at` gives the
        mask of the real rows too."""
        rows = lambda k: jax.tree.map(lambda a: _data.take_rows(a, index[k]), data, is_leaf=_data.is_borrowed)
        if not padded:
            return lambda k: (rows(k),)
        return lambda k: (rows(k), index[k] >= 0)

    @staticmethod
    def _stacked(batches):
        """`batch_at` over batches already gathered and stacked on a leading axis."""
        return lambda k: (jax.tree.map(lambda a: a[k], batches),)

    def _train_chunk(self, state, data, index, valid):
        batch_at = self._gather(data, index, self.pads["train"])
        return self._steps(self._train_step, state, batch_at, index.shape[0], valid)

    def inference_group(self, state, x, plan_shape: tuple[int, int]) -> int:
        """How many of a dispatch's K batches evaluate / predict run as one batch (at trace time).

        Larger batches go faster where a step is small (an LSTM's recurrence: the benchmark LSTM's predict
        1.45x faster in batches of 1,024 rows than of 128), and several batches run as one give the same
        values when the model computes each row from its own input row alone and, for evaluate, every loss
        is a plain mean over rows (`Engine.pads`, `Engine.losses_additive`). The group is a divisor of K
        whose forward pass computes at most `INFERENCE_BYTES`, measured on the traced program at one and two
        batches (the difference is what the rows cost, without the weights), chosen by `preferred_group`.
        """
        k, batch = plan_shape
        if k == 1:
            return 1
        spec = lambda tree: jax.tree.map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), tree)
        inputs = lambda rows: jax.tree.map(lambda a: jax.ShapeDtypeStruct((rows,) + a.shape[1:], a.dtype), x,
                                           is_leaf=_data.is_borrowed)
        traced = lambda rows: _computed_bytes(jax.make_jaxpr(self._predict_step)(spec(state), inputs(rows)).jaxpr)
        row_bytes = max((traced(2 * batch) - traced(batch)) / batch, 1)
        fits = [g for g in range(1, k + 1) if k % g == 0 and (g == 1 or g * batch * row_bytes <= INFERENCE_BYTES)]
        return preferred_group(fits, k)

    def _test_chunk(self, state, data, index, valid):
        if self.pads["test"] and self.losses_additive:
            group = self.inference_group(state, data[0], index.shape)
            if group > 1:
                index, valid = _merged(index, valid, group)
        batch_at = self._gather(data, index, self.pads["test"])
        return self._steps(self._test_step, state, batch_at, index.shape[0], valid)

    def _predict_chunk(self, state, x, index, valid):
        """Outputs for the K batches of `index`, stacked (K, batch, ...); padding rows hold zeros or the outputs
        of some row (the caller drops them, and the rows of index -1)."""
        group = self.inference_group(state, x, index.shape) if self.pads["predict"] else 1
        if group == 1:
            return self._outputs(state, self._gather(x, index, False), index.shape[0], valid)
        merged, valid = _merged(index, valid, group)
        outputs = self._outputs(state, self._gather(x, merged, False), merged.shape[0], valid)
        return jax.tree.map(lambda a: a.reshape(index.shape + a.shape[2:]), outputs)

    def compiled_count(self) -> int:
        """How many programs the jitted functions hold (a test checks that it stops growing)."""
        return sum(f._cache_size() for f in self._jitted)


def stack_outputs(chunks: list[Any]) -> Any:
    """Concatenates per-chunk outputs of shape (k, batch, ...) into one NumPy array (or pytree)."""
    host = jax.device_get(chunks)
    return jax.tree.map(lambda *parts: np.concatenate([p.reshape((-1,) + p.shape[2:]) for p in parts]), *host)
