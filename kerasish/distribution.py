"""Training on several devices and processes, on JAX's own `jax.sharding` and `jax.distributed`.

The names follow `keras.distribution`. A distribution is a `jax.sharding.Mesh` plus a rule for where each
array lives: batches are split on the mesh's data axis; weights are replicated (`DataParallel`) or split
by a layout map (`ModelParallel`). Set one before compiling (`set_distribution(...)`, or `with
distribution.scope():`) and `fit`, `evaluate` and `predict` run unchanged: the compiled steps take sharded
inputs and XLA inserts the collectives (the gradient all-reduce of data parallelism among them).

    >>> import kerasish as ks
    >>> strategy = ks.distribution.DataParallel()          # every local device
    >>> strategy.mesh.axis_names
    ('batch',)
    >>> with strategy.scope():
    ...     ks.distribution.distribution() is strategy
    True

Several processes (hosts): call `initialize()` first in every process; each process then passes its own
part of the data to `fit` (the global batch is `batch_size`, each process feeds `batch_size / processes`
rows of it, in process order). Files (checkpoints, CSV logs) and the progress bar are written by
process 0 only; every process computes the same metrics, so callbacks such as `EarlyStopping` decide
the same on each.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any

import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from kerasish.layers.base import Layer

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "LayoutMap", "ModelParallel", "distribution", "initialize",
           "is_chief", "list_devices", "local_batch_size", "set_distribution"]


def list_devices(device_type: str | None = None) -> list[jax.Device]:
    """The devices of every process (`"cpu"`, `"gpu"`, `"tpu"`; the default backend's when None)."""
    if device_type is not None and device_type.lower() not in ("cpu", "gpu", "tpu"):
        raise ValueError(f"Argument `device_type` must be 'cpu', 'gpu', 'tpu' or None, received {device_type!r}.")
    return jax.devices(device_type.lower() if device_type else None)


def initialize(coordinator_address: str | None = None, num_processes: int | None = None,
               process_id: int | None = None, **kwargs: Any) -> None:
    """Joins this process to a multi-process run (`jax.distributed.initialize`); call it before anything else.

    Args:
      coordinator_address: `"host:port"` of process 0 (e.g. `"127.0.0.1:12345"`). On managed clusters
        (SLURM, Cloud TPU) JAX finds it alone: leave it None.
      num_processes: how many processes take part.
      process_id: this process's rank, 0 to `num_processes - 1`; process 0 is the coordinator.
      **kwargs: passed on to `jax.distributed.initialize` (e.g. `local_device_ids`).

    On CPU the processes exchange through gloo (`jax_cpu_collectives_implementation`).
    """
    for name, value in (("num_processes", num_processes), ("process_id", process_id)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"Argument `{name}` must be an int >= 0 or None, received {value!r}.")
    if num_processes is not None and process_id is not None and process_id >= num_processes:
        raise ValueError(f"Argument `process_id` must be below `num_processes` ({num_processes}), "
                         f"received {process_id}.")
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address, num_processes, process_id, **kwargs)


def is_chief() -> bool:
    """True in process 0, the one that writes files and prints progress."""
    return jax.process_index() == 0


def local_batch_size(batch_size: int, num_samples: int) -> int:
    """This process's share of a global `batch_size`; checks that every process holds as many samples.

    Every process runs the same steps in lockstep, so each must feed the same number of batches.
    """
    from jax.experimental import multihost_utils

    processes = jax.process_count()
    if batch_size % processes:
        raise ValueError(f"Argument `batch_size` ({batch_size}) is the global batch: it must be a multiple of "
                         f"the number of processes ({processes}).")
    counts = np.asarray(multihost_utils.process_allgather(np.asarray(num_samples, np.int64))).reshape(-1)
    if len(set(counts.tolist())) > 1:
        raise ValueError(f"Every process must pass as many samples to fit/evaluate/predict; they hold "
                         f"{counts.tolist()} (process order). Split the data evenly (drop or repeat a few rows).")
    return batch_size // processes


class DeviceMesh:
    """Devices laid out on named axes: a `jax.sharding.Mesh`.

    Args:
      shape: the mesh's shape, e.g. `(2, 4)`; its product must equal the number of devices.
      axis_names: one name per axis, e.g. `("batch", "model")`.
      devices: the devices (all of every process by default).
    """

    def __init__(self, shape: Sequence[int], axis_names: Sequence[str], devices: Sequence[jax.Device] | None = None):
        shape = tuple(shape)
        axis_names = tuple(axis_names)
        if not shape or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in shape):
            raise ValueError(f"Argument `shape` of DeviceMesh must be a tuple of ints >= 1, received {shape!r}.")
        if len(axis_names) != len(shape) or len(set(axis_names)) != len(axis_names) \
                or not all(isinstance(a, str) for a in axis_names):
            raise ValueError(f"Argument `axis_names` of DeviceMesh must hold {len(shape)} distinct strings (one per "
                             f"axis of shape {shape}), received {axis_names!r}.")
        devices = list(jax.devices() if devices is None else devices)
        if int(np.prod(shape)) != len(devices):
            raise ValueError(f"Argument `shape` of DeviceMesh must hold as many devices as given ({len(devices)}), "
                             f"received {shape!r} ({int(np.prod(shape))} devices).")
        self.shape, self.axis_names, self.devices = shape, axis_names, devices
        self.mesh = Mesh(np.array(devices, dtype=object).reshape(shape), axis_names)

    def __repr__(self) -> str:
        return f"DeviceMesh(shape={self.shape}, axis_names={self.axis_names})"


class LayoutMap(MutableMapping):
    """Where each weight lives: regular expressions over weight paths -> a tuple of mesh axis names.

    A weight's path is its layers' names and its own, `"dense_1/kernel"` (see `weight_paths`). A key
    matches by `re.fullmatch`; a path matching no key is replicated, one matching several is an error.

    Example:
      >>> mesh = DeviceMesh((1, len(jax.devices())), ("batch", "model"))
      >>> layout_map = LayoutMap(mesh)
      >>> layout_map[".*dense.*kernel"] = (None, "model")
      >>> layout_map["dense_3/kernel"]
      (None, 'model')
      >>> layout_map["dense_3/bias"] is None
      True
    """

    def __init__(self, device_mesh: DeviceMesh) -> None:
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(f"Argument `device_mesh` of LayoutMap must be a DeviceMesh, received {device_mesh!r}.")
        self.device_mesh = device_mesh
        self._layouts: dict[str, tuple] = {}

    def __setitem__(self, pattern: str, axes: Sequence[str | None]) -> None:
        if not isinstance(pattern, str):
            raise TypeError(f"LayoutMap keys must be regular expressions (str), received {pattern!r}.")
        try:
            re.compile(pattern)
        except re.error as err:
            raise ValueError(f"LayoutMap key {pattern!r} is not a valid regular expression ({err}).") from None
        axes = tuple(axes)
        unknown = [a for a in axes if a is not None and a not in self.device_mesh.axis_names]
        if unknown:
            raise ValueError(f"LayoutMap value for {pattern!r} names mesh axes {unknown}; the mesh has axes "
                             f"{self.device_mesh.axis_names} (use None for an axis that is not split).")
        self._layouts[pattern] = axes

    def __getitem__(self, path: str) -> tuple | None:
        if path in self._layouts:
            return self._layouts[path]
        matches = [p for p in self._layouts if re.fullmatch(p, path)]
        if len(matches) > 1:
            raise ValueError(f"Weight path {path!r} matches several LayoutMap keys {matches}; make the keys "
                             f"match at most one each.")
        return self._layouts[matches[0]] if matches else None

    def __delitem__(self, pattern: str) -> None:
        del self._layouts[pattern]

    def __iter__(self) -> Iterator[str]:
        return iter(self._layouts)

    def __len__(self) -> int:
        return len(self._layouts)


def weight_paths(model: nnx.Module, state: nnx.State) -> dict[tuple, str]:
    """`{nnx path: "layer/.../weight"}` for every variable of `state` (a split of `model`).

    The readable path joins the names of the kerasish layers on the way (the model itself excluded) and
    the attribute names below the last of them, as Keras's `variable.path`.
    """
    layers = {path: node.name for path, node in nnx.iter_graph(model) if isinstance(node, Layer) and path}
    out = {}
    for path, _ in nnx.to_flat_state(state):
        names, tail = [], 0
        for i in range(1, len(path)):
            if path[:i] in layers:
                names.append(layers[path[:i]])
                tail = i
        out[path] = "/".join(names + [str(p) for p in path[tail:]])
    return out


class Distribution:
    """Base of the distributions: a mesh and the data axis. Subclasses say where the weights go."""

    def __init__(self, device_mesh: DeviceMesh, batch_dim_name: str) -> None:
        if batch_dim_name not in device_mesh.axis_names:
            raise ValueError(f"Argument `batch_dim_name` must be one of the mesh's axes {device_mesh.axis_names}, "
                             f"received {batch_dim_name!r}.")
        self.device_mesh = device_mesh
        self.batch_dim_name = batch_dim_name

    @property
    def mesh(self) -> Mesh:
        return self.device_mesh.mesh

    @property
    def num_processes(self) -> int:
        return len({d.process_index for d in self.device_mesh.devices})

    @property
    def replicated(self) -> NamedSharding:
        return NamedSharding(self.mesh, P())

    def batch_sharding(self, ndim: int, leading: int = 0) -> NamedSharding:
        """Split on the data axis after `leading` unsplit axes (1 for stacked (K, batch, ...) chunks)."""
        return NamedSharding(self.mesh, P(*([None] * leading), self.batch_dim_name, *([None] * (ndim - leading - 1))))

    def weight_sharding(self, path: str, shape: tuple) -> NamedSharding:
        return self.replicated

    def state_shardings(self, model: nnx.Module, state: nnx.State) -> nnx.State:
        """A sharding per variable of `state` (a split of `model`), as a tree of the same structure."""
        paths = weight_paths(model, state)
        flat = [(path, value.replace(self.weight_sharding(paths[path], np.shape(value))))
                if isinstance(value, nnx.Variable) else (path, self.weight_sharding(paths[path], np.shape(value)))
                for path, value in nnx.to_flat_state(state)]
        return nnx.from_flat_state(flat)

    @contextlib.contextmanager
    def scope(self) -> Iterator[Distribution]:
        """Makes this the distribution of models compiled inside the `with` block."""
        global _CURRENT
        outer, _CURRENT = _CURRENT, self
        try:
            yield self
        finally:
            _CURRENT = outer

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.device_mesh!r}, batch_dim_name={self.batch_dim_name!r})"


class DataParallel(Distribution):
    """Data parallelism: each batch split across the devices, weights and optimizer state replicated.

    Args:
      devices: the devices to use (every device of every process by default).
      device_mesh: a one-axis `DeviceMesh` instead of `devices`.

    A batch whose size the device count does not divide is still used whole: XLA pads the last
    shards internally, so no sample is dropped and the loss is the batch's mean as on one device.
    """

    def __init__(self, devices: Sequence[jax.Device] | None = None, device_mesh: DeviceMesh | None = None) -> None:
        if device_mesh is None:
            devices = list(jax.devices() if devices is None else devices)
            if not devices:
                raise ValueError("Argument `devices` of DataParallel must hold at least one device, received [].")
            device_mesh = DeviceMesh((len(devices),), ("batch",), devices)
        elif devices is not None:
            raise ValueError("Give DataParallel either `devices` or `device_mesh`, not both.")
        elif len(device_mesh.shape) != 1:
            raise ValueError(f"Argument `device_mesh` of DataParallel must have one axis, received {device_mesh!r}; "
                             f"use ModelParallel for a 2-D mesh.")
        super().__init__(device_mesh, device_mesh.axis_names[0])


class ModelParallel(Distribution):
    """Weights split across devices by a `LayoutMap`, batches split on the data axis of the same mesh.

    Args:
      layout_map: regular expressions over weight paths -> mesh axes (see `LayoutMap`); unmatched
        weights are replicated. The optimizer's moments follow their weight's layout.
      batch_dim_name: the mesh axis batches are split on (the mesh's first axis by default).

    Example:
      >>> mesh = DeviceMesh((1, len(jax.devices())), ("batch", "model"))
      >>> layout_map = LayoutMap(mesh)
      >>> layout_map[".*kernel"] = (None, "model")
      >>> ModelParallel(layout_map=layout_map).batch_dim_name
      'batch'
    """

    def __init__(self, *, layout_map: LayoutMap, batch_dim_name: str | None = None) -> None:
        if not isinstance(layout_map, LayoutMap):
            raise TypeError(f"Argument `layout_map` of ModelParallel must be a LayoutMap, received {layout_map!r}.")
        self.layout_map = layout_map
        super().__init__(layout_map.device_mesh, batch_dim_name or layout_map.device_mesh.axis_names[0])

    def weight_sharding(self, path: str, shape: tuple) -> NamedSharding:
        axes = self.layout_map[path]
        if axes is None:
            return self.replicated
        if len(axes) != len(shape):
            raise ValueError(f"LayoutMap gives weight {path!r} of shape {shape} the layout {axes}, which has "
                             f"{len(axes)} axes; it needs {len(shape)}.")
        sizes = dict(zip(self.device_mesh.axis_names, self.device_mesh.shape))
        for size, axis in zip(shape, axes):
            if axis is not None and size % sizes[axis]:
                raise ValueError(f"Weight {path!r} of shape {shape} cannot be split on mesh axis {axis!r} of "
                                 f"{sizes[axis]} devices: {size} is not a multiple of {sizes[axis]}.")
        return NamedSharding(self.mesh, P(*axes))


_CURRENT: Distribution | None = None


def set_distribution(value: Distribution | None) -> None:
    """Sets the distribution of models compiled from now on (None: one device, the default)."""
    global _CURRENT
    if value is not None and not isinstance(value, Distribution):
        raise TypeError(f"Argument `value` of set_distribution must be a DataParallel, a ModelParallel or None, "
                        f"received {value!r}.")
    _CURRENT = value


def distribution() -> Distribution | None:
    """The distribution in effect (the innermost `scope()`, else the one set), or None."""
    return _CURRENT
