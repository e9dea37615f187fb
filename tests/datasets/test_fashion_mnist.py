"""Tests for kerasish.datasets.fashion_mnist: Keras's cached .gz files, Debian's folder, a given folder."""

import numpy as np
import pytest

from kerasish.datasets import fashion_mnist
from tests.datasets.idx_files import idx_bytes, make_fashion_folder, write_file


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


def test_fashion_mnist_missing_default_folders(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(fashion_mnist, "DEFAULT_PATH", tmp_path / "usr-share-datasets")
    with pytest.raises(FileNotFoundError, match=r"found no train-images-idx3-ubyte, .* \(plain or \.gz\) in "
                                                r"'.*keras-home/datasets/fashion-mnist' or '.*usr-share-datasets'\. "
                                                r"kerasish never downloads: put the four files Keras downloads "
                                                r"\(https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
                                                r"<name>\.gz for each name\).*apt-get install dataset-fashion-mnist"):
        fashion_mnist.load_data()


def test_fashion_mnist_missing_file_is_named(tmp_path):
    _, paths = make_fashion_folder(tmp_path)
    paths["t10k-labels-idx1-ubyte"].unlink()
    with pytest.raises(
        FileNotFoundError,
        match=r"found no t10k-labels-idx1-ubyte \(plain or \.gz\) in '.*'\. kerasish never downloads.*"
        r"`apt-get install dataset-fashion-mnist`",
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


def test_fashion_mnist_reads_keras_cache_as_keras_does(keras_cache, tmp_path, monkeypatch):
    import keras

    monkeypatch.setattr(fashion_mnist, "DEFAULT_PATH", tmp_path / "not-installed")
    (keras_cache / "fashion-mnist").mkdir()
    make_fashion_folder(keras_cache / "fashion-mnist", gz=(True,) * 4)  # Keras's names, gzipped, in its cache
    ours, theirs = fashion_mnist.load_data(), keras.datasets.fashion_mnist.load_data()
    for a, b in zip((*ours[0], *ours[1]), (*theirs[0], *theirs[1])):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
