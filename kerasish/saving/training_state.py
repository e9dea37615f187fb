"""Training-state checkpoints: everything `fit` needs to continue exactly where it stopped.

One safetensors file holds the leaves of the train state by position (trainable weights, the rest of
the model's state including RNG streams, the optimizer state, the metric accumulators of a partial
epoch) and its header holds JSON metadata: where the loop was, the shuffling generator's state, the
callbacks' states. Arrays inside the metadata (EarlyStopping's best weights) are stored as tensors of
their own and put back in place on loading. Nothing in the file is ever executed (no pickle); a file
whose leaves do not fit the model is refused with a clear error. Written atomically: a crash leaves the
previous checkpoint whole.

Sharded arrays (a `NamedSharding` over several devices of this process) are gathered to the host on
saving and put back with the sharding of the state they are loaded into. State spread over several
processes (each holding only its own shards) cannot be gathered by one process: it is written as an orbax
checkpoint instead (`save_sharded_training_state`: each process its own shards, orbax's atomic commit), the
same entries and metadata in a folder of numbered checkpoints, and restored straight into the layout of the
state it is loaded into, on the same mesh or another (`load_sharded_training_state`).
"""

from __future__ import annotations

import json
import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish.saving.atomic import atomic_write_bytes
from kerasish.saving.orbax_checkpoint import open_checkpoint, save_checkpoint
from kerasish.saving.weights import read_file

FORMAT = "kerasish.training_state"
VERSION = 2
_ARRAY = "__array__"  # marks an array of the metadata: {"__array__": tensor name}
SHARDED_KIND = "training_state"  # the kind of an orbax training-state checkpoint


def _is_key(leaf: Any) -> bool:
    return jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)


def _to_host(leaf: Any) -> np.ndarray:
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        raise ValueError(f"The training state holds an array spread over several processes (sharding "
                         f"{leaf.sharding}); a training-state file is written by one process from arrays it can "
                         f"gather. Write it with save_sharded_training_state (an orbax checkpoint) instead.")
    if _is_key(leaf):
        leaf = jax.random.key_data(leaf)
    return np.require(np.asarray(leaf), requirements="C")  # keeps 0-d arrays 0-d


def _pack(tree: Any, tensors: dict[str, np.ndarray], where: str) -> Any:
    """`tree` with every NumPy/JAX array replaced by {"__array__": name}; the arrays go to `tensors`."""
    if isinstance(tree, (np.ndarray, jax.Array)):
        name = f"extra.{len(tensors):06d}"
        tensors[name] = _to_host(tree)
        return {_ARRAY: name}
    if isinstance(tree, dict):
        return {str(k): _pack(v, tensors, f"{where}[{k!r}]") for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_pack(v, tensors, f"{where}[{i}]") for i, v in enumerate(tree)]
    if isinstance(tree, np.generic):
        return tree.item()
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    raise TypeError(f"{where} is a {type(tree).__name__}; a training-state checkpoint holds numbers, strings, "
                    f"None, arrays, and lists and dicts of them.")


def _unpack(tree: Any, tensors: dict[str, np.ndarray]) -> Any:
    if isinstance(tree, dict):
        if set(tree) == {_ARRAY}:
            return tensors[tree[_ARRAY]]
        return {k: _unpack(v, tensors) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_unpack(v, tensors) for v in tree]
    return tree


def state_to_bytes(state: dict[str, Any], metadata: dict[str, Any]) -> bytes:
    """Serializes the train state `state` (every entry: params, rest, opt, metrics, ...) and `metadata`.

    Args:
      state: the train state, a dict of pytrees of arrays (PRNG key arrays are saved as their raw data).
      metadata: JSON-able values, NumPy arrays and lists/dicts of them.

    Returns:
      The bytes of a safetensors file.

    Raises:
      TypeError: if `metadata` holds something else (the message gives where).
      ValueError: if an array is spread over several processes.
    """
    from safetensors.numpy import save

    parts = sorted(state)
    leaves = jax.tree.leaves({k: state[k] for k in parts})
    tensors = {f"state.{i:06d}": _to_host(leaf) for i, leaf in enumerate(leaves)}
    packed = _pack(metadata, tensors, "metadata")
    header = {"format": FORMAT, "version": str(VERSION), "parts": json.dumps(parts),
              "key_leaves": json.dumps([i for i, leaf in enumerate(leaves) if _is_key(leaf)]),
              "metadata": json.dumps(packed)}
    return save(tensors, metadata=header)


def _restore_leaf(value: np.ndarray, leaf: Any, i: int, source: str) -> Any:
    """The saved `value` as an array like `leaf`: its dtype, its key type, and its sharding."""
    if _is_key(leaf):
        restored = jax.random.wrap_key_data(value, impl=jax.random.key_impl(leaf))
    else:
        shape, dtype = tuple(np.shape(leaf)), np.dtype(getattr(leaf, "dtype", None) or np.asarray(leaf).dtype)
        if value.shape != shape or value.dtype != dtype:
            raise ValueError(f"{source}: array {i} has shape {value.shape} and dtype {value.dtype}, the model's has "
                             f"{shape} and {dtype}; it was saved from another model.")
        restored = value
    sharding = getattr(leaf, "sharding", None)
    if sharding is not None and len(sharding.device_set) > 1:
        return jax.device_put(restored, sharding)
    return jnp.asarray(restored)  # on one device, uncommitted like a fresh state: the compiled steps are reused


def state_from_bytes(data: bytes, like: dict[str, Any], source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reads a file written by `state_to_bytes` into the structure (and shardings) of `like`.

    Args:
      data: the file's bytes.
      like: a train state of the model it is loaded into (e.g. `Engine.pull_state()`).
      source: how to name the file in messages.

    Returns:
      `(state, metadata)`: `like` with the saved entries replaced, and the metadata with its arrays.

    Raises:
      ValueError: for a file that is not a readable training-state file, one from an older kerasish, or
        one saved from another model or optimizer (the message says which).
    """
    tensors, header = read_file(data, source, FORMAT, VERSION, "training-state")
    if int(header["version"]) < VERSION:
        raise ValueError(f"{source} was written by an older kerasish (training-state format version "
                         f"{header['version']}, this one reads {VERSION}); delete it to start the run afresh.")
    parts = json.loads(header["parts"])
    if not set(parts) <= set(like):
        raise ValueError(f"{source} holds the train-state entries {parts}, but this model's train state has "
                         f"{sorted(like)}: it was saved from another model or optimizer.")
    leaves, treedef = jax.tree.flatten({k: like[k] for k in parts})
    saved = sorted(name for name in tensors if name.startswith("state."))
    if len(saved) != len(leaves):
        raise ValueError(f"{source} holds {len(saved)} arrays but this model's training state has {len(leaves)}: "
                         f"it was saved from another model or optimizer.")
    restored = [_restore_leaf(tensors[name], leaf, i, source) for i, (name, leaf) in enumerate(zip(saved, leaves))]
    state = {**like, **jax.tree.unflatten(treedef, restored)}
    return state, _unpack(json.loads(header["metadata"]), tensors)


def save_training_state(path: str | os.PathLike, state: dict[str, Any], metadata: dict[str, Any]) -> None:
    """Writes `state_to_bytes(state, metadata)` to `path` atomically (the old file survives a crash)."""
    atomic_write_bytes(path, state_to_bytes(state, metadata))


def load_training_state(path: str | os.PathLike, like: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reads a file written by `save_training_state`; see `state_from_bytes`.

    Example:
      >>> import pathlib, tempfile
      >>> import jax.numpy as jnp
      >>> path = pathlib.Path(tempfile.mkdtemp()) / "state.safetensors"
      >>> save_training_state(path, {"params": {"w": jnp.ones(2)}}, {"epoch": 3, "best": [jnp.zeros(1)]})
      >>> state, metadata = load_training_state(path, {"params": {"w": jnp.zeros(2)}})
      >>> state["params"]["w"].tolist(), metadata["epoch"], metadata["best"][0].shape
      ([1.0, 1.0], 3, (1,))
    """
    with open(path, "rb") as f:
        return state_from_bytes(f.read(), like, f"Training-state file {os.fspath(path)!r}")


def save_sharded_training_state(folder: str | os.PathLike, state: dict[str, Any], metadata: dict[str, Any],
                                keep: int = 1) -> None:
    """Writes the train state and `metadata` as the next orbax checkpoint of `folder` (see `orbax_checkpoint`).

    Every process calls it together: each writes the shards it holds, orbax commits the checkpoint atomically,
    then the older checkpoints beyond `keep` are deleted. The metadata is process 0's (its arrays too).

    Args:
      state: the train state, a dict of pytrees of arrays (sharded ones, PRNG key arrays included).
      metadata: JSON-able values, NumPy arrays and lists/dicts of them.
      keep: how many checkpoints the folder keeps, this one included.

    Raises:
      TypeError: if `metadata` holds something else (the message gives where).

    Example:
      >>> import os, tempfile
      >>> import jax.numpy as jnp
      >>> folder = os.path.join(tempfile.mkdtemp(), "training_state.orbax")
      >>> save_sharded_training_state(folder, {"params": {"w": jnp.ones(2)}}, {"epoch": 3, "best": [jnp.zeros(1)]})
      >>> state, metadata = load_sharded_training_state(folder, {"params": {"w": jnp.zeros(2)}})
      >>> state["params"]["w"].tolist(), metadata["epoch"], metadata["best"][0].shape
      ([1.0, 1.0], 3, (1,))
    """
    parts = sorted(state)
    tensors: dict[str, np.ndarray] = {}
    packed = _pack(metadata, tensors, "metadata")
    save_checkpoint(folder, SHARDED_KIND, jax.tree.leaves({k: state[k] for k in parts}),
                    {"parts": parts, "metadata": packed}, extras=tensors, keep=keep)


def load_sharded_training_state(folder: str | os.PathLike, like: dict[str, Any],
                                step: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reads a checkpoint written by `save_sharded_training_state` into the structure and layout of `like`.

    Every process calls it together. Each array is read straight into the sharding of its `like` entry, which
    may lay it out on another mesh than the one that saved it (or on one device).

    Args:
      folder: the checkpoint folder.
      like: a train state of the model it is loaded into (e.g. `FitRun.state_like()`).
      step: the checkpoint number to read (`orbax_checkpoint.committed_steps`), None for the newest.

    Returns:
      `(state, metadata)`: `like` with the saved entries replaced, and the metadata with its arrays.

    Raises:
      FileNotFoundError: if `folder` holds no committed checkpoint.
      ValueError: for a damaged checkpoint, one that is not a training state, or one saved from another model
        or optimizer (the message says which).
    """
    source = f"Training-state checkpoint {os.fspath(folder)!r}"
    checkpoint = open_checkpoint(folder, SHARDED_KIND, step, source=source)
    parts = checkpoint.content["parts"]
    if not set(parts) <= set(like):
        raise ValueError(f"{source} holds the train-state entries {parts}, but this model's train state has "
                         f"{sorted(like)}: it was saved from another model or optimizer.")
    leaves, treedef = jax.tree.flatten({k: like[k] for k in parts})
    state = {**like, **jax.tree.unflatten(treedef, checkpoint.restore_arrays(leaves))}
    return state, _unpack(checkpoint.content["metadata"], checkpoint.restore_extras())
