"""kerasish.datasets.cifar10 / cifar100 against Keras's loaders, on small batches in CIFAR's pickle format,
cached as Keras 3 caches them (`<name>-target_archive`, extracted into `<name>-target/`)."""

import io
import pickle
import tarfile

import numpy as np
import pytest

from kerasish.datasets import cifar10, cifar100
from kerasish.datasets.cifar import load_batch
from tests.datasets.conftest import accept


def batch_bytes(n, seed, label_keys=("labels",)):
    rng = np.random.default_rng(seed)
    content = {b"batch_label": b"testing batch", b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
               b"filenames": [b"img_%d.png" % i for i in range(n)]}
    for key in label_keys:
        content[key.encode()] = rng.integers(0, 100 if "fine" in key else 10, n).tolist()
    return pickle.dumps(content, protocol=4)


def write_archive(path, inner, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{inner}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


CIFAR10_FILES = {**{f"data_batch_{i}": batch_bytes(3, i) for i in range(1, 6)}, "test_batch": batch_bytes(4, 9)}
CIFAR100_FILES = {name: batch_bytes(n, seed, ("fine_labels", "coarse_labels"))
                  for name, n, seed in (("train", 5, 0), ("test", 3, 1))}


def assert_same(ours, theirs):
    for a, b in zip((*ours[0], *ours[1]), (*theirs[0], *theirs[1])):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(keras_cache, monkeypatch, label_mode):
    import keras

    archive = keras_cache / "cifar-100-python-target_archive"
    write_archive(archive, "cifar-100-python", CIFAR100_FILES)
    accept(monkeypatch, cifar100, archive)
    ours = cifar100.load_data(label_mode)
    assert ours[0][0].shape == (5, 32, 32, 3) and ours[0][1].shape == (5, 1)
    assert_same(ours, keras.datasets.cifar100.load_data(label_mode))


def test_cifar10_is_keras_batches_assembled(keras_cache, monkeypatch):
    """Keras's cifar10 loader wants 10,000 images per batch; its batch reader is the oracle here."""
    from keras.src.datasets import cifar as keras_cifar

    archive = keras_cache / "cifar-10-batches-py-target_archive"
    write_archive(archive, "cifar-10-batches-py", CIFAR10_FILES)
    accept(monkeypatch, cifar10, archive)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    folder = keras_cache / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    parts = [keras_cifar.load_batch(str(folder / f"data_batch_{i}")) for i in range(1, 6)]
    np.testing.assert_array_equal(x_train, np.concatenate([d for d, _ in parts]).transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[:, 0], np.concatenate([labels for _, labels in parts]))
    test_data, test_labels = keras_cifar.load_batch(str(folder / "test_batch"))
    np.testing.assert_array_equal(x_test, test_data.transpose(0, 2, 3, 1))
    assert x_train.dtype == x_test.dtype == y_train.dtype == y_test.dtype == np.uint8
    assert y_test.shape == (4, 1) and y_test[:, 0].tolist() == list(test_labels)


def test_cifar_from_a_path_or_an_earlier_keras_layout(keras_cache, tmp_path):
    write_archive(tmp_path / "cifar-10-python.tar.gz", "cifar-10-batches-py", CIFAR10_FILES)
    from_archive = cifar10.load_data(path=tmp_path / "cifar-10-python.tar.gz")
    assert from_archive[0][0].shape == (15, 32, 32, 3)
    assert_same(cifar10.load_data(path=tmp_path / "cifar-10-python_extracted"), from_archive)
    legacy = keras_cache / "cifar-100-python"  # where Keras 2 extracted it
    legacy.mkdir()
    for name, data in CIFAR100_FILES.items():
        (legacy / name).write_bytes(data)
    assert cifar100.load_data()[1][0].shape == (3, 32, 32, 3)


def test_cifar_errors(keras_cache, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"expected the file .*cifar-10-batches-py-target_archive \(or its "
                                                r"extracted contents in the folder .*cifar-10-batches-py-target\)\. "
                                                r"kerasish never downloads: fetch "
                                                r"https://www\.cs\.toronto\.edu/~kriz/cifar-10-python\.tar\.gz.*"
                                                r"earlier Keras versions"):
        cifar10.load_data()
    with pytest.raises(ValueError, match=r'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode='
                                         r"'medium'"):
        cifar100.load_data("medium")
    with pytest.raises(FileNotFoundError, match=r"holds no cifar-10-batches-py/test_batch \(nor test_batch\)"):
        cifar10.load_data(path=tmp_path)
    with pytest.raises(FileNotFoundError, match=r"`path`='.*nowhere' is neither a folder nor a file"):
        cifar10.load_data(path=tmp_path / "nowhere")
    (tmp_path / "batch").write_bytes(pickle.dumps({b"data": np.zeros((1, 3072), np.uint8)}, protocol=2))
    with pytest.raises(ValueError, match=r"CIFAR batch '.*batch' has no 'labels' entry \(it has \['data'\]\)"):
        load_batch(tmp_path / "batch")
    (tmp_path / "list").write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(ValueError, match=r"CIFAR batch '.*list' holds a list, not a dict"):
        load_batch(tmp_path / "list")
