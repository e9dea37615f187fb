"""Each Keras data set module has its kerasish counterpart, with Keras's `load_data` arguments and defaults."""

import inspect

import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

#: Arguments kerasish adds (Keras's loaders of these always read their own cache).
EXTRA = {"fashion_mnist": ["path"], "cifar10": ["path"], "cifar100": ["path"]}


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters",
                                  "boston_housing", "california_housing"])
def test_load_data_has_keras_arguments_and_defaults(name):
    ours = inspect.signature(getattr(ks.datasets, name).load_data).parameters
    theirs = inspect.signature(getattr(keras.datasets, name).load_data).parameters
    assert [p for p in ours if p not in EXTRA.get(name, [])] == list(theirs)
    assert all(ours[p].default == theirs[p].default for p in theirs)
    for function in ("get_word_index", "get_label_names"):
        if hasattr(getattr(keras.datasets, name), function):
            assert hasattr(getattr(ks.datasets, name), function)
