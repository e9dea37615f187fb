"""`Model`: a Layer that can `compile`, `fit`, `evaluate`, `predict` and `summary`.

The methods check their arguments and delegate: the compiled steps live in `training.engine`, the
loops in `training.loop`, the table in `models.summary`.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from kerasish import distribution as _distribution
from kerasish import losses as _losses
from kerasish import metrics as _metrics
from kerasish import optimizers as _optimizers
from kerasish.layers.base import Layer, _accepts_training
from kerasish.layers.symbolic import any_symbolic
from kerasish.shapes import format_shape, input_shapes, is_shape, map_shapes, standardize_shapes
from kerasish.training import loop as _loop
from kerasish.training.engine import Engine, split_model
from kerasish.training.objectives import Objectives, flatten_outputs


class _CompileConfig:
    """What `compile` was given; losses and metrics are resolved per output once the data's shapes are known."""

    def __init__(self, optimizer, loss, loss_weights, metrics, weighted_metrics, steps_per_execution, unroll):
        self.optimizer = optimizer
        self.loss = loss
        self.loss_weights = loss_weights
        self.metrics = metrics
        self.weighted_metrics = weighted_metrics
        self.steps_per_execution = steps_per_execution
        self.unroll = unroll
        # The distribution in effect at compile time (set_distribution or a `with ...scope():`) is the model's.
        self.distribution = _distribution.distribution()


class _TrainingSide:
    """What a model holds for training, outside the NNX graph (compared by identity, never traversed)."""

    def __init__(self) -> None:
        self.optimizer = None
        self.loss = None
        self.history = None
        self.stop_training = False
        self.compile_config: _CompileConfig | None = None
        self.engine: Engine | None = None
        self.resume_epoch: int | None = None
        self.pending_opt_state: list | None = None  # optimizer arrays from load_model, for the next engine


def _check_metric_specs(value: Any, argument: str, loss: Any) -> None:
    """Unknown metric names fail at compile, not at the first fit (any nesting: per output lists/dicts)."""
    if value is None:
        return
    if isinstance(value, dict):
        for entry in value.values():
            _check_metric_specs(entry, argument, loss)
        return
    if isinstance(value, (list, tuple)):
        for entry in value:
            _check_metric_specs(entry, argument, loss)
        return
    if isinstance(value, str):
        _metrics.resolve(value, y_true_shape=(None, 1), y_pred_shape=(None, 1), loss=loss)
    elif not (isinstance(value, _metrics.Metric) or callable(value)):
        raise TypeError(f"Argument `{argument}` must hold metric names or objects, received {value!r}.")


def _check_loss_specs(value: Any) -> None:
    if isinstance(value, dict):
        for entry in value.values():
            _check_loss_specs(entry)
    elif isinstance(value, (list, tuple)):
        for entry in value:
            _check_loss_specs(entry)
    elif value is not None:
        _losses.resolve(value)


class Model(Layer):
    """A layer with a training loop. Subclass it (layers in `__init__`, forward pass in `call`) or use
    `Sequential`.

    Attributes:
      optimizer: the `kerasish.optimizers.Optimizer` given to `compile` (an optax transformation).
      loss: the loss given to `compile`.
      history: the `History` of the last `fit`.
      stop_training: set it to True from a callback to end `fit` after the current batch.
    """

    def __init__(self, inputs: Any = None, outputs: Any = None, *, name: str | None = None, trainable: bool = True,
                 dtype: Any = None) -> None:
        super().__init__(name=name, trainable=trainable, dtype=dtype)
        self._graph = None
        if inputs is not None or outputs is not None:
            from kerasish.models.functional import init_functional
            # One input given as a list (`inputs=model.inputs`) takes a single array, as in Keras.
            single = isinstance(inputs, (list, tuple)) and len(inputs) == 1
            init_functional(self, inputs[0] if single else inputs, outputs)
            self._graph.tensors = (inputs, outputs)  # for `model.inputs` / `model.outputs`
        # Training-side objects live in one container that NNX sees as a single static value, so that
        # compiling, fitting or replacing the History never changes the model's graph definition.
        self._training = _TrainingSide()

    optimizer = property(lambda self: self._training.optimizer)
    loss = property(lambda self: self._training.loss)
    history = property(lambda self: self._training.history)
    stop_training = property(lambda self: self._training.stop_training)
    _compile_config = property(lambda self: self._training.compile_config)
    _engine = property(lambda self: self._training.engine)

    _TRAINING_ATTRIBUTES = {"history": "history", "stop_training": "stop_training", "_engine": "engine"}

    def __setattr__(self, name: str, value: Any) -> None:
        # Written straight into the training container: going through NNX's __setattr__ would record the
        # name as a graph attribute and change the graph definition (and so recompile everything).
        if name in Model._TRAINING_ATTRIBUTES:
            setattr(self._training, Model._TRAINING_ATTRIBUTES[name], bool(value) if name == "stop_training"
                    else value)
            return
        super().__setattr__(name, value)

    # -- compile --------------------------------------------------------------------------------

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None, loss_weights: Any = None,
                weighted_metrics: Any = None, steps_per_execution: int | str = "auto", unroll: bool = False) -> None:
        """Chooses the optimizer, the loss and the metrics of `fit` and `evaluate`.

        Args:
          optimizer: a name (`"sgd"`, `"adam"`, `"adamw"`, `"rmsprop"`, `"adagrad"`), a
            `kerasish.optimizers` object, or any `optax.GradientTransformation`.
          loss: a name (`"mse"`, `"sparse_categorical_crossentropy"`, ...), a `kerasish.losses`
            object, or a callable `(y_true, y_pred) -> loss`. For several outputs: one loss for all,
            or a list (by position) / dict (by output name) of losses.
          metrics: a list of names (`"accuracy"`, `"mae"`, ...) or `kerasish.metrics` objects,
            computed without sample weights. `"accuracy"` becomes binary, categorical or sparse
            categorical accuracy from the shapes of the data, as in Keras. For several outputs: a
            list of lists or a dict of lists, per output.
          loss_weights: for several outputs, a list / dict of the weights of their losses in the total.
          weighted_metrics: metrics computed with the sample weights.
          steps_per_execution: how many train steps run in one compiled dispatch; "auto" (the
            default) fuses up to 64 steps, except for convolutional models on CPU (one step).
          unroll: unroll the loop of `steps_per_execution` steps (faster for convolutions on CPU).

        Raises:
          ValueError: for an unknown name (the message lists the accepted ones).
          TypeError: for an object of the wrong type.
        """
        if steps_per_execution != "auto" and (isinstance(steps_per_execution, bool) or not isinstance(
                steps_per_execution, int) or steps_per_execution < 1):
            raise ValueError(f"Argument `steps_per_execution` must be 'auto' or an int >= 1, received "
                             f"{steps_per_execution!r}.")
        optimizer = _optimizers.get(optimizer)
        _check_loss_specs(loss)
        if isinstance(loss, (str, _losses.Loss)) or (callable(loss) and not isinstance(loss, type)):
            loss = _losses.resolve(loss)
        if isinstance(metrics, (str, _metrics.Metric)):
            metrics = [metrics]
        _check_metric_specs(metrics, "metrics", loss)
        _check_metric_specs(weighted_metrics, "weighted_metrics", loss)
        self._training.optimizer, self._training.loss = optimizer, loss
        self._training.compile_config = _CompileConfig(optimizer, loss, loss_weights, metrics, weighted_metrics,
                                                       steps_per_execution, bool(unroll))
        self._training.engine = None

    @property
    def compiled(self) -> bool:
        return self._compile_config is not None

    def _require_compiled(self, method: str, needs_loss: bool = True) -> None:
        if self._compile_config is None:
            raise ValueError(f"You must call `compile()` before `{method}()` on model '{self.name}'.")
        if needs_loss and self._compile_config.loss is None:
            raise ValueError(f"Model '{self.name}' was compiled without a loss; `{method}()` needs one: "
                             f"compile(optimizer=..., loss=...).")

    def _prepare_engine(self, x_sample: Any, y_sample: Any) -> Engine:
        """Builds the model for the data's shapes, (re)makes the engine when needed and checks the targets
        against the losses on the host (`training.data.check_targets`)."""
        self._build_for_data(x_sample)
        self._check_data_shape(x_sample)
        _loop._data.check_input_count(x_sample, self.input_shape, self.name)
        if self._engine is not None and self._engine.matches(self):
            _loop._data.check_targets(y_sample, self._engine.objectives)
            return self._engine
        config = self._compile_config
        y_pred = self.output_spec(x_sample)
        names = self.output_names(y_pred)
        shape_of = lambda a: None if a is None else (None,) + tuple(np.shape(a)[1:])
        y_shapes = ([None] * len(names) if y_sample is None
                    else [shape_of(a) for a in flatten_outputs(y_sample, names)])
        y_pred_shapes = [shape_of(a) for a in flatten_outputs(y_pred, names)]
        objectives = Objectives(config.loss, config.loss_weights, config.metrics, config.weighted_metrics, names,
                                y_shapes, y_pred_shapes)
        _loop._data.check_targets(y_sample, objectives)  # on the host, before anything compiles
        self._engine = Engine(self, config.optimizer, objectives, config.steps_per_execution, config.unroll,
                              distribution=config.distribution or _distribution.distribution())
        if self._training.pending_opt_state is not None:
            self._engine.restore_opt_state(self._training.pending_opt_state)
            self._training.pending_opt_state = None
        return self._engine

    def output_names(self, y_pred: Any = None) -> list[str]:
        """The names of the outputs: the functional graph's output layers, else `output_<i>`."""
        if self._graph is not None:
            return list(self._graph.output_names)
        if isinstance(y_pred, dict):
            return list(y_pred)
        if isinstance(y_pred, (list, tuple)):
            return [f"output_{i}" for i in range(len(y_pred))]
        return [self.name]

    def _build_for_data(self, x_sample: Any) -> None:
        if self.built:
            return
        if type(self).build_for is not Model.build_for:  # Sequential: shape propagation
            self.build_for(input_shapes(x_sample))
        else:
            self._build_eagerly(jax.tree.map(lambda a: jnp.asarray(a[:2]), x_sample))

    # -- subclassed models: built by one eager call --------------------------------------------------

    def call(self, x, training: bool = False, mask: Any = None):
        """The forward pass: runs the functional graph; a subclassed model overrides it.

        `mask` holds the inputs' masks (one per input, None for none), as in Keras.
        """
        if self._graph is None:
            raise NotImplementedError(f"Model '{self.name}' has no graph: subclass Model and define "
                                      f"`call(self, x, training=False)`, or use ks.Model(inputs, outputs).")
        from kerasish.models.functional import run_graph
        return run_graph(self, x, training, mask)[0]

    def __call__(self, x, training: bool = False, mask: Any = None, **kwargs: Any):
        if not self.built and type(self).build_for is Model.build_for and not any_symbolic(x) and not any(
                isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(x)):
            self._build_eagerly(x)
        return super().__call__(x, training=training, mask=mask, **kwargs)

    def _call_with_mask(self, x, training: bool = False, mask: Any = None, **kwargs: Any) -> tuple[Any, Any]:
        """A functional model nested in another runs its graph with the mask and hands on its outputs' masks."""
        if self._graph is None or kwargs or any_symbolic(x):
            return super()._call_with_mask(x, training=training, mask=mask, **kwargs)
        from kerasish.models.functional import run_graph
        return run_graph(self, x, training, mask)  # checks the inputs' shapes

    def build_for(self, input_shape: Any) -> Any:
        """A subclassed model builds by running `call` once on zeros of `input_shape` (its layers build lazily)."""
        if not self.built:
            zeros = map_shapes(lambda s: jnp.zeros((2,) + tuple(s[1:]), self._input_dtype()),
                               standardize_shapes(input_shape))
            self._build_eagerly(zeros)
        return self.output_shape

    def _build_eagerly(self, x: Any) -> None:
        shapes = standardize_shapes(input_shapes(x))
        self.build(shapes)
        self.input_shape = shapes
        self.built = True
        out = self.call(x, training=False) if _accepts_training(self.call) else self.call(x)
        self.output_shape = jax.tree.map(lambda o: (None,) + tuple(o.shape[1:]), out)

    def _check_data_shape(self, x_sample: Any, argument: str = "x") -> None:
        expected = self.input_shape
        if expected is None:
            return
        if not is_shape(expected):  # several inputs
            count = len(jax.tree.leaves(expected, is_leaf=is_shape))
            if hasattr(x_sample, "shape"):
                raise ValueError(f"Argument `{argument}` must hold {count} arrays (a list, tuple or dict) for model "
                                 f"'{self.name}', which takes {count} inputs; received one array of shape "
                                 f"{format_shape(x_sample.shape)}.")
            return  # each input is checked by its InputLayer
        if not hasattr(x_sample, "shape"):
            return
        got = tuple(x_sample.shape)
        if len(got) != len(expected) or any(e is not None and e != g for e, g in zip(expected[1:], got[1:])):
            raise ValueError(f"Argument `{argument}` has shape {format_shape(got)}, but model '{self.name}' "
                             f"expects inputs of shape {format_shape(expected)}.")

    def output_spec(self, x_sample: Any):
        """The shape and dtype of the model's output for inputs like `x_sample` (traced, not run)."""
        spec = jax.tree.map(lambda a: jax.ShapeDtypeStruct((2,) + tuple(a.shape[1:]), a.dtype), x_sample)
        return nnx.eval_shape(lambda m, x: m(x), self, spec)

    # -- fit / evaluate / predict -----------------------------------------------------------------

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list | None = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: dict | None = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: Any = 1):
        """Trains the model for `epochs` epochs and returns its `History`.

        Args:
          x: inputs: an array (NumPy, JAX or nested lists), a tuple/dict of arrays for several
            inputs, or an iterable/generator of `(x, y)` or `(x, y, sample_weight)` batches.
          y: targets, same number of samples as `x` (None when `x` yields batches).
          batch_size: samples per step (32 by default; not with iterables).
          epochs: the index of the last epoch; training runs epochs `initial_epoch .. epochs-1`.
          verbose: "auto" (=1), 0 silent, 1 progress bar, 2 one line per epoch.
          callbacks: a list of `kerasish.callbacks.Callback`.
          validation_split: the fraction in [0, 1) of the data, taken from its end before
            shuffling, held out for validation.
          validation_data: `(x_val, y_val)`, `(x_val, y_val, sample_weight_val)` or an iterable.
          shuffle: reshuffle the training samples every epoch.
          class_weight: `{class index: weight}`, multiplied into the sample weights.
          sample_weight: one weight per training sample.
          initial_epoch: the epoch to start from (to resume a run).
          steps_per_epoch: batches per epoch (continuing across epochs); None is one full pass.
          validation_steps: batches per validation run (iterables); None is a full pass.
          validation_batch_size: batch size of validation (defaults to `batch_size`).
          validation_freq: validate every N epochs (an int), or after the listed epochs (1-based).

        Returns:
          A `History`: `.history` maps "loss", each metric, "val_loss", ... to per-epoch values.

        Raises:
          ValueError / TypeError: for an argument out of range or of the wrong type; the message
            names the argument, the value received and what is accepted.
        """
        self._require_compiled("fit")
        verbose = _loop.resolve_verbose(verbose)
        _loop.check_positive_int("epochs", epochs)
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or not 0 <= initial_epoch < epochs:
            raise ValueError(f"Argument `initial_epoch` must be an int in [0, epochs={epochs}), "
                             f"received {initial_epoch!r}.")
        _loop.check_positive_int("steps_per_epoch", steps_per_epoch, allow_none=True)
        _loop.check_positive_int("validation_steps", validation_steps, allow_none=True)
        _loop.check_positive_int("validation_batch_size", validation_batch_size, allow_none=True)
        if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)) \
                or not 0.0 <= validation_split < 1.0:
            raise ValueError(f"Argument `validation_split` must be a float in [0, 1), received {validation_split!r}.")
        if not isinstance(shuffle, bool):
            raise TypeError(f"Argument `shuffle` must be True or False, received {shuffle!r}.")
        _check_validation_freq(validation_freq)
        if x is None:
            raise ValueError("Argument `x` of fit is required, received None.")
        arrays = _loop._data.is_array_data(x)
        batch_size = _default_batch_size(batch_size, arrays)
        if validation_split and validation_data is not None:
            raise ValueError("Pass either `validation_split` or `validation_data` to fit, not both.")
        if arrays and y is None:
            raise ValueError("Argument `y` of fit is required when `x` is an array, received None.")

        if arrays:
            data = _loop._data.prepare_arrays(x, y, sample_weight, class_weight, copy=False)
            x_sample, y_sample = data[0], data[1]  # before the split: the validation part of `y` is checked too
            val = None
            if validation_split:
                data, val = _loop._data.split_validation(data, validation_split)
            train = _loop._Dataset(_loop._data.ArrayBatches(data, batch_size, shuffle, _loop.new_shuffle_seed(),
                                                            steps_per_epoch))
            val_set = None if val is None else _loop._Dataset(
                _loop._data.ArrayBatches(val, validation_batch_size or batch_size))
        else:
            train = _loop.make_dataset(x, y, sample_weight, None, steps=steps_per_epoch, class_weight=class_weight)
            x_sample, y_sample = _peek(train)
            val_set = None
        if validation_data is not None:
            val_set = _validation_dataset(validation_data, validation_batch_size or batch_size, validation_steps)
        self._prepare_engine(x_sample, y_sample)
        if arrays:
            _loop._data.check_sample_weight(data[2], self._engine.objectives)
        if validation_data is not None and isinstance(val_set.source, _loop._data.ArrayBatches):
            val_x, val_y, val_weight = val_set.source.host_arrays
            self._check_data_shape(val_x, "validation_data[0]")
            _loop._data.check_targets(val_y, self._engine.objectives, "validation_data[1]")
            _loop._data.check_sample_weight(val_weight, self._engine.objectives, "validation_data[2]")
        try:
            return _loop.run_fit(self, train, val_set, epochs, verbose, callbacks, initial_epoch, validation_freq)
        finally:
            for dataset in (train, val_set):
                if dataset is not None:
                    dataset.release()

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: list | None = None,
                 return_dict: bool = False):
        """The loss and metrics of the model on `(x, y)`, in inference mode.

        Returns:
          The loss alone when no metric was compiled, else `[loss, metric_1, ...]` in the order of
          `compile`, or a dict `{"loss": ..., name: ...}` with `return_dict=True`.
        """
        self._require_compiled("evaluate")
        verbose = _loop.resolve_verbose(verbose)
        _loop.check_positive_int("steps", steps, allow_none=True)
        if x is None:
            raise ValueError("Argument `x` of evaluate is required, received None.")
        arrays = _loop._data.is_array_data(x)
        if arrays and y is None:
            raise ValueError("Argument `y` of evaluate is required when `x` is an array, received None.")
        dataset = _loop.make_dataset(x, y, sample_weight, _default_batch_size(batch_size, arrays), steps=steps,
                                     streamed=True)
        x_sample, y_sample = (dataset.source.host_arrays[0], dataset.source.host_arrays[1]) if arrays \
            else _peek(dataset)
        self._prepare_engine(x_sample, y_sample)
        if arrays:
            _loop._data.check_sample_weight(dataset.source.host_arrays[2], self._engine.objectives)
        callbacks = _loop.make_callbacks(self, callbacks, 0, 1, dataset.steps, history=False)
        try:
            logs = _loop.run_evaluate(self, dataset, callbacks)
        finally:
            dataset.release()
        if verbose:
            from kerasish.callbacks.progbar import format_logs
            print(format_logs(logs), flush=True)
        if return_dict:
            return logs
        values = [logs[name] for name in self._engine.metric_names()]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto", steps: int | None = None,
                callbacks: list | None = None) -> np.ndarray:
        """The model's outputs on `x` in inference mode, as a NumPy array (batched: `batch_size`, 32).

        Example:
          >>> import numpy as np
          >>> import kerasish as ks
          >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
          >>> model.predict(np.ones((5, 3)), verbose=0).shape
          (5, 2)
        """
        _loop.resolve_verbose(verbose)
        _loop.check_positive_int("steps", steps, allow_none=True)
        if x is None:
            raise ValueError("Argument `x` of predict is required, received None.")
        arrays = _loop._data.is_array_data(x)
        dataset = _loop.make_dataset(x, None, None, _default_batch_size(batch_size, arrays), steps=steps,
                                     streamed=True)
        x_sample = dataset.source.host_arrays[0] if arrays else _peek(dataset)[0]
        _loop._data.check_input_count(x_sample, self.input_shape, self.name)
        self._prepare_predict(x_sample)
        callbacks = _loop.make_callbacks(self, callbacks, 0, 1, dataset.steps, history=False)
        try:
            return _loop.run_predict(self, dataset, callbacks)
        finally:
            dataset.release()

    def _prepare_predict(self, x_sample: Any) -> None:
        if self._compile_config is not None and self._compile_config.loss is not None:
            self._prepare_engine(x_sample, None)
            return
        # predict needs no optimizer or loss: an uncompiled model gets a bare engine.
        self._build_for_data(x_sample)
        self._check_data_shape(x_sample)
        if self._engine is None or not self._engine.matches(self):
            self._engine = Engine(self, _optimizers.get("sgd"), None, distribution=_distribution.distribution())

    # -- one batch at a time ------------------------------------------------------------------------

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: dict | None = None,
                       return_dict: bool = False):
        """One gradient step on one batch; returns that batch's loss (and metrics), like `evaluate`."""
        self._require_compiled("train_on_batch")
        batch = _loop._data.prepare_arrays(x, y, sample_weight, class_weight)
        engine = self._prepare_engine(batch[0], batch[1])
        state = engine.pull_state(copy=True)
        state = engine.train_batch(state, _loop._data.device_batch(batch))
        engine.push_state(state)
        return self._format_result(engine.read_metrics(state["metrics"]), return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False):
        """The loss (and metrics) of one batch, in inference mode."""
        self._require_compiled("test_on_batch")
        batch = _loop._data.prepare_arrays(x, y, sample_weight)
        engine = self._prepare_engine(batch[0], batch[1])
        state = engine.test_batch(engine.pull_state(), _loop._data.device_batch(batch))
        return self._format_result(engine.read_metrics(state["metrics"]), return_dict)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """The model's outputs on one batch, as NumPy."""
        x = _loop._data.to_arrays(x, "x")
        self._prepare_predict(x)
        return jax.device_get(self._engine.predict_batch(self._engine.pull_state(), _loop._data.device_batch(x)))

    def _format_result(self, logs: dict, return_dict: bool):
        if return_dict:
            return logs
        values = [logs[name] for name in self._engine.metric_names()]
        return values[0] if len(values) == 1 else values

    # -- the low-level API ----------------------------------------------------------------------------

    def split(self):
        """`(graphdef, params, rest)`: the model as pure pytrees, for your own `jax.grad` loop.

        `params` holds the trainable weights, `rest` everything else (frozen weights, batch statistics,
        RNG streams). `stateless_call(params, rest, x)` runs the model purely on them, and
        `nnx.update(model, params)` writes trained weights back.

        Example:
          >>> import jax, jax.numpy as jnp
          >>> import kerasish as ks
          >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(1)])
          >>> _, params, rest = model.split()
          >>> loss = lambda p, x, y: jnp.mean((model.stateless_call(p, rest, x)[0] - y) ** 2)
          >>> grads = jax.grad(loss)(params, jnp.ones((4, 3)), jnp.zeros((4, 1)))
          >>> [g.shape for g in jax.tree.leaves(grads)]  # the Dense layer's bias and kernel
          [(1,), (3, 1)]
        """
        if not self.built:
            raise ValueError(f"Model '{self.name}' is not built: build it (e.g. `model.build((None, 64))`, an "
                             f"Input, or one call on data) before split().")
        graphdef, params, rest, _ = split_model(self)
        return graphdef, params, rest

    def stateless_call(self, params: Any, rest: Any, x: Any, training: bool = False, return_losses: bool = False):
        """Runs the model on the weights `params` and state `rest` without touching the model.

        Args:
          return_losses: also return the values the layers gave `add_loss` during the call (activity
            penalties included), a list of arrays to add to your loss; weight penalties are not in it.

        Returns:
          `(y, new_rest)`: the output and the updated non-trainable state (batch statistics and RNG
          streams advance in training mode); `(y, new_rest, losses)` with `return_losses=True`.
        """
        from kerasish.layers import added_losses
        graphdef, _, _, keep = split_model(self)
        model = nnx.merge(graphdef, params, rest, copy=True)
        with added_losses.collect() as added:
            y = model(x, training=training)
        _, _, new_rest = nnx.split(model, keep, ...)
        return (y, new_rest, [value for _, value in added]) if return_losses else (y, new_rest)

    # -- introspection ------------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: Sequential and functional models hold `layers` themselves;
        # a subclassed model's are its direct sublayers, in the order they were assigned (as in Keras).
        if name == "layers":
            return list(self._sublayers())
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer of `model.layers` called `name`, or at position `index`.

        Raises:
          ValueError: with both or neither argument, an unknown name (the message lists the layers' names)
            or an index out of range.

        Example:
          >>> import kerasish as ks
          >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, name="hidden")])
          >>> model.get_layer("hidden").units, model.get_layer(index=0).name
          (2, 'hidden')
        """
        layers = list(self.layers)
        if (name is None) == (index is None):
            raise ValueError(f"get_layer takes either `name` or `index` (one of them), received name={name!r}, "
                             f"index={index!r}.")
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int) or not -len(layers) <= index < len(layers):
                raise ValueError(f"Argument `index` of get_layer must be an int in [{-len(layers)}, {len(layers)}) "
                                 f"(model '{self.name}' has {len(layers)} layers), received {index!r}.")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model '{self.name}' has no layer named {name!r}; its layers are "
                         f"{[layer.name for layer in layers]}.")

    def _graph_tensors(self, attribute: str) -> tuple[Any, Any]:
        if self._graph is None:
            raise ValueError(f"Model '{self.name}' is a subclassed model: it has no symbolic `{attribute}` (only "
                             f"functional models and Sequentials that start with an Input have them).")
        return self._graph.tensors

    @property
    def inputs(self) -> list:
        """The input tensors of a functional model, as a flat list."""
        from kerasish.layers.symbolic import leaves
        return leaves(self._graph_tensors("inputs")[0])

    @property
    def outputs(self) -> list:
        """The output tensors of a functional model, as a flat list."""
        from kerasish.layers.symbolic import leaves
        return leaves(self._graph_tensors("outputs")[1])

    @property
    def input(self) -> Any:
        """The inputs of a functional model as given to `ks.Model` (a tensor, a list or a dict)."""
        return self._graph_tensors("input")[0] if self._graph is not None else super().input

    @property
    def output(self) -> Any:
        """The outputs of a functional model as given to `ks.Model` (a tensor, a list or a dict)."""
        return self._graph_tensors("output")[1] if self._graph is not None else super().output

    def summary(self, line_length: int = 80, print_fn=None) -> None:
        """Prints a table of the layers, their output shapes and parameter counts, with totals."""
        from kerasish.models.summary import summary_text
        (print_fn or print)(summary_text(self, line_length))

    def resume_from_epoch(self, epoch: int) -> None:
        """Called from `on_train_begin` (by BackupAndRestore): the running `fit` starts at `epoch`."""
        self._training.resume_epoch = int(epoch)

    def save(self, filepath: str, include_optimizer: bool = True) -> None:
        """Saves architecture, weights and (with `include_optimizer`) the compile arguments and optimizer
        state to one `.kerasish` file, atomically; `ks.models.load_model(filepath)` rebuilds it.

        Example:
          >>> import pathlib, tempfile
          >>> import numpy as np
          >>> import kerasish as ks
          >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, activation="relu")])
          >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.kerasish"
          >>> model.save(path)
          >>> x = np.ones((1, 3), np.float32)
          >>> bool((ks.models.load_model(path).predict(x, verbose=0) == model.predict(x, verbose=0)).all())
          True
        """
        from kerasish.saving.model_file import save_model
        save_model(self, filepath, include_optimizer)

    def save_weights(self, filepath: str) -> None:
        """Writes the weights to a `.weights.safetensors` file, atomically (see `kerasish.saving`)."""
        from kerasish.saving.weights import save_weights
        save_weights(self, filepath)

    def load_weights(self, filepath: str) -> None:
        """Loads weights written by `save_weights`; a mismatch names the weight and both shapes."""
        from kerasish.saving.weights import load_weights
        load_weights(self, filepath)

    def _repr_html_(self) -> str:
        """The summary as an HTML table: what Jupyter shows for a cell ending in `model`."""
        from kerasish.models.summary import summary_html
        return summary_html(self)

    def get_config(self) -> dict[str, Any]:
        if self._graph is not None:
            from kerasish.models.functional import functional_config
            return functional_config(self)
        return super().get_config()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Model:
        if "steps" in config and "layers" in config:
            from kerasish.models.functional import functional_from_config
            return functional_from_config(cls, config)
        return cls(**config)

    def get_compile_config(self) -> dict[str, Any] | None:
        config = self._compile_config
        if config is None:
            return None
        return {"optimizer": config.optimizer.get_config(), "loss": getattr(config.loss, "get_config", dict)(),
                "metrics": [m if isinstance(m, str) else m.get_config() for m in config.metrics],
                "steps_per_execution": config.steps_per_execution}

    def compiled_programs(self) -> int:
        """The number of XLA programs compiled so far for this model's steps (0 before any run)."""
        return 0 if self._engine is None else self._engine.compiled_count()


def _default_batch_size(batch_size: Any, arrays: bool) -> int | None:
    if batch_size is None:
        return 32 if arrays else None
    if not arrays:
        raise ValueError(f"Argument `batch_size` must be None when the data is an iterable of batches (they "
                         f"are already batched), received {batch_size!r}.")
    _loop.check_positive_int("batch_size", batch_size)
    return int(batch_size)


def _check_validation_freq(validation_freq: Any) -> None:
    if isinstance(validation_freq, int) and not isinstance(validation_freq, bool) and validation_freq >= 1:
        return
    if isinstance(validation_freq, (list, tuple, set)) and all(
            isinstance(e, int) and not isinstance(e, bool) and e >= 1 for e in validation_freq):
        return
    raise ValueError(f"Argument `validation_freq` must be an int >= 1 or a list of epoch numbers (1-based), "
                     f"received {validation_freq!r}.")


def _peek(dataset: _loop._Dataset) -> tuple[Any, Any]:
    """The first batch of an iterable (to build the model); the epoch loop reads it again."""
    source = dataset.source
    iterator = iter(source.iterable)
    try:
        first = next(iterator)
    except StopIteration:
        raise ValueError("The iterable passed as `x` yielded no batch.") from None
    x, y, _ = _loop._data._as_batch_tuple(first, 0)
    if iterator is source.iterable:  # a one-shot iterator: keep the batch we took
        import itertools
        source.iterable = itertools.chain([first], iterator)
    return x, y


def _validation_dataset(validation_data: Any, batch_size: int | None, steps: int | None) -> _loop._Dataset:
    is_tuple = isinstance(validation_data, (tuple, list)) and _loop._data.is_array_data(validation_data)
    if is_tuple and 2 <= len(validation_data) <= 3 and _loop._data.is_array_data(validation_data[0]):
        vx, vy, vsw = (tuple(validation_data) + (None,))[:3]
        if vy is None:
            raise ValueError("Argument `validation_data` must hold targets: (x_val, y_val) or "
                             "(x_val, y_val, sample_weight_val).")
        return _loop.make_dataset(vx, vy, vsw, batch_size or 32, steps=steps,
                                  names=("validation_data[0]", "validation_data[1]", "validation_data[2]"))
    if is_tuple:
        raise ValueError(f"Argument `validation_data` must be (x_val, y_val), (x_val, y_val, sample_weight_val) "
                         f"or an iterable of batches, received a {type(validation_data).__name__} of length "
                         f"{len(validation_data)}.")
    return _loop.make_dataset(validation_data, None, None, None, steps=steps,
                              names=("validation_data", "y", "sample_weight"))

