"""Small, offline data sets in the shape `keras.datasets` returns: `(x_train, y_train), (x_test, y_test)`.

Nothing here touches the network. The tabular loaders (`load_digits`, `load_iris`, `load_breast_cancer`,
`load_wine`) read the copies bundled inside scikit-learn and split them with a seeded, stratified
`train_test_split`, so the same seed always gives the same split. `fashion_mnist.load_data` reads the
four IDX files of Fashion-MNIST from a folder: by default the one Debian's `dataset-fashion-mnist`
package installs, `/usr/share/datasets/fashion-mnist/`.

scikit-learn is imported only when a tabular loader is called, so `fashion_mnist` works without it.
"""

from __future__ import annotations

import gzip
import math
import numbers
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "fashion_mnist",
    "load_breast_cancer",
    "load_digits",
    "load_iris",
    "load_wine",
    "read_idx",
    "write_idx",
]

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


# ---------------------------------------------------------------------------------------------------------
# IDX files (the format of MNIST and Fashion-MNIST)
# ---------------------------------------------------------------------------------------------------------

# IDX type byte -> big-endian NumPy dtype. The magic number is 0x00 0x00 <type byte> <number of dims>.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    with open(path, "rb") as f:
        head = f.read(2)
    if head != _GZIP_MAGIC:
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise ValueError(f"IDX file {str(path)!r} is a corrupt or truncated gzip file: {err}") from err


def read_idx(path: str | os.PathLike[str], expected_magic: int | None = None) -> np.ndarray:
    """Reads one IDX file (plain or gzip-compressed, told apart by content) into a NumPy array.

    An IDX file is a 4-byte big-endian magic number `0x0000TTDD` (`TT` the element type, `DD` the number
    of dimensions), then `DD` big-endian uint32 dimension sizes, then the elements, big-endian, row-major.
    MNIST-style image files have magic 2051 (uint8, 3 dims), label files 2049 (uint8, 1 dim).

    Args:
      path: the file to read.
      expected_magic: if given, the magic number the file must carry (e.g. 2051 for images).

    Returns:
      A writeable, native-byte-order array with the dimensions and element type the header declares
      (uint8, int8, int16, int32, float32 or float64).

    Raises:
      FileNotFoundError: if `path` does not exist.
      ValueError: if the file is not IDX, has another magic number than `expected_magic`, is truncated,
        holds more bytes than its header declares, or is a corrupt gzip file. The message names the file.

    Example:
      >>> import os, struct, tempfile
      >>> from kerasish.datasets import read_idx
      >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
      >>> with open(path, "wb") as f:
      ...     _ = f.write(struct.pack(">II", 2049, 3) + bytes([7, 0, 9]))
      >>> read_idx(path, expected_magic=2049)
      array([7, 0, 9], dtype=uint8)
    """
    path = Path(path)
    data = _read_bytes(path)
    where = f"IDX file {str(path)!r}"
    if len(data) < 4:
        raise ValueError(
            f"{where} is truncated: it holds {len(data)} bytes, fewer than the 4-byte magic number."
        )
    magic = int.from_bytes(data[:4], "big")
    type_byte, ndim = data[2], data[3]
    if data[:2] != b"\x00\x00" or type_byte not in _IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"{where} is not an IDX file: its magic number is {magic} (0x{magic:08x}); an IDX magic number "
            f"is 0x0000TTDD with type byte TT in {{{', '.join(f'0x{t:02x}' for t in _IDX_DTYPES)}}} and "
            f"DD >= 1 dimensions (2051 for images, 2049 for labels)."
        )
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(f"{where} has magic number {magic}, but {expected_magic} was expected.")
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise ValueError(
            f"{where} is truncated: its header declares {ndim} dimensions ({header_len} header bytes), but "
            f"the file holds only {len(data)} bytes."
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[type_byte]
    expected_len = header_len + math.prod(shape) * dtype.itemsize
    if len(data) != expected_len:
        problem = "is truncated" if len(data) < expected_len else "is corrupt (has trailing bytes)"
        raise ValueError(
            f"{where} {problem}: its header declares shape {shape} of {dtype.newbyteorder('=').name}, i.e. "
            f"{expected_len} bytes in all, but the file holds {len(data)} bytes."
        )
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=header_len).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writeable copy in native byte order


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Writes an array as an IDX file, gzip-compressed when `path` ends in `.gz` (the inverse of `read_idx`).

    Args:
      path: the file to write.
      array: an array with 1 to 255 dimensions of dtype uint8, int8, int16, int32, float32 or float64.

    Raises:
      TypeError: if `array`'s dtype has no IDX type code.
      ValueError: if `array` has 0 or more than 255 dimensions.

    Example:
      >>> import os, tempfile
      >>> import numpy as np
      >>> from kerasish.datasets import read_idx, write_idx
      >>> path = os.path.join(tempfile.mkdtemp(), "images-idx3-ubyte.gz")
      >>> write_idx(path, np.zeros((2, 28, 28), np.uint8))
      >>> read_idx(path, expected_magic=2051).shape
      (2, 28, 28)
    """
    array = np.asarray(array)
    codes = {dt.newbyteorder("=").name: code for code, dt in _IDX_DTYPES.items()}
    if array.dtype.name not in codes:
        raise TypeError(
            f"Argument `array` has dtype {array.dtype.name}, which IDX cannot store; accepted dtypes: "
            f"{', '.join(codes)}."
        )
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"Argument `array` must have 1 to 255 dimensions, but received shape {array.shape}.")
    header = bytes([0, 0, codes[array.dtype.name], array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    payload = header + np.ascontiguousarray(array, dtype=array.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)


# ---------------------------------------------------------------------------------------------------------
# Fashion-MNIST
# ---------------------------------------------------------------------------------------------------------


class fashion_mnist:  # noqa: N801 - lower case so it reads like `keras.datasets.fashion_mnist`
    """Fashion-MNIST: 70,000 28x28 grayscale images of clothing in 10 classes, read from local IDX files.

    Attributes:
      DEFAULT_PATH: where Debian's `dataset-fashion-mnist` package installs the files.
      FILES: the four file names, each found plain or with a `.gz` suffix.
      CLASS_NAMES: the name of each label 0-9.
    """

    DEFAULT_PATH = Path("/usr/share/datasets/fashion-mnist")
    FILES = (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    )
    CLASS_NAMES = (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    )

    @staticmethod
    def load_data(path: str | os.PathLike[str] | None = None) -> Split:
        """Loads Fashion-MNIST from the four IDX files in a folder, like `keras.datasets.fashion_mnist`.

        Unlike Keras this never downloads: the files must already be on disk. Get them with
        `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or put the four files (plain or `.gz`)
        from the Fashion-MNIST project in a folder and pass it as `path`.

        Args:
          path: the folder holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
            `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each plain or gzipped (`.gz`); when
            None, `fashion_mnist.DEFAULT_PATH` (`/usr/share/datasets/fashion-mnist`).

        Returns:
          `(x_train, y_train), (x_test, y_test)`: `x_*` uint8 arrays of shape `(N, 28, 28)` with values
          0-255, `y_*` uint8 arrays of shape `(N,)` with values 0-9. N is 60,000 and 10,000 for the real
          data set.

        Raises:
          TypeError: if `path` is not None, a string or a path.
          FileNotFoundError: if the folder or any of the four files is missing; the message says where it
            looked and how to get the files.
          ValueError: if a file is truncated or corrupt, has the wrong magic number, if a split's image and
            label counts differ, or a label is above 9. The message names the file.

        Example:
          >>> import os, tempfile
          >>> import numpy as np
          >>> from kerasish.datasets import fashion_mnist, write_idx
          >>> folder = tempfile.mkdtemp()
          >>> for split, n in [("train", 3), ("t10k", 2)]:
          ...     images = np.zeros((n, 28, 28), np.uint8)
          ...     write_idx(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"), images)
          ...     write_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte"), np.arange(n, dtype=np.uint8))
          >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(path=folder)
          >>> x_train.shape, x_train.dtype, y_test.tolist()
          ((3, 28, 28), dtype('uint8'), [0, 1])
          >>> fashion_mnist.CLASS_NAMES[9]
          'Ankle boot'
        """
        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"Argument `path` must be None, a string or an os.PathLike folder, but received {path!r} of "
                f"type {type(path).__name__}."
            )
        folder = fashion_mnist.DEFAULT_PATH if path is None else Path(path)
        how_to_get = (
            "Install them with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu; it puts them in "
            f"{fashion_mnist.DEFAULT_PATH}), or pass path=... naming a folder that holds the four files "
            f"{', '.join(fashion_mnist.FILES)} (each plain or with a .gz suffix)."
        )
        if not folder.is_dir():
            raise FileNotFoundError(
                f"Fashion-MNIST: looked for its IDX files in {str(folder)!r}, which is not a folder. "
                f"{how_to_get}"
            )
        found: dict[str, Path] = {}
        for name in fashion_mnist.FILES:
            for candidate in (folder / name, folder / f"{name}.gz"):
                if candidate.is_file():
                    found[name] = candidate
                    break
        missing = [name for name in fashion_mnist.FILES if name not in found]
        if missing:
            raise FileNotFoundError(
                f"Fashion-MNIST: looked in {str(folder)!r} but found no {', '.join(missing)} (plain or .gz). "
                f"{how_to_get}"
            )

        splits = []
        for prefix in ("train", "t10k"):
            images_file = found[f"{prefix}-images-idx3-ubyte"]
            labels_file = found[f"{prefix}-labels-idx1-ubyte"]
            images = read_idx(images_file, expected_magic=2051)
            labels = read_idx(labels_file, expected_magic=2049)
            if len(images) != len(labels):
                raise ValueError(
                    f"Fashion-MNIST: {str(images_file)!r} holds {len(images)} images but "
                    f"{str(labels_file)!r} holds {len(labels)} labels; the two files of a split must hold "
                    "the same count."
                )
            if labels.size and int(labels.max()) > 9:
                raise ValueError(
                    f"Fashion-MNIST: {str(labels_file)!r} holds label {int(labels.max())}; labels must be "
                    "0-9."
                )
            splits.append((images, labels))
        return splits[0], splits[1]
