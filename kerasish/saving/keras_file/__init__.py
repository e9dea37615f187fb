"""Keras 3's `.keras` model files and `.weights.h5` weights files, read and written by kerasish.

A `.keras` file is a zip of `config.json` (the model as Keras serializes it, with its `compile_config`),
`metadata.json` and `model.weights.h5` (every layer's variables under its group, and the optimizer's under
`optimizer/vars`; see `weight_layout`). `load_model` turns Keras's config into kerasish's (`graph_from_keras`,
`layer_configs`, `values`), builds the model through the registry, loads the weights by path and, with
`compile=True`, compiles it as it was with its optimizer state, so `fit` continues where Keras stopped.
`save_model` writes the same layout, so Keras 3 loads the file and predicts the same.

Loading a file never runs code from it (Keras's `safe_mode=True`, always): a Lambda layer, a serialized
lambda anywhere in the config, or a class that is neither kerasish's nor registered with
`register_serializable` is refused with an error naming it. What kerasish cannot reproduce (a quantized
layer, a layer kerasish does not have) is refused the same way, never dropped.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import Any

import kerasish.saving.keras_file.archive as archive
import kerasish.saving.keras_file.compile_config as compile_config
import kerasish.saving.keras_file.graph_from_keras as graph_from_keras
import kerasish.saving.keras_file.graph_to_keras as graph_to_keras
import kerasish.saving.keras_file.optimizer_state as optimizer_state
import kerasish.saving.keras_file.values as values
from kerasish import registry
from kerasish.layers.serialization import deserialize
from kerasish.saving.atomic import atomic_write_bytes
from kerasish.saving.keras_file.values import Unsupported
from kerasish.saving.keras_file.weight_layout import weight_groups

KERAS_SUFFIX = ".keras"
KERAS_WEIGHTS_SUFFIX = ".weights.h5"
#: The Keras version whose format these files follow (written into metadata.json).
KERAS_FORMAT_VERSION = "3.15.1"

__all__ = ["KERAS_SUFFIX", "KERAS_WEIGHTS_SUFFIX", "load_model", "load_weights", "save_model", "save_weights"]


def _path(filepath: Any, suffix: str, function: str) -> str:
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"Argument `filepath` of {function} must be a path, received {filepath!r}.")
    path = os.fspath(filepath)
    if not path.endswith(suffix):
        raise ValueError(f"Argument `filepath` of {function} must end in {suffix!r}, received filepath={path!r}.")
    return path


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


# -- weights --------------------------------------------------------------------------------------------------------

def _write_weights(model: Any, file: Any, include_optimizer: bool) -> None:
    for path, name, variables in weight_groups(model):
        group = file.require_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = name
        for i, variable in enumerate(variables):
            archive.write_array(group, str(i), variable[...])
    saved = optimizer_state.keras_values(model) if include_optimizer else None
    if saved is not None:
        name, arrays = saved
        group = file.require_group("optimizer/vars")
        group.attrs["name"] = name
        for i, array in enumerate(arrays):
            archive.write_array(group, str(i), array)


def _read_weights(model: Any, file: Any, source: str, orders: dict[str, list[str]]) -> None:
    found: dict[int, Any] = {}
    for path, name, variables in weight_groups(model, orders):
        where = f"{path}/vars" if path else "vars"
        if not variables:
            continue
        group = archive.group(file, where, source)
        stored = [] if group is None else sorted(group.keys(), key=lambda k: (not k.isdigit(), int(k) if k.isdigit()
                                                                              else 0, k))
        if len(stored) != len(variables):
            raise ValueError(f"{source}: {where!r} holds {len(stored)} arrays, but layer '{name}' of model "
                             f"'{model.name}' has {len(variables)} weights: the file describes another model.")
        for i, variable in enumerate(variables):
            array = archive.dataset(group, str(i), source, where)
            if array.shape != tuple(variable.shape):
                raise ValueError(f"{source}: {where}/{i} has shape {array.shape}, but the matching weight of layer "
                                 f"'{name}' has shape {tuple(variable.shape)}.")
            found[id(variable)] = array
    missing = [i for i, w in enumerate(model.weights) if id(w) not in found]
    if missing:
        raise Unsupported(f"{source}: weights {missing} of model '{model.name}' have no place in a Keras weights "
                          f"file (a layer whose Keras layout kerasish does not know).")
    model.set_weights([found[id(w)] for w in model.weights])


def _restore_optimizer(model: Any, file: Any, source: str, orders: dict[str, list[str]]) -> None:
    group = archive.group(file, "optimizer/vars", source)
    if group is None or model.optimizer is None:
        return
    count = len([k for k in group.keys() if k.isdigit()])
    arrays = [archive.dataset(group, str(i), source, "optimizer/vars") for i in range(count)]
    optimizer_state.restore(model, arrays, f"{source}: optimizer/vars", orders)


def save_weights(model: Any, filepath: str | os.PathLike) -> None:
    """Writes `model`'s weights (and its optimizer's state when compiled) to a Keras `.weights.h5` file, as
    Keras's `model.save_weights` lays it out; written atomically.

    Raises:
      ValueError: for a path without the suffix or a model that is not built.
      ImportError: without h5py.

    Example:
      >>> import pathlib, tempfile
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
      >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.weights.h5"
      >>> save_weights(model, path)
      >>> load_weights(model, path)
    """
    path = _path(filepath, KERAS_WEIGHTS_SUFFIX, "save_weights")
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built, so it has no weights to save: build it first (an Input, "
                         f"`model.build(...)` or one call on data).")
    atomic_write_bytes(path, archive.h5_bytes(lambda file: _write_weights(model, file, True)))


def load_weights(model: Any, filepath: str | os.PathLike) -> None:
    """Loads a Keras `.weights.h5` file (Keras's or kerasish's) into `model`, by Keras's weight paths; the
    optimizer state too when the model is compiled and the file holds one.

    Raises:
      FileNotFoundError: for a missing file.
      ValueError: for a file that is not HDF5, or whose weights do not fit the model (the entry is named).
    """
    path = _path(filepath, KERAS_WEIGHTS_SUFFIX, "load_weights")
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built, so it cannot take weights: build it first.")
    source = repr(path)
    with archive.open_h5(_read(path), source) as file:
        _read_weights(model, file, source, {})
        if model.get_compile_config() is not None:
            _restore_optimizer(model, file, source, {})


# -- models ---------------------------------------------------------------------------------------------------------

def save_model(model: Any, filepath: str | os.PathLike, include_optimizer: bool = True) -> None:
    """Writes `model` as a Keras 3 `.keras` file that `keras.saving.load_model` reads (atomically).

    Args:
      model: a built Sequential, functional or registered subclassed model.
      filepath: the file, ending in `.keras`.
      include_optimizer: also store the compile arguments and the optimizer's state.

    Raises:
      ValueError: for a path without the suffix, a model that is not built, or a model holding something a file
        cannot describe (a Lambda layer, a function as loss): the message names it.
      ImportError: without h5py.
    """
    path = _path(filepath, KERAS_SUFFIX, "save")
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built, so it cannot be saved: build it first (an Input, "
                         f"`model.build(...)` or one call on data).")
    config = graph_to_keras.model_to_keras(model, "model")
    compiled = model.get_compile_config() if include_optimizer else None
    if compiled is not None:
        config["compile_config"] = compile_config.compile_to_keras(compiled, "compile configuration")
    metadata = {"keras_version": KERAS_FORMAT_VERSION, "saved_by": "kerasish",
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    weights = archive.h5_bytes(lambda file: _write_weights(model, file, compiled is not None))
    atomic_write_bytes(path, archive.write_zip({archive.METADATA: json.dumps(metadata).encode(),
                                                archive.CONFIG: json.dumps(config).encode(),
                                                archive.WEIGHTS: weights}))


def load_model(filepath: str | os.PathLike, custom_objects: dict[str, Any] | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Rebuilds the model of a Keras 3 `.keras` file: same architecture, same weights, and with `compile=True`
    compiled as it was with its optimizer state.

    Args:
      filepath: the `.keras` file (written by Keras 3 or by kerasish).
      custom_objects: `{name: class or function}` for custom objects the file names, as in Keras.
      compile: compile the model as the file says (and restore the optimizer state).
      safe_mode: must stay True: kerasish never runs code from a file.

    Raises:
      FileNotFoundError: for a missing file.
      ValueError: for `safe_mode=False`; for a malformed file (not a zip, an entry missing or not JSON, weights
        that do not fit), naming the file and the entry; for a Lambda layer, a serialized lambda, or a class that
        is neither kerasish's nor registered, naming it (nothing in the file is run).
    """
    if safe_mode is not True:
        raise ValueError(f"Argument `safe_mode` of load_model must be True, received {safe_mode!r}: kerasish never "
                         f"runs code from a file (a Lambda layer's function, a serialized lambda). Register the "
                         f"function or class in your code with @kerasish.saving.register_serializable() instead.")
    path = _path(filepath, KERAS_SUFFIX, "load_model")
    source = repr(path)
    with registry.custom_object_scope(custom_objects), archive.open_zip(_read(path), source) as zipped:
        config = archive.read_json(zipped, archive.CONFIG, source)
        assets = [n for n in zipped.namelist() if n.startswith("assets/")]
        weights = archive.read_member(zipped, archive.WEIGHTS, source)
        where = f"{source}: {archive.CONFIG}"
        if not isinstance(config, dict):
            raise ValueError(f"{where} must hold a model entry (a JSON object), received {type(config).__name__}.")
        try:
            if assets:
                raise Unsupported(f"{source} holds assets ({assets[:3]}...): vocabularies of lookup layers, which "
                                  f"kerasish does not read from .keras files.")
            orders: dict[str, list[str]] = {}
            spec = graph_from_keras.model_from_keras(config, where, orders)  # refuses a Lambda layer by name
            values.check_no_code(config, where)
            model = deserialize(spec, what=where)
        except Unsupported:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as err:
            raise ValueError(f"{where} describes a model kerasish cannot build: {type(err).__name__}: {err}") \
                from None
        with archive.open_h5(weights, f"{source}: {archive.WEIGHTS}") as file:
            _read_weights(model, file, f"{source}: {archive.WEIGHTS}", orders)
            if compile and config.get("compile_config"):
                settings = compile_config.compile_from_keras(config["compile_config"], f"{where}['compile_config']")
                model.compile_from_config(settings)
                _restore_optimizer(model, file, f"{source}: {archive.WEIGHTS}", orders)
    return model
