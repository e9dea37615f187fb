"""`training.checks.to_array`: what fit / evaluate / predict make of a NumPy argument before it goes to the device."""

import jax
import numpy as np
import pytest

import kerasish as ks
from kerasish.training.data import arrays, checks, host_memory


def _unaligned(array: np.ndarray, offset: int = 16) -> np.ndarray:
    """A copy of `array` at an address `offset` bytes past a 64-byte boundary (NumPy's large arrays lie 16 or 32
    bytes past one)."""
    buffer = np.empty(array.nbytes + 128, np.uint8)
    start = (-buffer.ctypes.data % 64) + offset
    out = buffer[start:start + array.nbytes].view(array.dtype).reshape(array.shape)
    out[...] = array
    return out


@pytest.mark.parametrize("source", [
    lambda a: _unaligned(a),                       # copied into aligned memory
    lambda a: _unaligned(a.astype(np.float64)),    # converted
    lambda a: np.asfortranarray(a),                # not C-contiguous
    lambda a: a[:, ::-1],                          # a strided view
], ids=["unaligned", "float64", "fortran", "strided"])
def test_arrays_come_out_aligned_contiguous_and_equal(source):
    values = np.random.default_rng(0).normal(size=(300, 70)).astype(np.float32)
    given = source(values)
    out = checks.to_array(given, "x")
    assert out.dtype == np.float32 and out.flags.c_contiguous and out.ctypes.data % 64 == 0
    np.testing.assert_array_equal(out, given.astype(np.float32))
    np.testing.assert_array_equal(np.asarray(jax.device_put(out)), out)


def test_an_aligned_float32_array_is_used_as_it_is():
    aligned = checks.to_array(_unaligned(np.ones((4, 3), np.float32)), "x")
    assert checks.to_array(aligned, "x") is aligned


@pytest.mark.parametrize("index", [(0, 0), (70_000, 3), (99_999, 9)])  # first, a later slice, the last value
def test_the_first_non_finite_value_is_found_in_any_slice(index):
    values = np.zeros((100_000, 10), np.float32)
    values[index] = np.nan
    values[-1, -1] = np.inf
    with pytest.raises(ValueError, match=rf"Argument `x` contains NaN or infinite values \(first at index "
                                         rf"\({index[0]}, {index[1]}\)\)"):
        checks.to_array(_unaligned(values), "x")


def test_float64_beyond_float32_range_is_named():
    values = np.ones((5, 2))
    values[3, 1] = 1e300
    with pytest.raises(ValueError, match=r"first at index \(3, 1\): np.float64\(1e\+300\) is beyond float32's range"):
        checks.to_array(values, "x")


def test_the_copies_of_a_finished_call_are_freed_before_the_next_call_copies(seeded, blobs, monkeypatch):
    """JAX lets go of memory a zero-copy device_put borrowed only at a garbage-collection pass: without
    `free_released_copies`, one call's copy of the data would still be alive when the next makes its own. (Small
    arrays keep one device copy between calls instead, `arrays.resident_copy`: the blobs are treated as large.)"""
    from tests.conftest import mlp
    monkeypatch.setattr(arrays, "RESIDENT_COPY_BYTES", 0)
    x, y = blobs
    x64 = x.astype(np.float64)  # converted to float32: a copy
    model = mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    for call in (lambda: model.fit(x64, y, epochs=1, verbose=0, validation_split=0.25),
                 lambda: model.evaluate(x64, y, verbose=0), lambda: model.predict(x64, verbose=0)):
        before = set(host_memory._copies.keys())
        call()
        made = set(host_memory._copies.keys()) - before
        assert made
        host_memory.free_released_copies()
        assert not made & set(host_memory._copies.keys())


@pytest.mark.parametrize("in_place", [True, False], ids=["xla-cpu", "accelerator"])
def test_evaluate_and_predict_match_the_model_read_in_place_or_streamed(seeded, blobs, monkeypatch, in_place):
    """On XLA:CPU evaluate / predict read the arrays where they lie. Elsewhere they copy each dispatch's rows to
    the device as they go (no copy of the whole data): in order (forced here on the CPU). `steps` past the end of
    the data stops where the data runs out, as in Keras 3 (its value checked against Keras's rule)."""
    from tests.conftest import mlp
    monkeypatch.setattr(arrays, "reads_host_in_place", lambda: in_place)
    x, y = blobs  # 96 samples
    model = mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=2)
    expected = np.asarray(model(x))
    np.testing.assert_allclose(model.predict(_unaligned(x), batch_size=40, verbose=0), expected, rtol=1e-6, atol=1e-7)
    per_row = -np.log(np.clip(expected[np.arange(96), y].astype(np.float64), 1e-7, 1 - 1e-7))
    correct = (expected.argmax(1) == y).astype(np.float64)
    loss, accuracy = model.evaluate(x, y, batch_size=40, verbose=0)
    assert loss == pytest.approx(per_row.mean(), rel=1e-6) and accuracy == pytest.approx(correct.mean())
    # steps=4 over batches of 40: rows 0-39, 40-79 | 80-95, and the data has run out: Keras 3 stops there too
    rows = np.r_[0:96]
    loss, accuracy = model.evaluate(x, y, batch_size=40, steps=4, verbose=0)
    assert loss == pytest.approx(per_row[rows].mean(), rel=1e-6) and accuracy == pytest.approx(correct[rows].mean())


@pytest.mark.parametrize("shuffle", [True, False], ids=["shuffled", "in-order"])
def test_training_data_too_large_for_the_device_is_streamed_with_the_same_results(blobs, monkeypatch, shuffle):
    """On an accelerator, training data larger than `RESIDENT_SHARE` of the free memory is copied to it one
    dispatch at a time (forced here on the CPU by a device with 1 kB free): the same History and weights as
    resident data, one program for every full dispatch, and no whole copy of the data on the device."""
    from tests.conftest import mlp
    monkeypatch.setattr(arrays, "reads_host_in_place", lambda: False)
    x, y = blobs
    runs = []
    for room in (None, 1000):
        monkeypatch.setattr(host_memory, "device_room", lambda room=room: room)
        ks.utils.set_random_seed(4)
        model = mlp(dropout=0.2)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      steps_per_execution=2)
        made, init = [], arrays.ArrayDataset.__init__
        with monkeypatch.context() as patch:
            patch.setattr(arrays.ArrayDataset, "__init__",
                          lambda self, *a, init=init, made=made, **k: init(self, *a, **k) or made.append(self))
            history = model.fit(x, y, batch_size=10, epochs=3, shuffle=shuffle, validation_split=0.25, verbose=0)
        runs.append((history.history, model.get_weights(), model._training.engine.train_chunk._cache_size()))
        assert made and made[0].streamed == (room is not None)
    (resident, resident_weights, _), (streamed, streamed_weights, programs) = runs
    assert streamed == resident  # 72 training samples: 3 dispatches of 2 x 10 and a padded one of 10 + 2
    for a, b in zip(streamed_weights, resident_weights):
        np.testing.assert_array_equal(a, b)
    assert programs == 1


def test_the_room_on_the_device_is_the_fullest_devices_free_memory(monkeypatch):
    class Device:
        def __init__(self, stats):
            self.stats = stats

        def memory_stats(self):
            return self.stats

    gpus = [Device({"bytes_limit": 100, "bytes_in_use": 30}), Device({"bytes_limit": 100, "bytes_in_use": 60})]
    monkeypatch.setattr(jax, "local_devices", lambda: gpus)
    assert host_memory.device_room() == 40
    assert host_memory.fits_on_device(20) and not host_memory.fits_on_device(21)  # RESIDENT_SHARE = 0.5
    monkeypatch.setattr(jax, "local_devices", lambda: gpus + [Device(None)])  # a runtime that does not say
    assert host_memory.device_room() is None and host_memory.fits_on_device(10 ** 15)


# -- BorrowedRows: large arrays read in place by XLA:CPU -------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.bool_])
@pytest.mark.parametrize("offset", [0, 4, 32, 60])  # bytes past a 64-byte boundary
@pytest.mark.parametrize("row_shape", [(), (3,), (5, 7)])
def test_borrowed_rows_give_what_indexing_gives_without_copying(monkeypatch, dtype, offset, row_shape):
    monkeypatch.setattr(host_memory, "BORROW_BYTES", 0)
    rng = np.random.default_rng(offset)
    n = 150  # more than the 2 x 64 edge rows of a bool vector
    values = _unaligned(rng.integers(0, 1000, (n,) + row_shape).astype(dtype), offset)
    assert values.ctypes.data % 64 == offset and host_memory.BorrowedRows.fits(values)
    borrowed = jax.device_put(host_memory.BorrowedRows.of(values))
    # the device array is the host memory from the first aligned address on, not a copy
    skip = -offset % 64 // values.itemsize
    assert borrowed.flat.unsafe_buffer_pointer() == values.ctypes.data + skip * values.itemsize
    index = np.concatenate([rng.permutation(n), [0, n - 1, 1, n - 2]]).astype(np.int32).reshape(2, -1)
    taken = jax.jit(host_memory.take_rows)(borrowed, index)
    assert taken.dtype == values.dtype and taken.shape == index.shape + row_shape
    np.testing.assert_array_equal(np.asarray(taken), values[index])


def test_small_odd_or_huge_arrays_are_not_borrowed(monkeypatch):
    large = np.zeros((300_000,), np.float32)  # 1.2 MB
    assert host_memory.BorrowedRows.fits(large)
    assert not host_memory.BorrowedRows.fits(large[:1000])  # under BORROW_BYTES: copied, cheaply
    assert not host_memory.BorrowedRows.fits(np.zeros((1000, 300), np.float32)[:, ::2])  # not C-contiguous
    not_a_multiple_of_4_bytes = large.view(np.uint8)[1:-3].view(np.float32)
    assert not host_memory.BorrowedRows.fits(not_a_multiple_of_4_bytes)
    monkeypatch.setattr(host_memory, "BORROW_BYTES", 0)
    assert not host_memory.BorrowedRows.fits(np.zeros((30,), np.float32))  # no room between the 2 x 16 edge values


def test_fit_evaluate_predict_read_large_arrays_in_place_with_the_same_results_and_programs(blobs, monkeypatch):
    """The same History, evaluation and predictions whether the data is borrowed or copied to the device;
    borrowing at another address compiles nothing new."""
    from tests.conftest import mlp
    x, y = blobs

    def run(borrow_bytes, offset, model=None):
        monkeypatch.setattr(host_memory, "BORROW_BYTES", borrow_bytes)
        if model is None:
            ks.utils.set_random_seed(0)
            model = mlp(dropout=0.25)
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(_unaligned(x, offset), _unaligned(y, offset), batch_size=16, epochs=2, verbose=0,
                            validation_split=0.25, shuffle=True)
        return model, (history.history, model.evaluate(_unaligned(x, offset), y, batch_size=40, verbose=0),
                       model.predict(_unaligned(x, offset), batch_size=40, verbose=0))

    made = []
    of = host_memory.BorrowedRows.of
    monkeypatch.setattr(host_memory.BorrowedRows, "of", lambda array: made.append(array.shape) or of(array))
    _, copied = run(1 << 40, 16)
    assert not made
    model, borrowed = run(0, 16)
    # fit: x and y of the training part, x of the validation part (its 24 labels are too few); evaluate, predict
    assert made == [(72, 4), (72,), (24, 4), (96, 4), (96,), (96, 4)]
    assert borrowed[0] == copied[0] and borrowed[1] == copied[1]
    np.testing.assert_array_equal(borrowed[2], copied[2])
    programs = model.compiled_programs()
    run(0, 48, model)
    assert model.compiled_programs() == programs
