"""`Model`: a Layer that can `compile`, `fit`, `evaluate`, `predict`, `summary` and `save`.

The Keras-facing methods check nothing themselves: the training side (compile arguments, the compiled
engine, the train state, the History) is a `training.trainer.Trainer` the model holds, which runs the
calls; the functional graph is a `models.functional.FunctionalGraph`; files are `saving`'s.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

import kerasish.saving.model_file as _model_file
import kerasish.saving.serving as _serving
import kerasish.saving.weights as _weights
from kerasish.layers.base import Layer, accepts_training
from kerasish.layers.call_arguments import bind as bind_call
from kerasish.layers.keras_serialization import to_json
from kerasish.layers.symbolic import any_symbolic, leaves
from kerasish.models.functional import FunctionalGraph, SublayersUnlessSet, symbolic_io_from_config
from kerasish.models.summary import summary_html, summary_text
from kerasish.models.training_api import TrainingAPI
from kerasish.shapes import format_shape, input_shapes, is_shape, map_shapes, standardize_shapes, standardized_rank
from kerasish.training.trainer import CompileConfig, Trainer

#: Attributes kept in the model's `Trainer`, outside the NNX graph: setting them never changes the model's graph
#: definition (and so never recompiles anything).
_TRAINING_ATTRIBUTES = ("history", "stop_training", "stop_evaluating", "stop_predicting")


class Model(TrainingAPI, Layer):
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
        self._graph: FunctionalGraph | None = None
        if inputs is not None or outputs is not None:
            # One input given as a list (`inputs=model.inputs`) takes a single array, as in Keras.
            single = isinstance(inputs, (list, tuple)) and len(inputs) == 1
            graph, layers = FunctionalGraph.trace(inputs[0] if single else inputs, outputs)
            self.input_shape, self.output_shape = graph.shapes()
            graph.tensors = (inputs, outputs)  # for `model.inputs` / `model.outputs`, as given
            self.layers = nnx.List(layers)
            self._graph = graph
            self.built = True
        self._training = Trainer()  # one static value for NNX: compile / fit never change the graph definition

    optimizer = property(lambda self: None if self._training.config is None else self._training.config.optimizer,
                         doc="The optimizer given to `compile` (a `kerasish.optimizers.Optimizer`).")
    loss = property(lambda self: None if self._training.config is None else self._training.config.loss)
    history = property(lambda self: self._training.history, doc="The `History` of the last `fit`.")
    stop_training = property(lambda self: self._training.stop_training,
                             doc="Set it to True from a callback to end `fit` after the current batch.")
    stop_evaluating = property(lambda self: self._training.stop_evaluating,
                               doc="Set it to True from a callback to end `evaluate` after the current batch.")
    stop_predicting = property(lambda self: self._training.stop_predicting,
                               doc="Set it to True from a callback to end `predict` after the current batch.")

    def __setattr__(self, name: str, value: Any) -> None:
        # Training attributes go straight into the training container: through NNX's __setattr__ they would change
        # the graph definition (and recompile everything). `layers`, once set, is Keras's reserved attribute.
        if name == "layers" and "layers" in vars(self):
            raise AttributeError(f"`{type(self).__name__}.layers` attribute is reserved and should not be used. "
                                 f"Use `add()` and `pop()` to change the layers in this model.")
        if name in _TRAINING_ATTRIBUTES:
            setattr(self._training, name, value if name == "history" else bool(value))
            return
        super().__setattr__(name, value)

    @property
    def graph(self) -> FunctionalGraph | None:
        """The functional graph of a model made as `ks.Model(inputs, outputs)`, else None."""
        return self._graph

    # -- compile --------------------------------------------------------------------------------

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None, metrics: Any = None,
                weighted_metrics: Any = None, run_eagerly: bool = False, steps_per_execution: int | str = "auto",
                jit_compile: bool | str = "auto", auto_scale_loss: bool = True, *, unroll: bool = False) -> None:
        """Chooses the optimizer, the loss and the metrics of `fit` and `evaluate` (Keras's arguments, in its order).

        Args:
          optimizer: a name (`"sgd"`, `"adam"`, `"adamw"`, `"rmsprop"`, `"adagrad"`), a
            `kerasish.optimizers` object, or any `optax.GradientTransformation`.
          loss: a name (`"mse"`, `"sparse_categorical_crossentropy"`, ...), a `kerasish.losses`
            object, or a callable `(y_true, y_pred) -> loss`. For several outputs: one loss for all,
            or a list (by position) / dict (by output name) of losses. None when `train_step` or
            `compute_loss` computes its own.
          loss_weights: for several outputs, a list / dict of the weights of their losses in the total.
          metrics: a list of names (`"accuracy"`, `"mae"`, ...) or `kerasish.metrics` objects,
            computed without sample weights. `"accuracy"` becomes binary, categorical or sparse
            categorical accuracy from the shapes of the data, as in Keras. For several outputs: a
            list of lists or a dict of lists, per output.
          weighted_metrics: metrics computed with the sample weights.
          run_eagerly: run every step op by op, without `jax.jit`, so that print, breakpoints and NumPy
            conversion work inside `call` and `train_step`: for debugging (much slower; `summary()` and the
            progress bar say so).
          steps_per_execution: how many train steps run in one compiled dispatch; "auto" (the
            default) fuses up to 64 steps, except for convolutional models on CPU (one step).
          jit_compile: True or "auto" (the default) compile the steps with XLA; False runs them eagerly, as
            `run_eagerly=True`.
          auto_scale_loss: under a mixed_float16 policy, scale the loss so that small gradients do not underflow.
          unroll: unroll the loop of `steps_per_execution` steps (faster for convolutions on CPU).

        Raises:
          ValueError: for an unknown name (the message lists the accepted ones).
          TypeError: for an object of the wrong type.
        """
        self._training.compile(CompileConfig(optimizer, loss, metrics, loss_weights, weighted_metrics,
                                             steps_per_execution, unroll, run_eagerly, jit_compile, auto_scale_loss))

    @property
    def run_eagerly(self) -> bool:
        """Whether the steps run op by op, without `jax.jit` (`compile(run_eagerly=True)` or `jit_compile=False`).
        Settable, as in Keras: the next call runs in the new mode."""
        return not self._training.compiles_steps

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._training.set_execution(run_eagerly=value)

    @property
    def jit_compile(self) -> bool:
        """Whether the steps are compiled with XLA (`compile(jit_compile=...)`). Settable, as in Keras."""
        return self._training.compiles_steps

    @jit_compile.setter
    def jit_compile(self, value: bool) -> None:
        self._training.set_execution(jit_compile=value)

    compiled = property(lambda self: self._training.config is not None, doc="Whether `compile` was called.")

    def get_compile_config(self) -> dict[str, Any] | None:
        """The compile arguments as JSON-able data (None before `compile`, or when the optimizer or loss is code:
        an optax transformation, a schedule, a custom loss function). `compile_from_config` takes it back."""
        return None if self._training.config is None else self._training.config.get_config()

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compiles the model as `get_compile_config()` described (a ValueError for a class kerasish lacks)."""
        self._training.compile(CompileConfig.from_config(config))

    def get_optimizer_state(self) -> list[np.ndarray] | None:
        """The optimizer state's arrays (live during `fit`; a loaded file's before the first call), or None."""
        return self._training.optimizer_state()

    def set_optimizer_state(self, arrays: list) -> None:
        """Gives the optimizer saved state arrays (`get_optimizer_state()`'s), for the next call's optimizer.

        Raises:
          ValueError: naming the entry, for an array whose shape or dtype differs from this optimizer's state, a
            count that differs, or a NaN / infinite value (it would reach the weights at the first step).
        """
        self._training.set_pending_opt_state(self, list(arrays))

    def compiled_programs(self) -> int:
        """The number of XLA programs compiled so far for this model's steps (0 before any run)."""
        return 0 if self._training.engine is None else self._training.engine.compiled_count()

    def jax_state_sync(self) -> None:
        """Mid-fit, gives the model the weights of the last step (Keras's name): a callback's `self.model` calls it,
        so what a callback reads is current and what it sets is what the next step trains."""
        self._training.sync_live_weights()

    def resume_from_epoch(self, epoch: int) -> None:
        """Called from `on_train_begin`: the running `fit` starts at `epoch`."""
        self._training.resume_epoch = int(epoch)

    # -- building from data ---------------------------------------------------------------------

    def output_names(self, y_pred: Any = None) -> list[str]:
        """The names of the outputs: the functional graph's output layers, else `output_<i>`."""
        if self._graph is not None:
            return list(self._graph.output_names)
        if isinstance(y_pred, dict):
            return list(y_pred)
        if isinstance(y_pred, (list, tuple)):
            return [f"output_{i}" for i in range(len(y_pred))]
        return [self.name]

    def output_spec(self, x_sample: Any):
        """The shape and dtype of the model's output for inputs like `x_sample` (traced, not run)."""
        spec = jax.tree.map(lambda a: jax.ShapeDtypeStruct((2,) + tuple(a.shape[1:]), a.dtype), x_sample)
        return nnx.eval_shape(lambda m, x: m(x), self, spec)

    def prepare_for_data(self, x_sample: Any) -> None:
        """Builds the model for inputs like `x_sample` if it is not built, and checks their count and shape.

        Raises:
          ValueError: naming `x`, for inputs the model cannot take.
        """
        if not self.built:
            if type(self).build_for is not Model.build_for:  # Sequential: shape propagation
                self.build_for(input_shapes(x_sample))
            elif self._graph is None and type(self).call is Model.call:
                self.built = True  # no forward pass: a model training its sublayers with its own train_step (a GAN)
                return
            else:
                self._build_eagerly(jax.tree.map(lambda a: jnp.asarray(a[:2]), x_sample))
        self.check_input(x_sample)

    def check_input_count(self, x: Any, argument: str = "x") -> None:
        """A model with one input must get one array, not a tuple / list / dict of several.

        Raises:
          ValueError: naming `argument`.
        """
        expected = getattr(self, "input_shape", None)  # a Sequential has none before it knows its input
        if expected is None or not is_shape(expected) or hasattr(x, "shape"):
            return
        raise ValueError(f"Argument `{argument}` must be one array for model '{self.name}', which takes one input of "
                         f"shape {format_shape(expected)}; received a {type(x).__name__} of "
                         f"{len(jax.tree.leaves(x))} arrays.")

    def check_input(self, x: Any, argument: str = "x") -> None:
        """Checks the number and shapes of the inputs `x` (arrays) against the built model.

        Raises:
          ValueError: naming `argument`, the shape received and the shape expected.
        """
        self.check_input_count(x, argument)
        expected = getattr(self, "input_shape", None)  # a Sequential has none before it knows its input
        if expected is None:
            return
        if not is_shape(expected):  # several inputs
            count = len(jax.tree.leaves(expected, is_leaf=is_shape))
            if hasattr(x, "shape"):
                raise ValueError(f"Argument `{argument}` must hold {count} arrays (a list, tuple or dict) for model "
                                 f"'{self.name}', which takes {count} inputs; received one array of shape "
                                 f"{format_shape(x.shape)}.")
            return  # each input is checked by its InputLayer
        if not hasattr(x, "shape"):
            return
        got = standardized_rank(x.shape, expected) or tuple(x.shape)  # Keras's rank standardisation of inputs
        if len(got) != len(expected) or any(e is not None and e != g for e, g in zip(expected[1:], got[1:])):
            raise ValueError(f"Argument `{argument}` has shape {format_shape(got)}, but model '{self.name}' "
                             f"expects inputs of shape {format_shape(expected)}.")

    # -- the forward pass -------------------------------------------------------------------------

    def call(self, x, training: bool | None = None, mask: Any = None):
        """The forward pass: runs the functional graph; a subclassed model overrides it.

        `mask` holds the inputs' masks (one per input, None for none), as in Keras.
        """
        if self._graph is None:
            raise NotImplementedError(f"Model '{self.name}' has no graph: subclass Model and define "
                                      f"`call(self, x, training=False)`, or use ks.Model(inputs, outputs).")
        return self._graph.run(self.name, list(self.layers), x, training, mask)[0]

    def __call__(self, *args: Any, **kwargs: Any):
        if not self.built and type(self).build_for is Model.build_for:
            x = bind_call(self, args, kwargs).inputs
            if not any_symbolic(x) and not any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(x)):
                # the first call builds the model (sublayers build lazily in it): one forward pass, as in Keras,
                # so random streams advance once
                return self._build_eagerly(x, call=lambda: super(Model, self).__call__(*args, **kwargs))
        return super().__call__(*args, **kwargs)

    def call_with_mask(self, x, training: bool = False, mask: Any = None, **kwargs: Any) -> tuple[Any, Any]:
        """A functional model nested in another runs its graph with the mask and hands on its outputs' masks."""
        if self._graph is None or kwargs or any_symbolic(x):
            return super().call_with_mask(x, training=training, mask=mask, **kwargs)
        return self._graph.run(self.name, list(self.layers), x, training, mask)  # checks the inputs' shapes

    def build_for(self, input_shape: Any) -> Any:
        """A subclassed model builds by running `call` once on zeros of `input_shape` (its layers build lazily)."""
        if not self.built:
            zeros = map_shapes(lambda s: jnp.zeros((2,) + tuple(s[1:]), self._input_dtype()),
                               standardize_shapes(input_shape))
            self._build_eagerly(zeros)
        return self.output_shape

    def _build_eagerly(self, x: Any, call: Any = None) -> Any:
        """Builds by running the forward pass on `x`: `call` (the first real call's), else a pass in inference mode
        after which the random streams that existed are put back (building draws nothing, as Keras's symbolic
        build)."""
        shapes = standardize_shapes(input_shapes(x))
        self.build(shapes)
        self.input_shape = shapes
        self.built = True
        if call is not None:
            out = call()
        else:
            streams = nnx.state(self, nnx.RngState)
            out = self.call(x, training=False) if accepts_training(self.call) else self.call(x)
            nnx.update(self, streams)
        self.output_shape = jax.tree.map(lambda o: (None,) + tuple(o.shape[1:]), out)
        return out

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
        return self._training.fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split,
                                  validation_data, shuffle, class_weight, sample_weight, initial_epoch,
                                  steps_per_epoch, validation_steps, validation_batch_size, validation_freq)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: list | None = None,
                 return_dict: bool = False):
        """The loss and metrics of the model on `(x, y)`, in inference mode.

        Returns:
          The loss alone when no metric was compiled, else `[loss, metric_1, ...]` in the order of
          `compile`, or a dict `{"loss": ..., name: ...}` with `return_dict=True`.
        """
        return self._training.evaluate(self, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict)

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
        return self._training.predict(self, x, batch_size, verbose, steps, callbacks)

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: dict | None = None,
                       return_dict: bool = False):
        """One gradient step on one batch; returns that batch's loss (and metrics), like `evaluate`."""
        return self._training.train_on_batch(self, x, y, sample_weight, class_weight, return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False):
        """The loss (and metrics) of one batch, in inference mode."""
        return self._training.test_on_batch(self, x, y, sample_weight, return_dict)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """The model's outputs on one batch, as NumPy."""
        return self._training.predict_on_batch(self, x)

    # -- introspection ------------------------------------------------------------------------------

    layers = SublayersUnlessSet()

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
            raise AttributeError(f"Model '{self.name}' is a subclassed model: it has no symbolic `{attribute}`.")
        return self._graph.tensors

    @property
    def inputs(self) -> list:
        """The input tensors of a functional model, as a flat list."""
        return leaves(self._graph_tensors("inputs")[0])

    @property
    def outputs(self) -> list:
        """The output tensors of a functional model, as a flat list."""
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
        (print_fn or print)(summary_text(self, line_length))

    def _repr_html_(self) -> str:
        """The summary as an HTML table: what Jupyter shows for a cell ending in `model`."""
        return summary_html(self)

    # -- saving -------------------------------------------------------------------------------------

    def save(self, filepath: str, include_optimizer: bool = True) -> None:
        """Saves architecture, weights and (with `include_optimizer`) the compile arguments and optimizer state to one
        `.kerasish` file (Keras 3's `.keras` by suffix), atomically; `ks.models.load_model(filepath)` rebuilds it.

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
        _model_file.save_model(self, filepath, include_optimizer)

    def save_weights(self, filepath: str) -> None:
        """Writes the weights to a `.weights.safetensors` file (or Keras's `.weights.h5`), atomically."""
        _weights.save_weights(self, filepath)

    def load_weights(self, filepath: str) -> None:
        """Loads weights written by `save_weights` (or Keras's `.weights.h5`); a mismatch names the weight."""
        _weights.load_weights(self, filepath)

    def export(self, filepath: str, format: str = "jax", input_signature: Any = None) -> dict[str, Any]:
        """`kerasish.export.export_model(self, filepath)`: a `jax.export` artifact for serving (format "jax" only)."""
        return _serving.export_model(self, filepath, input_signature) if format == "jax" else _serving.refuse(format)

    def to_json(self, **kwargs: Any) -> str:
        """Keras's JSON of the architecture (`ks.models.model_from_json` reads it; `kwargs` go to `json.dumps`)."""
        return to_json(self, **kwargs)

    def get_config(self) -> dict[str, Any]:
        if self._graph is not None:
            return self._graph.config(self.name, self.trainable, list(self.layers))
        return super().get_config()

    def get_build_config(self) -> dict[str, Any] | None:
        return None if self._graph is not None else super().get_build_config()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Model:
        if "steps" in config and "layers" in config:
            inputs, outputs = symbolic_io_from_config(config)
            return cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))
        return cls(**config)
