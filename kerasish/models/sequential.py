"""`Sequential`: a stack of layers, each feeding the next."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from flax import nnx

from kerasish.layers.base import Layer
from kerasish.layers.call_arguments import call_signature
from kerasish.layers.core import InputLayer
from kerasish.layers.initial_weights import drawing_weights_together
from kerasish.layers.serialization import deserialize, serialize
from kerasish.layers.symbolic import SymbolicTensor
from kerasish.models.model import Model
from kerasish.shapes import Shape, input_shapes, is_shape, standardize_shape, standardize_shapes, standardized_rank


class Sequential(Model):
    """A model made of a list of layers applied in order.

    It is built as soon as its input shape is known: from a leading `ks.Input(shape)`, from
    `build(input_shape)`, or from the first call / `fit` on data. Building propagates the shape
    through the layers (by tracing, no computation), creating each layer's weights.

    Args:
      layers: the layers, optionally starting with `ks.Input(shape)`. Sequentials nest.
      name: the model name.

    Example:
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8, activation="relu")])
      >>> model.add(ks.layers.Dense(3, activation="softmax"))
      >>> model.output_shape, model.count_params()
      ((None, 3), 67)
    """

    def __init__(self, layers: Iterable[Layer] | None = None, trainable: bool = True, name: str | None = None) -> None:
        self._known_input_shape: Shape | None = None
        self._known_output_shape: Shape | None = None
        super().__init__(name=name, trainable=trainable)
        self.input_layer: InputLayer | None = nnx.data(None)
        self.layers = nnx.List([])
        if layers is not None:
            if isinstance(layers, Layer) or not isinstance(layers, Iterable):
                raise TypeError(f"Argument `layers` of Sequential must be a list of layers, received {layers!r}.")
            with drawing_weights_together():  # every layer's initial weights in one program
                for layer in layers:
                    self.add(layer)

    # Keras's Sequential has these only once it knows its input (hasattr is False before).
    @property
    def input_shape(self) -> Any:
        if self._known_input_shape is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")
        return self._known_input_shape

    @input_shape.setter
    def input_shape(self, value: Any) -> None:
        self._known_input_shape = value

    @property
    def output_shape(self) -> Any:
        if self._known_output_shape is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined output shape yet.")
        return self._known_output_shape

    @output_shape.setter
    def output_shape(self, value: Any) -> None:
        self._known_output_shape = value

    def add(self, layer: Layer | SymbolicTensor, rebuild: bool = True) -> None:
        """Appends a layer (builds it at once if the model is already built, or can be: after an Input, or when the
        first layer is a built model).

        Raises:
          ValueError: in Keras's words, for something that is not a layer, a second Input, a layer name already in
            the model, or the same layer twice.
        """
        del rebuild  # kerasish builds at once when it can (Keras's default)
        if isinstance(layer, SymbolicTensor) and layer.node is not None and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential model. Received: {layer!r} "
                             f"(of type {type(layer)}). Wrap a flax.nnx.Module or a function in a Layer first.")
        if isinstance(layer, InputLayer):
            if self.input_layer is not None:
                raise ValueError(f"Sequential model '{self.name}' has already been configured to use input shape "
                                 f"{self.input_layer.batch_shape}. You cannot add a different Input layer to it.")
            if len(self.layers):
                raise ValueError(f"An Input can only be the first element of Sequential '{self.name}'.")
            self.input_layer = layer
            self.build(layer.input_shape)
            return
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"Layer '{layer.name}' is already in Sequential '{self.name}'; create a new instance "
                             f"(or reuse it through the functional API for shared weights).")
        if any(existing.name == layer.name for existing in self.layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. Name '{layer.name}' "
                             f"is already the name of a layer in this model. Update the `name` argument to pass a "
                             f"unique name.")
        if self.input_layer is None and not len(self.layers) and layer.declared_input_shape is not None:
            self.add(InputLayer(layer.declared_input_shape))  # Keras 2's `Dense(4, input_shape=(3,))`, first layer
        self.layers.append(layer)
        layer.call_history.tracer = weakref.WeakMethod(self.trace_layers)  # so that `layer.output` can trace
        if self.built:
            self.output_shape = layer.build_for(self.output_shape)
        elif len(self.layers) == 1 and isinstance(layer, Model) and layer.built and is_shape(
                getattr(layer, "input_shape", None)):
            self.build(layer.input_shape)  # a built model as first layer gives its input shape, as in Keras

    def pop(self, rebuild: bool = True) -> Layer:
        """Removes and returns the last layer (the model stays built on its input).

        Raises:
          ValueError: for a model without layers.
        """
        del rebuild
        if not len(self.layers):
            raise ValueError(f"Sequential '{self.name}' has no layer to pop.")
        layer = self.layers.pop()
        if self.built:
            self.output_shape = self.layers[-1].output_shape if len(self.layers) else self.input_shape
        return layer

    # -- the symbolic graph of a Sequential with an Input (what `inputs`, `outputs`, `layer.output` read) -----

    def _input_tensor(self, attribute: str = "inputs") -> SymbolicTensor:
        layer = self.input_layer
        if layer is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {attribute} yet: start it with "
                                 f"ks.Input(shape), or build it (`build(input_shape)`, a call on data).")
        if layer.call_history.first_node is None:  # an InputLayer made by `input_shape=` or by load_model
            layer.symbolic_input()
        return layer.call_history.first_node.outputs

    def trace_layers(self) -> None:
        """Records the layers' calls on the Input's tensor (what `layer.input` / `layer.output` read); nothing
        without an Input."""
        if self.input_layer is not None:
            self._symbolic_output()

    def _symbolic_output(self, attribute: str = "outputs") -> SymbolicTensor:
        """The output of the layers' chain on the input tensor. Traced once (each layer records its first
        call); later requests walk the recorded calls. A layer first called elsewhere is called again here."""
        tensor = self._input_tensor(attribute)
        chained = True
        for layer in self.layers:
            node = layer.call_history.first_node
            if chained and node is not None and node.inputs is tensor:
                tensor = node.outputs
            else:
                chained = False
                tensor = layer(tensor)
        return tensor

    @property
    def inputs(self) -> list[SymbolicTensor]:
        """`[input tensor]` of a Sequential that starts with an Input (what `ks.Model(inputs, ...)` takes)."""
        return [self._input_tensor()]

    @property
    def outputs(self) -> list[SymbolicTensor]:
        """`[output tensor]` of a Sequential that starts with an Input."""
        return [self._symbolic_output()]

    @property
    def input(self) -> SymbolicTensor:
        return self._input_tensor("input")

    @property
    def output(self) -> SymbolicTensor:
        return self._symbolic_output("output")

    def build(self, input_shape: Any = None) -> None:
        """Builds every layer for inputs of `input_shape` (batch axis first, e.g. `(None, 64)`); a model without an
        Input gets one of that shape, as in Keras (so `inputs`, `outputs` and `layer.output` exist once built).

        Raises:
          ValueError: without `input_shape` and without an Input, or for a shape other than the Input's.
        """
        if input_shape is None:
            if self.input_layer is None:
                raise ValueError(f"Sequential '{self.name}'.build needs an input_shape, e.g. (None, 64).")
            input_shape = self.input_layer.input_shape
        if not len(self.layers) and self.input_layer is None:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no layers. Call "
                             f"`model.add(layer)`.")
        if not is_shape(input_shape):  # a dict or list of inputs: the first layer takes them as they are
            shape: Any = standardize_shapes(input_shape)
        else:
            shape = (None,) + standardize_shape(input_shape)[1:]
            if self.input_layer is None:
                self.input_layer = InputLayer(batch_shape=shape)
                self.input_layer.call_history.tracer = weakref.WeakMethod(self.trace_layers)
            elif self.input_layer.sample_shape != shape[1:]:
                raise ValueError(f"Sequential model '{self.name}' has already been configured to use input shape "
                                 f"{self.input_layer.batch_shape}. You cannot build it with input shape "
                                 f"{tuple(input_shape)}.")
        self.input_shape = shape
        with drawing_weights_together():
            for layer in self.layers:
                _check_one_input(layer)
                shape = layer.build_for(shape)
        self.output_shape = shape
        self.built = True

    def build_for(self, input_shape: Any) -> Shape:
        if not self.built:
            self.build(input_shape)
        self.check_input_shape(standardize_shapes(input_shape))
        return self.output_shape

    def check_input_shape(self, shape: Shape) -> None:
        """The first layer checks the input (its message is Keras's), after the Input's rank standardisation."""
        if self.input_layer is not None and is_shape(shape):
            shape = standardized_rank(shape, self.input_layer.batch_shape) or shape
        if len(self.layers) and self.layers[0].built:
            self.layers[0].check_input_shape(shape)
        if self.input_layer is not None:
            self.input_layer.check_input_shape(shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = input_shape
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def call(self, x, training: bool = False, mask: Any = None):
        return self._run_layers(x, training, mask)[0]

    def _run_layers(self, x, training: bool, mask: Any) -> tuple[Any, Any]:
        """Each layer on the previous one's output, with the mask its predecessor computed (Keras's rule:
        `Embedding(mask_zero=True)` or `Masking` makes one, layers that support masking pass it on)."""
        if self.input_layer is not None:
            x = self.input_layer.standardize_rank(x)
        for layer in self.layers:
            x, mask = layer.call_with_mask(x, training=training, mask=mask)
        return x, mask

    def call_with_mask(self, x, training: bool = False, mask: Any = None, **kwargs: Any) -> tuple[Any, Any]:
        if kwargs:
            return super().call_with_mask(x, training=training, mask=mask, **kwargs)
        self.build_for(input_shapes(x))  # builds on first use, then checks the input's shape
        return self._run_layers(x, training, mask)

    def get_config(self) -> dict[str, Any]:
        layers = [self.input_layer] if self.input_layer is not None else []
        return {"name": self.name, "trainable": self.trainable,
                "layers": [serialize(layer) for layer in layers + list(self.layers)]}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        layers = config.get("layers")
        if not isinstance(layers, list):
            raise ValueError(f"A Sequential config must hold `layers`, a list of layer entries, received "
                             f"{str(layers)[:120]!r}.")
        return cls([deserialize(spec) for spec in layers], name=config.get("name"),
                   trainable=config.get("trainable", True))


def _check_one_input(layer: Layer) -> None:
    """A layer of a Sequential takes one required positional argument, the input tensor (Keras's rule).

    Raises:
      ValueError: in Keras's words, for a `call` with no positional argument or several required ones.
    """
    parameters = [p for p in call_signature(layer).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in parameters if p.default is p.empty]
    if not parameters:
        raise ValueError(f"Layers added to a Sequential model should have a single positional argument, the input "
                         f"tensor. Layer {type(layer).__name__} has no positional arguments.")
    if len(required) > 1:
        raise ValueError(f"Layers added to a Sequential model can only have a single required positional argument, "
                         f"the input tensor. Layer {type(layer).__name__} has multiple required positional "
                         f"arguments: {required}")
