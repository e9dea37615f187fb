"""Tests for kerasish.datasets.idx: read_idx / write_idx on files written byte by byte."""

import gzip
import struct

import numpy as np
import pytest

from kerasish.datasets import read_idx, write_idx
from tests.datasets.idx_files import idx_bytes, write_file


def test_idx_magic_numbers_match_the_format():
    assert struct.unpack(">I", idx_bytes(np.zeros((1, 2, 2), np.uint8))[:4])[0] == 2051
    assert struct.unpack(">I", idx_bytes(np.zeros(1, np.uint8))[:4])[0] == 2049


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_read_idx_images_and_labels(tmp_path, gz):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    labels = np.array([3, 1], np.uint8)
    images_path = write_file(tmp_path / "img-idx3-ubyte", idx_bytes(images), gz)
    labels_path = write_file(tmp_path / "lab-idx1-ubyte", idx_bytes(labels), gz)
    got = read_idx(images_path, expected_magic=2051)
    np.testing.assert_array_equal(got, images)
    assert got.dtype == np.uint8 and got.flags.writeable
    np.testing.assert_array_equal(read_idx(str(labels_path), expected_magic=2049), labels)


@pytest.mark.parametrize(
    ("dtype", "type_byte"),
    [(np.int8, 0x09), (np.int16, 0x0B), (np.int32, 0x0C), (np.float32, 0x0D), (np.float64, 0x0E)],
)
def test_read_idx_big_endian_types(tmp_path, dtype, type_byte):
    array = (np.arange(6).reshape(2, 3) * 37 - 100).astype(dtype)
    path = write_file(tmp_path / "x-idx", idx_bytes(array, type_byte), gz=False)
    got = read_idx(path)
    np.testing.assert_array_equal(got, array)
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative


@pytest.mark.parametrize("name", ["a-idx", "a-idx.gz"])
@pytest.mark.parametrize(
    ("dtype", "type_byte"),
    [
        (np.uint8, 0x08),
        (np.int8, 0x09),
        (np.int16, 0x0B),
        (np.int32, 0x0C),
        (np.float32, 0x0D),
        (np.float64, 0x0E),
    ],
)
def test_write_idx_round_trip(tmp_path, name, dtype, type_byte):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    write_idx(tmp_path / name, array)
    # The bytes (decompressed) are exactly the format's, not just readable by read_idx.
    data = (tmp_path / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    assert data == idx_bytes(array, type_byte)
    np.testing.assert_array_equal(read_idx(tmp_path / name), array)


def test_write_idx_rejects_bad_arrays(tmp_path):
    with pytest.raises(
        TypeError, match=r"`array` has dtype bool, which IDX cannot store; accepted dtypes: uint8"
    ):
        write_idx(tmp_path / "x", np.zeros(3, bool))
    with pytest.raises(ValueError, match=r"`array` must have 1 to 255 dimensions, but received shape \(\)"):
        write_idx(tmp_path / "x", np.uint8(3))


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00", r"is truncated: it holds 2 bytes, fewer than the 4-byte magic number"),
        (
            b"\x00\x00\x08\x03\x00\x00\x00\x02",
            r"is truncated: its header declares 3 dimensions \(16 header bytes\)",
        ),
        (
            idx_bytes(np.zeros((2, 2, 2), np.uint8))[:-1],
            r"is truncated: its header declares shape \(2, 2, 2\) of uint8, i\.e\. 24 bytes in all, but the "
            r"file holds 23 bytes",
        ),
        (idx_bytes(np.zeros(2, np.uint8)) + b"\x00", r"is corrupt \(has trailing bytes\)"),
        (b"P5\n28 28\n255\n" + bytes(16), r"is not an IDX file: its magic number is \d+ \(0x50350a32\)"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x00", r"is not an IDX file"),
        (b"\x00\x00\x08\x00", r"is not an IDX file"),
    ],
    ids=["short-magic", "short-header", "short-data", "trailing", "not-idx", "bad-type", "zero-dims"],
)
def test_read_idx_corrupt_file_names_the_file(tmp_path, data, message):
    path = write_file(tmp_path / "bad-idx3-ubyte", data, gz=False)
    with pytest.raises(ValueError, match=r"IDX file '.*bad-idx3-ubyte' " + message):
        read_idx(path)


def test_read_idx_wrong_magic(tmp_path):
    path = write_file(tmp_path / "labels", idx_bytes(np.zeros(3, np.uint8)), gz=False)
    with pytest.raises(ValueError, match=r"'.*labels' has magic number 2049, but 2051 was expected"):
        read_idx(path, expected_magic=2051)


def test_read_idx_truncated_gzip(tmp_path):
    path = write_file(tmp_path / "img", idx_bytes(np.arange(100, dtype=np.uint8)), gz=True)
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(ValueError, match=r"IDX file '.*img\.gz' is a corrupt or truncated gzip file"):
        read_idx(path)
