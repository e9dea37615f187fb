"""`ArrayDataset`: arrays checked once, kept where the device reads them, each epoch a plan of index batches.

The engine gathers a batch inside the compiled step from the resident arrays by index, so the host only
sends K x batch_size integers per dispatch. Training data larger than `RESIDENT_SHARE` of an accelerator's
free memory is streamed instead: each dispatch's rows are gathered on the host and copied to the device while
the last dispatch computes. Every sample is used exactly once per epoch; the last, smaller batch is kept
(padded to the full size where the engine can mask it, so it compiles no program of its own).
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

import jax
import numpy as np

from kerasish import distribution as _distribution
from kerasish.training.data.checks import check_sample_weight, check_targets, num_samples
from kerasish.training.data.dataset import Dataset
from kerasish.training.data.host_memory import (
    BorrowedRows,
    aligned_empty,
    copies_behind,
    fits_on_device,
    reads_host_in_place,
    release_copies,
)

#: Arrays up to this size keep their device copy between calls (`resident_copy`).
RESIDENT_COPY_BYTES = 256 << 10
_resident_copies: dict[int, tuple[weakref.ref, np.ndarray, jax.Array]] = {}


def resident_copy(array: np.ndarray) -> jax.Array:
    """`jax.device_put(array)`, reused while the same small array is passed again with the same values: a notebook or
    a search loop calling `fit` many times on the same data pays the copy once. The values are compared with a
    snapshot taken with the copy (an array changed in place gets a new copy); arrays above `RESIDENT_COPY_BYTES`
    are copied every time (comparing would cost as much as copying). An entry leaves with its array."""
    if array.nbytes > RESIDENT_COPY_BYTES:
        return jax.device_put(array)
    entry = _resident_copies.get(id(array))
    if entry is not None and entry[0]() is array and np.array_equal(entry[1], array):
        return entry[2]
    # The device copy is made from a snapshot this cache owns: XLA:CPU may use the memory it is given in place, and
    # the device array must neither follow later changes of the user's array nor keep it alive.
    snapshot = np.array(array, copy=True)
    device = jax.device_put(snapshot)
    key = id(array)
    try:
        ref = weakref.ref(array, lambda _: _resident_copies.pop(key, None))
    except TypeError:  # not weakly referable: not kept
        return device
    _resident_copies[key] = (ref, snapshot, device)
    return device


def group_batches(batches: list[np.ndarray], steps_per_execution: int) -> list[np.ndarray]:
    """Stacks consecutive batches of equal size into chunks of at most `steps_per_execution`.

    Returns arrays of shape (k, batch_size), k <= steps_per_execution, in order.
    """
    chunks, run = [], []
    for batch in batches:
        if run and (len(batch) != len(run[0]) or len(run) == steps_per_execution):
            chunks.append(np.stack(run))
            run = []
        run.append(batch)
    if run:
        chunks.append(np.stack(run))
    return chunks


def plan_dispatches(batches: list[np.ndarray], steps_per_execution: int,
                    full_batch: int, pad_rows: bool = False) -> list[tuple[np.ndarray, np.int32]]:
    """The dispatches of one epoch: `(index, valid)` pairs, `index` of shape (K, batch_size).

    Chunks of full batches shorter than K (the end of an epoch, or any run when `steps_per_epoch`
    starts an epoch inside a pass) are padded to K by repeating their last batch, and `valid` says how
    many rows are real: the compiled loop skips the rest (`lax.cond`). So every full-batch dispatch
    has the same shape and one program serves them all. A smaller last batch is, with `pad_rows`,
    filled up to `full_batch` with index -1 (rows the step masks out: see `Engine.pads`) and stepped
    with the others; without, a (1, r) dispatch with a program of its own. `full_batch` is the size of
    a full batch (the batch size, or the sample count when there are fewer samples).
    """
    if pad_rows:
        batches = [b if len(b) == full_batch else np.concatenate([b, np.full(full_batch - len(b), -1, b.dtype)])
                   for b in batches]
    plan = []
    for chunk in group_batches(batches, steps_per_execution):
        valid = len(chunk)
        if chunk.shape[1] == full_batch and 1 < steps_per_execution and valid < steps_per_execution:
            chunk = np.concatenate([chunk, np.repeat(chunk[-1:], steps_per_execution - valid, axis=0)])
        plan.append((chunk, np.int32(valid)))
    return plan


def plan_pass(order: np.ndarray, batch_size: int, steps_per_execution: int, full_batch: int,
              pad_rows: bool = False) -> list[tuple[np.ndarray, np.int32]]:
    """`plan_dispatches` of one whole pass over `order` (int32 sample indices) in batches of `batch_size`, computed
    with array operations instead of batch by batch: the same dispatches, without a Python step per batch.

    Example:
      >>> [(index.tolist(), int(valid)) for index, valid in plan_pass(np.arange(5, dtype=np.int32), 2, 4, 2, True)]
      [([[0, 1], [2, 3], [4, -1], [4, -1]], 3)]
    """
    n, k = len(order), steps_per_execution
    short = n % batch_size if n > batch_size else n % full_batch  # the rows of a last batch below full size
    if pad_rows or short == 0:  # every batch has the full size (a short one filled with -1)
        body, tail = order, None
        if short:
            body = np.concatenate([order, np.full(-n % full_batch, -1, order.dtype)])
    else:
        body, tail = order[:n - short], order[n - short:]
    rows = body.reshape(-1, full_batch) if body.size else body.reshape(0, full_batch)
    plan = []
    for start in range(0, len(rows), k):
        chunk = rows[start:start + k]
        valid = len(chunk)
        if 1 < k and valid < k:
            chunk = np.concatenate([chunk, np.repeat(chunk[-1:], k - valid, axis=0)])
        plan.append((chunk, np.int32(valid)))
    if tail is not None:
        plan.append((tail[None], np.int32(1)))
    return plan


class ArrayDataset(Dataset):
    """A device-resident dataset and the index batches of each epoch.

    Args:
      arrays: a pytree `(x, y, sample_weight)` of checked NumPy arrays (y, weights may be None).
      batch_size: samples per batch.
      shuffle: a new order every epoch.
      seed: the seed of the shuffling generator.
      steps_per_epoch: batches per epoch; None is one pass over the data. With a number, consecutive
        epochs continue where the last one stopped, and an epoch ends early when the pass over the data
        runs out (the next epoch starts a new pass), as in Keras: 10 batches with `steps_per_epoch=9`
        make epochs of 9, 1, 9, 1, ... batches; with `steps_per_epoch=11`, epochs of 10.
      streamed: read once in order (evaluate, predict): on an accelerator each dispatch's rows are copied
        to it as they come, not the whole data first. On XLA:CPU the data is read where it lies
        (`BorrowedRows` for large arrays), so nothing is streamed. Training data (`streamed=False`) is
        streamed too when it would take more than `RESIDENT_SHARE` of the accelerator's free memory.
      names: the argument names of the arrays, for messages.
    """

    def __init__(self, arrays: Any, batch_size: int, shuffle: bool = False, seed: int = 0,
                 steps_per_epoch: int | None = None, streamed: bool = False,
                 names: tuple[str, str, str] = ("x", "y", "sample_weight")) -> None:
        self.names = names
        self.num_samples = num_samples(arrays[0])
        self.host_arrays = arrays
        in_place = reads_host_in_place()
        # XLA:CPU reads the host arrays: no copy to stream
        self.streamed = not in_place and (streamed or not fits_on_device(
            sum(leaf.nbytes for leaf in jax.tree.leaves(arrays))))
        if jax.process_count() > 1:  # several processes: each feeds its share of every global batch
            batch_size = _distribution.local_batch_size(batch_size, self.num_samples)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self._copies = copies_behind(arrays)
        self._in_place = in_place
        self.bucketed = False  # see `share_shapes`
        self._device_arrays = None  # put on the device at the first dispatch
        self._rng = np.random.default_rng(seed)
        self._pending: list[np.ndarray] = []

    def release(self) -> None:
        """Drops the device arrays when the fit / evaluate / predict is done; the copies of the data made
        for them are freed before the next call makes its own (`free_released_copies`)."""
        release_copies(self._copies)
        self._copies, self._device_arrays, self.host_arrays = [], None, None

    @property
    def rows(self) -> int | None:
        return self.num_samples

    def share_shapes(self) -> None:
        """From now on the data runs in shapes that other sizes share, so that a program compiled for them serves
        any number of rows: the arrays padded to the next power of two of rows (the padding is never indexed), and
        a short last batch padded to the full batch size. The engine asks for it once it has compiled programs
        for several exact sizes (`Engine.shares_shapes`): a loop calling `predict` on ever new sizes then
        compiles a bounded number of programs."""
        self.bucketed = True

    @property
    def device_arrays(self) -> Any:
        """The arrays the compiled steps gather batches from (None when streamed): put on the device once."""
        if self._device_arrays is None and not self.streamed and self.host_arrays is not None:
            arrays = self.host_arrays
            if self.bucketed:
                rows = 1 << max(self.num_samples - 1, 0).bit_length()
                arrays = jax.tree.map(lambda a: _padded_rows(a, rows), arrays)
            if self._in_place:  # large arrays in place, the rest (small, or copied into aligned memory) on the device
                arrays = jax.tree.map(lambda a: BorrowedRows.of(a) if BorrowedRows.fits(a) else a, arrays)
            self._device_arrays = jax.tree.map(
                lambda a: resident_copy(a) if isinstance(a, np.ndarray) else jax.device_put(a), arrays,
                is_leaf=lambda a: isinstance(a, BorrowedRows))
        return self._device_arrays

    def dispatches(self, steps_per_execution: int, first_step: int = 0, ends: Iterable[int] = (),
                   pad_rows: bool = False) -> Iterator[tuple[Any, np.ndarray, np.int32]]:
        """`(arrays, index, valid)` for each dispatch of `plan`: the device arrays to gather from, the
        (K, batch) index into them, and how many of the K batches are real.

        Resident (the default, what `fit` uses for its epochs): the whole data, put on the device once.
        Streamed (one pass, `evaluate` / `predict`; or training data too large for the device): each
        dispatch's rows are gathered on the host into fresh aligned memory (XLA:CPU uses it in place; an
        accelerator receives a copy while it still computes the last dispatch), and indexed from 0. The
        host gathers the next dispatch's rows while the device computes the last one, and the whole data
        is never copied at once. In order, a block of about 16 MB of rows serves several dispatches;
        shuffled, every block is one dispatch's rows (so every dispatch has the same shape, one program).
        """
        if not self.streamed:
            for index, valid in self.plan(steps_per_execution, first_step, ends, pad_rows):
                yield self.device_arrays, index, valid
            return
        plan = self.plan(steps_per_execution, first_step, ends, pad_rows)
        row_bytes = sum(leaf[:1].nbytes for leaf in jax.tree.leaves(self.host_arrays))
        # rows per block: a dispatch's rows at least; with small dispatches (K = 1) about 16 MB of rows,
        # so several dispatches read one block (fewer, larger copies); never much more than the data
        largest = max(index.size for index, _ in plan)
        in_order = max(largest, min(self.num_samples, (16 << 20) // max(row_bytes, 1)))
        block = largest if self.shuffle or self.bucketed else in_order
        staged, arrays, first, last = 0, None, 0, -1  # bytes since the last collection; the current block
        for index, valid in plan:
            real = index[index >= 0]
            low, high = int(real.min()), int(real.max()) + 1
            if first <= low and high <= last:  # the current block holds these rows
                local = index - first
            else:
                if high - low <= block:  # in order (the usual case): the rows from `low` on, as one block
                    first, last = low, min(low + block, self.num_samples)
                    rows, count = slice(first, last), last - first
                    local = index - first
                else:  # shuffled, or wrapping around the end of the data (steps=): row by row, a one-off block
                    first, last = 0, -1
                    rows, count = np.where(index >= 0, index, 0).reshape(-1), index.size
                    local = np.arange(index.size).reshape(index.shape)

                def gathered(leaf, rows=rows, count=count):
                    out = aligned_empty((block,) + leaf.shape[1:], leaf.dtype)
                    if isinstance(rows, slice):
                        out[:count] = leaf[rows]
                    else:  # into the block directly (no temporary of the gathered rows)
                        np.take(leaf, rows, axis=0, out=out[:count])
                    out[count:] = 0  # past the rows copied: no index reads these rows
                    return out

                arrays = jax.device_put(jax.tree.map(gathered, self.host_arrays))
                staged += block * row_bytes
            yield arrays, np.where(index >= 0, local, -1).astype(np.int32), valid
            if staged > 64 << 20:  # JAX lets go of finished blocks' host memory at a collection pass
                gc.collect(0)
                staged = 0

    @property
    def batches_per_pass(self) -> int:
        return -(-self.num_samples // self.batch_size)

    @property
    def steps(self) -> int:
        return self.steps_per_epoch or self.batches_per_pass

    def _order(self) -> np.ndarray:
        """The sample order of the next pass (int32): a new permutation when shuffling."""
        order = self._rng.permutation(self.num_samples) if self.shuffle else np.arange(self.num_samples)
        return order.astype(np.int32)

    def _one_pass(self) -> list[np.ndarray]:
        order = self._order()
        return [order[i:i + self.batch_size] for i in range(0, self.num_samples, self.batch_size)]

    def order_state(self) -> dict | None:
        """The shuffling generator and the batches pending from a pass (JSON-able), for resuming."""
        return {"generator": self._rng.bit_generator.state, "pending": [b.tolist() for b in self._pending]}

    def restore_order_state(self, state: dict) -> None:
        self._rng.bit_generator.state = state["generator"]
        self._pending = [np.asarray(b, np.int32) for b in state["pending"]]

    def plan(self, steps_per_execution: int, first_step: int = 0,
             ends: Iterable[int] = (), pad_rows: bool = False) -> list[tuple[np.ndarray, np.int32]]:
        """The dispatches of the next epoch (see `plan_dispatches`).

        Args:
          steps_per_execution: K, the most batches per dispatch.
          pad_rows: fill a short batch up to the full size with index -1 (see `plan_dispatches`).
          first_step: batches of the epoch to leave out (done before a backup the epoch resumes from);
            the epoch's order is drawn whole first, so the rest is what an uninterrupted epoch runs.
          ends: batches after which a dispatch must end (where a callback acts mid-epoch). Cut
            dispatches are padded to K like any other, so they run the same program as uncut ones.
        """
        full_batch = self.batch_size if self.bucketed and pad_rows else min(self.batch_size, self.num_samples)
        if self.steps_per_epoch is None and not first_step and not ends:  # a whole pass (the usual case)
            return plan_pass(self._order(), self.batch_size, steps_per_execution, full_batch, pad_rows)
        batches = self.epoch()
        bounds = sorted({first_step} | {b + 1 for b in ends if first_step <= b < len(batches) - 1} | {len(batches)})
        return [dispatch for start, stop in zip(bounds, bounds[1:])
                for dispatch in plan_dispatches(batches[start:stop], steps_per_execution, full_batch, pad_rows)]

    def epoch(self) -> list[np.ndarray]:
        """The index batches of the next epoch (see `steps_per_epoch`: never more than the pass has left)."""
        if self.steps_per_epoch is None:
            return self._one_pass()
        if not self._pending:
            self._pending = self._one_pass()
        batches, self._pending = self._pending[:self.steps_per_epoch], self._pending[self.steps_per_epoch:]
        return batches

    # -- the Dataset interface --------------------------------------------------------------------------

    def sample(self) -> tuple[Any, Any]:
        return self.host_arrays[0], self.host_arrays[1]

    def check(self, objectives: Any, check_x) -> None:
        x, y, sample_weight = self.host_arrays
        check_x(x, self.names[0])
        check_targets(y, objectives, self.names[1], min(self.batch_size, self.num_samples))
        check_sample_weight(sample_weight, objectives, self.names[2])

    def run(self, chunk_fn, batch_fn, epoch, steps_per_execution, on_begin, on_end, advance,
            should_stop=lambda: False, first_step=0, ends=(), pad_rows=False) -> None:
        step = first_step
        for arrays, index, valid in self.dispatches(steps_per_execution, first_step, ends, pad_rows):
            on_begin(step)
            advance(chunk_fn, arrays, index, valid)
            step += int(valid)
            on_end(step - 1)
            if should_stop():
                return

    def predict(self, chunk_fn, batch_fn, steps_per_execution, pad_rows, on_begin, on_end,
                should_stop=lambda: False) -> list:
        outputs, step = [], 0
        for arrays, index, valid in self.dispatches(steps_per_execution, pad_rows=pad_rows):
            on_begin(step)
            chunk = chunk_fn(arrays[0], index, valid)
            v = int(valid)
            real = int(np.count_nonzero(index[v - 1] >= 0))  # a padded short batch (the last) has fewer
            if v == len(index) and real == index.shape[1]:
                outputs.append(chunk)
            else:  # the last chunk: cut on the host (slicing on the device would compile a program per shape)
                chunk = jax.device_get(chunk)
                if v > 1:
                    outputs.append(jax.tree.map(lambda a, v=v: a[:v - 1], chunk))
                outputs.append(jax.tree.map(lambda a, v=v, real=real: a[v - 1:v, :real], chunk))
            step += v
            on_end(step - 1, outputs[-1])
            if should_stop():
                break
        return outputs


def _padded_rows(array: np.ndarray, rows: int) -> np.ndarray:
    """`array` with zero rows appended up to `rows`, in aligned memory (what `ArrayDataset.share_shapes` puts on the
    device)."""
    if array.shape[0] == rows:
        return array
    out = aligned_empty((rows,) + array.shape[1:], array.dtype)
    out[:array.shape[0]] = array
    out[array.shape[0]:] = 0
    return out
