"""The functional API: `ks.Model(inputs, outputs)` from layers called on symbolic tensors.

    inputs = ks.Input((64,))
    hidden = ks.layers.Dense(32, activation="relu")(inputs)
    outputs = ks.layers.Dense(10, activation="softmax")(hidden)
    model = ks.Model(inputs, outputs)

The calls recorded `Node`s; here they are walked back from the outputs into a static plan (which
layer runs on which tensors, in order). The model holds its layers in `model.layers` (an
`nnx.List`, so their weights are the model's state) and the plan as plain integers, so the graph
definition stays static under `jax.jit`. A layer called twice (shared weights) appears once in
`layers` and twice in the plan.
"""

from __future__ import annotations

from typing import Any

import jax
from flax import nnx

from kerasish.layers import symbolic as _symbolic
from kerasish.layers.base import Layer
from kerasish.layers.core import InputLayer
from kerasish.shapes import mask_leaves


class Graph:
    """The static plan of a functional model.

    Attributes:
      inputs: the input structure (a tensor id, or a list / dict of them).
      steps: `(layer index, input structure of tensor ids, output structure of tensor ids, keyword
        arguments)` in order; the keyword arguments are `{}` or `{"tensors": {name: tensor ids},
        "constants": {name: value}}` (an RNN's symbolic `initial_state`, `use_causal_mask=True`).
      outputs: the output structure of tensor ids.
      output_names: the names of the layers producing the outputs (or the dict keys).
    """

    def __init__(self, inputs: Any, steps: list, outputs: Any, output_names: list[str]) -> None:
        self.inputs, self.steps, self.outputs, self.output_names = inputs, steps, outputs, output_names


def _input_layer(tensor: Any, argument: str) -> InputLayer:
    if not _symbolic.is_symbolic(tensor):
        raise TypeError(f"Argument `{argument}` of Model must hold tensors from ks.Input(...), received {tensor!r}.")
    layer = tensor.node.layer if tensor.node is not None else None
    if not isinstance(layer, InputLayer):
        raise ValueError(f"Argument `{argument}` of Model must hold tensors made by ks.Input(...), received "
                         f"{tensor!r}; pass the Input itself, not a layer's output.")
    return layer


def init_functional(model, inputs: Any, outputs: Any) -> None:
    """Builds `model`'s layers and plan from symbolic `inputs` and `outputs` (called by Model.__init__)."""
    if inputs is None or outputs is None:
        raise ValueError("A functional Model needs both `inputs` and `outputs`: ks.Model(inputs, outputs).")
    input_tensors = _symbolic.leaves(inputs)
    input_layers = [_input_layer(t, "inputs") for t in input_tensors]
    for t in _symbolic.leaves(outputs):
        if not _symbolic.is_symbolic(t):
            raise TypeError(f"Argument `outputs` of Model must hold tensors returned by layers, received {t!r}.")
    known = {t.id for t in input_tensors}
    order: list = []
    seen: set[int] = set()

    def visit(tensor) -> None:
        if tensor.id in known:
            return
        node = tensor.node
        if isinstance(node.layer, InputLayer):
            raise ValueError(f"Output {tensor!r} depends on Input '{node.layer.name}', which is not in `inputs`.")
        if id(node) in seen:
            return
        for parent in node.parents():
            visit(parent)
        seen.add(id(node))
        order.append(node)
        known.update(t.id for t in _symbolic.leaves(node.outputs))

    for tensor in _symbolic.leaves(outputs):
        visit(tensor)

    layers: list[Layer] = list(input_layers)
    for node in order:
        if not any(node.layer is existing for existing in layers):
            layers.append(node.layer)
    index = {id(layer): i for i, layer in enumerate(layers)}
    ids = lambda tree: _symbolic.tree_map(lambda t: t.id, tree)
    steps = [(index[id(node.layer)], ids(node.inputs), ids(node.outputs), _keyword_ids(node)) for node in order]
    if isinstance(outputs, dict):
        names = list(outputs)
    else:
        names = [t.node.layer.name for t in _symbolic.leaves(outputs)]
        if len(set(names)) != len(names):  # one layer giving several outputs
            names = [f"{name}_{i}" for i, name in enumerate(names)]
    model.layers = nnx.List(layers)
    model._graph = Graph(ids(inputs), steps, ids(outputs), names)
    shapes = lambda tree: _symbolic.tree_map(lambda t: t.shape, tree)
    model.input_shape = shapes(inputs)
    model.output_shape = shapes(outputs)
    model.built = True


def _keyword_ids(node) -> dict[str, Any]:
    """A node's keyword arguments for the plan: symbolic tensors by id, the rest as constants."""
    if not node.kwargs:
        return {}
    tensors = {k: v for k, v in node.kwargs.items() if _symbolic.any_symbolic(v)}
    return {"tensors": {k: _symbolic.tree_map(lambda t: t.id, v) for k, v in tensors.items()},
            "constants": {k: v for k, v in node.kwargs.items() if k not in tensors}}


def _keyword_values(keywords: dict[str, Any], values: dict[int, Any]) -> dict[str, Any]:
    tensors = {k: jax.tree.map(lambda i: values[i], ids) for k, ids in keywords.get("tensors", {}).items()}
    return {**keywords.get("constants", {}), **tensors}


def _bind_masks(model, mask: Any) -> dict[int, Any]:
    """The input masks by tensor id: `mask` mirrors the inputs (one mask, or a list / dict of masks)."""
    structure = model._graph.inputs
    if mask is None:
        return {}
    if isinstance(structure, int):
        return {structure: mask}
    if isinstance(structure, dict) and isinstance(mask, dict):
        return {structure[k]: mask.get(k) for k in structure}
    ids, masks = jax.tree.leaves(structure), mask_leaves(mask)
    if not isinstance(mask, (list, tuple)) or len(masks) != len(ids):
        raise ValueError(f"Argument `mask` of model '{model.name}' must have one mask (or None) per input, "
                         f"{len(ids)} in all, received {mask!r}.")
    return dict(zip(ids, masks))


def _bind_inputs(model, x: Any) -> dict[int, Any]:
    structure = model._graph.inputs
    if isinstance(structure, int):
        return {structure: x[0] if isinstance(x, (list, tuple)) and len(x) == 1 else x}
    if isinstance(structure, dict):
        if not isinstance(x, dict):
            raise ValueError(f"Model '{model.name}' takes a dict of inputs with keys {sorted(structure)}, "
                             f"received {type(x).__name__}.")
        return {structure[k]: x[k] for k in structure}
    names = [layer.name for layer in model.layers[:len(structure)]]
    if isinstance(x, dict) and set(x) == set(names):  # inputs given by their Input names, as Keras allows
        return {i: x[name] for i, name in zip(structure, names)}
    if not isinstance(x, (list, tuple)) or len(x) != len(structure):
        raise ValueError(f"Model '{model.name}' takes {len(structure)} inputs (a list or tuple), received "
                         f"{type(x).__name__}" + (f" of length {len(x)}" if isinstance(x, (list, tuple)) else "")
                         + ".")
    return dict(zip(structure, x))


def _check_inputs(model, values: dict[int, Any]) -> None:
    input_ids = jax.tree.leaves(model._graph.inputs)
    for layer, i in zip(model.layers, input_ids):
        layer.check_input_shape(tuple(values[i].shape))


def run_graph(model, x: Any, training: bool, mask: Any = None) -> tuple[Any, Any]:
    """Runs the plan on concrete (or traced) inputs; returns the outputs and their masks (None: no mask).

    Masks flow as in Keras: each layer gets the masks of its inputs and its `compute_mask` gives those
    of its outputs (see `Layer.compute_mask`).
    """
    values = _bind_inputs(model, x)
    masks = _bind_masks(model, mask)
    _check_inputs(model, values)
    for layer_index, input_ids, output_ids, *keywords in model._graph.steps:
        args = jax.tree.map(lambda i: values[i], input_ids)
        arg_masks = jax.tree.map(lambda i: masks.get(i), input_ids)
        if all(m is None for m in mask_leaves(arg_masks)):
            arg_masks = None
        kwargs = _keyword_values(keywords[0], values) if keywords else {}
        result, result_mask = model.layers[layer_index]._call_with_mask(args, training=training, mask=arg_masks,
                                                                        **kwargs)
        output_ids = jax.tree.leaves(output_ids)
        result_masks = mask_leaves(result_mask)
        result_masks = (result_masks + [None] * len(output_ids))[:len(output_ids)]  # zipped in order, as Keras
        for i, value, value_mask in zip(output_ids, jax.tree.leaves(result), result_masks):
            values[i] = value
            if value_mask is not None:
                masks[i] = value_mask
    outputs = jax.tree.map(lambda i: values[i], model._graph.outputs)
    output_masks = jax.tree.map(lambda i: masks.get(i), model._graph.outputs)
    if all(m is None for m in mask_leaves(output_masks)):
        output_masks = None
    return outputs, output_masks


def functional_config(model) -> dict[str, Any]:
    """The JSON-able description of a functional model: its layers and its plan."""
    from kerasish.saving.model_file import serialize_layer
    graph = model._graph
    return {"name": model.name, "trainable": model.trainable,
            "layers": [serialize_layer(layer) for layer in model.layers],
            "inputs": graph.inputs, "steps": [list(step) for step in graph.steps], "outputs": graph.outputs}


def functional_from_config(cls, config: dict[str, Any]):
    """Rebuilds a functional model by replaying its plan on symbolic inputs."""
    from kerasish.saving.model_file import deserialize_layer
    layers = [deserialize_layer(spec) for spec in config["layers"]]
    tensors: dict[int, Any] = {}
    for layer, tensor_id in zip(layers, jax.tree.leaves(config["inputs"])):
        if not isinstance(layer, InputLayer):
            raise ValueError(f"A functional model file lists {type(layer).__name__} where an InputLayer belongs.")
        tensor = _symbolic.SymbolicTensor((None,) + layer.sample_shape, layer.input_dtype)
        _symbolic.Node(layer, None, tensor)
        tensors[tensor_id] = tensor
    for layer_index, input_ids, output_ids, *keywords in config["steps"]:  # files before keywords: 3 entries
        kwargs = _keyword_values(keywords[0], tensors) if keywords else {}
        result = layers[layer_index](jax.tree.map(lambda i: tensors[i], input_ids), **kwargs)
        for i, tensor in zip(jax.tree.leaves(output_ids), _symbolic.leaves(result)):
            tensors[i] = tensor
    pick = lambda structure: jax.tree.map(lambda i: tensors[i], structure)
    return cls(pick(config["inputs"]), pick(config["outputs"]), name=config.get("name"),
               trainable=config.get("trainable", True))
