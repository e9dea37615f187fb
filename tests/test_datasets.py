"""Tests for kerasish.datasets: the sklearn-backed splits and the IDX / Fashion-MNIST reader.

The IDX files are written here byte by byte with `struct`, independently of `write_idx`, so the reader is
checked against the format itself rather than against its own writer.
"""

import gzip
import re
import struct

import numpy as np
import pytest
import sklearn.datasets

from kerasish.datasets import (
    fashion_mnist,
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    read_idx,
    write_idx,
)

# loader, samples, features, classes
TABULAR = [
    (load_iris, 150, 4, 3),
    (load_breast_cancer, 569, 30, 2),
    (load_wine, 178, 13, 3),
]
TABULAR_IDS = ["iris", "breast_cancer", "wine"]
ALL_LOADERS = [load_digits, load_iris, load_breast_cancer, load_wine]


# ---------------------------------------------------------------------------------------------------------
# sklearn-backed loaders
# ---------------------------------------------------------------------------------------------------------


def test_digits_shapes_dtypes_and_range():
    (x_train, y_train), (x_test, y_test) = load_digits()
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int32
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert sorted(np.unique(y_train)) == list(range(10)) == sorted(np.unique(y_test))


def test_digits_unnormalized_and_unflattened():
    (x_train, _), (x_test, _) = load_digits(normalize=False, flatten=False)
    assert x_train.shape == (1437, 8, 8, 1) and x_test.shape == (360, 8, 8, 1)
    assert x_train.dtype == np.float32
    assert x_train.max() == 16.0
    # Normalizing only rescales: the same seed gives the same samples, divided by 16.
    (x_norm, _), _ = load_digits(normalize=True, flatten=False)
    np.testing.assert_array_equal(x_norm, x_train / 16.0)


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=["digits", *TABULAR_IDS])
def test_same_seed_same_split_other_seed_other_split(loader):
    (a_x, a_y), (a_xt, a_yt) = loader(seed=3)
    (b_x, b_y), (b_xt, b_yt) = loader(seed=3)
    for a, b in [(a_x, b_x), (a_y, b_y), (a_xt, b_xt), (a_yt, b_yt)]:
        np.testing.assert_array_equal(a, b)
    (c_x, _), _ = loader(seed=4)
    assert not np.array_equal(a_x, c_x)


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=["digits", *TABULAR_IDS])
@pytest.mark.parametrize("test_size", [0.2, 0.5])
def test_split_is_stratified_and_disjoint(loader, test_size):
    kwargs = {"normalize": False} if loader is load_digits else {"standardize": False}
    (x_train, y_train), (x_test, y_test) = loader(test_size=test_size, seed=0, **kwargs)
    y_all = np.concatenate([y_train, y_test])
    n = len(y_all)
    assert len(y_test) == int(np.ceil(test_size * n))
    for label, total in zip(*np.unique(y_all, return_counts=True), strict=True):
        # Each class keeps its share of the test split, up to rounding.
        assert abs(np.sum(y_test == label) - test_size * total) <= 1
    # The two splits together hold every sample exactly once (as a multiset: iris has a duplicate row).
    original = getattr(sklearn.datasets, loader.__name__)().data.astype(np.float32)
    both = np.concatenate([x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)])
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, original.tolist()))


@pytest.mark.parametrize(("loader", "n", "d", "k"), TABULAR, ids=TABULAR_IDS)
def test_tabular_shapes_dtypes_and_labels(loader, n, d, k):
    (x_train, y_train), (x_test, y_test) = loader()
    n_test = int(np.ceil(0.2 * n))
    assert x_train.shape == (n - n_test, d) and x_test.shape == (n_test, d)
    assert x_train.dtype == x_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int32
    assert set(np.unique(y_train)) == set(np.unique(y_test)) == set(range(k))


def test_breast_cancer_labels_are_binary():
    (_, y_train), (_, y_test) = load_breast_cancer()
    assert set(np.unique(np.concatenate([y_train, y_test])).tolist()) == {0, 1}


@pytest.mark.parametrize(("loader", "n", "d", "k"), TABULAR, ids=TABULAR_IDS)
def test_standardize_uses_train_statistics(loader, n, d, k):
    (raw_train, _), (raw_test, _) = loader(seed=1, standardize=False)
    (x_train, _), (x_test, _) = loader(seed=1, standardize=True)
    np.testing.assert_allclose(x_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(x_train.std(axis=0), 1.0, atol=1e-4)
    # The test split is scaled with the TRAIN mean and std, so its own mean is not exactly 0.
    mean = raw_train.astype(np.float64).mean(axis=0)
    std = raw_train.astype(np.float64).std(axis=0)
    np.testing.assert_allclose(x_test, (raw_test - mean) / std, rtol=1e-5, atol=1e-5)
    assert np.abs(x_test.mean(axis=0)).max() > 1e-3


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=["digits", *TABULAR_IDS])
@pytest.mark.parametrize("test_size", [0, 0.0, 1, 1.0, -0.1, 1.5, float("nan")])
def test_test_size_out_of_range(loader, test_size):
    with pytest.raises(ValueError, match=r"`test_size` must be strictly between 0 and 1.*test_size="):
        loader(test_size=test_size)


@pytest.mark.parametrize("test_size", ["0.2", None, True, [0.2]])
def test_test_size_wrong_type(test_size):
    with pytest.raises(
        TypeError, match=re.escape("`test_size` must be a float") + ".*" + re.escape(repr(test_size))
    ):
        load_iris(test_size=test_size)


def test_test_size_too_small_for_stratification():
    # ceil(0.001 * 150) = 1 test sample for 3 classes.
    with pytest.raises(ValueError, match=r"`test_size`=0\.001 cannot split iris \(150 samples, 3 classes\)"):
        load_iris(test_size=0.001)


@pytest.mark.parametrize("seed", [1.5, "0", None, True])
def test_seed_wrong_type(seed):
    with pytest.raises(TypeError, match=r"`seed` must be an integer.*" + re.escape(repr(seed))):
        load_wine(seed=seed)


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_seed_out_of_range(seed):
    with pytest.raises(ValueError, match=rf"`seed` must be an integer in \[0, 2\*\*32 - 1\].*seed={seed}"):
        load_digits(seed=seed)


def test_numpy_integer_seed_is_accepted():
    (a, _), _ = load_iris(seed=np.int64(2))
    (b, _), _ = load_iris(seed=2)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("loader", "kwargs"),
    [
        (load_digits, {"normalize": "yes"}),
        (load_digits, {"flatten": 1}),
        (load_iris, {"standardize": None}),
    ],
)
def test_flags_must_be_bool(loader, kwargs):
    ((name, value),) = kwargs.items()
    with pytest.raises(TypeError, match=rf"`{name}` must be True or False.*{re.escape(repr(value))}"):
        loader(**kwargs)


# ---------------------------------------------------------------------------------------------------------
# IDX files, written here byte by byte
# ---------------------------------------------------------------------------------------------------------


def idx_bytes(array: np.ndarray, type_byte: int = 0x08) -> bytes:
    """An IDX file: magic 0x0000TTDD, big-endian uint32 dims, big-endian data."""
    header = struct.pack(">HBB", 0, type_byte, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_file(path, data: bytes, gz: bool):
    if gz:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


def make_fashion_folder(folder, n_train=5, n_test=3, gz=(True, False, True, False), seed=0):
    """The four Fashion-MNIST files with random content; `gz` says which of them are gzipped."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    paths = {}
    for (name, array), compressed in zip(arrays.items(), gz, strict=True):
        paths[name] = write_file(folder / name, idx_bytes(array), compressed)
    return arrays, paths


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


# ---------------------------------------------------------------------------------------------------------
# fashion_mnist.load_data
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gz", [(False,) * 4, (True,) * 4, (True, False, False, True)], ids=["plain", "gzip", "mixed"]
)
def test_fashion_mnist_load_data_from_folder(tmp_path, gz):
    arrays, _ = make_fashion_folder(tmp_path, gz=gz)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(path=tmp_path)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])
    assert x_train.shape == (5, 28, 28) and x_test.shape == (3, 28, 28)
    assert y_train.shape == (5,) and y_test.shape == (3,)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8


def test_fashion_mnist_accepts_str_path(tmp_path):
    make_fashion_folder(tmp_path)
    (x_train, _), _ = fashion_mnist.load_data(path=str(tmp_path))
    assert x_train.shape == (5, 28, 28)


def test_fashion_mnist_missing_folder(tmp_path):
    folder = tmp_path / "not-here"
    with pytest.raises(
        FileNotFoundError, match=r"looked for its IDX files in '.*not-here', which is not a folder"
    ) as e:
        fashion_mnist.load_data(path=folder)
    assert "apt-get install dataset-fashion-mnist" in str(e.value)
    assert "pass path=..." in str(e.value)


def test_fashion_mnist_missing_default_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(fashion_mnist, "DEFAULT_PATH", tmp_path / "usr-share-datasets")
    with pytest.raises(
        FileNotFoundError, match=r"'.*usr-share-datasets', which is not a folder\. Install them with `apt-get"
    ):
        fashion_mnist.load_data()


def test_fashion_mnist_missing_file_is_named(tmp_path):
    _, paths = make_fashion_folder(tmp_path)
    paths["t10k-labels-idx1-ubyte"].unlink()
    with pytest.raises(
        FileNotFoundError,
        match=r"looked in '.*' but found no t10k-labels-idx1-ubyte \(plain or \.gz\)\. "
        r"Install them with `apt-get install dataset-fashion-mnist`",
    ):
        fashion_mnist.load_data(path=tmp_path)


def test_fashion_mnist_truncated_file_is_named(tmp_path):
    _, paths = make_fashion_folder(tmp_path, gz=(False,) * 4)
    images = paths["t10k-images-idx3-ubyte"]
    images.write_bytes(images.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"IDX file '.*t10k-images-idx3-ubyte' is truncated"):
        fashion_mnist.load_data(path=tmp_path)


def test_fashion_mnist_swapped_files_fail_on_magic(tmp_path):
    _, paths = make_fashion_folder(tmp_path, gz=(False,) * 4)
    labels = paths["train-labels-idx1-ubyte"].read_bytes()
    paths["train-images-idx3-ubyte"].write_bytes(labels)
    with pytest.raises(ValueError, match=r"'.*train-images-idx3-ubyte' has magic number 2049, but 2051"):
        fashion_mnist.load_data(path=tmp_path)


def test_fashion_mnist_count_mismatch(tmp_path):
    make_fashion_folder(tmp_path, gz=(False,) * 4)
    write_file(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(4, np.uint8)), gz=False)
    with pytest.raises(ValueError, match=r"holds 5 images but '.*train-labels-idx1-ubyte' holds 4 labels"):
        fashion_mnist.load_data(path=tmp_path)


def test_fashion_mnist_label_out_of_range(tmp_path):
    make_fashion_folder(tmp_path, gz=(False,) * 4)
    write_file(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(np.array([0, 10, 2], np.uint8)), gz=False)
    with pytest.raises(ValueError, match=r"'.*t10k-labels-idx1-ubyte' holds label 10; labels must be 0-9"):
        fashion_mnist.load_data(path=tmp_path)


def test_fashion_mnist_path_type(tmp_path):
    with pytest.raises(
        TypeError, match=r"`path` must be None, a string or an os.PathLike folder.*received 3"
    ):
        fashion_mnist.load_data(path=3)


def test_fashion_mnist_class_names():
    assert len(fashion_mnist.CLASS_NAMES) == 10
    assert fashion_mnist.CLASS_NAMES[0] == "T-shirt/top"


@pytest.mark.skipif(
    not fashion_mnist.DEFAULT_PATH.is_dir(),
    reason="Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)",
)
def test_fashion_mnist_debian_package():
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert x_train.max() == 255 and x_train.min() == 0
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
    np.testing.assert_array_equal(np.bincount(y_train, minlength=10), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test, minlength=10), [1000] * 10)
