"""Where the train state and the batches live: one device, or a `kerasish.distribution` mesh.

The engine's steps and the train state ask a `Placement` where things go and never branch on the
distribution themselves. `Placement` (one device) does nothing; `Sharded` places the weights by
`Distribution.state_shardings` (replicated, or a `LayoutMap` entry per weight path), the optimizer state like
its weights, metrics replicated; inside every step it splits the batch on the mesh's data axis and keeps the
new state in the layout of the old one, so the programs compile once.

Feeding data differs with the number of processes. One process: the resident dataset is replicated once on
the mesh and each device gathers its part of every batch. Several processes (`distribution.initialize`): each
holds its own rows, so every dispatch's batches are gathered on the host and assembled into global arrays
(`jax.make_array_from_process_local_data`), each process's rows after the previous one's; `predict` gives each
process its own rows back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import optax
from flax import nnx
from jax.experimental import multihost_utils

from kerasish import distribution as _distribution


def _is_key(leaf: Any) -> bool:
    return isinstance(leaf, jax.Array) and jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)


def _put_keys_as_data(tree: Any, shardings: Any, **kwargs: Any) -> Any:
    """`jax.device_put(tree, shardings, **kwargs)` for shardings that span several processes: a PRNG key array (a
    dropout stream's) goes as its raw key data, since JAX cannot put a key array onto other processes' devices."""
    data = jax.tree.map(lambda a: jax.random.key_data(a) if _is_key(a) else a, tree)
    placed = jax.device_put(data, shardings, **kwargs)
    return jax.tree.map(lambda a, p: jax.random.wrap_key_data(p, impl=jax.random.key_impl(a)) if _is_key(a) else p,
                        tree, placed)


def copied(tree: Any, placed: bool = False) -> Any:
    """Fresh device buffers holding `tree`'s values, in the same places and as committed to them as before (the
    compiled steps' cache tells committed arrays from uncommitted ones): one batched copy, no program.
    `placed`: every array has a sharding of its own (a distribution's), which may span several processes."""
    where = jax.tree.map(lambda a: a.sharding, tree) if placed else None
    if placed and jax.process_count() > 1:
        return _put_keys_as_data(tree, where, may_alias=False)
    return jax.device_put(tree, where, may_alias=False)


class Placement:
    """One device: state and batches stay where JAX puts them. The base of `Sharded`."""

    num_processes = 1
    #: Whether the state may be copied by a compiled program (`Engine.fresh_copy`): on one device the copy stays
    #: where its source is; a distribution's layouts go through `copy`.
    copies_in_programs = True

    @staticmethod
    def for_distribution(distribution: _distribution.Distribution | None) -> Placement:
        """The placement of a model compiled under `distribution` (None: one device)."""
        return Placement() if distribution is None else Sharded(distribution)

    def place_weights(self, model: nnx.Module, params: Any, rest: Any) -> tuple[Any, Any]:
        """Puts the model's weights where they belong (and into the model); returns them."""
        return params, rest

    def place_opt_state(self, optimizer: Any, opt_state: Any) -> Any:
        """Puts a fresh optimizer state (made by `optimizer.init`) where its weights are."""
        return opt_state

    def place_state(self, params: Any, rest: Any) -> tuple[Any, Any]:
        """Weights set since the last placement (set_weights, a load) may sit elsewhere: puts them back."""
        return params, rest

    def place_opt(self, opt_state: Any) -> Any:
        """An optimizer state changed on the host (a new learning rate) put back where it belongs."""
        return opt_state

    def replicate(self, tree: Any) -> Any:
        """`tree` on every device (metric accumulators)."""
        return tree

    def copy(self, tree: Any) -> Any:
        """Fresh buffers holding `tree`'s values, where they were (see `copied`)."""
        return copied(tree)

    def shard_batch(self, batch: Any) -> Any:
        """Inside a step: the batch split on the mesh's data axis."""
        return batch

    def constrain(self, state: dict[str, Any]) -> dict[str, Any]:
        """Inside a step: the new state in the layout of the old one."""
        return state

    def pads_allowed(self) -> bool:
        """Whether a short batch may be padded to the full size (every process would need the same padding)."""
        return self.num_processes == 1

    def entry_points(self, engine: Any, jitted: dict[str, Callable]) -> dict[str, Callable]:
        """The engine's dispatch functions (`train_chunk`, `train_batch`, `test_chunk`, `test_batch`,
        `predict_chunk`, `predict_batch`) from its compiled ones: here, the compiled ones themselves."""
        return dict(jitted)

    def extra_programs(self) -> tuple:
        """Compiled functions this placement made itself (counted by `Engine.compiled_count`)."""
        return ()


class Sharded(Placement):
    """The weights, optimizer state and batches of a `kerasish.distribution.Distribution`'s mesh."""

    copies_in_programs = False

    def __init__(self, distribution: _distribution.Distribution) -> None:
        self.distribution = distribution
        self.num_processes = distribution.num_processes
        self.shardings: dict[str, Any] = {}
        self._programs: tuple = ()

    def place_weights(self, model, params, rest):
        self.shardings["params"] = self.distribution.state_shardings(model, params)
        self.shardings["rest"] = self.distribution.state_shardings(model, rest)
        params, rest = self.place_state(params, rest)
        nnx.update(model, params, rest)  # so that `.sharding` of a model's weight shows where it is
        return params, rest

    def place_opt_state(self, optimizer, opt_state):
        self.shardings["opt"] = optax.tree_map_params(
            optimizer, lambda _, sharding: sharding, opt_state, self.shardings["params"],
            transform_non_params=lambda _: self.distribution.replicated, is_leaf=lambda v: isinstance(v, nnx.Variable))
        return jax.device_put(opt_state, self.shardings["opt"])

    def place_state(self, params, rest):
        put = jax.device_put if self.num_processes == 1 else _put_keys_as_data
        return put((params, rest), (self.shardings["params"], self.shardings["rest"]))

    def place_opt(self, opt_state):
        return jax.device_put(opt_state, self.shardings["opt"])

    def replicate(self, tree):
        return jax.device_put(tree, self.distribution.replicated)

    def copy(self, tree):
        return copied(tree, placed=True)

    def shard_batch(self, batch):
        return jax.tree.map(lambda a: jax.lax.with_sharding_constraint(a, self.distribution.batch_sharding(a.ndim)),
                            batch)

    def constrain(self, state):
        replicated = lambda tree: jax.tree.map(
            lambda a: jax.lax.with_sharding_constraint(a, self.distribution.replicated), tree)
        out = {key: replicated(value) for key, value in state.items()}
        for key in ("params", "rest", "opt"):
            out[key] = jax.lax.with_sharding_constraint(state[key], self.shardings[key])
        return out

    def entry_points(self, engine, jitted):
        return self._one_process(jitted) if self.num_processes == 1 else self._processes(engine, jitted)

    def extra_programs(self) -> tuple:
        return self._programs

    def _one_process(self, jitted: dict[str, Callable]) -> dict[str, Callable]:
        """The resident dataset replicated once on the mesh's devices; each device gathers its part of a batch."""
        placed: dict[int, tuple] = {}  # id(source) -> (source, placed copy): the training and validation sets

        def resident(data):
            if id(data) not in placed or placed[id(data)][0] is not data:
                if len(placed) >= 4:
                    placed.clear()
                placed[id(data)] = (data, jax.device_put(data, self.distribution.replicated))
            return placed[id(data)][1]

        points = dict(jitted)
        for name in ("train_chunk", "test_chunk", "predict_chunk"):
            points[name] = lambda state, data, index, valid, f=jitted[name]: f(state, resident(data), index, valid)
        return points

    def _processes(self, engine: Any, jitted: dict[str, Callable]) -> dict[str, Callable]:
        """Each process holds its own rows: every dispatch's batches are gathered on the host and assembled into
        global arrays, each process's rows after the previous one's."""
        distribution = self.distribution
        host: dict[int, tuple] = {}

        def host_rows(data):
            if id(data) not in host or host[id(data)][0] is not data:
                if len(host) >= 4:
                    host.clear()
                host[id(data)] = (data, jax.device_get(data))
            return host[id(data)][1]

        def host_batches(data, index):
            local = jax.tree.map(lambda a: a[np.asarray(index)], host_rows(data))
            return jax.tree.map(lambda a: jax.make_array_from_process_local_data(
                distribution.batch_sharding(a.ndim, leading=1), a), local)

        def own_rows(outputs, rows: int):
            """This process's rows of every batch of the gathered global outputs (K, batch, ...)."""
            start = jax.process_index() * rows
            return jax.tree.map(lambda a: np.asarray(a)[:, start:start + rows], outputs)

        count = lambda batches: jax.tree.leaves(batches)[0].shape[0]
        stacked = {f"{kind}_chunk": jax.jit(lambda state, batches, valid, kind=kind:
                                            engine.run_kind(kind, state, engine.stacked(batches), count(batches),
                                                            valid))
                   for kind in ("train", "test")}
        stacked_predict = jax.jit(lambda state, x, valid: engine.predictions(state, engine.stacked(x), count(x), valid))
        self._programs = (*stacked.values(), stacked_predict)
        global_batch = lambda batch: jax.tree.map(lambda a: jax.make_array_from_process_local_data(
            distribution.batch_sharding(np.ndim(a)), np.asarray(a)), batch)
        points = {name: (lambda state, data, index, valid, f=f: f(state, host_batches(data, index), valid))
                  for name, f in stacked.items()}
        # Iterables of batches: each process's iterable yields its own rows of every global batch.
        for name in ("train_batch", "test_batch"):
            points[name] = lambda state, batch, f=jitted[name]: f(state, global_batch(batch))
        predict_batch = jitted["predict_batch"]
        points["predict_batch"] = lambda state, x: jax.tree.map(
            lambda a: own_rows(a[None], np.shape(jax.tree.leaves(x)[0])[0])[0],
            multihost_utils.process_allgather(predict_batch(state, global_batch(x)), tiled=True))
        points["predict_chunk"] = lambda state, x, index, valid: own_rows(multihost_utils.process_allgather(
            stacked_predict(state, host_batches(x, index), valid), tiled=True), np.shape(index)[1])
        return points
