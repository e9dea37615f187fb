"""IDX files written byte by byte with `struct`, independently of `write_idx`, so that the reader is checked
against the format itself rather than against its own writer."""

import gzip
import struct

import numpy as np


def idx_bytes(array: np.ndarray, type_byte: int = 0x08) -> bytes:
    """An IDX file: magic 0x0000TTDD, big-endian uint32 dims, big-endian data."""
    header = struct.pack(">HBB", 0, type_byte, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_file(path, data: bytes, gz: bool):
    if gz:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


def make_fashion_folder(folder, n_train=5, n_test=3, gz=(True, False, True, False), seed=0):
    """The four Fashion-MNIST files with random content; `gz` says which of them are gzipped."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    paths = {}
    for (name, array), compressed in zip(arrays.items(), gz, strict=True):
        paths[name] = write_file(folder / name, idx_bytes(array), compressed)
    return arrays, paths
