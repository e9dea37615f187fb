"""`training.data.to_array`: what fit / evaluate / predict make of a NumPy argument before it goes to the device."""

import jax
import numpy as np
import pytest

from kerasish.training import data


def _unaligned(array: np.ndarray) -> np.ndarray:
    """A copy of `array` at an address 16 bytes past a 64-byte boundary (where NumPy's large arrays lie)."""
    buffer = np.empty(array.nbytes + 128, np.uint8)
    start = (-buffer.ctypes.data % 64) + 16
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
    out = data.to_array(given, "x")
    assert out.dtype == np.float32 and out.flags.c_contiguous and out.ctypes.data % 64 == 0
    np.testing.assert_array_equal(out, given.astype(np.float32))
    np.testing.assert_array_equal(np.asarray(jax.device_put(out)), out)


def test_an_aligned_float32_array_is_used_as_it_is():
    aligned = data.to_array(_unaligned(np.ones((4, 3), np.float32)), "x")
    assert data.to_array(aligned, "x") is aligned


@pytest.mark.parametrize("index", [(0, 0), (70_000, 3), (99_999, 9)])  # first, a later slice, the last value
def test_the_first_non_finite_value_is_found_in_any_slice(index):
    values = np.zeros((100_000, 10), np.float32)
    values[index] = np.nan
    values[-1, -1] = np.inf
    with pytest.raises(ValueError, match=rf"Argument `x` contains NaN or infinite values \(first at index "
                                         rf"\({index[0]}, {index[1]}\)\)"):
        data.to_array(_unaligned(values), "x")


def test_float64_beyond_float32_range_is_named():
    values = np.ones((5, 2))
    values[3, 1] = 1e300
    with pytest.raises(ValueError, match=r"first at index \(3, 1\): np.float64\(1e\+300\) is beyond float32's range"):
        data.to_array(values, "x")


def test_the_copies_of_a_finished_call_are_freed_before_the_next_call_copies(seeded, blobs):
    """JAX lets go of memory a zero-copy device_put borrowed only at a garbage-collection pass: without
    `free_released_copies`, one call's copy of the data would still be alive when the next makes its own."""
    from tests.conftest import mlp
    x, y = blobs
    model = mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    for call in (lambda: model.fit(_unaligned(x), y, epochs=1, verbose=0, validation_split=0.25),
                 lambda: model.evaluate(_unaligned(x), y, verbose=0), lambda: model.predict(_unaligned(x), verbose=0)):
        before = set(data._copies.keys())
        call()
        made = set(data._copies.keys()) - before
        assert made  # the unaligned x was copied (and the validation part too, for fit)
        data.free_released_copies()
        assert not made & set(data._copies.keys())


def test_evaluate_and_predict_stream_each_dispatch_and_match_the_model(seeded, blobs):
    """evaluate / predict copy each dispatch's rows to the device as they go (no copy of the whole data):
    in order, and row by row where `steps` runs past the end of the data and wraps around."""
    from tests.conftest import mlp
    x, y = blobs  # 96 samples
    model = mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=2)
    expected = np.asarray(model(x))
    np.testing.assert_allclose(model.predict(_unaligned(x), batch_size=40, verbose=0), expected, rtol=1e-6, atol=1e-7)
    per_row = -np.log(np.clip(expected[np.arange(96), y].astype(np.float64), 1e-7, 1 - 1e-7))
    correct = (expected.argmax(1) == y).astype(np.float64)
    loss, accuracy = model.evaluate(x, y, batch_size=40, verbose=0)
    assert loss == pytest.approx(per_row.mean(), rel=1e-6) and accuracy == pytest.approx(correct.mean())
    # steps=4 over batches of 40: rows 0-39, 40-79 | 80-95, 0-39: the second dispatch spans more rows than it
    # holds (96 > 2 x 40), so its rows are gathered one by one
    rows = np.r_[0:96, 0:40]
    loss, accuracy = model.evaluate(x, y, batch_size=40, steps=4, verbose=0)
    assert loss == pytest.approx(per_row[rows].mean(), rel=1e-6) and accuracy == pytest.approx(correct[rows].mean())
