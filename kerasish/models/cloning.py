"""Keras's `keras.models.clone_model` and `keras.models.model_from_json`.

`clone_model` makes a model of the same architecture with new layers (new weights, drawn again), as Keras 3 does:
a Sequential gets a clone of each layer, a functional model its graph replayed on clones; a subclassed model is
rebuilt from its config. `model_from_json` reads what `Model.to_json` wrote.
"""

from __future__ import annotations

import json
from typing import Any

import jax

from kerasish.layers.base import Layer
from kerasish.layers.core import InputLayer
from kerasish.layers.keras_serialization import deserialize_keras_object
from kerasish.layers.symbolic import SymbolicTensor, leaves
from kerasish.models.functional import replay
from kerasish.models.model import Model
from kerasish.models.sequential import Sequential


def _clone_layer(layer: Layer) -> Layer:
    return type(layer).from_config(layer.get_config())


def clone_model(model: Model, input_tensors: Any = None, clone_function: Any = None, call_function: Any = None,
                recursive: bool = False, **kwargs: Any) -> Model:
    """A new model with the architecture of `model` and new weights (Keras 3's `clone_model`).

    Args:
      model: a Sequential, functional or subclassed model.
      input_tensors: symbolic tensors (`ks.Input`) to build the clone on, instead of new Inputs like the model's.
      clone_function: `layer -> new layer`, called on every layer except Inputs (default: a new layer from the
        layer's config, `type(layer).from_config(layer.get_config())`).
      call_function: `(layer, *args, **kwargs) -> outputs`, how each cloned layer is called on the symbolic
        tensors of a functional model (default: `layer(*args, **kwargs)`).
      recursive: also clone the layers of nested Sequential and functional models (with `clone_function`).
      **kwargs: none are accepted (Keras takes none either, but names them in its error).

    Returns:
      The clone (not compiled, weights not copied).

    Raises:
      ValueError: for `input_tensors`, `clone_function` or `call_function` with a subclassed model, or input
        tensors that are not symbolic, as Keras says.
      TypeError: for unexpected keyword arguments.

    Example:
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
      >>> clone = clone_model(model)
      >>> clone.count_params() == model.count_params(), clone.layers[0] is model.layers[0]
      (True, False)
    """
    if kwargs:
        raise TypeError(f"clone_model got unexpected keyword argument(s) {sorted(kwargs)}.")
    if input_tensors is not None:
        for tensor in leaves(input_tensors):
            if not isinstance(tensor, SymbolicTensor):
                raise ValueError(f"All entries in `input_tensors` must be KerasTensors (from ks.Input). Received "
                                 f"invalid values: {tensor!r}")
    clone = clone_function or _clone_layer
    if recursive:
        inner = clone

        def clone(layer: Layer) -> Layer:  # noqa: F811 - nested models are cloned all the way down
            if isinstance(layer, Sequential) or (isinstance(layer, Model) and layer.graph is not None):
                return clone_model(layer, clone_function=inner, call_function=call_function, recursive=True)
            return inner(layer)

    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, clone)
    if model.graph is not None:
        layers = list(model.layers)
        count = len(jax.tree.leaves(model.graph.inputs))  # the Input layers come first
        new_layers = [type(layer).from_config(layer.get_config()) for layer in layers[:count]] + [
            clone(layer) for layer in layers[count:]]
        graph = model.graph
        inputs, outputs = replay(new_layers, graph.inputs, graph.steps, graph.outputs, input_tensors, call_function)
        return Model(inputs, outputs, name=model.name, trainable=model.trainable)
    if input_tensors is not None or clone_function is not None or call_function is not None:
        raise ValueError(f"Arguments `clone_function`, `call_function` and `input_tensors` are only supported for "
                         f"Sequential and functional models, received a subclassed model '{model.name}' "
                         f"({type(model).__name__}).")
    return type(model).from_config(model.get_config())


def _clone_sequential(model: Sequential, input_tensors: Any, clone) -> Sequential:
    layers: list[Any] = []
    if input_tensors is not None:
        tensors = leaves(input_tensors)
        if len(tensors) != 1:
            raise ValueError(f"Argument `input_tensors` of clone_model must be one symbolic tensor for a Sequential "
                             f"model, received {len(tensors)}.")
        layers.append(tensors[0])
    elif model.input_layer is not None:
        layers.append(InputLayer.from_config(model.input_layer.get_config()))
    layers.extend(clone(layer) for layer in model.layers)
    return Sequential(layers, trainable=model.trainable, name=model.name)


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Model:
    """The model `Model.to_json()` described (new weights), as Keras's `keras.models.model_from_json`.

    Raises:
      ValueError: for text that is not JSON, or a config naming a class found nowhere.

    Example:
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
      >>> model_from_json(model.to_json()).count_params()
      8
    """
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Argument `json_string` of model_from_json must be JSON text (Model.to_json()), it could "
                         f"not be read: {err}.") from None
    return deserialize_keras_object(config, custom_objects=custom_objects)
