"""Data sets as `keras.datasets` returns them, offline: `(x_train, y_train), (x_test, y_test)`.

Keras's data sets (`mnist`, `fashion_mnist`, `cifar10`, `cifar100`, `imdb`, `reuters`, `boston_housing`,
`california_housing`), each a module with Keras's `load_data()`, read the files Keras caches, under Keras's
names and in Keras's formats (`$KERAS_HOME/datasets/`, by default `~/.keras/datasets/`), or a path given.
Nothing downloads: a missing file raises `FileNotFoundError` naming where to put it and the URL to fetch it
from. Pickled files (CIFAR's batches, IMDB's and Reuters' ragged arrays) are read with a restricted
unpickler that rebuilds NumPy arrays and Python values only, so a tampered file cannot run code.

Also: the small sets bundled with scikit-learn, split for training (`load_digits`, `load_iris`,
`load_breast_cancer`, `load_wine`), and the IDX format of (Fashion-)MNIST (`read_idx`, `write_idx`).
"""

from kerasish.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from kerasish.datasets.idx import read_idx, write_idx
from kerasish.datasets.tabular import load_breast_cancer, load_digits, load_iris, load_wine

__all__ = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "fashion_mnist",
    "imdb",
    "load_breast_cancer",
    "load_digits",
    "load_iris",
    "load_wine",
    "mnist",
    "read_idx",
    "reuters",
    "write_idx",
]
