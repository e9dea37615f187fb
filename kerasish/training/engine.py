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
weights (`TrainState.pull_state(copy=True)`), and what the model is given back mid-fit is a copy too.

This module holds the compiled steps only: the live train state is `train_state.TrainState`'s, and where
state and batches live (one device, a mesh) is `placement.Placement`'s.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

import kerasish.layers.added_losses as _added_losses
import kerasish.layers.weight_constraints as _weight_constraints
from kerasish import mixed_precision as _mixed_precision
from kerasish import optimizers as _optimizers
from kerasish.layers.base import Layer
from kerasish.training.data.host_memory import is_borrowed, take_rows
from kerasish.training.objectives import Objectives
from kerasish.training.placement import Placement
from kerasish.training.split_cache import SplitCache


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


#: How many exact data sizes each kind of call (train / test / predict) compiles programs for; later sizes run in
#: shapes shared by all sizes (`ArrayDataset.share_shapes`), so a serving loop of ever new sizes stays bounded.
EXACT_SIZES = 8

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

    Powers of two because XLA:CPU's threaded products run such row counts best (the benchmark LSTM's predict
    was measured at every group size: benchmarks/README.md, "evaluate and predict run all K batches").
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


def _donating(step):
    """`step(state, *args) -> state`, compiled so that it takes over the buffers of every part of the state but
    the metric accumulators (which `LazyLogs` may still read after the next dispatch). Called with the same
    `(state, *args)`; `_cache_size()` counts its programs, as a jitted function's does."""
    jitted = jax.jit(lambda owned, metrics, *args: step({**owned, "metrics": metrics}, *args), donate_argnums=0)

    def call(state, *args):
        return jitted({key: value for key, value in state.items() if key != "metrics"}, state["metrics"], *args)
    call._cache_size = jitted._cache_size
    return call


def _without_logs(dispatch):
    """A dispatch of a model's own steps, given the state without the logs of the previous dispatch (their structure
    is whatever the user's step returns: the first dispatch has none, and one program must serve all)."""
    def call(state, *args):
        return dispatch({**state, "metrics": {"variables": state["metrics"]["variables"]}}, *args)
    return call


def _eager(step):
    """`step` run op by op, without `jax.jit` (`compile(run_eagerly=True)`): `lax.cond` / `lax.scan` run as Python
    (`jax.disable_jit`), so print, breakpoints and NumPy conversion work in `call` and in a custom `train_step`."""
    def call(*args):
        with jax.disable_jit():
            return step(*args)
    call._cache_size = lambda: 0
    return call


def all_finite(tree: Any) -> jax.Array:
    """Whether every floating value of `tree` is finite (a traced bool; True for a tree without floats)."""
    leaves = [jnp.all(jnp.isfinite(leaf)) for leaf in jax.tree.leaves(tree)
              if jnp.issubdtype(leaf.dtype, jnp.inexact)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.asarray(True)


def _batch_size(x: Any, rows: jax.Array | None = None) -> jax.Array:
    """The number of real rows of the batch `x` (`rows`: the mask of real rows of a padded batch)."""
    if rows is not None:
        return jnp.sum(rows, dtype=jnp.float32)
    return jnp.asarray(jax.tree.leaves(x)[0].shape[0], jnp.float32)


class Engine:
    """The compiled train / test / predict functions of one compiled model.

    Made by the trainer on first use after `compile`; reused by every later `fit` / `evaluate` / `predict` call,
    so nothing is compiled twice for the same shapes.

    Attributes:
      train_chunk, test_chunk: `(state, data, index, valid) -> state`: K steps over batches gathered by the
        (K, batch) int32 `index` from the resident `data`, of which the first `valid` are real. `train_chunk`
        takes over (donates) the state it is given, but its metrics.
      predict_chunk: `(state, x, index, valid) -> outputs` stacked (K, batch, ...).
      train_batch, test_batch, predict_batch: one host batch at a time (iterables of batches).
      pads: whether a short last batch is padded to the full size, per `"train"` / `"test"` / `"predict"`.
    """

    def __init__(self, model: Layer, optimizer: _optimizers.Optimizer, objectives: Objectives | None,
                 steps_per_execution: int | str = "auto", unroll: bool = False,
                 placement: Placement | None = None, jit_compile: bool = True, auto_scale_loss: bool = True,
                 custom: Any = None) -> None:
        self.model = model
        self.optimizer = optimizer
        self.objectives = objectives  # None for a model that only predicts
        self.steps_per_execution = steps_per_execution
        self.unroll = unroll
        self.placement = placement or Placement()
        self.jit_compile = bool(jit_compile)
        self.keep = trainable_filter(frozen_paths(model))
        #: The model's split, kept between calls while its structure does not change (`matches`).
        self.split = SplitCache(model, self.keep)
        self.graphdef = self.split.graphdef
        self._slow_in_rolled_loop = _slow_in_rolled_loop(model)  # the graph's layer types: fixed for this engine
        # Keras projects constrained weights (kernel_constraint=...) after every update: only models that have any
        # pay for the merge and split it takes.
        self.constrained = bool(_weight_constraints.constrained(model))
        # A LossScaleOptimizer scales the loss itself and steps over non-finite gradients (halving its scale).
        self.optimizer_scales = isinstance(optimizer, _optimizers.LossScaleOptimizer)
        # float16 computation scales the loss so small gradients do not underflow (mixed_float16), as Keras's
        # compile(auto_scale_loss=True) wraps the optimizer in a LossScaleOptimizer.
        self.loss_scaling = auto_scale_loss and not self.optimizer_scales and any(
            isinstance(node, Layer) and node.compute_dtype == jnp.float16 for _, node in nnx.iter_graph(model))
        # Keras's optimizers give their new weights themselves (`update_params`: no `w + (w_new - w)` rounding).
        self.keras_optimizer = (isinstance(optimizer, _optimizers.Optimizer)
                                and not isinstance(optimizer, _optimizers.OptaxOptimizer))
        # A model's own steps (`custom_step.CustomSteps`: an overridden train_step / test_step / predict_step,
        # compute_loss, ...) replace the default ones of their kinds.
        self.trains = objectives is not None  # made for fit / evaluate (the trainer says so for its own steps' models)
        self.loss_tracker = None  # Keras's `Mean(name="loss")` whose variables `write_metrics` sets (the trainer's)
        self.custom = custom
        self.custom_kinds = frozenset() if custom is None else custom.kinds
        own = lambda kind, default: getattr(custom, f"{kind}_step") if kind in self.custom_kinds else default
        self.train_fn, self.test_fn = own("train", self.train_step), own("test", self.test_step)
        self.predict_fn = own("predict", self.predict_step)
        # Whether a short last batch is padded to the full size (index -1, masked out of losses and
        # metrics) so it runs in the full batches' program, for "train", "test" and "predict" (never for a
        # model's own steps, which know nothing of padding rows).
        allowed = self.placement.pads_allowed()
        masks = allowed and (objectives is None or objectives.rows_maskable())
        inference = allowed and rows_independent(model, training=False)
        self.pads = {"train": masks and rows_independent(model, training=True) and "train" not in self.custom_kinds,
                     "test": masks and inference and "test" not in self.custom_kinds,
                     "predict": inference and "predict" not in self.custom_kinds}
        # Whether evaluate's losses allow running several batches as one (`inference_group`; predict needs
        # only `pads["predict"]`, evaluate `pads["test"]` too, for the masks of padding rows).
        self.losses_additive = objectives is None or objectives.rows_additive()
        self._exact_sizes: dict[str, set[int]] = {}
        if objectives is not None:
            self._init_metrics = jax.jit(objectives.init)
            self._results = jax.jit(objectives.results)
            self._host_results = objectives.results_on_host()
        # Fresh buffers for a train dispatch to take over, and zeroed accumulators, in one asynchronous program: a
        # `device_put` copy waits for its transfer, and the accumulators would be a second dispatch.
        self._fresh = jax.jit(lambda tree: (jax.tree.map(jnp.copy, tree),
                                            objectives.init() if objectives is not None else {}))
        donating, jit = (_donating, jax.jit) if self.jit_compile else (_eager, _eager)
        jitted = {"train_chunk": donating(self._train_chunk), "train_batch": donating(self.train_fn),
                  "test_chunk": jit(self._test_chunk), "test_batch": jit(self.test_fn),
                  "predict_chunk": jit(self._predict_chunk), "predict_batch": jit(self.predict_fn)}
        self._jitted = tuple(jitted.values())
        points = self.placement.entry_points(self, jitted)
        for name in ("train_chunk", "train_batch", "test_chunk", "test_batch"):
            if name.split("_")[0] in self.custom_kinds:  # the last step's logs go out, never back in (one program)
                points[name] = _without_logs(points[name])
        self.train_chunk, self.train_batch = points["train_chunk"], points["train_batch"]
        self.test_chunk, self.test_batch = points["test_chunk"], points["test_batch"]
        self.predict_chunk, self.predict_batch = points["predict_chunk"], points["predict_batch"]

    # -- how many steps per dispatch ------------------------------------------------------------

    def execution_size(self, steps: int | None, training: bool = True) -> int:
        """Steps per dispatch for an epoch of `steps` batches (`training`: of fit; else evaluate / predict).

        An int from `compile` is used as given. "auto" fuses up to `AUTO_STEPS` steps in one `lax.scan`
        (Python dispatch then costs nothing per step), except for training on XLA:CPU models with layers whose
        gradients run slowly inside a rolled loop (convolutions), which step one batch at a time. Their forward
        pass is not slowed by the loop, so their evaluate and predict still fuse (see benchmarks/README.md).
        """
        if not self.jit_compile:  # eager: one step at a time, as Keras runs them
            return 1
        if self.steps_per_execution != "auto":
            return int(self.steps_per_execution)
        if training and self._slow_in_rolled_loop and jax.default_backend() == "cpu":
            return 1
        # a power of two (the last dispatch padded): a few programs serve every number of steps
        return min(1 << max((steps or 1) - 1, 0).bit_length(), AUTO_STEPS)

    def shares_shapes(self, kind: str, rows: int | None) -> bool:
        """Whether data of `rows` samples for a `kind` call ("train", "test", "predict") should run in shared shapes:
        once `EXACT_SIZES` other sizes have compiled programs of their own."""
        if rows is None:
            return False
        seen = self._exact_sizes.setdefault(kind, set())
        if rows in seen or len(seen) < EXACT_SIZES:
            seen.add(rows)
            return False
        return True

    def matches(self, model: Layer) -> bool:
        """Whether the compiled functions still fit the model's structure (the graph definition holds each
        layer's `trainable` flag too, so freezing a layer makes a new engine).

        For the engine's own model an unchanged snapshot answers (`SplitCache.unchanged`) without walking the graph;
        after a rebinding the graph definitions are compared, and an equal one refreshes the snapshot."""
        if model is self.model and self.split.unchanged():
            return True
        if nnx.graphdef(model) != self.graphdef:
            return False
        if model is self.model:
            self.split.refresh()
        return True

    # -- metrics --------------------------------------------------------------------------------

    def metric_names(self) -> list[str]:
        """The log names of the loss and metrics, in the order `evaluate` returns them."""
        return self.objectives.names if self.objectives is not None else []

    def init_metrics(self, kind: str = "train") -> dict[str, Any]:
        """Fresh accumulators for a `kind` ("train" / "test") call, made by one compiled call (not one eager op per
        accumulator); a model's own steps get its metrics' variables reset."""
        if kind in self.custom_kinds:
            return self.placement.replicate(self.custom.init_metrics())
        metrics = self._init_metrics() if self.objectives is not None else {}
        return self.placement.replicate(metrics)

    def write_metrics(self, metric_state: dict[str, Any], kind: str = "train") -> None:
        """The metric objects get their variables' values (Keras's `jax_state_sync` at the end of an epoch): the
        model's own metrics for its own steps, else the compiled metrics and the loss tracker (`loss_tracker`)."""
        if kind in self.custom_kinds:
            self.custom.write_metrics(jax.device_get(metric_state))
            return
        if self.objectives is None or not metric_state:
            return
        for key, (_, metric) in zip(self.objectives.metric_keys, self.objectives.metrics
                                    + self.objectives.weighted_metrics):
            for variable, value in zip(metric.variables, metric_state[key]):
                variable.assign(value)
        if self.loss_tracker is not None:
            self.loss_tracker.total.assign(metric_state["loss"][0])
            self.loss_tracker.count.assign(metric_state["loss"][1])

    def step_logs(self, metric_state: dict[str, Any], kind: str = "train") -> dict[str, Any]:
        """The logs a batch-level callback receives: the metrics so far, or a model's own step's last logs."""
        if kind in self.custom_kinds:
            return self.custom.step_logs(metric_state)
        return self.read_metrics(metric_state)

    def fresh_copy(self, tree: Any) -> tuple[Any, dict[str, Any]]:
        """`(copy, metrics)`: fresh buffers holding `tree`'s values where they are (as `Placement.copy`), and fresh
        accumulators (as `init_metrics`). One compiled call on one device when no array of `tree` is committed
        to a device (its copy is then not committed either) and all are JAX arrays; else a placement copy."""
        leaves = jax.tree.leaves(tree)
        if self.placement.copies_in_programs and not any(getattr(leaf, "committed", True) for leaf in leaves):
            return self._fresh(tree)
        return self.placement.copy(tree), self.init_metrics()

    def read_metrics(self, metric_state: dict[str, Any], prefix: str = "", kind: str = "train") -> dict[str, float]:
        """Metric results as Python floats (NumPy arrays for non-scalar results, as Keras's logs hold them: a
        per-class F1Score, a Precision over several thresholds): one device-to-host transfer, of the accumulators
        themselves where every result is a ratio of two of them (`Objectives.host_results`: no results program to
        compile), else of what a compiled program computes."""
        if kind in self.custom_kinds:
            return {prefix + name: value for name, value in self.custom.epoch_logs(metric_state).items()}
        if self._host_results and all(getattr(leaf, "is_fully_addressable", True)
                                      for leaf in jax.tree.leaves(metric_state)):
            host = self.objectives.host_results(jax.device_get(metric_state))
        else:
            host = jax.device_get(self._results(metric_state))
        return {prefix + name: self.objectives.log_value(host[name]) for name in self.objectives.names}

    # -- pure steps -----------------------------------------------------------------------------

    def forward(self, params, rest, x, training: bool):
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
        penalty = regularization_penalty(model)
        if all(fn is None for fn in self.objectives.losses) and isinstance(added, float) and isinstance(penalty, float):
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`: the model was compiled "
                             "without a loss and adds none itself (`add_loss`, weight regularizers).")
        return loss + penalty + added, per_output

    def apply_optimizer(self, grads: Any, opt_state: Any, params: Any) -> tuple[Any, Any]:
        """`(new params, new optimizer state)`: a Keras optimizer's own new weights (`update_params`, Keras's
        rounding), or an optax transformation's updates added to the weights."""
        if self.keras_optimizer:
            return self.optimizer.update_params(grads, opt_state, params)
        updates, opt_state = self.optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    def finalize(self, state: dict[str, Any]) -> dict[str, Any]:
        """The state at the end of `fit` (Keras's `finalize_variable_values`): with `use_ema`, the moving averages
        of the weights become the weights."""
        if not (self.keras_optimizer and getattr(self.optimizer, "use_ema", False)):
            return state
        averages = self.optimizer.finalize_params(state["params"], state["opt"])
        params = jax.tree.map(lambda a, p: jnp.asarray(a, p.dtype), averages, state["params"])
        return {**state, "params": params}

    def train_step(self, state: dict[str, Any], batch: tuple, rows: jax.Array | None = None) -> dict[str, Any]:
        """One optimizer step on `batch`; `rows` (bool, (batch,)) marks the real rows of a padded batch."""
        x, y, sample_weight = self.placement.shard_batch(batch)
        scale = state["loss_scale"]["scale"] if self.loss_scaling else None
        # Keras's `optimizer.scale_loss`: a LossScaleOptimizer's dynamic scale (held in its state) or a constant
        # `loss_scale_factor`; the optimizer divides the gradients by it again.
        optimizer_scale = self.optimizer.loss_scale(state["opt"]) if self.keras_optimizer else None

        def loss_fn(params):
            model, y_pred, added = self.forward(params, state["rest"], x, training=True)
            loss, per_output = self._loss(model, y, y_pred, sample_weight, added, rows)
            _, _, rest = nnx.split(model, self.keep, ...)
            scaled = loss if scale is None else loss * scale
            scaled = scaled if optimizer_scale is None else scaled * optimizer_scale
            return scaled, (loss, y_pred, per_output, rest)

        (_, (loss, y_pred, per_output, rest)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state["params"])
        if scale is not None:
            grads = jax.tree.map(lambda g: g / scale, grads)
        # A non-finite loss or gradient, or an update giving non-finite weights or optimizer state, skips the
        # step: NaN never reaches the weights. The loss is still accumulated, so the epoch's logged loss shows it
        # (and TerminateOnNaN sees it). A LossScaleOptimizer is given non-finite gradients: skipping the step and
        # halving its scale is its own job. The optimizer runs inside a `lax.cond`: selecting between the updated
        # and the old state with `jnp.where` gives the same values but was measurably slower on XLA:CPU
        # (benchmarks/README.md).
        finite = jnp.isfinite(loss) if self.optimizer_scales else jnp.isfinite(loss) & all_finite(grads)
        old = (state["params"], state["opt"], state["rest"])

        def update(operands):
            grads, old_state, rest = operands
            params, opt, _ = old_state
            params, opt = self.apply_optimizer(grads, opt, params)
            if self.constrained:
                params = self._projected(params, rest)
            new = jax.tree.map(lambda n, o: n if n.dtype == o.dtype else n.astype(o.dtype), (params, opt, rest),
                               old_state)
            # Finite gradients can still give non-finite weights or optimizer state (a learning rate of 1e38,
            # Adam with epsilon=0 on a zero gradient): such an update is skipped too.
            return jax.lax.cond(all_finite(new[:2]), lambda: new, lambda: old_state)

        params, opt_state, rest = jax.lax.cond(finite, update, lambda operands: operands[1], (grads, old, rest))
        metric_state = self.objectives.update(state["metrics"], loss, per_output, y, y_pred, sample_weight,
                                              _batch_size(x, rows), rows)
        new = {"params": params, "rest": rest, "opt": opt_state, "metrics": metric_state}
        if scale is not None:  # an overflow halves the scale (the step was skipped above)
            new["loss_scale"] = _mixed_precision.next_loss_scale(state["loss_scale"], finite)
        return self.placement.constrain(new)

    def _projected(self, params, rest):
        """`params` with every constrained weight replaced by its projection (`Layer.apply_weight_constraints`)."""
        model = nnx.merge(self.graphdef, params, rest, copy=True)
        model.apply_weight_constraints()
        return nnx.split(model, self.keep, ...)[1]

    def test_step(self, state: dict[str, Any], batch: tuple, rows: jax.Array | None = None) -> dict[str, Any]:
        """The loss and metrics of `batch` in inference mode, accumulated into `state["metrics"]`."""
        x, y, sample_weight = self.placement.shard_batch(batch)
        model, y_pred, added = self.forward(state["params"], state["rest"], x, training=False)
        loss, per_output = self._loss(model, y, y_pred, sample_weight, added, rows)
        metric_state = self.objectives.update(state["metrics"], loss, per_output, y, y_pred, sample_weight,
                                              _batch_size(x, rows), rows)
        return self.placement.constrain({**state, "metrics": metric_state})

    def predict_step(self, state: dict[str, Any], x: Any, rows: jax.Array | None = None):
        """The model's outputs on `x` in inference mode."""
        return self.forward(state["params"], state["rest"], self.placement.shard_batch(x), training=False)[1]

    # -- K steps in one dispatch ----------------------------------------------------------------

    def run_steps(self, step, state, batch_at, count: int, valid):
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

    def predictions(self, state, batch_at, count: int, valid):
        """Predictions for the batches `batch_at(k)`, stacked (count, batch, ...); padding rows hold zeros."""
        if count == 1:
            return jax.tree.map(lambda a: a[None], self.predict_fn(state, *batch_at(0)))
        spec = jax.eval_shape(lambda: self.predict_fn(state, *batch_at(0)))
        zeros = lambda: jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), spec)
        return jax.lax.map(lambda k: jax.lax.cond(k < valid, lambda: self.predict_fn(state, *batch_at(k)), zeros),
                           jnp.arange(count))

    @staticmethod
    def gathered(data, index, padded: bool):
        """`batch_at` over a resident dataset and an int32 (K, batch) index plan. With `padded`, index -1
        marks the padding rows of a short batch (they read some sample) and `batch_at` gives the
        mask of the real rows too."""
        rows = lambda k: jax.tree.map(lambda a: take_rows(a, index[k]), data, is_leaf=is_borrowed)
        if not padded:
            return lambda k: (rows(k),)
        return lambda k: (rows(k), index[k] >= 0)

    @staticmethod
    def stacked(batches):
        """`batch_at` over batches already gathered and stacked on a leading axis."""
        return lambda k: (jax.tree.map(lambda a: a[k], batches),)

    def run_kind(self, kind: str, state, batch_at, count: int, valid):
        """The train ("train") or test ("test") steps of `run_steps`, the model's own where it has them."""
        step = self.train_fn if kind == "train" else self.test_fn
        if kind in self.custom_kinds:
            return self.custom.run_steps(step, state, batch_at, count, valid, self.unroll)
        return self.run_steps(step, state, batch_at, count, valid)

    def _train_chunk(self, state, data, index, valid):
        batch_at = self.gathered(data, index, self.pads["train"])
        if "train" in self.custom_kinds:
            return self.custom.run_steps(self.train_fn, state, batch_at, index.shape[0], valid, self.unroll)
        return self.run_steps(self.train_step, state, batch_at, index.shape[0], valid)

    def inference_group(self, state, x, plan_shape: tuple[int, int]) -> int:
        """How many of a dispatch's K batches evaluate / predict run as one batch (at trace time).

        Larger batches go faster where a step is small (an LSTM's recurrence), and several batches run as one
        give the same values when the model computes each row from its own input row alone and, for evaluate,
        every loss is a plain mean over rows (`Engine.pads`, `Engine.losses_additive`). The group is a divisor of
        K whose forward pass computes at most `INFERENCE_BYTES`, measured on the traced program at one and two
        batches (the difference is what the rows cost, without the weights), chosen by `preferred_group`.
        """
        k, batch = plan_shape
        if k == 1:
            return 1
        spec = lambda tree: jax.tree.map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), tree)
        inputs = lambda rows: jax.tree.map(lambda a: jax.ShapeDtypeStruct((rows,) + a.shape[1:], a.dtype), x,
                                           is_leaf=is_borrowed)
        traced = lambda rows: _computed_bytes(jax.make_jaxpr(self.predict_step)(spec(state), inputs(rows)).jaxpr)
        row_bytes = max((traced(2 * batch) - traced(batch)) / batch, 1)
        fits = [g for g in range(1, k + 1) if k % g == 0 and (g == 1 or g * batch * row_bytes <= INFERENCE_BYTES)]
        return preferred_group(fits, k)

    def _test_chunk(self, state, data, index, valid):
        if "test" in self.custom_kinds:
            batch_at = self.gathered(data, index, False)
            return self.custom.run_steps(self.test_fn, state, batch_at, index.shape[0], valid, self.unroll)
        if self.pads["test"] and self.losses_additive and self.jit_compile:
            group = self.inference_group(state, data[0], index.shape)
            if group > 1:
                index, valid = _merged(index, valid, group)
        batch_at = self.gathered(data, index, self.pads["test"])
        return self.run_steps(self.test_step, state, batch_at, index.shape[0], valid)

    def _predict_chunk(self, state, x, index, valid):
        """Outputs for the K batches of `index`, stacked (K, batch, ...); padding rows hold zeros or the outputs
        of some row (the caller drops them, and the rows of index -1)."""
        group = self.inference_group(state, x, index.shape) if self.pads["predict"] and self.jit_compile else 1
        if group == 1:
            return self.predictions(state, self.gathered(x, index, False), index.shape[0], valid)
        merged, valid = _merged(index, valid, group)
        outputs = self.predictions(state, self.gathered(x, merged, False), merged.shape[0], valid)
        return jax.tree.map(lambda a: a.reshape(index.shape + a.shape[2:]), outputs)

    def compiled_count(self) -> int:
        """How many programs the compiled functions hold (a test checks that it stops growing)."""
        return sum(f._cache_size() for f in self._jitted + self.placement.extra_programs())


def stack_outputs(chunks: list[Any]) -> Any:
    """Concatenates per-chunk outputs of shape (k, batch, ...) into one NumPy array (or pytree)."""
    host = jax.device_get(chunks)
    return jax.tree.map(lambda *parts: np.concatenate([p.reshape((-1,) + p.shape[2:]) for p in parts]), *host)
