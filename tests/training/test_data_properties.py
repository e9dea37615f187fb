"""Properties of the data pipeline (`kerasish/training/data/`), for any sizes: pure NumPy, nothing compiles.

The data are sample ids (`x[i] == i`), so the index plans show exactly which samples each epoch trains on.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kerasish.training.data.arguments import split_validation
from kerasish.training.data.arrays import ArrayDataset, group_batches, plan_dispatches

SMALL = settings(deadline=None, max_examples=50)

samples = st.integers(1, 150)
batch_sizes = st.integers(1, 40)
splits = st.one_of(st.just(0.0), st.floats(0.01, 0.9))
executions = st.integers(1, 9)


def _split(n: int, validation_split: float):
    """The training ids and validation ids of `fit(..., validation_split=...)`, or None if the split is refused."""
    ids = np.arange(n)
    arrays = (ids, ids * 10, None)
    if not validation_split:
        return arrays, np.array([], int)
    split_at = math.floor(n * (1.0 - validation_split))
    if split_at in (0, n):
        with pytest.raises(ValueError, match=r"`validation_split`=.* leaves no (training|validation) sample out of"):
            split_validation(arrays, validation_split)
        return None
    train, val = split_validation(arrays, validation_split)
    # Keras's split: the last fraction, before shuffling; x and y stay aligned.
    np.testing.assert_array_equal(train[0], ids[:split_at])
    np.testing.assert_array_equal(val[0], ids[split_at:])
    np.testing.assert_array_equal(val[1], val[0] * 10)
    assert train[2] is None and val[2] is None
    return train, val[0]


@SMALL
@given(n=samples, batch_size=batch_sizes, validation_split=splits, k=executions, shuffle=st.booleans(),
       seed=st.integers(0, 2**31 - 1), epochs=st.integers(1, 3))
def test_every_training_sample_once_per_epoch_and_validation_samples_never(n, batch_size, validation_split, k,
                                                                           shuffle, seed, epochs):
    split = _split(n, validation_split)
    if split is None:
        return
    train, val_ids = split
    data = ArrayDataset(train, batch_size, shuffle=shuffle, seed=seed)
    n_train = len(train[0])
    shapes_by_epoch = []
    for _ in range(epochs):
        batches = data.epoch()
        assert len(batches) == data.steps == math.ceil(n_train / batch_size)
        assert all(len(b) == batch_size for b in batches[:-1]) and 1 <= len(batches[-1]) <= batch_size
        chunks = group_batches(batches, k)
        seen = train[0][np.concatenate([c.reshape(-1) for c in chunks])]
        np.testing.assert_array_equal(np.sort(seen), np.arange(n_train))  # each training sample exactly once
        assert not np.isin(seen, val_ids).any()  # validation samples never
        if not shuffle:
            np.testing.assert_array_equal(seen, np.arange(n_train))
        assert all(c.dtype == np.int32 for c in chunks)
        shapes_by_epoch.append({c.shape for c in chunks})
    assert len(shapes_by_epoch[0]) <= 3  # at most 3 programs: (k, b), a remainder (r, b), the last batch (1, b')
    assert all(shapes == shapes_by_epoch[0] for shapes in shapes_by_epoch)  # the same ones every epoch


@SMALL
@given(sizes=st.lists(st.integers(1, 5), min_size=1, max_size=30), k=executions)
def test_group_batches_keeps_the_order_and_covers_everything(sizes, k):
    batches, start = [], 0
    for size in sizes:
        batches.append(np.arange(start, start + size, dtype=np.int32))
        start += size
    chunks = group_batches(batches, k)
    assert all(c.ndim == 2 and 1 <= c.shape[0] <= k for c in chunks)
    # Chunk by chunk, the rows are the batches in their order (each chunk stacks batches of one size).
    rows = [row for c in chunks for row in c]
    assert len(rows) == len(batches)
    for row, batch in zip(rows, batches):
        np.testing.assert_array_equal(row, batch)
    # A new chunk starts only when the batch size changes or the chunk is full.
    for before, after in zip(chunks, chunks[1:]):
        assert before.shape[1] != after.shape[1] or before.shape[0] == k


@SMALL
@given(n=samples, batch_size=batch_sizes, steps_per_epoch=st.integers(1, 12), shuffle=st.booleans(),
       seed=st.integers(0, 2**31 - 1), epochs=st.integers(1, 6))
def test_with_steps_per_epoch_the_epochs_walk_through_successive_full_passes(n, batch_size, steps_per_epoch,
                                                                             shuffle, seed, epochs):
    """As Keras's epoch iterator: an epoch continues the pass where the last one stopped and ends early when the
    pass runs out (it never wraps into the next pass)."""
    data = ArrayDataset((np.arange(n), None, None), batch_size, shuffle=shuffle, seed=seed,
                        steps_per_epoch=steps_per_epoch)
    per_pass = math.ceil(n / batch_size)
    stream, position = [], 0
    for _ in range(epochs):
        batches = data.epoch()
        assert data.steps == steps_per_epoch
        assert len(batches) == min(steps_per_epoch, per_pass - position)
        position = (position + len(batches)) % per_pass
        stream.extend(batches)
    for start in range(0, len(stream) - per_pass + 1, per_pass):  # every complete pass: each sample once
        seen = np.concatenate(stream[start:start + per_pass])
        np.testing.assert_array_equal(np.sort(seen), np.arange(n))
        if not shuffle:
            np.testing.assert_array_equal(seen, np.arange(n))


@SMALL
@given(n=samples, batch_size=batch_sizes, steps_per_epoch=st.one_of(st.none(), st.integers(1, 12)),
       k=st.integers(1, 8), shuffle=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_dispatch_plans_have_at_most_two_shapes_over_all_epochs(n, batch_size, steps_per_epoch, k, shuffle, seed):
    """Whatever the epoch length or where an epoch starts (steps_per_epoch), every dispatch is (K, batch)
    or the (1, last batch) one: two compiled programs per fit, never a new one in a later epoch."""
    data = ArrayDataset((np.arange(n), None, None), batch_size, shuffle=shuffle, seed=seed,
                        steps_per_epoch=steps_per_epoch)
    shapes, seen = set(), []
    for _ in range(6):
        epoch = data.epoch()
        plan = plan_dispatches(epoch, k, min(batch_size, n))
        shapes |= {index.shape for index, _ in plan}
        rows = [row for index, valid in plan for row in index[:valid]]
        assert len(rows) == len(epoch)  # padding rows are never counted as steps
        for row, batch in zip(rows, epoch):
            np.testing.assert_array_equal(row, batch)
        seen.append(len(rows))
    full = min(batch_size, n)
    assert len(shapes) <= 2 and all(s in {(k, full), (1, full), (1, n % batch_size)} for s in shapes)
