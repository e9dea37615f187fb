"""Data adapters: turn what a user passes to `fit` into checked arrays and per-epoch batch plans.

Arrays (NumPy, JAX, lists; or tuples/dicts of them for several inputs) are checked once, moved to
the device once, and each epoch is a plan of index batches: the engine gathers a batch inside the
compiled step, so no sample crosses from the host per step. Training data larger than
`RESIDENT_SHARE` of an accelerator's free memory is streamed instead: each dispatch's rows are gathered
on the host and copied to the device while the last dispatch computes. Every sample is used exactly once per
epoch; the last, smaller batch is kept (it compiles once, not once per epoch).

Python iterables and generators of `(x, y)` / `(x, y, sample_weight)` batches are read batch by
batch.
"""

from __future__ import annotations

import ctypes
import gc
import math
import time
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish import losses as _losses
from kerasish.shapes import format_shape, is_shape
from kerasish.training.objectives import flatten_outputs

_ARRAY_TYPES = (np.ndarray, jax.Array, list, tuple, dict, int, float, np.generic)


def is_array_data(x: Any) -> bool:
    """True for arrays and containers of arrays; False for iterables of batches (generators, ...)."""
    if isinstance(x, list) and x and all(
            isinstance(b, tuple) and b and isinstance(b[0], (np.ndarray, jax.Array, tuple, dict)) for b in x):
        return False  # a list of (x, y) batch tuples: a re-iterable of batches
    if isinstance(x, (list, tuple, dict)):
        return True
    return isinstance(x, _ARRAY_TYPES) or hasattr(x, "__array__")


#: The aligned copies `_converted` made, by id (weakly): a zero-copy device array borrows one.
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


def _converted(array: np.ndarray, dtype, check_finite: bool = False,
               copy: bool = True) -> tuple[np.ndarray, tuple | None]:
    """`(out, bad)`: `array` as `dtype`, C-contiguous and 64-byte aligned, and with `check_finite` the index
    of its first NaN or infinity (else None). With `copy=False` an array already of `dtype` and
    C-contiguous is only checked, not copied (evaluate and predict copy each dispatch's rows later).

    `jax.device_put` on CPU uses aligned memory in place; anything else is copied here, because XLA's own
    copy of an unaligned array is slower (NumPy's large arrays are 16-byte aligned; for 60,000 x 784
    float32, 0.13 s in `device_put` against 0.06 s here). The copy and the check go in slices of 64K
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
    with np.errstate(over="ignore"):  # a float64 beyond float32's range becomes inf: the check names it
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
    from kerasish.distribution import distribution
    return jax.default_backend() == "cpu" and distribution() is None


def to_array(value: Any, argument: str, copy: bool = True) -> np.ndarray:
    """Checks one array argument and returns it as float32 / int32 / bool NumPy (JAX's default widths),
    in aligned memory unless `copy=False` (then an array of the right dtype is returned as it is)."""
    if isinstance(value, jax.Array):
        value = np.asarray(value)
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as err:
        raise TypeError(f"Argument `{argument}` must be a numeric array, received {type(value).__name__} "
                        f"that NumPy cannot turn into one ({err}).") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Argument `{argument}` must hold numbers (float, int or bool), received an array of "
                        f"dtype {array.dtype}" + (f" such as {array.flat[0]!r}" if array.size else "") + ".")
    if array.ndim == 0:
        raise ValueError(f"Argument `{argument}` must have a batch axis, received a scalar {array!r}.")
    if array.shape[0] == 0:
        raise ValueError(f"Argument `{argument}` is empty (shape {array.shape}); fit, evaluate and predict "
                         f"need at least one sample.")
    if array.dtype.kind == "f":
        source = array
        array, bad = _converted(array, np.float32, check_finite=True, copy=copy)
        if bad is not None:
            overflow = bool(np.isfinite(source[bad]))  # finite in float64, beyond float32's range
            raise ValueError(f"Argument `{argument}` contains NaN or infinite values (first at index {bad}"
                             + (f": {source[bad]!r} is beyond float32's range" if overflow else "")
                             + "); clean or impute the data first.")
    elif array.dtype.kind in "iu":
        array = _converted(array, np.int32, copy=copy)[0]
    elif array.dtype.kind == "b":
        array = _converted(array, np.bool_, copy=copy)[0]
    return array


def to_arrays(tree: Any, argument: str, copy: bool = True) -> Any:
    """`to_array` over a pytree (several inputs as a tuple, list or dict)."""
    if tree is None:
        return None
    if isinstance(tree, (tuple, list)) and tree and all(isinstance(v, (np.ndarray, jax.Array)) for v in tree):
        return type(tree)(to_array(v, f"{argument}[{i}]", copy) for i, v in enumerate(tree))
    if isinstance(tree, dict):
        return {k: to_array(v, f"{argument}[{k!r}]", copy) for k, v in tree.items()}
    return to_array(tree, argument, copy)


def num_samples(tree: Any) -> int:
    return int(jax.tree.leaves(tree)[0].shape[0])


def check_lengths(**trees: Any) -> int:
    """All leaves of all arguments must have the same number of samples; returns it."""
    lengths = {}
    for name, tree in trees.items():
        for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
            lengths[name + jax.tree_util.keystr(path)] = leaf.shape[0]
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"`{k}` has {v}" for k, v in lengths.items())
        raise ValueError(f"Data cardinality is ambiguous: {detail} samples; every array must have the same "
                         f"number of samples (first axis).")
    return next(iter(lengths.values()))


def check_input_count(x: Any, expected_shape: Any, model_name: str, argument: str = "x") -> None:
    """A model with one input (`expected_shape` is one shape) must get one array, not a tuple/list/dict of several."""
    if expected_shape is None or not is_shape(expected_shape) or hasattr(x, "shape"):
        return
    raise ValueError(f"Argument `{argument}` must be one array for model '{model_name}', which takes one input of "
                     f"shape {format_shape(expected_shape)}; received a {type(x).__name__} of "
                     f"{len(jax.tree.leaves(x))} arrays.")


def class_weights_to_sample_weights(y: np.ndarray, class_weight: dict, n: int) -> np.ndarray:
    if not isinstance(class_weight, dict):
        raise TypeError(f"Argument `class_weight` must be a dict {{class index: weight}}, received {class_weight!r}.")
    for k, w in class_weight.items():
        key_ok = isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 0
        weight_ok = isinstance(w, (int, float, np.integer, np.floating)) and not isinstance(w, bool) and np.isfinite(w)
        if not (key_ok and weight_ok):
            raise TypeError(f"Argument `class_weight` must map class indices (ints >= 0) to finite numbers, received "
                            f"the entry {k!r}: {w!r}.")
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(n, -1)[:, 0]
    labels = labels.astype(np.int64)
    missing = sorted(set(np.unique(labels).tolist()) - set(class_weight))
    if missing:
        raise ValueError(f"Argument `class_weight` has no weight for classes {missing[:10]} found in `y`; "
                         f"it has keys {sorted(class_weight)}.")
    table = np.zeros(max(max(class_weight) + 1, int(labels.max()) + 1), np.float32)
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


def prepare_arrays(x: Any, y: Any, sample_weight: Any, class_weight: Any = None,
                   names: tuple[str, str, str] = ("x", "y", "sample_weight"),
                   copy: bool = True) -> tuple[Any, Any, Any]:
    """Checks `x`, `y`, `sample_weight`; folds `class_weight` into the sample weights. `copy=False`: arrays
    already of the right dtype are checked but not copied into aligned memory (see `ArrayBatches`)."""
    x = to_arrays(x, names[0], copy)
    y = to_arrays(y, names[1], copy)
    sample_weight = None if sample_weight is None else to_array(sample_weight, names[2], copy)
    trees = {names[0]: x}
    if y is not None:
        trees[names[1]] = y
    if sample_weight is not None:
        trees[names[2]] = sample_weight
    n = check_lengths(**trees)
    if sample_weight is not None and sample_weight.ndim != 1:
        sample_weight = sample_weight.reshape(n, -1) if sample_weight.size != n else sample_weight.reshape(n)
    if class_weight is not None:
        if y is None or not isinstance(y, np.ndarray):
            raise ValueError("Argument `class_weight` needs a single array `y` of class labels or one-hot rows.")
        weights = class_weights_to_sample_weights(y, class_weight, n)
        sample_weight = weights if sample_weight is None else sample_weight * weights
    return x, y, sample_weight


# -- targets against the compiled losses (host side, before anything compiles) --------------------

#: The built-in losses whose targets `check_target` knows (custom losses get any targets).
_CHECKED_LOSSES = (_losses.MeanSquaredError, _losses.MeanAbsoluteError, _losses.Huber, _losses.BinaryCrossentropy,
                   _losses.CategoricalCrossentropy, _losses.SparseCategoricalCrossentropy)


def _shapes_agree(target: tuple, output: tuple) -> bool:
    """`target` (batch axis None) fits `output` (None: any size) as the losses' rank reconciliation allows:
    equal, or one of them has an extra trailing axis of 1."""
    same = lambda a, b: len(a) == len(b) and all(p is None or t is None or t == p for t, p in zip(a, b))
    return (same(target, output) or (len(target) == len(output) + 1 and target[-1] == 1 and same(target[:-1], output))
            or (len(output) == len(target) + 1 and output[-1] == 1 and same(target, output[:-1])))


def check_target(y: Any, loss: Any, output_shape: tuple | None, argument: str = "y") -> None:
    """Checks the targets of one output against its built-in loss, on the host, before training.

    Shapes must fit the model's output; sparse class ids must be whole numbers in [0, classes); binary and
    categorical cross-entropy targets must lie in [0, 1]. Keras (on JAX) accepts out-of-range labels and
    silently trains on a loss of 0 or worse; here they are an error. The cost is one vectorized min and max
    (and, for float class ids, one whole-number test). Custom losses are not checked.

    Args:
      y: the targets of the output, `(N, ...)` (NumPy or a device array).
      loss: the resolved `kerasish.losses.Loss` of the output.
      output_shape: the shape of the output, batch axis None; None to skip the check.
      argument: the name of the argument in the messages.

    Raises:
      ValueError: naming the argument, the shape or value received and what the loss accepts.

    Example:
      >>> loss = _losses.SparseCategoricalCrossentropy()
      >>> check_target(np.array([0, 3]), loss, (None, 3))  # doctest: +ELLIPSIS
      Traceback (most recent call last):
      ...
      ValueError: Argument `y` holds the class id 3, but ... accepts class ids in [0, 3) (0 to 2). ...
    """
    if (y is None or output_shape is None or type(loss) not in _CHECKED_LOSSES
            or loss._fn_kwargs.get("axis", -1) != -1):
        return
    output, target = tuple(output_shape), (None,) + tuple(np.shape(y)[1:])
    shown = f"Argument `{argument}` has shape {format_shape(np.shape(y))}, but {loss.name} for an output of shape " \
            f"{format_shape(output)} needs "
    if isinstance(loss, _losses.SparseCategoricalCrossentropy):
        classes = output[-1]
        if not _shapes_agree(target, output[:-1]):
            hint = " (for one-hot targets use categorical_crossentropy)" if _shapes_agree(target, output) else ""
            raise ValueError(shown + f"integer class ids of shape {format_shape(output[:-1])} or "
                             f"{format_shape(output[:-1] + (1,))}{hint}.")
        labels = np.asarray(y)
        if labels.dtype.kind == "f" and np.any(labels != np.floor(labels)):
            bad = labels[labels != np.floor(labels)].flat[0].item()
            raise ValueError(f"Argument `{argument}` holds the label {bad!r}, but {loss.name} needs whole-number "
                             f"class ids in [0, {classes}).")
        ignore = loss._fn_kwargs["ignore_class"]
        if ignore is not None:
            labels = np.where(labels == ignore, 0, labels)
        low, high = labels.min().item(), labels.max().item()
        if low < 0 or (classes is not None and high >= classes):
            accepted = f"[0, {classes}) (0 to {classes - 1})" if classes is not None else "[0, classes)"
            raise ValueError(f"Argument `{argument}` holds the class id {low if low < 0 else high}, but {loss.name} "
                             f"for an output of shape {format_shape(output)} accepts class ids in {accepted}"
                             + ("" if ignore is None else f" or ignore_class={ignore}")
                             + ". Check the labels or the number of units of the last layer.")
        return
    if not _shapes_agree(target, output):
        hint = (" (for integer class ids use sparse_categorical_crossentropy)"
                if isinstance(loss, _losses.CategoricalCrossentropy) and _shapes_agree(target, output[:-1]) else "")
        raise ValueError(shown + f"targets of the output's shape (a trailing axis of 1 may be left out){hint}.")
    if isinstance(loss, (_losses.BinaryCrossentropy, _losses.CategoricalCrossentropy)):
        values = np.asarray(y)
        low, high = values.min().item(), values.max().item()
        if low < 0 or high > 1:
            kind = "0/1 labels" if isinstance(loss, _losses.BinaryCrossentropy) else "one-hot rows"
            raise ValueError(f"Argument `{argument}` holds the value {low if low < 0 else high}, but {loss.name} "
                             f"accepts targets in [0, 1] ({kind} or probabilities).")


def check_targets(y: Any, objectives: Any, argument: str = "y") -> None:
    """`check_target` for every output of `objectives` (a `training.objectives.Objectives`)."""
    if y is None or objectives is None:
        return
    names = objectives.output_names
    for name, target, loss, shape in zip(names, flatten_outputs(y, names), objectives.losses,
                                         objectives.y_pred_shapes):
        check_target(target, loss, shape, argument if len(names) == 1 else f"{argument}[{name!r}]")


def check_sample_weight(sample_weight: Any, objectives: Any, argument: str = "sample_weight") -> None:
    """Per-sample weights of a model whose built-in losses give one loss per sample must be `(N,)` or `(N, 1)`."""
    if sample_weight is None or objectives is None or np.ndim(sample_weight) == 1:
        return
    for loss, shape in zip(objectives.losses, objectives.y_pred_shapes):
        if (type(loss) in _CHECKED_LOSSES and shape is not None and len(shape) == 2
                and tuple(np.shape(sample_weight)[1:]) != (1,)):
            n = np.shape(sample_weight)[0]
            raise ValueError(f"Argument `{argument}` has shape {format_shape(np.shape(sample_weight))}, but the "
                             f"model's output of shape {format_shape(shape)} has one loss per sample: pass one "
                             f"weight per sample, shape ({n},) or ({n}, 1).")


def split_validation(arrays: tuple, validation_split: float) -> tuple[tuple, tuple]:
    """Keras's split: the LAST `validation_split` fraction (before any shuffling) is the validation set."""
    n = num_samples(arrays[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Argument `validation_split`={validation_split} leaves "
                         f"{'no training' if split_at == 0 else 'no validation'} sample out of {n}; "
                         f"use more data or another split.")
    head = jax.tree.map(lambda a: a[:split_at], arrays)
    tail = jax.tree.map(lambda a: a[split_at:], arrays)
    return head, tail


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


class ArrayBatches:
    """A device-resident dataset and the index batches of each epoch.

    Args:
      arrays: a pytree `(x, y, sample_weight)` of checked NumPy arrays (y, weights may be None).
      batch_size: samples per batch.
      shuffle: a new order every epoch.
      seed: the seed of the shuffling generator.
      steps_per_epoch: batches per epoch; None is one pass over the data. With a number, batches are
        taken from a stream of successive passes, so consecutive epochs continue where the last
        one stopped, as in Keras.
      streamed: read once in order (evaluate, predict): on an accelerator each dispatch's rows are copied
        to it as they come, not the whole data first. On XLA:CPU the data is read where it lies
        (`BorrowedRows` for large arrays), so nothing is streamed. Training data (`streamed=False`) is
        streamed too when it would take more than `RESIDENT_SHARE` of the accelerator's free memory.
    """

    def __init__(self, arrays: Any, batch_size: int, shuffle: bool = False, seed: int = 0,
                 steps_per_epoch: int | None = None, streamed: bool = False) -> None:
        self.num_samples = num_samples(arrays[0])
        self.host_arrays = arrays
        in_place = reads_host_in_place()
        # XLA:CPU reads the host arrays: no copy to stream
        self.streamed = not in_place and (streamed or not fits_on_device(
            sum(leaf.nbytes for leaf in jax.tree.leaves(arrays))))
        if jax.process_count() > 1:  # several processes: each feeds its share of every global batch
            from kerasish.distribution import local_batch_size
            batch_size = local_batch_size(batch_size, self.num_samples)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self._copies = [leaf.base for leaf in jax.tree.leaves(arrays)
                        if isinstance(leaf, np.ndarray) and leaf.base is not None and id(leaf.base) in _copies]
        if in_place:  # large arrays in place, the rest (small, or copied into aligned memory) as device arrays
            arrays = jax.tree.map(lambda a: BorrowedRows.of(a) if BorrowedRows.fits(a) else a, arrays)
        self.device_arrays = None if self.streamed else jax.device_put(arrays)
        self._rng = np.random.default_rng(seed)
        self._pending: list[np.ndarray] = []

    def release(self) -> None:
        """Drops the device arrays when the fit / evaluate / predict is done; the copies of the data made
        for them are freed before the next call makes its own (`free_released_copies`)."""
        for buffer in self._copies:
            _released[id(buffer)] = buffer
        self._copies, self.device_arrays, self.host_arrays = [], None, None

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
        block = largest if self.shuffle else max(largest, min(self.num_samples, (16 << 20) // max(row_bytes, 1)))
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

    def _one_pass(self) -> list[np.ndarray]:
        order = self._rng.permutation(self.num_samples) if self.shuffle else np.arange(self.num_samples)
        order = order.astype(np.int32)
        return [order[i:i + self.batch_size] for i in range(0, self.num_samples, self.batch_size)]

    def order_state(self) -> dict:
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
        batches = self.epoch()
        full_batch = min(self.batch_size, self.num_samples)
        bounds = sorted({first_step} | {b + 1 for b in ends if first_step <= b < len(batches) - 1} | {len(batches)})
        return [dispatch for start, stop in zip(bounds, bounds[1:])
                for dispatch in plan_dispatches(batches[start:stop], steps_per_execution, full_batch, pad_rows)]

    def epoch(self) -> list[np.ndarray]:
        """The index batches of the next epoch."""
        if self.steps_per_epoch is None:
            return self._one_pass()
        while len(self._pending) < self.steps_per_epoch:
            self._pending.extend(self._one_pass())
        batches, self._pending = self._pending[:self.steps_per_epoch], self._pending[self.steps_per_epoch:]
        return batches


def _as_batch_tuple(batch: Any, step: int) -> tuple:
    if isinstance(batch, dict) or not isinstance(batch, (tuple, list)) or not 1 <= len(batch) <= 3:
        raise ValueError(f"Each batch of an iterable must be a tuple (x,), (x, y) or (x, y, sample_weight); "
                         f"batch {step} is {type(batch).__name__}"
                         + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else "") + ".")
    x, y, sw = (tuple(batch) + (None, None))[:3]
    return prepare_arrays(x, y, sw, names=(f"x (batch {step})", f"y (batch {step})",
                                            f"sample_weight (batch {step})"))


class IterableBatches:
    """Batches read from a Python iterable or generator.

    Without `steps_per_epoch`, every epoch iterates `iterable` afresh, so it must be re-iterable
    (a list, a `Sequence`, an object whose `__iter__` starts over); a one-shot generator runs dry
    after the first epoch, which raises an error saying so. With `steps_per_epoch`, epochs draw
    that many batches from one continuing iterator.
    """

    def __init__(self, iterable: Iterable, steps_per_epoch: int | None = None) -> None:
        if not hasattr(iterable, "__iter__"):
            raise TypeError(f"Argument `x` must be arrays or an iterable of batches, received "
                            f"{type(iterable).__name__}.")
        self.iterable = iterable
        self.steps_per_epoch = steps_per_epoch
        self._iterator: Iterator | None = None
        self.steps: int | None = steps_per_epoch
        if steps_per_epoch is None and hasattr(iterable, "__len__"):
            self.steps = len(iterable)

    def epoch(self, epoch: int = 0) -> Iterator[tuple]:
        if self.steps_per_epoch is None:
            count = 0
            for count, batch in enumerate(self.iterable, start=1):
                yield _as_batch_tuple(batch, count - 1)
            if count == 0:
                raise ValueError(f"The iterable passed as `x` yielded no batch in epoch {epoch + 1}. A generator "
                                 f"is used up after one pass: pass `steps_per_epoch` (and make it yield "
                                 f"forever), or pass a re-iterable object such as a list.")
            return
        if self._iterator is None:
            self._iterator = iter(self.iterable)
        for step in range(self.steps_per_epoch):
            try:
                batch = next(self._iterator)
            except StopIteration:
                raise ValueError(f"The iterable passed as `x` ran out of data at epoch {epoch + 1}, step {step}: "
                                 f"it must yield at least steps_per_epoch * epochs = "
                                 f"{self.steps_per_epoch} batches per epoch.") from None
            yield _as_batch_tuple(batch, step)


def device_batch(batch: tuple) -> tuple:
    return jax.tree.map(jnp.asarray, batch)
