"""kerasish.utils.text_dataset_from_directory: Keras's files, order and labels (`index_directory`), each text
read whole and cut to `max_length` characters as Keras's TensorFlow-free path does."""

import numpy as np
import pytest

from kerasish.utils import text_dataset_from_directory

keras = pytest.importorskip("keras")
from keras.src.utils import dataset_utils as keras_dataset_utils  # noqa: E402


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("texts")
    for i in range(9):
        label = ("neg", "pos", "neu")[i % 3]
        (root / label).mkdir(exist_ok=True)
        (root / label / f"review_{i}.txt").write_text(f"review number {i} é " + "word " * i, encoding="utf-8")
    (root / "pos" / "picture.png").write_bytes(b"")
    return str(root)


def read(path, max_length=None):
    with open(path, encoding="utf-8") as f:
        return f.read()[:max_length]


@pytest.mark.parametrize("max_length", [None, 12])
def test_texts_and_labels_in_keras_order(folder, max_length):
    ds = text_dataset_from_directory(folder, batch_size=4, shuffle=False, max_length=max_length, verbose=False)
    paths, labels, class_names = keras_dataset_utils.index_directory(folder, "inferred", (".txt",), shuffle=False,
                                                                     verbose=False)
    assert ds.class_names == class_names == ["neg", "neu", "pos"] and len(ds) == 3
    texts, got_labels = (np.concatenate(parts) for parts in zip(*ds))
    assert texts.dtype == object and all(isinstance(text, str) for text in texts)
    assert texts.tolist() == [read(path, max_length) for path in paths]
    assert got_labels.dtype == np.int32 and got_labels.tolist() == list(labels)


def test_shuffles_label_modes_and_subsets(folder):
    ds = text_dataset_from_directory(folder, batch_size=2, seed=3, label_mode="categorical", verbose=False)
    paths, _, _ = keras_dataset_utils.index_directory(folder, "inferred", (".txt",), shuffle=True, seed=3,
                                                      verbose=False)
    passes = [[t for texts, _ in ds for t in texts] for _ in range(2)]
    assert sorted(passes[0]) == sorted(passes[1]) == sorted(read(p) for p in paths) and passes[0] != passes[1]
    assert next(iter(ds))[1].shape == (2, 3)
    single = next(iter(text_dataset_from_directory(folder, batch_size=None, labels=None, shuffle=False,
                                                   verbose=False)))
    assert isinstance(single, str)
    train, val = text_dataset_from_directory(folder, validation_split=0.34, subset="both", seed=1, verbose=False)
    assert sum(len(t) for t, _ in train) == 6 and sum(len(t) for t, _ in val) == 3


def test_errors(folder, tmp_path):
    cases = [({"labels": "other"}, "`labels` argument should be a list/tuple of integer labels"),
             ({"label_mode": "other"}, '`label_mode` argument must be one of "int"'),
             ({"format": "other"}, '`format` should be either "tf" or "grain"'),
             ({"max_length": -1}, r"`max_length` must be None or an int >= 0, received -1"),
             ({"labels": [0] * 9, "class_names": ["a"]}, 'You can only pass `class_names` if `labels="inferred"`'),
             ({"label_mode": "binary"}, "there must be exactly 2 class_names"),
             ({"validation_split": 0.5, "subset": "training"}, "must provide a `seed` argument")]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            text_dataset_from_directory(folder, verbose=False, **kwargs)
    with pytest.raises(ValueError, match=r"No text files found in directory .*\. Allowed format: \.txt"):
        text_dataset_from_directory(tmp_path, verbose=False)
