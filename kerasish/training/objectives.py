"""What `compile` asked to minimise and measure, resolved against the model's outputs.

A model has one output or several (a list or dict of them, in the functional API). `Objectives`
holds one loss per output (with its weight) and the metrics of each output, and turns them into pure
functions the compiled step calls: the total loss, and the update of every accumulator. Log names
follow Keras 3: `loss`, then for several outputs `<output>_loss`, then metrics, prefixed
`<output>_` when there are several outputs.
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


def _rows_weight(sample_weight: Any, rows: jax.Array) -> jax.Array:
    """`sample_weight` (None, (batch,) or (batch, ...)) times the 0/1 weight of the real rows `rows`."""
    ones = rows.astype(jnp.float32)
    if sample_weight is None:
        return ones
    sample_weight = jnp.asarray(sample_weight, jnp.float32)
    return sample_weight * ones.reshape(ones.shape + (1,) * (sample_weight.ndim - 1))


class Objectives:
    """Losses and metrics per output, as pure accumulator functions.

    Args:
      loss: one loss for every output, or a list / dict of losses per output.
      loss_weights: None, or a list / dict of floats per output.
      metrics, weighted_metrics: a list of metrics (one output), or per output a list / dict of lists.
      output_names: the names of the model's outputs (one name for a single output).
      y_shapes, y_pred_shapes: per output, the shapes used to resolve `"accuracy"`.
    """

    def __init__(self, loss: Any, loss_weights: Any, metrics: Any, weighted_metrics: Any, output_names: list[str],
                 y_shapes: list, y_pred_shapes: list) -> None:
        self.output_names = list(output_names)
        multi = len(self.output_names) > 1
        self.losses = [None if spec is None else _losses.get(spec)
                       for spec in _per_output(loss, self.output_names, "loss")]
        if all(fn is None for fn in self.losses):
            raise ValueError("Argument `loss` gives no loss for any output of the model.")
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
                    metric = _metrics.get(spec, y_true_shape=y_shapes[i], y_pred_shape=y_pred_shapes[i],
                                          loss=self.losses[i])
                    out.append((i, metric))
            return out

        self.metrics = resolve(metrics, "metrics")
        self.weighted_metrics = resolve(weighted_metrics, "weighted_metrics")
        self.loss_names = ["loss"] + ([f"{n}_loss" for n, fn in zip(self.output_names, self.losses) if fn]
                                      if multi else [])
        self.names = self.loss_names + [self._metric_name(i, m) for i, m in self.metrics + self.weighted_metrics]
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"Metric names must be unique (they are the keys of the logs), received {self.names}.")

    def _metric_name(self, index: int, metric: _metrics.Metric) -> str:
        return f"{self.output_names[index]}_{metric.name}" if len(self.output_names) > 1 else metric.name

    def rows_maskable(self) -> bool:
        """Whether padding rows can be masked out of every loss and metric (`rows` of `total_loss` and
        `update`): true for kerasish's own losses (any reduction but "none") and metrics, whose values are
        per sample; a user's loss or metric function might reduce over the batch itself."""
        def own(fn: Any) -> bool:
            return getattr(fn, "__module__", "").startswith("kerasish.")

        def loss_ok(fn: Any) -> bool:
            return fn is None or (own(type(fn)) and fn.reduction not in (None, "none")
                                  and (not isinstance(fn, _losses.LossFunctionWrapper) or own(fn.fn)))

        def metric_ok(metric: _metrics.Metric) -> bool:
            return own(type(metric)) and (not isinstance(metric, _metrics.MeanMetricWrapper) or own(metric.fn))

        return (all(loss_ok(fn) for fn in self.losses)
                and all(metric_ok(m) for _, m in self.metrics + self.weighted_metrics))

    def rows_additive(self) -> bool:
        """Whether several batches computed as one give the loss evaluate reports batch by batch (its mean
        over batches, weighted by their rows): true when `rows_maskable()` and every loss is a mean over
        the batch's rows with nothing masked by the loss itself. `ignore_class` divides each batch's loss by
        its own count of kept rows, and the "sum" and "mean_with_sample_weight" reductions by something other
        than its rows."""
        def additive(fn: Any) -> bool:
            return fn is None or (fn.reduction in ("sum_over_batch_size", "mean") and (
                type(fn).mask is _losses.Loss.mask or getattr(fn, "_fn_kwargs", {}).get("ignore_class", 0) is None))

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
        zero = jnp.zeros((), jnp.float32)
        state = {name: (zero, zero) for name in self.loss_names}
        for i, m in self.metrics + self.weighted_metrics:
            state[self._metric_name(i, m)] = m.init()
        return state

    def update(self, state: dict[str, Any], loss, per_output: list, y: Any, y_pred: Any, sample_weight: Any,
               batch_size, rows: Any = None) -> dict[str, Any]:
        """Accumulates the batch's loss (weighted by batch size, as Keras's loss tracker) and metrics;
        `rows` (see `total_loss`) weights the rows of a padded batch 1 (real) or 0 (padding)."""
        state = dict(state)
        track = lambda s, v: (s[0] + v * batch_size, s[1] + batch_size)
        state["loss"] = track(state["loss"], loss)
        if len(self.output_names) > 1:
            for name, value in zip(self.output_names, per_output):
                if value is not None:
                    state[f"{name}_loss"] = track(state[f"{name}_loss"], value)
        ys, preds = flatten_outputs(y, self.output_names), flatten_outputs(y_pred, self.output_names)
        for i, m in self.metrics:
            name = self._metric_name(i, m)
            state[name] = (m.update(state[name], ys[i], preds[i]) if rows is None
                           else m.update(state[name], ys[i], preds[i], _rows_weight(None, rows)))
        weights = (flatten_outputs(sample_weight, self.output_names) if isinstance(sample_weight, (list, dict))
                   else [sample_weight] * len(ys))
        if rows is not None:
            weights = [_rows_weight(w, rows) for w in weights]
        for i, m in self.weighted_metrics:
            name = self._metric_name(i, m)
            state[name] = m.update(state[name], ys[i], preds[i], weights[i])
        return state

    def results_on_host(self) -> bool:
        """Whether every log value is a ratio of two accumulators (the losses, and metrics that keep `Mean`'s
        `result`: every built-in one), which `host_results` computes from the accumulators on the host."""
        return all(type(m).result is _metrics.Mean.result for _, m in self.metrics + self.weighted_metrics)

    def host_results(self, state: dict[str, Any]) -> dict[str, np.float32]:
        """`results` of accumulators fetched to the host (when `results_on_host()`), in the same float32
        arithmetic: no compiled program to build, none to dispatch at each read."""
        one = np.float32(1.0)
        with np.errstate(all="ignore"):  # inf / inf is NaN, as on the device, without a warning
            out = {name: np.float32(state[name][0]) / max(np.float32(state[name][1]), one) for name in self.loss_names}
            for i, m in self.metrics + self.weighted_metrics:
                total, count = state[self._metric_name(i, m)]
                out[self._metric_name(i, m)] = np.float32(0.0) if count == 0 else np.float32(total) / np.float32(count)
        return out

    def results(self, state: dict[str, Any]) -> dict[str, jax.Array]:
        """Every log value (on the device), in log order."""
        out = {name: state[name][0] / jnp.maximum(state[name][1], 1.0) for name in self.loss_names}
        for i, m in self.metrics + self.weighted_metrics:
            out[self._metric_name(i, m)] = m.result(state[self._metric_name(i, m)])
        return out
