"""`SplitCache`: a model's split into pure pytrees, kept between calls while its structure does not change.

Every `fit`, `evaluate` and `predict` needs the model's weights as the pytrees the compiled steps take, and needs
to know that the model still has the structure the steps were compiled for. `nnx.split` and `nnx.graphdef`
answer both by walking the whole object graph, which costs a call a few hundred microseconds for the smallest
model and grows with the number of layers. Between two calls the structure rarely changes, so this cache walks
the graph once and then only checks it:

- the **snapshot** holds, for every node of the graph (layers, lists, dicts), the objects its attributes are
  bound to, and for every variable its metadata. A structural change rebinds an attribute somewhere (building a
  layer, freezing one, replacing a weight, setting a static option such as a dropout rate), so comparing the
  bindings by identity finds it. A rebinding that keeps the structure (an equal value) only costs a full check.
- the **variables** of the split, in the order of the pytrees' leaves: reading their current values and
  rebuilding the pytrees with the cached tree structure gives what `nnx.split` would, and writing the values of
  a state with that structure back is what `nnx.update` would do.

When the snapshot does not match, every method falls back to `nnx.split` / `nnx.update`, so the cache can only
make a call faster, never give it other values.
"""

from __future__ import annotations

import operator
from typing import Any

import jax
from flax import nnx
from flax.nnx import graphlib


def _contents(node: Any) -> Any:
    """The live container of one graph node's bindings: its attribute dict, the list or dict itself, or None for a
    node that cannot change (a tuple) or is checked by its metadata (a variable)."""
    if isinstance(node, (tuple, nnx.Variable)):
        return None
    if hasattr(node, "__dict__"):
        return vars(node)
    if isinstance(node, (list, dict)):
        return node
    impl = graphlib.get_node_impl(node)  # another pytree type: its children, read afresh each time
    return None if impl is None else (lambda: impl.node_dict(node))


def _unchanged(container: Any, keys: tuple, values: tuple) -> bool:
    if callable(container):
        container = container()
    if len(container) != len(values):
        return False
    if isinstance(container, list):
        return all(map(operator.is_, container, values))
    return all(map(operator.is_, container.values(), values)) and all(map(operator.is_, container, keys))


class SplitCache:
    """The split `(graphdef, params, rest)` of `model` under the filter `keep`, kept while the model's structure
    does not change.

    Args:
      model: the model (any `flax.nnx` graph node).
      keep: the `nnx` filter of the first state (the trainable weights); the second holds everything else.

    Attributes:
      graphdef: the model's graph definition when the cache was made (or last refreshed).

    Example:
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
      >>> cache = SplitCache(model, nnx.Param)
      >>> params, rest = cache.states()
      >>> cache.unchanged(), [a.shape for a in jax.tree.leaves(params)]
      (True, [(2,), (3, 2)])
      >>> model.layers[0].units = 4  # a static attribute: the compiled steps no longer fit
      >>> cache.unchanged()
      False
    """

    def __init__(self, model: Any, keep: Any) -> None:
        self.model, self.keep = model, keep
        self.refresh()

    def refresh(self) -> nnx.GraphDef:
        """Walks the model again: a new snapshot, variables and tree structure. Returns the graph definition."""
        graphdef, params, rest = nnx.split(self.model, self.keep, ...)
        self.graphdef = graphdef
        self._treedef = jax.tree.structure((params, rest))
        variables: dict[tuple, nnx.Variable] = {}
        self._bindings: list[tuple] = []  # (container, its keys, the objects bound), compared by identity
        self._metadata: list[tuple] = []  # (variable, its metadata), compared by value
        for path, node in nnx.iter_graph(self.model):
            if isinstance(node, nnx.Variable):
                variables[path] = node
                self._metadata.append((node, node.get_metadata()))
            elif graphlib.is_node(node) and (container := _contents(node)) is not None:
                live = container() if callable(container) else container
                keys = () if isinstance(live, list) else tuple(live)
                values = tuple(live) if isinstance(live, list) else tuple(live.values())
                self._bindings.append((container, keys, values))
        self._variables: list | None = []
        for keypath, _ in jax.tree_util.tree_flatten_with_path((params, rest))[0]:
            path = tuple(getattr(k, "key", getattr(k, "idx", None)) for k in keypath[1:-1])
            if path not in variables:  # a leaf that is not a variable's value: no fast path for this model
                self._variables = None
                break
            self._variables.append(variables[path])
        return graphdef

    def unchanged(self) -> bool:
        """Whether no node of the model was rebound since the snapshot (so its graph definition is the same)."""
        return all(_unchanged(*entry) for entry in self._bindings) and all(
            variable.get_metadata() == metadata for variable, metadata in self._metadata)

    def states(self) -> tuple[Any, Any]:
        """`(params, rest)`: the model's current values, as `nnx.split(model, keep, ...)` gives them."""
        if self._variables is None or not self.unchanged():
            _, params, rest = nnx.split(self.model, self.keep, ...)
            return params, rest
        return jax.tree.unflatten(self._treedef, [v.get_raw_value() for v in self._variables])

    def write(self, params: Any, rest: Any) -> None:
        """Puts the values of `params` and `rest` into the model's variables (as `nnx.update(model, params,
        rest)`)."""
        if self._variables is not None and self.unchanged():
            leaves, treedef = jax.tree.flatten((params, rest))
            if treedef == self._treedef:
                for variable, value in zip(self._variables, leaves):
                    variable.set_raw_value(value)
                return
        nnx.update(self.model, params, rest)
