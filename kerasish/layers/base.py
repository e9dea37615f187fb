"""`Layer`: the Keras layer contract on a `flax.nnx.Module`.

A layer takes its configuration in `__init__` (checked at once), creates its weights in
`build(input_shape)` the first time it sees an input (so `Dense(64)` needs no input size), and
computes in `call(x, training=False)`. Weights are `nnx.Param` (trainable) or `NonTrainable`
variables, so `nnx.split`, `nnx.merge` and `jax.grad` see a layer as the plain pytree it is.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from kerasish import initializers as _initializers
from kerasish import random as _random
from kerasish.layers import symbolic as _symbolic

Shape = tuple  # a shape with `None` for unknown sizes, batch axis first: (None, 64)

_name_counts: dict[str, int] = {}


class NonTrainable(nnx.Variable):
    """A weight the optimizer never updates (`add_weight(..., trainable=False)`)."""


def _snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()  # Keras's rule: Conv2D -> conv2d


def unique_name(prefix: str) -> str:
    """`dense`, then `dense_1`, `dense_2`, ... as Keras names layers."""
    count = _name_counts.get(prefix, 0)
    _name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def format_shape(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def standardize_shape(shape: Any, argument: str = "input_shape") -> Shape:
    """Turns a shape-like value into a tuple of int/None, or raises a clear error."""
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"Argument `{argument}` must be a tuple of ints (None for unknown sizes), "
                        f"received {shape!r}.")
    out = []
    for d in shape:
        if d is None:
            out.append(None)
        elif isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0:
            out.append(int(d))
        else:
            raise ValueError(f"Argument `{argument}` must hold non-negative ints or None, received {shape!r}.")
    return tuple(out)


#: Two sizes to trace unknown axes with; distinct, and unlikely to equal a real axis size by chance.
_STAND_INS = (2, 3)


def _merge_shapes(a: Sequence[int], b: Sequence[int]) -> Shape:
    """The shape traced with both stand-ins: batch axis and the axes that differ are None."""
    return (None,) + tuple(x if x == y else None for x, y in zip(a[1:], b[1:]))


def is_shape(value: Any) -> bool:
    """A single shape: a tuple/list of ints and None (as opposed to a list of shapes)."""
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in value)


def map_shapes(fn, shapes: Any) -> Any:
    """Applies `fn` to one shape, or to each shape of a (nested) list / dict of shapes."""
    if is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: map_shapes(fn, v) for k, v in shapes.items()}
    if isinstance(shapes, (tuple, list)):
        return type(shapes)(map_shapes(fn, v) for v in shapes)
    return fn(shapes)


def standardize_shapes(shapes: Any) -> Any:
    """Each shape as a tuple of int/None with the batch axis set to None."""
    return map_shapes(lambda s: (None,) + standardize_shape(s)[1:], shapes)


def input_shapes(x: Any) -> Any:
    """The shape of an array input, or the list / dict of shapes of several inputs."""
    if isinstance(x, dict):
        return {k: input_shapes(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(input_shapes(v) for v in x)
    return tuple(x.shape)


def _accepts_training(fn) -> bool:
    params = inspect.signature(fn).parameters
    return "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class Layer(nnx.Module):
    """Base class of every kerasish layer (and model).

    Subclasses set their configuration in `__init__`, create weights in `build(input_shape)` with
    `add_weight`, and compute in `call(x)` (or `call(x, training)` when they behave differently in
    training, like `Dropout`). Calling the layer builds it on first use, checks the input against
    the shape it was built for, and runs `call`.

    Args:
      name: the layer's name; unique by default (`dense`, `dense_1`, ...).
      trainable: `False` freezes every weight of the layer and its sublayers.
      dtype: the dtype of the weights (float32 by default).

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

    def __init__(self, *, name: str | None = None, trainable: bool = True, dtype: Any = None) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise TypeError(f"Argument `name` must be a non-empty string, received {name!r}.")
        if not isinstance(trainable, bool):
            raise TypeError(f"Argument `trainable` must be True or False, received {trainable!r}.")
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype = jnp.dtype(dtype or jnp.float32)
        self.built = False
        self.input_shape: Shape | None = None  # the shape `build` saw, batch axis as None
        self.output_shape: Shape | None = None
        self._weight_names: list[str] = []  # creation order = Keras's order for get_weights
        self._weight_regularizers: list[tuple[str, Any]] = []  # (weight name, penalty) from add_weight

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "trainable" and "_weight_names" in vars(self):  # as in Keras: freezing reaches sublayers
            for layer in self._sublayers():
                layer.trainable = value

    # -- the contract subclasses fill in ------------------------------------------------------

    def build(self, input_shape: Shape) -> None:
        """Creates the layer's weights for inputs of `input_shape`. The default creates none."""

    def call(self, x, training: bool = False):
        raise NotImplementedError(f"Layer '{self.name}' ({type(self).__name__}) must implement `call(x)`.")

    def check_input_shape(self, shape: Shape) -> None:
        """Raises ValueError if an input of `shape` cannot go through the built layer."""

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this layer (for saving and `from_config`)."""
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        return cls(**config)

    # -- machinery ----------------------------------------------------------------------------

    def __call__(self, x, training: bool = False):
        if _symbolic.any_symbolic(x):
            return self._call_symbolic(x)
        shape = input_shapes(x)
        if not self.built:
            if any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(x)):
                raise RuntimeError(
                    f"Layer '{self.name}' is not built and was called inside a jax transformation; build the "
                    f"model first (give it an Input, call `build(input_shape)`, or call it once on data).")
            self.build_for(shape)
        self.check_input_shape(shape)
        if _accepts_training(self.call):
            return self.call(x, training=training)
        return self.call(x)

    def _call_symbolic(self, inputs):
        """Functional API: builds the layer for symbolic inputs and records the call as a `Node`."""
        if not self.built:
            self.build_for(_symbolic.tree_map(lambda t: t.shape, inputs))
        self.check_input_shape(_symbolic.tree_map(lambda t: t.shape, inputs))
        # Traced twice with different stand-ins for unknown sizes: an output axis that follows them is unknown.
        specs = lambda n: _symbolic.tree_map(lambda t: t.spec(n), inputs)
        trace = lambda n: nnx.eval_shape(lambda layer, x: layer(x), self, specs(n))
        small, large = trace(_STAND_INS[0]), trace(_STAND_INS[1])
        outputs = jax.tree.map(lambda a, b: _symbolic.SymbolicTensor(_merge_shapes(a.shape, b.shape), a.dtype),
                               small, large)
        _symbolic.Node(self, inputs, outputs)
        return outputs

    def build_for(self, input_shape: Any) -> Any:
        """Builds the layer for `input_shape` (batch axis first; a list of shapes for several inputs)
        and returns its output shape."""
        input_shape = standardize_shapes(input_shape)
        if not self.built:
            self.build(input_shape)
            self.input_shape = input_shape
            self.built = True
        self.check_input_shape(input_shape)
        self.output_shape = self.compute_output_shape(input_shape)
        return self.output_shape

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for `input_shape`, found by tracing `call` (no FLOPs, no memory).

        Unknown sizes (None, the batch axis included) are traced with two different stand-ins; an output
        axis whose size follows them is reported as None.
        """
        def trace(n):
            stand_in = lambda s: tuple(n if d is None else d for d in (None,) + tuple(s[1:]))
            spec = map_shapes(lambda s: jax.ShapeDtypeStruct(stand_in(s), self._input_dtype()), input_shape)
            return nnx.eval_shape(lambda layer, x: layer(x), self, spec)
        small, large = (trace(n) for n in _STAND_INS)
        return jax.tree.map(lambda a, b: _merge_shapes(a.shape, b.shape), small, large)

    def _input_dtype(self):
        return self.dtype

    def add_weight(self, shape: Sequence[int], initializer: Any = "glorot_uniform", trainable: bool = True,
                   name: str | None = None, dtype: Any = None, regularizer: Any = None) -> nnx.Variable:
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

        Returns:
          The `nnx.Param` (trainable) or `NonTrainable` variable; read its value with `w[...]`,
          or use it directly in `jax.numpy` expressions.
        """
        name = name or f"weight_{len(self._weight_names)}"
        if not name.isidentifier():
            raise ValueError(f"Argument `name` of add_weight must be a Python identifier, received {name!r}.")
        if name in self._weight_names or name in vars(self):
            raise ValueError(f"Layer '{self.name}' already has an attribute named {name!r}; "
                             f"give add_weight another `name`.")
        shape = tuple(int(d) for d in shape)
        init = _initializers.get(initializer)
        value = jnp.asarray(init(_random.next_key(), shape, jnp.dtype(dtype or self.dtype)))
        if value.shape != shape:
            raise ValueError(f"Initializer {initializer!r} of weight '{self.name}/{name}' returned shape "
                             f"{value.shape}, expected {shape}.")
        variable = nnx.Param(value) if trainable else NonTrainable(value)
        setattr(self, name, variable)
        self._weight_names.append(name)
        if regularizer is not None:
            from kerasish import regularizers as _regularizers
            self._weight_regularizers.append((name, _regularizers.get(regularizer)))
        return variable

    def regularization_loss(self):
        """The sum of this layer's weight penalties (the `regularizer`s given to `add_weight`), or 0.

        `fit` adds every layer's to the loss it differentiates, and reports it in `loss`.
        """
        total = 0.0
        for name, regularizer in self._weight_regularizers:
            total = total + regularizer(getattr(self, name)[...])
        return total

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

    def _sublayers(self) -> Iterator[Layer]:
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
        return own

    @property
    def weights(self) -> list[nnx.Variable]:
        """Every weight, in Keras's order: this layer's own (creation order), then each sublayer's."""
        out = [v for v in self._own_variables()]
        for layer in self._sublayers():
            out.extend(layer.weights)
        return out

    @property
    def trainable_weights(self) -> list[nnx.Variable]:
        if not self.trainable:
            return []
        out = [v for v in self._own_variables() if isinstance(v, nnx.Param)]
        for layer in self._sublayers():
            out.extend(layer.trainable_weights)
        return out

    @property
    def non_trainable_weights(self) -> list[nnx.Variable]:
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    def get_weights(self) -> list[np.ndarray]:
        """The weights as NumPy arrays, in Keras's order (so they load into the Keras twin)."""
        return [np.asarray(v[...]) for v in self.weights]

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

