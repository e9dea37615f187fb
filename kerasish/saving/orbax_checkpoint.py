"""Sharded checkpoints through orbax-checkpoint: every process writes the shards it holds, orbax commits.

A `.orbax` path names a folder of numbered orbax checkpoints (`best.orbax/1/`, `best.orbax/2/`, ...). Saving
writes the next number, into a temporary folder that orbax renames once every process has written its
shards (the commit), and only then deletes the older checkpoints beyond `keep`. Loading reads the highest
committed number. So a crash at any moment leaves a whole checkpoint, an unfinished one is never read, and
its temporary folder is removed by the next save. With several processes (`distribution.initialize`),
every process calls `save_checkpoint` and `open_checkpoint(...).restore_arrays` together, and the folder
must be on storage they all see.

A checkpoint holds three orbax items:

- `arrays`: the arrays by position, `"000000"`, ... (a PRNG key array as its raw key data), each shard
  written once, by a process that holds it;
- `extras`: host NumPy arrays of the caller's metadata (written by process 0), when there are any;
- `manifest`: JSON written by process 0: the format and version, what the checkpoint is (`kind`), each
  array's shape, dtype and key type, and the caller's `content`.

Loading restores each array straight into the layout it is asked for: the `NamedSharding` of an array of
the live state (the same mesh or another one: each device reads just its slice) or, for an array on one
device, an uncommitted array there, like a fresh state's. orbax-checkpoint is imported on first use only:
most programs never write a sharded checkpoint.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import multihost_utils

ORBAX_SUFFIX = ".orbax"
FORMAT = "kerasish.orbax"
VERSION = 1


def _orbax():
    import orbax.checkpoint as ocp  # on first use: importing it costs a noticeable part of kerasish's own import

    return ocp


def is_orbax_path(path: Any) -> bool:
    """Whether `path` names an orbax checkpoint folder (a path ending in `.orbax`).

    Example:
      >>> is_orbax_path("ckpt/best.orbax"), is_orbax_path("best.weights.safetensors")
      (True, False)
    """
    return isinstance(path, (str, os.PathLike)) and os.fspath(path).rstrip("/\\").endswith(ORBAX_SUFFIX)


def spans_devices(tree: Any) -> bool:
    """Whether an array of `tree` is laid out over several devices (a distribution's state, maybe of several
    processes): what makes `BackupAndRestore` write an orbax checkpoint instead of one file."""
    return any(isinstance(leaf, jax.Array) and len(leaf.sharding.device_set) > 1 for leaf in jax.tree.leaves(tree))


def _is_key(leaf: Any) -> bool:
    return hasattr(leaf, "dtype") and jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)


def _manager(folder: str, keep: int | None):
    """An orbax `CheckpointManager` over `folder`: with `keep`, one that saves (creating the folder, removing the
    temporary folders of killed saves, keeping the newest `keep` checkpoints); else one that only reads."""
    ocp = _orbax()
    policy = None if keep is None else ocp.checkpoint_managers.LatestN(n=keep)
    options = ocp.CheckpointManagerOptions(preservation_policy=policy, enable_async_checkpointing=False,
                                           create=keep is not None, cleanup_tmp_directories=keep is not None)
    return ocp.CheckpointManager(folder, options=options)


def committed_steps(folder: str | os.PathLike) -> list[int]:
    """The numbers of the committed checkpoints in `folder`, newest first ([] for a missing or empty folder)."""
    folder = os.path.abspath(os.fspath(folder))
    if not os.path.isdir(folder):
        return []
    with _manager(folder, None) as manager:
        return sorted(manager.all_steps(), reverse=True)


def save_checkpoint(folder: str | os.PathLike, kind: str, arrays: Sequence[Any], content: Any,
                    extras: Mapping[str, np.ndarray] | None = None, keep: int = 1) -> int:
    """Writes the next numbered checkpoint of `folder` (created if missing); every process calls it together.

    Args:
      folder: the checkpoint folder (conventionally ending in `.orbax`).
      kind: what the checkpoint holds (`"weights"`, `"model"`, `"training_state"`); loading checks it.
      arrays: JAX arrays (sharded ones included, of one process or several), NumPy arrays or PRNG key arrays.
      content: JSON-able data stored with them.
      extras: host NumPy arrays by name (written by process 0 only: every process must hold the same values).
      keep: how many checkpoints to keep, the new one included (older ones are deleted after its commit).

    Returns:
      The number of the new checkpoint.

    Raises:
      ValueError: if `folder` is an existing file.
      TypeError: if `content` is not JSON-able.
    """
    given = os.fspath(folder)
    folder = os.path.abspath(given)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ValueError(f"Cannot write an orbax checkpoint to {given!r}: it is a file. An orbax checkpoint is a "
                         f"folder; give a path that is a folder or does not exist yet.")
    try:
        json.dumps(content)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Argument `content` of save_checkpoint must be JSON-able data: {err}.") from None
    ocp = _orbax()
    leaves, described = {}, []
    for i, leaf in enumerate(arrays):
        key = str(jax.random.key_impl(leaf)) if _is_key(leaf) else None
        data = jax.random.key_data(leaf) if key else leaf if isinstance(leaf, jax.Array) else np.asarray(leaf)
        leaves[f"{i:06d}"] = data
        described.append({"shape": list(np.shape(data)), "dtype": str(data.dtype), "key": key})
    names = sorted(extras or {})
    manifest = {"format": FORMAT, "version": VERSION, "kind": kind, "arrays": described, "extras": names,
                "content": content}
    items = {"manifest": ocp.args.JsonSave(manifest)}
    if leaves:
        items["arrays"] = ocp.args.PyTreeSave(leaves)
    if names:
        items["extras"] = ocp.args.PyTreeSave({f"{i:06d}": np.asarray(extras[n]) for i, n in enumerate(names)})
    with _manager(folder, keep) as manager:
        step = max(manager.all_steps(), default=0) + 1
        manager.save(step, args=ocp.args.Composite(**items))
    return step


class OrbaxCheckpoint:
    """One committed checkpoint of a folder, its manifest read and checked (see `open_checkpoint`).

    Attributes:
      folder, step: where it is.
      content: the `content` it was saved with.
      shapes, dtypes: its arrays' shapes (tuples) and dtype names, key arrays as their raw key data.
    """

    def __init__(self, folder: str, step: int, manifest: dict[str, Any], source: str) -> None:
        self.folder, self.step, self.source = folder, step, source
        self._manifest = manifest
        self.content = manifest["content"]
        self.shapes = [tuple(entry["shape"]) for entry in manifest["arrays"]]
        self.dtypes = [entry["dtype"] for entry in manifest["arrays"]]

    def __len__(self) -> int:
        return len(self.shapes)

    def _restore(self, **items) -> dict[str, Any]:
        ocp = _orbax()
        try:
            with _manager(self.folder, None) as manager:
                return manager.restore(self.step, args=ocp.args.Composite(**items))
        except Exception as err:  # orbax and tensorstore raise many kinds for a damaged checkpoint
            raise ValueError(f"{self.source} is not a readable orbax checkpoint (damaged?): "
                             f"{type(err).__name__}: {err}") from err

    def restore_arrays(self, like: Sequence[Any], cast: bool = False) -> list[Any]:
        """The arrays, each laid out like the corresponding entry of `like`.

        Args:
          like: one entry per saved array: a JAX array spanning several devices (restored with its sharding: the
            same mesh or another), an array on one device (restored uncommitted on the default device), a PRNG
            key array (restored as a key of its type, in its layout), or None (restored as the saved NumPy array,
            a key as its raw data).
          cast: convert a saved array to the dtype of its `like` entry instead of refusing another dtype.

        Returns:
          The arrays, in order.

        Raises:
          ValueError: naming the checkpoint, for a count, shape or dtype that differs from `like`, or a damaged
            checkpoint.
        """
        if len(like) != len(self):
            raise ValueError(f"{self.source} holds {len(self)} arrays, but {len(like)} are expected here: it was "
                             f"saved from another model or optimizer.")
        targets = [None if ref is None else jax.random.key_data(ref) if _is_key(ref) else ref for ref in like]
        for i, (target, shape, dtype) in enumerate(zip(targets, self.shapes, self.dtypes)):
            if target is None:
                continue
            own_shape, own_dtype = tuple(np.shape(target)), str(np.dtype(target.dtype))
            if shape != own_shape or (dtype != own_dtype and not cast):
                raise ValueError(f"{self.source}: array {i} has shape {shape} and dtype {dtype}, the model's has "
                                 f"{own_shape} and {own_dtype}; it was saved from another model.")
        if not len(self):
            return []
        ocp = _orbax()
        abstract, restore_args = {}, {}
        for i, (target, shape, dtype) in enumerate(zip(targets, self.shapes, self.dtypes)):
            name = f"{i:06d}"
            sharding = getattr(target, "sharding", None)
            if sharding is not None and len(sharding.device_set) > 1:
                abstract[name] = jax.ShapeDtypeStruct(shape, np.dtype(dtype), sharding=sharding)
                restore_args[name] = ocp.ArrayRestoreArgs(sharding=sharding, global_shape=shape)
            else:  # read to the host: placed below like a fresh state's array (uncommitted)
                abstract[name] = np.zeros((0,), np.dtype(dtype))
                restore_args[name] = ocp.RestoreArgs(restore_type=np.ndarray)
        restored = self._restore(arrays=ocp.args.PyTreeRestore(abstract, restore_args=restore_args))["arrays"]
        out = []
        for i, (ref, target) in enumerate(zip(like, targets)):
            value = restored[f"{i:06d}"]
            if target is None:
                out.append(np.asarray(value))
                continue
            if not isinstance(value, jax.Array):
                value = jnp.asarray(value)
            if value.dtype != target.dtype:
                value = value.astype(target.dtype)  # `cast` (checked above): the layout stays
            out.append(jax.random.wrap_key_data(value, impl=jax.random.key_impl(ref)) if _is_key(ref) else value)
        return out

    def restore_extras(self) -> dict[str, np.ndarray]:
        """The host arrays saved as `extras`, by name."""
        names = self._manifest["extras"]
        if not names:
            return {}
        ocp = _orbax()
        args = {f"{i:06d}": ocp.RestoreArgs(restore_type=np.ndarray) for i in range(len(names))}
        restored = self._restore(extras=ocp.args.PyTreeRestore(restore_args=args))["extras"]
        return {name: np.asarray(restored[f"{i:06d}"]) for i, name in enumerate(names)}


def open_checkpoint(folder: str | os.PathLike, kind: str, step: int | None = None,
                    source: str | None = None) -> OrbaxCheckpoint:
    """The newest committed checkpoint of `folder` (or number `step`), its manifest read and checked.

    Args:
      folder: a folder written by `save_checkpoint`.
      kind: what it must hold (as saved).
      step: a checkpoint number (`committed_steps`), or None for the newest.
      source: how to name the checkpoint in messages (default: the folder and number).

    Returns:
      An `OrbaxCheckpoint`.

    Raises:
      FileNotFoundError: if `folder` holds no committed checkpoint.
      ValueError: naming the checkpoint, for one that is damaged, not kerasish's, of another kind, or from a
        newer kerasish.

    Example:
      >>> import os, tempfile
      >>> import numpy as np
      >>> folder = os.path.join(tempfile.mkdtemp(), "demo.orbax")
      >>> save_checkpoint(folder, "demo", [np.arange(3.0)], {"epoch": 2})
      1
      >>> checkpoint = open_checkpoint(folder, "demo")
      >>> checkpoint.content, checkpoint.shapes, checkpoint.restore_arrays([None])[0].tolist()
      ({'epoch': 2}, [(3,)], [0.0, 1.0, 2.0])
    """
    given = os.fspath(folder)
    folder = os.path.abspath(given)
    steps = committed_steps(folder)
    if step is None:
        if not steps:
            raise FileNotFoundError(f"{given!r} holds no committed orbax checkpoint (a folder of numbered "
                                    f"checkpoints written by kerasish).")
        step = steps[0]
    source = source or f"The orbax checkpoint {os.path.join(given, str(step))!r}"
    ocp = _orbax()
    try:
        with _manager(folder, None) as manager:
            manifest = manager.restore(step, args=ocp.args.Composite(manifest=ocp.args.JsonRestore()))["manifest"]
    except Exception as err:  # orbax raises many kinds for a damaged checkpoint
        raise ValueError(f"{source} is not a readable orbax checkpoint (damaged?): {type(err).__name__}: {err}"
                         ) from err
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{source} is not a kerasish orbax checkpoint (its manifest's format is "
                         f"{manifest.get('format') if isinstance(manifest, dict) else None!r}).")
    if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
        raise ValueError(f"{source} was written by a newer kerasish (orbax checkpoint version "
                         f"{manifest.get('version')!r}; this one reads up to {VERSION}).")
    if manifest.get("kind") != kind:
        raise ValueError(f"{source} holds a {manifest.get('kind')!r} checkpoint, not a {kind!r} one.")
    return OrbaxCheckpoint(folder, step, manifest, source)


def remove_checkpoints(folder: str | os.PathLike) -> None:
    """Deletes `folder` and every checkpoint in it: process 0 deletes, the others wait for it."""
    if jax.process_index() == 0 and os.path.isdir(folder):
        shutil.rmtree(folder)
    if jax.process_count() > 1:
        multihost_utils.sync_global_devices(f"kerasish.remove_checkpoints:{os.path.abspath(folder)}")
