"""The optimizer's state as Keras stores it (`optimizer/vars/0..n`) and as a kerasish model holds it.

Keras lists an optimizer's variables in `optimizer.variables` order: the iteration count, the learning rate,
then its slots (momentums, velocities, ...) per trainable weight, the weights in `model.trainable_variables`
order. A kerasish optimizer gives that order itself (`Optimizer.state_variables` / `state_from_variables`) for
parameters handed to it as a list; the model's optimizer state is laid out over the model's parameter tree
instead. `keras_values` and `restore` move the arrays between the two layouts: `optax.tree_map_params` tells
which parameter each array of a state belongs to, and the rest of its path which slot it is.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import optax
from flax import nnx

from kerasish.saving.keras_file.values import Unsupported
from kerasish.saving.keras_file.weight_layout import keras_trainable_weights


def _plain_path(path: tuple) -> tuple:
    keys = tuple(getattr(k, "key", getattr(k, "idx", getattr(k, "name", k))) for k in path)
    return keys[:-1] if keys and keys[-1] == "value" else keys


def _keras_permutation(model: Any, params: Any, orders: dict[str, list[str]] | None) -> list[int]:
    """For each weight of Keras's `trainable_variables` order, the index of its leaf in the model's `params`."""
    leaf_of = {_plain_path(path): i for i, (path, _) in enumerate(jax.tree_util.tree_flatten_with_path(params)[0])}
    path_of = {id(node): tuple(path) for path, node in nnx.iter_graph(model) if isinstance(node, nnx.Variable)}
    permutation = []
    for weight in keras_trainable_weights(model, orders):
        index = leaf_of.get(path_of.get(id(weight)))
        if index is None:
            raise Unsupported(f"The trainable weight {getattr(weight, 'shape', '')} of model '{model.name}' is not "
                              f"among the parameters its optimizer trains.")
        permutation.append(index)
    if sorted(permutation) != list(range(len(leaf_of))):
        raise Unsupported(f"Model '{model.name}' trains {len(leaf_of)} parameters, but its layers list "
                          f"{len(permutation)} trainable weights.")
    return permutation


def _relayout(optimizer: Any, state: Any, params_from: Any, params_to: Any, source_of: list[int]) -> Any:
    """`state` (an optimizer state over `params_from`) laid out over `params_to`, whose leaf `k` is leaf
    `source_of[k]` of `params_from`."""
    def marked(tree_state, tree_params):
        markers = jax.tree.unflatten(jax.tree.structure(tree_params), list(range(len(jax.tree.leaves(tree_params)))))
        marks = optax.tree_map_params(optimizer, lambda _, m: m, tree_state, markers,
                                      transform_non_params=lambda _: -1)
        lengths = [len(path) for path, _ in jax.tree_util.tree_flatten_with_path(tree_params)[0]]
        keys = []
        for (path, _), mark in zip(jax.tree_util.tree_flatten_with_path(tree_state)[0], jax.tree.leaves(marks)):
            keys.append((tuple(path[:len(path) - lengths[mark]]) if mark >= 0 else tuple(path), mark))
        return keys

    values = dict(zip(marked(state, params_from), jax.tree.leaves(state)))
    template = optimizer.init(params_to)
    leaves = []
    for prefix, mark in marked(template, params_to):
        leaves.append(values[(prefix, source_of[mark] if mark >= 0 else -1)])
    return jax.tree.unflatten(jax.tree.structure(template), leaves)


def keras_values(model: Any, orders: dict[str, list[str]] | None = None) -> tuple[str, list[np.ndarray]] | None:
    """`(optimizer name, arrays in Keras's order)` of a compiled model's optimizer (a fresh state when it has not
    trained yet), or None when the model has no optimizer a file can describe.

    Raises:
      Unsupported: for an optimizer state that does not fit the model's parameters.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "state_variables") or model.get_compile_config() is None:
        return None
    _, params, _ = model.split()
    state = optimizer.init(params)
    leaves = model.get_optimizer_state()
    if leaves is not None:
        if len(leaves) != len(jax.tree.leaves(state)):
            raise Unsupported(f"The optimizer state of model '{model.name}' ({len(leaves)} arrays) does not fit its "
                              f"optimizer ({len(jax.tree.leaves(state))}).")
        state = jax.tree.unflatten(jax.tree.structure(state), list(leaves))
    permutation = _keras_permutation(model, params, orders)
    flat = jax.tree.leaves(params)
    params_list = [flat[i] for i in permutation]
    variables = optimizer.state_variables(_relayout(optimizer, state, params, params_list, permutation), params_list)
    return optimizer.name, [np.asarray(v.numpy()) for v in variables]


def restore(model: Any, arrays: list[np.ndarray], where: str, orders: dict[str, list[str]] | None = None) -> bool:
    """Gives a compiled model's optimizer the state stored as `arrays` (Keras's order).

    Returns False, changing nothing, when the file's optimizer was never built (only its iteration and learning
    rate were saved, as Keras saves an optimizer that has not run): the model starts with a fresh state, as in Keras.

    Raises:
      ValueError: naming `where` and the variable, for arrays that do not fit the optimizer.
    """
    optimizer = model.optimizer
    _, params, _ = model.split()
    permutation = _keras_permutation(model, params, orders)
    flat = jax.tree.leaves(params)
    params_list = [flat[i] for i in permutation]
    expected = optimizer.state_variables(optimizer.init(params_list), params_list)
    if len(arrays) != len(expected):
        unbuilt = optimizer.state_variables(optimizer.init([]), [])
        if len(arrays) == len(unbuilt):
            return False
        raise ValueError(f"{where} holds {len(arrays)} optimizer variables, but optimizer {optimizer.name!r} has "
                         f"{len(expected)} for this model: the file was saved with another optimizer or model.")
    cast = []
    for i, (array, variable) in enumerate(zip(arrays, expected)):
        array = np.asarray(array)
        if array.shape != tuple(variable.shape):
            raise ValueError(f"{where}/{i} ({variable.name}) has shape {array.shape}, but optimizer "
                             f"{optimizer.name!r} expects {tuple(variable.shape)}.")
        cast.append(array.astype(variable.dtype))
    state = optimizer.state_from_variables(cast, params_list)
    inverse = [0] * len(permutation)
    for k, leaf in enumerate(permutation):
        inverse[leaf] = k
    model.set_optimizer_state(jax.tree.leaves(_relayout(optimizer, state, params_list, params, inverse)))
    return True
