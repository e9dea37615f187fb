"""kerasish's models as Keras's model configs: the other way of `graph_from_keras` (see its docstring).

Keras orders a functional model's operations by depth (`keras/src/ops/function.py`, `map_graph`); a file
written here lists them in that order (`keras_order`), which is also the order a `.keras` weights file names
layers in. An `OpLayer` becomes Keras's op class (`add` -> `keras.src.ops.numpy.Add`): the constants Keras takes
in the op's constructor (`cast`'s dtype, `sum`'s axis) are its config, the data it takes in `call` its arguments.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

import kerasish.saving.keras_file.layer_configs as layer_configs
import kerasish.saving.keras_file.values as values
from kerasish import ops as _ops
from kerasish import registry
from kerasish.layers import symbolic as _symbolic
from kerasish.layers.serialization import serialize
from kerasish.saving.keras_file.graph_from_keras import FUNCTIONAL
from kerasish.saving.keras_file.values import Unsupported

_OP_NAMESPACES = ("numpy", "nn", "math", "core", "image", "linalg")


def model_to_keras(layer: Any, where: str) -> dict[str, Any]:
    """A kerasish layer or model (the object) as Keras's entry; models recursively."""
    spec = serialize(layer)
    if spec["class_name"] == "Sequential":
        return _sequential_to_keras(layer, spec, where)
    if spec["class_name"] == "Model" and is_functional_model(layer):
        entry = values.keras_object(*FUNCTIONAL, functional_to_keras(layer, spec["config"], where), "Functional")
        entry["build_config"] = {"input_shape": None}
        return entry
    return layer_configs.entry_to_keras(spec, where)


def _sequential_to_keras(model: Any, spec: dict[str, Any], where: str) -> dict[str, Any]:
    layers = ([model.input_layer] if getattr(model, "input_layer", None) is not None else []) + list(model.layers)
    shape = values.plain_to_keras(model.input_shape) if model.built else None
    config = {"name": model.name, "trainable": model.trainable, "dtype": values.policy_to_keras("float32"),
              "layers": [model_to_keras(layer, f"{where} layer {layer.name!r}") for layer in layers]}
    if shape is not None:
        config["build_input_shape"] = shape
    entry = values.keras_object("keras", "Sequential", config)
    if shape is not None:
        entry["build_config"] = {"input_shape": shape}
    return entry


def _tensor_specs(model: Any) -> dict[int, Any]:
    """`{tensor id: symbolic tensor}` for every tensor of a functional model's graph."""
    found: dict[int, Any] = {}
    stack = list(_symbolic.leaves(model.graph.tensors[1])) + list(_symbolic.leaves(model.graph.tensors[0]))
    while stack:
        tensor = stack.pop()
        if tensor.id in found:
            continue
        found[tensor.id] = tensor
        if tensor.node is not None:
            stack.extend(_symbolic.leaves(tensor.node.outputs))
            stack.extend(tensor.node.parents())
    return found


def _leaves(structure: Any) -> list:
    if isinstance(structure, dict):
        return [x for v in structure.values() for x in _leaves(v)]
    if isinstance(structure, (list, tuple)):
        return [x for v in structure for x in _leaves(v)]
    return [structure]


def is_functional_model(layer: Any) -> bool:
    """Whether `layer` is a functional model (`ks.Model(inputs, outputs)`): kerasish's Model with a graph."""
    return registry.builtin_name("layers", type(layer)) == "Model" and getattr(layer, "graph", None) is not None


def functional_to_keras(model: Any, config: dict[str, Any], where: str) -> dict[str, Any]:
    """kerasish's functional model config (and the model, for its layers and tensor shapes) as Keras's
    `Functional` config, operations in Keras's order."""
    layers = list(model.layers)
    tensors = _tensor_specs(model)
    producer: dict[int, tuple[str, int, int]] = {}
    calls: dict[int, list] = {i: [] for i in range(len(layers))}
    for tensor_id, layer in zip(_leaves(config["inputs"]), layers):  # the Input layers come first, in order
        producer[tensor_id] = (layer.name, 0, 0)
    for step in config["steps"]:
        layer_index, input_ids, output_ids = step[:3]
        layer = layers[layer_index]
        number = len(calls[layer_index])
        calls[layer_index].append(step)
        for t, tensor_id in enumerate(_leaves(output_ids)):
            producer[tensor_id] = (layer.name, number, t)

    def keras_tensor(tensor_id: int) -> dict[str, Any]:
        tensor = tensors.get(tensor_id)
        shape = list(tensor.shape) if tensor is not None else None
        dtype = tensor.dtype.name if tensor is not None else "float32"
        return {"class_name": "__keras_tensor__",
                "config": {"shape": shape, "dtype": dtype, "keras_history": list(producer[tensor_id])}}

    entries = []
    for i in keras_order(layers, config):
        layer = layers[i]
        place = f"{where} layer {layer.name!r}"
        if type(layer).__name__ == "OpLayer":
            entry, nodes = _op_to_keras(layer, calls[i], keras_tensor, place)
        else:
            entry = model_to_keras(layer, place)
            nodes = [_call_to_keras(layer, step, keras_tensor) for step in calls[i]]
        entry["name"] = layer.name
        entry["inbound_nodes"] = nodes
        entries.append(entry)
    def ref(tensor_id: int) -> list:  # a nested functional model's calls count from 1 here (see `_resolve`)
        name, number, tensor = producer[tensor_id]
        return [name, number + (1 if is_functional_model(model.get_layer(name)) else 0), tensor]

    return {"name": config["name"], "trainable": config["trainable"], "layers": entries,
            "input_layers": _map_ids(config["inputs"], ref), "output_layers": _map_ids(config["outputs"], ref)}


def _map_ids(structure: Any, fn) -> Any:
    if isinstance(structure, dict):
        return {k: _map_ids(v, fn) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_map_ids(v, fn) for v in structure]
    return fn(structure)


def _call_to_keras(layer: Any, step: list, keras_tensor) -> dict[str, Any]:
    input_ids = step[1]
    keywords = step[3] if len(step) > 3 else {}
    args = [_map_ids(input_ids, keras_tensor)]
    kwargs: dict[str, Any] = {}
    if type(layer).__name__ == "MultiHeadAttention" and isinstance(input_ids, list):
        args = [keras_tensor(input_ids[0]), keras_tensor(input_ids[1])]
        if len(input_ids) == 3:
            kwargs["key"] = keras_tensor(input_ids[2])
    for name, ids in keywords.get("tensors", {}).items():
        kwargs[name] = _map_ids(ids, keras_tensor)
    for name, value in keywords.get("constants", {}).items():
        kwargs[name] = values.plain_to_keras(value)
    return {"args": args, "kwargs": kwargs}


def _op_to_keras(layer: Any, steps: list, keras_tensor, place: str) -> tuple[dict[str, Any], list]:
    """An OpLayer as Keras's op entry: keyword constants are the op's config, the rest its call's arguments."""
    name = registry.get_registered_name(layer.op)
    namespace = next((ns for ns in _OP_NAMESPACES if getattr(getattr(_ops, ns), name, None) is layer.op), None)
    if namespace is None:
        raise Unsupported(f"{place}: op {name!r} is not one of Keras's (kerasish.ops.numpy / nn / math / core / "
                          f"image / linalg), so Keras could not load it.")
    class_name = "".join(part[:1].upper() + part[1:] for part in name.split("_"))
    config = {"name": layer.name}
    nodes = []
    positional, keywords = _split_op_arguments(layer.op, layer.arguments.args, layer.arguments.kwargs)
    for step in steps:
        ids = _leaves(step[1])
        args = [_op_argument(a, ids, keras_tensor) for a in positional]
        kwargs = {}
        for key, value in keywords.items():
            if _has_input(value) or key in _CALL_ARGUMENTS:
                kwargs[key] = _op_argument(value, ids, keras_tensor)
            else:
                config[key] = values.plain_to_keras(value)
        nodes.append({"args": args, "kwargs": kwargs})
    return values.keras_object(f"keras.src.ops.{namespace}", class_name, config, class_name), nodes


#: Parameters Keras's op classes take in `call` even when a constant is given (`multiply(x, 2.0)`,
#: `x[:, :1]`); the other constants are their constructor's arguments (`cast(x, "float32")`: `Cast(dtype)`).
_CALL_ARGUMENTS = {"x", "x1", "x2", "x3", "y", "a", "b", "key", "inputs", "xs", "condition", "elements",
                   "test_elements", "indices", "values", "updates"}


def _split_op_arguments(op: Any, args: tuple, kwargs: dict[str, Any]) -> tuple[list, dict[str, Any]]:
    """The positional arguments a Keras op's `call` takes (tensors and `_CALL_ARGUMENTS`, up to the first other
    constant), and the rest by name."""
    try:
        parameters = list(inspect.signature(op).parameters.values())
    except (TypeError, ValueError):
        return list(args), dict(kwargs)
    positional: list = []
    keywords: dict[str, Any] = {}
    for i, value in enumerate(args):
        if i >= len(parameters) or parameters[i].kind is inspect.Parameter.VAR_POSITIONAL:
            positional.extend(args[i:])
            break
        name = parameters[i].name
        if not keywords and (_has_input(value) or name in _CALL_ARGUMENTS):
            positional.append(value)
        else:
            keywords[name] = value
    keywords.update(kwargs)
    return positional, keywords


def _has_input(value: Any) -> bool:
    if type(value).__name__ == "_Input":
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_input(v) for v in value)
    if isinstance(value, dict):
        return any(_has_input(v) for v in value.values())
    return False


def _op_argument(value: Any, ids: list[int], keras_tensor) -> Any:
    if type(value).__name__ == "_Input":
        return keras_tensor(ids[value.index])
    if isinstance(value, (list, tuple)):
        return [_op_argument(v, ids, keras_tensor) for v in value]
    if isinstance(value, dict):
        return {k: _op_argument(v, ids, keras_tensor) for k, v in value.items()}
    if isinstance(value, (np.ndarray, np.generic)):
        return values.plain_to_keras(np.asarray(value))
    return values.plain_to_keras(value)


def keras_order(layers: list, config: dict[str, Any]) -> list[int]:
    """The indices of a functional model's layers in the order Keras gives its operations (`map_graph`: by depth
    from the inputs, ties broken by the order a depth-first walk from the outputs first meets them).

    Args:
      layers: the model's layers (kerasish's order).
      config: its kerasish functional config (`inputs`, `steps`, `outputs`).
    """
    producer: dict[int, tuple[int, int]] = {}  # tensor id -> node key (layer index, call number)
    parents: dict[tuple[int, int], list[tuple[int, int]]] = {}
    counts: dict[int, int] = {}
    for i, _ in enumerate(_leaves(config["inputs"])):
        parents[(i, 0)] = []
        counts[i] = 1
    inputs = _leaves(config["inputs"])
    for i, tensor_id in enumerate(inputs):  # the Input layers come first, in the order of the inputs
        producer[tensor_id] = (i, 0)
    for step in config["steps"]:
        layer_index, input_ids, output_ids = step[:3]
        keywords = step[3] if len(step) > 3 else {}
        key = (layer_index, counts.get(layer_index, 0))
        counts[layer_index] = key[1] + 1
        # Keras flattens (args, kwargs): the input first, then keyword tensors by sorted name.
        reads = _leaves(input_ids) + [t for name in sorted(keywords.get("tensors", {}))
                                      for t in _leaves(keywords["tensors"][name])]
        parents[key] = [producer[t] for t in reads]
        for tensor_id in _leaves(output_ids):
            producer[tensor_id] = key
    outputs = config["outputs"]
    flat_outputs = [t for k in sorted(outputs) for t in _leaves(outputs[k])] if isinstance(outputs, dict) \
        else _leaves(outputs)

    finished: set = set()
    decreasing: list = []
    first_seen: dict[int, int] = {}

    def visit(key: tuple[int, int]) -> None:
        if key in finished:
            return
        first_seen.setdefault(key[0], len(first_seen))
        for parent in parents[key]:
            visit(parent)
        finished.add(key)
        decreasing.append(key)

    for tensor_id in flat_outputs:
        visit(producer[tensor_id])
    in_graph = set(decreasing)
    node_depth: dict = {}
    layer_depth: dict[int, int] = {}
    for key in reversed(decreasing):
        depth = max(node_depth.setdefault(key, 0), layer_depth.get(key[0], 0))
        layer_depth[key[0]] = depth
        node_depth[key] = depth
        for parent in parents[key]:
            if parent in in_graph:
                node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for tensor_id in inputs:
        i = producer[tensor_id][0]
        if i not in layer_depth:
            layer_depth[i] = 0
            first_seen[i] = -1
    return sorted(layer_depth, key=lambda i: (-layer_depth[i], first_seen[i]))
