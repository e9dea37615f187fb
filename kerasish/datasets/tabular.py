"""Small data sets bundled with scikit-learn, in the shape `keras.datasets` returns them.

`load_digits`, `load_iris`, `load_breast_cancer` and `load_wine` read the copies inside scikit-learn (no
network) and split them with a seeded, stratified `train_test_split`, so the same seed always gives the
same split: `(x_train, y_train), (x_test, y_test)`. scikit-learn is imported only when a loader is called.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["load_breast_cancer", "load_digits", "load_iris", "load_wine"]

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# ---------------------------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------------------------


def _check_test_size(test_size: Any) -> float:
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(
            f"Argument `test_size` must be a float strictly between 0 and 1 (the fraction of samples held "
            f"out for testing), but received {test_size!r} of type {type(test_size).__name__}."
        )
    if not 0.0 < float(test_size) < 1.0:
        raise ValueError(
            f"Argument `test_size` must be strictly between 0 and 1 (the fraction of samples held out for "
            f"testing), but received test_size={test_size!r}."
        )
    return float(test_size)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"Argument `seed` must be an integer in [0, 2**32 - 1], but received {seed!r} of type "
            f"{type(seed).__name__}."
        )
    if not 0 <= int(seed) <= 2**32 - 1:
        raise ValueError(f"Argument `seed` must be an integer in [0, 2**32 - 1], but received seed={seed!r}.")
    return int(seed)


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"Argument `{name}` must be True or False, but received {value!r} of type {type(value).__name__}."
        )
    return bool(value)


# ---------------------------------------------------------------------------------------------------------
# Tabular data sets bundled with scikit-learn
# ---------------------------------------------------------------------------------------------------------


def _sklearn() -> tuple[Any, Callable[..., Any]]:
    """Imports scikit-learn lazily: it is needed by the tabular loaders only."""
    try:
        import sklearn.datasets
        from sklearn.model_selection import train_test_split
    except ImportError as err:  # pragma: no cover - scikit-learn is a dev dependency
        raise ImportError(
            "kerasish.datasets' tabular loaders read the data sets bundled with scikit-learn, which is not "
            "installed. Install it with `pip install scikit-learn` (or `pip install kerasish[dev]`)."
        ) from err
    return sklearn.datasets, train_test_split


def _stratified_split(name: str, x: np.ndarray, y: np.ndarray, test_size: float, seed: int) -> Split:
    _, train_test_split = _sklearn()
    try:
        x_train, x_test, y_train, y_test = train_test_split(
            x, y, test_size=test_size, random_state=seed, stratify=y, shuffle=True
        )
    except ValueError as err:
        n_classes = len(np.unique(y))
        raise ValueError(
            f"Argument `test_size`={test_size!r} cannot split {name} ({len(y)} samples, {n_classes} classes) "
            f"with stratification: the train and the test split each need at least {n_classes} samples, "
            f"one per class. Pick a test_size between {n_classes / len(y):.3f} and "
            f"{1 - n_classes / len(y):.3f}. (scikit-learn said: {err})"
        ) from err
    return (x_train, y_train), (x_test, y_test)


def _standardize(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scales both splits with the TRAIN split's mean and std, so no test statistic leaks into training."""
    mean = x_train.mean(axis=0, dtype=np.float64)
    std = x_train.std(axis=0, dtype=np.float64)
    std[std == 0.0] = 1.0  # a constant feature stays constant (0) instead of becoming NaN
    return ((x_train - mean) / std).astype(np.float32), ((x_test - mean) / std).astype(np.float32)


def _load_tabular(name: str, test_size: Any, seed: Any, standardize: Any) -> Split:
    test_size = _check_test_size(test_size)
    seed = _check_seed(seed)
    standardize = _check_bool("standardize", standardize)
    sk_datasets, _ = _sklearn()
    bunch = getattr(sk_datasets, f"load_{name}")()
    x = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int32)
    (x_train, y_train), (x_test, y_test) = _stratified_split(name, x, y, test_size, seed)
    if standardize:
        x_train, x_test = _standardize(x_train, x_test)
    return (x_train.astype(np.float32), y_train), (x_test.astype(np.float32), y_test)


def load_digits(test_size: float = 0.2, seed: int = 0, normalize: bool = True, flatten: bool = True) -> Split:
    """Loads scikit-learn's bundled 8x8 handwritten digits (1,797 images, classes 0-9), split for training.

    The split is stratified (each class keeps its share in both splits) and deterministic for a `seed`.

    Args:
      test_size: fraction of the samples held out for testing, strictly between 0 and 1. The test split
        gets `ceil(test_size * 1797)` samples.
      seed: integer in [0, 2**32 - 1] seeding the shuffle of the split.
      normalize: if True, pixel values (0-16) are divided by 16 into [0, 1]; if False they stay 0-16.
      flatten: if True, `x` has shape `(N, 64)`; if False, `(N, 8, 8, 1)` (channels last, for `Conv2D`).

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` float32 arrays of shape `(N, 64)` or `(N, 8, 8, 1)`,
      `y_*` int32 arrays of shape `(N,)` with values 0-9.

    Raises:
      TypeError: if `test_size` is not a real number, `seed` not an integer, or `normalize`/`flatten`
        not a bool.
      ValueError: if `test_size` is not in (0, 1), `seed` is out of range, or a split would hold fewer
        samples than there are classes.

    Example:
      >>> from kerasish.datasets import load_digits
      >>> (x_train, y_train), (x_test, y_test) = load_digits(seed=0)
      >>> x_train.shape, x_train.dtype, y_test.shape, y_test.dtype
      ((1437, 64), dtype('float32'), (360,), dtype('int32'))
      >>> float(x_train.min()), float(x_train.max())
      (0.0, 1.0)
      >>> load_digits(flatten=False)[0][0].shape
      (1437, 8, 8, 1)
    """
    test_size = _check_test_size(test_size)
    seed = _check_seed(seed)
    normalize = _check_bool("normalize", normalize)
    flatten = _check_bool("flatten", flatten)
    sk_datasets, _ = _sklearn()
    bunch = sk_datasets.load_digits()
    x = np.asarray(bunch.data, dtype=np.float32)
    if normalize:
        x = x / np.float32(16.0)
    if not flatten:
        x = x.reshape(-1, 8, 8, 1)
    y = np.asarray(bunch.target, dtype=np.int32)
    return _stratified_split("digits", x, y, test_size, seed)


_TABULAR_DOC = """Loads scikit-learn's bundled {title} data ({n} samples, {d} features, {k} classes{extra}).

    The split is stratified (each class keeps its share in both splits) and deterministic for a `seed`.

    Args:
      test_size: fraction of the samples held out for testing, strictly between 0 and 1. The test split
        gets `ceil(test_size * {n})` samples.
      seed: integer in [0, 2**32 - 1] seeding the shuffle of the split.
      standardize: if True, each feature is centred and scaled with the mean and standard deviation of
        the TRAIN split (never the test split's, which would leak test information); a constant feature
        is only centred.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` float32 arrays of shape `(N, {d})`, `y_*` int32 arrays
      of shape `(N,)` with values in 0-{kmax}.

    Raises:
      TypeError: if `test_size` is not a real number, `seed` not an integer, or `standardize` not a bool.
      ValueError: if `test_size` is not in (0, 1), `seed` is out of range, or a split would hold fewer
        samples than there are classes.

    Example:
      >>> from kerasish.datasets import {fn}
      >>> (x_train, y_train), (x_test, y_test) = {fn}(test_size=0.2, seed=0)
      >>> x_train.shape, x_train.dtype, x_test.shape, y_train.dtype
      (({n_train}, {d}), dtype('float32'), ({n_test}, {d}), dtype('int32'))
      >>> sorted(set(y_train.tolist()))
      {classes}
      >>> bool(abs(x_train.mean(axis=0)).max() < 1e-5)
      True
    """


def _tabular_doc(fn: str, title: str, n: int, d: int, k: int, extra: str = "") -> str:
    n_test = math.ceil(0.2 * n)
    return _TABULAR_DOC.format(
        fn=fn,
        title=title,
        n=n,
        d=d,
        k=k,
        kmax=k - 1,
        extra=extra,
        n_test=n_test,
        n_train=n - n_test,
        classes=list(range(k)),
    )


def load_iris(test_size: float = 0.2, seed: int = 0, standardize: bool = True) -> Split:
    return _load_tabular("iris", test_size, seed, standardize)


def load_breast_cancer(test_size: float = 0.2, seed: int = 0, standardize: bool = True) -> Split:
    return _load_tabular("breast_cancer", test_size, seed, standardize)


def load_wine(test_size: float = 0.2, seed: int = 0, standardize: bool = True) -> Split:
    return _load_tabular("wine", test_size, seed, standardize)


# Generated so the three docstrings cannot drift apart; the numbers are checked by their doctests.
load_iris.__doc__ = _tabular_doc("load_iris", "Iris flowers", 150, 4, 3)
load_breast_cancer.__doc__ = _tabular_doc(
    "load_breast_cancer", "Wisconsin breast cancer", 569, 30, 2, extra=": 0 malignant, 1 benign"
)
load_wine.__doc__ = _tabular_doc("load_wine", "wine recognition", 178, 13, 3)
