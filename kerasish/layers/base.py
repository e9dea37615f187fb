"""`Layer`: the Keras layer contract on a `flax.nnx.Module`.

A layer takes its configuration in `__init__` (checked at once), creates its weights in
`build(input_shape)` the first time it sees an input (so `Dense(64)` needs no input size), and
computes in `call(x, training=False)`. Weights are `nnx.Param` (trainable) or `NonTrainable`
variables, so `nnx.split`, `nnx.merge` and `jax.grad` see a layer as the plain pytree it is.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

import kerasish.layers.added_losses as _added_losses
import kerasish.layers.building as _building
import kerasish.layers.call_arguments as _call_arguments
import kerasish.layers.input_spec as _input_spec
import kerasish.layers.symbolic as _symbolic
import kerasish.layers.weight_constraints as _weight_constraints
from kerasish import constraints as _constraints
from kerasish import initializers as _initializers
from kerasish import mixed_precision as _mixed_precision
from kerasish import random as _random
from kerasish import registry
from kerasish import regularizers as _regularizers
from kerasish.backend import unique_name
from kerasish.layers.initial_weights import defer_draw, drawing_weights_together
from kerasish.layers.layer_weights import NonTrainable, Trainable
from kerasish.shapes import (
    STAND_INS,
    Shape,
    input_shapes,
    map_shapes,
    mask_leaves,
    merge_traced_shapes,
    stand_in_shape,
    standardize_shape,
    standardize_shapes,
)

_trainable_changes = [0]  # how many times a layer's `trainable` was set (`trainable_changes`)


def trainable_changes() -> int:
    """A counter of every `layer.trainable = ...` so far: a running fit compares it to know whether its compiled
    steps (which split trainable from frozen weights once) still describe the model."""
    return _trainable_changes[0]


def _snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()  # Keras's rule: Conv2D -> conv2d


def accepts_training(fn) -> bool:
    """Whether the callable `fn` takes a `training` argument (by name, or through `**kwargs`)."""
    params = inspect.signature(fn).parameters
    return "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class Layer(nnx.Module):
    """Base class of every kerasish layer (and model).

    Subclasses set their configuration in `__init__`, create weights in `build(input_shape)` with
    `add_weight`, and compute in `call(x)` (or `call(x, training)` when they behave differently in
    training, like `Dropout`). Calling the layer builds it on first use, checks the input against
    the shape it was built for, and runs `call`; other keyword arguments of the call (an RNN's
    `initial_state`) go to `call` as given, symbolic ones included in the functional API.

    Masks follow Keras 3: a boolean array, True at real steps. `layer(x, mask=m)` passes `m` to `call`
    when `call` has a `mask` parameter; Sequential and functional models give each layer the mask
    its predecessor's `compute_mask` returned (see `supports_masking`).

    Args:
      name: the layer's name; unique by default (`dense`, `dense_1`, ...).
      trainable: `False` freezes every weight of the layer and its sublayers.
      dtype: the dtype of the weights, or a dtype policy ("mixed_bfloat16": float32 weights, bfloat16
        computation; see `kerasish.mixed_precision`). The global policy (float32) by default.
      activity_regularizer: a penalty on the layer's output (a name such as `"l2"`, a
        `kerasish.regularizers` object or a callable `output -> scalar`), divided by the batch size and
        added to the loss through `add_loss`, as in Keras 3.
      input_shape: Keras 2 style: the shape of one sample (no batch axis); as the first layer of a
        Sequential it gives the model an `Input` of that shape. Prefer `ks.Input(shape)`.
      input_dim: likewise, `input_shape=(input_dim,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> class Scale(ks.layers.Layer):
      ...     def build(self, input_shape):
      ...         self.w = self.add_weight((input_shape[-1],), initializer="ones", name="w")
      ...     def call(self, x):
      ...         return x * self.w
      >>> layer = Scale()
      >>> layer(jnp.ones((2, 3))).shape
      (2, 3)
      >>> [w.shape for w in layer.get_weights()]
      [(3,)]
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "build" in vars(cls):  # `layer.build(shape)` called directly leaves the layer built, as in Keras
            cls.build = _building.tracked_build(vars(cls)["build"])
        if cls.__module__.startswith("kerasish.") and not cls.__name__.startswith("_"):
            registry.register_builtin("layers", cls)  # a saved file may name kerasish's own layers and models

    def __init__(self, *, name: str | None = None, trainable: bool = True, dtype: Any = None,
                 activity_regularizer: Any = None, input_shape: Any = None, input_dim: int | None = None,
                 autocast: bool = True) -> None:
        if autocast is not True:  # Keras's base config key (its files carry it); kerasish always casts inputs
            raise ValueError(f"Argument `autocast` must be True, received {autocast!r}: kerasish layers always cast "
                             f"their floating inputs to the compute dtype.")
        if name is not None and (not isinstance(name, str) or not name):
            raise TypeError(f"Argument `name` must be a non-empty string, received {name!r}.")
        if not isinstance(trainable, bool):
            raise TypeError(f"Argument `trainable` must be True or False, received {trainable!r}.")
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        if input_dim is not None and (isinstance(input_dim, bool) or not isinstance(input_dim, int) or input_dim < 1):
            raise ValueError(f"Argument `input_dim` must be a positive int, received {input_dim!r}.")
        # Keras 2 style: `Dense(4, input_shape=(3,))` first in a Sequential gives it an Input of that shape.
        self._declared_input_shape = (standardize_shape(input_shape) if input_shape is not None
                                 else (input_dim,) if input_dim is not None else None)
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype_policy = _mixed_precision.get(dtype)
        self.dtype = jnp.dtype(self.dtype_policy.variable_dtype)  # the weights' dtype
        self.built = False
        self.input_shape: Shape | None = None  # the shape `build` saw, batch axis as None
        self.output_shape: Shape | None = None
        self._weight_names: list[str] = []  # creation order = Keras's order for get_weights
        self._weight_regularizers: list[tuple[str, Any]] = []  # (weight name, penalty) from add_weight
        self._weight_constraints: list[tuple[str, Any]] = []  # (weight name, projection) from add_weight
        self._call_history = _symbolic.CallHistory()  # for `input` / `output` (outside the NNX state)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "trainable":
            _trainable_changes[0] += 1
        if name == "trainable" and "_weight_names" in vars(self):  # as in Keras: freezing reaches sublayers
            for layer in self.sublayers():
                layer.trainable = value

    #: What the layer accepts as input (`InputSpec`, or a nest of them, one per input tensor), checked at every
    #: call with Keras's messages; None accepts anything. Set it in `__init__` or `build`.
    input_spec: Any = None
    #: The shapes a `build` with several `<name>_shape` arguments was given (`{"query_shape": ..., ...}`), or None.
    build_shapes: dict[str, Any] | None = None

    # -- the contract subclasses fill in ------------------------------------------------------

    def build(self, input_shape: Shape) -> None:
        """Creates the layer's weights for inputs of `input_shape`. The default creates none."""

    def call(self, x, training: bool = False):
        raise NotImplementedError(f"Layer '{self.name}' ({type(self).__name__}) must implement `call(x)`.")

    def check_input_shape(self, shape: Shape) -> None:
        """Raises ValueError if an input of `shape` cannot go through the built layer."""

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this layer (for saving and `from_config`)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_policy.name}
        if self.activity_regularizer is not None:  # as Keras: only when set
            config["activity_regularizer"] = _regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        return cls(**config)

    # -- machinery ----------------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any):
        """Calls the layer as Keras 3 does: `layer(inputs, *other_tensors, training=..., mask=..., **kwargs)`.

        The arguments are bound to `call`'s signature (see `kerasish.layers.call_arguments`): the first is the
        input the layer is built for; the others go to `call` by name. On symbolic tensors (functional API) the
        call is recorded as a node whose inputs are every symbolic tensor among the arguments.
        """
        bound = _call_arguments.bind(self, args, kwargs)
        if self.input_spec is not None:
            _input_spec.assert_input_compatibility(self.input_spec, bound.inputs, self.name)
        if _symbolic.any_symbolic(bound.inputs) or _symbolic.any_symbolic(bound.kwargs) or _symbolic.is_symbolic(
                bound.mask):
            return _symbolic.call_layer(self, bound)
        x = _mixed_precision.numpy_floats_as(bound.inputs, self.compute_dtype)
        previous_mask = bound.mask if bound.mask is not None else _call_arguments.attached_mask(x)
        if bound.mask is None and previous_mask is not None:  # Keras hands a mask attached to the input on
            bound = bound._replace(mask=previous_mask)
        shape = input_shapes(x)
        if not self.built:
            if any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves((x, bound.kwargs))):
                raise RuntimeError(
                    f"Layer '{self.name}' is not built and was called inside a jax transformation; build the "
                    f"model first (give it an Input, call `build(input_shape)`, or call it once on data).")
            _building.build_for_call(self, bound, input_shapes)
        self.check_input_shape(shape)
        with _call_arguments.call_context(self), _added_losses.outermost_call(self):
            arguments = self._call_arguments(bound)
            outputs = self._call_mixed(x, arguments) if self.dtype_policy.is_mixed else self.call(x, **arguments)
            if self.activity_regularizer is not None:
                for output in jax.tree.leaves(outputs):
                    self.add_loss(_added_losses.activity_penalty(self.activity_regularizer, output))
        makes_mask = type(self).compute_mask is not Layer.compute_mask
        if (makes_mask or (self.supports_masking and previous_mask is not None)) and not any(
                isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(outputs)):
            _call_arguments.attach_mask(outputs, self.compute_mask(x, previous_mask))  # Keras's `_keras_mask`
        return outputs

    @property
    def compute_dtype(self) -> jnp.dtype:
        """The dtype the layer computes in (bfloat16 under "mixed_bfloat16"; `dtype` otherwise)."""
        return jnp.dtype(self.dtype_policy.compute_dtype)

    def _call_mixed(self, x, arguments: dict[str, Any]):
        """`call` in the policy's compute dtype: floating inputs and this layer's trainable weights are cast
        for the call (gradients flow back to the float32 weights through the cast)."""
        x = _mixed_precision.cast_floats(x, self.compute_dtype)
        arguments = {k: _mixed_precision.cast_floats(v, self.compute_dtype)
                     if k != "mask" and _call_arguments.is_tensor_argument(v) else v for k, v in arguments.items()}
        params = [v for v in self._own_variables() if isinstance(v, nnx.Param)]
        with _mixed_precision.autocast(params, self.compute_dtype):
            return self.call(x, **arguments)

    def _call_arguments(self, bound: _call_arguments.CallArguments) -> dict[str, Any]:
        """The keyword arguments `call` receives: the caller's, `training` resolved as Keras does (when `call`
        names it), and the input's mask as `mask` (or `<input>_mask`, for a `call` with several tensor
        arguments such as MultiHeadAttention's `query_mask`) when there is one and `call` names it."""
        parameters = _call_arguments.call_signature(self).parameters
        arguments = dict(bound.kwargs)
        training = _call_arguments.resolve_training(self, bound)
        if "training" in parameters and training is not None:
            arguments["training"] = training
        if bound.mask is not None:
            if "mask" in parameters:
                arguments["mask"] = bound.mask
            elif f"{bound.input_name}_mask" in parameters and arguments.get(f"{bound.input_name}_mask") is None:
                arguments[f"{bound.input_name}_mask"] = bound.mask
        return arguments

    # -- rows of a batch -------------------------------------------------------------------------

    def rows_independent(self, training: bool) -> bool:
        """Whether each output row depends on the same input row only (in training mode if `training`),
        and the layer adds no loss summed over rows.

        When every layer of a model says so, `fit` / `evaluate` / `predict` run a short last batch padded
        to the full batch size, its extra rows masked out of the loss and the metrics, so it runs in the
        program of the full batches instead of compiling one of its own. True for kerasish's layers
        except `BatchNormalization` in training, `Lambda`, `FlaxLayer` and layers with an
        `activity_regularizer`. A subclass that overrides `call` counts as False unless it overrides
        this method too (see `training.engine.rows_independent`).
        """
        return self.activity_regularizer is None

    # -- masking (Keras's convention: a boolean mask, True where a step is real, False where padded) --

    #: Whether the layer hands its input's mask on to the next layer (through `compute_mask`). False by
    #: default, as in Keras: a layer that does not support masking drops the mask (with a warning).
    supports_masking = False

    def compute_mask(self, inputs, mask=None):
        """The mask of the output, given the input and the input's mask (None: no mask).

        The default passes `mask` on unchanged (for layers with `supports_masking = True`);
        a layer that makes a mask (`Embedding(mask_zero=True)`, `Masking`) or removes the masked axis
        (an RNN without `return_sequences`, `GlobalAveragePooling1D`) overrides it. Overriding it makes
        the layer support masking, as in Keras.
        """
        return mask

    def output_mask(self, inputs, mask):
        """The mask a container hands to the next layer: `compute_mask` when the layer supports masking,
        otherwise None, with a warning when that drops a mask (Keras's rule)."""
        if self.supports_masking or type(self).compute_mask is not Layer.compute_mask:
            return self.compute_mask(inputs, mask)
        if any(m is not None for m in mask_leaves(mask)):
            warnings.warn(f"Layer '{self.name}' (of type {type(self).__name__}) was passed an input with a mask "
                          f"attached to it. However, this layer does not support masking and will therefore "
                          f"destroy the mask information. Downstream layers will not see the mask.", stacklevel=3)
        return None

    def call_with_mask(self, x, training: bool = False, mask: Any = None, **kwargs: Any) -> tuple[Any, Any]:
        """`(outputs, output mask)`: how Sequential and functional models call a layer, so that masks flow
        from layer to layer. Models override it to run their own layers with the mask."""
        outputs = self(x, training=training, mask=mask, **kwargs)
        return outputs, self.output_mask(x, mask)

    def build_for(self, input_shape: Any) -> Any:
        """Builds the layer for `input_shape` (batch axis first; a list of shapes for several inputs)
        and returns its output shape."""
        input_shape = standardize_shapes(input_shape)
        with drawing_weights_together():
            if not self.built:
                self.build(input_shape)
                self.input_shape = input_shape
                self.built = True
            self.check_input_shape(input_shape)
        if any(not layer.built for layer in self.sublayers()):
            # Sublayers its `build` left to the first call (Keras's MLPBlock) are built by one call on zeros: a
            # traced call could not create their weights.
            zeros = map_shapes(lambda s: jnp.zeros(stand_in_shape((None,) + tuple(s[1:]), STAND_INS[0]),
                                                   self._input_dtype()), input_shape)
            outputs = self(zeros)
            self.output_shape = jax.tree.map(lambda o: (None,) + tuple(o.shape[1:]), outputs,
                                             is_leaf=lambda v: isinstance(v, nnx.Variable))
        else:
            self.output_shape = self.compute_output_shape(input_shape)
        return self.output_shape

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for `input_shape`, found by tracing `call` (no FLOPs, no memory).

        Unknown sizes (None, the batch axis included) are traced with two different stand-ins; an output
        axis whose size follows them is reported as None.
        """
        def trace(n):
            stand_in = lambda s: stand_in_shape((None,) + tuple(s[1:]), n)
            spec = map_shapes(lambda s: jax.ShapeDtypeStruct(stand_in(s), self._input_dtype()), input_shape)
            return nnx.eval_shape(lambda layer, x: layer(x), self, spec)
        small, large = (trace(n) for n in STAND_INS)
        return jax.tree.map(lambda a, b: merge_traced_shapes(a.shape, b.shape), small, large,
                            is_leaf=lambda v: isinstance(v, nnx.Variable))  # a call may return a weight

    def _input_dtype(self):
        return self.dtype

    def add_weight(self, shape: Sequence[int], initializer: Any = "glorot_uniform", trainable: bool = True,
                   name: str | None = None, dtype: Any = None, regularizer: Any = None,
                   constraint: Any = None) -> nnx.Variable:
        """Creates a weight, stores it as attribute `name`, and returns it.

        Args:
          shape: the weight's shape, e.g. `(input_dim, units)`.
          initializer: a name (`"zeros"`, `"glorot_uniform"`, ...) or a callable
            `(key, shape, dtype) -> array` such as any `jax.nn.initializers` function.
          trainable: `False` makes a weight the optimizer never updates.
          name: the attribute name (`kernel`, `bias`, ...); `weight_<n>` by default.
          dtype: defaults to the layer's dtype.
          regularizer: a penalty on this weight added to the training loss (a name such as `"l2"`,
            a `kerasish.regularizers` object or a callable `weight -> scalar`); see
            `regularization_loss`.
          constraint: a projection applied to this weight after each optimizer update (a name such as
            `"non_neg"`, a `kerasish.constraints` object or a callable `weight -> weight`); see
            `apply_weight_constraints`.

        Returns:
          The `nnx.Param` (trainable) or `NonTrainable` variable; read its value with `w[...]`,
          or use it directly in `jax.numpy` expressions. Inside `build` it holds zeros of its final
          shape and dtype until the outermost build ends and every new weight is drawn (see
          `drawing_weights_together`); kerasish's initializers are drawn then, other callables at once.
        """
        name = name or f"weight_{len(self._weight_names)}"
        if not name.isidentifier():
            raise ValueError(f"Argument `name` of add_weight must be a Python identifier, received {name!r}.")
        if name in self._weight_names or name in vars(self):
            raise ValueError(f"Layer '{self.name}' already has an attribute named {name!r}; "
                             f"give add_weight another `name`.")
        shape = tuple(int(d) for d in shape)
        init = _initializers.get(initializer)
        dtype = jnp.dtype(dtype or self.dtype)
        seed, n = _random.next_draw()
        if getattr(init, "exact_when_fused", False):  # drawn with the others (`drawing_weights_together`)
            value, spec = None, jax.eval_shape(lambda: init(_random.key_of(seed, n), shape, dtype))
        else:  # any other callable is drawn now, as an eager call
            value = spec = jnp.asarray(init(_random.key_of(seed, n), shape, dtype))
        if spec.shape != shape:
            raise ValueError(f"Initializer {initializer!r} of weight '{self.name}/{name}' returned shape "
                             f"{spec.shape}, expected {shape}.")
        placeholder = value if value is not None else np.zeros(spec.shape, spec.dtype)
        variable = Trainable(placeholder, name=name) if trainable else NonTrainable(placeholder, name=name)
        if value is None:
            defer_draw(variable, init, shape, dtype, seed, n)  # with the build's others, or at once
        setattr(self, name, variable)
        self._weight_names.append(name)
        if regularizer is not None:
            self._weight_regularizers.append((name, _regularizers.get(regularizer)))
        if constraint is not None:
            self._weight_constraints.append((name, _constraints.get(constraint)))
        return variable

    def regularization_loss(self):
        """The sum of this layer's weight penalties (the `regularizer`s given to `add_weight`), or 0.

        `fit` adds every layer's to the loss it differentiates, and reports it in `loss`.
        """
        total = 0.0
        for name, regularizer in self._weight_regularizers:
            total = total + regularizer(getattr(self, name)[...])
        return total

    def apply_weight_constraints(self) -> int:
        """Replaces each constrained trainable weight of this layer and its sublayers by its projection, in place
        (as Keras's optimizers do after an update; usable on a model merged inside a compiled step). Frozen layers
        and non-trainable weights are left alone. Returns the number of weights projected (see
        `kerasish.layers.weight_constraints`)."""
        return _weight_constraints.apply(self)

    @property
    def weight_constraints(self) -> list[tuple[nnx.Variable, Any]]:
        """`(weight, constraint)` of this layer's own constrained weights (`add_weight(..., constraint=...)`)."""
        return [(getattr(self, name), constraint) for name, constraint in self._weight_constraints]

    def add_loss(self, value: Any) -> None:
        """Adds a scalar (or an array, summed) to the training loss; call it from `call`.

        In `fit` and `evaluate` the values of one step are summed into the loss that is differentiated and
        reported, as in Keras 3. After an eager call (`layer(x)` on arrays) they are in `layer.losses`.

        Args:
          value: a number or an array of numbers computed in `call` (e.g. `1e-3 * jnp.sum(x ** 2)`).

        Raises:
          TypeError: for a value that is not numeric.

        Example:
          >>> import jax.numpy as jnp
          >>> import kerasish as ks
          >>> class ActivityPenalty(ks.layers.Layer):
          ...     def call(self, x):
          ...         self.add_loss(0.5 * jnp.sum(x))
          ...         return x
          >>> layer = ActivityPenalty()
          >>> _ = layer(jnp.ones((2, 3)))
          >>> [float(v) for v in layer.losses]
          [3.0]
        """
        numeric = (isinstance(value, (int, float, np.number)) and not isinstance(value, bool)) or (
            hasattr(value, "dtype") and hasattr(value, "shape") and jnp.issubdtype(value.dtype, jnp.number))
        if not numeric:
            raise TypeError(f"Argument `value` of add_loss (layer '{self.name}') must be a number or a numeric "
                            f"array, received {value!r}.")
        _added_losses.add(self, value)

    @property
    def losses(self) -> list:
        """The losses of this layer and its sublayers: the `add_loss` values (activity penalties included)
        of the last eager call (of the running step inside `fit`), then each layer's weight penalty."""
        penalties = [node.regularization_loss() for _, node in nnx.iter_graph(self)
                     if isinstance(node, Layer) and node.weight_regularizers]
        return _added_losses.losses_of(self) + penalties

    # -- the functional graph -----------------------------------------------------------------

    @property
    def input(self) -> Any:
        """The symbolic input of the layer's first call on symbolic tensors (functional API), as in Keras.

        Raises:
          AttributeError: if the layer was never called on a symbolic tensor (nor is in a built Sequential).
        """
        return self._first_node("input").inputs

    @property
    def output(self) -> Any:
        """The symbolic output of the layer's first call on symbolic tensors: `ks.Model(model.inputs,
        [layer.output for layer in model.layers])` makes a feature extractor."""
        return self._first_node("output").outputs

    def _first_node(self, attribute: str) -> _symbolic.Node:
        node = self._call_history.first_call()  # a Sequential with an Input traces its chain when first asked
        if node is None:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no defined {attribute}: "
                                 f"call it on ks.Input(...) (the functional API), or put it in a built Sequential.")
        return node

    @property
    def call_history(self) -> _symbolic.CallHistory:
        """The layer's symbolic calls (`first_node`), kept outside the NNX state: containers read and extend it."""
        return self._call_history

    @property
    def declared_input_shape(self) -> Shape | None:
        """The sample shape given as `input_shape=` / `input_dim=` (Keras 2 style), or None."""
        return self._declared_input_shape

    @property
    def weight_regularizers(self) -> list[tuple[str, Any]]:
        """`(weight name, penalty)` pairs given to `add_weight(regularizer=...)`."""
        return list(self._weight_regularizers)

    def get_build_config(self) -> dict[str, Any] | None:
        """What `build_from_config` needs to rebuild the layer's weights, as Keras writes it: `{"input_shape": ...}`,
        or `{"shapes_dict": {"query_shape": ..., ...}}` for a `build` with several shape arguments; None when the
        layer is not built or builds from its config alone (an Input, a functional model)."""
        if not self.built:
            return None
        if self.build_shapes is not None:
            return {"shapes_dict": dict(self.build_shapes)}
        return None if self.input_shape is None else {"input_shape": self.input_shape}

    def build_from_config(self, config: dict[str, Any]) -> None:
        """Builds the layer as `get_build_config()` described (JSON lists of shapes accepted)."""
        if not config:
            return
        if "shapes_dict" in config:
            self.build(**_building.shapes_from_json(config["shapes_dict"]))
        else:
            self.build_for(_building.shapes_from_json(config["input_shape"]))

    # -- weights in Keras's order -------------------------------------------------------------

    def _attribute_values(self) -> Iterator[Any]:
        """Attribute values in assignment order, with list and dict containers opened."""
        for attr, value in vars(self).items():
            if attr.startswith("_pytree__") or attr in self._weight_names:
                continue
            if isinstance(value, (nnx.List, list, tuple)):
                yield from value
            elif isinstance(value, (nnx.Dict, dict)):
                yield from value.values()
            else:
                yield value

    def sublayers(self) -> Iterator[Layer]:
        """Direct sublayers, in the order they were assigned (as Keras tracks them)."""
        return (v for v in self._attribute_values() if isinstance(v, Layer))

    def _own_variables(self) -> list[nnx.Variable]:
        own = [getattr(self, n) for n in self._weight_names]
        # Variables set by hand or held by plain flax modules (e.g. nnx.BatchNorm) come next.
        for value in self._attribute_values():
            if isinstance(value, nnx.Variable) and not isinstance(value, nnx.RngState):
                own.append(value)
            elif isinstance(value, nnx.Module) and not isinstance(value, Layer):
                own.extend(v for _, v in nnx.iter_graph(value)
                           if isinstance(v, nnx.Variable) and not isinstance(v, nnx.RngState))
        unique = {id(v): v for v in reversed(own)}  # a weight also kept under another name (Keras's `self.w = ...`)
        return [v for v in own if unique.pop(id(v), None) is not None]

    @property
    def weights(self) -> list[nnx.Variable]:
        """Every weight, in Keras's order: this layer's own (creation order), then each sublayer's."""
        out = [v for v in self._own_variables()]
        for layer in self.sublayers():
            out.extend(layer.weights)
        return out

    @property
    def trainable_weights(self) -> list[nnx.Variable]:
        if not self.trainable:
            return []
        out = [v for v in self._own_variables() if isinstance(v, nnx.Param)]
        for layer in self.sublayers():
            out.extend(layer.trainable_weights)
        return out

    @property
    def non_trainable_weights(self) -> list[nnx.Variable]:
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    def get_weights(self) -> list[np.ndarray]:
        """The weights as NumPy arrays, in Keras's order (so they load into the Keras twin): writable copies, as
        Keras returns them (changing one changes nothing in the layer until `set_weights`)."""
        return [np.array(v[...]) for v in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Sets every weight from a list in `get_weights()` order; shapes must match exactly.

        Raises:
          ValueError: if the layer is not built, the count differs, or a shape differs (the message
            names the weight and both shapes).
        """
        variables = self.weights
        if not self.built:
            raise ValueError(f"Layer '{self.name}' is not built yet: call it or build it before set_weights.")
        if len(weights) != len(variables):
            raise ValueError(f"Layer '{self.name}' expects {len(variables)} weight arrays in set_weights, "
                             f"received {len(weights)}.")
        new_values = []
        for i, (variable, value) in enumerate(zip(variables, weights)):
            value = np.asarray(value)
            if value.shape != variable.shape:
                raise ValueError(f"Weight {i} of layer '{self.name}' has shape {variable.shape}, "
                                 f"received an array of shape {value.shape} in set_weights.")
            new_values.append(jnp.asarray(value, dtype=variable.dtype))
        for variable, value in zip(variables, new_values):
            variable[...] = value

    def count_params(self) -> int:
        return int(sum(np.prod(v.shape) for v in self.weights))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


registry.register_builtin("layers", Layer)
