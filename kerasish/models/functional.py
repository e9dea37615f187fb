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

import kerasish.layers.symbolic as _symbolic
from kerasish.layers.base import Layer
from kerasish.layers.call_arguments import accepts_argument
from kerasish.layers.core import InputLayer
from kerasish.layers.serialization import deserialize, serialize
from kerasish.shapes import mask_leaves


class FunctionalGraph:
    """The static plan of a functional model, and what runs it.

    Attributes:
      inputs: the input structure (a tensor id, or a list / dict of them).
      steps: `(layer index, input structure of tensor ids, output structure of tensor ids, keyword
        arguments)` in order; the keyword arguments are `{}` or `{"tensors": {name: tensor ids},
        "constants": {name: value}}` (an RNN's symbolic `initial_state`, `use_causal_mask=True`).
      outputs: the output structure of tensor ids.
      output_names: the names of the layers producing the outputs (or the dict keys).
      tensors: `(inputs, outputs)` as given to `ks.Model` (what `model.inputs` / `model.outputs` read).
    """

    def __init__(self, inputs: Any, steps: list, outputs: Any, output_names: list[str], tensors: tuple) -> None:
        self.inputs, self.steps, self.outputs, self.output_names = inputs, steps, outputs, output_names
        self.tensors = tensors

    @classmethod
    def trace(cls, inputs: Any, outputs: Any) -> tuple[FunctionalGraph, list[Layer]]:
        """`(graph, layers)` from symbolic `inputs` and `outputs`: the nodes walked back from the outputs into a
        plan, and the layers it runs (the Input layers first).

        Raises:
          ValueError / TypeError: for inputs that are not `ks.Input` tensors, or outputs not made by layers or
            depending on an Input that is not among `inputs`.
        """
        if inputs is None or outputs is None:
            raise ValueError("A functional Model needs both `inputs` and `outputs`: ks.Model(inputs, outputs).")
        input_tensors = _symbolic.leaves(inputs)
        input_layers = [_input_layer(t, "inputs") for t in input_tensors]
        for t in _symbolic.leaves(outputs):
            if not _symbolic.is_symbolic(t):
                raise ValueError(f"All `outputs` values must be KerasTensors (symbolic tensors returned by layers). "
                                 f"Received: outputs={outputs!r} including {t!r}")
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
        return cls(ids(inputs), steps, ids(outputs), names, (inputs, outputs)), layers

    def shapes(self) -> tuple[Any, Any]:
        """`(input shapes, output shapes)` of the symbolic tensors the graph was traced from."""
        shapes = lambda tree: _symbolic.tree_map(lambda t: t.shape, tree)
        return shapes(self.tensors[0]), shapes(self.tensors[1])

    def _bind_masks(self, model_name: str, mask: Any) -> dict[int, Any]:
        """The input masks by tensor id: `mask` mirrors the inputs (one mask, or a list / dict of masks)."""
        structure = self.inputs
        if mask is None:
            return {}
        if isinstance(structure, int):
            return {structure: mask}
        if isinstance(structure, dict) and isinstance(mask, dict):
            return {structure[k]: mask.get(k) for k in structure}
        ids, masks = jax.tree.leaves(structure), mask_leaves(mask)
        if not isinstance(mask, (list, tuple)) or len(masks) != len(ids):
            raise ValueError(f"Argument `mask` of model '{model_name}' must have one mask (or None) per input, "
                             f"{len(ids)} in all, received {mask!r}.")
        return dict(zip(ids, masks))

    def _bind_inputs(self, model_name: str, layers: list, x: Any) -> dict[int, Any]:
        structure = self.inputs
        if isinstance(structure, int):
            if isinstance(x, (list, tuple)) and len(x) != 1:
                raise ValueError(f'Layer "{model_name}" expects 1 input(s), but it received {len(x)} input tensors.')
            return {structure: x[0] if isinstance(x, (list, tuple)) else x}
        if isinstance(structure, dict):
            if not isinstance(x, dict):
                raise ValueError(f"Model '{model_name}' takes a dict of inputs with keys {sorted(structure)}, "
                                 f"received {type(x).__name__}.")
            return {structure[k]: x[k] for k in structure}
        names = [layer.name for layer in layers[:len(structure)]]
        if isinstance(x, dict) and set(x) == set(names):  # inputs given by their Input names, as Keras allows
            return {i: x[name] for i, name in zip(structure, names)}
        if not isinstance(x, (list, tuple)) or len(x) != len(structure):
            count = len(x) if isinstance(x, (list, tuple)) else 1
            raise ValueError(f'Layer "{model_name}" expects {len(structure)} input(s), but it received {count} input '
                             f"tensors (a list or tuple of {len(structure)} arrays is expected, received "
                             f"{type(x).__name__}).")
        return dict(zip(structure, x))

    def run(self, model_name: str, layers: list, x: Any, training: bool, mask: Any = None) -> tuple[Any, Any]:
        """Runs the plan with `layers` on concrete (or traced) inputs; returns the outputs and their masks (None:
        no mask).

        Masks flow as in Keras: each layer gets the masks of its inputs and its `compute_mask` gives those
        of its outputs (see `Layer.compute_mask`).
        """
        values = self._bind_inputs(model_name, layers, x)
        masks = self._bind_masks(model_name, mask)
        for layer, i in zip(layers, jax.tree.leaves(self.inputs)):
            if values[i] is None and not layer.optional:
                raise ValueError(f"Model '{model_name}' received None for its input '{layer.name}', which is not "
                                 f"optional: only an Input made with `optional=True` may be None.")
            if values[i] is not None:
                values[i] = layer.standardize_rank(values[i])
                layer.check_input_shape(tuple(values[i].shape))
        for layer_index, input_ids, output_ids, *keywords in self.steps:
            args = jax.tree.map(lambda i: values[i], input_ids)
            arg_masks = jax.tree.map(lambda i: masks.get(i), input_ids)
            if all(m is None for m in mask_leaves(arg_masks)):
                arg_masks = None
            kwargs = _keyword_values(keywords[0], values) if keywords else {}
            layer = layers[layer_index]
            if keywords:
                _keyword_masks(layer, keywords[0], masks, kwargs)
            arg_masks = kwargs.pop("mask", arg_masks)  # a mask the model's code gave the layer wins
            recorded = kwargs.pop("training", None)  # `layer(x, training=True)`: when the model's own is None
            result, result_mask = layer.call_with_mask(args, training=recorded if training is None else training,
                                                       mask=arg_masks, **kwargs)
            output_ids = jax.tree.leaves(output_ids)
            result_masks = mask_leaves(result_mask)
            result_masks = (result_masks + [None] * len(output_ids))[:len(output_ids)]  # zipped in order, as Keras
            for i, value, value_mask in zip(output_ids, jax.tree.leaves(result), result_masks):
                values[i] = value
                if value_mask is not None:
                    masks[i] = value_mask
        outputs = jax.tree.map(lambda i: values[i], self.outputs)
        output_masks = jax.tree.map(lambda i: masks.get(i), self.outputs)
        if all(m is None for m in mask_leaves(output_masks)):
            output_masks = None
        return outputs, output_masks

    def edges(self) -> list[tuple[int, int]]:
        """The `(from layer, to layer)` index pairs of the plan (what `plot_model` draws)."""
        producer = {tensor_id: i for i, tensor_id in enumerate(jax.tree.leaves(self.inputs))}
        edges: list[tuple[int, int]] = []
        for step in self.steps:
            layer_index, input_ids, output_ids = step[:3]
            keyword_ids = step[3].get("tensors", {}) if len(step) > 3 else {}
            for tensor_id in jax.tree.leaves([input_ids, keyword_ids]):
                edge = (producer[tensor_id], layer_index)
                if edge not in edges:
                    edges.append(edge)
            for tensor_id in jax.tree.leaves(output_ids):
                producer[tensor_id] = layer_index
        return edges

    def config(self, name: str, trainable: bool, layers: list) -> dict[str, Any]:
        """The JSON-able description of the functional model: its layers and its plan."""
        return {"name": name, "trainable": trainable, "layers": [serialize(layer) for layer in layers],
                "inputs": self.inputs, "steps": [list(step) for step in self.steps], "outputs": self.outputs}


class SublayersUnlessSet:
    """`model.layers` of a subclassed model: its direct sublayers in assignment order, as in Keras. A non-data
    descriptor, so the `layers` a Sequential or functional model sets on itself is found first."""

    def __get__(self, model: Any, owner: type | None = None) -> Any:
        return self if model is None else list(model.sublayers())


def _input_layer(tensor: Any, argument: str) -> InputLayer:
    if not _symbolic.is_symbolic(tensor):
        raise ValueError(f"All `{argument}` values must be KerasTensors (from ks.Input(...)). Received: {tensor!r}")
    layer = tensor.node.layer if tensor.node is not None else None
    if not isinstance(layer, InputLayer):
        raise ValueError(f"Argument `{argument}` of Model must hold tensors made by ks.Input(...), received "
                         f"{tensor!r}; pass the Input itself, not a layer's output.")
    return layer


def _keyword_ids(node) -> dict[str, Any]:
    """A node's keyword arguments for the plan: symbolic tensors by id, the rest as constants."""
    if not node.kwargs:
        return {}
    tensors = {k: v for k, v in node.kwargs.items() if _symbolic.any_symbolic(v)}
    return {"tensors": {k: _symbolic.tree_map(lambda t: t.id, v) for k, v in tensors.items()},
            "constants": {k: v for k, v in node.kwargs.items() if k not in tensors}}


def _keyword_masks(layer: Layer, keywords: dict[str, Any], masks: dict[int, Any], kwargs: dict[str, Any]) -> None:
    """Keras's rule for a layer called with several tensors: the mask of the tensor given as `<name>` goes to
    `call`'s `<name>_mask` (MultiHeadAttention's `value_mask`), when `call` takes it and the call gave none."""
    for name, ids in keywords.get("tensors", {}).items():
        tensor_masks = mask_leaves(jax.tree.map(lambda i: masks.get(i), ids))
        if (name != "mask" and kwargs.get(f"{name}_mask") is None and any(m is not None for m in tensor_masks)
                and accepts_argument(layer, f"{name}_mask")):
            kwargs[f"{name}_mask"] = tensor_masks[0] if len(tensor_masks) == 1 else tensor_masks


def _keyword_values(keywords: dict[str, Any], values: dict[int, Any]) -> dict[str, Any]:
    tensors = {k: jax.tree.map(lambda i: values[i], ids) for k, ids in keywords.get("tensors", {}).items()}
    return {**keywords.get("constants", {}), **tensors}


def symbolic_io_from_config(config: dict[str, Any]) -> tuple[Any, Any]:
    """`(inputs, outputs)`: symbolic tensors made by replaying a functional config's plan on new Inputs (what
    `ks.Model(inputs, outputs)` rebuilds the model from).

    Raises:
      ValueError: for a config that is not a functional model's, naming what is wrong.
    """
    for key in ("layers", "inputs", "steps", "outputs"):
        if key not in config:
            raise ValueError(f"A functional model config must hold {key!r}; it has {sorted(config)}.")
    if not isinstance(config["layers"], list) or not isinstance(config["steps"], list):
        raise ValueError("A functional model config's `layers` and `steps` must be lists.")
    layers = [deserialize(spec) for spec in config["layers"]]
    for layer in layers[:len(jax.tree.leaves(config["inputs"]))]:
        if not isinstance(layer, InputLayer):
            raise ValueError(f"A functional model config lists {type(layer).__name__} where an InputLayer belongs.")
    return replay(layers, config["inputs"], config["steps"], config["outputs"])


def replay(layers: list, inputs: Any, steps: list, outputs: Any, input_tensors: Any = None,
           call_function: Any = None) -> tuple[Any, Any]:
    """`(inputs, outputs)`: the plan of a functional graph (`FunctionalGraph`'s `inputs`, `steps`, `outputs`) run
    on symbolic tensors with `layers` (the Input layers first): new Inputs, or the symbolic `input_tensors` given
    (one per input, in order). `call_function(layer, *args, **kwargs)` makes each call instead of the layer itself
    (Keras's `clone_model(call_function=...)`).

    Raises:
      ValueError: for a plan that refers to a layer or tensor it does not have, or input tensors that do not
        match the inputs.
    """
    tensors: dict[int, Any] = {}
    input_ids = jax.tree.leaves(inputs)
    given = None if input_tensors is None else _symbolic.leaves(input_tensors)
    if given is not None and len(given) != len(input_ids):
        raise ValueError(f"Argument `input_tensors` must hold {len(input_ids)} symbolic tensor(s), one per input of "
                         f"the model, received {len(given)}.")
    call = call_function or (lambda layer, *args, **kwargs: layer(*args, **kwargs))
    try:
        for n, (layer, tensor_id) in enumerate(zip(layers, input_ids)):
            tensors[tensor_id] = layer.symbolic_input() if given is None else given[n]
        for layer_index, input_ids_of_step, output_ids, *keywords in steps:  # older files: 3 entries
            kwargs = _keyword_values(keywords[0], tensors) if keywords else {}
            result = call(layers[layer_index], jax.tree.map(lambda i: tensors[i], input_ids_of_step), **kwargs)
            for i, tensor in zip(jax.tree.leaves(output_ids), _symbolic.leaves(result)):
                tensors[i] = tensor
        pick = lambda structure: jax.tree.map(lambda i: tensors[i], structure)
        return (pick(inputs) if given is None else input_tensors), pick(outputs)
    except (KeyError, IndexError, TypeError) as err:
        raise ValueError(f"A functional model's plan refers to a layer or tensor it does not have "
                         f"({type(err).__name__}: {err}).") from None
