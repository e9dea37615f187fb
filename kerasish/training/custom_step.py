"""A model's own `train_step` / `test_step` / `predict_step` (Keras 3's JAX signatures), run fused.

A subclass of `Model` customises training as in Keras 3 on JAX: `train_step(self, state, data)` with `state =
(trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)` returning `(logs, state)`,
`test_step(self, state, data)` with `(trainable_variables, non_trainable_variables, metrics_variables)`,
`predict_step(self, state, data)` returning `(outputs, non_trainable_variables)`, or `compute_loss` /
`compute_metrics` / the `metrics` property, which Keras's default steps call.

`CustomSteps` turns such a model's steps into the engine's steps over its dict state: it converts the state to
Keras's four lists and back inside the traced step (a fixed mapping, `keras_state`), so an overridden step is
traced once and runs inside the same K-steps-per-dispatch `lax.scan` as the default one, with the non-finite guard
(an update giving non-finite weights or optimizer state is skipped) and donation. The engine's `metrics` entry holds
the values of `model.metrics`' variables (`{"variables": [...]}`) and, after a dispatch, the logs its last step
returned (`"logs"`), which is what Keras reports at the end of a batch, and at the end of an epoch unless the
logs name the same metrics as `model.metrics` (then their results, as Keras's `_get_metrics_result_or_logs`).

Other optimizers the model holds (a GAN's `d_optimizer` and `g_optimizer`) are carried too (`state["optimizers"]`):
during the step their variables are bound to the carried values, as Keras's `StatelessScope` binds variables, so
`opt.stateless_apply(opt.variables, grads, weights)` reads them and `variable.assign(new)` keeps the new ones.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from kerasish import metrics as _metrics
from kerasish import optimizers as _optimizers
from kerasish.data.packing import pack_x_y_sample_weight
from kerasish.training.engine import all_finite, regularization_penalty
from kerasish.training.keras_state import OptimizerLayout, array_of, layout_of
from kerasish.training.objectives import Objectives, flatten_outputs
from kerasish.variables import Variable, bound_values

#: The model methods whose override makes a kind of step run the model's own code (Keras's default steps call them).
OVERRIDABLE = {
    "train": ("train_step", "compute_loss_and_updates", "stateless_compute_loss", "compute_loss", "compute_metrics",
              "get_metrics_result", "metrics"),
    "test": ("test_step", "compute_loss_and_updates", "stateless_compute_loss", "compute_loss", "compute_metrics",
             "get_metrics_result", "metrics"),
    "predict": ("predict_step",),
}


def overridden_kinds(model: Any, base: type) -> frozenset[str]:
    """The kinds of step ("train", "test", "predict") for which `model` runs its own code: a method of `OVERRIDABLE`
    redefined below `base` (the class holding Keras's defaults), or, for train and test, metrics the model holds
    as attributes (Keras logs every metric of `model.metrics`)."""
    kinds = {kind for kind, names in OVERRIDABLE.items()
             if any(getattr(type(model), name) is not getattr(base, name) for name in names)}
    if tracked_metrics(model):
        kinds |= {"train", "test"}
    return frozenset(kinds)


def _held(value: Any) -> Iterator[Any]:
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _held(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _held(item)
    else:
        yield value


def tracked_metrics(model: Any) -> list[_metrics.Metric]:
    """The metrics a model holds as attributes (also in lists and dicts), in the order they were set (Keras's
    `model._metrics`)."""
    found: list = []
    for value in vars(model).values():
        for item in _held(value):
            if isinstance(item, _metrics.Metric) and not any(item is m for m in found):
                found.append(item)
    return found


def held_optimizers(model: Any) -> list[_optimizers.Optimizer]:
    """The kerasish optimizers a model holds as attributes, in the order they were set."""
    found: list = []
    for value in vars(model).values():
        for item in _held(value):
            if isinstance(item, _optimizers.Optimizer) and not any(item is o for o in found):
                found.append(item)
    return found


class CompileMetrics(_metrics.Metric):
    """Keras's `compile_metrics`: the metrics given to `compile`, as one metric whose variables are theirs (in
    order) and whose `result()` is the dict of their log values (`{"mae": ...}`).

    Args:
      objectives: the compiled losses and metrics (`training.objectives.Objectives`).
    """

    def __init__(self, objectives: Objectives) -> None:
        super().__init__(name="compile_metrics")
        self.objectives = objectives
        self.entries = [m for _, m in objectives.metrics + objectives.weighted_metrics]  # tracked: their variables

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        objectives = self.objectives
        names = objectives.output_names
        ys, preds = flatten_outputs(y_true, names), flatten_outputs(y_pred, names)
        weights = (flatten_outputs(sample_weight, names) if isinstance(sample_weight, (list, dict))
                   else [sample_weight] * len(ys))
        for position, (i, metric) in enumerate(objectives.metrics + objectives.weighted_metrics):
            if position >= len(objectives.metrics) and weights[i] is not None:
                metric.update_state(ys[i], preds[i], sample_weight=weights[i])
            else:
                metric.update_state(ys[i], preds[i])

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, metric in zip(self.objectives.metric_keys, self.entries):
            value = metric.result()
            if isinstance(value, dict):
                out.update(value)
            else:
                out[key] = value
        return out

    def reset_state(self) -> None:
        for metric in self.entries:
            metric.reset_state()


# -- the values of the running step, for code that reads the model (Keras's StatelessScope) -------------------------

_step_values: ContextVar[tuple | None] = ContextVar("kerasish_step_values", default=None)


@contextlib.contextmanager
def step_values(model: Any, trainable: Sequence[Any], non_trainable: Sequence[Any],
                metric_variables: Sequence[Variable], metric_values: Sequence[Any]) -> Iterator[None]:
    """Within the block: `weight_penalty(model)` computes on `trainable` / `non_trainable` (not on the model's own
    weights), and the metrics' variables hold `metric_values` (their `update_state` then updates these)."""
    token = _step_values.set((model, list(trainable), list(non_trainable)))
    try:
        with bound_values(list(metric_variables), [array_of(v) for v in metric_values]):
            yield
    finally:
        _step_values.reset(token)


def weight_penalty(model: Any) -> Any:
    """The sum of the weight penalties (`add_weight(regularizer=...)`) of `model`: on the values of the running step
    when there is one (`step_values`), else on the model's weights."""
    current = _step_values.get()
    if current is not None and current[0] is model:
        layout = layout_of(model)
        copy = nnx.merge(layout.graphdef, layout.params_state(current[1]), layout.rest_state(current[2]), copy=True)
        return regularization_penalty(copy)
    return regularization_penalty(model)


# -- logs -----------------------------------------------------------------------------------------------------------

def _log_value(value: Any) -> Any:
    value = np.asarray(value)
    if value.size == 1:
        return float(value.item())
    return value


def pythonify_logs(logs: Any) -> dict[str, Any]:
    """Keras's `pythonify_logs`: nested dicts flattened (sorted by key), values as Python floats where single."""
    out: dict[str, Any] = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            out.update(pythonify_logs(value))
        else:
            out[key] = _log_value(value)
    return out


def _as_log_arrays(logs: Any, owner: str) -> dict:
    if not isinstance(logs, dict):
        raise TypeError(f"`{owner}` must return `(logs, state)` with `logs` a dict of metric values, received logs of "
                        f"type {type(logs).__name__}.")
    return jax.tree.map(lambda v: jnp.asarray(array_of(v)), logs, is_leaf=lambda v: isinstance(v, Variable))


def _cast_like(new: Any, old: Any) -> Any:
    return jax.tree.map(lambda n, o: n if n.dtype == o.dtype else n.astype(o.dtype), new, old)


class CustomSteps:
    """A model's own steps as the engine's steps over its dict state (see the module docstring).

    Args:
      model: the model (its `train_step`, `test_step`, `predict_step`, `metrics`, `optimizer` are used).
      optimizer: the compiled optimizer (`model.optimizer`); a kerasish optimizer, built here on
        `model.trainable_variables` if it is not built (as Keras's `fit` builds it).
      kinds: the kinds of step run by the model's code ("train", "test", "predict").
      placement: where the state and the batches live (the engine's).

    Raises:
      TypeError: for a custom `train_step` with an optax transformation as optimizer (it has no Keras optimizer
        variables to hand to `stateless_apply`).
      ValueError: for an optimizer (compiled or held) built on other variables, or a held one not built.
    """

    def __init__(self, model: Any, optimizer: Any, kinds: frozenset[str], placement: Any) -> None:
        self.model, self.kinds, self.placement = model, kinds, placement
        self.layout = layout_of(model)
        self.opt_layout = None
        self.others: list = []
        if "train" in kinds:
            if not isinstance(optimizer, _optimizers.Optimizer) or isinstance(optimizer, _optimizers.OptaxOptimizer):
                raise TypeError(f"Model '{model.name}' trains with its own code (train_step, compute_loss, ...), which "
                                f"takes Keras's optimizer variables: compile it with a kerasish optimizer (a name such "
                                f"as 'adam', or kerasish.optimizers.*), received {optimizer!r}.")
            if not optimizer.built:
                optimizer.build(model.trainable_variables)
            _, params, _ = nnx.split(model, self.layout.keep, ...)
            try:
                self.opt_layout = OptimizerLayout(optimizer, self.layout, params)
            except ValueError as err:
                raise ValueError(f"The optimizer of model '{model.name}' was built on other variables than its "
                                 f"trainable_variables; compile with a new optimizer. ({err})") from None
            self.others = [o for o in held_optimizers(model) if o is not optimizer]
            for other in self.others:
                if not other.built:
                    raise ValueError(f"Optimizer {other.name!r} held by model '{model.name}' is not built: build it "
                                     f"on the variables it trains (e.g. `{other.name}.build(sub_model."
                                     f"trainable_variables)` in `compile`) before fit(), so that its variables exist "
                                     f"outside the compiled step.")
        self.metrics = list(model.metrics)
        self.metric_variables = [v for m in self.metrics for v in m.variables]

    # -- state ---------------------------------------------------------------------------------------------------

    def init_metrics(self) -> dict[str, Any]:
        """The metrics' variables reset (Keras's `reset_metrics` at the start of an epoch or evaluate)."""
        return {"variables": [jnp.asarray(v) for m in self.metrics for v in m.stateless_reset_state()]}

    def init_optimizers(self) -> list[list]:
        """The values of the other optimizers' variables (carried in `state["optimizers"]`)."""
        return [[variable.value for variable in other.variables] for other in self.others]

    def write_optimizers(self, values: list[list]) -> None:
        """Gives the other optimizers' variables the carried values (after a call)."""
        for other, own in zip(self.others, values):
            for variable, value in zip(other.variables, own):
                variable.replace_value(value)

    def results(self, variables: Sequence[Any]) -> dict[str, Any]:
        """Keras's `get_metrics_result()` of the metrics' variable values (dict results flattened)."""
        out: dict[str, Any] = {}
        start = 0
        for metric in self.metrics:
            count = len(metric.variables)
            value = metric.stateless_result(list(variables[start:start + count]))
            start += count
            if isinstance(value, dict):
                out.update(value)
            else:
                out[metric.name] = value
        return out

    def epoch_logs(self, metric_state: dict[str, Any]) -> dict[str, Any]:
        """The logs at the end of an epoch or evaluate: the metrics' results when the last step's logs name the same
        entries, else those logs (Keras's `_get_metrics_result_or_logs`), as Python floats."""
        host = jax.device_get(metric_state)
        results = self.results(host["variables"])
        logs = host.get("logs")
        if logs is None or set(logs) == set(results):
            return pythonify_logs(results)
        return pythonify_logs(logs)

    def step_logs(self, metric_state: dict[str, Any]) -> dict[str, Any]:
        """The logs of the last step (what `on_train_batch_end` receives in Keras)."""
        host = jax.device_get(metric_state)
        logs = host.get("logs")
        return pythonify_logs(self.results(host["variables"]) if logs is None else logs)

    def write_metrics(self, metric_state: dict[str, Any]) -> None:
        """Gives the metric objects their variables' values (Keras's `jax_state_sync`): `m.result()` reads them."""
        for variable, value in zip(self.metric_variables, metric_state["variables"]):
            variable.assign(value)

    # -- the steps ----------------------------------------------------------------------------------------------

    def _lists(self, state: dict[str, Any]) -> tuple[list, list]:
        return self.layout.lists(state["params"], state["rest"])

    def _checked(self, result: Any, expected: tuple, owner: str, names: tuple[str, ...]) -> tuple:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise TypeError(f"`{owner}` of model '{self.model.name}' must return `(logs, state)`, received "
                            f"{type(result).__name__}.")
        logs, state = result
        if not (isinstance(state, (tuple, list)) and len(state) == len(names)):
            raise TypeError(f"`{owner}` of model '{self.model.name}' must return the state `({', '.join(names)})`, "
                            f"received {type(state).__name__} of {len(state) if hasattr(state, '__len__') else '?'} "
                            f"entries.")
        out = []
        for name, new, old in zip(names, state, expected):
            if not isinstance(new, (list, tuple)) or len(new) != len(old):
                got = f"{len(new)} values" if isinstance(new, (list, tuple)) else type(new).__name__
                raise ValueError(f"`{owner}` of model '{self.model.name}' returned {got} as `{name}`; the model has "
                                 f"{len(old)} (one per variable, in the order it received them).")
            out.append([array_of(v) for v in new])
        return _as_log_arrays(logs, owner), out

    def train_step(self, state: dict[str, Any], batch: tuple, rows: Any = None) -> dict[str, Any]:
        """`model.train_step((trainable, non_trainable, optimizer, metrics), data)` on the engine's state."""
        x, y, sample_weight = self.placement.shard_batch(batch)
        trainable, non_trainable = self._lists(state)
        keras_state = (trainable, non_trainable, self.opt_layout.to_list(state["opt"]),
                       list(state["metrics"]["variables"]))
        carried = state.get("optimizers", [])
        with contextlib.ExitStack() as stack:
            for other, values in zip(self.others, carried):
                stack.enter_context(bound_values(other.variables, values))
            result = self.model.train_step(keras_state, pack_x_y_sample_weight(x, y, sample_weight))
            carried = [[variable.value for variable in other.variables] for other in self.others]
        logs, (trainable, non_trainable, opt_values, metric_values) = self._checked(
            result, keras_state, "train_step",
            ("trainable_variables", "non_trainable_variables", "optimizer_variables", "metrics_variables"))
        new = (_cast_like(self.layout.params_state(trainable), state["params"]),
               _cast_like(self.layout.rest_state(non_trainable), state["rest"]),
               _cast_like(self.opt_layout.to_state(opt_values), state["opt"]),
               _cast_like(carried, state.get("optimizers", [])))
        old = (state["params"], state["rest"], state["opt"], state.get("optimizers", []))
        # an update giving non-finite weights or optimizer state is skipped: NaN never reaches the weights
        params, rest, opt, carried = jax.lax.cond(all_finite((new[0], new[2], new[3])), lambda: new, lambda: old)
        metrics = {"variables": _cast_like(metric_values, list(state["metrics"]["variables"])), "logs": logs}
        out = {**state, "params": params, "rest": rest, "opt": opt, "metrics": metrics}
        if self.others:
            out["optimizers"] = carried
        return self.placement.constrain(out)

    def test_step(self, state: dict[str, Any], batch: tuple, rows: Any = None) -> dict[str, Any]:
        """`model.test_step((trainable, non_trainable, metrics), data)`: the metrics' variables and the logs."""
        x, y, sample_weight = self.placement.shard_batch(batch)
        trainable, non_trainable = self._lists(state)
        keras_state = (trainable, non_trainable, list(state["metrics"]["variables"]))
        result = self.model.test_step(keras_state, pack_x_y_sample_weight(x, y, sample_weight))
        logs, (_, _, metric_values) = self._checked(
            result, keras_state, "test_step", ("trainable_variables", "non_trainable_variables", "metrics_variables"))
        metrics = {"variables": _cast_like(metric_values, list(state["metrics"]["variables"])), "logs": logs}
        return self.placement.constrain({**state, "metrics": metrics})

    def predict_step(self, state: dict[str, Any], x: Any, rows: Any = None) -> Any:
        """`model.predict_step((trainable, non_trainable), data)`'s outputs."""
        trainable, non_trainable = self._lists(state)
        result = self.model.predict_step((trainable, non_trainable), pack_x_y_sample_weight(
            self.placement.shard_batch(x)))
        if not (isinstance(result, (tuple, list)) and len(result) == 2 and isinstance(result[1], (list, tuple))
                and len(result[1]) == len(non_trainable)):
            raise TypeError(f"`predict_step` of model '{self.model.name}' must return `(outputs, "
                            f"non_trainable_variables)` as Keras's JAX `predict_step` does, received "
                            f"{type(result).__name__}.")
        return result[0]

    def run_steps(self, step, state: dict[str, Any], batch_at, count: int, valid, unroll: bool) -> dict[str, Any]:
        """`step` over the batches `batch_at(k)`, k < valid (see `Engine.run_steps`), keeping the logs of the last
        step run: they are not carried from step to step (their structure is the user's), each step's come out of
        the loop and the last real one is kept."""
        state = {**state, "metrics": {"variables": state["metrics"]["variables"]}}
        if count == 1:
            return step(state, *batch_at(0))
        spec = jax.eval_shape(lambda s: step(s, *batch_at(0))["metrics"]["logs"], state)
        zeros = lambda: jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), spec)

        def body(carry, k):
            def run(s):
                new = step(s, *batch_at(k))
                logs = new["metrics"]["logs"]
                return {**new, "metrics": {"variables": new["metrics"]["variables"]}}, logs
            return jax.lax.cond(k < valid, run, lambda s: (s, zeros()), carry)

        state, logs = jax.lax.scan(body, state, jnp.arange(count), unroll=unroll)
        last = jax.tree.map(lambda a: a[jnp.maximum(valid, 1) - 1], logs)
        return {**state, "metrics": {**state["metrics"], "logs": last}}
