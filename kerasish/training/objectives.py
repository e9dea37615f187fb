"""What `compile` asked to minimise and measure, resolved against the model's outputs.

A model has one output or several (a list or dict of them, in the functional API). `Objectives`
holds one loss per output (with its weight) and the metrics of each output, and turns them into pure
functions the compiled step calls: the total loss, and the update of every accumulator. Log names
follow Keras 3: `loss`, then for several outputs `<output>_loss`, then metrics, prefixed
`<output>_` when there are several outputs; a repeated metric name is numbered (`acc_1`), a weighted
metric whose name is taken becomes `weighted_<name>`.
"""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish import losses as _losses
from kerasish import metrics as _metrics


def _per_output(value: Any, names: list[str], argument: str, single_ok: bool = True) -> list:
    """A per-output list from one value (every output), a list (by position) or a dict (by name)."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"Argument `{argument}` has keys {unknown} that are not outputs of the model; "
                             f"the outputs are {names}.")
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"Argument `{argument}` must have one entry per output ({len(names)}: {names}), "
                             f"received {len(value)}.")
        return list(value)
    if not single_ok and len(names) > 1 and value is not None:
        raise ValueError(f"Argument `{argument}` of a model with several outputs must be a list with one entry "
                         f"per output or a dict keyed by output name ({names}), received {value!r}.")
    return [value] * len(names)


def flatten_outputs(tree: Any, names: list[str]) -> list:
    """The outputs (or targets) of a model as a list in output order."""
    if len(names) == 1 and not (isinstance(tree, (list, tuple)) and len(tree) == 1):
        return [tree]
    if isinstance(tree, dict):
        missing = [n for n in names if n not in tree]
        if missing:
            raise ValueError(f"Targets for outputs {missing} are missing; the dict has keys {sorted(tree)}.")
        return [tree[n] for n in names]
    if isinstance(tree, (list, tuple)) and len(tree) == len(names):
        return list(tree)
    raise ValueError(f"The model has {len(names)} outputs {names}; `y` must be a list of {len(names)} arrays "
                     f"or a dict keyed by output name.")


def _rows_weight(sample_weight: Any, rows: jax.Array, dtype: Any = None) -> jax.Array:
    """`sample_weight` (None, (batch,) or (batch, ...)) times the 0/1 weight of the real rows `rows` (of `dtype`
    without sample weights: an integer metric such as IoU takes integer weights)."""
    ones = rows.astype(jnp.float32 if dtype is None else dtype)
    if sample_weight is None:
        return ones
    sample_weight = jnp.asarray(sample_weight, jnp.float32)
    return sample_weight * ones.reshape(ones.shape + (1,) * (sample_weight.ndim - 1))


class Objectives:
    """Losses and metrics per output, as pure accumulator functions.

    Each metric object is carried through the compiled step by its stateless face: its state is the tuple of
    its variables' values (`Metric.stateless_reset_state`), updated by `stateless_update_state` and read by
    `stateless_result`, so a Keras-style user metric (variables from `add_variable`, `assign_add` in
    `update_state`) runs inside the step like the built-in ones.

    Args:
      loss: one loss for every output, or a list / dict of losses per output.
      loss_weights: None, or a list / dict of floats per output.
      metrics, weighted_metrics: a list of metrics (one output), or per output a list / dict of lists.
      output_names: the names of the model's outputs (one name for a single output).
      y_shapes, y_pred_shapes: per output, the shapes used to resolve `"accuracy"` and to build the metrics
        whose variables' shapes come from the data (`Metric.needs_build`).
    """

    def __init__(self, loss: Any, loss_weights: Any, metrics: Any, weighted_metrics: Any, output_names: list[str],
                 y_shapes: list, y_pred_shapes: list) -> None:
        self.output_names = list(output_names)
        multi = len(self.output_names) > 1
        self.losses = [None if spec is None else _losses.resolve(spec)
                       for spec in _per_output(loss, self.output_names, "loss")]
        if loss is not None and all(fn is None for fn in self.losses):
            raise ValueError("Argument `loss` gives no loss for any output of the model.")
        # `loss=None`: the model's own `add_loss` values are what it minimises (Keras's compile without a loss).
        weights = _per_output(loss_weights, self.output_names, "loss_weights")
        if any(isinstance(w, bool) or not (w is None or isinstance(w, numbers.Real)) for w in weights):
            raise TypeError(f"Argument `loss_weights` must give one number per output of the model "
                            f"{self.output_names} (a number, a list of {len(self.output_names)} or a dict keyed by "
                            f"output name), received {loss_weights!r}.")
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self.y_pred_shapes = list(y_pred_shapes)  # for the host-side check of targets (training.data.check_targets)

        def resolve(specs: Any, argument: str) -> list[tuple[int, _metrics.Metric]]:
            out = []
            per_output = _per_output(specs, self.output_names, argument, single_ok=not multi) if specs else []
            for i, entry in enumerate(per_output):
                for spec in ([] if entry is None else entry if isinstance(entry, (list, tuple)) else [entry]):
                    metric = _metrics.resolve(spec, y_true_shape=y_shapes[i], y_pred_shape=y_pred_shapes[i],
                                              loss=self.losses[i])
                    out.append((i, metric))
            return out

        self.metrics = resolve(metrics, "metrics")
        self.weighted_metrics = resolve(weighted_metrics, "weighted_metrics")
        for i, metric in self.metrics + self.weighted_metrics:
            _build_from_shapes(metric, y_shapes[i], y_pred_shapes[i])
        self.loss_names = ["loss"] + ([f"{n}_loss" for n, fn in zip(self.output_names, self.losses) if fn]
                                      if multi else [])
        self.metric_keys = self._metric_keys()  # the state's key of each metric, in order
        self.result_names = {key: self._result_names(key, m) for key, (_, m) in zip(self.metric_keys, self._all())}
        self.names = self.loss_names + [name for key in self.metric_keys for name in self.result_names[key]]
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"Metric names must be unique (they are the keys of the logs), received {self.names}.")

    def _all(self) -> list[tuple[int, _metrics.Metric]]:
        return self.metrics + self.weighted_metrics

    def _metric_keys(self) -> list[str]:
        """Keras's log names of the metrics: `<output>_<name>` for several outputs; a repeated name gets `_1`,
        `_2`, ...; a weighted metric whose name is taken becomes `weighted_<name>` (then numbered)."""
        prefix = (lambda i: f"{self.output_names[i]}_") if len(self.output_names) > 1 else (lambda i: "")
        taken: dict[str, int] = {}
        keys = []
        for position, (i, metric) in enumerate(self._all()):
            name = prefix(i) + metric.name
            if name not in taken:
                taken[name] = 1
            elif position < len(self.metrics):
                taken[name] += 1
                name = f"{name}_{taken[name] - 1}"
            else:
                name = f"{prefix(i)}weighted_{metric.name}"
                if name not in taken:
                    taken[name] = 1
                else:
                    taken[name] += 1
                    name = f"{name}_{taken[name] - 1}"
            keys.append(name)
        return keys

    def _result_names(self, key: str, metric: _metrics.Metric) -> list[str]:
        """The log names of one metric: its key, or the keys of the dict its `result()` returns (as Keras)."""
        if _is_mean(metric):
            return [key]
        shapes = jax.eval_shape(lambda: metric.stateless_result(metric.stateless_reset_state()))
        return list(shapes) if isinstance(shapes, dict) else [key]

    def rows_maskable(self) -> bool:
        """Whether padding rows can be masked out of every loss and metric (`rows` of `total_loss` and
        `update`): true for kerasish's own losses (any reduction but "none") and metrics whose state a sample of
        weight 0 leaves unchanged (`Metric.masks_by_sample_weight`); a user's loss or metric might reduce over the
        batch itself."""
        def own(fn: Any) -> bool:
            return getattr(fn, "__module__", "").startswith("kerasish.")

        def loss_ok(fn: Any) -> bool:
            return fn is None or (own(type(fn)) and fn.reduction not in (None, "none")
                                  and (not isinstance(fn, _losses.LossFunctionWrapper) or own(fn.fn)))

        def metric_ok(metric: _metrics.Metric) -> bool:
            return (own(type(metric)) and type(metric).masks_by_sample_weight
                    and (not isinstance(metric, _metrics.MeanMetricWrapper) or own(metric.fn)))

        return all(loss_ok(fn) for fn in self.losses) and all(metric_ok(m) for _, m in self._all())

    def rows_additive(self) -> bool:
        """Whether several batches computed as one give the loss evaluate reports batch by batch (its mean
        over batches, weighted by their rows): true when `rows_maskable()` and every loss is a mean over
        the batch's rows with nothing masked by the loss itself. `ignore_class` divides each batch's loss by
        its own count of kept rows, and the "sum" and "mean_with_sample_weight" reductions by something other
        than its rows."""
        def additive(fn: Any) -> bool:
            return fn is None or (fn.reduction in ("sum_over_batch_size", "mean") and not fn.masks_entries)

        return self.rows_maskable() and all(additive(fn) for fn in self.losses)

    def total_loss(self, y: Any, y_pred: Any, sample_weight: Any, rows: Any = None) -> tuple[jax.Array, list]:
        """The weighted sum of the outputs' losses, and each output's loss.

        `rows` (bool, (batch,)), for a batch padded to the full size, marks its real rows: the others
        count as masked entries (`losses.reduce_weighted_values`), so the loss is the loss of the real
        rows alone. Only when `rows_maskable()`.
        """
        ys, preds = flatten_outputs(y, self.output_names), flatten_outputs(y_pred, self.output_names)
        weights = (flatten_outputs(sample_weight, self.output_names) if isinstance(sample_weight, (list, dict))
                   else [sample_weight] * len(ys))
        loss = lambda fn, t, p, w: fn(t, p, w) if rows is None else fn.of_rows(t, p, w, rows)
        per_output = [loss(fn, t, p, w) if fn is not None else None
                      for fn, t, p, w in zip(self.losses, ys, preds, weights)]
        total = sum(w * value for w, value in zip(self.loss_weights, per_output) if value is not None)
        return total, per_output

    def init(self) -> dict[str, Any]:
        """The accumulators before any batch: `(sum, count)` per loss, each metric's `stateless_reset_state()`."""
        zero = jnp.zeros((), jnp.float32)
        state: dict[str, Any] = {name: (zero, zero) for name in self.loss_names}
        for key, (_, m) in zip(self.metric_keys, self._all()):
            state[key] = tuple(m.stateless_reset_state())
        return state

    def update(self, state: dict[str, Any], loss, per_output: list, y: Any, y_pred: Any, sample_weight: Any,
               batch_size, rows: Any = None) -> dict[str, Any]:
        """Accumulates the batch's loss (weighted by batch size, as Keras's loss tracker) and metrics (each by its
        `stateless_update_state`; the weighted ones with the sample weights); `rows` (see `total_loss`) weights
        the rows of a padded batch 1 (real) or 0 (padding)."""
        state = dict(state)
        track = lambda s, v: (s[0] + v * batch_size, s[1] + batch_size)
        state["loss"] = track(state["loss"], loss)
        if len(self.output_names) > 1:
            for name, value in zip(self.output_names, per_output):
                if value is not None:
                    state[f"{name}_loss"] = track(state[f"{name}_loss"], value)
        ys, preds = flatten_outputs(y, self.output_names), flatten_outputs(y_pred, self.output_names)
        weights = (flatten_outputs(sample_weight, self.output_names) if isinstance(sample_weight, (list, dict))
                   else [sample_weight] * len(ys))
        for position, (key, (i, m)) in enumerate(zip(self.metric_keys, self._all())):
            weight = weights[i] if position >= len(self.metrics) else None
            if rows is not None:
                weight = _rows_weight(weight, rows, m.dtype if weight is None else None)
            args = (ys[i], preds[i]) if weight is None else (ys[i], preds[i], weight)
            state[key] = tuple(m.stateless_update_state(state[key], *args))
        return state

    def results_on_host(self) -> bool:
        """Whether every log value is a ratio of two accumulators (the losses, and float32 metrics that keep
        `Mean`'s `result`: most built-in ones), which `host_results` computes from the accumulators on the host."""
        return all(_is_mean(m) for _, m in self._all())

    def host_results(self, state: dict[str, Any]) -> dict[str, np.float32]:
        """`results` of accumulators fetched to the host (when `results_on_host()`), in the same float32
        arithmetic: no compiled program to build, none to dispatch at each read."""
        one = np.float32(1.0)
        with np.errstate(all="ignore"):  # inf / inf is NaN, as on the device, without a warning
            out = {name: np.float32(state[name][0]) / max(np.float32(state[name][1]), one) for name in self.loss_names}
            for key in self.metric_keys:
                total, count = state[key][0], state[key][1]
                out[key] = np.float32(0.0) if count == 0 else np.float32(total) / np.float32(count)
        return out

    def results(self, state: dict[str, Any]) -> dict[str, jax.Array]:
        """Every log value (on the device), in log order; a metric whose `result()` is a dict gives its entries."""
        out = {name: state[name][0] / jnp.maximum(state[name][1], 1.0) for name in self.loss_names}
        for key, (_, m) in zip(self.metric_keys, self._all()):
            value = m.stateless_result(list(state[key]))
            if isinstance(value, dict):
                out.update(value)
            else:
                out[key] = value
        return out

    @staticmethod
    def log_value(value: Any) -> float | np.ndarray:
        """A log entry: a Python float for a single value (a scalar, or the one class of a binary `F1Score`,
        which Keras logs as a 1-element array: a float lets `EarlyStopping(monitor="val_f1_score")` and History
        plots read it), a NumPy array otherwise (a per-class `F1Score`, a `Precision` over several thresholds),
        as Keras's logs hold them."""
        value = np.asarray(value)
        return float(value.item()) if value.size == 1 else value


def _is_mean(metric: _metrics.Metric) -> bool:
    """A metric whose state starts with `Mean`'s `(total, count)` and whose result is their float32 ratio."""
    return type(metric).result is _metrics.Mean.result and metric.dtype == "float32"


def _build_from_shapes(metric: _metrics.Metric, y_true_shape: Any, y_pred_shape: Any) -> None:
    """Creates the variables a metric makes in its first update (`Metric.needs_build`, or a metric with no
    variables yet: a Keras-style subclass that builds in `update_state`): one eager update on a zero batch of
    one row of the data's shapes, then a reset."""
    if not (metric.needs_build or not metric.variables):
        return
    if y_pred_shape is None:
        raise ValueError(f"Metric {metric.name!r} ({type(metric).__name__}) creates its variables from the shapes "
                         f"of the data, which are not known here: pass data with a known shape, or build it first "
                         f"with one `update_state` call.")
    one_row = lambda shape: np.zeros((1,) + tuple(1 if d is None else d for d in shape[1:]), np.float32)
    metric.update_state(one_row(y_true_shape if y_true_shape is not None else y_pred_shape), one_row(y_pred_shape))
    metric.reset_state()
