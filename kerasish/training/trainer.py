"""`Trainer`: what a model holds for training (compile arguments, compiled engine, train state, History), and
the orchestration of `fit`, `evaluate`, `predict` and the `*_on_batch` calls.

`Model`'s methods of the same names check nothing themselves: they hand their arguments here. A call turns
its data into a `Dataset` (`training.data.arguments`), builds the model for it, makes (or reuses) the
`Engine` and its `TrainState`, checks the data against the compiled losses, and runs the loop.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import kerasish.training.loop as loop
from kerasish import distribution as _distribution
from kerasish import losses as _losses
from kerasish import metrics as _metrics
from kerasish import mixed_precision as _mixed_precision
from kerasish import optimizers as _optimizers
from kerasish.callbacks.history import History
from kerasish.callbacks.progbar import format_logs
from kerasish.layers import added_losses as _added_losses
from kerasish.training.custom_step import CompileMetrics, CustomSteps, tracked_metrics
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


def _check_execution(run_eagerly: Any, jit_compile: Any) -> bool:
    """Whether steps are compiled (`jax.jit`), from `compile`'s `run_eagerly` and `jit_compile` (Keras's rules:
    `"auto"` compiles unless `run_eagerly`; `run_eagerly=True` with `jit_compile=True` runs eagerly, with
    Keras's warning).

    Raises:
      TypeError: for a `run_eagerly` that is not a bool, or a `jit_compile` that is not a bool or "auto".
    """
    if not isinstance(run_eagerly, (bool, np.bool_)):
        raise TypeError(f"Argument `run_eagerly` must be True or False, received {run_eagerly!r}.")
    if not (isinstance(jit_compile, (bool, np.bool_)) or jit_compile == "auto"):
        raise TypeError(f"Argument `jit_compile` must be True, False or 'auto', received {jit_compile!r}.")
    if run_eagerly and jit_compile is True:
        warnings.warn("If `run_eagerly` is True, then `jit_compile` cannot also be True. Disabling `jit_compile`.",
                      stacklevel=4)
    return not run_eagerly and bool(jit_compile)


class CompileConfig:
    """What `compile` was given, checked; losses and metrics are resolved per output once the data's shapes are
    known. The distribution in effect at compile time (set_distribution or a `with ...scope():`) is the model's.

    `jit` says whether the steps are compiled (`jax.jit`, K steps per dispatch) or run op by op
    (`run_eagerly=True` or `jit_compile=False`: Keras's debugging mode).
    """

    def __init__(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None, loss_weights: Any = None,
                 weighted_metrics: Any = None, steps_per_execution: int | str = "auto", unroll: bool = False,
                 run_eagerly: bool = False, jit_compile: bool | str = "auto", auto_scale_loss: bool = True) -> None:
        if steps_per_execution != "auto" and (isinstance(steps_per_execution, bool) or not isinstance(
                steps_per_execution, int) or steps_per_execution < 1):
            raise ValueError(f"Argument `steps_per_execution` must be 'auto' or an int >= 1, received "
                             f"{steps_per_execution!r}.")
        self.jit = _check_execution(run_eagerly, jit_compile)
        self.run_eagerly, self.jit_compile = bool(run_eagerly), self.jit
        if not isinstance(auto_scale_loss, (bool, np.bool_)):
            raise TypeError(f"Argument `auto_scale_loss` must be True or False, received {auto_scale_loss!r}.")
        self.auto_scale_loss = bool(auto_scale_loss)
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
                "weighted_metrics": self.weighted_metrics, "run_eagerly": self.run_eagerly,
                "steps_per_execution": self.steps_per_execution, "jit_compile": self.jit_compile}

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
                   config.get("steps_per_execution", "auto"), run_eagerly=bool(config.get("run_eagerly", False)),
                   jit_compile=config.get("jit_compile", "auto"))


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
        self.execution = (False, True)  # (run_eagerly, jit_compile) set on the model before `compile`
        self.loss_tracker: _metrics.Metric | None = None  # Keras's `Mean(name="loss")` of the default steps
        self.compile_metrics: CompileMetrics | None = None  # the compiled metrics as one metric (Keras's)

    def optimizer_state(self) -> list[np.ndarray] | None:
        """`Model.get_optimizer_state`: the live optimizer arrays, else the ones waiting for the next engine."""
        if self.live is not None and self.engine.trains:
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
        self.loss_tracker, self.compile_metrics = _metrics.Mean(name="loss"), None

    def compiled_loss(self, model, y: Any, y_pred: Any, sample_weight: Any, penalty: Any) -> Any:
        """Keras's default `compute_loss`: the compiled loss of `(y, y_pred)` (in float32; none without targets or
        before the data's shapes resolved it), plus the `add_loss` values of the forward pass and `penalty` (the
        weight penalties); zero when there is nothing."""
        total = jnp.zeros((), jnp.float32)
        objectives = self.engine.objectives if self.engine is not None and self.engine.trains else None
        if objectives is not None and y is not None:
            total = total + objectives.total_loss(y, _mixed_precision.cast_floats(y_pred, jnp.float32),
                                                  sample_weight)[0]
        added = _added_losses.losses_of(model)
        return total + _added_losses.total([(model, value) for value in added]) + penalty

    def keras_metrics(self, model) -> list:
        """Keras's `model.metrics`: the loss tracker and the compiled metrics (once compiled; the compiled metrics once
        the data's shapes resolved them), then the metrics the model holds as attributes."""
        out = [] if self.config is None else [self.loss_tracker]
        if self.compile_metrics is not None:
            out.append(self.compile_metrics)
        return out + tracked_metrics(model)

    def set_execution(self, run_eagerly: Any = None, jit_compile: Any = None) -> None:
        """`model.run_eagerly = ...` / `model.jit_compile = ...`: the next call's steps run in that mode (compiled
        steps are made again; the optimizer state is kept). Before `compile` it sets the mode of `predict`, and
        `compile`'s own arguments replace it, as in Keras.

        Raises:
          TypeError: for a value that is not a bool.
          RuntimeError: while `fit` runs.
        """
        current = self.execution if self.config is None else (self.config.run_eagerly, self.config.jit_compile)
        eager = current[0] if run_eagerly is None else run_eagerly
        jit = current[1] if jit_compile is None else jit_compile
        if not isinstance(eager, (bool, np.bool_)) or not isinstance(jit, (bool, np.bool_)):
            raise TypeError(f"`run_eagerly` and `jit_compile` take True or False, received "
                            f"{run_eagerly if run_eagerly is not None else jit_compile!r}.")
        compiled = _check_execution(bool(eager), False if eager else bool(jit))
        if self.config is None:
            self.execution = (bool(eager), bool(jit))
        else:
            self.config.run_eagerly, self.config.jit_compile, self.config.jit = bool(eager), bool(jit), compiled
        if self.engine is not None and self.engine.jit_compile != compiled:
            if self.live is not None and self.live.state is not None:
                raise RuntimeError("`run_eagerly` / `jit_compile` cannot change while fit() runs.")
            opt_state = None if self.live is None or not self.engine.trains else self.live.opt_state_leaves()
            self.engine, self.live = None, None
            self.pending_opt_state = opt_state if self.pending_opt_state is None else self.pending_opt_state

    @property
    def compiles_steps(self) -> bool:
        """Whether the steps are compiled with `jax.jit` (False: `run_eagerly=True` or `jit_compile=False`)."""
        if self.config is None:
            return not self.execution[0] and self.execution[1]
        return self.config.jit

    def require_compiled(self, model, method: str) -> None:
        """Raises a ValueError naming `method` when the model is not compiled. A loss is not required: without one
        a model minimises its `add_loss` values (the engine says "No loss to compute" when there are none) or
        computes its own (an overridden `train_step` / `test_step` / `compute_loss`)."""
        if self.config is None:
            raise ValueError(f"You must call `compile()` before `{method}()` on model '{model.name}'.")

    # -- the engine -------------------------------------------------------------------------------

    def prepare(self, model, x_sample: Any, y_sample: Any) -> Engine:
        """Builds `model` for the data's shapes and (re)makes the engine when its structure changed."""
        model.prepare_for_data(x_sample)
        if self.engine is not None and self.engine.trains and self.engine.matches(model):
            return self.engine
        config = self.config
        objectives = None
        # Without a loss, a model with its own steps (train_step, compute_loss, ...) computes its own; one with the
        # default steps minimises what its layers add (`add_loss`, weight penalties), as Keras 3 does.
        if config.loss is not None or not (model.custom_step_kinds() & {"train", "test"}):
            y_pred = model.output_spec(x_sample)
            names = model.output_names(y_pred)
            shape_of = lambda a: None if a is None else (None,) + tuple(np.shape(a)[1:])
            y_shapes = ([None] * len(names) if y_sample is None
                        else [shape_of(a) for a in flatten_outputs(y_sample, names)])
            y_pred_shapes = [shape_of(a) for a in flatten_outputs(y_pred, names)]
            objectives = Objectives(config.loss, config.loss_weights, config.metrics, config.weighted_metrics, names,
                                    y_shapes, y_pred_shapes)
        has_metrics = objectives is not None and objectives.metrics + objectives.weighted_metrics
        self.compile_metrics = CompileMetrics(objectives) if has_metrics else None
        self._make_engine(model, config.optimizer, objectives, config.steps_per_execution, config.unroll,
                          config.distribution or _distribution.distribution(), trains=True)
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
                     distribution=None, trains: bool = False) -> None:
        placement = Placement.for_distribution(distribution)
        jit, auto_scale = self.compiles_steps, True if self.config is None else self.config.auto_scale_loss
        kinds = model.custom_step_kinds() if trains else model.custom_step_kinds() & {"predict"}
        custom = CustomSteps(model, optimizer, kinds, placement) if kinds else None
        self.engine = Engine(model, optimizer, objectives, steps_per_execution, unroll, placement, jit, auto_scale,
                             custom)
        self.engine.trains, self.engine.loss_tracker = trains, self.loss_tracker
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
                                  targets_required=("train" not in model.custom_step_kinds()
                                                    and self.config.loss is not None))
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
        if is_array_data(x) and y is None and "test" not in model.custom_step_kinds() and self.config.loss is not None:
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
        return self.format_result(engine.read_metrics(state["metrics"]), return_dict, "train")

    def test_on_batch(self, model, x, y, sample_weight, return_dict):
        """`Model.test_on_batch`: the loss (and metrics) of one batch, in inference mode."""
        self.require_compiled(model, "test_on_batch")
        batch = prepare_arrays(x, y, sample_weight)
        engine = self._prepare_batch(model, batch)
        state = {**self.live.pull_state(), "metrics": engine.init_metrics("test")}
        state = engine.test_batch(state, device_batch(batch))
        return self.format_result(engine.read_metrics(state["metrics"], kind="test"), return_dict, "test")

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

    def format_result(self, logs: dict, return_dict: bool, kind: str = "test"):
        """`logs` as `evaluate` returns them: the dict, or the values in log order (one value alone); for a model's
        own steps, Keras's order: its metrics' names first, then the other logs by name."""
        if return_dict:
            return logs
        if kind in self.engine.custom_kinds:
            names = []
            for metric in self.engine.custom.metrics:
                names += [m.name for m in metric.entries] if isinstance(metric, CompileMetrics) else [metric.name]
            values = [logs[n] for n in names if n in logs] + [logs[k] for k in sorted(logs) if k not in names]
        else:
            values = [logs[name] for name in self.engine.metric_names()]
        return values[0] if len(values) == 1 else values

    def sync_live_weights(self) -> None:
        """Mid-fit: gives the model the live weights of the last step (`TrainState.write_back`)."""
        if self.live is not None and self.live.state is not None:
            self.live.write_back()
