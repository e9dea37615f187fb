"""Keras's model configs as kerasish's: `Sequential` and `Functional` entries into kerasish model specs.

A Keras functional config lists its operations, each with its `inbound_nodes` (the calls, their arguments
holding `{"class_name": "__keras_tensor__", "config": {"shape", "dtype", "keras_history": [layer, node,
tensor]}}`), and `input_layers` / `output_layers` as `[layer, node, tensor]` triples. kerasish's functional
config is a static plan: `layers`, `inputs` (tensor ids), `steps` (`[layer index, input ids, output ids,
keywords]`) and `outputs`. Both describe the same graph; `functional_from_keras` maps one to the other:

- a call's positional arguments are one input in kerasish (a tensor, or a list for merge layers), except
  `MultiHeadAttention(query, value, key=None)`, whose kerasish input is the list `[query, value(, key)]`;
- `training` and the masks Keras records (`mask`, `query_mask`, ...) are dropped: kerasish hands masks from
  layer to layer by Keras's rule itself (`Embedding(mask_zero=True)`, `Masking`), and the op computing a mask
  (`NotEqual`) is pruned when nothing else reads it;
- Keras ops in the graph (`x + y`, `ops.mean(x, axis=-1)`) are `OpLayer`s: the op's name in snake_case, its
  config as keyword arguments, the call's other arguments as they are;
- in `input_layers` / `output_layers`, a nested functional model counts one more node (the one made when it
  was built). `graph_to_keras` is the other way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kerasish.saving.keras_file.layer_configs as layer_configs
import kerasish.saving.keras_file.values as values
from kerasish import registry
from kerasish.layers import op_layer as _op_layer
from kerasish.saving.keras_file.values import Unsupported

FUNCTIONAL = ("keras.src.models.functional", "Functional")
_DROPPED_KWARGS = {"training", "mask"}
_MHA_ARGUMENTS = ("query", "value", "key", "query_mask", "value_mask", "key_mask", "attention_mask",
                  "return_attention_scores", "training", "use_causal_mask")


def _is_tensor(value: Any) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _map_tensors(value: Any, fn: Callable[[dict], Any]) -> Any:
    """`value` (nested lists / dicts) with each Keras tensor dict replaced by `fn(tensor dict)`."""
    if _is_tensor(value):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_tensors(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_tensors(v, fn) for v in value]
    return value


def _tensor_leaves(value: Any) -> list[dict]:
    found: list[dict] = []
    _map_tensors(value, found.append)
    return found


def is_op_entry(entry: dict[str, Any]) -> bool:
    """Whether a Keras functional entry is an op (`keras.src.ops.*`) rather than a layer."""
    return str(entry.get("module") or "").startswith("keras.src.ops")


# -- configs ------------------------------------------------------------------------------------------------------

def model_from_keras(entry: dict[str, Any], where: str, orders: dict[str, list[str]]) -> dict[str, Any]:
    """A Keras model or layer entry as a kerasish spec; `orders` collects each model's layer names in Keras's
    order (what the weights file's group names count in)."""
    class_name = entry.get("class_name")
    if (entry.get("module"), class_name) == FUNCTIONAL or class_name == "Functional":
        return {"class_name": "Model", "config": functional_from_keras(entry["config"], where, orders)}
    if class_name == "Sequential" and str(entry.get("module") or "").startswith("keras"):
        return _sequential_from_keras(entry, where, orders)
    name, cls = layer_configs.layer_class(entry, where)
    spec: dict[str, Any] = {"class_name": name,
                            "config": layer_configs.config_from_keras(name, cls, entry.get("config"), where)}
    build = layer_configs.build_from_keras(name, entry.get("build_config"))
    if build is not None:
        spec["build"] = build
    if isinstance(entry.get("name"), str) and "name" not in spec["config"]:
        # A custom layer whose get_config leaves out `name`: the file still names it (a functional model's entry),
        # and its weights are found under that name.
        spec["name"] = entry["name"]
    return spec


def _sequential_from_keras(entry: dict[str, Any], where: str, orders: dict[str, list[str]]) -> dict[str, Any]:
    config = entry.get("config")
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise Unsupported(f"{where}: a Sequential config must hold `layers`, a list.")
    layers = [model_from_keras(e, _place(where, e, i), orders) for i, e in enumerate(config["layers"])]
    orders[str(config.get("name"))] = [e.get("config", {}).get("name") for e in config["layers"]
                                       if e.get("class_name") != "InputLayer"]
    spec: dict[str, Any] = {"class_name": "Sequential",
                            "config": {"name": config.get("name"), "trainable": config.get("trainable", True),
                                       "layers": layers}}
    shape = config.get("build_input_shape")
    if shape is not None and not any(s["class_name"] == "InputLayer" for s in layers):
        spec["build"] = {"input_shape": shape}
    return spec


def _place(where: str, entry: Any, index: int) -> str:
    """How messages name the `index`-th layer entry of a model config: by its name when it has one."""
    config = entry.get("config") if isinstance(entry, dict) else None
    name = entry.get("name") if isinstance(entry, dict) else None
    name = name or (config.get("name") if isinstance(config, dict) else None)
    return f"{where} layer {name!r}" if isinstance(name, str) else f"{where}['layers'][{index}]"


def functional_from_keras(config: dict[str, Any], where: str, orders: dict[str, list[str]]) -> dict[str, Any]:
    """A Keras `Functional` config as kerasish's functional model config (see the module docstring).

    Raises:
      Unsupported: for a call kerasish cannot express (several positional tensors to a plain layer), a graph whose
        nodes never resolve, or a reference to a layer or node the config does not have.
    """
    entries = config.get("layers")
    if not isinstance(entries, list) or "input_layers" not in config or "output_layers" not in config:
        raise Unsupported(f"{where}: a functional config must hold `layers`, `input_layers` and `output_layers`.")
    by_name: dict[str, dict] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise Unsupported(f"{where}['layers'][{i}] is not a layer entry with a `name`.")
        by_name[entry["name"]] = entry
    orders[str(config.get("name"))] = [e["name"] for e in entries if not is_op_entry(e)]
    nodes = _keras_nodes(entries, by_name, where)
    ids: dict[tuple, int] = {}
    tensor_id = lambda ref: ids.setdefault(ref, len(ids))
    pick = lambda structure: _map_refs(structure, lambda ref: tensor_id(_resolve(ref, by_name, where, True)))
    inputs, outputs = pick(config["input_layers"]), pick(config["output_layers"])
    needed = _needed_nodes(nodes, [_resolve(r, by_name, where, True) for r in _ref_leaves(config["output_layers"])])

    input_names = [_resolve(r, by_name, where, True)[0] for r in _ref_leaves(config["input_layers"])]
    order = input_names + [e["name"] for e in entries if e["name"] not in input_names and (
        any(key[0] == e["name"] for key in needed))]
    index = {name: i for i, name in enumerate(order)}
    specs: list[dict] = []
    for name in order:
        entry = by_name[name]
        place = f"{where} layer {name!r}"
        specs.append(None if is_op_entry(entry) else model_from_keras(entry, place, orders))  # an op: from its call

    steps = []
    for key in _resolution_order(nodes, needed, where):
        name, _ = key
        node = nodes[key]
        entry = by_name[name]
        outputs_ids = [tensor_id((name, key[1], t)) for t in range(node["outputs"])]
        place = f"{where} layer {name!r} call {key[1]}"
        if is_op_entry(entry):
            if specs[index[name]] is not None:
                raise Unsupported(f"{place}: an op called more than once cannot be converted.")
            specs[index[name]], inputs_ids = _op_from_keras(entry, node, tensor_id, place)
            steps.append([index[name], inputs_ids, outputs_ids, {}])
            continue
        inputs_ids, keywords = _call_from_keras(entry["class_name"], node, tensor_id, place)
        steps.append([index[name], inputs_ids, outputs_ids, keywords])
    return {"name": config.get("name"), "trainable": config.get("trainable", True), "layers": specs,
            "inputs": inputs, "steps": steps, "outputs": outputs}


def _ref_leaves(structure: Any) -> list[list]:
    if isinstance(structure, list) and len(structure) == 3 and isinstance(structure[0], str):
        return [structure]
    if isinstance(structure, dict):
        return [r for v in structure.values() for r in _ref_leaves(v)]
    if isinstance(structure, list):
        return [r for v in structure for r in _ref_leaves(v)]
    raise Unsupported(f"{structure!r} is not a [layer name, node index, tensor index] reference.")


def _map_refs(structure: Any, fn) -> Any:
    if isinstance(structure, list) and len(structure) == 3 and isinstance(structure[0], str):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_refs(v, fn) for k, v in structure.items()}
    return [_map_refs(v, fn) for v in structure]


def _resolve(ref: Any, by_name: dict[str, dict], where: str, model_io: bool = False) -> tuple[str, int, int]:
    """A `[layer, node, tensor]` reference as `(layer, position in its inbound_nodes, tensor)`. In `input_layers`
    and `output_layers` (`model_io`), a nested functional model's node 0 is the one Keras made when building it:
    its calls count from 1 there."""
    if not (isinstance(ref, (list, tuple)) and len(ref) == 3 and isinstance(ref[0], str)
            and all(isinstance(i, int) for i in ref[1:])):
        raise Unsupported(f"{where}: {ref!r} is not a [layer name, node index, tensor index] reference.")
    name, node, tensor = ref
    entry = by_name.get(name)
    if entry is None:
        raise Unsupported(f"{where} refers to layer {name!r}, which the config does not have.")
    if model_io and (entry.get("module"), entry.get("class_name")) == FUNCTIONAL:
        node -= 1
    if entry.get("class_name") == "InputLayer":
        node = 0
    return name, node, tensor


def _keras_nodes(entries: list[dict], by_name: dict[str, dict], where: str) -> dict[tuple, dict]:
    """`{(layer, position): {"args", "kwargs", "parents": [(layer, position, tensor)], "outputs": count}}`."""
    nodes: dict[tuple, dict] = {}
    for entry in entries:
        name = entry["name"]
        if entry.get("class_name") == "InputLayer":
            nodes[(name, 0)] = {"args": [], "kwargs": {}, "parents": [], "outputs": 1, "input": True}
            continue
        inbound = entry.get("inbound_nodes", [])
        if not isinstance(inbound, list):
            raise Unsupported(f"{where} layer {name!r}: `inbound_nodes` must be a list.")
        for position, data in enumerate(inbound):
            place = f"{where} layer {name!r} call {position}"
            if isinstance(data, list):  # the legacy form: [[layer, node, tensor, kwargs], ...]
                refs = [list(item[:3]) for item in data]
                tensors = [{"class_name": "__keras_tensor__", "config": {"keras_history": r}} for r in refs]
                data = {"args": [tensors[0] if len(tensors) == 1 else tensors],
                        "kwargs": dict(data[0][3]) if data and len(data[0]) > 3 else {}}
            if not isinstance(data, dict) or not isinstance(data.get("args", []), list):
                raise Unsupported(f"{place} is not {{'args': [...], 'kwargs': {{...}}}}.")
            args, kwargs = data.get("args", []), dict(data.get("kwargs") or {})
            dropped = _DROPPED_KWARGS | ({"query_mask", "value_mask", "key_mask"}
                                         if entry.get("class_name") == "MultiHeadAttention" else set())
            kwargs = {k: v for k, v in kwargs.items() if k not in dropped}
            parents = [_resolve(t["config"].get("keras_history"), by_name, place)
                       for t in _tensor_leaves([args, kwargs])]
            nodes[(name, position)] = {"args": args, "kwargs": kwargs, "parents": parents, "outputs": 1,
                                       "input": False}
    for key, node in list(nodes.items()):
        for parent in node["parents"]:
            if parent[:2] not in nodes:
                raise Unsupported(f"{where} layer {key[0]!r} reads call {parent[1]} of layer {parent[0]!r}, which the "
                                  f"config does not have.")
            producer = nodes[parent[:2]]
            producer["outputs"] = max(producer["outputs"], parent[2] + 1)
    return nodes


def _needed_nodes(nodes: dict[tuple, dict], output_refs: list[tuple]) -> set[tuple]:
    """The calls the outputs depend on (a mask op nothing else reads is not among them)."""
    needed: set[tuple] = set()
    stack = [ref[:2] for ref in output_refs]
    while stack:
        key = stack.pop()
        if key in needed:
            continue
        if key not in nodes:
            raise Unsupported(f"An output refers to call {key[1]} of layer {key[0]!r}, which the config does not have.")
        needed.add(key)
        stack.extend(parent[:2] for parent in nodes[key]["parents"])
    for ref in output_refs:
        producer = nodes[ref[:2]]
        producer["outputs"] = max(producer["outputs"], ref[2] + 1)
    return needed


def _resolution_order(nodes: dict[tuple, dict], needed: set[tuple], where: str) -> list[tuple]:
    """The needed calls in an order where each comes after the calls it reads (Keras's re-enqueueing loop)."""
    done = {key for key in needed if nodes[key]["input"]}
    pending = [key for key in nodes if key in needed and key not in done]
    order = []
    while pending:
        ready = [key for key in pending if all(p[:2] in done for p in nodes[key]["parents"])]
        if not ready:
            raise Unsupported(f"{where}: the graph has loops or calls whose inputs never resolve: "
                              f"{[f'{k[0]} call {k[1]}' for k in pending]}.")
        for key in ready:
            done.add(key)
            order.append(key)
        pending = [key for key in pending if key not in done]
    return order


def _call_from_keras(class_name: str, node: dict, tensor_id, place: str) -> tuple[Any, dict[str, Any]]:
    """The kerasish input structure (tensor ids) and keywords of one Keras layer call."""
    to_id = lambda tensor: tensor_id(tensor["_ref"])
    args, kwargs = node["args"], dict(node["kwargs"])
    refs = iter(node["parents"])
    tag = lambda value: _map_tensors(value, lambda t: {"_ref": next(refs)})
    args, kwargs = tag(args), tag(kwargs)
    if class_name == "MultiHeadAttention":
        named = dict(zip(_MHA_ARGUMENTS, args))
        named.update(kwargs)
        for mask in ("query_mask", "value_mask", "key_mask", "training"):
            named.pop(mask, None)
        # kerasish's MultiHeadAttention is called as Keras 3's: the query is the input, value / key go by name
        args = [named.pop("query")]
        kwargs = {k: v for k, v in named.items() if v is not None}
    if len(args) != 1:
        raise Unsupported(f"{place} passes {len(args)} positional arguments; kerasish layers take one input (a "
                          f"tensor or a list of tensors).")
    is_ref = lambda v: isinstance(v, dict) and set(v) == {"_ref"}
    ids = lambda value: _map_structure(value, is_ref, to_id)
    tensors = {k: ids(v) for k, v in kwargs.items() if _has(v, is_ref)}
    constants = {k: values.plain_from_keras(v) for k, v in kwargs.items() if k not in tensors}
    keywords = {"tensors": tensors, "constants": constants} if kwargs else {}
    return ids(args[0]), keywords


def _map_structure(value: Any, is_leaf, fn) -> Any:
    if is_leaf(value):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_structure(v, is_leaf, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_structure(v, is_leaf, fn) for v in value]
    return value


def _has(value: Any, is_leaf) -> bool:
    if is_leaf(value):
        return True
    if isinstance(value, dict):
        return any(_has(v, is_leaf) for v in value.values())
    if isinstance(value, list):
        return any(_has(v, is_leaf) for v in value)
    return False


def op_name(class_name: str) -> str:
    """A Keras op class's kerasish op name (`NotEqual` -> `not_equal`)."""
    return layer_configs.snake_case(class_name)


def _op_from_keras(entry: dict, node: dict, tensor_id, place: str) -> tuple[dict[str, Any], list[int]]:
    """The OpLayer spec of a Keras op entry's call, and the ids of the tensors it reads (in argument order)."""
    name = op_name(entry["class_name"])
    if registry.builtins("ops").get(name) is None and registry.get_registered_object(name) is None:
        raise Unsupported(f"{place}: Keras op {entry['class_name']} has no kerasish counterpart (no op {name!r}).")
    refs = iter(node["parents"])
    specs, ids = [], []

    def mark(tensor: dict) -> dict:
        ref = next(refs)
        config = tensor.get("config", {})
        specs.append([config.get("shape"), config.get("dtype") or "float32"])
        ids.append(tensor_id(ref))
        return {"__tensor__": len(ids) - 1}

    encode = lambda value: _op_layer.encode(values.plain_from_keras(value))
    args = [a if isinstance(a, dict) and "__tensor__" in a else encode(a) for a in _map_tensors(node["args"], mark)]
    kwargs = {k: (v if isinstance(v, dict) and "__tensor__" in v else encode(v))
              for k, v in _map_tensors(node["kwargs"], mark).items()}
    config = {k: encode(v) for k, v in (entry.get("config") or {}).items() if k != "name"}
    spec = {"class_name": "OpLayer",
            "config": {"name": entry["name"], "op": name, "arguments": {"args": args, "kwargs": {**config, **kwargs}},
                       "input_specs": specs}}
    return spec, ids
