"""Where each weight of a model lives in a Keras 3 weights file (`model.weights.h5`, `*.weights.h5`).

Keras walks the model (`saving_lib._save_state`) and gives every layer a group holding its own variables as
`vars/0`, `vars/1`, ... in creation order:

- a Sequential or functional model's layers are under `layers/<snake_case class name>`, numbered in the
  order of `model.layers` (`dense`, `dense_1`, ...; a functional model's layers in Keras's operation order,
  its Input layers included, its ops not);
- a layer built from sublayers keeps their variables in theirs: an RNN in `cell/vars`, MultiHeadAttention in
  `query_dense/vars`, `key_dense/vars`, `value_dense/vars`, `output_dense/vars`, Bidirectional in
  `forward_layer/...` and `backward_layer/...`;
- a registered custom layer or model: its own variables in `vars`, then each attribute holding a layer (or a
  list of layers) in sorted attribute order, private ones last (`dense1/vars/0`, `blocks/dense/vars/0`); a layer
  met twice is stored once, where it is met first.

`weight_groups(model, orders)` lists `(group path, variables)` in that layout for a kerasish model, so that a
file is read and written by path, never by guessing from positions.
"""

from __future__ import annotations

from typing import Any

import kerasish.saving.keras_file.graph_to_keras as graph_to_keras
from kerasish import registry
from kerasish.layers.base import Layer
from kerasish.saving.keras_file.layer_configs import snake_case
from kerasish.saving.keras_file.values import Unsupported

_RNNS = ("LSTM", "GRU", "SimpleRNN")
_ATTENTION_GROUPS = ("query_dense", "key_dense", "value_dense", "output_dense")


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def is_functional(layer: Any) -> bool:
    """Whether `layer` is a kerasish functional model (`ks.Model(inputs, outputs)`)."""
    return graph_to_keras.is_functional_model(layer)


def keras_layers(model: Any, orders: dict[str, list[str]] | None = None) -> list[Layer]:
    """A Sequential's or functional model's layers in the order of Keras's `model.layers` (ops left out): the
    order a file recorded (`orders[model.name]`, from its config) when there is one, else Keras's ordering rule.

    Raises:
      Unsupported: when a recorded order names a layer the model does not have.
    """
    layers = list(model.layers)
    if not is_functional(model):
        return layers
    names = (orders or {}).get(model.name)
    if names is None:
        ordered = [layers[i] for i in graph_to_keras.keras_order(layers, model.get_config())]
        return [layer for layer in ordered if type(layer).__name__ != "OpLayer"]
    by_name = {layer.name: layer for layer in layers}
    missing = [name for name in names if name not in by_name]
    if missing:
        raise Unsupported(f"Model '{model.name}' has no layers named {missing}, which the file lists.")
    return [by_name[name] for name in names]


def keras_trainable_weights(model: Any, orders: dict[str, list[str]] | None = None) -> list:
    """The trainable weights in the order of Keras's `model.trainable_variables` (a functional model's layers in
    Keras's order): the order of the optimizer's per-weight variables in a file."""
    if not getattr(model, "trainable", True):
        return []
    if is_functional(model) or type(model).__name__ == "Sequential":
        return [w for layer in keras_layers(model, orders) for w in keras_trainable_weights(layer, orders)]
    return list(model.trainable_weights)


def weight_groups(model: Any, orders: dict[str, list[str]] | None = None) -> list[tuple[str, str, list]]:
    """`(group path, layer name, variables)` for every saveable layer of `model`, in Keras's walk order; the
    variables are stored as `<group>/vars/<i>` (the root model's group is "").

    Raises:
      Unsupported: for a built-in layer with sublayers whose layout in Keras is not known here.
    """
    out: list[tuple[str, str, list]] = []
    _walk(model, "", out, orders or {}, set())
    return out


def _walk(layer: Any, prefix: str, out: list, orders: dict[str, list[str]], seen: set[int]) -> None:
    if id(layer) in seen:
        return
    seen.add(id(layer))
    class_name = type(layer).__name__
    builtin = registry.builtin_name("layers", type(layer)) is not None
    if builtin and (is_functional(layer) or class_name == "Sequential"):
        out.append((prefix, layer.name, []))
        _container(keras_layers(layer, orders), _join(prefix, "layers"), out, orders, seen)
    elif builtin and class_name in _RNNS:
        out.append((prefix, layer.name, []))
        out.append((_join(prefix, "cell"), f"{layer.name}_cell", list(layer.weights)))
    elif builtin and class_name == "MultiHeadAttention":
        out.append((prefix, layer.name, []))
        per_group = len(layer.weights) // len(_ATTENTION_GROUPS)
        for i, group in enumerate(_ATTENTION_GROUPS):
            out.append((_join(prefix, group), group, list(layer.weights[i * per_group:(i + 1) * per_group])))
    elif builtin and class_name == "Bidirectional":
        out.append((prefix, layer.name, []))
        for attribute, sublayer in zip(("forward_layer", "backward_layer"), layer.sublayers()):
            _walk(sublayer, _join(prefix, attribute), out, orders, seen)
    elif builtin:
        if any(sub.weights for sub in layer.sublayers()):
            raise Unsupported(f"Layer '{layer.name}' ({class_name}) holds sublayers with weights, whose layout in a "
                              f".keras file is not known to kerasish.")
        out.append((prefix, layer.name, list(layer.weights)))
    else:
        _custom(layer, prefix, out, orders, seen)


def _custom(layer: Any, prefix: str, out: list, orders: dict[str, list[str]], seen: set[int]) -> None:
    """Keras's walk of a custom layer: own variables, then attributes holding layers in sorted order."""
    children = []
    for attribute, value in vars(layer).items():
        if attribute.startswith("_pytree__"):
            continue
        if isinstance(value, Layer) or _holds_layers(value):
            children.append((attribute, value))
    nested = {id(w) for _, value in children for w in _container_weights(value)}
    out.append((prefix, layer.name, [w for w in layer.weights if id(w) not in nested]))
    for attribute, value in sorted(children, key=lambda item: "~" + item[0] if item[0].startswith("_") else item[0]):
        if isinstance(value, Layer):
            _walk(value, _join(prefix, attribute), out, orders, seen)
        else:
            _container(_items(value), _join(prefix, attribute), out, orders, seen)


def _items(value: Any) -> list:
    return list(value.values()) if hasattr(value, "values") and not isinstance(value, Layer) else list(value)


def _holds_layers(value: Any) -> bool:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__") or isinstance(value, Layer):
        return False
    try:
        return any(isinstance(v, Layer) or _holds_layers(v) for v in _items(value))
    except TypeError:
        return False


def _container_weights(value: Any) -> list:
    if isinstance(value, Layer):
        return list(value.weights)
    return [w for v in _items(value) for w in _container_weights(v)] if _holds_layers(value) else []


def _keras_class_name(layer: Any) -> str:
    """The class name Keras knows `layer` by: `Functional` for a functional model, a registered class's registered
    name (`"package>Name"` -> `Name`), else its own."""
    if is_functional(layer):
        return "Functional"
    if registry.is_registered(type(layer)):
        return registry.get_registered_name(type(layer)).split(">")[-1]
    return type(layer).__name__


def _container(items: list, prefix: str, out: list, orders: dict[str, list[str]], seen: set[int]) -> None:
    """Keras's walk of a list of layers: each named by its class in snake_case, numbered from the second on."""
    used: dict[str, int] = {}
    for item in items:
        if isinstance(item, Layer):
            base = snake_case(_keras_class_name(item))
        elif _holds_layers(item):
            base = "container"
        else:
            continue
        if base in used:
            used[base] += 1
            name = f"{base}_{used[base]}"
        else:
            used[base] = 0
            name = base
        if isinstance(item, Layer):
            _walk(item, _join(prefix, name), out, orders, seen)
        else:
            _container(_items(item), _join(prefix, name), out, orders, seen)
