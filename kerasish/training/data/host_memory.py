"""Host memory for the data of a call: aligned copies, arrays read in place, and freeing them in time.

XLA:CPU uses host memory in place only at a 64-byte aligned address: the data checks convert into aligned
memory (`aligned_copy`), and a large array already of the right dtype is read where it lies (`BorrowedRows`)
instead of copied. JAX lets go of a zero-copy array's host memory only at a garbage-collection pass after
its last computation, so a finished call's copies are released (`release_copies`) and waited for before
the next large copy (`free_released_copies`): two calls' copies never add up in the peak.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import time
import weakref
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish import distribution as _distribution

#: The aligned copies `aligned_copy` made, by id (weakly): a zero-copy device array borrows one.
_copies: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
#: Those whose dataset is done (`ArrayBatches.release`), to be freed before new copies are made.
_released: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def free_released_copies(timeout: float = 0.25) -> None:
    """Waits (at most `timeout` seconds) until the copies of finished datasets are freed.

    JAX hands back the NumPy memory a zero-copy `device_put` borrowed only at its next garbage-collection
    pass, after its runtime has retired the last computation that read it (jax-ml/jax#14882); until then
    the last fit / evaluate / predict's copy of the data stays in memory, and a new call's copy would
    add to it in the peak. Young-generation passes are cheap (about a millisecond).
    """
    gc.collect(0)
    deadline = time.monotonic() + timeout
    while len(_released) and time.monotonic() < deadline:
        time.sleep(0.002)
        gc.collect(0)
    _trim_heap()


def _trim_heap() -> None:
    """Returns the C heap's free pages to the system (glibc's `malloc_trim`): XLA's compilations leave
    tens of MB freed but mapped (29 MB after building the MLP benchmark's model), which would otherwise
    stay under the data copied next. A no-op where there is no glibc."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = lambda pad: 0  # noqa: E731
    _malloc_trim(0)


_malloc_trim = None


#: From this size on, a new copy first waits for the finished calls' copies to be freed (`free_released_copies`
#: costs ~0.2 ms, mostly `malloc_trim`: too much for every small `train_on_batch`, nothing next to 8 MB).
_LARGE_COPY = 8 << 20


def aligned_empty(shape: tuple[int, ...], dtype) -> np.ndarray:
    """An uninitialised C-contiguous array at a 64-byte aligned address (what XLA:CPU uses in place)."""
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    if nbytes >= _LARGE_COPY:
        free_released_copies()  # the last call's copies go before this one is made
    buffer = np.empty(nbytes + 64, np.uint8)
    _copies[id(buffer)] = buffer
    offset = -buffer.ctypes.data % 64
    return buffer[offset:offset + buffer.size - 64].view(dtype).reshape(shape)


def aligned_copy(array: np.ndarray, dtype, check_finite: bool = False,
               copy: bool = True) -> tuple[np.ndarray, tuple | None]:
    """`(out, bad)`: `array` as `dtype`, C-contiguous and 64-byte aligned, and with `check_finite` the index
    of its first NaN or infinity (else None). With `copy=False` an array already of `dtype` and
    C-contiguous is only checked, not copied (evaluate and predict copy each dispatch's rows later).

    `jax.device_put` on CPU uses aligned memory in place; anything else is copied here, because XLA's own
    copy of an unaligned array is slower (NumPy's large arrays are 16-byte aligned; benchmarks/README.md has
    the MLP data's figures). The copy and the check go in slices of 64K
    values, each checked while in cache, and no array-sized temporary is made (it would count in the
    peak memory of a fit).
    """
    step = 1 << 16
    source = None  # the flat values still to copy, slice by slice, into `out`
    if array.dtype == dtype and array.flags.c_contiguous and (array.ctypes.data % 64 == 0 or not copy):
        out = array
    else:
        out = aligned_empty(array.shape, dtype)
        if array.flags.c_contiguous:
            source = array.reshape(-1)
        else:
            with np.errstate(over="ignore"):
                out[...] = array
    target = out.reshape(-1)
    bad = None
    # a float64 beyond float32's range becomes inf: the check names it (no conversion: no overflow to silence)
    with np.errstate(over="ignore") if source is not None else contextlib.nullcontext():
        for start in range(0, out.size, step):
            part = target[start:start + step]
            if source is not None:
                part[...] = source[start:start + step]
            if check_finite and bad is None and not np.isfinite(part).all():
                bad = tuple(int(i) for i in np.unravel_index(start + int(np.argmin(np.isfinite(part))), out.shape))
                if source is None:
                    break
    return out, bad


#: From this size on, an array that fit / evaluate / predict keep on XLA:CPU is read in place (`BorrowedRows`).
BORROW_BYTES = 1 << 20


@jax.tree_util.register_pytree_node_class
class BorrowedRows:
    """A host array that XLA:CPU reads where it lies, without a copy, for the batches gathered from it.

    XLA:CPU uses host memory in place only at a 64-byte aligned address, and NumPy puts its large
    arrays 16 or 32 bytes past one: `jax.device_put` would copy the whole array (188 MB for 60,000 x 784
    float32, kept for the whole fit). Here the device array is a view of the array's values from its
    first aligned address on (`flat`), `64 / itemsize` values shorter than the array so that its length
    does not depend on the address; the rows at either end that may fall outside it are small copies
    (`head`, `tail`), and `skip` (a traced int, so that no address compiles a program of its own) is
    the values left out before the view. `take` gathers rows inside a compiled step. A pytree:
    `jax.device_put` and `jax.jit` see its four arrays.
    """

    def __init__(self, flat, head, tail, skip, shape: tuple[int, ...]) -> None:
        self.flat, self.head, self.tail, self.skip, self.shape = flat, head, tail, skip, shape

    @classmethod
    def of(cls, array: np.ndarray) -> BorrowedRows:
        """The host parts for `array` (C-contiguous, at an address that is a multiple of its itemsize)."""
        skip = -array.ctypes.data % 64 // array.itemsize
        flat = array.reshape(-1)[skip:skip + array.size - 64 // array.itemsize]
        rows = cls._edge_rows(array)
        return cls(flat, np.array(array[:rows]), np.array(array[-rows:]), np.int32(skip), array.shape)

    @staticmethod
    def _edge_rows(array: np.ndarray) -> int:
        """The rows at each end that may reach past `flat` (which is 64 bytes shorter than the array)."""
        return -(-(64 // array.itemsize) // max(math.prod(array.shape[1:]), 1))

    @classmethod
    def fits(cls, array: np.ndarray) -> bool:
        """Whether `array` is worth borrowing (`BORROW_BYTES` or more) and can be (its flat index fits int32,
        it is longer than its two edges)."""
        return (array.nbytes >= max(BORROW_BYTES, 1) and array.flags.c_contiguous and array.size < 2**31
                and array.ctypes.data % array.itemsize == 0 and array.shape[0] > 2 * cls._edge_rows(array))

    @property
    def dtype(self):
        return self.flat.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def take(self, index: jax.Array) -> jax.Array:
        """The rows `index` (int32, any shape), as `array[index]` would give them; index -1 reads some row
        (padding rows, masked by the caller)."""
        n, row, ends = self.shape[0], math.prod(self.shape[1:]), self.head.shape[0]
        i = index.reshape(-1)
        dims = jax.lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(), start_index_map=(0,))
        rows = jax.lax.gather(self.flat, (i * row - self.skip)[:, None], dims, (row,),
                              mode=jax.lax.GatherScatterMode.CLIP)
        edge_row = lambda part, at: part.reshape(ends, row)[jnp.clip(at, 0, ends - 1)]
        rows = jnp.where((i < ends)[:, None], edge_row(self.head, i), rows)
        rows = jnp.where((i >= n - ends)[:, None], edge_row(self.tail, i - (n - ends)), rows)
        return rows.reshape(index.shape + self.shape[1:])

    def tree_flatten(self):
        return (self.flat, self.head, self.tail, self.skip), self.shape

    @classmethod
    def tree_unflatten(cls, shape, children) -> BorrowedRows:
        return cls(*children, shape)


def is_borrowed(leaf: Any) -> bool:
    return isinstance(leaf, BorrowedRows)


def take_rows(leaf: Any, index: jax.Array) -> jax.Array:
    """`leaf[index]` for a device array or a `BorrowedRows`."""
    return leaf.take(index) if isinstance(leaf, BorrowedRows) else leaf[index]


#: The share of an accelerator's free memory that `fit`'s training data may take there; larger data is streamed.
RESIDENT_SHARE = 0.5


def device_room() -> int | None:
    """The free memory, in bytes, of the fullest local device (None where the runtime does not say: XLA:CPU)."""
    free = []
    for device in jax.local_devices():
        stats = device.memory_stats()
        if not stats or "bytes_limit" not in stats:
            return None
        free.append(stats["bytes_limit"] - stats.get("bytes_in_use", 0))
    return min(free)


def fits_on_device(nbytes: int) -> bool:
    """Whether data of `nbytes` bytes may stay on the device for a whole `fit` (`RESIDENT_SHARE`)."""
    room = device_room()
    return room is None or nbytes <= RESIDENT_SHARE * room


def reads_host_in_place() -> bool:
    """Whether resident data can be the host arrays themselves: XLA:CPU, one device (no distribution)."""
    return jax.default_backend() == "cpu" and _distribution.distribution() is None


def copies_behind(arrays: Any) -> list[np.ndarray]:
    """The aligned copies (made by `aligned_copy`) that the arrays of the pytree `arrays` are views of."""
    return [leaf.base for leaf in jax.tree.leaves(arrays)
            if isinstance(leaf, np.ndarray) and leaf.base is not None and id(leaf.base) in _copies]


def release_copies(buffers: list[np.ndarray]) -> None:
    """The call using `buffers` (from `copies_behind`) is done: they are freed before the next large copy
    (`free_released_copies`)."""
    for buffer in buffers:
        _released[id(buffer)] = buffer
