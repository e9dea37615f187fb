"""Export for serving: a model's inference function as a `jax.export` artifact, loadable with jax alone.

`export_model(model, path)` writes a folder holding

- `model.jaxexport`: `jax.export.Exported.serialize()` of `x -> model(x, training=False)` with the weights
  baked in as constants, traced with a symbolic batch dimension (`"batch"`), so one artifact takes any batch
  size;
- `signature.json`: the input and output names, shapes (None for the batch) and dtypes, and what produced it.

The artifact is StableHLO: running it needs `jax` (and NumPy for the inputs) only, neither kerasish nor flax:

    import jax, numpy as np
    exported = jax.export.deserialize(open("exported/model.jaxexport", "rb").read())
    y = exported.call(np.ones((5, 784), np.float32))

`load(path)` does that and keeps the signature beside it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import jax
import numpy as np

from kerasish.saving.atomic import atomic_write_bytes

ARTIFACT = "model.jaxexport"
SIGNATURE = "signature.json"
FORMAT = "kerasish.export"
VERSION = 1
BATCH = "batch"


def _leaves_with_names(structure: Any, names: list[str] | None) -> list[tuple[str, Any]]:
    if isinstance(structure, dict):
        return [(str(k), v) for k, v in structure.items()]
    if isinstance(structure, (list, tuple)):
        names = names if names and len(names) == len(structure) else [f"input_{i}" for i in range(len(structure))]
        return list(zip(names, structure))
    return [((names or ["input"])[0], structure)]


def _input_specs(model: Any, input_signature: Any) -> Any:
    """The model's inputs as `jax.ShapeDtypeStruct`s with a symbolic batch dimension."""
    (batch,) = jax.export.symbolic_shape(BATCH)

    def spec(shape: Any, dtype: Any) -> jax.ShapeDtypeStruct:
        shape = tuple(shape)
        if any(d is None for d in shape[1:]):
            raise ValueError(f"Cannot export model '{model.name}': its input shape {shape} has an unknown axis besides "
                             f"the batch; give `input_signature` with every other axis known.")
        return jax.ShapeDtypeStruct((batch,) + shape[1:], np.dtype(dtype))

    if input_signature is not None:
        if not model.built:  # a subclassed model builds on a sample of what it will serve
            sample = jax.tree.map(lambda s: np.zeros((2,) + tuple(s.shape[1:]), s.dtype), input_signature)
            model.prepare_for_data(sample)
        return jax.tree.map(lambda s: spec((None,) + tuple(s.shape[1:]), s.dtype), input_signature)
    if not model.built or model.input_shape is None:
        raise ValueError(f"Cannot export model '{model.name}': it is not built. Build it first (an Input, "
                         f"`model.build(...)` or one call on data), or give `input_signature`.")
    graph = getattr(model, "graph", None)
    if graph is not None:
        from_tensor = lambda t: spec(t.shape, t.dtype)
        return jax.tree.map(from_tensor, graph.tensors[0], is_leaf=lambda t: hasattr(t, "shape"))
    input_layer = getattr(model, "input_layer", None)
    dtype = input_layer.input_dtype if input_layer is not None else np.float32
    is_shape = lambda s: isinstance(s, tuple) and all(d is None or isinstance(d, int) for d in s)
    return jax.tree.map(lambda s: spec(s, dtype), model.input_shape, is_leaf=is_shape)


def _input_names(model: Any) -> list[str] | None:
    """The Input layers' names of a functional model or a Sequential that starts with an Input, else None."""
    graph = getattr(model, "graph", None)
    if graph is not None:
        return [t.node.layer.name for t in jax.tree.leaves(graph.tensors[0])]
    input_layer = getattr(model, "input_layer", None)
    return None if input_layer is None else [input_layer.name]


def _describe(names_and_avals: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": name, "shape": [d if isinstance(d, int) else None for d in aval.shape],
             "dtype": np.dtype(aval.dtype).name} for name, aval in names_and_avals]


def export_model(model: Any, path: str | os.PathLike, input_signature: Any = None,
                 platforms: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Writes `model`'s inference function as a `jax.export` artifact and its signature into the folder `path`.

    Args:
      model: a built model (Sequential, functional or subclassed).
      path: the folder to write (created if missing); `model.jaxexport` and `signature.json` go inside.
      input_signature: optional `jax.ShapeDtypeStruct` (or a list / dict of them, as the model takes its inputs)
        when the model's own input shapes and dtypes are not the ones to serve; the first axis is the batch.
      platforms: the platforms the artifact runs on (`("cpu", "cuda")`, ...); the default backend's by default.

    Returns:
      The signature written to `signature.json`: `{"inputs": [{"name", "shape", "dtype"}], "outputs": [...], ...}`.

    Raises:
      ValueError: for a model that is not built, or whose inputs have unknown axes besides the batch.

    Example:
      >>> import pathlib, tempfile
      >>> import numpy as np
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
      >>> folder = pathlib.Path(tempfile.mkdtemp()) / "served"
      >>> [(o["shape"], o["dtype"]) for o in export_model(model, folder)["outputs"]]
      [([None, 2], 'float32')]
      >>> load(folder)(np.ones((4, 3), np.float32)).shape
      (4, 2)
    """
    specs = _input_specs(model, input_signature)
    _, params, rest = model.split()

    def serve(inputs):
        return model.stateless_call(params, rest, inputs, training=False)[0]

    exported = jax.export.export(jax.jit(serve), platforms=platforms)(specs)
    folder = os.fspath(path)
    os.makedirs(folder, exist_ok=True)
    input_names = _input_names(model)
    output_names = model.output_names() if callable(getattr(model, "output_names", None)) else None
    out_structure = jax.tree.unflatten(exported.out_tree, list(exported.out_avals))
    outputs = _leaves_with_names(out_structure, output_names)
    signature = {"format": FORMAT, "version": VERSION, "batch_dimension": BATCH,
                 "inputs": _describe(_leaves_with_names(specs, input_names)), "outputs": _describe(outputs),
                 "platforms": list(exported.platforms), "model": model.name, "jax_version": jax.__version__}
    atomic_write_bytes(os.path.join(folder, ARTIFACT), bytes(exported.serialize()))
    atomic_write_bytes(os.path.join(folder, SIGNATURE), json.dumps(signature, indent=1).encode())
    return signature


def refuse(format: Any) -> None:
    """Raises the error of `Model.export` for a format other than "jax".

    Raises:
      ValueError: naming the format and the accepted one.
    """
    raise ValueError(f"Argument `format` of export must be 'jax' (a jax.export artifact), received {format!r}: "
                     f"Keras's 'tf_saved_model', 'onnx' and 'openvino' need TensorFlow / ONNX / OpenVINO.")


class ServingFunction:
    """An exported model: call it on arrays shaped as `signature["inputs"]` describes.

    Attributes:
      exported: the `jax.export.Exported`.
      signature: the dict of `signature.json`.
    """

    def __init__(self, exported: Any, signature: dict[str, Any]) -> None:
        self.exported = exported
        self.signature = signature

    def __call__(self, *inputs: Any) -> Any:
        return self.exported.call(*inputs)

    def __repr__(self) -> str:
        shapes = [tuple(i["shape"]) for i in self.signature.get("inputs", [])]
        return f"<ServingFunction of {self.signature.get('model')!r}, inputs {shapes}>"


def load(path: str | os.PathLike) -> ServingFunction:
    """Reads a folder written by `export_model`; uses jax and NumPy only.

    Raises:
      FileNotFoundError: when the folder lacks the artifact or the signature.
      ValueError: for files that are not an export of this format.
    """
    folder = os.fspath(path)
    with open(os.path.join(folder, SIGNATURE), "rb") as f:
        try:
            signature = json.loads(f.read())
        except json.JSONDecodeError as err:
            raise ValueError(f"{os.path.join(folder, SIGNATURE)!r} is not valid JSON ({err}).") from None
    if not isinstance(signature, dict) or signature.get("format") != FORMAT:
        raise ValueError(f"{folder!r} is not a kerasish export (its {SIGNATURE} has format "
                         f"{signature.get('format') if isinstance(signature, dict) else None!r}).")
    with open(os.path.join(folder, ARTIFACT), "rb") as f:
        data = f.read()
    try:
        exported = jax.export.deserialize(bytearray(data))
    except Exception as err:  # jax raises several kinds for a damaged flatbuffer
        raise ValueError(f"{os.path.join(folder, ARTIFACT)!r} is not a readable jax.export artifact ({err}).") \
            from None
    return ServingFunction(exported, signature)
