"""kerasish.data.dataset: the TensorFlow-free Dataset of NumPy batches, and `fit` taking one directly.

The expected values are written out from tf.data's documented semantics (slicing, batching, take/skip
counts, cardinality codes), with NumPy doing the arithmetic, never the Dataset under test.
"""

import threading

import numpy as np
import pytest

import kerasish as ks
from kerasish.data.dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from tests.conftest import mlp


@pytest.fixture
def rows():
    rng = np.random.default_rng(0)
    return rng.normal(size=(10, 3)).astype("float32"), np.arange(10, dtype="int32")


def test_from_tensor_slices_batches_like_tf(rows):
    x, y = rows
    ds = Dataset.from_tensor_slices((x, y))
    assert len(ds) == ds.cardinality() == 10 and ds.batch_size is None
    element = next(iter(ds))
    np.testing.assert_array_equal(element[0], x[0])
    batched = ds.batch(4)
    assert len(batched) == 3 and batched.batch_size == 4
    got = list(batched)
    for batch, start in zip(got, (0, 4, 8)):
        np.testing.assert_array_equal(batch[0], x[start:start + 4])
        np.testing.assert_array_equal(batch[1], y[start:start + 4])
    assert [len(b[1]) for b in ds.batch(4, drop_remainder=True)] == [4, 4]
    assert len(ds.batch(4, drop_remainder=True)) == 2
    as_dict = Dataset.from_tensor_slices({"a": x, "b": y}).batch(3)
    assert sorted(next(iter(as_dict))) == ["a", "b"] and next(iter(as_dict))["a"].shape == (3, 3)


def test_each_pass_is_an_epoch_reshuffled_with_a_seed():
    table = np.arange(20)
    ds = Dataset.from_rows(20, lambda r: table[r], shuffle=True, seed=4).batch(5)
    first, second = np.concatenate(list(ds)), np.concatenate(list(ds))
    assert sorted(first) == sorted(second) == list(range(20)) and not np.array_equal(first, second)
    again = Dataset.from_rows(20, lambda r: table[r], shuffle=True, seed=4).batch(5)
    np.testing.assert_array_equal(np.concatenate(list(again)), first)
    fixed = Dataset.from_rows(20, lambda r: table[r], shuffle=True, seed=4, reshuffle_each_iteration=False)
    assert [int(v) for v in fixed] == [int(v) for v in fixed] != list(range(20))


def test_transformations_and_their_cardinality(rows):
    x, y = rows
    ds = Dataset.from_tensor_slices((x, y))
    assert [int(b) for _, b in ds.take(3)] == [0, 1, 2] and len(ds.take(3)) == 3 and len(ds.take(-1)) == 10
    assert [int(b) for _, b in ds.skip(7)] == [7, 8, 9] and len(ds.skip(7)) == 3 and len(ds.skip(-1)) == 0
    assert [int(b) for b in ds.map(lambda a, b: b * 2)] == list(range(0, 20, 2))
    assert [int(b) for b in ds.map(lambda a, b: b + 1, num_parallel_calls=AUTOTUNE)] == list(range(1, 11))
    assert ds.map(lambda a, b: b).cardinality() == 10
    unbatched = ds.batch(3).unbatch()
    assert unbatched.cardinality() == UNKNOWN_CARDINALITY
    assert [int(b) for _, b in unbatched] == list(range(10))
    kept = ds.filter(lambda a, b: b % 3 == 0)
    assert kept.cardinality() == UNKNOWN_CARDINALITY and [int(b) for _, b in kept] == [0, 3, 6, 9]
    with pytest.raises(TypeError, match=r"The dataset length is unknown \(cardinality\(\) is -2\)"):
        len(kept)
    assert bool(kept)  # truthiness does not ask for a length
    forever = ds.repeat()
    assert forever.cardinality() == INFINITE_CARDINALITY and ds.repeat(3).cardinality() == 30
    assert [int(b) for _, b in forever.take(12)][10:] == [0, 1] and forever.take(12).cardinality() == 12
    with pytest.raises(TypeError, match=r"The dataset is infinite \(cardinality\(\) is -1\)"):
        len(forever)
    assert [int(b) for _, b in ds.repeat(2)] == list(range(10)) * 2


def test_shuffle_buffer_cache_prefetch_and_numpy_iterator(rows):
    x, y = rows
    ds = Dataset.from_tensor_slices(y)
    full = [int(v) for v in ds.shuffle(buffer_size=10, seed=1)]
    assert sorted(full) == list(range(10)) and full != list(range(10))
    assert [int(v) for v in ds.shuffle(10, seed=1)] == full  # same seed, same first pass
    small = [int(v) for v in ds.shuffle(buffer_size=2, seed=0)]
    assert sorted(small) == list(range(10)) and all(v <= i + 1 for i, v in enumerate(small))  # a 2-element buffer
    frozen = ds.shuffle(10, seed=2, reshuffle_each_iteration=False)
    assert list(map(int, frozen)) == list(map(int, frozen))
    calls = []
    cached = ds.map(lambda v: calls.append(int(v)) or v).cache()
    assert list(map(int, cached)) == list(map(int, cached)) == list(range(10)) and calls == list(range(10))
    before = set(threading.enumerate())
    prefetched = ds.map(lambda v: v * 3).prefetch(2)
    assert [int(v) for v in prefetched] == list(range(0, 30, 3)) and len(prefetched) == 10
    assert [int(v) for v in ds.prefetch(AUTOTUNE).take(2)] == [0, 1]
    assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []
    jax_values = ds.map(lambda v: ks.backend.convert_to_tensor(v)).as_numpy_iterator()
    assert all(isinstance(v, np.ndarray) for v in jax_values)


def test_argument_errors(rows):
    ds = Dataset.from_tensor_slices(rows[1])
    with pytest.raises(ValueError, match=r"`batch_size` of Dataset.batch must be an int >= 1, received 0"):
        ds.batch(0)
    with pytest.raises(TypeError, match=r"`drop_remainder` of Dataset.batch must be True or False, received 1"):
        ds.batch(2, drop_remainder=1)
    with pytest.raises(ValueError, match=r"`count` of Dataset.take must be an int >= -1 \(-1: all\), received -2"):
        ds.take(-2)
    with pytest.raises(ValueError, match=r"`buffer_size` of Dataset.shuffle must be an int >= 1, received 0"):
        ds.shuffle(0)
    with pytest.raises(ValueError, match=r"`num_parallel_calls` of Dataset.map must be an int >= 1, received 0"):
        ds.map(abs, num_parallel_calls=0)
    with pytest.raises(TypeError, match=r"`map_func` of Dataset.map must be callable, received 3"):
        ds.map(3)
    with pytest.raises(TypeError, match=r"`predicate` of Dataset.filter must be callable"):
        ds.filter(None)
    with pytest.raises(ValueError, match=r"`filename` of Dataset.cache must be ''.*received 'cache.bin'"):
        ds.cache("cache.bin")
    with pytest.raises(ValueError, match=r"`buffer_size` of Dataset.prefetch must be an int >= 1, received 0"):
        ds.prefetch(0)
    with pytest.raises(ValueError, match=r"`tensors` of Dataset.from_tensor_slices must hold arrays with the same "
                                         r"first axis.*\[\(3,\), \(4,\)\]"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match=r"`count` of Dataset.from_rows must be an int >= 0, received -1"):
        Dataset.from_rows(-1, lambda r: r)
    with pytest.raises(ValueError, match=r"Dataset.unbatch needs elements whose every array has the same first axis"):
        list(Dataset.from_tensor_slices((np.zeros((2, 3)), np.zeros((2, 4)))).unbatch())


def test_fit_takes_a_dataset_directly(blobs):
    """The same batches as arrays with shuffle=False: the same History."""
    x, y = blobs
    histories = []
    for data in ({"x": x, "y": y}, {"x": Dataset.from_tensor_slices((x, y)).batch(16)}):
        ks.utils.set_random_seed(0)
        model = mlp()
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        histories.append(model.fit(**data, batch_size=16 if "y" in data else None, epochs=2, shuffle=False,
                                   verbose=0).history["loss"])
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)


def test_batches_have_the_eager_tensor_numpy_method(rows):
    """As a program written for tf.data reads a batch: `inputs.numpy().shape`, `images[i].numpy()`."""
    x, y = rows
    inputs, targets = next(iter(Dataset.from_tensor_slices((x, y)).batch(4).take(1)))
    assert inputs.numpy().shape == (4, 3) and type(inputs.numpy()) is np.ndarray
    np.testing.assert_array_equal(inputs[1].numpy(), x[1])
    assert int(targets[2]) == 2
    plain = next(Dataset.from_tensor_slices((x, y)).batch(4).as_numpy_iterator())
    assert type(plain[0]) is np.ndarray
