"""`kerasish/training/data/arrays.py`: the whole-pass index plan computed with array operations (`plan_pass`) and
the device copies of small arrays kept between calls (`resident_copy`). Nothing here compiles a model."""

from __future__ import annotations

import gc

import jax
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kerasish.training.data import arrays
from kerasish.training.data.arrays import ArrayDataset, plan_dispatches, plan_pass, resident_copy


@settings(deadline=None, max_examples=150)
@given(n=st.integers(1, 300), batch_size=st.integers(1, 70), k=st.integers(1, 70), pad_rows=st.booleans(),
       bucketed=st.booleans(), seed=st.integers(0, 1000))
def test_plan_pass_is_plan_dispatches_of_the_pass(n, batch_size, k, pad_rows, bucketed, seed):
    order = np.random.default_rng(seed).permutation(n).astype(np.int32)
    full = batch_size if bucketed and pad_rows else min(batch_size, n)
    want = plan_dispatches([order[i:i + batch_size] for i in range(0, n, batch_size)], k, full, pad_rows)
    got = plan_pass(order, batch_size, k, full, pad_rows)
    assert len(got) == len(want)
    for (index, valid), (want_index, want_valid) in zip(got, want):
        assert index.dtype == want_index.dtype == np.int32 and index.shape == want_index.shape
        np.testing.assert_array_equal(index, want_index)
        assert type(valid) is type(want_valid) and valid == want_valid


def test_a_dataset_draws_the_same_orders_as_before():
    """The whole-pass plan consumes the shuffling generator as the batch-by-batch one did: the same seed gives the
    orders `epoch()` gives."""
    data = (np.arange(50, dtype=np.float32)[:, None], None, None)
    fast, slow = ArrayDataset(data, 8, shuffle=True, seed=3), ArrayDataset(data, 8, shuffle=True, seed=3)
    for _ in range(3):
        planned = np.concatenate([index[:int(valid)].reshape(-1) for index, valid in fast.plan(4, pad_rows=True)])
        np.testing.assert_array_equal(planned[planned >= 0], np.concatenate(slow.epoch()))


def test_a_small_array_keeps_its_device_copy_while_unchanged():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    first = resident_copy(x)
    assert resident_copy(x) is first
    x[1, 1] = -5.0  # changed in place: a new copy with the new values
    second = resident_copy(x)
    assert second is not first and float(second[1, 1]) == -5.0
    np.testing.assert_array_equal(np.asarray(first), np.arange(12, dtype=np.float32).reshape(4, 3))
    assert resident_copy(x.copy()) is not second  # equal values in another array: not the same entry


def test_a_large_array_is_copied_every_time_and_entries_leave_with_their_array():
    large = np.zeros(arrays.RESIDENT_COPY_BYTES // 4 + 1, np.float32)
    assert resident_copy(large) is not resident_copy(large)
    small = np.ones(3, np.float32)
    resident_copy(small)
    key = id(small)
    assert key in arrays._resident_copies
    del small
    gc.collect()
    assert key not in arrays._resident_copies
    assert isinstance(resident_copy(np.ones(2, np.int32)), jax.Array)
