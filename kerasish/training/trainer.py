"""`Trainer`: what a model holds for training (compile arguments, compiled engine, train state, History), and
the orchestration of `fit`, `evaluate`, `predict` and the `*_on_batch` calls.

`Model`'s methods of the same names check nothing themselves: they hand their arguments here. A call turns
its data into a `Dataset` (`training.data.arguments`), builds the model for it, makes (or reuses) the
`Engine` and its `TrainState`, checks the data against the compiled losses, and runs the loop.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

import kerasish.training.loop as loop
from kerasish import distribution as _distribution
from kerasish import losses as _losses
from kerasish import metrics as _metrics
from kerasish import optimizers as _optimizers
from kerasish.callbacks.history import History
from kerasish.callbacks.progbar import format_logs
from kerasish.training.data.arguments import default_batch_size, fit_datasets, is_array_data, make_dataset
from kerasish.training.data.checks import check_sample_weight, check_targets, prepare_arrays, to_arrays
from kerasish.training.data.dataset import Dataset
from kerasish.training.data.iterables import device_batch
from kerasish.training.engine import Engine, split_model
from kerasish.training.objectives import Objectives, flatten_outputs
from kerasish.training.placement import Placement
from kerasish.training.train_state import TrainState


def resolve_verbose(verbose: Any) -> int:
    """`"auto"` is 1; 0, 1 and 2 as given.

    Raises:
      ValueError: for anything else.
    """
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"Argument `verbose` must be 'auto', 0, 1 or 2, received {verbose!r}.")
    return int(verbose)


def check_positive_int(name: str, value: Any, allow_none: bool = False) -> None:
    """Raises a ValueError naming `name` unless `value` is an int >= 1 (or None with `allow_none`)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Argument `{name}` must be an int >= 1{' or None' if allow_none else ''}, "
                         f"received {value!r}.")


def _check_validation_freq(validation_freq: Any) -> None:
    if isinstance(validation_freq, int) and not isinstance(validation_freq, bool) and validation_freq >= 1:
        return
    if isinstance(validation_freq, (list, tuple, set)) and all(
            isinstance(e, int) and not isinstance(e, bool) and e >= 1 for e in validation_freq):
        return
    raise ValueError(f"Argument `validation_freq` must be an int >= 1 or a list of epoch numbers (1-based), "
                     f"received {validation_freq!r}.")


def _check_metric_specs(value: Any, argument: str, loss: Any) -> None:
    """Unknown metric names fail at compile, not at the first fit (any nesting: per output lists/dicts)."""
    if value is None:
        return
    if isinstance(value, (dict, list, tuple)):
        for entry in value.values() if isinstance(value, dict) else value:
            _check_metric_specs(entry, argument, loss)
        return
    if isinstance(value, str):
        _metrics.resolve(value, y_true_shape=(None, 1), y_pred_shape=(None, 1), loss=loss)
    elif not (isinstance(value, _metrics.Metric) or callable(value)):
        raise TypeError(f"Argument `{argument}` must hold metric names or objects, received {value!r}.")


def _check_loss_specs(value: Any) -> None:
    if isinstance(value, (dict, list, tuple)):
        for entry in value.values() if isinstance(value, dict) else value:
            _check_loss_specs(entry)
    elif value is not None:
        _losses.resolve(value)


class CompileConfig:
    """What `compile` was given, checked; losses and metrics are resolved per output once the data's shapes are
    known. The distribution in effect at compile time (set_distribution or a `with ...scope():`) is the model's.
    """

    def __init__(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None, loss_weights: Any = None,
                 weighted_metrics: Any = None, steps_per_execution: int | str = "auto", unroll: bool = False) -> None:
        if steps_per_execution != "auto" and (isinstance(steps_per_execution, bool) or not isinstance(
                steps_per_execution, int) or steps_per_execution < 1):
            raise ValueError(f"Argument `steps_per_execution` must be 'auto' or an int >= 1, received "
                             f"{steps_per_execution!r}.")
        self.optimizer = _optimizers.get(optimizer)
        _check_loss_specs(loss)
        if isinstance(loss, (str, _losses.Loss)) or (callable(loss) and not isinstance(loss, type)):
            loss = _losses.resolve(loss)
        if isinstance(metrics, (str, _metrics.Metric)):
            metrics = [metrics]
        _check_metric_specs(metrics, "metrics", loss)
        _check_metric_specs(weighted_metrics, "weighted_metrics", loss)
        self.loss, self.loss_weights, self.metrics = loss, loss_weights, metrics
        self.weighted_metrics = weighted_metrics
        self.steps_per_execution, self.unroll = steps_per_execution, bool(unroll)
        self.distribution = _distribution.distribution()

    def get_config(self) -> dict[str, Any] | None:
        """The compile arguments as JSON-able data (Keras's `get_compile_config`), or None when the optimizer or
        the loss is code, not data (an optax transformation, a schedule, a custom loss function)."""
        if not _optimizers.is_serializable(self.optimizer):
            return None
        optimizer = _optimizers.serialize(self.optimizer)
        loss = self.loss
        if isinstance(loss, _losses.Loss):
            loss = {"class_name": type(loss).__name__, "config": loss.get_config()}
        return {"optimizer": optimizer, "loss": loss, "loss_weights": self.loss_weights, "metrics": self.metrics,
                "weighted_metrics": self.weighted_metrics, "steps_per_execution": self.steps_per_execution}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CompileConfig:
        """The `CompileConfig` of `get_config()`'s output.

        Raises:
          ValueError: for a loss or optimizer class kerasish does not have.
        """
        loss = config.get("loss")
        if isinstance(loss, dict) and "class_name" in loss:
            loss_class = getattr(_losses, loss["class_name"], None)
            if not (isinstance(loss_class, type) and issubclass(loss_class, _losses.Loss)):
                raise ValueError(f"The compile configuration names loss class {loss['class_name']!r}, which kerasish "
                                 f"does not have.")
            loss = loss_class(**loss["config"])
        return cls(_optimizers.deserialize(config["optimizer"]), loss, config.get("metrics"),
                   config.get("loss_weights"), config.get("weighted_metrics"),
                   config.get("steps_per_execution", "auto"))


class Trainer:
    """What a model holds for training, outside the NNX graph (compared by identity, never traversed), and what
    runs its calls.

    Attributes:
      config: the `CompileConfig`, None before `compile`.
      engine: the compiled steps (`Engine`), made on first use after `compile` and reused by later calls.
      live: the engine's `TrainState` (the optimizer state, and the live state during `fit`).
      history: the `History` of the last `fit`.
      stop_training, stop_evaluating, stop_predicting: set by a callback to end the running call.
      resume_epoch: the epoch `Model.resume_from_epoch` asked the running `fit` to start at.
      pending_opt_state: optimizer arrays from a loaded model file, for the next engine.
    """

    def __init__(self) -> None:
        self.config: CompileConfig | None = None
        self.engine: Engine | None = None
        self.live: TrainState | None = None
        self.history: History | None = None
        self.stop_training = self.stop_evaluating = self.stop_predicting = False
        self.resume_epoch: int | None = None
        self.pending_opt_state: list | None = None

    def optimizer_state(self) -> list[np.ndarray] | None:
        """`Model.get_optimizer_state`: the live optimizer arrays, else the ones waiting for the next engine."""
        if self.live is not None and self.engine.objectives is not None:
            return [np.asarray(leaf) for leaf in self.live.opt_state_leaves()]
        return None if self.pending_opt_state is None else [np.asarray(a) for a in self.pending_opt_state]

    def set_pending_opt_state(self, model, arrays: list) -> None:
        """Checks saved optimizer arrays against the compiled optimizer's state (as `optimizer.init` would make it
        for the model's trainable weights) and keeps them for the next engine (`Model.set_optimizer_state`)."""
        if self.config is not None and model.built and arrays:
            _, params, _, _ = split_model(model)
            expected = jax.tree.leaves(jax.eval_shape(self.config.optimizer.init, params))
            if len(expected) != len(arrays):
                raise ValueError(f"The saved optimizer state holds {len(arrays)} arrays, but the optimizer of model "
                                 f"'{model.name}' has {len(expected)}; compile again to start a fresh optimizer.")
            for i, (want, got) in enumerate(zip(expected, arrays)):
                got = np.asarray(got)
                if got.shape != want.shape or got.dtype != np.dtype(want.dtype):
                    raise ValueError(f"Optimizer state entry {i} has shape {got.shape} and dtype {got.dtype}, but the "
                                     f"optimizer of model '{model.name}' holds shape {want.shape} and dtype "
                                     f"{np.dtype(want.dtype)} there.")
                if got.dtype.kind in "fc" and not np.isfinite(got).all():
                    raise ValueError(f"Optimizer state entry {i} holds NaN or infinite values; training from it would "
                                     f"write them into the weights. Compile again to start a fresh optimizer.")
        self.pending_opt_state = arrays or None

    def compile(self, config: CompileConfig) -> None:
        """Takes new compile arguments; the next call makes a new engine (and a fresh optimizer state)."""
        self.config, self.engine, self.live = config, None, None

    def require_compiled(self, model, method: str, needs_loss: bool = True) -> None:
        """Raises a ValueError naming `method` when the model is not compiled (or has no loss and needs one)."""
        if self.config is None:
            raise ValueError(f"You must call `compile()` before `{method}()` on model '{model.name}'.")
        del needs_loss  # compiled without a loss, a model minimises its `add_loss` values (see Engine)

    # -- the engine -------------------------------------------------------------------------------

    def prepare(self, model, x_sample: Any, y_sample: Any) -> Engine:
        """Builds `model` for the data's shapes and (re)makes the engine when its structure changed."""
        model.prepare_for_data(x_sample)
        if self.engine is not None and self.engine.objectives is not None and self.engine.matches(model):
            return self.engine
        config = self.config
        y_pred = model.output_spec(x_sample)
        names = model.output_names(y_pred)
        shape_of = lambda a: None if a is None else (None,) + tuple(np.shape(a)[1:])
        y_shapes = ([None] * len(names) if y_sample is None
                    else [shape_of(a) for a in flatten_outputs(y_sample, names)])
        y_pred_shapes = [shape_of(a) for a in flatten_outputs(y_pred, names)]
        objectives = Objectives(config.loss, config.loss_weights, config.metrics, config.weighted_metrics, names,
                                y_shapes, y_pred_shapes)
        self._make_engine(model, config.optimizer, objectives, config.steps_per_execution, config.unroll,
                          config.distribution or _distribution.distribution())
        if self.pending_opt_state is not None:
            self.live.restore_opt_state(self.pending_opt_state)
            self.pending_opt_state = None
        return self.engine

    def prepare_predict(self, model, x_sample: Any) -> Engine:
        """The engine for `predict`: the compiled one, or for a model without a loss a bare one."""
        if self.config is not None and self.config.loss is not None:
            return self.prepare(model, x_sample, None)
        model.prepare_for_data(x_sample)
        if self.engine is None or not self.engine.matches(model):
            self._make_engine(model, _optimizers.get("sgd"), None, distribution=_distribution.distribution())
        return self.engine

    def _make_engine(self, model, optimizer, objectives, steps_per_execution="auto", unroll=False,
                     distribution=None) -> None:
        placement = Placement.for_distribution(distribution)
        self.engine = Engine(model, optimizer, objectives, steps_per_execution, unroll, placement)
        self.live = TrainState(self.engine)

    def _check(self, model, dataset: Dataset, kind: str) -> None:
        dataset.check(self.engine.objectives, model.check_input)
        self._shape(dataset, kind)

    def _shape(self, dataset: Dataset, kind: str) -> None:
        if self.engine.shares_shapes(kind, dataset.rows):
            dataset.share_shapes()

    # -- the calls --------------------------------------------------------------------------------

    def fit(self, model, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
            class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
            validation_freq) -> History:
        """`Model.fit` (see there)."""
        self.require_compiled(model, "fit")
        if self.live is not None and self.live.state is not None:
            raise RuntimeError(f"fit() was called on model '{model.name}' while its fit() is running (from a "
                               f"callback?): a fit cannot run inside another. evaluate() and predict() can (they "
                               f"use the live weights); start the next fit after this one returns.")
        verbose = resolve_verbose(verbose)
        check_positive_int("epochs", epochs)
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or not 0 <= initial_epoch < epochs:
            raise ValueError(f"Argument `initial_epoch` must be an int in [0, epochs={epochs}), "
                             f"received {initial_epoch!r}.")
        check_positive_int("steps_per_epoch", steps_per_epoch, allow_none=True)
        check_positive_int("validation_steps", validation_steps, allow_none=True)
        check_positive_int("validation_batch_size", validation_batch_size, allow_none=True)
        if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)) \
                or not 0.0 <= validation_split < 1.0:
            raise ValueError(f"Argument `validation_split` must be a float in [0, 1), received {validation_split!r}.")
        if not isinstance(shuffle, bool):
            raise TypeError(f"Argument `shuffle` must be True or False, received {shuffle!r}.")
        _check_validation_freq(validation_freq)
        train, val = fit_datasets(x, y, sample_weight, class_weight, batch_size, shuffle=shuffle,
                                  seed=loop.new_shuffle_seed(), steps_per_epoch=steps_per_epoch,
                                  validation_split=validation_split, validation_data=validation_data,
                                  validation_batch_size=validation_batch_size, validation_steps=validation_steps,
                                  targets_required=self.config.loss is not None)
        try:
            engine = self.prepare(model, *train.sample())
            for dataset, kind in ((train, "train"), (val, "test")):
                if dataset is not None:
                    self._check(model, dataset, kind)
            resume_epoch, self.resume_epoch = self.resume_epoch, None
            return loop.run_fit(model, engine, self.live, train, val, epochs, verbose, callbacks, initial_epoch,
                                validation_freq, resume_epoch)
        finally:
            for dataset in (train, val):
                if dataset is not None:
                    dataset.release()

    def evaluate(self, model, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict):
        """`Model.evaluate` (see there)."""
        self.require_compiled(model, "evaluate")
        verbose = resolve_verbose(verbose)
        check_positive_int("steps", steps, allow_none=True)
        if x is None:
            raise ValueError("Argument `x` of evaluate is required, received None.")
        if is_array_data(x) and y is None and self.config.loss is not None:
            raise ValueError("Argument `y` of evaluate is required when `x` is an array, received None.")
        dataset = make_dataset(x, y, sample_weight, batch_size, steps=steps, streamed=True)
        try:
            engine = self.prepare(model, *dataset.sample())
            self._check(model, dataset, "test")
            callbacks = loop.make_callbacks(model, callbacks, 0, 1, dataset.steps, history=False)
            logs = loop.run_evaluate(model, engine, self.live, dataset, callbacks)
        finally:
            dataset.release()
        if verbose:
            print(format_logs(logs), flush=True)
        return self.format_result(logs, return_dict)

    def predict(self, model, x, batch_size, verbose, steps, callbacks):
        """`Model.predict` (see there)."""
        resolve_verbose(verbose)
        self.sync_live_weights()  # called from a callback during fit: predict with the current step's weights
        check_positive_int("steps", steps, allow_none=True)
        if x is None:
            raise ValueError("Argument `x` of predict is required, received None.")
        dataset = make_dataset(x, None, None, default_batch_size(batch_size, is_array_data(x)), steps=steps,
                               streamed=True)
        try:
            x_sample = dataset.sample()[0]
            model.check_input_count(x_sample)
            engine = self.prepare_predict(model, x_sample)
            self._shape(dataset, "predict")
            callbacks = loop.make_callbacks(model, callbacks, 0, 1, dataset.steps, history=False)
            return loop.run_predict(model, engine, self.live, dataset, callbacks)
        finally:
            dataset.release()

    def train_on_batch(self, model, x, y, sample_weight, class_weight, return_dict):
        """`Model.train_on_batch`: one gradient step on one batch; that batch's loss (and metrics)."""
        self.require_compiled(model, "train_on_batch")
        batch = prepare_arrays(x, y, sample_weight, class_weight)
        engine = self._prepare_batch(model, batch)
        state = self.live.pull_state(copy=True)
        state = engine.train_batch(state, device_batch(batch))
        self.live.push_state(state)
        return self.format_result(engine.read_metrics(state["metrics"]), return_dict)

    def test_on_batch(self, model, x, y, sample_weight, return_dict):
        """`Model.test_on_batch`: the loss (and metrics) of one batch, in inference mode."""
        self.require_compiled(model, "test_on_batch")
        batch = prepare_arrays(x, y, sample_weight)
        engine = self._prepare_batch(model, batch)
        state = engine.test_batch(self.live.pull_state(), device_batch(batch))
        return self.format_result(engine.read_metrics(state["metrics"]), return_dict)

    def predict_on_batch(self, model, x) -> Any:
        """`Model.predict_on_batch`: the model's outputs on one batch, as NumPy."""
        x = to_arrays(x, "x")
        engine = self.prepare_predict(model, x)
        return jax.device_get(engine.predict_batch(self.live.pull_state(), device_batch(x)))

    def _prepare_batch(self, model, batch: tuple) -> Engine:
        engine = self.prepare(model, batch[0], batch[1])
        model.check_input(batch[0])
        check_targets(batch[1], engine.objectives)
        check_sample_weight(batch[2], engine.objectives)
        return engine

    def format_result(self, logs: dict, return_dict: bool):
        """`logs` as `evaluate` returns them: the dict, or the values in log order (one value alone)."""
        if return_dict:
            return logs
        values = [logs[name] for name in self.engine.metric_names()]
        return values[0] if len(values) == 1 else values

    def sync_live_weights(self) -> None:
        """Mid-fit: gives the model the live weights of the last step (`TrainState.write_back`)."""
        if self.live is not None and self.live.state is not None:
            self.live.write_back()
