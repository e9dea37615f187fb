"""Reading Keras's data set files without running code from them: NumPy `.npz` files and CIFAR's pickles.

IMDB's and Reuters' `.npz` files hold ragged sequences as NumPy object arrays, which NumPy stores as a
pickle; CIFAR's batches are pickles of a dict of arrays. Unpickling an arbitrary file can run any code,
so these are read with `RestrictedUnpickler`, which rebuilds only what such files contain: NumPy arrays
and dtypes (and Python's own lists, dicts, numbers, strings, bytes). Any other object a file names is
refused with `pickle.UnpicklingError`. Numeric arrays are read with pickling disabled altogether.
"""

from __future__ import annotations

import codecs
import io
import os
import pickle
import zipfile
from typing import Any, BinaryIO

import numpy as np

__all__ = ["RestrictedUnpickler", "load_npz", "load_pickle"]

_RECONSTRUCT = np.zeros(1).__reduce__()[0]  # NumPy's array-rebuilding function, wherever NumPy keeps it
_FROMBUFFER = np.zeros(1).__reduce_ex__(5)[0]  # the same for pickle protocol 5


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """What Python 3 pickles of protocol 2 call to rebuild `bytes` (`_codecs.encode(text, "latin1")`)."""
    if codecs.lookup(encoding).name != "iso8859-1":
        raise pickle.UnpicklingError(f"Refusing `_codecs.encode` with encoding {encoding!r} while loading a data set.")
    return codecs.encode(text, "latin1")


_ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy.core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy._core.numeric", "_frombuffer"): _FROMBUFFER,
    ("_codecs", "encode"): _latin1_encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """A `pickle.Unpickler` that rebuilds NumPy arrays and Python's built-in values, and nothing else.

    Example:
      >>> data = pickle.dumps({"x": np.arange(3)})
      >>> RestrictedUnpickler(io.BytesIO(data)).load()["x"].tolist()
      [0, 1, 2]
      >>> RestrictedUnpickler(io.BytesIO(pickle.dumps(print))).load()
      Traceback (most recent call last):
      ...
      _pickle.UnpicklingError: Refusing to rebuild `builtins.print` while loading a data set: only NumPy arrays ...
    """

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"Refusing to rebuild `{module}.{name}` while loading a data set: only NumPy arrays and Python's "
                f"built-in values are read from such files (the file may be corrupt or tampered with).") from None


def load_pickle(file: BinaryIO, encoding: str = "ASCII") -> Any:
    """Reads one pickle with `RestrictedUnpickler` (`encoding="bytes"` for Python 2 pickles such as CIFAR's)."""
    return RestrictedUnpickler(file, encoding=encoding).load()


def _read_npy(file: BinaryIO) -> np.ndarray:
    version = np.lib.format.read_magic(file)
    if version[0] == 1:
        _, _, dtype = np.lib.format.read_array_header_1_0(file)
    elif version[0] in (2, 3):  # 3.0 differs from 2.0 only in the header text's encoding
        _, _, dtype = np.lib.format.read_array_header_2_0(file)
    else:
        raise ValueError(f"Unsupported `.npy` format version {version}.")
    if not dtype.hasobject:
        file.seek(0)
        return np.lib.format.read_array(file, allow_pickle=False)
    array = load_pickle(file)
    if not isinstance(array, np.ndarray):
        raise ValueError(f"An object-array member of the file holds a {type(array).__name__}, not an array.")
    return array


def load_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Reads every array of an `.npz` file (object arrays through `RestrictedUnpickler`).

    Args:
      path: the `.npz` file.

    Returns:
      `{name: array}` for each `name.npy` member.

    Raises:
      pickle.UnpicklingError: for an object array whose pickle names anything but NumPy arrays.
      ValueError: for a member that is not a `.npy` array.

    Example:
      >>> import tempfile
      >>> path = os.path.join(tempfile.mkdtemp(), "ragged.npz")
      >>> ragged = np.empty(2, dtype=object); ragged[:] = [[1, 2], [3]]
      >>> np.savez(path, x=ragged, y=np.array([0, 1]))
      >>> arrays = load_npz(path)
      >>> arrays["x"].tolist(), arrays["y"].tolist()
      ([[1, 2], [3]], [0, 1])
    """
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[:-4]] = _read_npy(io.BytesIO(raw.read()))
    return arrays
