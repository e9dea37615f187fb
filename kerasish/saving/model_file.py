"""`model.save(path)` / `load_model(path)`: one file, architecture + weights (+ optimizer).

The suffix picks the format: `.kerasish` is kerasish's own (below), `.keras` is Keras 3's zip
(`saving.keras_file`), which Keras loads too.

The file is a safetensors file: each weight is a tensor keyed like a weights file
(`"0000/dense/kernel"`, Keras's order), the optimizer state's arrays are tensors
`"optimizer/<index>"`, and the header's metadata holds JSON: the architecture (each layer's class
name and `get_config()`), the input shape to build with, and the compile arguments. Loading looks
classes up in the registry (kerasish's own and `register_serializable` ones) and calls their
`from_config`: nothing in a file is executed, no pickle, no eval. Written atomically.

A path ending in `.orbax` is an orbax checkpoint folder instead (`saving.orbax_checkpoint`), for a model laid
out over several devices or processes: the same JSON (architecture, compile arguments) in its manifest, and
the weights, RNG streams and optimizer state as arrays, each process writing the shards it holds (every
process calls `save_model` together). `load_model` reads them to the host, as from a file: the model is
placed on the distribution it is compiled under when it first runs.
"""

from __future__ import annotations

import json
import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from safetensors import numpy as st

import kerasish.saving.keras_file as keras_file
from kerasish import registry
from kerasish.layers.serialization import deserialize, serialize
from kerasish.saving.atomic import atomic_write_bytes
from kerasish.saving.orbax_checkpoint import ORBAX_SUFFIX, is_orbax_path, open_checkpoint, save_checkpoint
from kerasish.saving.weights import read_file, weight_keys

MODEL_SUFFIX = ".kerasish"
FORMAT = "kerasish.model"
VERSION = 1
ORBAX_KIND = "model"  # the kind of an orbax model checkpoint


def _rng_variables(model) -> list:
    """The RNG stream variables (keys and counters) of the model, in graph order."""
    return [node for _, node in nnx.iter_graph(model) if isinstance(node, nnx.RngState)]


def _json(value: Any, what: str) -> str:
    try:
        return json.dumps(value)
    except TypeError as err:
        raise ValueError(f"The model cannot be saved: its {what} holds a value JSON cannot store ({err}). A Lambda "
                         f"layer's function, a custom loss or a callable initializer is code, and a model file "
                         f"never stores code: use a registered custom Layer (register_serializable) instead.") \
            from None


def save_model(model, filepath: str | os.PathLike, include_optimizer: bool = True,
               optimizer_state: list | None = None) -> None:
    """Writes `model` to one `.kerasish` file (see the module docstring), a Keras 3 `.keras` file, or the next
    checkpoint of a `.orbax` folder; the old file (checkpoint) survives a crash.

    Args:
      model: a built model.
      filepath: the file or orbax folder; its suffix picks the format.
      include_optimizer: also store the compile arguments and the optimizer state.
      optimizer_state: the optimizer state's arrays to store (`jax.tree.leaves` order), e.g. a running fit's
        live ones, which may be laid out over several processes; None: `model.get_optimizer_state()`.

    Raises:
      ValueError: for a `filepath` with another suffix, a model that is not built, or a configuration that
        holds code.
    """
    if isinstance(filepath, (str, os.PathLike)) and os.fspath(filepath).endswith(keras_file.KERAS_SUFFIX):
        return keras_file.save_model(model, filepath, include_optimizer)
    orbax = is_orbax_path(filepath)
    if not orbax and (not isinstance(filepath, (str, os.PathLike)) or not os.fspath(filepath).endswith(MODEL_SUFFIX)):
        raise ValueError(f"Argument `filepath` of save must be a path ending in {MODEL_SUFFIX!r} (kerasish's format), "
                         f"{keras_file.KERAS_SUFFIX!r} (Keras 3's) or {ORBAX_SUFFIX!r} (an orbax checkpoint folder, "
                         f"for a sharded model), received {filepath!r}.")
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built, so it cannot be saved: build it first (an Input, "
                         f"`model.build(...)` or one call on data).")
    if orbax:
        return _save_orbax(model, os.fspath(filepath), include_optimizer, optimizer_state)
    tensors = {key: np.require(w, requirements="C") for key, w in zip(weight_keys(model), model.get_weights())}
    for i, variable in enumerate(_rng_variables(model)):  # so that training continues with the same masks
        value = variable[...]
        if jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
            value = jax.random.key_data(value)
        tensors[f"rng/{i:06d}"] = np.require(np.asarray(value), requirements="C")
    metadata = {"format": FORMAT, "version": str(VERSION),
                "model": _json(serialize(model), "configuration")}
    compile_spec = model.get_compile_config() if include_optimizer else None
    if compile_spec is not None:
        metadata["compile"] = _json(compile_spec, "compile configuration")
        leaves = model.get_optimizer_state() if optimizer_state is None else optimizer_state
        for i, leaf in enumerate(leaves or []):
            tensors[f"optimizer/{i:06d}"] = np.require(leaf, requirements="C")
    atomic_write_bytes(os.fspath(filepath), st.save(tensors, metadata=metadata))


def _save_orbax(model, path: str, include_optimizer: bool, optimizer_state: list | None) -> None:
    """`save_model` to an orbax folder: the JSON of a model file in the manifest, the arrays as they lie."""
    weights = [variable[...] for variable in model.weights]
    rng = [variable[...] for variable in _rng_variables(model)]
    content = {"model": _json(serialize(model), "configuration"), "compile": None,
               "weights": len(weights), "rng": len(rng)}
    compile_spec = model.get_compile_config() if include_optimizer else None
    optimizer = []
    if compile_spec is not None:
        content["compile"] = _json(compile_spec, "compile configuration")
        if optimizer_state is None:
            try:
                optimizer_state = model.get_optimizer_state()
            except RuntimeError as err:  # JAX cannot bring an array split over processes to one host
                raise ValueError(f"Model '{model.name}' cannot be saved with its optimizer state: that state is "
                                 f"split over several processes, and `get_optimizer_state` reads it on each host "
                                 f"({err}). Save it during fit with ModelCheckpoint('....orbax'), which writes the "
                                 f"live state as it lies, or here with include_optimizer=False.") from None
        optimizer = list(optimizer_state or [])
    save_checkpoint(path, ORBAX_KIND, weights + rng + optimizer, content)


class InvalidModelFileError(ValueError):
    """A file that is not a valid kerasish model: its message names the file and the entry at fault."""


def load_model(filepath: str | os.PathLike, custom_objects: dict[str, Any] | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Rebuilds a model saved by `model.save(...)`: same architecture, same weights (bit for bit), and,
    with `compile=True`, compiled as it was with its optimizer state, ready to continue training. A `.keras`
    file (Keras 3's, written by Keras or kerasish) is read by `saving.keras_file.load_model`.

    Args:
      filepath: a `.kerasish` or `.keras` file, or a `.orbax` checkpoint folder (its newest checkpoint).
      custom_objects: `{name: class or function}` the file may name, besides registered ones (as in Keras).
      compile: compile the model as saved, with its optimizer state.
      safe_mode: must stay True: kerasish never runs code from a file.

    Raises:
      FileNotFoundError: if the file does not exist.
      InvalidModelFileError: (a ValueError) for a truncated, corrupt, foreign or newer-version file, a malformed
        entry, or one naming a class that is neither kerasish's nor registered; the message names the file and
        the problem, and nothing in the file is run.
    """
    if safe_mode is True and isinstance(filepath, (str, os.PathLike)) \
            and os.fspath(filepath).endswith(keras_file.KERAS_SUFFIX):
        try:
            return keras_file.load_model(filepath, custom_objects, compile, safe_mode)
        except InvalidModelFileError:
            raise
        except ValueError as err:  # one error type for every bad model file, whatever its format
            raise InvalidModelFileError(str(err)) from None
    if safe_mode is not True:
        return keras_file.load_model(filepath, custom_objects, compile, safe_mode)  # its message explains
    with registry.custom_object_scope(custom_objects):
        return _load_native(os.fspath(filepath), compile)


def _load_native(path: str, compile: bool):
    if is_orbax_path(path):
        read = lambda: _model_from_orbax(open_checkpoint(path, ORBAX_KIND, source=repr(path)), path, compile)
    else:
        with open(path, "rb") as f:
            data = f.read()
        read = lambda: _model_from(data, path, compile)
    try:
        return read()
    except InvalidModelFileError:
        raise
    except RecursionError:
        raise InvalidModelFileError(f"{path!r} is not a valid kerasish model file: its JSON is nested too deeply."
                                    ) from None
    except KeyError as err:
        raise InvalidModelFileError(f"{path!r} is not a valid kerasish model file: an entry misses the key {err}."
                                    ) from None
    except (ValueError, TypeError, IndexError, AttributeError) as err:
        kind = "" if isinstance(err, ValueError) else f" ({type(err).__name__})"
        raise InvalidModelFileError(f"{path!r} is not a valid kerasish model file: {err}{kind}") from None


def _json_entry(metadata: dict[str, str], key: str, path: str) -> Any:
    try:
        return json.loads(metadata[key])
    except KeyError:
        raise InvalidModelFileError(f"{path!r} is not a valid kerasish model file: it has no {key!r} entry.") from None
    except json.JSONDecodeError as err:
        raise InvalidModelFileError(f"{path!r} is not a valid kerasish model file: its {key!r} entry is not JSON "
                                    f"({err}).") from None


def _model_from(data: bytes, path: str, compile: bool):
    tensors, metadata = read_file(data, repr(path), FORMAT, VERSION, "model")
    weights = [v for k, v in sorted(tensors.items()) if not k.startswith(("optimizer/", "rng/"))]
    rng = [v for k, v in sorted(tensors.items()) if k.startswith("rng/")]
    optimizer = [v for k, v in sorted(tensors.items()) if k.startswith("optimizer/")]
    return _build(metadata, weights, rng, optimizer, path, compile)


def _model_from_orbax(checkpoint, path: str, compile: bool):
    content = checkpoint.content
    metadata = {key: content[key] for key in ("model", "compile") if content.get(key) is not None}
    arrays = checkpoint.restore_arrays([None] * len(checkpoint))  # to the host, placed when the model runs
    weights, rng = int(content["weights"]), int(content["rng"])
    return _build(metadata, arrays[:weights], arrays[weights:weights + rng], arrays[weights + rng:], path, compile)


def _build(metadata: dict[str, str], weights: list, rng: list, optimizer: list, path: str, compile: bool):
    """The model a file describes (`metadata`: its JSON entries), with its weights, RNG streams and, with
    `compile`, its compile arguments and optimizer state."""
    spec = _json_entry(metadata, "model", path)
    model = deserialize(spec, what=f"The model file {path!r}")
    if len(weights) != len(model.weights):
        raise ValueError(f"{path!r} holds {len(weights)} weights, but the model it describes has "
                         f"{len(model.weights)}: the file is inconsistent.")
    model.set_weights(weights)
    variables = _rng_variables(model)
    if len(rng) == len(variables):
        for variable, value in zip(variables, rng):
            old = variable[...]
            if jax.dtypes.issubdtype(old.dtype, jax.dtypes.prng_key):
                variable[...] = jax.random.wrap_key_data(jnp.asarray(value), impl=jax.random.key_impl(old))
            else:
                variable[...] = jnp.asarray(value, old.dtype)
    if compile and "compile" in metadata:
        spec = _json_entry(metadata, "compile", path)
        if not isinstance(spec, dict) or "optimizer" not in spec:
            raise InvalidModelFileError(f"{path!r} is not a valid kerasish model file: its 'compile' entry is "
                                        f"{str(spec)[:120]!r}, not a compile configuration.")
        _recompile(model, spec, optimizer)
    return model


def _recompile(model, spec: dict[str, Any], optimizer_leaves: list[np.ndarray]) -> None:
    model.compile_from_config(spec)
    model.set_optimizer_state(optimizer_leaves)
