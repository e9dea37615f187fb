"""Checks of what a user passes as data: arrays, their lengths, class weights, and targets against the losses.

Everything here runs on the host before anything compiles, so a mistake is a `ValueError` / `TypeError`
that names the argument and the value, never an XLA error from inside a compiled step.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from kerasish import losses as _losses
from kerasish.shapes import format_shape, is_shape
from kerasish.training.data.host_memory import aligned_copy
from kerasish.training.objectives import flatten_outputs


def to_array(value: Any, argument: str, copy: bool = True) -> np.ndarray:
    """Checks one array argument and returns it as float32 / int32 / bool NumPy (JAX's default widths),
    in aligned memory unless `copy=False` (then an array of the right dtype is returned as it is)."""
    if isinstance(value, jax.Array):
        value = np.asarray(value)
    if isinstance(value, np.ma.MaskedArray):
        if np.ma.getmaskarray(value).any():
            raise ValueError(f"Argument `{argument}` is a masked array with masked entries; fit, evaluate and predict "
                             f"would read the values under the mask. Fill them (`x.filled(value)`) or drop those "
                             f"samples first.")
        value = value.data
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
        array, bad = aligned_copy(array, np.float32, check_finite=True, copy=copy)
        if bad is not None:
            overflow = bool(np.isfinite(source[bad]))  # finite in float64, beyond float32's range
            raise ValueError(f"Argument `{argument}` contains NaN or infinite values (first at index {bad}"
                             + (f": {source[bad]!r} is beyond float32's range" if overflow else "")
                             + "); clean or impute the data first.")
    elif array.dtype.kind in "iu":
        if array.dtype.itemsize > 4 or array.dtype == np.uint32:  # would wrap around in int32 (JAX's width)
            low, high = array.min().item(), array.max().item()
            info = np.iinfo(np.int32)
            if low < info.min or high > info.max:
                raise ValueError(f"Argument `{argument}` holds the integer {high if high > info.max else low}, "
                                 f"outside int32's range [{info.min}, {info.max}] that kerasish computes in; it "
                                 f"would wrap around. Rescale the values, or pass floats.")
        array = aligned_copy(array, np.int32, copy=copy)[0]
    elif array.dtype.kind == "b":
        array = aligned_copy(array, np.bool_, copy=copy)[0]
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
    counts = {leaf.shape[0] for tree in trees.values() for leaf in jax.tree.leaves(tree)}
    if len(counts) == 1:  # the usual case: no names to build
        return counts.pop()
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


#: Losses computed elementwise on `y_true - y_pred`, which Keras broadcasts (the others need equal shapes).
_BROADCASTING_LOSSES = (_losses.MeanSquaredError, _losses.MeanAbsoluteError, _losses.Huber)


def _reconciled(target: tuple, output: tuple) -> tuple[tuple, tuple]:
    """Keras's `squeeze_or_expand_to_same_rank` on shapes: when the ranks differ by one and the longer ends in an
    axis of 1, that axis is squeezed (or, against a vector, the vector gets one)."""
    if len(target) == len(output) + 1 and target[-1] == 1:
        return (target, output + (1,)) if len(output) == 1 else (target[:-1], output)
    if len(output) == len(target) + 1 and output[-1] == 1:
        return (target + (1,), output) if len(target) == 1 else (target, output[:-1])
    return target, output


def _broadcast_problem(target: tuple, output: tuple, batch_size: int | None) -> str | None:
    """Why Keras's elementwise losses cannot compare batches of `target` with `output` (both with the batch axis
    first, None for unknown), or None when they can. `batch_size` None: batches of more than one sample."""
    target, output = _reconciled(target, output)
    batch = batch_size if batch_size is not None else 2
    if len(target) != len(output) and batch != 1:
        return ("targets of the output's rank: with a rank that differs, broadcasting would pair the batch axis "
                "with another axis and compare one sample's target with another sample's output")
    full_target, full_output = (batch,) + target[1:], (batch,) + output[1:]
    for t, o in zip(reversed(full_target), reversed(full_output)):  # NumPy's rule, from the trailing axis
        if t is not None and o is not None and t != o and 1 not in (t, o):
            return "shapes that broadcast against it"
    return None


def check_target(y: Any, loss: Any, output_shape: tuple | None, argument: str = "y",
                 batch_size: int | None = None) -> None:
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
      batch_size: the samples per batch the loss will see (None: the samples of `y`, a batch of its own).
        Mean squared / absolute error and Huber broadcast targets against outputs, as Keras does; a target whose
        rank differs from the output's then broadcasts only in batches of one sample (Keras's own
        `EarlyStopping` example: targets `(5,)`, outputs `(5, 10)`, batch size 1).

    Raises:
      ValueError: naming the argument, the shape or value received and what the loss accepts.

    Example:
      >>> loss = _losses.SparseCategoricalCrossentropy()
      >>> check_target(np.array([0, 3]), loss, (None, 3))  # doctest: +ELLIPSIS
      Traceback (most recent call last):
      ...
      ValueError: Argument `y` holds the class id 3, but ... accepts class ids in [0, 3) (0 to 2). ...
    """
    config = loss.get_config() if type(loss) in _CHECKED_LOSSES else {}
    if y is None or output_shape is None or type(loss) not in _CHECKED_LOSSES or config.get("axis", -1) != -1:
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
        ignore = config.get("ignore_class")
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
    if isinstance(loss, _BROADCASTING_LOSSES):
        problem = _broadcast_problem(target, output, np.shape(y)[0] if batch_size is None else batch_size)
        if problem is not None:
            raise ValueError(shown + problem + ".")
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


def check_targets(y: Any, objectives: Any, argument: str = "y", batch_size: int | None = None,
                  other_input_shape: bool = False) -> None:
    """`check_target` for every output of `objectives` (a `training.objectives.Objectives`), in batches of
    `batch_size` samples (None: `y` is one batch). `other_input_shape`: the batch's inputs differ from the first
    batch's beyond the batch axis (variable-length sequences), so only the outputs' last axis is known."""
    if y is None or objectives is None:
        return
    names = objectives.output_names
    for name, target, loss, shape in zip(names, flatten_outputs(y, names), objectives.losses,
                                         objectives.y_pred_shapes):
        if other_input_shape and shape is not None and len(shape) > 2:
            shape = (None,) * (len(shape) - 1) + tuple(shape[-1:])
        check_target(target, loss, shape, argument if len(names) == 1 else f"{argument}[{name!r}]", batch_size)


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
