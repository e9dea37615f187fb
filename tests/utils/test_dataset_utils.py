"""kerasish.utils.dataset_utils: split_dataset's sizes and order, and the file index of the directory datasets,
against Keras's own functions (those that run without TensorFlow)."""

import os
import random

import numpy as np
import pytest

from kerasish.data.dataset import Dataset
from kerasish.utils import dataset_utils, split_dataset

keras = pytest.importorskip("keras")
from keras.src.utils import dataset_utils as keras_dataset_utils  # noqa: E402


def samples(part):
    return np.stack([np.asarray(element) for element in part])


@pytest.mark.parametrize("left,right", [(0.8, None), (None, 0.25), (3, None), (None, 4), (0.5, 0.3), (2, 5),
                                        (0.34, None), (0.35, 0.65)])
def test_split_sizes_match_keras(left, right):
    data = np.arange(10)
    got_left, got_right = split_dataset(data, left_size=left, right_size=right)
    sizes = keras_dataset_utils._rescale_dataset_split_sizes(left, right, 10)
    assert (len(got_left), len(got_right)) == sizes
    np.testing.assert_array_equal(samples(got_left), data[:sizes[0]])
    np.testing.assert_array_equal(samples(got_right), data[10 - sizes[1]:])


def test_shuffled_split_is_keras_order():
    """Keras: `random.seed(seed); random.shuffle(samples)`, then the first / last samples."""
    x, y = np.arange(20).reshape(10, 2), np.arange(10) * 10
    left, right = split_dataset((x, y), left_size=0.6, shuffle=True, seed=7)
    order = list(range(10))
    random.seed(7)
    random.shuffle(order)
    assert [int(b) for _, b in left] == [10 * i for i in order[:6]]
    assert [int(b) for _, b in right] == [10 * i for i in order[6:]]
    np.testing.assert_array_equal(samples(a for a, _ in left), x[order[:6]])
    state = random.getstate()
    split_dataset(x, left_size=0.5, shuffle=True, seed=1)
    assert random.getstate() == state  # the global generator is left alone


def test_split_lists_and_batched_datasets():
    x, y = np.arange(12).reshape(6, 2), np.arange(6)
    left, right = split_dataset([x, y], right_size=2)
    assert [int(b) for _, b in left] == [0, 1, 2, 3] and [int(b) for _, b in right] == [4, 5]
    batched = Dataset.from_tensor_slices((x, y)).batch(3)
    left, right = split_dataset(batched, left_size=4)
    assert left.batch_size == right.batch_size == 3
    assert [b.tolist() for _, b in left] == [[0, 1, 2], [3]] and [b.tolist() for _, b in right] == [[4, 5]]


def test_split_errors_are_keras_errors():
    data = np.arange(10)
    for left, right, error, message in [
            (None, None, ValueError, "At least one of the `left_size` or `right_size` must be specified"),
            (0, 0, ValueError, "Both `left_size` and `right_size` are zero"),
            (1.5, None, ValueError, r"`left_size` should be either a positive integer smaller than 10"),
            (None, 10, ValueError, r"`right_size` should be either a positive integer smaller than 10"),
            (0.7, 0.5, ValueError, "The sum of `left_size` and `right_size` is greater than 1"),
            (6, 5, ValueError, r"should be smaller than the 10\. Received: left_size \+ right_size = 11"),
            (0.01, None, ValueError, "Resulting left side dataset split will be empty"),
            ("0.5", None, TypeError, r"Invalid `left_size` Type\. Expected: int or float or None"),
            (np.int64(3), None, TypeError, r"Invalid `left_size` Type")]:
        with pytest.raises(error, match=message):
            split_dataset(data, left_size=left, right_size=right)
        if left is not None or right is not None:  # Keras checks that case before this function
            with pytest.raises(error):
                keras_dataset_utils._rescale_dataset_split_sizes(left, right, 10)
    with pytest.raises(TypeError, match=r"The `dataset` argument must be either a `kerasish.data.Dataset` object, or "
                                        r"a list/tuple of arrays"):
        split_dataset({"x": data}, left_size=0.5)
    with pytest.raises(ValueError, match=r"Received a tuple of NumPy arrays with different lengths\. Mismatch found at "
                                         r"index 1"):
        split_dataset((data, np.arange(3)), left_size=0.5)
    with pytest.raises(ValueError, match=r"Expected a list of `numpy.ndarray` objects, Received: <class 'list'> at "
                                         r"index 0"):
        split_dataset([[1, 2]], left_size=0.5)
    with pytest.raises(ValueError, match=r"`preferred_backend` of split_dataset must be None or a backend name"):
        split_dataset(data, left_size=0.5, preferred_backend="mxnet")


@pytest.fixture
def folder(tmp_path):
    for path in ["b_class/x1.png", "b_class/nested/x2.JPG", "a_class/y.png", "a_class/ignored.txt", "c/z.bmp",
                 ".hidden/h.png", "top.png"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"")
    return str(tmp_path)


@pytest.mark.parametrize("kwargs", [{"labels": "inferred"}, {"labels": "inferred", "class_names": ["c", "a_class"]},
                                    {"labels": None}, {"labels": [3, 1, 1, 0, 2, 2]}, {"labels": "inferred", "seed": 5,
                                                                                    "shuffle": True}],
                         ids=["inferred", "class_names", "none", "explicit", "shuffled"])
def test_index_directory_matches_keras(folder, kwargs, capsys):
    kwargs = {"shuffle": False, "seed": None, **kwargs}
    formats = (".png", ".jpg", ".bmp")
    got = dataset_utils.index_directory(folder, formats=formats, **kwargs)
    ours_printed = capsys.readouterr().out
    expected = keras_dataset_utils.index_directory(folder, formats=formats, **kwargs)
    assert got[0] == expected[0] and got[2] == expected[2]
    assert (got[1] is None and expected[1] is None) or list(got[1]) == list(expected[1])
    assert ours_printed == capsys.readouterr().out
    for subset in ("training", "validation"):
        ours = dataset_utils.get_training_or_validation_split(got[0], got[1], 0.5, subset)
        theirs = keras_dataset_utils.get_training_or_validation_split(expected[0], expected[1], 0.5, subset)
        assert ours[0] == theirs[0]


def test_index_directory_errors(folder, tmp_path):
    with pytest.raises(ValueError, match=r"The `class_names` passed did not match the names of the subdirectories"):
        dataset_utils.index_directory(folder, "inferred", (".png",), class_names=["nope"])
    with pytest.raises(ValueError, match=r"Expected the lengths of `labels` to match the number of files in the target "
                                         r"directory\. len\(labels\) is 1 while we found 2 files"):
        dataset_utils.index_directory(folder, [0], (".bmp", ".jpg"), verbose=False)
    with pytest.raises(ValueError, match=r"When `labels=None` \(no labels\), argument `class_names` cannot be"):
        dataset_utils.index_directory(folder, None, (".png",), class_names=["c"])
    with pytest.raises(ValueError, match=r"When argument `labels` is specified, argument `class_names` cannot be"):
        dataset_utils.index_directory(folder, [0], (".png",), class_names=["c"])
    with pytest.raises(FileNotFoundError, match=r"Argument `directory` must be a folder; '.*missing' is not one"):
        dataset_utils.index_directory(os.path.join(folder, "missing"), "inferred", (".png",))
    with pytest.raises(ValueError, match=r"`validation_split`=0\.1 of 5 files holds out no file for validation"):
        dataset_utils.get_training_or_validation_split(list("abcde"), None, 0.1, "training")
    with pytest.raises(ValueError, match=r'`subset` must be either "training" or "validation", received: both'):
        dataset_utils.get_training_or_validation_split(list("abcde"), None, 0.4, "both")


def test_encode_labels():
    labels = [1, 0, 2]
    assert dataset_utils.encode_labels(labels, "int", 3).dtype == np.int32
    binary = dataset_utils.encode_labels([1, 0], "binary", 2)
    assert binary.dtype == np.float32 and binary.tolist() == [[1.0], [0.0]]
    np.testing.assert_array_equal(dataset_utils.encode_labels(labels, "categorical", 3),
                                  np.asarray(keras.ops.one_hot(np.array(labels), 3)))
    with pytest.raises(ValueError, match=r"With label_mode='categorical', labels must be in \[0, 2\) \(one per class "
                                         r"of 2\); received label 5\. Keras would encode it as a row of zeros"):
        dataset_utils.encode_labels([0, 5], "categorical", 2)
    with pytest.raises(ValueError, match=r"With label_mode='binary', labels must be in \[0, 2\).*received label -1"):
        dataset_utils.encode_labels([0, -1], "binary", 2)
