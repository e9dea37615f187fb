"""Training-state checkpoints: everything `fit` needs to continue exactly where it stopped.

One safetensors file holds the leaves of the train state (trainable weights, the rest of the
model's state including RNG streams, the optimizer state) by position, and its metadata holds JSON:
the epoch, the shuffling generator's state, and any callback's state. Nothing in the file is ever
executed (no pickle); a file whose leaves do not fit the model is refused with a clear error.
Written atomically: a crash leaves the previous checkpoint whole.
"""

from __future__ import annotations

import json
import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish.saving.atomic import atomic_write_bytes
from kerasish.saving.weights import read_file

FORMAT = "kerasish.training_state"
VERSION = 1


def _is_key(leaf: Any) -> bool:
    return jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)


def state_to_bytes(state: dict[str, Any], metadata: dict[str, Any]) -> bytes:
    """Serializes `state` (params, rest, opt) and JSON-able `metadata`."""
    from safetensors.numpy import save

    leaves = jax.tree.leaves({k: state[k] for k in ("params", "rest", "opt")})
    tensors, keys = {}, []
    for i, leaf in enumerate(leaves):
        if _is_key(leaf):
            keys.append(i)
            leaf = jax.random.key_data(leaf)
        tensors[f"{i:06d}"] = np.require(np.asarray(leaf), requirements="C")  # keeps 0-d arrays 0-d
    header = {"format": FORMAT, "version": str(VERSION), "key_leaves": json.dumps(keys),
              "metadata": json.dumps(metadata)}
    return save(tensors, metadata=header)


def state_from_bytes(data: bytes, like: dict[str, Any], source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reads a state written by `state_to_bytes` into the structure of `like`; returns (state, metadata)."""
    tensors, header = read_file(data, source, FORMAT, VERSION, "training-state")
    part = {k: like[k] for k in ("params", "rest", "opt")}
    leaves, treedef = jax.tree.flatten(part)
    if len(tensors) != len(leaves):
        raise ValueError(f"{source} holds {len(tensors)} arrays but this model's training state has {len(leaves)}: "
                         f"it was saved from another model or optimizer.")
    restored = []
    for i, leaf in enumerate(leaves):
        value = tensors[f"{i:06d}"]
        if _is_key(leaf):
            restored.append(jax.random.wrap_key_data(jnp.asarray(value), impl=jax.random.key_impl(leaf)))
            continue
        if value.shape != leaf.shape or value.dtype != np.dtype(leaf.dtype):
            raise ValueError(f"{source}: array {i} has shape {value.shape} and dtype {value.dtype}, the model's has "
                             f"{tuple(leaf.shape)} and {np.dtype(leaf.dtype)}; it was saved from another model.")
        restored.append(jnp.asarray(value))
    state = {**like, **jax.tree.unflatten(treedef, restored)}
    return state, json.loads(header.get("metadata", "{}"))


def save_training_state(path: str | os.PathLike, state: dict[str, Any], metadata: dict[str, Any]) -> None:
    atomic_write_bytes(path, state_to_bytes(state, metadata))


def load_training_state(path: str | os.PathLike, like: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    with open(path, "rb") as f:
        return state_from_bytes(f.read(), like, f"Training-state file {os.fspath(path)!r}")
