"""`model.save(path)` / `load_model(path)`: one `.kerasish` file, architecture + weights (+ optimizer).

The file is a safetensors file: each weight is a tensor keyed like a weights file
(`"0000/dense/kernel"`, Keras's order), the optimizer state's arrays are tensors
`"optimizer/<index>"`, and the header's metadata holds JSON: the architecture (each layer's class
name and `get_config()`), the input shape to build with, and the compile arguments. Loading looks
classes up in the registry (kerasish's own and `register_serializable` ones) and calls their
`from_config`: nothing in a file is executed, no pickle, no eval. Written atomically.
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

from kerasish.layers.serialization import deserialize, serialize
from kerasish.saving.atomic import atomic_write_bytes
from kerasish.saving.weights import read_file, weight_keys

MODEL_SUFFIX = ".kerasish"
FORMAT = "kerasish.model"
VERSION = 1


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


def save_model(model, filepath: str | os.PathLike, include_optimizer: bool = True) -> None:
    """Writes `model` to one `.kerasish` file (see the module docstring); the old file survives a crash."""
    if not isinstance(filepath, (str, os.PathLike)) or not os.fspath(filepath).endswith(MODEL_SUFFIX):
        raise ValueError(f"Argument `filepath` of save must be a path ending in {MODEL_SUFFIX!r}, received "
                         f"{filepath!r}.")
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built, so it cannot be saved: build it first (an Input, "
                         f"`model.build(...)` or one call on data).")
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
        for i, leaf in enumerate(model.get_optimizer_state() or []):
            tensors[f"optimizer/{i:06d}"] = np.require(leaf, requirements="C")
    atomic_write_bytes(os.fspath(filepath), st.save(tensors, metadata=metadata))


class InvalidModelFileError(ValueError):
    """A file that is not a valid kerasish model: its message names the file and the entry at fault."""


def load_model(filepath: str | os.PathLike, compile: bool = True):
    """Rebuilds a model saved by `model.save(...)`: same architecture, same weights (bit for bit), and,
    with `compile=True`, compiled as it was with its optimizer state, ready to continue training.

    Raises:
      FileNotFoundError: if the file does not exist.
      InvalidModelFileError: (a ValueError) for a truncated, corrupt, foreign or newer-version file, a malformed
        entry, or one naming a class that is neither kerasish's nor registered; the message names the file and
        the problem, and nothing in the file is run.
    """
    path = os.fspath(filepath)
    with open(path, "rb") as f:
        data = f.read()
    try:
        return _model_from(data, path, compile)
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
    spec = _json_entry(metadata, "model", path)
    model = deserialize(spec, what=f"The model file {path!r}")
    weights = sorted((k, v) for k, v in tensors.items() if not k.startswith(("optimizer/", "rng/")))
    if len(weights) != len(model.weights):
        raise ValueError(f"{path!r} holds {len(weights)} weights, but the model it describes has "
                         f"{len(model.weights)}: the file is inconsistent.")
    model.set_weights([v for _, v in weights])
    rng = [v for k, v in sorted(tensors.items()) if k.startswith("rng/")]
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
        _recompile(model, spec, [v for k, v in sorted(tensors.items()) if k.startswith("optimizer/")])
    return model


def _recompile(model, spec: dict[str, Any], optimizer_leaves: list[np.ndarray]) -> None:
    model.compile_from_config(spec)
    model.set_optimizer_state(optimizer_leaves)
