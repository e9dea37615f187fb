"""IDX files, the format of MNIST and Fashion-MNIST: `read_idx` / `write_idx` (plain or gzip-compressed)."""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

__all__ = ["read_idx", "write_idx"]

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
