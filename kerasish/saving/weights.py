"""Weights files: a model's `get_weights()` in one safetensors file, written atomically.

The file holds one tensor per weight, keyed `"<index>/<layer name>/<attribute>"` (e.g.
`"0000/dense/kernel"`), the index being the weight's position in `get_weights()` (Keras's order), and
metadata `{"format": "kerasish.weights", "version": "1", "count": "<number of weights>"}`. Loading
goes by index, so a model rebuilt with other layer names (`dense_3` instead of `dense`) loads the file;
count and shapes must match. safetensors holds raw arrays and a JSON header only: loading a file never
runs code from it.

A path ending in `.orbax` is an orbax checkpoint folder instead (`saving.orbax_checkpoint`): the weights of a
model laid out over several devices or processes, each process writing the shards it holds, without
gathering them anywhere. Loading reads each weight straight into the layout the model's weight has (its
distribution's mesh, the same as the saver's or another, or one device). With several processes every
process calls `save_weights` / `load_weights` together.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
from flax import nnx
from safetensors import SafetensorError
from safetensors import numpy as st

import kerasish.saving.keras_file as keras_file
from kerasish.layers.base import Layer
from kerasish.saving.atomic import atomic_write_bytes
from kerasish.saving.orbax_checkpoint import ORBAX_SUFFIX, is_orbax_path, open_checkpoint, save_checkpoint

WEIGHTS_SUFFIX = ".weights.safetensors"
FORMAT = "kerasish.weights"
VERSION = "1"
ORBAX_KIND = "weights"  # the kind of an orbax weights checkpoint


def _check_path(path: Any, function: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"Argument `filepath` of {function} must be a path, received {path!r}.")
    path = os.fspath(path)
    if not path.endswith(WEIGHTS_SUFFIX):
        raise ValueError(f"Argument `filepath` of {function} must end in {WEIGHTS_SUFFIX!r} (a safetensors weights "
                         f"file), {keras_file.KERAS_WEIGHTS_SUFFIX!r} (Keras's HDF5 weights file) or "
                         f"{ORBAX_SUFFIX!r} (an orbax checkpoint folder, for sharded weights), received "
                         f"filepath={path!r}.")
    return path


def _is_keras(path: Any) -> bool:
    return isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith(keras_file.KERAS_WEIGHTS_SUFFIX)


def weight_keys(model: Layer) -> list[str]:
    """The file keys of `model.weights`: `"<index>/<owning layer's name>/<attribute path>"`.

    Example:
      >>> import kerasish as ks
      >>> weight_keys(ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, name="out")]))
      ['0000/out/kernel', '0001/out/bias']
    """
    nodes = list(nnx.iter_graph(model))
    layer_names = {path: node.name for path, node in nodes if isinstance(node, Layer)}
    names: dict[int, str] = {}
    for path, node in nodes:
        if isinstance(node, nnx.Variable):
            owner = max((p for p in layer_names if path[:len(p)] == p), key=len)
            names[id(node)] = "/".join([layer_names[owner], *map(str, path[len(owner):])])
    return [f"{i:04d}/{names.get(id(v), f'weight_{i}')}" for i, v in enumerate(model.weights)]


def save_weights(model: Layer, filepath: str | os.PathLike) -> None:
    """Saves `model.get_weights()` to a safetensors file, atomically (the old file survives a crash).

    Args:
      model: a built layer or model.
      filepath: the file, ending in `.weights.safetensors` (or `.weights.h5`: Keras's file, written by
        `saving.keras_file.save_weights`); its folder must exist. A path ending in `.orbax` writes the next
        checkpoint of that orbax folder (created if missing) and then deletes the previous one.

    Raises:
      TypeError / ValueError: for a `filepath` that is not a path or lacks the suffix, or a model that
        is not built.

    Example:
      >>> import pathlib, tempfile
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
      >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.weights.safetensors"
      >>> save_weights(model, path)
      >>> load_weights(model, path)
    """
    if _is_keras(filepath):
        return keras_file.save_weights(model, filepath)
    orbax = is_orbax_path(filepath)
    path = os.fspath(filepath) if orbax else _check_path(filepath, "save_weights")
    if not getattr(model, "built", False):
        raise ValueError(f"Model '{model.name}' is not built, so it has no weights to save: build it first "
                         f"(an Input, `model.build(...)` or one call on data).")
    if orbax:  # every process writes the shards it holds
        save_checkpoint(path, ORBAX_KIND, [v[...] for v in model.weights], {"names": weight_keys(model)})
        return
    tensors = {key: np.require(w, requirements="C") for key, w in zip(weight_keys(model), model.get_weights())}
    metadata = {"format": FORMAT, "version": VERSION, "count": str(len(tensors))}
    atomic_write_bytes(path, st.save(tensors, metadata=metadata))


def load_weights(model: Layer, filepath: str | os.PathLike) -> None:
    """Loads a file written by `save_weights` into `model` (by position; count and shapes must match).

    Args:
      model: a built layer or model with the same weights as the one saved.
      filepath: a `.weights.safetensors` file (or Keras's `.weights.h5`, read by `saving.keras_file.load_weights`),
        or a `.orbax` checkpoint folder (its newest checkpoint; each weight read into the layout of the
        model's).

    Raises:
      FileNotFoundError: if the file does not exist.
      ValueError: for a file that is not a kerasish weights file (corrupt, truncated, foreign, newer
        version), or whose weight count or shapes differ from the model's (the message names the
        weight and both shapes). The model is left unchanged.
    """
    if _is_keras(filepath):
        return keras_file.load_weights(model, filepath)
    if is_orbax_path(filepath):
        return _load_orbax(model, os.fspath(filepath))
    path = _check_path(filepath, "load_weights")
    with open(path, "rb") as f:
        data = f.read()
    tensors, _ = read_file(data, repr(path), FORMAT, int(VERSION), "weights")
    ordered = sorted(tensors.items(), key=lambda item: int(item[0].split("/", 1)[0]))
    variables = model.weights
    if len(ordered) != len(variables):
        raise ValueError(f"{path!r} holds {len(ordered)} weights, but model '{model.name}' has {len(variables)}.")
    for (key, value), variable, own_key in zip(ordered, variables, weight_keys(model)):
        if value.shape != variable.shape:
            raise ValueError(f"Weight {key!r} in {path!r} has shape {value.shape}, but the model's weight "
                             f"{own_key!r} has shape {variable.shape}.")
    model.set_weights([value for _, value in ordered])


def _load_orbax(model: Layer, path: str) -> None:
    """`load_weights` from an orbax folder: shapes checked first, each weight read into its variable's layout."""
    checkpoint = open_checkpoint(path, ORBAX_KIND, source=repr(path))
    names, variables = checkpoint.content["names"], model.weights
    if len(names) != len(variables):
        raise ValueError(f"{path!r} holds {len(names)} weights, but model '{model.name}' has {len(variables)}.")
    for name, shape, variable, own_key in zip(names, checkpoint.shapes, variables, weight_keys(model)):
        if shape != tuple(variable.shape):
            raise ValueError(f"Weight {name!r} in {path!r} has shape {shape}, but the model's weight {own_key!r} "
                             f"has shape {tuple(variable.shape)}.")
    values = checkpoint.restore_arrays([variable[...] for variable in variables], cast=True)
    for variable, value in zip(variables, values):
        variable[...] = value


def read_file(data: bytes, source: str, file_format: str, version: int, kind: str) -> tuple[dict, dict]:
    """The tensors and metadata of a kerasish safetensors file (weights, model, training state).

    Raises:
      ValueError: naming `source` and the problem: not a readable safetensors file (truncated or
        corrupt), a safetensors file of another format, or one written by a newer kerasish.
    """
    try:
        tensors = st.load(data)
        metadata = read_metadata(data)
    except (SafetensorError, ValueError) as err:
        raise ValueError(f"{source} is not a readable safetensors file (truncated or corrupt?): {err}") from None
    if metadata.get("format") != file_format:
        raise ValueError(f"{source} is a safetensors file but not a kerasish {kind} file (its format is "
                         f"{metadata.get('format')!r}).")
    if not str(metadata.get("version", "")).isdigit():
        raise ValueError(f"{source} holds the {kind} format version {metadata.get('version')!r}, which is not a "
                         f"whole number: the file is corrupt.")
    if int(metadata["version"]) > version:
        raise ValueError(f"{source} was written by a newer kerasish ({kind} format version "
                         f"{metadata.get('version')!r}; this one reads up to {version}).")
    return tensors, metadata


def read_metadata(data: bytes) -> dict[str, str]:
    """The `__metadata__` of a safetensors header (8-byte little-endian length, then JSON)."""
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    return header.get("__metadata__") or {}
