"""Keras's flat lists of state over NNX's split state: the model's variables, and the optimizer's.

Keras 3's JAX API speaks of four flat lists, `trainable_variables`, `non_trainable_variables`,
`optimizer_variables` and `metrics_variables`; NNX splits a model into two `nnx.State`s, `params` (the trainable
weights) and `rest` (everything else), and an optimizer's optax face keeps its variables in an `OptimizerState`.
This module is the fixed mapping between the two views:

- `VariableLayout`: which leaf of `params` / `rest` is which entry of Keras's lists. `trainable_variables` are in
  `model.trainable_weights` order; `non_trainable_variables` are the non-trainable weights in
  `model.non_trainable_weights` order, then the rest of the model's state (RNG streams, seed generators, anything
  else NNX holds) in the order of their paths, so that every variable goes into the lists and comes back.
- `ModelVariable`: what `model.trainable_variables` hands out: a Keras-style variable (`value`, `assign`, `numpy`,
  `name`, `path`, `trainable`, arithmetic) that reads and writes the model's own NNX variable. NNX stays the one
  state system of layers: the handle holds no value of its own.
- `OptimizerLayout`: `optimizer.variables`' values (Keras's order, the per-weight entries in
  `trainable_variables` order) to and from the optax-face state the engine keeps.

Everything here is a static index computation, done once per model structure (cached by graph definition), so
converting between the views inside a compiled step costs nothing at run time.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from kerasish import optimizers as _optimizers
from kerasish.dtypes import standardize_dtype
from kerasish.layers import added_losses as _added_losses
from kerasish.layers.base import Layer
from kerasish.optimizers.state import LossScalePacking, StatePacking
from kerasish.training.engine import split_model
from kerasish.variables import Variable


def _dtype_name(dtype: Any) -> str:
    try:
        return standardize_dtype(dtype)
    except (TypeError, ValueError):  # a PRNG key's dtype (an RNG stream's key)
        return str(dtype)


def array_of(value: Any) -> Any:
    """The array behind `value`: a kerasish or NNX variable's value, else `value` itself."""
    if isinstance(value, Variable):
        return value.value
    if isinstance(value, nnx.Variable):
        return value.get_value()
    return value


class ModelVariable(Variable):
    """A Keras-style handle on one of a model's NNX variables (see the module docstring).

    Reading (`value`, `numpy()`, arithmetic) reads the NNX variable now; `assign` writes it (cast to its dtype,
    same shape). As a JAX pytree it is its value, so a list of them goes into `jax.jit` as Keras's guides pass
    `model.trainable_variables`; inside, each is a plain `kerasish.Variable` holding a traced value.

    Args:
      variable: the NNX variable (an `nnx.Param`, a non-trainable weight, an RNG stream's key or count, ...).
      name: the variable's name (the attribute name, e.g. `"kernel"`).
      path: `<layer name>/<name>` (Keras's path).
      trainable: whether it is one of `trainable_variables`.
    """

    def __init__(self, variable: nnx.Variable, name: str, path: str, trainable: bool) -> None:
        self._variable = variable
        value = variable.get_value()
        self._dtype = _dtype_name(value.dtype)
        self._array_dtype = value.dtype
        self._value = None
        self.name, self.path, self.trainable = name, path, bool(trainable)
        self.autocast, self.aggregation, self.synchronization = True, "none", "auto"
        self.constraint = self.regularizer = None

    @property
    def value(self) -> jax.Array:
        return self._value if self._bound else self._variable.get_value()

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)

    @property
    def nnx_variable(self) -> nnx.Variable:
        """The NNX variable this handle reads and writes."""
        return self._variable

    def assign(self, value: Any) -> None:
        """Writes `value` into the model's variable (cast to its dtype).

        Raises:
          ValueError: for a value of another shape.
        """
        raw = array_of(value)
        if jax.dtypes.issubdtype(self._array_dtype, jax.dtypes.prng_key):
            new = jnp.asarray(raw)
        else:
            new = jnp.asarray(raw, self._array_dtype)
        if new.shape != self.shape:
            raise ValueError(f"The shape of the value assigned to variable {self.path!r} must be {self.shape}, "
                             f"received a value of shape {new.shape}.")
        self._set(new)

    def _set(self, new: jax.Array) -> None:
        if self._bound:
            self._value = new
        else:
            self._variable.set_value(new)

    def numpy(self) -> np.ndarray:
        value = self.value
        if jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
            value = jax.random.key_data(value)
        return np.asarray(jax.device_get(value))

    def tree_flatten(self) -> tuple[tuple[Any], tuple]:
        """As a pytree, a detached `Variable` holding the value (the handle's link to the model stays outside)."""
        aux = {k: v for k, v in vars(self).items() if k not in ("_value", "_bound", "_holder", "_variable")}
        return (self.value,), (Variable, tuple(sorted(aux.items(), key=lambda kv: kv[0])))

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, value={self.value}>"


def _owner_names(model: Layer) -> dict[tuple, str]:
    """Path of each layer in the model's graph -> its name (the model itself at the empty path)."""
    return {tuple(path): node.name for path, node in nnx.iter_graph(model) if isinstance(node, Layer)}


def _keras_path(path: tuple, owners: dict[tuple, str]) -> tuple[str, str]:
    """`(name, path)` of the variable at the NNX `path`: its last key, and `<innermost layer holding it>/<keys below
    that layer>` (Keras's `dense/kernel`)."""
    for cut in range(len(path) - 1, -1, -1):
        if path[:cut] in owners:
            return str(path[-1]), f"{owners[path[:cut]]}/" + "/".join(str(k) for k in path[cut:])
    return str(path[-1]), "/".join(str(k) for k in path)


class VariableLayout:
    """Which leaf of the split state (`params`, `rest`) is which entry of Keras's lists, for one model structure.

    Args:
      model: a built model (or layer).

    Attributes:
      graphdef: the graph definition it describes (`nnx.graphdef(model)`).
      trainable_index: for each entry of `trainable_variables`, the position of its leaf among `params`' leaves.
      non_trainable_index: likewise for `non_trainable_variables` among `rest`'s leaves.

    Example:
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, name="dense")])
      >>> layout = VariableLayout(model)
      >>> [v.path for v in layout.variables(model)[0]]
      ['dense/kernel', 'dense/bias']
      >>> _, params, rest, _ = split_model(model)
      >>> [a.shape for a in layout.lists(params, rest)[0]]
      [(3, 2), (2,)]
    """

    def __init__(self, model: Layer) -> None:
        graphdef, params, rest, self.keep = split_model(model)
        self.graphdef = graphdef
        self._params_def, self._rest_def = jax.tree.structure(params), jax.tree.structure(rest)
        param_paths = [tuple(p) for p, _ in nnx.to_flat_state(params)]
        rest_paths = [tuple(p) for p, _ in nnx.to_flat_state(rest)]
        if len(param_paths) != self._params_def.num_leaves or len(rest_paths) != self._rest_def.num_leaves:
            raise ValueError(f"Model '{model.name}' holds an NNX variable whose value is not one array; Keras's flat "
                             f"lists of variables cannot describe it.")
        path_of = {id(node): tuple(path) for path, node in nnx.iter_graph(model) if isinstance(node, nnx.Variable)}
        self.trainable_index = self._order(param_paths, model.trainable_weights, path_of)
        self.non_trainable_index = self._order(rest_paths, model.non_trainable_weights, path_of)
        self.param_paths, self.rest_paths = param_paths, rest_paths

    @staticmethod
    def _order(paths: list[tuple], weights: Sequence[Any], path_of: dict[int, tuple]) -> list[int]:
        """Leaf positions of `weights` (in their order, those among `paths`), then of the other leaves."""
        position = {path: i for i, path in enumerate(paths)}
        order: list[int] = []
        for weight in weights:
            i = position.get(path_of.get(id(weight)))
            if i is not None and i not in order:
                order.append(i)
        taken = set(order)
        return order + [i for i in range(len(paths)) if i not in taken]

    # -- values: lists <-> states ----------------------------------------------------------------------

    def lists(self, params: Any, rest: Any) -> tuple[list, list]:
        """`(trainable_variables, non_trainable_variables)` values from the split state."""
        p, r = jax.tree.leaves(params), jax.tree.leaves(rest)
        return [p[i] for i in self.trainable_index], [r[i] for i in self.non_trainable_index]

    def non_trainable_list(self, rest: Any) -> list:
        """`non_trainable_variables` values from `rest`."""
        r = jax.tree.leaves(rest)
        return [r[i] for i in self.non_trainable_index]

    def params_state(self, trainable: Sequence[Any]) -> Any:
        """The `params` state holding the values of `trainable_variables`."""
        return self._unflatten(self._params_def, self.trainable_index, trainable)

    def rest_state(self, non_trainable: Sequence[Any]) -> Any:
        """The `rest` state holding the values of `non_trainable_variables`."""
        return self._unflatten(self._rest_def, self.non_trainable_index, non_trainable)

    @staticmethod
    def _unflatten(treedef: Any, index: list[int], values: Sequence[Any]) -> Any:
        leaves: list[Any] = [None] * len(index)
        for i, value in zip(index, values):
            leaves[i] = array_of(value)
        return treedef.unflatten(leaves)

    def check_counts(self, model: Layer, trainable: Sequence[Any], non_trainable: Sequence[Any]) -> None:
        """Raises a ValueError (Keras's message) when the lists do not have one entry per variable."""
        for argument, values, count in (("trainable_variables", trainable, len(self.trainable_index)),
                                        ("non_trainable_variables", non_trainable, len(self.non_trainable_index))):
            if not isinstance(values, (list, tuple)) or len(values) != count:
                got = f"list with length {len(values)}" if isinstance(values, (list, tuple)) else repr(type(values))
                raise ValueError(f"Argument `{argument}` must be a list of tensors corresponding 1:1 to "
                                 f"{type(model).__name__}().{argument}. Received {got}, but expected {count} "
                                 f"variables.")

    # -- handles --------------------------------------------------------------------------------------

    def variables(self, model: Layer) -> tuple[list[ModelVariable], list[ModelVariable]]:
        """`(trainable_variables, non_trainable_variables)` of `model` as `ModelVariable` handles."""
        owners = _owner_names(model)
        at = {tuple(path): node for path, node in nnx.iter_graph(model) if isinstance(node, nnx.Variable)}

        def handles(paths, index, trainable):
            out = []
            for i in index:
                name, path = _keras_path(paths[i], owners)
                out.append(ModelVariable(at[paths[i]], name, path, trainable))
            return out

        return (handles(self.param_paths, self.trainable_index, True),
                handles(self.rest_paths, self.non_trainable_index, False))


_layouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def layout_of(model: Layer) -> VariableLayout:
    """The `VariableLayout` of `model`'s current structure (made once per graph definition)."""
    graphdef = nnx.graphdef(model)
    layout = _layouts.get(model)
    if layout is None or layout.graphdef != graphdef:
        layout = VariableLayout(model)
        _layouts[model] = layout
    return layout


class OptimizerLayout:
    """`optimizer.variables`' values, in Keras's order, to and from the optax-face state of the engine.

    The engine's optimizer state is `optimizer.init(params)`, whose per-weight entries follow `params`' leaves; the
    optimizer a user's `train_step` calls (`self.optimizer`, built on `model.trainable_variables`) lists them in
    `trainable_variables` order. This packing puts each entry where the other order wants it.

    Args:
      optimizer: the compiled optimizer, built on `model.trainable_variables`.
      layout: the model's `VariableLayout`.
      params: the engine's `params` (arrays or shape structs), for their structure.

    Raises:
      ValueError: when the optimizer was built on other variables than the model's trainable ones.
    """

    def __init__(self, optimizer: _optimizers.Optimizer, layout: VariableLayout, params: Any) -> None:
        treedef = jax.tree.structure(params)
        packing = optimizer.state_packing(treedef, treedef.num_leaves > 0)
        self.packing = self._remapped(packing, layout.trainable_index)
        self.count = len(optimizer.variables)

    @classmethod
    def _remapped(cls, packing: Any, index: list[int]) -> Any:
        if isinstance(packing, LossScalePacking):
            return LossScalePacking(packing.own_count, cls._remapped(packing.inner, index))
        if any(role[0] == "slot" and role[2] >= len(index) for role in packing.roles):
            raise ValueError(f"{packing.owner} was built on other variables than the model's "
                             f"{len(index)} trainable ones.")
        roles = [("slot", role[1], index[role[2]]) if role[0] == "slot" else role for role in packing.roles]
        return StatePacking(roles, packing.slot_names, packing.treedef, packing.scheduled_rate, packing.owner)

    def to_list(self, opt_state: Any) -> list:
        """The values of `optimizer.variables` held in the engine's state."""
        return self.packing.unpack(opt_state)

    def to_state(self, values: Sequence[Any]) -> Any:
        """The engine's state holding `values` (one per variable of `optimizer.variables`)."""
        return self.packing.pack([array_of(v) for v in values])


def stateless_call(model: Layer, trainable: Any, non_trainable: Any, args: tuple, kwargs: dict,
                   return_losses: bool = False) -> tuple:
    """`model(*args, **kwargs)` on the given values of its variables, touching nothing of the model.

    Two forms, told apart by `trainable`'s type: Keras's flat lists (`trainable_variables` /
    `non_trainable_variables` values, or the variables themselves) returning the new `non_trainable_variables` as a
    list; or NNX's split state (`params`, `rest` from `model.split()`) returning the new `rest` as a state.

    Returns:
      `(outputs, new non-trainable state)`, and with `return_losses` the list of values the layers gave `add_loss`
      during the call (activity penalties included).

    Raises:
      ValueError: for lists without one entry per variable (Keras's message).
    """
    if isinstance(trainable, nnx.State) or isinstance(non_trainable, nnx.State):
        graphdef, _, _, keep = split_model(model)
        params, rest, layout = trainable, non_trainable, None
    else:
        layout = layout_of(model)
        layout.check_counts(model, trainable, non_trainable)
        graphdef, keep = layout.graphdef, layout.keep
        params, rest = layout.params_state(trainable), layout.rest_state(non_trainable)
    copy = nnx.merge(graphdef, params, rest, copy=True)
    with _added_losses.collect() as added:
        outputs = copy(*args, **kwargs)
    _, _, new_rest = nnx.split(copy, keep, ...)
    if layout is not None:
        new_rest = layout.non_trainable_list(new_rest)
    return (outputs, new_rest, [value for _, value in added]) if return_losses else (outputs, new_rest)
